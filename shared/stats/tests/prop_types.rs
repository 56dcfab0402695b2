//! The hand-written type matcher (`classify_raw`) against Deequ's regular expressions run by
//! the `regex` crate. Java's `\d` is ASCII-only, so the regexes are written with `[0-9]`;
//! `matches()` semantics (whole string) are the `^…$` anchors of the `regex` crate.

use driftline_stats::profile::{classify_raw, RawKind};
use proptest::prelude::*;
use regex::Regex;

const INTEGRAL: &str = r"^(-|\+)? ?[0-9]+$";
const FRACTIONAL: &str = r"^(-|\+)? ?[0-9]+((\.[0-9]+)|((?:\.[0-9]+)?[Ee][-+]?[0-9]+))$";

fn check(s: &str, int_re: &Regex, frac_re: &Regex) -> Result<(), TestCaseError> {
    let kind = classify_raw(s);
    let want_int = int_re.is_match(s);
    let want_frac = frac_re.is_match(s) && !want_int;
    match kind {
        RawKind::Integral(v) => {
            prop_assert!(want_int, "{s:?} classified Integral");
            let t: String = s.chars().filter(|&c| c != ' ').collect();
            let want: f64 = t.parse().unwrap();
            // -0 is 0.0 (a long cast); otherwise the correctly rounded value of the integer.
            prop_assert_eq!(v, if want == 0.0 { 0.0 } else { want }, "{:?}", s);
        }
        RawKind::Fractional(v) => {
            prop_assert!(want_frac, "{s:?} classified Fractional");
            let t: String = s.chars().filter(|&c| c != ' ').collect();
            let want: f64 = t.parse().unwrap();
            prop_assert_eq!(v.to_bits(), want.to_bits(), "{:?}", s);
        }
        RawKind::String => prop_assert!(!want_int && !want_frac, "{s:?} classified String"),
    }
    Ok(())
}

fn regexes() -> &'static (Regex, Regex) {
    static RE: std::sync::OnceLock<(Regex, Regex)> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        (
            Regex::new(INTEGRAL).unwrap(),
            Regex::new(FRACTIONAL).unwrap(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn matcher_equals_regex_on_numberish_text(s in "[-+ 0-9.eEx\n]{0,12}") {
        let (int_re, frac_re) = regexes();
        check(&s, int_re, frac_re)?;
    }

    #[test]
    fn matcher_equals_regex_on_structured_numbers(
        sign in "(-|\\+)?", space in " ?", int in "[0-9]{1,25}",
        frac in "(\\.[0-9]{0,5})?", exp in "([eE][-+]?[0-9]{0,3})?", junk in "(x| |\\.)?"
    ) {
        let s = format!("{sign}{space}{int}{frac}{exp}{junk}");
        let (int_re, frac_re) = regexes();
        check(&s, int_re, frac_re)?;
    }

    #[test]
    fn matcher_equals_regex_on_any_text(s in any::<String>()) {
        let (int_re, frac_re) = regexes();
        check(&s, int_re, frac_re)?;
    }
}

#[test]
fn examples() {
    assert_eq!(classify_raw("42"), RawKind::Integral(42.0));
    assert_eq!(classify_raw("- 7"), RawKind::Integral(-7.0));
    assert_eq!(classify_raw("-0"), RawKind::Integral(0.0));
    assert_eq!(classify_raw(" 1"), RawKind::Integral(1.0)); // the optional space needs no sign
    assert_eq!(classify_raw("274.4"), RawKind::Fractional(274.4));
    assert_eq!(classify_raw("1e5"), RawKind::Fractional(1e5));
    assert_eq!(classify_raw("+1.5E-3"), RawKind::Fractional(1.5e-3));
    for s in [
        "", "1.", ".5", "1e", "NaN", "true", "1 ", "  1", "--1", "١٢",
    ] {
        assert_eq!(classify_raw(s), RawKind::String, "{s:?}");
    }
}
