//! `constraint_violations.json` as SageMaker Model Monitor writes it.
//!
//! Schema: "Schema for Violations (constraint_violations.json file)" in the SageMaker developer
//! guide (`model-monitor-interpreting-violations`): a `violations` array of objects with
//! `feature_name`, `constraint_check_type` (one of six check types) and `description`, in that
//! order (also the order of the SDK fixture `tests/data/monitor/constraint_violations.json`).
//! [`ConstraintViolations::to_json`] writes it in the container's Jackson layout
//! ([`crate::jackson`]); the SDK fixture is reproduced byte for byte (`tests/mm_formats.rs`).

use crate::formats::constraints::FormatError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The whole `constraint_violations.json` document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ConstraintViolations {
    /// Every violation found, in evaluation order.
    #[serde(default)]
    pub violations: Vec<Violation>,
}

/// One violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The feature (column) concerned.
    pub feature_name: String,
    /// Which check failed.
    pub constraint_check_type: CheckType,
    /// Human-readable details in the real container's wording (see [`crate::evaluate`]).
    pub description: String,
}

/// The six check types of the Model Monitor container, then driftline's value checks
/// ([`crate::values`]; Model Monitor's readers take `constraint_check_type` as a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckType {
    /// The current values are not of the baseline's inferred type often enough.
    DataTypeCheck,
    /// Fewer non-null values than the baseline's completeness requires.
    CompletenessCheck,
    /// The distribution distance to the baseline exceeds the threshold.
    BaselineDriftCheck,
    /// A baseline column is missing from the current data.
    MissingColumnCheck,
    /// The current data has a column the baseline does not know.
    ExtraColumnCheck,
    /// Too many String values outside the baseline's domain.
    CategoricalValuesCheck,
    /// driftline: a negative value where the baseline constraint says `is_non_negative`.
    NonNegativeCheck,
    /// driftline: a numeric value outside the (widened) training range.
    ValueRangeCheck,
    /// driftline: a categorical value the training data never had.
    ValueDomainCheck,
}

impl CheckType {
    /// All of them: Model Monitor's six in the documented order, then driftline's.
    pub const ALL: [CheckType; 9] = [
        CheckType::DataTypeCheck,
        CheckType::CompletenessCheck,
        CheckType::BaselineDriftCheck,
        CheckType::MissingColumnCheck,
        CheckType::ExtraColumnCheck,
        CheckType::CategoricalValuesCheck,
        CheckType::NonNegativeCheck,
        CheckType::ValueRangeCheck,
        CheckType::ValueDomainCheck,
    ];

    /// The spelling used in the JSON files (`data_type_check`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckType::DataTypeCheck => "data_type_check",
            CheckType::CompletenessCheck => "completeness_check",
            CheckType::BaselineDriftCheck => "baseline_drift_check",
            CheckType::MissingColumnCheck => "missing_column_check",
            CheckType::ExtraColumnCheck => "extra_column_check",
            CheckType::CategoricalValuesCheck => "categorical_values_check",
            CheckType::NonNegativeCheck => "non_negative_check",
            CheckType::ValueRangeCheck => "value_range_check",
            CheckType::ValueDomainCheck => "value_domain_check",
        }
    }
}

impl fmt::Display for CheckType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ConstraintViolations {
    /// Parse a `constraint_violations.json` text.
    pub fn from_json(text: &str) -> Result<Self, FormatError> {
        serde_json::from_str(text).map_err(|source| FormatError::Parse {
            file: "constraint_violations.json",
            source,
        })
    }

    /// The document in the container's Jackson layout (see [`crate::jackson`]).
    pub fn to_json(&self) -> Result<String, FormatError> {
        crate::jackson::try_to_string_pretty(self).map_err(|source| FormatError::Write {
            file: "constraint_violations.json",
            source,
        })
    }

    /// Violations of one check type.
    pub fn of_type(&self, check: CheckType) -> impl Iterator<Item = &Violation> {
        self.violations
            .iter()
            .filter(move |v| v.constraint_check_type == check)
    }

    /// True when there is no violation.
    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_type_spellings_match_serde() {
        for c in CheckType::ALL {
            let s = serde_json::to_string(&c).unwrap();
            assert_eq!(s, format!("\"{}\"", c.as_str()));
            let back: CheckType = serde_json::from_str(&s).unwrap();
            assert_eq!(back, c);
        }
        assert!(serde_json::from_str::<CheckType>("\"no_such_check\"").is_err());
    }
}
