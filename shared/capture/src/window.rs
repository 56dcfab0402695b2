//! The window: per-file partial profiles, their merge, the fault-example policy, and the rule
//! that names a capture's columns after a baseline.
//!
//! This is the one definition that analyze-capture (one partial per S3 object, merged per hour)
//! and the CLI (one partial per file, merged over the files given) both use, so the same files
//! give the same `statistics.json`, `constraint_violations.json` and `summary.json` whichever
//! ran them (`cli/tests/same_as_handler.rs` checks it byte for byte).
//!
//! ```
//! use driftline_capture::window::{PartialProfile, Window};
//! use driftline_capture::{profile_reader, CaptureOptions};
//!
//! let line = br#"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2","encoding":"CSV"}},"eventMetadata":{"eventId":"e1","inferenceTime":"2024-01-01T00:00:00Z"},"eventVersion":"0"}"#;
//! let opts = CaptureOptions::default();
//! let mut window = Window::default();
//! for name in ["a.jsonl", "b.jsonl"] {
//!     let cp = profile_reader(&line[..], name, &opts).unwrap();
//!     window.add(&PartialProfile::from_capture(name, cp));
//! }
//! assert_eq!(window.records, 2);
//! assert_eq!(window.sources, ["a.jsonl", "b.jsonl"]);
//! ```

use crate::options::{CaptureOptions, ColumnSpec, ColumnsApply};
use crate::profile::CaptureProfile;
use driftline_stats::analysis::{analyze, Analysis, AnalysisOptions, Baseline};
use driftline_stats::formats::statistics::Statistics;
use driftline_stats::profile::DatasetProfile;
use driftline_stats::quality::estimate::{EstimateState, EstimatedQuality};
use driftline_stats::summary::{FaultExample, Faults};
use serde::{Deserialize, Serialize};

/// Version of the partial-profile format written by this build.
pub const PARTIAL_FORMAT_VERSION: u32 = 1;

/// Fault kind recorded for a stored partial profile that could not be read back.
pub const UNREADABLE_PROFILE: &str = "unreadable_profile";

/// How many fault examples a window keeps: at most `total`, and at most `per_kind` of one kind,
/// so that one noisy kind cannot hide the others. The same policy applies to one file's parts,
/// to one file, and to a window of files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExamplePolicy {
    /// Examples kept in all.
    pub total: usize,
    /// Examples kept of one kind.
    pub per_kind: usize,
}

impl Default for ExamplePolicy {
    /// The reader's defaults: 20 in all, 3 per kind.
    fn default() -> Self {
        let o = CaptureOptions::default();
        ExamplePolicy {
            total: o.max_examples,
            per_kind: o.max_examples_per_kind,
        }
    }
}

impl ExamplePolicy {
    /// The policy of these reader options.
    pub fn of(opts: &CaptureOptions) -> Self {
        ExamplePolicy {
            total: opts.max_examples,
            per_kind: opts.max_examples_per_kind,
        }
    }
}

/// Adds `other` to `into`: counts summed; examples appended in order within `policy`, their
/// line numbers shifted by `line_offset` (for the later parts of a file split at line
/// boundaries; whole-object examples with line 0 keep it).
pub fn merge_faults(into: &mut Faults, other: &Faults, line_offset: u64, policy: ExamplePolicy) {
    for (k, n) in &other.counts {
        *into.counts.entry(k.clone()).or_insert(0) += n;
    }
    for ex in &other.examples {
        if into.examples.len() >= policy.total {
            break;
        }
        let same_kind = into.examples.iter().filter(|e| e.kind == ex.kind).count();
        if same_kind >= policy.per_kind {
            continue;
        }
        let mut ex = ex.clone();
        if ex.line > 0 {
            ex.line += line_offset;
        }
        into.examples.push(ex);
    }
}

