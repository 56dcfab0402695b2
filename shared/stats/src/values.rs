//! Value constraints: the checks people expect from data-quality monitoring and Model Monitor
//! does not make — a value outside the training range, a negative value where the baseline
//! says `is_non_negative`, a category the training data never had.
//!
//! * **`non_negative_check`** — Model Monitor suggests `num_constraints.is_non_negative` but
//!   documents no check type that evaluates it (its guide's violation schema lists six types,
//!   none of them for it), so driftline names one: a feature whose constraint says
//!   `is_non_negative: true` and whose window holds a negative value.
//! * **`value_range_check`** — a numeric value outside the training range `[min, max]` widened
//!   by `range_tolerance × (max − min)` on each side (never below 0 for a non-negative feature).
//! * **`value_domain_check`** — a categorical value outside the training domain.
//!
//! The ranges and domains live in driftline's own file, [`FILE_NAME`] beside `constraints.json`:
//! Model Monitor's `constraints.json` is left exactly as the service writes and reads it (an
//! unknown key in it could make the service's parser refuse the file, and the service's own
//! checks must keep their meaning), and people tune this file the same way, by editing it.
//! Without the file the ranges and domains come from the baseline's `statistics.json` with the
//! default tolerance, so an existing SageMaker baseline gets the checks too.
//!
//! Each violation says how many values, which is the most extreme and where it was seen (the
//! profile's [`crate::tails`]): counts are exact while at most two values lie beyond a bound
//! (inside the tails), otherwise estimated from the KLL sketch (within its rank error) and
//! said to be estimates ("about").
//!
//! ```
//! use driftline_stats::values::{describe_range, ValueConstraints};
//! let v: ValueConstraints = serde_json::from_str(
//!     r#"{"version": 1, "range_tolerance": 0.0,
//!         "features": {"square_footage": {"min": 100, "max": 10000}}}"#).unwrap();
//! let f = &v.features["square_footage"];
//! assert_eq!(v.allowed_range(f, false), Some((100.0, 10000.0)));
//! assert_eq!(describe_range(100.0, 10000.0), "100 to 10000");
//! ```

use crate::formats::constraints::Constraints;
use crate::formats::statistics::{InferredType, Statistics};
use crate::formats::violations::{CheckType, Violation};
use crate::profile::DatasetProfile;
use crate::tails::Seen;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// driftline's value-constraints file, beside `constraints.json`.
pub const FILE_NAME: &str = "driftline-constraints.json";
/// Format version written.
pub const VERSION: u32 = 1;
/// Default widening of the training range, as a fraction of it on each side: a continuous
/// feature's training extremes are exceeded now and then by healthy traffic (a window of 1,000
/// records from 100,000 training rows has a new maximum about 1 % of the time per feature), so
/// the exact range would alarm on noise; 10 % keeps the first shift of a digit or a sign.
pub const DEFAULT_RANGE_TOLERANCE: f64 = 0.1;
/// Categorical features with at most this many training values get a domain.
pub const MAX_DOMAIN: usize = 100;

/// Value constraints per feature ([`FILE_NAME`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueConstraints {
    /// [`VERSION`].
    pub version: u32,
    /// Widening of every numeric range, as a fraction of the range on each side.
    #[serde(default = "default_tolerance")]
    pub range_tolerance: f64,
    /// Per feature.
    #[serde(default)]
    pub features: BTreeMap<String, FeatureValues>,
}

fn default_tolerance() -> f64 {
    DEFAULT_RANGE_TOLERANCE
}

fn yes() -> bool {
    true
}

/// One feature's value constraints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureValues {
    /// `false` turns the feature's value checks off.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Training minimum (numeric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Training maximum (numeric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// This feature's own tolerance, instead of the file's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range_tolerance: Option<f64>,
    /// Training values (categorical).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<Vec<String>>,
}

/// Why a value-constraints file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    /// Not the format.
    #[error("{FILE_NAME}: {0}")]
    Parse(#[from] serde_json::Error),
    /// A bad setting.
    #[error("{FILE_NAME}: {0}")]
    Invalid(String),
}

