//! Number formatting for people: a few significant digits, no float noise.

/// A number with about four significant digits (`1.2`, `0.0123`, `1235`, `1.23e-5`).
pub(crate) fn num(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e7).contains(&a) {
        return format!("{v:.2e}");
    }
    let magnitude = a.log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 6) as usize;
    trim(format!("{v:.decimals$}"))
}

/// A count: integers without decimals, estimated (weighted) counts with one.
pub(crate) fn count(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        num(v)
    }
}

/// A fraction (0..=1) as a percentage with one decimal (`12.5%`).
pub(crate) fn pct(fraction: f64) -> String {
    if fraction.is_finite() {
        format!("{:.1}%", fraction * 100.0)
    } else {
        "—".into()
    }
}

/// A p-value: scientific below 1e-4 (`3.2e-9`), else four significant digits.
pub(crate) fn p_value(p: f64) -> String {
    if p.is_finite() && p > 0.0 && p < 1e-4 {
        format!("{p:.1e}")
    } else {
        num(p)
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        let t = s.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" {
            "0".into()
        } else {
            t.to_string()
        }
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_without_float_noise() {
        assert_eq!(num(1.2000000000000002), "1.2");
        assert_eq!(num(2.31), "2.31");
        assert_eq!(num(0.0123), "0.0123");
        assert_eq!(num(-1234.4), "-1234");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(1.5e-5), "1.50e-5");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(count(24.0), "24");
        assert_eq!(count(2.5), "2.5");
        assert_eq!(pct(0.125), "12.5%");
        assert_eq!(p_value(3.2e-9), "3.2e-9");
        assert_eq!(p_value(0.25), "0.25");
    }
}