/// A fault example for a whole-object problem (line 0).
pub fn object_fault_example(source: &str, kind: &str, reason: &str) -> FaultExample {
    FaultExample {
        source: source.to_string(),
        line: 0,
        kind: kind.to_string(),
        reason: reason.to_string(),
    }
}

/// One capture file's profile with its counts and faults: what analyze-capture stores per
/// object (`{prefix}/profiles/{endpoint}/{variant}/yyyy/mm/dd/hh/{stem}.json`) and what the
/// CLI builds per file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialProfile {
    /// [`PARTIAL_FORMAT_VERSION`].
    pub format_version: u32,
    /// `s3://bucket/key` of the capture object, or the file's path.
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
    /// The expected confusion counts of the file's predictions, when a calibration was
    /// available ([`driftline_stats::quality::estimate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<EstimateState>,
}

impl PartialProfile {
    /// The partial of one read source.
    pub fn from_capture(source: &str, cp: CaptureProfile) -> Self {
        let faults = cp.summary_faults();
        PartialProfile {
            format_version: PARTIAL_FORMAT_VERSION,
            source: source.to_string(),
            records: cp.records(),
            malformed_records: cp.malformed_records(),
            lines: cp.stats.lines,
            shadow_lines: cp.stats.shadow_lines,
            over_limit_lines: cp.stats.over_limit_lines,
            min_inference_time_ms: cp.stats.min_inference_time_ms,
            max_inference_time_ms: cp.stats.max_inference_time_ms,
            object_fault: None,
            faults,
            profile: cp.profile,
            estimate: None,
        }
    }

    /// The partial of one source read in consecutive parts (a file split at line boundaries
    /// and profiled in parallel): profiles merged in order, fault example lines made
    /// file-relative. `None` when `parts` is empty.
    pub fn from_parts(
        source: &str,
        parts: Vec<CaptureProfile>,
        policy: ExamplePolicy,
    ) -> Option<Self> {
        let mut it = parts.into_iter();
        let first = it.next()?;
        let mut lines = first.stats.lines;
        let mut out = PartialProfile::from_capture(source, first);
        let mut faults = Faults::default();
        merge_faults(&mut faults, &out.faults, 0, policy);
        for part in it {
            let offset = lines;
            lines += part.stats.lines;
            let p = PartialProfile::from_capture(source, part);
            out.profile.merge(&p.profile);
            merge_faults(&mut faults, &p.faults, offset, policy);
            out.records += p.records;
            out.malformed_records += p.malformed_records;
            out.lines += p.lines;
            out.shadow_lines += p.shadow_lines;
            out.over_limit_lines += p.over_limit_lines;
            out.min_inference_time_ms = min_opt(out.min_inference_time_ms, p.min_inference_time_ms);
            out.max_inference_time_ms = max_opt(out.max_inference_time_ms, p.max_inference_time_ms);
        }
        out.faults = faults;
        Some(out)
    }

