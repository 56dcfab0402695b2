//! The capture line parser: envelope, encodings, payload rows, column layout, faults.

use crate::csvsplit::{self, CsvRows, Span};
use crate::envelope::{Envelope, PayloadRaw};
use crate::error::CaptureError;
use crate::fault::{truncate, FaultKind, FaultReport};
use crate::jtree::{self, JNode};
use crate::lines::{LineAssembler, LineEvent};
use crate::options::{CaptureOptions, ColumnsApply, ColumnsPosition, ExpectedKind};
use crate::schema::{positional_name, Schema};
use base64::Engine;
use driftline_stats::profile::Cell;
use std::io::{BufRead, Read};

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

/// Line and record counts of one read. Always `lines == valid_lines + malformed_lines +
/// skipped_lines()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CaptureStats {
    /// Lines seen (a last line without `\n` counts; an over-long line counts once).
    pub lines: u64,
    /// Lines that produced rows.
    pub valid_lines: u64,
    /// Lines counted as faults (see [`FaultKind::is_line_fault`]).
    pub malformed_lines: u64,
    /// Blank lines.
    pub blank_lines: u64,
    /// Shadow-traffic lines skipped.
    pub shadow_lines: u64,
    /// Lines after the record limit, counted but not parsed.
    pub over_limit_lines: u64,
    /// Rows handed to the sink (one line may hold several).
    pub rows: u64,
    /// Bytes of input seen (after decompression).
    pub bytes: u64,
    /// Earliest inference time seen (ms since the epoch).
    pub min_inference_time_ms: Option<i64>,
    /// Latest inference time seen (ms since the epoch).
    pub max_inference_time_ms: Option<i64>,
}

impl CaptureStats {
    /// Lines skipped without a fault.
    pub fn skipped_lines(&self) -> u64 {
        self.blank_lines + self.shadow_lines + self.over_limit_lines
    }

