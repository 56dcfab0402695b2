//! Model-quality `constraints.json` (`{problem}_constraints`: metric → `threshold`,
//! `comparison_operator`), its suggestion from baseline statistics, its evaluation against a
//! window, and the violations in `constraint_violations.json`.
//!
//! Suggestion follows the real file of the SDK fixture (`regression_constraints` with every
//! threshold equal to the baseline value, `GreaterThanThreshold` for error metrics and
//! `LessThanThreshold` for the others). A violation is written when `value OPERATOR threshold`
//! holds — Model Monitor's rule, which with suggested thresholds flags any window that is worse
//! than the baseline at all. driftline's own verdict ([`degradation`]) asks in addition that the
//! window be worse by more than its sampling noise.

use super::metrics::{MetricValue, QualityStatistics};
use super::state::ProblemType;
use crate::double::Double;
use crate::javafmt::java_double;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// CloudWatch's comparison operators, as model-quality constraints spell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// Violated when `value < threshold`.
    LessThanThreshold,
    /// Violated when `value <= threshold`.
    LessThanOrEqualToThreshold,
    /// Violated when `value > threshold`.
    GreaterThanThreshold,
    /// Violated when `value >= threshold`.
    GreaterThanOrEqualToThreshold,
}

impl Comparison {
    /// The spelling in the files.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::LessThanThreshold => "LessThanThreshold",
            Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
        }
    }

    /// Reads the spelling in the files.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Comparison::LessThanThreshold,
            Comparison::LessThanOrEqualToThreshold,
            Comparison::GreaterThanThreshold,
            Comparison::GreaterThanOrEqualToThreshold,
        ]
        .into_iter()
        .find(|c| c.as_str() == s.trim())
    }

    /// True when `value` violates `threshold` (a NaN value never does).
    pub fn violated(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::LessThanThreshold => value < threshold,
            Comparison::LessThanOrEqualToThreshold => value <= threshold,
            Comparison::GreaterThanThreshold => value > threshold,
            Comparison::GreaterThanOrEqualToThreshold => value >= threshold,
        }
    }

    /// True for operators that guard an error metric (higher is worse).
    pub fn higher_is_worse(self) -> bool {
        matches!(
            self,
            Comparison::GreaterThanThreshold | Comparison::GreaterThanOrEqualToThreshold
        )
    }
}

/// One metric's constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricConstraint {
    /// Metric name (`f1`, `mae`, …).
    pub metric: String,
    /// Threshold.
    pub threshold: f64,
    /// How the value is compared.
    pub comparison: Comparison,
}

/// The model-quality `constraints.json` document.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityConstraints {
    /// Always `0.0`.
    pub version: f64,
    /// The problem type (which `{problem}_constraints` key).
    pub problem_type: ProblemType,
    /// The constraints, in file order.
    pub constraints: Vec<MetricConstraint>,
}

impl Serialize for QualityConstraints {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct One<'a>(&'a MetricConstraint);
        impl Serialize for One<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("threshold", &Double(self.0.threshold))?;
                m.serialize_entry("comparison_operator", self.0.comparison.as_str())?;
                m.end()
            }
        }
        struct All<'a>(&'a [MetricConstraint]);
        impl Serialize for All<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for c in self.0 {
                    m.serialize_entry(&c.metric, &One(c))?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("version", &self.version)?;
        m.serialize_entry(self.problem_type.constraints_key(), &All(&self.constraints))?;
        m.end()
    }
}

/// Why a model-quality `constraints.json` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("model-quality constraints.json: {0}")]
pub struct ConstraintsError(pub String);

/// Metrics whose constraint a baseline suggests, with the operator (order of the output).
pub fn suggested_metrics(p: ProblemType) -> &'static [(&'static str, Comparison)] {
    use Comparison::{GreaterThanThreshold as Gt, LessThanThreshold as Lt};
    match p {
        ProblemType::BinaryClassification => &[
            ("recall", Lt),
            ("precision", Lt),
            ("accuracy", Lt),
            ("true_positive_rate", Lt),
            ("true_negative_rate", Lt),
            ("false_positive_rate", Gt),
            ("false_negative_rate", Gt),
            ("auc", Lt),
            ("f0_5", Lt),
            ("f1", Lt),
            ("f2", Lt),
        ],
        ProblemType::MulticlassClassification => &[
            ("accuracy", Lt),
            ("weighted_recall", Lt),
            ("weighted_precision", Lt),
            ("weighted_f0_5", Lt),
            ("weighted_f1", Lt),
            ("weighted_f2", Lt),
        ],
        ProblemType::Regression => &[("mae", Gt), ("mse", Gt), ("rmse", Gt), ("r2", Lt)],
    }
}