    /// The partial of an object that could not be read at all (deleted, access denied): no
    /// records, one fault of `kind`.
    pub fn unreadable(source: &str, kind: &str, reason: &str) -> Self {
        let mut faults = Faults::default();
        faults.counts.insert(kind.to_string(), 1);
        faults
            .examples
            .push(object_fault_example(source, kind, reason));
        PartialProfile {
            format_version: PARTIAL_FORMAT_VERSION,
            source: source.to_string(),
            records: 0,
            malformed_records: 0,
            lines: 0,
            shadow_lines: 0,
            over_limit_lines: 0,
            min_inference_time_ms: None,
            max_inference_time_ms: None,
            object_fault: Some(format!("{kind}: {reason}")),
            faults,
            profile: DatasetProfile::default(),
            estimate: None,
        }
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// The merge of a window's partial profiles, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Merged profile.
    pub profile: DatasetProfile,
    /// Merged faults (examples within the [`ExamplePolicy`]).
    pub faults: Faults,
    /// Records profiled.
    pub records: u64,
    /// Lines that could not be used.
    pub malformed_records: u64,
    /// Lines read.
    pub lines: u64,
    /// Earliest `inferenceTime` (ms since the epoch).
    #[serde(default)]
    pub min_inference_time_ms: Option<i64>,
    /// Latest `inferenceTime` (ms since the epoch).
    #[serde(default)]
    pub max_inference_time_ms: Option<i64>,
    /// Sources, in merge order.
    pub sources: Vec<String>,
    /// Stored partials that could not be read back (key and reason); each counts as an
    /// [`UNREADABLE_PROFILE`] fault.
    #[serde(default)]
    pub unreadable: Vec<(String, String)>,
    /// The merged expected confusion counts of the partials that had them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<EstimateState>,
    /// The example policy (not stored: the default when read back).
    #[serde(skip)]
    pub policy: ExamplePolicy,
}

impl Window {
    /// An empty window keeping fault examples by `policy`.
    pub fn with_policy(policy: ExamplePolicy) -> Self {
        Window {
            policy,
            ..Window::default()
        }
    }

    /// Adds one partial profile.
    pub fn add(&mut self, p: &PartialProfile) {
        self.profile.merge(&p.profile);
        merge_faults(&mut self.faults, &p.faults, 0, self.policy);
        self.records += p.records;
        self.malformed_records += p.malformed_records;
        self.lines += p.lines;
        self.min_inference_time_ms = min_opt(self.min_inference_time_ms, p.min_inference_time_ms);
        self.max_inference_time_ms = max_opt(self.max_inference_time_ms, p.max_inference_time_ms);
        self.sources.push(p.source.clone());
        if let Some(e) = &p.estimate {
            self.estimate
                .get_or_insert_with(EstimateState::default)
                .merge(e);
        }
    }

    /// Adds another window (e.g. an hour into a rolling day): the result equals adding
    /// `other`'s partials one by one after this window's (fault examples within the policy).
    pub fn merge(&mut self, other: &Window) {
        self.profile.merge(&other.profile);
        merge_faults(&mut self.faults, &other.faults, 0, self.policy);
        self.records += other.records;
        self.malformed_records += other.malformed_records;
        self.lines += other.lines;
        self.min_inference_time_ms =
            min_opt(self.min_inference_time_ms, other.min_inference_time_ms);
        self.max_inference_time_ms =
            max_opt(self.max_inference_time_ms, other.max_inference_time_ms);
        self.sources.extend(other.sources.iter().cloned());
        self.unreadable.extend(other.unreadable.iter().cloned());
        if let Some(e) = &other.estimate {
            self.estimate
                .get_or_insert_with(EstimateState::default)
                .merge(e);
        }
    }

    /// Records a stored partial that could not be read back.
    pub fn add_unreadable(&mut self, key: &str, reason: &str) {
        self.unreadable.push((key.to_string(), reason.to_string()));
    }

    /// True when `source` has been merged.
    pub fn contains(&self, source: &str) -> bool {
        self.sources.iter().any(|s| s == source)
    }

    /// The faults to report: the merged faults plus one [`UNREADABLE_PROFILE`] per unreadable
    /// partial.
    pub fn report_faults(&self) -> Faults {
        let mut faults = self.faults.clone();
        let mut extra = Faults::default();
        for (key, reason) in &self.unreadable {
            *extra
                .counts
                .entry(UNREADABLE_PROFILE.to_string())
                .or_insert(0) += 1;
            extra
                .examples
                .push(object_fault_example(key, UNREADABLE_PROFILE, reason));
        }
        merge_faults(&mut faults, &extra, 0, self.policy);
        faults
    }

