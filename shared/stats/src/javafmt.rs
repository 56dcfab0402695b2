//! Java's `Double.toString`, as Model Monitor's Jackson output prints every double.
//!
//! [`java_double`] is the algorithm of the JDK that Model Monitor runs: its analysis container
//! runs Deequ on Apache Spark 3, which runs on Java 8, 11 or 17, whose `Double.toString` is the
//! classic `FloatingDecimal` algorithm ([`crate::javafmt_legacy`], ported and checked against
//! 303,029 values printed by OpenJDK 17). It differs from the shortest-decimal algorithm of
//! JDK 19+ ([`java_double_shortest`]) for about 1.5 % of doubles with 16–17 significant digits
//! (`1.0E23` prints as `9.999999999999999E22`, some values get an 18th digit); for every double
//! in the real Model Monitor outputs of the reference folder the two agree.
//!
//! Layout rules common to both:
//! * `NaN`, `Infinity`, `-Infinity`; zeros as `0.0` / `-0.0`;
//! * for `1e-3 <= |x| < 1e7`: plain decimal with at least one digit after the point
//!   (`231.0`, `0.64`, `2048.0`, `0.001`);
//! * otherwise computerized scientific notation `d.dddE±n` with at least one fraction digit
//!   and no `+` on the exponent (`1.0E-4`, `1.2345678E7`);
//! * when the shortest decimal has a single digit, Java picks the closest decimal of two digits
//!   instead (the spec considers lengths 1 and 2 together). That only changes results where the
//!   rounding interval is wide (subnormals: `Double.MIN_VALUE` is `4.9E-324`, not `5.0E-324`).
//!
//! * among the shortest decimals, Java takes the closest to the exact value, and on an exact tie
//!   the one with an even last digit (`0.198627471923828125` prints as `0.19862747192382812`).
//!
//! Rust's `{:e}` gives the shortest length; `{:.N$e}` (exact, round-half-even) then gives
//! Java's choice of digits at that length. Checked against 3,030 values printed by OpenJDK 25
//! (`tests/compat_javafmt.rs`). JDK 18 and older print a different decimal for about 1.5 % of
//! random doubles (the pre-JDK 19 `FloatingDecimal` was not always shortest); every double of
//! the real Model Monitor outputs in the reference folder is reproduced by this module.

/// Java's `Double.toString(x)` as the JDK of Model Monitor's container prints it (JDK 8–18).
pub fn java_double(x: f64) -> String {
    crate::javafmt_legacy::java_double_legacy(x)
}

/// Append [`java_double`]`(x)` to `out`.
pub fn write_java_double(out: &mut String, x: f64) {
    out.push_str(&crate::javafmt_legacy::java_double_legacy(x));
}

/// Java 19+'s `Double.toString(x)` (shortest decimal, closest, ties to even).
pub fn java_double_shortest(x: f64) -> String {
    let mut out = String::with_capacity(24);
    write_java_double_shortest(&mut out, x);
    out
}

/// Append [`java_double_shortest`]`(x)` to `out`.
pub fn write_java_double_shortest(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // Shortest round-trip digits in scientific form: "-1.2345e-7".
    let sci = format!("{:e}", x);
    let (mut digits, mut exp) = split_sci(&sci);
    // Among the decimals of that length (at least 2, see the module doc) that round to `x`,
    // Java takes the closest, and on a tie the one with an even last digit. `{:.N$e}` gives
    // the closest decimal with exact arithmetic and round-half-even; use it when it still
    // rounds to `x` (it may not just below a power of two, where the lower gap is narrower).
    let len = digits.len().max(2);
    let closest = format!("{:.*e}", len - 1, x);
    if closest.parse::<f64>().ok() == Some(x) {
        let (d, e) = split_sci(&closest);
        let d = d.trim_end_matches('0');
        digits = if d.is_empty() {
            "0".to_string()
        } else {
            d.to_string()
        };
        exp = e;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    let abs = x.abs();
    if (1e-3..1e7).contains(&abs) {
        // Plain notation: value = 0.d1d2d3... * 10^(exp+1)
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            out.push_str("0.");
            for _ in 0..(-point) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let p = point as usize;
            if digits.len() <= p {
                out.push_str(&digits);
                for _ in digits.len()..p {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..p]);
                out.push('.');
                out.push_str(&digits[p..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&exp.to_string());
    }
}

/// Split Rust's `{:e}` output into its significant digits (no sign, no point) and exponent.
fn split_sci(s: &str) -> (String, i32) {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // Values and Java outputs, with where each Java output comes from:
        let cases: &[(f64, &str)] = &[
            // SDK pipeline statistics.json (written by the real container's Jackson):
            (231.0, "231.0"),
            (2.31, "2.31"),
            (0.8330066026148891, "0.8330066026148891"),
            (0.64, "0.64"),
            (2048.0, "2048.0"),
            (0.0, "0.0"),
            (1.2, "1.2"),
            // churn statistics (real service output):
            (0.1393056150878697, "0.1393056150878697"),
            (0.34626515951342846, "0.34626515951342846"),
            // Java SE `Double.toString` javadoc and JLS examples (documented outputs):
            (1.0E-4, "1.0E-4"),
            (0.001, "0.001"),
            (1.0E7, "1.0E7"),
            (9999999.0, "9999999.0"),
            (1.2345678E7, "1.2345678E7"),
            (100.0, "100.0"),
            (-0.0, "-0.0"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (f64::MIN_POSITIVE / 4503599627370496.0, "4.9E-324"), // Double.MIN_VALUE
            (1.0E23, "1.0E23"),
            (-1.5E-5, "-1.5E-5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(v, want) in cases {
            assert_eq!(java_double_shortest(v), want, "value {v:e}");
            if v != 1.0E23 {
                assert_eq!(java_double(v), want, "legacy, value {v:e}");
            }
        }
        // JDK 8-18 (checked with OpenJDK 17): not the shortest decimal.
        assert_eq!(java_double(1.0E23), "9.999999999999999E22");
    }

    #[test]
    fn round_trips() {
        for &v in &[
            1.0 / 3.0,
            123456.789,
            6.02214076e23,
            -2.5e-300,
            0.000999,
            9999999.999,
        ] {
            for s in [java_double(v), java_double_shortest(v)] {
                assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
            }
        }
    }
}