    /// Adds another read's counts (a window of files).
    pub fn merge(&mut self, o: &CaptureStats) {
        self.lines += o.lines;
        self.valid_lines += o.valid_lines;
        self.malformed_lines += o.malformed_lines;
        self.blank_lines += o.blank_lines;
        self.shadow_lines += o.shadow_lines;
        self.over_limit_lines += o.over_limit_lines;
        self.rows += o.rows;
        self.bytes += o.bytes;
        self.min_inference_time_ms = min_opt(self.min_inference_time_ms, o.min_inference_time_ms);
        self.max_inference_time_ms = max_opt(self.max_inference_time_ms, o.max_inference_time_ms);
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Consecutive template misses after which the next line that the strict scanner parses
/// becomes the template (lines of two alternating shapes keep the first one).
const RELEARN_AFTER_MISSES: u32 = 4;

/// Payload format after decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Json,
}

/// A fault found while handling a line: kind and reason.
pub(crate) type Fault = (FaultKind, String);

/// Column mapping of a CSV-only layout with given output / input widths.
#[derive(Debug)]
struct CsvLayout {
    out_w: usize,
    in_w: usize,
    /// Combined position → schema index.
    map: Vec<usize>,
    /// `map[i] == i` and covers the whole schema (cells can be pushed in order).
    identity: bool,
}

/// Mutable state shared by all lines except the scratch buffers.
#[derive(Debug)]
struct Core {
    opts: CaptureOptions,
    source: String,
    line_no: u64,
    schema: Schema,
    /// Supplied names fix the width.
    fixed_width: Option<usize>,
    numeric: Vec<bool>,
    /// Width of the first CSV-only record (checked against later ones).
    csv_width: Option<usize>,
    csv_layout: Option<CsvLayout>,
    json_names: Vec<String>,
    json_map: Vec<usize>,
    report: FaultReport,
    stats: CaptureStats,
    time_cache: String,
    time_cache_ms: Option<i64>,
    fast_path: bool,
    /// The learned line shape of the fast path (see [`crate::fastenv::Template`]).
    template: Option<crate::fastenv::Template>,
    /// Lines in a row that did not match the template (it is learned again after a few).
    template_misses: u32,
    /// The supplied names still wait for the first record to decide whether they apply
    /// ([`ColumnsApply::CsvPayloads`]).
    names_pending: bool,
}

/// Reusable buffers (kept between lines so the hot path does not allocate).
#[derive(Debug, Default)]
struct Scratch {
    b64_in: Vec<u8>,
    b64_out: Vec<u8>,
    csv_in: CsvRows,
    csv_out: CsvRows,
    cells: Vec<Cell<'static>>,
}

/// Reuses a vector's allocation for a different lifetime (in-place collect of an empty vector).
fn recycle<'a, 'b>(mut v: Vec<Cell<'a>>) -> Vec<Cell<'b>> {
    v.clear();
    v.into_iter().map(|_| Cell::Missing).collect()
}

/// Streaming parser of one capture source (file or object). Feed it with [`CaptureParser::read`]
/// (a `BufRead`), [`CaptureParser::read_input`] (any `Read`, gzip detected), chunk by chunk with
/// [`CaptureParser::feed`] + [`CaptureParser::finish`], or line by line with
/// [`CaptureParser::parse_line`] + [`CaptureParser::finish`]. Bad input is counted, never fatal.
#[derive(Debug)]
pub struct CaptureParser {
    core: Core,
    scratch: Scratch,
    assembler: LineAssembler,
    finished: bool,
}

impl CaptureParser {
    /// A parser for the source named `source_name` (used in fault examples).
    pub fn new(source_name: &str, opts: &CaptureOptions) -> Result<Self, CaptureError> {
        opts.validate()?;
        let (schema, fixed_width, numeric) = match &opts.columns {
            Some(cols) => (
                Schema::with_names(cols.iter().map(|c| c.name.clone())),
                Some(cols.len()),
                cols.iter()
                    .map(|c| c.kind == ExpectedKind::Numeric)
                    .collect(),
            ),
            None => (Schema::default(), None, Vec::new()),
        };
        Ok(CaptureParser {
            core: Core {
                opts: opts.clone(),
                source: source_name.to_string(),
                line_no: 0,
                schema,
                fixed_width,
                numeric,
                csv_width: None,
                csv_layout: None,
                json_names: Vec::new(),
                json_map: Vec::new(),
                report: FaultReport::new(opts.max_examples_per_kind, opts.max_examples),
                stats: CaptureStats::default(),
                time_cache: String::new(),
                time_cache_ms: None,
                fast_path: true,
                template: None,
                template_misses: 0,
                names_pending: opts.columns.is_some()
                    && opts.columns_apply == ColumnsApply::CsvPayloads,
            },
            scratch: Scratch::default(),
            assembler: LineAssembler::new(opts.max_line_bytes),
            finished: false,
        })
    }

    /// Parses one line (without its `\n`; a trailing `\r` is ignored). Lines over
    /// `max_line_bytes` are counted as [`FaultKind::LineTooLong`].
    pub fn parse_line<S: RowSink + ?Sized>(&mut self, line: &[u8], sink: &mut S) -> LineOutcome {
        self.core.stats.bytes += line.len() as u64 + 1;
        if line.len() > self.core.opts.max_line_bytes {
            return self.core.too_long(line.len() as u64);
        }
        self.core.line(&mut self.scratch, line, sink)
    }

    /// Feeds a chunk of a byte stream (lines may span chunks). Call [`CaptureParser::finish`]
    /// at the end.
    pub fn feed<S: RowSink + ?Sized>(&mut self, chunk: &[u8], sink: &mut S) {
        let CaptureParser {
            core,
            scratch,
            assembler,
            ..
        } = self;
        core.stats.bytes += chunk.len() as u64;
        assembler.feed(chunk, |ev| {
            core.event(scratch, ev, sink);
        });
    }

    /// Ends the source: parses a last line without `\n` and records [`FaultKind::EmptyFile`]
    /// when the source held no record at all. Idempotent.
    pub fn finish<S: RowSink + ?Sized>(&mut self, sink: &mut S) {
        if self.finished {
            return;
        }
        self.finished = true;
        let CaptureParser {
            core,
            scratch,
            assembler,
            ..
        } = self;
        assembler.finish(|ev| {
            core.event(scratch, ev, sink);
        });
        let s = &core.stats;
        if s.lines == s.blank_lines {
            let (src, bytes) = (core.source.clone(), s.bytes);
            core.report.record(FaultKind::EmptyFile, &src, 0, || {
                if bytes == 0 {
                    "the input is empty".to_string()
                } else {
                    "the input holds only blank lines".to_string()
                }
            });
        }
    }

    /// Reads a whole `BufRead` (plain text; see [`CaptureParser::read_input`] for gzip), then
    /// [`CaptureParser::finish`]es. An I/O error of the reader ends the read with an error
    /// (after counting what was read); the caller decides whether to retry.
    pub fn read<R: BufRead + ?Sized, S: RowSink + ?Sized>(
        &mut self,
        reader: &mut R,
        sink: &mut S,
    ) -> Result<(), CaptureError> {
        loop {
            let n = match reader.fill_buf() {
                Ok([]) => break,
                Ok(buf) => {
                    self.feed(buf, sink);
                    buf.len()
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.finish(sink);
                    return Err(CaptureError::Read {
                        source_name: self.core.source.clone(),
                        line: self.core.line_no,
                        error: e,
                    });
                }
            };
            reader.consume(n);
        }
        self.finish(sink);
        Ok(())
    }

    /// Reads any `Read` (buffered here); see [`CaptureParser::read_auto`].
    pub fn read_input<R: Read, S: RowSink + ?Sized>(
        &mut self,
        reader: R,
        sink: &mut S,
    ) -> Result<(), CaptureError> {
        let mut br = std::io::BufReader::with_capacity(256 * 1024, reader);
        self.read_auto(&mut br, sink)
    }

    /// Reads a `BufRead`, plain or gzip (magic bytes `1f 8b`, decompressed on the fly, several
    /// members allowed), then [`CaptureParser::finish`]es. A truncated or corrupt gzip stream is
    /// a fault ([`FaultKind::TruncatedGzip`], [`FaultKind::CorruptGzip`]), not an error: what was
    /// decoded before it is kept. Other I/O errors end the read with an error.
    pub fn read_auto<R: BufRead, S: RowSink + ?Sized>(
        &mut self,
        reader: &mut R,
        sink: &mut S,
    ) -> Result<(), CaptureError> {
        let is_gzip = loop {
            match reader.fill_buf() {
                Ok(b) => break b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(CaptureError::Read {
                        source_name: self.core.source.clone(),
                        line: 0,
                        error: e,
                    })
                }
            }
        };
        if !is_gzip {
            return self.read(reader, sink);
        }
        let gz = flate2::bufread::MultiGzDecoder::new(reader);
        let mut gzr = std::io::BufReader::with_capacity(256 * 1024, gz);
        match self.read(&mut gzr, sink) {
            Ok(()) => Ok(()),
            Err(CaptureError::Read { error, line, .. })
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::UnexpectedEof
                        | std::io::ErrorKind::InvalidInput
                        | std::io::ErrorKind::InvalidData
                ) =>
            {
                let kind = if error.kind() == std::io::ErrorKind::UnexpectedEof {
                    FaultKind::TruncatedGzip
                } else {
                    FaultKind::CorruptGzip
                };
                let src = self.core.source.clone();
                self.core
                    .report
                    .record(kind, &src, line, || format!("gzip stream: {error}"));
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Turns the fast envelope scanner off (serde_json only). For tests that check both paths
    /// agree; results never differ.
    #[doc(hidden)]
    pub fn set_fast_path(&mut self, on: bool) {
        self.core.fast_path = on;
    }

    /// Records a fault that the caller found around the parser (e.g. a broken compressed
    /// stream); `line` is the last line read. Not a line fault.
    pub fn record_fault(&mut self, kind: FaultKind, line: u64, reason: impl FnOnce() -> String) {
        let src = self.core.source.clone();
        self.core.report.record(kind, &src, line, reason);
    }

    /// The fault report so far.
    pub fn faults(&self) -> &FaultReport {
        &self.core.report
    }

    /// Counts so far.
    pub fn stats(&self) -> &CaptureStats {
        &self.core.stats
    }

    /// Columns so far.
    pub fn schema(&self) -> &Schema {
        &self.core.schema
    }

    /// Source name.
    pub fn source(&self) -> &str {
        &self.core.source
    }

    /// Takes the results: schema, stats and fault report.
    pub fn into_parts(self) -> (Schema, CaptureStats, FaultReport) {
        (self.core.schema, self.core.stats, self.core.report)
    }
}

impl Core {
    fn event<S: RowSink + ?Sized>(
        &mut self,
        scratch: &mut Scratch,
        ev: LineEvent<'_>,
        sink: &mut S,
    ) {
        match ev {
            LineEvent::Line(l) => {
                self.line(scratch, l, sink);
            }
            LineEvent::TooLong { len } => {
                self.too_long(len);
            }
        }
    }

    fn too_long(&mut self, len: u64) -> LineOutcome {
        self.line_no += 1;
        self.stats.lines += 1;
        let max = self.opts.max_line_bytes;
        self.fault(FaultKind::LineTooLong, || {
            format!("line of {len} bytes exceeds the limit of {max} bytes")
        })
    }

    fn fault(&mut self, kind: FaultKind, reason: impl FnOnce() -> String) -> LineOutcome {
        self.stats.malformed_lines += 1;
        self.report.record(kind, &self.source, self.line_no, reason);
        LineOutcome::Malformed(kind)
    }

    fn skip(&mut self, r: SkipReason) -> LineOutcome {
        match r {
            SkipReason::Blank => self.stats.blank_lines += 1,
            SkipReason::Shadow => self.stats.shadow_lines += 1,
            SkipReason::OverRecordLimit => self.stats.over_limit_lines += 1,
        }
        LineOutcome::Skipped(r)
    }

    fn line<S: RowSink + ?Sized>(
        &mut self,
        scratch: &mut Scratch,
        line: &[u8],
        sink: &mut S,
    ) -> LineOutcome {
        self.line_no += 1;
        self.stats.lines += 1;
        let mut line = line.strip_suffix(b"\r").unwrap_or(line);
        if self.line_no == 1 {
            // A UTF-8 byte-order mark written by some tools.
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            return self.skip(SkipReason::Blank);
        }
        if self.stats.rows >= self.opts.max_records {
            return self.skip(SkipReason::OverRecordLimit);
        }
        let fast = if self.fast_path {
            self.fast_scan(line)
        } else {
            None
        };
        let env: Envelope<'_> = match fast {
            Some(e) => e,
            None => match serde_json::from_slice(line) {
                Ok(e) => e,
                Err(e) => {
                    let (kind, reason) = classify_bad_line(line, &e);
                    return self.fault(kind, || reason);
                }
            },
        };
        match self.envelope(scratch, line, env, sink) {
            Ok(o) => o,
            Err((kind, reason)) => self.fault(kind, || reason),
        }
    }

    /// The fast path: the learned template first, else the strict scanner (whose result
    /// teaches a new template when the old one keeps missing).
    #[inline]
    fn fast_scan<'l>(&mut self, line: &'l [u8]) -> Option<Envelope<'l>> {
        if let Some(t) = &self.template {
            if let Some(env) = t.scan(line) {
                self.template_misses = 0;
                return Some(env);
            }
            self.template_misses = self.template_misses.saturating_add(1);
        }
        let env = crate::fastenv::scan(line)?;
        if self.template.is_none() || self.template_misses >= RELEARN_AFTER_MISSES {
            self.template = crate::fastenv::Template::learn(line, &env);
            self.template_misses = 0;
        }
        Some(env)
    }