    /// Analyses the window against `baseline` ([`driftline_stats::analysis::analyze`]); the
    /// summary's sources are the window's.
    pub fn analyze(&self, baseline: Option<&Baseline>, opts: &AnalysisOptions) -> Analysis {
        let opts = AnalysisOptions {
            sources: self.sources.clone(),
            ..opts.clone()
        };
        let mut analysis = analyze(
            &self.profile,
            &self.report_faults(),
            self.malformed_records,
            baseline,
            &opts,
        );
        analysis.summary.estimated_quality = self.estimate.as_ref().and_then(EstimatedQuality::of);
        analysis
    }
}

/// Version of the stored window-state format written by this build.
pub const WINDOW_STATE_FORMAT_VERSION: u32 = 1;

/// A window's merged state as analyze-capture stores it beside the partials
/// (`{prefix}/windows/{endpoint}/{variant}/yyyy/mm/dd/hh/window.json`), so that each new file
/// merges its own partial into the state instead of re-reading every partial of the hour.
///
/// `merged` names the partials already in `window` (their keys, in merge order): a retried
/// file finds its partial there and changes nothing, and any partial that is listed but not
/// merged (a writer that crashed between its partial and the state) is merged by the next one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowState {
    /// [`WINDOW_STATE_FORMAT_VERSION`].
    pub format_version: u32,
    /// Keys of the partials merged, in merge order.
    pub merged: Vec<String>,
    /// The merge.
    pub window: Window,
}

impl WindowState {
    /// An empty state keeping fault examples by `policy`.
    pub fn new(policy: ExamplePolicy) -> Self {
        WindowState {
            format_version: WINDOW_STATE_FORMAT_VERSION,
            merged: Vec::new(),
            window: Window::with_policy(policy),
        }
    }

    /// True when the partial stored under `key` is merged.
    pub fn has(&self, key: &str) -> bool {
        self.merged.iter().any(|k| k == key)
    }

    /// Merges the partial stored under `key` (once: a second call with the same key does
    /// nothing and returns false).
    pub fn add(&mut self, key: &str, p: &PartialProfile) -> bool {
        if self.has(key) {
            return false;
        }
        self.window.add(p);
        self.merged.push(key.to_string());
        true
    }

    /// Records a partial under `key` that could not be read back (it counts as merged, as an
    /// [`UNREADABLE_PROFILE`] fault, so that it is not read again and again).
    pub fn add_unreadable(&mut self, key: &str, reason: &str) -> bool {
        if self.has(key) {
            return false;
        }
        self.window.add_unreadable(key, reason);
        self.merged.push(key.to_string());
        true
    }

    /// The partial keys of `listed` not merged yet, in key order.
    pub fn missing<'a>(&self, listed: &'a [String]) -> Vec<&'a String> {
        let mut out: Vec<&String> = listed.iter().filter(|k| !self.has(k)).collect();
        out.sort();
        out
    }

    /// Reads a stored state; `policy` is the example policy in force (not stored).
    pub fn from_json(bytes: &[u8], policy: ExamplePolicy) -> Result<Self, serde_json::Error> {
        let mut s: WindowState = serde_json::from_slice(bytes)?;
        s.window.policy = policy;
        Ok(s)
    }
}

/// How a capture's columns are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnNaming {
    /// The baseline's feature names, by position, for captures whose payload is positional
    /// (CSV); JSON payloads keep their dotted paths. A baseline named `_c0, _c1, …` imposes
    /// nothing (the reader's own names are the same).
    #[default]
    Auto,
    /// The baseline's names by position, whatever the payload (every row must then have
    /// exactly that many columns).
    Baseline,
    /// The reader's own names: `_c0, _c1, …` for CSV, JSON paths for JSON.
    Capture,
}

/// True when every feature is Spark's positional `_c{i}` at its own position.
pub fn is_positional(stats: &Statistics) -> bool {
    stats
        .features
        .iter()
        .enumerate()
        .all(|(i, f)| f.name.strip_prefix("_c") == Some(i.to_string().as_str()))
}

