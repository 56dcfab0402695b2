//! Reader configuration.

use crate::error::CaptureError;
use driftline_stats::formats::statistics::{InferredType, Statistics};

/// Where the output (prediction) columns go relative to the input columns: Model Monitor's
/// `output_columns_position` (default [`ColumnsPosition::Start`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnsPosition {
    /// Output columns first, then input columns (Model Monitor's default).
    #[default]
    Start,
    /// Input columns first, then output columns.
    End,
}

impl std::str::FromStr for ColumnsPosition {
    type Err = CaptureError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "START" => Ok(ColumnsPosition::Start),
            "END" => Ok(ColumnsPosition::End),
            _ => Err(CaptureError::Options(format!(
                "output columns position must be START or END, not {s:?}"
            ))),
        }
    }
}

/// Which sides of a real-time endpoint's capture record are analysed: Model Monitor's
/// `dataset_format.sagemakerCaptureJson.captureIndexNames` (`endpointInput`,
/// `endpointOutput`; both by default).
///
/// A baseline built from the training features alone is the usual case; against captures that
/// also carry the endpoint's output it needs [`CaptureIndex::INPUT`], else every row has one
/// column too many. A side that is not analysed is still decoded when the sink asks for it
/// ([`crate::RowSink::wants_output`]): the predictions are recorded from the output whatever is
/// analysed. Batch-transform records are not affected (they have no such sides).
///
/// ```
/// use driftline_capture::CaptureIndex;
/// let i: CaptureIndex = "endpointInput".parse().unwrap();
/// assert_eq!(i, CaptureIndex::INPUT);
/// assert_eq!(CaptureIndex::default().to_string(), "endpointInput,endpointOutput");
/// assert!("endpointInput,features".parse::<CaptureIndex>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureIndex {
    /// `endpointInput` is analysed.
    pub input: bool,
    /// `endpointOutput` is analysed.
    pub output: bool,
}

impl CaptureIndex {
    /// Both sides (Model Monitor's default).
    pub const BOTH: CaptureIndex = CaptureIndex {
        input: true,
        output: true,
    };
    /// `endpointInput` only (a features-only baseline).
    pub const INPUT: CaptureIndex = CaptureIndex {
        input: true,
        output: false,
    };
    /// `endpointOutput` only (a baseline of the predictions).
    pub const OUTPUT: CaptureIndex = CaptureIndex {
        input: false,
        output: true,
    };
}

impl Default for CaptureIndex {
    fn default() -> Self {
        CaptureIndex::BOTH
    }
}

impl std::fmt::Display for CaptureIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.input, self.output) {
            (true, true) => f.write_str("endpointInput,endpointOutput"),
            (true, false) => f.write_str("endpointInput"),
            (false, true) => f.write_str("endpointOutput"),
            (false, false) => f.write_str(""),
        }
    }
}

impl std::str::FromStr for CaptureIndex {
    type Err = CaptureError;
    /// A comma list of `endpointInput` and `endpointOutput` (case and spaces ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut idx = CaptureIndex {
            input: false,
            output: false,
        };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("endpointInput") {
                idx.input = true;
            } else if part.eq_ignore_ascii_case("endpointOutput") {
                idx.output = true;
            } else {
                return Err(CaptureError::Options(format!(
                    "capture index {part:?} is not endpointInput or endpointOutput"
                )));
            }
        }
        if !idx.input && !idx.output {
            return Err(CaptureError::Options(
                "the capture index names nothing: give endpointInput, endpointOutput or both"
                    .into(),
            ));
        }
        Ok(idx)
    }
}

/// Which records the supplied [`CaptureOptions::columns`] name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnsApply {
    /// Every record: the names apply by position whatever the payload.
    #[default]
    Always,
    /// Only sources whose first endpoint record carries a CSV payload (the input side, or the
    /// output when there is no input): positional payloads take the names, keyed JSON keeps its
    /// dotted paths. Decided once per source, on its first record that decodes.
    CsvPayloads,
}

/// What a supplied column is expected to hold (from a baseline's `inferred_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpectedKind {
    /// `Integral` or `Fractional` in the baseline: non-numeric text is a
    /// [`FaultKind::NonNumeric`](crate::FaultKind::NonNumeric) fault.
    Numeric,
    /// `String` or `Unknown`: anything goes.
    #[default]
    Any,
}

