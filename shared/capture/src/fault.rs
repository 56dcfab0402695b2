//! Bad-input accounting: fault kinds with stable snake_case names, counts and a few examples.

use driftline_stats::summary::{FaultExample, Faults};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What was wrong with a piece of input. [`FaultKind::as_str`] gives the stable snake_case name
/// used in `summary.json` (`faults.counts`) and in metrics; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// The input (file or object) had no bytes at all, or only blank lines.
    EmptyFile,
    /// A line longer than `max_line_bytes`; skipped up to the next newline without buffering.
    LineTooLong,
    /// A line (or a decoded BASE64 payload) that is not valid UTF-8 text.
    InvalidUtf8,
    /// A line that looks like binary data (NUL bytes or mostly control characters).
    BinaryData,
    /// A line that is not valid JSON (including a record truncated mid-line).
    MalformedJson,
    /// Valid JSON, but neither a capture record (`captureData`), a ground-truth record
    /// (`groundTruthData`) nor a batch-transform output (`SageMakerOutput`).
    UnrecognisedRecord,
    /// A capture record without any usable `endpointInput` / `endpointOutput` / `data`.
    MissingData,
    /// An `encoding` other than `CSV`, `JSON` or `BASE64`.
    UnsupportedEncoding,
    /// A `BASE64` payload that does not decode.
    BadBase64,
    /// A payload whose `observedContentType` is neither CSV nor JSON (after BASE64 decoding).
    UnsupportedContentType,
    /// A JSON payload (the text inside `data`) that does not parse, or a CSV payload with an
    /// unterminated quote.
    MalformedPayload,
    /// Input and output payloads with different numbers of rows / instances.
    RowCountMismatch,
    /// A row whose number of columns differs from the first record's or from the supplied names.
    ColumnCount,
    /// A record that would bring the number of columns over `max_columns`.
    TooManyColumns,
    /// Non-numeric text in a column that the supplied column specs declare numeric. Counted per
    /// cell; the record is still profiled (the cell goes to the profile as it is).
    NonNumeric,
    /// A gzip stream that ends before its trailer.
    TruncatedGzip,
    /// A gzip stream with corrupt data.
    CorruptGzip,
}