    fn envelope<S: RowSink + ?Sized>(
        &mut self,
        scratch: &mut Scratch,
        line: &[u8],
        env: Envelope<'_>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        let (event_id, mut inference_id, mut inference_time, shadow) = match &env.event_metadata {
            Some(m) => (
                m.event_id.as_deref(),
                m.inference_id.as_deref(),
                m.inference_time.as_deref(),
                m.invocation_source.as_deref() == Some("ShadowExperiment"),
            ),
            None => (None, None, None, false),
        };
        if shadow && self.opts.skip_shadow {
            return Ok(self.skip(SkipReason::Shadow));
        }
        let Scratch {
            b64_in,
            b64_out,
            csv_in,
            csv_out,
            cells,
        } = scratch;

        // Batch-transform output line: {"SageMakerInferenceId", "SageMakerOutput", <inputs>}.
        if env.sm_output.is_some() && env.capture_data.is_none() {
            if inference_id.is_none() {
                inference_id = env.sm_inference_id.as_deref();
            }
            if inference_time.is_none() {
                inference_time = env.sm_inference_time.as_deref();
            }
            let text = std::str::from_utf8(line)
                .map_err(|e| (FaultKind::InvalidUtf8, format!("batch-transform line: {e}")))?;
            let node: JNode<'_> = serde_json::from_str(text)
                .map_err(|e| (FaultKind::MalformedJson, e.to_string()))?;
            let meta = MetaOwned {
                kind: RecordKind::BatchTransform,
                event_id,
                inference_id,
                inference_time,
                ms: self.time_ms(inference_time),
            };
            self.decide_names(false);
            return self.batch_node(&node, &meta, cells, sink);
        }