impl ValueConstraints {
    /// Reads and checks the file (tolerances finite and ≥ 0, `min ≤ max`).
    pub fn from_json(text: &str) -> Result<Self, ValuesError> {
        let v: ValueConstraints = serde_json::from_str(text)?;
        let bad_tol = |t: f64| !(t.is_finite() && t >= 0.0);
        if bad_tol(v.range_tolerance) {
            return Err(ValuesError::Invalid(format!(
                "range_tolerance {} is not a finite number >= 0",
                v.range_tolerance
            )));
        }
        for (name, f) in &v.features {
            if f.range_tolerance.is_some_and(bad_tol) {
                return Err(ValuesError::Invalid(format!(
                    "feature {name:?}: range_tolerance is not a finite number >= 0"
                )));
            }
            if let (Some(lo), Some(hi)) = (f.min, f.max) {
                if lo.is_nan() || hi.is_nan() || lo > hi {
                    return Err(ValuesError::Invalid(format!(
                        "feature {name:?}: min {lo} is not <= max {hi}"
                    )));
                }
            }
        }
        Ok(v)
    }

    /// The file as driftline writes it (pretty JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// Suggested from baseline statistics: every numeric feature's training range, every
    /// categorical feature's values when its buckets hold all of them and there are at most
    /// [`MAX_DOMAIN`].
    pub fn suggest(statistics: &Statistics) -> Self {
        let mut features = BTreeMap::new();
        for f in &statistics.features {
            let values = match (
                f.inferred_type,
                &f.numerical_statistics,
                &f.string_statistics,
            ) {
                (InferredType::Integral | InferredType::Fractional, Some(n), _)
                    if n.min.0.is_finite() && n.max.0.is_finite() =>
                {
                    Some(FeatureValues {
                        enabled: true,
                        min: Some(n.min.0),
                        max: Some(n.max.0),
                        range_tolerance: None,
                        domain: None,
                    })
                }
                (InferredType::String, _, Some(s)) => s.distribution.as_ref().and_then(|d| {
                    let buckets = &d.categorical.buckets;
                    let covered: u64 = buckets.iter().map(|b| b.count).sum();
                    (covered == s.common.num_present
                        && !buckets.is_empty()
                        && buckets.len() <= MAX_DOMAIN)
                        .then(|| {
                            let mut domain: Vec<String> =
                                buckets.iter().map(|b| b.value.clone()).collect();
                            domain.sort();
                            FeatureValues {
                                enabled: true,
                                min: None,
                                max: None,
                                range_tolerance: None,
                                domain: Some(domain),
                            }
                        })
                }),
                _ => None,
            };
            if let Some(v) = values {
                features.insert(f.name.clone(), v);
            }
        }
        ValueConstraints {
            version: VERSION,
            range_tolerance: DEFAULT_RANGE_TOLERANCE,
            features,
        }
    }

    /// The allowed range of a numeric feature: its training range widened by the tolerance,
    /// the lower end not below 0 when the feature is non-negative.
    pub fn allowed_range(&self, f: &FeatureValues, non_negative: bool) -> Option<(f64, f64)> {
        let (lo, hi) = (f.min?, f.max?);
        let widen = (hi - lo) * f.range_tolerance.unwrap_or(self.range_tolerance);
        let mut low = lo - widen;
        if non_negative && lo >= 0.0 {
            low = low.max(0.0);
        }
        Some((low, hi + widen))
    }
}

/// What the value checks found in one feature (also in `summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ValueFindings {
    /// Numeric: the training range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_range: Option<(f64, f64)>,
    /// Numeric: the allowed range (training range and tolerance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_range: Option<(f64, f64)>,
    /// Values below the allowed range, negative ones included.
    pub below: u64,
    /// Values above the allowed range.
    pub above: u64,
    /// Negative values of a non-negative feature.
    #[serde(default)]
    pub negative: u64,
    /// True when the counts are exact (otherwise estimated from the sketch).
    pub exact: bool,
    /// The lowest value, when below the range, with where it was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lowest: Option<Seen>,
    /// The highest value, when above the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest: Option<Seen>,
    /// Categorical: values outside the training domain with their counts (most frequent first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outside_domain: Vec<(String, u64)>,
}

impl ValueFindings {
    /// Values that broke a value constraint.
    pub fn total(&self) -> u64 {
        self.below + self.above + self.outside_domain.iter().map(|(_, n)| n).sum::<u64>()
    }
}

