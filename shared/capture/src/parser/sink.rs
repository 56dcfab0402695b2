//! What the parser hands out: rows to a [`RowSink`], with each record's metadata, and
//! each line's outcome.

use super::*;

/// Which kind of record a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A real-time endpoint's Data Capture record (`captureData.endpointInput/endpointOutput`).
    Endpoint,
    /// A batch-transform output line (`SageMakerOutput` + input keys) or a merged record's
    /// `captureData.batchTransformOutput`.
    BatchTransform,
}

/// Per-record metadata handed to the sink with every row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventMeta<'a> {
    /// Name of the file or object.
    pub source: &'a str,
    /// 1-based line number.
    pub line: u64,
    /// 0-based row within the record's payload (CSV row / JSON instance).
    pub row: u32,
    /// Endpoint capture or batch transform.
    pub kind: RecordKind,
    /// `eventMetadata.eventId`.
    pub event_id: Option<&'a str>,
    /// `eventMetadata.inferenceId` (or the batch `SageMakerInferenceId`): the ground-truth join key.
    pub inference_id: Option<&'a str>,
    /// `eventMetadata.inferenceTime` (or `SageMakerInferenceTime`) as written.
    pub inference_time: Option<&'a str>,
    /// The inference time in milliseconds since the Unix epoch, when it is RFC 3339.
    pub inference_time_ms: Option<i64>,
}

/// Receives the parsed rows. `cells.len() == schema.len()`; `cells[i]` is column
/// `schema.names()[i]`. Called once per row (a record with several CSV rows or JSON instances
/// gives several calls with the same `meta.line`).
pub trait RowSink {
    /// One row.
    fn row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]);

    /// Does the sink want the endpoint's output when it is not analysed (capture index
    /// `endpointInput` alone)? Then each record's output rows go to [`RowSink::output_row`].
    fn wants_output(&self) -> bool {
        false
    }

    /// One row of the endpoint's output when the output is not analysed: `schema` is the
    /// output's own (`_c0`, `_c1`, … for CSV, dotted paths for JSON). Called before the record's
    /// analysed rows, only when [`RowSink::wants_output`] says so; an output that does not decode
    /// gives no call (and no fault: it is not analysed).
    fn output_row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]) {
        let _ = (meta, schema, cells);
    }
}

/// Hands a held-out side's rows to [`RowSink::output_row`] of the wrapped sink.
pub(super) struct OutputRows<'s, S: ?Sized>(pub(super) &'s mut S);

impl<S: RowSink + ?Sized> RowSink for OutputRows<'_, S> {
    fn row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]) {
        self.0.output_row(meta, schema, cells);
    }
}

impl<F> RowSink for F
where
    F: FnMut(&EventMeta<'_>, &Schema, &[Cell<'_>]),
{
    fn row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]) {
        self(meta, schema, cells)
    }
}

/// A sink that only counts rows (for benchmarks and fault-only scans).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CountingSink {
    /// Rows received.
    pub rows: u64,
    /// Cells received.
    pub cells: u64,
}

impl RowSink for CountingSink {
    fn row(&mut self, _: &EventMeta<'_>, _: &Schema, cells: &[Cell<'_>]) {
        self.rows += 1;
        self.cells += cells.len() as u64;
    }
}

/// Why a line was skipped without being a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// Empty or whitespace-only line.
    Blank,
    /// `eventMetadata.invocationSource == "ShadowExperiment"` (shadow-variant traffic).
    Shadow,
    /// The record limit (`max_records`) was reached before this line.
    OverRecordLimit,
}

/// What became of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOutcome {
    /// Parsed; this many rows went to the sink.
    Valid {
        /// Rows emitted.
        rows: u32,
    },
    /// Counted as a fault of this kind; nothing went to the sink.
    Malformed(FaultKind),
    /// Skipped, not a fault.
    Skipped(SkipReason),
}