        let Some(cd) = &env.capture_data else {
            let what = if env.ground_truth.is_some() {
                "a ground-truth record (groundTruthData) in a capture stream".to_string()
            } else {
                "no captureData, groundTruthData or SageMakerOutput".to_string()
            };
            return Err((FaultKind::UnrecognisedRecord, what));
        };

        if let Some(bt) = &cd.batch_transform_output {
            let (fmt, text) = decode(bt, b64_out, "batchTransformOutput")?;
            if fmt != Format::Json {
                return Err((
                    FaultKind::UnsupportedContentType,
                    "batchTransformOutput: only JSON batch outputs are supported".into(),
                ));
            }
            let node: JNode<'_> = serde_json::from_str(text).map_err(|e| {
                (
                    FaultKind::MalformedPayload,
                    format!("batchTransformOutput: {e}"),
                )
            })?;
            let meta = MetaOwned {
                kind: RecordKind::BatchTransform,
                event_id,
                inference_id,
                inference_time,
                ms: self.time_ms(inference_time),
            };
            self.decide_names(false);
            return self.batch_node(&node, &meta, cells, sink);
        }

        let input = match &cd.endpoint_input {
            Some(p) => Some(decode(p, b64_in, "endpointInput")?),
            None => None,
        };
        let output = match &cd.endpoint_output {
            Some(p) => Some(decode(p, b64_out, "endpointOutput")?),
            None => None,
        };
        if input.is_none() && output.is_none() {
            return Err((
                FaultKind::MissingData,
                "captureData has neither endpointInput nor endpointOutput".into(),
            ));
        }
        let meta = MetaOwned {
            kind: RecordKind::Endpoint,
            event_id,
            inference_id,
            inference_time,
            ms: self.time_ms(inference_time),
        };

        if self.names_pending {
            let first = input.or(output).map(|(f, _)| f);
            self.decide_names(first == Some(Format::Csv));
        }
        let all_csv = input.is_none_or(|(f, _)| f == Format::Csv)
            && output.is_none_or(|(f, _)| f == Format::Csv);
        if all_csv {
            return self.csv_record(
                &meta,
                input.map(|(_, t)| t),
                output.map(|(_, t)| t),
                csv_in,
                csv_out,
                cells,
                sink,
            );
        }

        // At least one JSON side: general path.
        let in_side = match input {
            Some((f, t)) => Some(Side::parse(f, t, csv_in, "endpointInput")?),
            None => None,
        };
        let out_side = match output {
            Some((f, t)) => Some(Side::parse(f, t, csv_out, "endpointOutput")?),
            None => None,
        };
        let in_recs = in_side.as_ref().map(|s| s.records());
        let out_recs = out_side.as_ref().map(|s| s.records());
        self.general_rows(&meta, in_recs.as_deref(), out_recs.as_deref(), cells, sink)
    }

    /// Decides, on the source's first decodable record, whether the supplied names apply
    /// ([`ColumnsApply::CsvPayloads`]): they stay when the record's payload is CSV, else they
    /// are dropped and the reader's own names (JSON paths) are used. No row has been emitted
    /// before this point, so dropping them is safe.
    fn decide_names(&mut self, csv_payload: bool) {
        if !self.names_pending {
            return;
        }
        self.names_pending = false;
        if !csv_payload {
            self.schema = Schema::default();
            self.fixed_width = None;
            self.numeric.clear();
            self.csv_layout = None;
        }
    }

    fn time_ms(&mut self, inference_time: Option<&str>) -> Option<i64> {
        match inference_time {
            Some(t) if t == self.time_cache => self.time_cache_ms,
            Some(t) => {
                self.time_cache.clear();
                self.time_cache.push_str(t);
                self.time_cache_ms = parse_time_ms(t);
                self.time_cache_ms
            }
            None => None,
        }
    }

    fn note_time(&mut self, ms: Option<i64>) {
        if ms.is_some() {
            self.stats.min_inference_time_ms = min_opt(self.stats.min_inference_time_ms, ms);
            self.stats.max_inference_time_ms = max_opt(self.stats.max_inference_time_ms, ms);
        }
    }

    /// CSV-only record: the hot path.
    #[allow(clippy::too_many_arguments)]
    fn csv_record<S: RowSink + ?Sized>(
        &mut self,
        meta: &MetaOwned<'_>,
        input: Option<&str>,
        output: Option<&str>,
        csv_in: &mut CsvRows,
        csv_out: &mut CsvRows,
        cells_buf: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        if let Some(o) = self.csv_single_row(meta, input, output, cells_buf, sink) {
            return o;
        }
        let in_p = input.unwrap_or("");
        let out_p = output.unwrap_or("");
        if input.is_some() {
            csvsplit::split(in_p, csv_in).map_err(|_| {
                (
                    FaultKind::MalformedPayload,
                    "endpointInput: unterminated quote in CSV".to_string(),
                )
            })?;
        } else {
            csv_in.clear();
        }
        if output.is_some() {
            csvsplit::split(out_p, csv_out).map_err(|_| {
                (
                    FaultKind::MalformedPayload,
                    "endpointOutput: unterminated quote in CSV".to_string(),
                )
            })?;
        } else {
            csv_out.clear();
        }
        let n = match (input.is_some(), output.is_some()) {
            (true, true) => {
                if csv_in.rows.len() != csv_out.rows.len() {
                    return Err((
                        FaultKind::RowCountMismatch,
                        format!(
                            "endpointInput has {} CSV rows but endpointOutput has {}",
                            csv_in.rows.len(),
                            csv_out.rows.len()
                        ),
                    ));
                }
                csv_in.rows.len()
            }
            (true, false) => csv_in.rows.len(),
            _ => csv_out.rows.len(),
        };
        // Validate every row's width before emitting any.
        for i in 0..n {
            let out_w = if output.is_some() {
                csv_out.width(i)
            } else {
                0
            };
            let in_w = if input.is_some() { csv_in.width(i) } else { 0 };
            self.csv_layout_for(out_w, in_w, i)?;
        }
        let Some(layout) = &self.csv_layout else {
            return Ok(LineOutcome::Valid { rows: 0 });
        };
        let start = self.opts.output_columns_position == ColumnsPosition::Start;
        let width = self.schema.len();
        // JSON records may have added columns since the layout was made.
        let identity = layout.identity && layout.map.len() == width;
        let check_numeric = !self.numeric.is_empty();
        let mut cells: Vec<Cell<'_>> = recycle(std::mem::take(cells_buf));
        let em = meta.as_meta(&self.source, self.line_no);
        for i in 0..n {
            cells.clear();
            if identity {
                let (first, second, fp, sp) = if start {
                    (&*csv_out, &*csv_in, out_p, in_p)
                } else {
                    (&*csv_in, &*csv_out, in_p, out_p)
                };
                let (first_on, second_on) = if start {
                    (output.is_some(), input.is_some())
                } else {
                    (input.is_some(), output.is_some())
                };
                if first_on {
                    push_csv_cells(first, fp, i, &mut cells);
                }
                if second_on {
                    push_csv_cells(second, sp, i, &mut cells);
                }
            } else {
                cells.resize(width, Cell::Missing);
                let mut pos = 0usize;
                let sides: [(bool, &CsvRows, &str); 2] = if start {
                    [
                        (output.is_some(), &*csv_out, out_p),
                        (input.is_some(), &*csv_in, in_p),
                    ]
                } else {
                    [
                        (input.is_some(), &*csv_in, in_p),
                        (output.is_some(), &*csv_out, out_p),
                    ]
                };
                for (on, rows, p) in sides {
                    if !on {
                        continue;
                    }
                    let (a, b) = rows.rows[i];
                    for s in &rows.spans[a as usize..b as usize] {
                        if let Some(&j) = layout.map.get(pos) {
                            cells[j] = csv_cell(rows.text(p, *s));
                        }
                        pos += 1;
                    }
                }
            }
            if check_numeric {
                check_numeric_cells(
                    &self.numeric,
                    &self.schema,
                    &cells,
                    &mut self.report,
                    &self.source,
                    self.line_no,
                );
            }
            let m = EventMeta {
                row: i as u32,
                ..em
            };
            sink.row(&m, &self.schema, &cells);
        }
        *cells_buf = recycle(cells);
        self.stats.rows += n as u64;
        self.stats.valid_lines += 1;
        self.note_time(meta.ms);
        Ok(LineOutcome::Valid { rows: n as u32 })
    }

    /// The hot path of [`Core::csv_record`]: each present side is one CSV row without quotes
    /// and the layout is the identity, so the fields go to the sink as they are found, with no
    /// span bookkeeping. `None` when the record is not of that kind (nothing was emitted or
    /// counted; the general path then handles it and gives the same result).
    #[inline]
    fn csv_single_row<S: RowSink + ?Sized>(
        &mut self,
        meta: &MetaOwned<'_>,
        input: Option<&str>,
        output: Option<&str>,
        cells_buf: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Option<Result<LineOutcome, Fault>> {
        let start = self.opts.output_columns_position == ColumnsPosition::Start;
        let (first, second) = if start {
            (output, input)
        } else {
            (input, output)
        };
        let mut cells: Vec<Cell<'_>> = recycle(std::mem::take(cells_buf));
        let ok = first.is_none_or(|p| csvsplit::push_single_row(p, &mut cells));
        let first_w = cells.len();
        let ok = ok && second.is_none_or(|p| csvsplit::push_single_row(p, &mut cells));
        let second_w = cells.len() - first_w;
        let (out_w, in_w) = if start {
            (first_w, second_w)
        } else {
            (second_w, first_w)
        };
        let result = if !ok {
            None
        } else {
            match self.csv_layout_for(out_w, in_w, 0) {
                Err(f) => Some(Err(f)),
                Ok(()) => match &self.csv_layout {
                    Some(l) if l.identity && l.map.len() == self.schema.len() => {
                        if !self.numeric.is_empty() {
                            check_numeric_cells(
                                &self.numeric,
                                &self.schema,
                                &cells,
                                &mut self.report,
                                &self.source,
                                self.line_no,
                            );
                        }
                        let m = EventMeta {
                            row: 0,
                            ..meta.as_meta(&self.source, self.line_no)
                        };
                        sink.row(&m, &self.schema, &cells);
                        self.stats.rows += 1;
                        self.stats.valid_lines += 1;
                        self.note_time(meta.ms);
                        Some(Ok(LineOutcome::Valid { rows: 1 }))
                    }
                    _ => None,
                },
            }
        };
        *cells_buf = recycle(cells);
        result
    }

    /// Do these leaves get the cached names (so the cached column map applies)?
    fn same_as_cached(&self, paths: &str, leaves: &[LeafItem<'_>]) -> bool {
        self.json_names.len() == leaves.len()
            && (self.fixed_width.is_some()
                || self
                    .json_names
                    .iter()
                    .zip(leaves.iter())
                    .enumerate()
                    .all(|(k, (a, item))| leaf_name_eq(a, leaf_path(paths, item), k)))
    }

    /// Finds (or creates) the layout for a CSV row with these widths; faults on a width change.
    fn csv_layout_for(&mut self, out_w: usize, in_w: usize, row: usize) -> Result<(), Fault> {
        if let Some(l) = &self.csv_layout {
            if l.out_w == out_w && l.in_w == in_w {
                return Ok(());
            }
        }
        let total = out_w + in_w;
        let expected = self.fixed_width.or(self.csv_width);
        if let Some(w) = expected {
            if w != total {
                let what = if self.fixed_width.is_some() {
                    "the supplied column names"
                } else {
                    "the first record"
                };
                return Err((
                    FaultKind::ColumnCount,
                    format!(
                        "row {row} has {total} columns ({out_w} output + {in_w} input) but {what} had {w}"
                    ),
                ));
            }
        }
        let new = (0..total)
            .filter(|&i| self.schema.position(&positional_name(i)).is_none())
            .count();
        if self.fixed_width.is_none() && self.schema.len() + new > self.opts.max_columns {
            return Err((
                FaultKind::TooManyColumns,
                format!(
                    "row {row} has {total} columns, over the limit of {}",
                    self.opts.max_columns
                ),
            ));
        }
        self.csv_width = Some(total);
        let map: Vec<usize> = if self.fixed_width.is_some() {
            (0..total).collect()
        } else {
            (0..total)
                .map(|i| self.schema.resolve(&positional_name(i)))
                .collect()
        };
        let identity =
            map.iter().enumerate().all(|(i, j)| i == *j) && map.len() == self.schema.len();
        self.csv_layout = Some(CsvLayout {
            out_w,
            in_w,
            map,
            identity,
        });
        Ok(())
    }

    /// Rows of a batch-transform output object: `SageMakerOutput` is the output, the other keys
    /// (except `SageMakerInferenceId` / `SageMakerInferenceTime`) the input.
    fn batch_node<S: RowSink + ?Sized>(
        &mut self,
        node: &JNode<'_>,
        meta: &MetaOwned<'_>,
        cells: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        let JNode::Obj(kv) = node else {
            return Err((
                FaultKind::UnrecognisedRecord,
                "batch-transform output is not a JSON object".into(),
            ));
        };
        let mut out_node = None;
        let mut inputs = Vec::new();
        for (k, v) in kv {
            match k.as_ref() {
                "SageMakerOutput" => out_node = Some(v),
                "SageMakerInferenceId" | "SageMakerInferenceTime" => {}
                _ => inputs.push((k.clone(), v.clone())),
            }
        }
        let in_node = JNode::Obj(inputs);
        let out_recs: Option<Vec<SideRecord<'_>>> = out_node.map(|o| {
            let mut v = Vec::new();
            jtree::split_records(o, &mut v);
            v.into_iter().map(SideRecord::Json).collect()
        });
        let in_recs: Option<Vec<SideRecord<'_>>> = match &in_node {
            JNode::Obj(kv) if kv.is_empty() => None,
            n => Some(vec![SideRecord::Json(n)]),
        };
        // A batch line is one record: several output instances pair with one input only when
        // there is one output instance.
        self.general_rows(meta, in_recs.as_deref(), out_recs.as_deref(), cells, sink)
    }

    /// Rows from per-side record lists (JSON records or CSV rows), general (slower) path.
    fn general_rows<S: RowSink + ?Sized>(
        &mut self,
        meta: &MetaOwned<'_>,
        input: Option<&[SideRecord<'_>]>,
        output: Option<&[SideRecord<'_>]>,
        cells_buf: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        let n = match (input, output) {
            (Some(i), Some(o)) => {
                if i.len() != o.len() {
                    return Err((
                        FaultKind::RowCountMismatch,
                        format!(
                            "endpointInput has {} records but endpointOutput has {}",
                            i.len(),
                            o.len()
                        ),
                    ));
                }
                i.len()
            }
            (Some(i), None) => i.len(),
            (None, Some(o)) => o.len(),
            (None, None) => 0,
        };
        let start = self.opts.output_columns_position == ColumnsPosition::Start;
        // Flatten every row first (so that a bad row faults the whole line before any is emitted).
        let mut lv = Leaves::default();
        let mut cur = String::new();
        for i in 0..n {
            lv.bounds.push(lv.items.len());
            let order = if start {
                [output, input]
            } else {
                [input, output]
            };
            for recs in order.into_iter().flatten() {
                recs[i].leaves(&mut lv, &mut cur);
            }
            let width = lv.items.len() - lv.bounds[i];
            if let Some(w) = self.fixed_width {
                if width != w {
                    return Err((
                        FaultKind::ColumnCount,
                        format!(
                            "row {i} has {width} columns but the supplied column names are {w}"
                        ),
                    ));
                }
            }
        }
        lv.bounds.push(lv.items.len());
        // Bound the number of columns (keys that are all different would grow the profile
        // without limit): count the names this line would add.
        if self.fixed_width.is_none() {
            let mut new_names: std::collections::HashSet<String> = Default::default();
            for i in 0..n {
                let row = lv.row(i);
                if self.same_as_cached(&lv.paths, row) {
                    continue;
                }
                for (k, item) in row.iter().enumerate() {
                    let name = leaf_name(&lv.paths, item, k);
                    if self.schema.position(&name).is_none() {
                        new_names.insert(name);
                    }
                }
            }
            let total = self.schema.len() + new_names.len();
            if total > self.opts.max_columns {
                return Err((
                    FaultKind::TooManyColumns,
                    format!(
                        "this record would bring the columns to {total}, over the limit of {}",
                        self.opts.max_columns
                    ),
                ));
            }
        }
        let mut cells: Vec<Cell<'_>> = recycle(std::mem::take(cells_buf));
        let em = meta.as_meta(&self.source, self.line_no);
        for i in 0..n {
            let leaves = lv.row(i);
            // Names: supplied (positional) > dotted path > `_cN`.
            if !self.same_as_cached(&lv.paths, leaves) {
                self.json_names.clear();
                self.json_map.clear();
                for (k, item) in leaves.iter().enumerate() {
                    let name = if self.fixed_width.is_some() {
                        self.schema.names()[k].clone()
                    } else {
                        leaf_name(&lv.paths, item, k)
                    };
                    let j = self.schema.resolve(&name);
                    self.json_names.push(name);
                    self.json_map.push(j);
                }
            }
            cells.clear();
            cells.resize(self.schema.len(), Cell::Missing);
            for (k, (_, _, c)) in leaves.iter().enumerate() {
                if let Some(&j) = self.json_map.get(k) {
                    if let Some(slot) = cells.get_mut(j) {
                        *slot = *c;
                    }
                }
            }
            if !self.numeric.is_empty() {
                check_numeric_cells(
                    &self.numeric,
                    &self.schema,
                    &cells,
                    &mut self.report,
                    &self.source,
                    self.line_no,
                );
            }
            let m = EventMeta {
                row: i as u32,
                ..em
            };
            sink.row(&m, &self.schema, &cells);
        }
        *cells_buf = recycle(cells);
        self.stats.rows += n as u64;
        self.stats.valid_lines += 1;
        self.note_time(meta.ms);
        Ok(LineOutcome::Valid { rows: n as u32 })
    }
}

/// Milliseconds since the epoch of an RFC 3339 time. The common `YYYY-MM-DDTHH:MM:SS[.f]Z`
/// form is read directly; anything else goes through chrono.
pub fn parse_time_ms(t: &str) -> Option<i64> {
    fast_utc_ms(t.as_bytes()).or_else(|| {
        chrono::DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|d| d.timestamp_millis())
    })
}

