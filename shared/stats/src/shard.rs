//! Profiles of training-data shards, written to a file and merged into one baseline.
//!
//! A training set too big for one process is profiled shard by shard (an object, a byte range
//! of a large CSV / JSON Lines object split at line boundaries, a Parquet row group), each
//! into a [`ShardProfile`]; merging them gives the profile of the whole set, from which
//! `statistics.json` and the suggested constraints are written as from one file.
//!
//! What merging keeps (checked by `tests/shards.rs` over random shardings and on the churn
//! baseline split into shards):
//!
//! * exact: record counts, per-feature present / missing counts (so completeness), the Deequ
//!   type counts (so the inferred type), min and max, string frequencies and distinct counts
//!   while they are exact;
//! * equal up to floating-point rounding (the sum of the shards' sums is added in another
//!   order): sum and mean, and the population standard deviation, merged by Chan's parallel
//!   formula (relative differences of 1e-12 on thousands of rows, 5e-11 on 94 million);
//! * within the KLL bound: quantiles and the distribution buckets. Every merged sketch carries
//!   its own guaranteed rank error ([`crate::kll::KllSketch::normalized_rank_error`]: the
//!   weights of the compactions it went through, which a merge adds up).
//!
//! A labelled data set's shard profiles also carry a [`QualityPartial`] (the model-quality
//! baseline's state and calibration summary, [`crate::quality::partial`]), merged beside the
//! profile; labelled and unlabelled profiles are never merged together.
//!
//! Merge shards **in their order in the data set** (the order of the byte ranges, of the
//! objects as listed): columns then keep the order they first appear in, as in one pass over
//! the concatenated data, and the KLL merge (order dependent, like Deequ's) is reproducible.
//!
//! ```
//! use driftline_stats::profile::{Cell, DatasetProfile};
//! use driftline_stats::shard::{ShardProfile, ShardSource};
//!
//! let mut a = DatasetProfile::new();
//! let x = a.column_index("x");
//! a.update(x, Cell::Int(1));
//! a.add_records(1);
//! let mut b = DatasetProfile::new();
//! let x = b.column_index("x");
//! b.update(x, Cell::Int(3));
//! b.add_records(1);
//!
//! let a = ShardProfile::new(a, ShardSource::file("part-0.csv"));
//! let b = ShardProfile::from_json(&ShardProfile::new(b, ShardSource::file("part-1.csv")).to_json()?)?;
//! let all = ShardProfile::merge_all([a, b])?;
//! assert_eq!(all.profile.item_count(), 2);
//! assert_eq!(all.sources.len(), 2);
//! # Ok::<(), driftline_stats::shard::ShardError>(())
//! ```

use crate::profile::DatasetProfile;
use crate::quality::partial::QualityPartial;
use serde::{Deserialize, Serialize};

/// The `format` tag of a shard profile file; a reader refuses any other.
pub const FORMAT: &str = "driftline.shard-profile/1";

/// Where the records of a shard profile came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSource {
    /// The file or object (`s3://bucket/key` for objects).
    pub uri: String,
    /// The byte range `[start, end)` whose lines were profiled (a line belongs to the range
    /// its first byte is in); `None` for the whole object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byte_range: Option<[u64; 2]>,
    /// The Parquet row groups profiled; `None` for all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_groups: Option<Vec<usize>>,
    /// Records profiled from this source.
    #[serde(default)]
    pub records: u64,
}

impl ShardSource {
    /// A whole file or object.
    pub fn file(uri: impl Into<String>) -> Self {
        ShardSource {
            uri: uri.into(),
            byte_range: None,
            row_groups: None,
            records: 0,
        }
    }
}

/// A profile of part of a data set, with the sources it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardProfile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The shards this profile covers, in data-set order (one for a shard, many after a merge).
    pub sources: Vec<ShardSource>,
    /// The profile itself (the same mergeable profile analyze-capture writes per file).
    pub profile: DatasetProfile,
    /// A labelled data set's model-quality part (`driftline quality profile`, a baseline run
    /// with `Labels`): the profiles of a run either all have it or none does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<QualityPartial>,
}

/// Why shard profiles cannot be read or merged.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// Not JSON, or not a shard profile's shape.
    #[error("not a driftline shard profile: {0}")]
    Json(#[from] serde_json::Error),
    /// A shard profile of another format version.
    #[error("shard profile format {found:?}, expected {FORMAT:?}")]
    Format {
        /// The file's `format`.
        found: String,
    },
    /// Nothing to merge.
    #[error("no shard profiles to merge")]
    Empty,
    /// Labelled and unlabelled shard profiles, or labelled ones of different problem types.
    #[error("the shard profiles mix {0}: a run profiles one kind of data set")]
    Mixed(String),
    /// The same source (and range) appears twice: its records would be counted twice.
    #[error("{0} is covered by two of the shard profiles; its records would count twice")]
    Duplicate(String),
}

