//! `statistics.json` as SageMaker Model Monitor writes it (data-quality baseline and monitoring
//! output). Field order here is the order the real container writes, so serialising these types
//! with the Jackson-style writer reproduces the real layout.
//!
//! Reading is lenient: absent optional sections are `None`, unknown keys are ignored.

use crate::double::Double;
use serde::{Deserialize, Serialize};

/// The whole `statistics.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statistics {
    /// Always `0.0` in files the service writes.
    #[serde(default)]
    pub version: Double,
    /// Dataset-level figures (`item_count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<Dataset>,
    /// One entry per column, in column order.
    #[serde(default)]
    pub features: Vec<FeatureStatistics>,
}

/// `dataset` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// Number of rows.
    pub item_count: u64,
}

/// The type Deequ inferred for a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum InferredType {
    /// Every non-null value matched Deequ's integral regex.
    Integral,
    /// At least one value was fractional, none was a string.
    Fractional,
    /// At least one non-null value was neither integral nor fractional.
    String,
    /// Every value was null / missing.
    Unknown,
}

impl InferredType {
    /// The spelling used in the JSON files.
    pub fn as_str(&self) -> &'static str {
        match self {
            InferredType::Integral => "Integral",
            InferredType::Fractional => "Fractional",
            InferredType::String => "String",
            InferredType::Unknown => "Unknown",
        }
    }

    /// Integral or Fractional.
    pub fn is_numeric(&self) -> bool {
        matches!(self, InferredType::Integral | InferredType::Fractional)
    }
}

/// One feature (column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureStatistics {
    /// Column name (`_c0`, `_c1`, … for headerless data).
    pub name: String,
    /// Deequ's inferred type.
    pub inferred_type: InferredType,
    /// Present for Integral / Fractional columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerical_statistics: Option<NumericalStatistics>,
    /// Present for String (and Unknown) columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_statistics: Option<StringStatistics>,
}

/// Counts common to both kinds of column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Common {
    /// Non-null values.
    pub num_present: u64,
    /// Null / empty values.
    pub num_missing: u64,
}

/// Numeric column statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericalStatistics {
    /// Presence counts.
    pub common: Common,
    /// `sum / num_present`.
    pub mean: Double,
    /// Sum of present values.
    pub sum: Double,
    /// Population standard deviation (Welford, row order).
    pub std_dev: Double,
    /// Smallest value.
    pub min: Double,
    /// Largest value.
    pub max: Double,
    /// KLL distribution (absent when there were no values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<NumericDistribution>,
}

/// `distribution` of a numeric column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericDistribution {
    /// The KLL sketch and its 10 buckets.
    pub kll: KllDistribution,
}

/// `kll` section: buckets then the sketch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KllDistribution {
    /// 10 equal-width buckets between min and max, counts from the sketch.
    #[serde(default)]
    pub buckets: Vec<KllBucket>,
    /// The materialised sketch.
    pub sketch: KllSketchData,
}

/// One histogram bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KllBucket {
    /// Left edge.
    pub lower_bound: Double,
    /// Right edge.
    pub upper_bound: Double,
    /// Estimated count (a double in the files).
    pub count: Double,
}

/// The sketch as serialised: parameters and the compactor levels, level 0 first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KllSketchData {
    /// `c` and `k`.
    pub parameters: KllParameters,
    /// Items per level, level 0 first (an item at level h weighs 2^h).
    pub data: Vec<Vec<Double>>,
}

/// KLL parameters as written (`"c" : 0.64, "k" : 2048.0`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KllParameters {
    /// Compaction ratio.
    pub c: Double,
    /// Capacity of the top level.
    pub k: Double,
}

/// String column statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StringStatistics {
    /// Presence counts.
    pub common: Common,
    /// Number of distinct values (a double in the files; approximate for high cardinality).
    pub distinct_count: Double,
    /// Categorical frequencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<StringDistribution>,
}

/// `distribution` of a string column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StringDistribution {
    /// Value frequencies.
    pub categorical: Categorical,
}

/// Categorical buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Categorical {
    /// One bucket per (frequent) value.
    #[serde(default)]
    pub buckets: Vec<CategoricalBucket>,
}

/// One value and its count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalBucket {
    /// The value.
    pub value: String,
    /// How often it occurred.
    pub count: u64,
}