fn fast_utc_ms(b: &[u8]) -> Option<i64> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d < 1 || d > dim[(mo - 1) as usize] || h > 23 || mi > 59 || s > 59
    {
        return None;
    }
    let mut i = 19;
    let mut ms = 0i64;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 3 {
                ms = ms * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 || n > 9 {
            return None;
        }
        for _ in n..3 {
            ms *= 10;
        }
    }
    if i + 1 != b.len() || (b[i] != b'Z' && b[i] != b'z') {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi) * 60 * 1000 + s * 1000 + ms)
}

/// Is the cached column name `a` the one that a leaf with path `p` at position `k` gets?
fn leaf_name_eq(a: &str, p: &str, k: usize) -> bool {
    if p.is_empty() {
        a.strip_prefix("_c").and_then(|d| d.parse::<usize>().ok()) == Some(k)
    } else {
        a == p
    }
}

/// Record metadata before the source / line are attached.
struct MetaOwned<'a> {
    kind: RecordKind,
    event_id: Option<&'a str>,
    inference_id: Option<&'a str>,
    inference_time: Option<&'a str>,
    ms: Option<i64>,
}

impl<'a> MetaOwned<'a> {
    fn as_meta<'b>(&'b self, source: &'b str, line: u64) -> EventMeta<'b>
    where
        'a: 'b,
    {
        EventMeta {
            source,
            line,
            row: 0,
            kind: self.kind,
            event_id: self.event_id,
            inference_id: self.inference_id,
            inference_time: self.inference_time,
            inference_time_ms: self.ms,
        }
    }
}

