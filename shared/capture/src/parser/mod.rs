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

mod cells;
mod counts;
mod csv_rows;
mod dispatch;
mod json_rows;
mod payload;
mod sink;
mod time;

use cells::check_numeric_cells;
pub use cells::is_deequ_numeric;
pub use counts::CaptureStats;
use counts::{max_opt, min_opt};
use csv_rows::csv_cell;
use json_rows::{leaf_name_eq, leaf_path, LeafItem, Side};
pub(crate) use payload::{classify_bad_line, decode};
use sink::OutputRows;
pub use sink::{CountingSink, EventMeta, LineOutcome, RecordKind, RowSink, SkipReason};
pub use time::parse_time_ms;

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
    /// When the output is not analysed: a reader of the output alone (no names, both sides
    /// "analysed"), whose rows go to [`RowSink::output_row`].
    out_core: Option<Box<(Core, Scratch)>>,
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

impl Core {
    fn new(source_name: &str, opts: &CaptureOptions) -> Core {
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
        let out_core = (!opts.capture_index.output).then(|| {
            let out_opts = CaptureOptions {
                columns: None,
                capture_index: crate::options::CaptureIndex::BOTH,
                ..opts.clone()
            };
            Box::new((Core::new(source_name, &out_opts), Scratch::default()))
        });
        Core {
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
            out_core,
        }
    }
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
        Ok(CaptureParser {
            core: Core::new(source_name, opts),
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
