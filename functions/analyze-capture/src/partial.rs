//! The partial profile of one capture file, as stored in S3
//! (`{prefix}/profiles/{endpoint}/{variant}/yyyy/mm/dd/hh/{stem}.json`).
//!
//! Each file writes only its own partial profile, so concurrent invocations for the same hour
//! never overwrite each other's work; the window is the merge of every partial profile listed
//! under the hour, in key order (so a retry produces byte-identical reports).

use driftline_stats::profile::DatasetProfile;
use driftline_stats::summary::{FaultExample, Faults};
use serde::{Deserialize, Serialize};

/// Version of the partial-profile format written by this build.
pub const PARTIAL_FORMAT_VERSION: u32 = 1;

/// Examples of bad input kept in a merged window.
pub const MAX_WINDOW_EXAMPLES: usize = 20;

/// One capture file's profile with its counts and faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialProfile {
    /// [`PARTIAL_FORMAT_VERSION`].
    pub format_version: u32,
    /// `s3://bucket/key` of the capture file.
    pub source: String,
    /// Records profiled.
    pub records: u64,
    /// Lines that could not be used.
    pub malformed_records: u64,
    /// Lines read.
    pub lines: u64,
    /// Shadow-traffic lines skipped.
    pub shadow_lines: u64,
    /// Lines beyond `MAX_RECORDS`, counted only.
    pub over_limit_lines: u64,
    /// Earliest `inferenceTime` (ms since the epoch).
    pub min_inference_time_ms: Option<i64>,
    /// Latest `inferenceTime` (ms since the epoch).
    pub max_inference_time_ms: Option<i64>,
    /// A fault that made the whole object unusable (deleted, unreadable), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_fault: Option<String>,
    /// Bad input by kind, with examples.
    pub faults: Faults,
    /// The profile.
    pub profile: DatasetProfile,
}

/// The merge of a window's partial profiles.
#[derive(Debug, Clone, Default)]
pub struct WindowProfile {
    /// Merged profile.
    pub profile: DatasetProfile,
    /// Merged faults (examples capped at [`MAX_WINDOW_EXAMPLES`]).
    pub faults: Faults,
    /// Sum of malformed records.
    pub malformed_records: u64,
    /// Sources, in key order.
    pub sources: Vec<String>,
    /// Partial profiles that could not be read (key and reason).
    pub unreadable: Vec<(String, String)>,
}

impl WindowProfile {
    /// Adds one partial profile.
    pub fn add(&mut self, p: &PartialProfile) {
        self.profile.merge(&p.profile);
        self.malformed_records += p.malformed_records;
        merge_faults(&mut self.faults, &p.faults);
        self.sources.push(p.source.clone());
    }
}

/// Adds `other`'s counts to `into` and keeps at most [`MAX_WINDOW_EXAMPLES`] examples.
pub fn merge_faults(into: &mut Faults, other: &Faults) {
    for (k, v) in &other.counts {
        *into.counts.entry(k.clone()).or_insert(0) += v;
    }
    for e in &other.examples {
        if into.examples.len() >= MAX_WINDOW_EXAMPLES {
            break;
        }
        into.examples.push(e.clone());
    }
}

/// A fault example for a whole-object problem.
pub fn object_fault_example(source: &str, kind: &str, reason: &str) -> FaultExample {
    FaultExample {
        source: source.to_string(),
        line: 0,
        kind: kind.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftline_stats::profile::Cell;

    fn partial(source: &str, values: &[f64], malformed: u64) -> PartialProfile {
        let mut profile = DatasetProfile::new();
        let c = profile.column_index("x");
        for v in values {
            profile.update(c, Cell::Float(*v));
        }
        profile.add_records(values.len() as u64);
        let mut faults = Faults::default();
        if malformed > 0 {
            faults.counts.insert("malformed_json".into(), malformed);
            faults
                .examples
                .push(object_fault_example(source, "malformed_json", "x"));
        }
        PartialProfile {
            format_version: PARTIAL_FORMAT_VERSION,
            source: source.into(),
            records: values.len() as u64,
            malformed_records: malformed,
            lines: values.len() as u64 + malformed,
            shadow_lines: 0,
            over_limit_lines: 0,
            min_inference_time_ms: None,
            max_inference_time_ms: None,
            object_fault: None,
            faults,
            profile,
        }
    }

    #[test]
    fn round_trips_and_merges() {
        let a = partial("s3://b/a.jsonl", &[1.0, 2.0], 1);
        let json = serde_json::to_string(&a).unwrap();
        let back: PartialProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let mut w = WindowProfile::default();
        w.add(&a);
        w.add(&partial("s3://b/b.jsonl", &[3.0], 2));
        assert_eq!(w.profile.item_count(), 3);
        assert_eq!(w.malformed_records, 3);
        assert_eq!(w.faults.counts["malformed_json"], 3);
        assert_eq!(w.sources.len(), 2);
        let stats = w.profile.to_statistics();
        let n = stats.features[0].numerical_statistics.as_ref().unwrap();
        assert_eq!(n.sum.0, 6.0);
    }

    #[test]
    fn examples_are_capped() {
        let mut into = Faults::default();
        let mut other = Faults::default();
        for i in 0..50 {
            other
                .examples
                .push(object_fault_example("s", "k", &i.to_string()));
        }
        merge_faults(&mut into, &other);
        merge_faults(&mut into, &other);
        assert_eq!(into.examples.len(), MAX_WINDOW_EXAMPLES);
    }
}