/// One side's payload, parsed.
enum Side<'t> {
    Csv(&'t str, &'t CsvRows),
    Json(Vec<JNode<'t>>),
}

/// One record (row) of one side.
enum SideRecord<'x> {
    Csv(&'x str, &'x CsvRows, usize),
    Json(&'x JNode<'x>),
}

impl<'t> Side<'t> {
    fn parse(fmt: Format, text: &'t str, rows: &'t mut CsvRows, what: &str) -> Result<Self, Fault> {
        match fmt {
            Format::Csv => {
                csvsplit::split(text, rows).map_err(|_| {
                    (
                        FaultKind::MalformedPayload,
                        format!("{what}: unterminated quote in CSV"),
                    )
                })?;
                Ok(Side::Csv(text, &*rows))
            }
            Format::Json => jtree::parse_values(text).map(Side::Json).map_err(|e| {
                (
                    FaultKind::MalformedPayload,
                    format!("{what}: JSON payload: {e}"),
                )
            }),
        }
    }

    fn records(&self) -> Vec<SideRecord<'_>> {
        match self {
            Side::Csv(p, rows) => (0..rows.rows.len())
                .map(|i| SideRecord::Csv(p, rows, i))
                .collect(),
            Side::Json(values) => {
                let mut recs = Vec::new();
                for v in values {
                    jtree::split_records(v, &mut recs);
                }
                recs.into_iter().map(SideRecord::Json).collect()
            }
        }
    }
}