/// `100 to 10000`: a range as people read it.
pub fn describe_range(lo: f64, hi: f64) -> String {
    format!("{} to {}", human(lo), human(hi))
}

/// A number without needless digits: integers as integers, others to 6 significant digits.
pub fn human(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.is_finite() {
        let s = format!("{:.6}", x);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s.len() > 12 {
            format!("{x:.6e}")
        } else {
            s.to_string()
        }
    } else {
        format!("{x}")
    }
}

/// Counts beyond `bound` from the tails when they know, else from the sketch.
fn count_beyond(tails: Option<u64>, sketch: impl FnOnce() -> u64, exact: &mut bool) -> u64 {
    match tails {
        Some(n) => n,
        None => {
            *exact = false;
            sketch()
        }
    }
}

/// The value checks of a window: violations (in the order of the features) and each checked
/// feature's findings. `values` is the baseline's [`FILE_NAME`] or, without one,
/// [`ValueConstraints::suggest`] of the baseline statistics.
pub fn evaluate_values(
    values: &ValueConstraints,
    constraints: &Constraints,
    profile: &DatasetProfile,
) -> (Vec<Violation>, BTreeMap<String, ValueFindings>) {
    let mut violations = Vec::new();
    let mut findings = BTreeMap::new();
    let records = profile.item_count();
    for fp in profile.features() {
        let name = fp.name();
        let fc = constraints.features.iter().find(|c| c.name == name);
        if fc.is_some_and(|c| !constraints.effective_config(c).evaluate_constraints) {
            continue;
        }
        let non_negative = fc
            .and_then(|c| c.num_constraints.as_ref())
            .and_then(|n| n.is_non_negative)
            .unwrap_or(false);
        let fv = values.features.get(name).filter(|v| v.enabled);
        let mut found = ValueFindings {
            exact: true,
            ..ValueFindings::default()
        };
        let mut checked = false;
        if let (Some(num), Some(tails)) = (fp.numeric(), fp.tails()) {
            // Negative values where the constraint says non-negative.
            if non_negative {
                checked = true;
                found.negative = count_beyond(
                    tails.count_below(0.0),
                    || num.kll.rank_exclusive(0.0),
                    &mut found.exact,
                );
            }
            if let Some((lo, hi)) = fv.and_then(|v| values.allowed_range(v, non_negative)) {
                checked = true;
                found.training_range = fv.and_then(|v| Some((v.min?, v.max?)));
                found.allowed_range = Some((lo, hi));
                found.below = count_beyond(
                    tails.count_below(lo),
                    || num.kll.rank_exclusive(lo),
                    &mut found.exact,
                );
                found.above = count_beyond(
                    tails.count_above(hi),
                    || num.n.saturating_sub(num.kll.rank_inclusive(hi)),
                    &mut found.exact,
                );
            }
            // A negative value is below any allowed range of a non-negative feature.
            found.below = found.below.max(found.negative);
            if found.below > 0 {
                found.lowest = tails.lowest().cloned();
            }
            if found.above > 0 {
                found.highest = tails.highest().cloned();
            }
        } else if let (Some(ss), Some(domain)) = (fp.strings(), fv.and_then(|v| v.domain.as_ref()))
        {
            checked = true;
            found.exact = ss.is_exact();
            found.outside_domain = ss
                .frequencies()
                .into_iter()
                .filter(|(v, _)| !domain.iter().any(|d| d == v))
                .map(|(v, n)| (v.to_string(), n))
                .collect();
        }
        if !checked {
            continue;
        }
        violations.extend(describe(name, &found, records, non_negative));
        findings.insert(name.to_string(), found);
    }
    (violations, findings)
}

fn count_text(n: u64, exact: bool) -> String {
    if exact {
        n.to_string()
    } else {
        format!("about {n}")
    }
}

fn at(s: &Option<Seen>) -> String {
    s.as_ref()
        .and_then(|s| s.at.as_ref())
        .map(|l| format!(", seen at {l}"))
        .unwrap_or_default()
}