impl FaultKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FaultKind; 17] = [
        FaultKind::EmptyFile,
        FaultKind::LineTooLong,
        FaultKind::InvalidUtf8,
        FaultKind::BinaryData,
        FaultKind::MalformedJson,
        FaultKind::UnrecognisedRecord,
        FaultKind::MissingData,
        FaultKind::UnsupportedEncoding,
        FaultKind::BadBase64,
        FaultKind::UnsupportedContentType,
        FaultKind::MalformedPayload,
        FaultKind::RowCountMismatch,
        FaultKind::ColumnCount,
        FaultKind::TooManyColumns,
        FaultKind::NonNumeric,
        FaultKind::TruncatedGzip,
        FaultKind::CorruptGzip,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::EmptyFile => "empty_file",
            FaultKind::LineTooLong => "line_too_long",
            FaultKind::InvalidUtf8 => "invalid_utf8",
            FaultKind::BinaryData => "binary_data",
            FaultKind::MalformedJson => "malformed_json",
            FaultKind::UnrecognisedRecord => "unrecognised_record",
            FaultKind::MissingData => "missing_data",
            FaultKind::UnsupportedEncoding => "unsupported_encoding",
            FaultKind::BadBase64 => "bad_base64",
            FaultKind::UnsupportedContentType => "unsupported_content_type",
            FaultKind::MalformedPayload => "malformed_payload",
            FaultKind::RowCountMismatch => "row_count_mismatch",
            FaultKind::ColumnCount => "column_count",
            FaultKind::TooManyColumns => "too_many_columns",
            FaultKind::NonNumeric => "non_numeric",
            FaultKind::TruncatedGzip => "truncated_gzip",
            FaultKind::CorruptGzip => "corrupt_gzip",
        }
    }

    /// True for kinds that make a whole line unusable (counted in `malformed_records`).
    /// [`FaultKind::NonNumeric`] (a cell) and the file-level kinds are not line faults.
    pub fn is_line_fault(self) -> bool {
        !matches!(
            self,
            FaultKind::NonNumeric
                | FaultKind::EmptyFile
                | FaultKind::TruncatedGzip
                | FaultKind::CorruptGzip
        )
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The kind with this snake_case name.
    pub fn from_name(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counts of faults by kind plus a few examples (source, 1-based line, reason).
///
/// Converts into [`driftline_stats::summary::Faults`]; several reports merge (a window of files).
/// Serialises as `{counts: {kind: n}, examples, non_numeric_by_column, max_examples_per_kind,
/// max_examples}` (kinds by name; unknown kinds from a newer writer are ignored on reading).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "StoredFaultReport", from = "StoredFaultReport")]
pub struct FaultReport {
    counts: [u64; FaultKind::ALL.len()],
    examples: Vec<FaultExample>,
    max_examples_per_kind: usize,
    max_examples: usize,
    non_numeric_by_column: BTreeMap<String, u64>,
}

impl Default for FaultReport {
    fn default() -> Self {
        Self::new(3, 20)
    }
}

impl FaultReport {
    /// An empty report keeping at most `per_kind` examples of each kind and `total` overall.
    pub fn new(per_kind: usize, total: usize) -> Self {
        FaultReport {
            counts: [0; FaultKind::ALL.len()],
            examples: Vec::new(),
            max_examples_per_kind: per_kind,
            max_examples: total,
            non_numeric_by_column: BTreeMap::new(),
        }
    }

    /// Counts one fault; `reason` is only evaluated when the example is kept.
    pub fn record(
        &mut self,
        kind: FaultKind,
        source: &str,
        line: u64,
        reason: impl FnOnce() -> String,
    ) {
        let c = &mut self.counts[kind.index()];
        *c += 1;
        if *c as usize <= self.max_examples_per_kind && self.examples.len() < self.max_examples {
            self.examples.push(FaultExample {
                source: source.to_string(),
                line,
                kind: kind.as_str().to_string(),
                reason: reason(),
            });
        }
    }

    /// Counts non-numeric text in the numeric column `column` (also a [`FaultKind::NonNumeric`]).
    pub fn record_non_numeric(&mut self, column: &str, source: &str, line: u64, value: &str) {
        match self.non_numeric_by_column.get_mut(column) {
            Some(n) => *n += 1,
            None => {
                self.non_numeric_by_column.insert(column.to_string(), 1);
            }
        }
        self.record(FaultKind::NonNumeric, source, line, || {
            format!(
                "column {column}: non-numeric value {:?} in a numeric column",
                truncate(value, 40)
            )
        });
    }

    /// Count of one kind.
    pub fn count(&self, kind: FaultKind) -> u64 {
        self.counts[kind.index()]
    }

    /// Total of all kinds.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Total of the kinds that made a line unusable ([`FaultKind::is_line_fault`]).
    pub fn line_faults(&self) -> u64 {
        FaultKind::ALL
            .iter()
            .filter(|k| k.is_line_fault())
            .map(|k| self.count(*k))
            .sum()
    }

    /// Non-zero counts by kind.
    pub fn counts(&self) -> impl Iterator<Item = (FaultKind, u64)> + '_ {
        FaultKind::ALL
            .iter()
            .map(|k| (*k, self.count(*k)))
            .filter(|(_, n)| *n > 0)
    }

    /// The examples kept.
    pub fn examples(&self) -> &[FaultExample] {
        &self.examples
    }

    /// Non-numeric cells per numeric column (see [`FaultKind::NonNumeric`]).
    pub fn non_numeric_by_column(&self) -> &BTreeMap<String, u64> {
        &self.non_numeric_by_column
    }

    /// Adds another report's counts and examples (within this report's example limits).
    pub fn merge(&mut self, other: &FaultReport) {
        let mut kept = [0usize; FaultKind::ALL.len()];
        for e in &self.examples {
            if let Some(k) = FaultKind::ALL.iter().find(|k| k.as_str() == e.kind) {
                kept[k.index()] += 1;
            }
        }
        for e in &other.examples {
            if self.examples.len() >= self.max_examples {
                break;
            }
            if let Some(k) = FaultKind::ALL.iter().find(|k| k.as_str() == e.kind) {
                if kept[k.index()] < self.max_examples_per_kind {
                    kept[k.index()] += 1;
                    self.examples.push(e.clone());
                }
            }
        }
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
        for (col, n) in &other.non_numeric_by_column {
            *self.non_numeric_by_column.entry(col.clone()).or_insert(0) += n;
        }
    }

    /// The `summary.json` form.
    pub fn to_faults(&self) -> Faults {
        Faults {
            counts: self
                .counts()
                .map(|(k, n)| (k.as_str().to_string(), n))
                .collect(),
            examples: self.examples.clone(),
        }
    }
}

/// The serialised form of a [`FaultReport`].
#[derive(Serialize, Deserialize)]
struct StoredFaultReport {
    #[serde(default)]
    counts: BTreeMap<String, u64>,
    #[serde(default)]
    examples: Vec<FaultExample>,
    #[serde(default)]
    non_numeric_by_column: BTreeMap<String, u64>,
    #[serde(default = "default_per_kind")]
    max_examples_per_kind: usize,
    #[serde(default = "default_total")]
    max_examples: usize,
}

fn default_per_kind() -> usize {
    3
}

fn default_total() -> usize {
    20
}

impl From<FaultReport> for StoredFaultReport {
    fn from(r: FaultReport) -> Self {
        StoredFaultReport {
            counts: r
                .counts()
                .map(|(k, n)| (k.as_str().to_string(), n))
                .collect(),
            examples: r.examples,
            non_numeric_by_column: r.non_numeric_by_column,
            max_examples_per_kind: r.max_examples_per_kind,
            max_examples: r.max_examples,
        }
    }
}

impl From<StoredFaultReport> for FaultReport {
    fn from(s: StoredFaultReport) -> Self {
        let mut r = FaultReport::new(s.max_examples_per_kind, s.max_examples);
        for (name, n) in s.counts {
            if let Some(k) = FaultKind::from_name(&name) {
                r.counts[k.index()] += n;
            }
        }
        r.examples = s.examples;
        r.non_numeric_by_column = s.non_numeric_by_column;
        r
    }
}

impl From<&FaultReport> for Faults {
    fn from(r: &FaultReport) -> Faults {
        r.to_faults()
    }
}

impl From<FaultReport> for Faults {
    fn from(r: FaultReport) -> Faults {
        r.to_faults()
    }
}

/// At most `max` characters of `s` (with `…` when cut).
pub(crate) fn truncate(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}