/// A flattened leaf: its path as a range of [`Leaves::paths`] (empty: positional) and its cell.
type LeafItem<'x> = (u32, u32, Cell<'x>);

/// The flattened leaves of every row of one line, with all paths in one string.
#[derive(Default)]
struct Leaves<'x> {
    paths: String,
    items: Vec<LeafItem<'x>>,
    /// Row i is `items[bounds[i]..bounds[i + 1]]`.
    bounds: Vec<usize>,
}

impl<'x> Leaves<'x> {
    fn row(&self, i: usize) -> &[LeafItem<'x>] {
        &self.items[self.bounds[i]..self.bounds[i + 1]]
    }
}

fn leaf_path<'p>(paths: &'p str, item: &LeafItem<'_>) -> &'p str {
    paths.get(item.0 as usize..item.1 as usize).unwrap_or("")
}

/// Column name of a leaf at position `k` without supplied names: its path, else `_c{k}`.
fn leaf_name(paths: &str, item: &LeafItem<'_>, k: usize) -> String {
    let p = leaf_path(paths, item);
    if p.is_empty() {
        positional_name(k)
    } else {
        p.to_string()
    }
}

impl<'x> SideRecord<'x> {
    fn leaves(&self, out: &mut Leaves<'x>, cur: &mut String) {
        match self {
            SideRecord::Csv(p, rows, i) => {
                let (a, b) = rows.rows[*i];
                for s in &rows.spans[a as usize..b as usize] {
                    out.items.push((0, 0, csv_cell(rows.text(p, *s))));
                }
            }
            SideRecord::Json(node) => {
                cur.clear();
                let Leaves {
                    paths,
                    items,
                    bounds,
                } = out;
                let offset = items.len() - bounds.last().copied().unwrap_or(0);
                let level = jtree::Level::Top { offset };
                jtree::flatten(node, cur, level, &mut |path: &str, v: &'x JNode<'x>| {
                    let a = paths.len() as u32;
                    paths.push_str(path);
                    items.push((a, paths.len() as u32, json_cell(v)));
                });
            }
        }
    }
}