impl QualityConstraints {
    /// Reads a model-quality `constraints.json` (keys in any order, unknown metrics kept).
    pub fn from_json(text: &str) -> Result<Self, ConstraintsError> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ConstraintsError(e.to_string()))?;
        let (problem_type, body) = [
            ProblemType::BinaryClassification,
            ProblemType::MulticlassClassification,
            ProblemType::Regression,
        ]
        .into_iter()
        .find_map(|p| v.get(p.constraints_key()).map(|b| (p, b)))
        .ok_or_else(|| {
            ConstraintsError(
                "no binary_classification_constraints, multiclass_classification_constraints or regression_constraints".into(),
            )
        })?;
        let obj = body
            .as_object()
            .ok_or_else(|| ConstraintsError("constraints are not an object".into()))?;
        let mut constraints = Vec::new();
        for (metric, c) in obj {
            let threshold = c
                .get("threshold")
                .cloned()
                .map(serde_json::from_value::<Double>)
                .transpose()
                .map_err(|e| ConstraintsError(format!("{metric}.threshold: {e}")))?
                .ok_or_else(|| ConstraintsError(format!("{metric}: no threshold")))?
                .0;
            let op = c
                .get("comparison_operator")
                .and_then(|o| o.as_str())
                .ok_or_else(|| ConstraintsError(format!("{metric}: no comparison_operator")))?;
            let comparison = Comparison::parse(op).ok_or_else(|| {
                ConstraintsError(format!("{metric}: unknown comparison_operator {op:?}"))
            })?;
            constraints.push(MetricConstraint {
                metric: metric.clone(),
                threshold,
                comparison,
            });
        }
        // serde_json sorts keys: put known metrics in the suggested order.
        let order = suggested_metrics(problem_type);
        constraints.sort_by_key(|c| {
            order
                .iter()
                .position(|(m, _)| *m == c.metric)
                .unwrap_or(usize::MAX)
        });
        Ok(QualityConstraints {
            version: v.get("version").and_then(|x| x.as_f64()).unwrap_or(0.0),
            problem_type,
            constraints,
        })
    }

    /// The document in Model Monitor's Jackson layout.
    pub fn to_json(&self) -> String {
        crate::jackson::to_string_pretty(self)
    }

    /// Suggested constraints: every suggested metric the statistics have, its threshold the
    /// baseline value.
    pub fn suggest(stats: &QualityStatistics) -> Self {
        QualityConstraints {
            version: 0.0,
            problem_type: stats.problem_type,
            constraints: suggested_metrics(stats.problem_type)
                .iter()
                .filter_map(|(m, op)| {
                    let v = stats.get(m)?.value.0;
                    v.is_finite().then(|| MetricConstraint {
                        metric: m.to_string(),
                        threshold: v,
                        comparison: *op,
                    })
                })
                .collect(),
        }
    }
}

/// One model-quality violation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityViolation {
    /// The metric.
    pub metric_name: String,
    /// The comparison operator that held (Model Monitor writes it as the check type).
    pub constraint_check_type: String,
    /// `Metric f1 with 0.61 +/- 0.01 was LessThanThreshold '0.7'`.
    pub description: String,
}

/// The model-quality `constraint_violations.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct QualityViolations {
    /// Every violation, in constraint order.
    pub violations: Vec<QualityViolation>,
}

impl QualityViolations {
    /// The document in Model Monitor's Jackson layout.
    pub fn to_json(&self) -> String {
        crate::jackson::to_string_pretty(self)
    }
}