impl ShardProfile {
    /// A shard's profile; `source.records` is set from the profile.
    pub fn new(profile: DatasetProfile, mut source: ShardSource) -> Self {
        source.records = profile.item_count();
        ShardProfile {
            format: FORMAT.to_string(),
            sources: vec![source],
            profile,
            quality: None,
        }
    }

    /// A labelled shard's profile: `profile` counts its records (its columns may be left
    /// unprofiled), `quality` holds the model-quality part.
    pub fn labelled(profile: DatasetProfile, quality: QualityPartial, source: ShardSource) -> Self {
        let mut s = ShardProfile::new(profile, source);
        s.quality = Some(quality);
        s
    }

    /// The file's JSON text.
    pub fn to_json(&self) -> Result<String, ShardError> {
        Ok(serde_json::to_string(self)?)
    }

    /// Reads a shard profile file, refusing other formats.
    pub fn from_json(text: &str) -> Result<Self, ShardError> {
        let p: ShardProfile = serde_json::from_str(text)?;
        if p.format != FORMAT {
            return Err(ShardError::Format { found: p.format });
        }
        Ok(p)
    }

    /// Merges shard profiles given in data-set order (see the module documentation). A
    /// source covered twice is refused: merging is not idempotent, so a repeated shard would
    /// count its records twice.
    pub fn merge_all<I: IntoIterator<Item = ShardProfile>>(parts: I) -> Result<Self, ShardError> {
        let mut parts = parts.into_iter();
        let mut acc = parts.next().ok_or(ShardError::Empty)?;
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        for s in &acc.sources {
            if !seen.insert(source_id(s)) {
                return Err(ShardError::Duplicate(source_id(s)));
            }
        }
        for p in parts {
            for s in &p.sources {
                if !seen.insert(source_id(s)) {
                    return Err(ShardError::Duplicate(source_id(s)));
                }
            }
            match (&mut acc.quality, &p.quality) {
                (None, None) => {}
                (Some(a), Some(b)) => a.merge(b).map_err(|e| {
                    ShardError::Mixed(format!("model-quality states that do not merge ({e})"))
                })?,
                _ => {
                    return Err(ShardError::Mixed(
                        "labelled (model-quality) and unlabelled profiles".into(),
                    ))
                }
            }
            acc.profile.merge(&p.profile);
            acc.sources.extend(p.sources);
        }
        Ok(acc)
    }
}

impl ShardSource {
    /// The source's identity (the object plus the part of it: `uri bytes a..b`, `uri row
    /// groups [..]`), as the duplicate check and the shard-profile names use it.
    pub fn id(&self) -> String {
        source_id(self)
    }
}

/// A source's identity for the duplicate check: the object plus the part of it.
fn source_id(s: &ShardSource) -> String {
    let mut id = s.uri.clone();
    if let Some([a, b]) = s.byte_range {
        id.push_str(&format!(" bytes {a}..{b}"));
    }
    if let Some(g) = &s.row_groups {
        id.push_str(&format!(" row groups {g:?}"));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Cell;

    fn one(name: &str, v: i64) -> DatasetProfile {
        let mut p = DatasetProfile::new();
        let i = p.column_index(name);
        p.update(i, Cell::Int(v));
        p.add_records(1);
        p
    }

    #[test]
    fn another_format_is_refused() {
        let mut text = ShardProfile::new(one("x", 1), ShardSource::file("a"))
            .to_json()
            .unwrap();
        text = text.replace(FORMAT, "driftline.shard-profile/9");
        let err = ShardProfile::from_json(&text).unwrap_err();
        assert!(matches!(err, ShardError::Format { .. }), "{err}");
        assert!(ShardProfile::from_json("{}").is_err());
    }

    #[test]
    fn a_shard_merged_twice_is_refused() {
        let mut s = ShardSource::file("a.csv");
        s.byte_range = Some([0, 10]);
        let a = ShardProfile::new(one("x", 1), s.clone());
        let b = ShardProfile::new(one("x", 2), s);
        let err = ShardProfile::merge_all([a.clone(), b]).unwrap_err();
        assert!(err.to_string().contains("a.csv bytes 0..10"), "{err}");
        // Another range of the same object is fine.
        let mut s2 = ShardSource::file("a.csv");
        s2.byte_range = Some([10, 20]);
        let c = ShardProfile::new(one("x", 2), s2);
        let m = ShardProfile::merge_all([a, c]).unwrap();
        assert_eq!(m.profile.item_count(), 2);
        assert_eq!(m.sources.iter().map(|s| s.records).sum::<u64>(), 2);
        assert!(matches!(
            ShardProfile::merge_all(Vec::new()),
            Err(ShardError::Empty)
        ));
    }

    #[test]
    fn columns_keep_data_set_order() {
        let a = ShardProfile::new(one("b", 1), ShardSource::file("0"));
        let b = ShardProfile::new(one("a", 1), ShardSource::file("1"));
        let m = ShardProfile::merge_all([a, b]).unwrap();
        assert_eq!(m.profile.columns(), ["b", "a"]);
    }
}