/// A column name supplied by the caller (e.g. a baseline's feature list, in column order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Feature name.
    pub name: String,
    /// Expected kind of value.
    pub kind: ExpectedKind,
}

impl ColumnSpec {
    /// A column that accepts any value.
    pub fn any(name: impl Into<String>) -> Self {
        ColumnSpec {
            name: name.into(),
            kind: ExpectedKind::Any,
        }
    }

    /// A numeric column.
    pub fn numeric(name: impl Into<String>) -> Self {
        ColumnSpec {
            name: name.into(),
            kind: ExpectedKind::Numeric,
        }
    }

    /// The columns of a baseline `statistics.json`, in its column order: `Integral` and
    /// `Fractional` features are numeric, `String` and `Unknown` accept anything.
    pub fn from_statistics(stats: &Statistics) -> Vec<ColumnSpec> {
        stats
            .features
            .iter()
            .map(|f| ColumnSpec {
                name: f.name.clone(),
                kind: match f.inferred_type {
                    InferredType::Integral | InferredType::Fractional => ExpectedKind::Numeric,
                    InferredType::String | InferredType::Unknown => ExpectedKind::Any,
                },
            })
            .collect()
    }
}

/// Options of the capture reader. `Default` gives the runtime contract's defaults
/// (1 MiB lines, 5,000,000 records, output columns at START, shadow traffic skipped) and at most
/// 2048 columns.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureOptions {
    /// Longer lines are skipped (to the next newline, without buffering) and counted as
    /// [`FaultKind::LineTooLong`](crate::FaultKind::LineTooLong).
    pub max_line_bytes: usize,
    /// Rows beyond this many are counted ([`CaptureStats::over_limit_lines`](crate::CaptureStats))
    /// but not parsed or profiled.
    pub max_records: u64,
    /// Output columns before (START) or after (END) the input columns.
    pub output_columns_position: ColumnsPosition,
    /// Column names (and expected kinds) in column order, e.g. from the baseline. When set,
    /// every row must have exactly this many columns (else [`FaultKind::ColumnCount`](crate::FaultKind::ColumnCount)).
    /// When `None`, CSV columns are named `_c0`, `_c1`, … and JSON leaves by their dotted path.
    pub columns: Option<Vec<ColumnSpec>>,
    /// Which records `columns` names (see [`ColumnsApply`]).
    pub columns_apply: ColumnsApply,
    /// Most columns a source may have (bounds the profile's memory when JSON keys vary);
    /// records that would add more are [`FaultKind::TooManyColumns`](crate::FaultKind::TooManyColumns).
    pub max_columns: usize,
    /// Skip records whose `eventMetadata.invocationSource` is `ShadowExperiment` (counted).
    pub skip_shadow: bool,
    /// Which sides of an endpoint record are analysed (see [`CaptureIndex`]).
    pub capture_index: CaptureIndex,
    /// Examples kept per fault kind.
    pub max_examples_per_kind: usize,
    /// Examples kept in all.
    pub max_examples: usize,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            max_line_bytes: 1_048_576,
            max_records: 5_000_000,
            output_columns_position: ColumnsPosition::Start,
            columns: None,
            columns_apply: ColumnsApply::Always,
            max_columns: 2048,
            skip_shadow: true,
            capture_index: CaptureIndex::BOTH,
            max_examples_per_kind: 3,
            max_examples: 20,
        }
    }
}

impl CaptureOptions {
    /// Checks the options (a zero line limit is refused).
    pub fn validate(&self) -> Result<(), CaptureError> {
        if self.max_line_bytes == 0 {
            return Err(CaptureError::Options(
                "max_line_bytes must be at least 1".into(),
            ));
        }
        if let Some(cols) = &self.columns {
            let mut seen = std::collections::HashSet::new();
            for c in cols {
                if !seen.insert(c.name.as_str()) {
                    return Err(CaptureError::Options(format!(
                        "column name {:?} is supplied twice",
                        c.name
                    )));
                }
            }
        }
        Ok(())
    }
}