/// Applies the naming rule: sets `opts.columns` (and `opts.columns_apply`) from the baseline's
/// features. Without a baseline, or with nothing to impose, the reader's own names stay.
pub fn apply_naming(
    opts: &mut CaptureOptions,
    naming: ColumnNaming,
    baseline: Option<&Statistics>,
) {
    opts.columns = None;
    opts.columns_apply = ColumnsApply::Always;
    let Some(stats) = baseline else {
        return;
    };
    if stats.features.is_empty() {
        return;
    }
    match naming {
        ColumnNaming::Capture => {}
        ColumnNaming::Baseline => {
            opts.columns = Some(ColumnSpec::from_statistics(stats));
        }
        ColumnNaming::Auto => {
            if !is_positional(stats) {
                opts.columns = Some(ColumnSpec::from_statistics(stats));
                opts.columns_apply = ColumnsApply::CsvPayloads;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile_reader;
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
            min_inference_time_ms: Some(10),
            max_inference_time_ms: Some(20),
            object_fault: None,
            faults,
            profile,
            estimate: None,
        }
    }

    #[test]
    fn round_trips_and_merges() {
        let a = partial("s3://b/a.jsonl", &[1.0, 2.0], 1);
        let json = serde_json::to_string(&a).unwrap();
        let back: PartialProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let mut w = Window::default();
        w.add(&a);
        w.add(&partial("s3://b/b.jsonl", &[3.0], 2));
        assert_eq!(w.profile.item_count(), 3);
        assert_eq!((w.records, w.malformed_records, w.lines), (3, 3, 6));
        assert_eq!(w.faults.counts["malformed_json"], 3);
        assert_eq!(w.sources, ["s3://b/a.jsonl", "s3://b/b.jsonl"]);
        assert!(w.contains("s3://b/b.jsonl") && !w.contains("s3://b/c.jsonl"));
        let stats = w.profile.to_statistics();
        let n = stats.features[0].numerical_statistics.as_ref().unwrap();
        assert_eq!(n.sum.0, 6.0);
        // A window round-trips too (the stored window state).
        let back: Window = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back, w);
    }

    #[test]
    fn merging_windows_equals_adding_their_partials() {
        let parts = [
            partial("s3://b/a.jsonl", &[1.0, 2.0], 1),
            partial("s3://b/b.jsonl", &[3.0], 2),
            partial("s3://b/c.jsonl", &[-4.5, 9.0, 0.25], 0),
        ];
        let mut one_by_one = Window::default();
        for p in &parts {
            one_by_one.add(p);
        }
        let mut first = Window::default();
        first.add(&parts[0]);
        let mut rest = Window::default();
        rest.add(&parts[1]);
        rest.add(&parts[2]);
        rest.add_unreadable("p/x.json", "bad");
        first.merge(&rest);
        one_by_one.add_unreadable("p/x.json", "bad");
        assert_eq!(first.sources, one_by_one.sources);
        assert_eq!(
            (first.records, first.malformed_records, first.lines),
            (6, 3, 9)
        );
        assert_eq!(first.report_faults(), one_by_one.report_faults());
        assert_eq!(
            first.profile.to_statistics(),
            one_by_one.profile.to_statistics()
        );
        assert_eq!(first.min_inference_time_ms, Some(10));
    }

    #[test]
    fn examples_are_capped_in_all_and_per_kind() {
        let mut into = Faults::default();
        let mut other = Faults::default();
        for i in 0..50 {
            let kind = if i < 25 { "a" } else { "b" };
            other
                .examples
                .push(object_fault_example("s", kind, &i.to_string()));
        }
        let policy = ExamplePolicy {
            total: 5,
            per_kind: 3,
        };
        merge_faults(&mut into, &other, 0, policy);
        merge_faults(&mut into, &other, 0, policy);
        let kinds: Vec<&str> = into.examples.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["a", "a", "a", "b", "b"]);
        let mut many = Faults::default();
        for _ in 0..10 {
            merge_faults(&mut many, &other, 0, ExamplePolicy::default());
        }
        assert_eq!(many.examples.len(), 6, "3 per kind by default");
    }

    #[test]
    fn parts_get_file_relative_lines() {
        let bad = "not json\n";
        let good = r#"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1","encoding":"CSV"}},"eventMetadata":{"eventId":"e","inferenceTime":"2024-01-01T00:00:00Z"},"eventVersion":"0"}"#;
        let part1 = format!("{good}\n{good}\n{bad}");
        let part2 = format!("{good}\n{bad}");
        let opts = CaptureOptions::default();
        let parts = vec![
            profile_reader(part1.as_bytes(), "f", &opts).unwrap(),
            profile_reader(part2.as_bytes(), "f", &opts).unwrap(),
        ];
        let p = PartialProfile::from_parts("f", parts, ExamplePolicy::default()).unwrap();
        let lines: Vec<u64> = p.faults.examples.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 5]);
        assert_eq!((p.records, p.malformed_records, p.lines), (3, 2, 5));
        assert_eq!(p.faults.counts["malformed_json"], 2);
        assert!(PartialProfile::from_parts("f", vec![], ExamplePolicy::default()).is_none());
    }

    #[test]
    fn window_state_merges_each_partial_once() {
        let mut st = WindowState::new(ExamplePolicy::default());
        let a = partial("s3://b/a.jsonl", &[1.0, 2.0], 0);
        assert!(st.add("p/a.json", &a));
        assert!(!st.add("p/a.json", &a), "a retry changes nothing");
        let listed = vec!["p/c.json".to_string(), "p/a.json".into(), "p/b.json".into()];
        assert_eq!(st.missing(&listed), ["p/b.json", "p/c.json"]);
        assert!(st.add_unreadable("p/b.json", "bad"));
        assert_eq!(st.window.records, 2);
        let json = serde_json::to_vec(&st).unwrap();
        let back = WindowState::from_json(&json, ExamplePolicy::default()).unwrap();
        assert_eq!(back, st);
        assert_eq!(back.missing(&listed), ["p/c.json"]);
    }

    #[test]
    fn unreadable_partials_become_faults() {
        let mut w = Window::default();
        w.add(&PartialProfile::unreadable(
            "s3://b/k",
            "object_not_found",
            "gone",
        ));
        w.add_unreadable("profiles/x.json", "bad json");
        let f = w.report_faults();
        assert_eq!(f.counts["object_not_found"], 1);
        assert_eq!(f.counts[UNREADABLE_PROFILE], 1);
        assert_eq!(f.examples.len(), 2);
    }

    #[test]
    fn naming_rule() {
        let named = |names: &[&str]| {
            let mut p = DatasetProfile::new();
            for n in names {
                let c = p.column_index(n);
                p.update(c, Cell::Float(1.0));
            }
            p.add_records(1);
            p.to_statistics()
        };
        let mut o = CaptureOptions::default();
        apply_naming(&mut o, ColumnNaming::Auto, Some(&named(&["_c0", "_c1"])));
        assert_eq!(o.columns, None, "positional baselines impose nothing");
        apply_naming(&mut o, ColumnNaming::Auto, Some(&named(&["a.b", "c"])));
        let cols = o.columns.clone().unwrap();
        assert_eq!(cols[0].name, "a.b");
        assert_eq!(o.columns_apply, ColumnsApply::CsvPayloads);
        apply_naming(&mut o, ColumnNaming::Baseline, Some(&named(&["_c0"])));
        assert_eq!(o.columns_apply, ColumnsApply::Always);
        assert!(o.columns.is_some());
        apply_naming(&mut o, ColumnNaming::Capture, Some(&named(&["a"])));
        assert_eq!(o.columns, None);
        apply_naming(&mut o, ColumnNaming::Baseline, None);
        assert_eq!(o.columns, None);
    }
}