/// The violations of one feature's findings, worded for a person.
fn describe(name: &str, f: &ValueFindings, records: u64, non_negative: bool) -> Vec<Violation> {
    let mut out = Vec::new();
    let training = f
        .training_range
        .map(|(lo, hi)| format!("training range {}", describe_range(lo, hi)))
        .unwrap_or_else(|| "no training range".into());
    let allowed = f
        .allowed_range
        .map(|(lo, hi)| format!("allowed {}", describe_range(lo, hi)))
        .unwrap_or_default();
    let value = |s: &Option<Seen>| s.as_ref().map(|s| human(s.value.0)).unwrap_or_default();
    if non_negative && f.negative > 0 {
        out.push(Violation {
            feature_name: name.to_string(),
            constraint_check_type: CheckType::NonNegativeCheck,
            description: format!(
                "{name} = {} in {} of {records} records: negative, but the baseline constraint is_non_negative is true ({training}){}",
                value(&f.lowest),
                count_text(f.negative, f.exact),
                at(&f.lowest)
            ),
        });
    }
    let below_range = f
        .below
        .saturating_sub(if non_negative { f.negative } else { 0 });
    if below_range > 0 {
        out.push(Violation {
            feature_name: name.to_string(),
            constraint_check_type: CheckType::ValueRangeCheck,
            description: format!(
                "{name} = {} in {} of {records} records: below the training range ({training}, {allowed}){}",
                value(&f.lowest),
                count_text(below_range, f.exact),
                at(&f.lowest)
            ),
        });
    }
    if f.above > 0 {
        out.push(Violation {
            feature_name: name.to_string(),
            constraint_check_type: CheckType::ValueRangeCheck,
            description: format!(
                "{name} = {} in {} of {records} records: above the training range ({training}, {allowed}){}",
                value(&f.highest),
                count_text(f.above, f.exact),
                at(&f.highest)
            ),
        });
    }
    if !f.outside_domain.is_empty() {
        let n: u64 = f.outside_domain.iter().map(|(_, c)| c).sum();
        let shown: Vec<String> = f
            .outside_domain
            .iter()
            .take(5)
            .map(|(v, c)| format!("{:?} ({c})", crate::values::printable(v)))
            .collect();
        let more = f.outside_domain.len().saturating_sub(5);
        out.push(Violation {
            feature_name: name.to_string(),
            constraint_check_type: CheckType::ValueDomainCheck,
            description: format!(
                "{name}: {} of {records} records have a value the training data never had: {}{}",
                count_text(n, f.exact),
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        });
    }
    out
}

/// A value as shown in a description: at most 60 characters, control characters replaced (a
/// category comes from an untrusted request and ends up in e-mails and reports).
pub fn printable(v: &str) -> String {
    let mut s: String = v
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .take(60)
        .collect();
    if v.chars().count() > 60 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Cell;
    use crate::tails::Location;

    fn profile(col: &str, values: &[&str]) -> DatasetProfile {
        let mut p = DatasetProfile::new();
        let c = p.column_index(col);
        for (i, v) in values.iter().enumerate() {
            if p.update(c, Cell::Raw(v)) {
                p.locate_new(&Location {
                    source: "s3://b/cap.jsonl".into(),
                    line: i as u64 + 1,
                    event_id: Some(format!("ev-{}", i + 1)),
                });
            }
        }
        p.add_records(values.len() as u64);
        p
    }

    fn constraints(non_negative: bool) -> Constraints {
        serde_json::from_value(serde_json::json!({"version": 0.0, "features": [
            {"name": "square_footage", "inferred_type": "Integral", "completeness": 1.0,
             "num_constraints": {"is_non_negative": non_negative}}]}))
        .unwrap()
    }

    fn values(tol: f64) -> ValueConstraints {
        ValueConstraints::from_json(&format!(
            r#"{{"version": 1, "range_tolerance": {tol},
                "features": {{"square_footage": {{"min": 100, "max": 10000}}}}}}"#
        ))
        .unwrap()
    }

    /// The textbook example: a model trained on square footage 100–10,000 gets -5.
    #[test]
    fn a_negative_square_footage_is_a_violation_naming_where_it_was() {
        let mut rows: Vec<String> = (0..499).map(|i| (200 + i * 10).to_string()).collect();
        rows.insert(17, "-5".into());
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let p = profile("square_footage", &refs);
        let (v, f) = evaluate_values(&values(0.1), &constraints(true), &p);
        assert_eq!(v.len(), 1, "{v:#?}");
        assert_eq!(v[0].constraint_check_type, CheckType::NonNegativeCheck);
        assert_eq!(
            v[0].description,
            "square_footage = -5 in 1 of 500 records: negative, but the baseline constraint \
             is_non_negative is true (training range 100 to 10000), seen at s3://b/cap.jsonl \
             line 18 (eventId ev-18)"
        );
        let f = &f["square_footage"];
        assert_eq!((f.negative, f.below, f.above, f.exact), (1, 1, 0, true));
        assert_eq!(f.allowed_range, Some((0.0, 10990.0)));
        // Without the non-negative constraint the same value is below the range.
        let (v, _) = evaluate_values(&values(0.0), &constraints(false), &p);
        assert_eq!(v[0].constraint_check_type, CheckType::ValueRangeCheck);
        assert!(
            v[0].description.contains("below the training range"),
            "{}",
            v[0].description
        );
    }

    #[test]
    fn values_inside_the_widened_range_pass_and_many_outside_are_estimated() {
        let ok: Vec<String> = (0..300).map(|i| (90 + i * 36).to_string()).collect();
        let refs: Vec<&str> = ok.iter().map(String::as_str).collect();
        let p = profile("square_footage", &refs);
        // 90 .. 10854: inside 100 ± 990 .. 10000 + 990.
        let (v, f) = evaluate_values(&values(0.1), &constraints(true), &p);
        assert!(v.is_empty(), "{v:#?}");
        assert_eq!(f["square_footage"].total(), 0);
        // With the exact range: 90 is below, and more than a tail's worth are above.
        let (v, f) = evaluate_values(&values(0.0), &constraints(true), &p);
        let f = &f["square_footage"];
        assert_eq!(f.below, 1);
        let above = ok
            .iter()
            .filter(|s| s.parse::<f64>().unwrap() > 10000.0)
            .count() as u64;
        assert_eq!(f.above, above, "the sketch is exact at this size");
        assert!(!f.exact);
        assert!(v
            .iter()
            .any(|x| x.description.contains(&format!("in about {above} of 300"))));
        assert_eq!(f.highest.as_ref().unwrap().value.0, 10854.0);
    }

    #[test]
    fn unseen_categories_are_named_and_control_characters_never_reach_the_text() {
        let mut p = profile("state", &["CA", "NY", "CA", "TX\nBcc: x", "ZZ"]);
        let _ = &mut p;
        let v = ValueConstraints::from_json(
            r#"{"version": 1, "features": {"state": {"domain": ["CA", "NY"]}}}"#,
        )
        .unwrap();
        let c: Constraints = serde_json::from_str(r#"{"version": 0.0, "features": []}"#).unwrap();
        let (viol, f) = evaluate_values(&v, &c, &p);
        assert_eq!(f["state"].outside_domain.len(), 2);
        assert_eq!(viol.len(), 1);
        assert_eq!(viol[0].constraint_check_type, CheckType::ValueDomainCheck);
        assert!(
            !viol[0].description.contains('\n'),
            "{}",
            viol[0].description
        );
        assert!(
            viol[0].description.contains("2 of 5 records"),
            "{}",
            viol[0].description
        );
    }

    #[test]
    fn suggestion_reads_the_baseline_and_disabled_features_are_skipped() {
        let p = profile("square_footage", &["100", "5000", "10000"]);
        let st = p.to_statistics();
        let s = ValueConstraints::suggest(&st);
        assert_eq!(s.features["square_footage"].min, Some(100.0));
        assert_eq!(s.features["square_footage"].max, Some(10000.0));
        let back = ValueConstraints::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
        let mut off = values(0.0);
        off.features.get_mut("square_footage").unwrap().enabled = false;
        let cur = profile("square_footage", &["1e9"]);
        let (v, _) = evaluate_values(&off, &constraints(false), &cur);
        assert!(v.is_empty());
        assert!(ValueConstraints::from_json(r#"{"version":1,"range_tolerance":-1}"#).is_err());
        assert!(
            ValueConstraints::from_json(r#"{"version":1,"features":{"a":{"min":5,"max":1}}}"#)
                .is_err()
        );
        assert_eq!(human(0.1 + 0.2), "0.3");
        assert_eq!(human(-5.0), "-5");
    }
}