/// Evaluates a window's statistics against constraints: a violation wherever
/// `value OPERATOR threshold` holds. Metrics the window lacks (e.g. `auc` without scores) are
/// skipped.
pub fn evaluate(window: &QualityStatistics, constraints: &QualityConstraints) -> QualityViolations {
    let mut out = QualityViolations::default();
    for c in &constraints.constraints {
        let Some(MetricValue {
            value,
            standard_deviation,
        }) = window.get(&c.metric)
        else {
            continue;
        };
        if value.0.is_nan() || !c.comparison.violated(value.0, c.threshold) {
            continue;
        }
        let sd = if standard_deviation.0.is_nan() {
            "NaN".to_string()
        } else {
            java_double(standard_deviation.0)
        };
        out.violations.push(QualityViolation {
            metric_name: c.metric.clone(),
            constraint_check_type: c.comparison.as_str().to_string(),
            description: format!(
                "Metric {} with {} +/- {sd} was {} '{}'",
                c.metric,
                java_double(value.0),
                c.comparison.as_str(),
                java_double(c.threshold)
            ),
        });
    }
    out
}

/// driftline's verdict on one violated metric: worse than its threshold by more than `z`
/// standard errors `se` of the window's estimate ([`crate::quality::state::QualityState::noise_se`]),
/// and by at least `min_effect` (absolute). Returns the gap. Without a standard error (`NaN`)
/// nothing is degraded: a verdict needs a noise estimate.
pub fn degradation(
    value: f64,
    se: f64,
    c: &MetricConstraint,
    z: f64,
    min_effect: f64,
) -> Option<f64> {
    if value.is_nan() || !se.is_finite() || !c.comparison.violated(value, c.threshold) {
        return None;
    }
    let gap = (value - c.threshold).abs();
    (gap > z * se && gap >= min_effect).then_some(gap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_constraints_round_trip_and_evaluate() {
        let real = include_str!("../../tests/data/model_quality/regression_constraints.json");
        let c = QualityConstraints::from_json(real).unwrap();
        assert_eq!(c.problem_type, ProblemType::Regression);
        assert_eq!(c.to_json(), real);
        let stats = QualityStatistics::from_json(include_str!(
            "../../tests/data/model_quality/regression_statistics.json"
        ))
        .unwrap();
        // The suggestion from the real statistics is the real constraints file.
        assert_eq!(QualityConstraints::suggest(&stats).to_json(), real);
        // Equal to the thresholds: no violation; the SDK's bad case (mse threshold lowered)
        // violates mse.
        assert!(evaluate(&stats, &c).violations.is_empty());
        let bad = QualityConstraints::from_json(include_str!(
            "../../tests/data/model_quality/regression_constraints_bad_case.json"
        ))
        .unwrap();
        let v = evaluate(&stats, &bad);
        assert_eq!(v.violations.len(), 1, "{v:?}");
        assert_eq!(v.violations[0].metric_name, "mse");
        assert_eq!(
            v.violations[0].constraint_check_type,
            "GreaterThanThreshold"
        );
        assert_eq!(
            v.violations[0].description,
            "Metric mse with 0.33364933609800973 +/- NaN was GreaterThanThreshold '0.03364933609800973'"
        );
        assert!(v
            .to_json()
            .starts_with("{\n  \"violations\" : [ {\n    \"metric_name\" : \"mse\""));
    }

    #[test]
    fn degradation_needs_more_than_noise() {
        let c = MetricConstraint {
            metric: "f1".into(),
            threshold: 0.8,
            comparison: Comparison::LessThanThreshold,
        };
        assert_eq!(degradation(0.85, 0.02, &c, 2.0, 0.0), None, "not violated");
        assert_eq!(degradation(0.79, 0.02, &c, 2.0, 0.0), None, "within 2 se");
        assert_eq!(degradation(0.75, 0.02, &c, 3.0, 0.0), None, "within 3 se");
        assert!(degradation(0.70, 0.02, &c, 3.0, 0.0).is_some());
        assert_eq!(
            degradation(0.79, 0.001, &c, 2.0, 0.02),
            None,
            "effect too small"
        );
        assert_eq!(
            degradation(0.5, f64::NAN, &c, 2.0, 0.0),
            None,
            "no noise estimate"
        );
        assert!(Comparison::parse("GreaterThanOrEqualToThreshold")
            .unwrap()
            .violated(1.0, 1.0));
        assert!(Comparison::parse("Bogus").is_none());
    }
}