fn csv_cell(t: &str) -> Cell<'_> {
    if t.is_empty() {
        Cell::Missing
    } else {
        Cell::Raw(t)
    }
}

fn json_cell<'v>(v: &'v JNode<'v>) -> Cell<'v> {
    v.cell()
}

#[inline]
fn push_csv_cells<'a>(rows: &'a CsvRows, payload: &'a str, i: usize, cells: &mut Vec<Cell<'a>>) {
    let (a, b) = rows.rows[i];
    for s in &rows.spans[a as usize..b as usize] {
        let t = match *s {
            Span::Payload(x, y) => payload.get(x as usize..y as usize).unwrap_or(""),
            Span::Arena(x, y) => rows.arena.get(x as usize..y as usize).unwrap_or(""),
        };
        cells.push(csv_cell(t));
    }
}

fn check_numeric_cells(
    numeric: &[bool],
    schema: &Schema,
    cells: &[Cell<'_>],
    report: &mut FaultReport,
    source: &str,
    line: u64,
) {
    for (j, c) in cells.iter().enumerate() {
        if !numeric.get(j).copied().unwrap_or(false) {
            continue;
        }
        let bad = match c {
            Cell::Raw(s) | Cell::Str(s) => (!is_deequ_numeric(s)).then(|| s.to_string()),
            Cell::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        if let Some(v) = bad {
            let name = schema.names().get(j).map(String::as_str).unwrap_or("?");
            report.record_non_numeric(name, source, line, &v);
        }
    }
}

/// Deequ's Integral `^(-|\+)? ?\d+$` or Fractional
/// `^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$`.
pub fn is_deequ_numeric(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    if i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > s
    };
    if !digits(&mut i) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    if b[i] == b'.' {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
        if i == b.len() {
            return true;
        }
    }
    if b[i] == b'e' || b[i] == b'E' {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        return digits(&mut i) && i == b.len();
    }
    false
}

/// Decodes a payload: returns its format and text (BASE64 decoded into `buf`).
pub(crate) fn decode<'a>(
    p: &'a PayloadRaw<'a>,
    buf: &'a mut Vec<u8>,
    what: &str,
) -> Result<(Format, &'a str), Fault> {
    let Some(data) = p.data.as_deref() else {
        return Err((FaultKind::MissingData, format!("{what} has no data")));
    };
    let ct = p.observed_content_type.as_deref();
    let enc = p.encoding.as_deref();
    let by_type = |ct: Option<&str>| -> Result<Format, Fault> {
        match ct.map(media_type) {
            Some(m) if m.eq_ignore_ascii_case("text/csv") => Ok(Format::Csv),
            Some(m) if m.to_ascii_lowercase().contains("json") => Ok(Format::Json),
            other => Err((
                FaultKind::UnsupportedContentType,
                format!(
                    "{what}: content type {:?} is neither CSV nor JSON",
                    other
                        .map(|s| truncate(s, 60))
                        .unwrap_or_else(|| "(none)".into())
                ),
            )),
        }
    };
    match enc {
        Some(e) if e.eq_ignore_ascii_case("CSV") => Ok((Format::Csv, data)),
        Some(e) if e.eq_ignore_ascii_case("JSON") => Ok((Format::Json, data)),
        Some(e) if e.eq_ignore_ascii_case("BASE64") => {
            let fmt = by_type(ct)?;
            buf.clear();
            base64::engine::general_purpose::STANDARD
                .decode_vec(data.trim().as_bytes(), buf)
                .map_err(|e| (FaultKind::BadBase64, format!("{what}: {e}")))?;
            let text = std::str::from_utf8(buf).map_err(|e| {
                (
                    FaultKind::InvalidUtf8,
                    format!("{what}: decoded BASE64: {e}"),
                )
            })?;
            Ok((fmt, text))
        }
        None => Ok((by_type(ct)?, data)),
        Some(e) => Err((
            FaultKind::UnsupportedEncoding,
            format!(
                "{what}: encoding {:?} is not CSV, JSON or BASE64",
                truncate(e, 40)
            ),
        )),
    }
}

/// `text/csv; charset=utf-8` → `text/csv`.
fn media_type(ct: &str) -> &str {
    ct.split(';').next().unwrap_or("").trim()
}

/// Classifies a line that serde_json refused.
pub(crate) fn classify_bad_line(line: &[u8], e: &serde_json::Error) -> Fault {
    let control = line
        .iter()
        .filter(|&&b| b < 0x20 && b != b'\t' && b != b'\r' && b != b'\n')
        .count();
    if memchr::memchr(0, line).is_some() || control * 10 > line.len() {
        return (
            FaultKind::BinaryData,
            format!(
                "binary data ({control} control bytes in {} bytes)",
                line.len()
            ),
        );
    }
    if let Err(u) = std::str::from_utf8(line) {
        return (FaultKind::InvalidUtf8, format!("invalid UTF-8: {u}"));
    }
    match e.classify() {
        serde_json::error::Category::Data => (
            FaultKind::UnrecognisedRecord,
            format!("not a capture record: {e}"),
        ),
        _ => (FaultKind::MalformedJson, format!("malformed JSON: {e}")),
    }
}
