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

impl Statistics {
    /// The feature named `name`.
    pub fn feature(&self, name: &str) -> Option<&FeatureStatistics> {
        self.features.iter().find(|f| f.name == name)
    }

    /// `dataset.item_count`, if present.
    pub fn item_count(&self) -> Option<u64> {
        self.dataset.as_ref().map(|d| d.item_count)
    }
}

impl FeatureStatistics {
    /// `common` counts of whichever statistics section is present.
    pub fn common(&self) -> Option<Common> {
        self.numerical_statistics
            .as_ref()
            .map(|n| n.common)
            .or_else(|| self.string_statistics.as_ref().map(|s| s.common))
    }

    /// The KLL sketch data of a numeric feature, if present.
    pub fn kll_sketch(&self) -> Option<&KllSketchData> {
        self.numerical_statistics
            .as_ref()?
            .distribution
            .as_ref()
            .map(|d| &d.kll.sketch)
    }
}

impl KllSketchData {
    /// The levels as plain doubles, level 0 first.
    pub fn levels(&self) -> Vec<Vec<f64>> {
        self.data
            .iter()
            .map(|l| l.iter().map(|d| d.0).collect())
            .collect()
    }

    /// Rebuild a [`crate::kll::KllSketch`] with this file's `k` and `c` (see
    /// [`crate::kll::KllSketch::from_levels`] for what is and is not restored).
    pub fn to_sketch(&self) -> crate::kll::KllSketch {
        let k = self.parameters.k.0;
        let k = if k.is_finite() && k >= 1.0 {
            k as usize
        } else {
            crate::kll::DEFAULT_K
        };
        crate::kll::KllSketch::from_levels_with_params(self.levels(), k, self.parameters.c.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_read_a_feature() {
        let text = r#"{"version":0.0,"dataset":{"item_count":4},"features":[{"name":"a",
            "inferred_type":"Integral","numerical_statistics":{"common":{"num_present":3,
            "num_missing":1},"mean":2.0,"sum":6.0,"std_dev":0.8,"min":1.0,"max":3.0,
            "distribution":{"kll":{"buckets":[],"sketch":{"parameters":{"c":0.64,"k":2048.0},
            "data":[[1.0,3.0],[2.0]]}}}}}]}"#;
        let s: Statistics = serde_json::from_str(text).unwrap();
        assert_eq!(s.item_count(), Some(4));
        let f = s.feature("a").unwrap();
        assert_eq!(f.common().unwrap().num_missing, 1);
        let sk = f.kll_sketch().unwrap().to_sketch();
        assert_eq!(sk.count(), 4);
        assert_eq!(sk.rank_inclusive(2.0), 3);
        assert!(s.feature("b").is_none());
    }
}
