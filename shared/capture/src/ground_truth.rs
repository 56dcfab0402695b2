//! Ground-truth records (`groundTruthData`), as Model Monitor's model-quality jobs read them:
//! `{"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": …},
//! "eventVersion": "0"}`. The join key with captured predictions is `eventMetadata.inferenceId`
//! when present, else `eventId` (for batch transform, the `SageMakerInferenceId`).

use crate::envelope::Envelope;
use crate::error::CaptureError;
use crate::fault::{FaultKind, FaultReport};
use crate::lines::{LineAssembler, LineEvent};
use crate::options::CaptureOptions;
use crate::parser::{classify_bad_line, decode, CaptureStats, Fault, Format};
use std::borrow::Cow;
use std::io::BufRead;

/// The label of a ground-truth record.
#[derive(Debug, Clone, PartialEq)]
pub enum GroundTruthValue {
    /// CSV text (e.g. `"1"`), trimmed.
    Csv(String),
    /// A JSON value (e.g. `{"label": 0}`).
    Json(serde_json::Value),
}

impl GroundTruthValue {
    /// The label as text: CSV text as is; a JSON scalar as printed; a JSON object with one key
    /// (`{"label": 0}`) gives that key's value; other JSON as compact JSON.
    pub fn label_text(&self) -> String {
        fn scalar(v: &serde_json::Value) -> String {
            match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        }
        match self {
            GroundTruthValue::Csv(s) => s.clone(),
            GroundTruthValue::Json(serde_json::Value::Object(m)) if m.len() == 1 => {
                m.values().next().map(scalar).unwrap_or_default()
            }
            GroundTruthValue::Json(v) => scalar(v),
        }
    }
}

/// One ground-truth record.
#[derive(Debug, Clone, PartialEq)]
pub struct GroundTruthRecord {
    /// 1-based line number in its source.
    pub line: u64,
    /// `eventMetadata.eventId`.
    pub event_id: Option<String>,
    /// `eventMetadata.inferenceId`.
    pub inference_id: Option<String>,
    /// `eventMetadata.inferenceTime`, as written.
    pub inference_time: Option<String>,
    /// The label.
    pub value: GroundTruthValue,
}

impl GroundTruthRecord {
    /// The join key: `inferenceId` if present, else `eventId`.
    pub fn join_key(&self) -> Option<&str> {
        self.inference_id.as_deref().or(self.event_id.as_deref())
    }
}

/// A ground-truth record read in place: the join's view of it, strings borrowed from the line
/// (no allocation unless the label is JSON or the strings have escapes).
#[derive(Debug, Clone, PartialEq)]
pub struct GroundTruthRef<'a> {
    /// 1-based line number in its source.
    pub line: u64,
    /// `eventMetadata.eventId`.
    pub event_id: Option<&'a str>,
    /// `eventMetadata.inferenceId`.
    pub inference_id: Option<&'a str>,
    /// `eventMetadata.inferenceTime`, as written.
    pub inference_time: Option<&'a str>,
    /// The label as text ([`GroundTruthValue::label_text`]).
    pub label: Cow<'a, str>,
}

impl GroundTruthRef<'_> {
    /// The join key: `inferenceId` if present, else `eventId`.
    pub fn join_key(&self) -> Option<&str> {
        self.inference_id.or(self.event_id)
    }
}

/// A parsed line before the label is interpreted.
struct Parsed<'a> {
    event_id: Option<&'a str>,
    inference_id: Option<&'a str>,
    inference_time: Option<&'a str>,
    format: Format,
    text: &'a str,
}

/// Parses one line and hands it to `f`; `Ok(None)` for a blank line.
fn with_parsed<T>(
    line: &[u8],
    f: impl FnOnce(Parsed<'_>) -> Result<T, Fault>,
) -> Result<Option<T>, Fault> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    let env: Envelope<'_> =
        serde_json::from_slice(line).map_err(|e| classify_bad_line(line, &e))?;
    let Some(gt) = &env.ground_truth else {
        return Err((
            FaultKind::UnrecognisedRecord,
            "no groundTruthData in a ground-truth record".into(),
        ));
    };
    let mut buf = Vec::new();
    let (format, text) = decode(gt, &mut buf, "groundTruthData")?;
    let meta = env.event_metadata.as_ref();
    let event_id = meta.and_then(|m| m.event_id.as_deref());
    let inference_id = meta.and_then(|m| m.inference_id.as_deref());
    let inference_time = meta.and_then(|m| m.inference_time.as_deref());
    if event_id.is_none() && inference_id.is_none() {
        return Err((
            FaultKind::MissingData,
            "ground-truth record without eventMetadata.eventId or inferenceId".into(),
        ));
    }
    f(Parsed {
        event_id,
        inference_id,
        inference_time,
        format,
        text,
    })
    .map(Some)
}

fn json_label(text: &str) -> Result<serde_json::Value, Fault> {
    serde_json::from_str(text)
        .map_err(|e| (FaultKind::MalformedPayload, format!("groundTruthData: {e}")))
}

/// Parses one ground-truth line (no `\n`). `Ok(None)` for a blank line.
pub fn parse_ground_truth_line(
    line: &[u8],
) -> Result<Option<GroundTruthRecord>, (FaultKind, String)> {
    with_parsed(line, |p| {
        let value = match p.format {
            Format::Csv => GroundTruthValue::Csv(p.text.trim().to_string()),
            Format::Json => GroundTruthValue::Json(json_label(p.text)?),
        };
        Ok(GroundTruthRecord {
            line: 0,
            event_id: p.event_id.map(str::to_string),
            inference_id: p.inference_id.map(str::to_string),
            inference_time: p.inference_time.map(str::to_string),
            value,
        })
    })
}

/// Result of reading a ground-truth source.
#[derive(Debug, Clone, Default)]
pub struct GroundTruthRead {
    /// Line counts (`rows` = records handed out).
    pub stats: CaptureStats,
    /// Faults.
    pub faults: FaultReport,
}

/// Streams every ground-truth record of `reader` to `f`. Bad lines are counted (same kinds as
/// capture files), lines over `opts.max_line_bytes` skipped. I/O errors end the read.
pub fn read_ground_truth<R: BufRead + ?Sized>(
    reader: &mut R,
    source_name: &str,
    opts: &CaptureOptions,
    mut f: impl FnMut(GroundTruthRecord),
) -> Result<GroundTruthRead, CaptureError> {
    read_lines(reader, source_name, opts, |line, no| {
        parse_ground_truth_line(line).map(|r| {
            r.map(|mut r| {
                r.line = no;
                f(r)
            })
        })
    })
}

/// [`read_ground_truth`] handing out records read in place ([`GroundTruthRef`]): the join's
/// path, without an allocation per record.
pub fn read_ground_truth_refs<R: BufRead + ?Sized>(
    reader: &mut R,
    source_name: &str,
    opts: &CaptureOptions,
    mut f: impl FnMut(&GroundTruthRef<'_>),
) -> Result<GroundTruthRead, CaptureError> {
    read_lines(reader, source_name, opts, |line, no| {
        with_parsed(line, |p| {
            let label = match p.format {
                Format::Csv => Cow::Borrowed(p.text.trim()),
                Format::Json => {
                    Cow::Owned(GroundTruthValue::Json(json_label(p.text)?).label_text())
                }
            };
            f(&GroundTruthRef {
                line: no,
                event_id: p.event_id,
                inference_id: p.inference_id,
                inference_time: p.inference_time,
                label,
            });
            Ok(())
        })
    })
}

/// Reads the lines of `reader`, `parse` handing out each line's record (`Ok(None)`: blank).
fn read_lines<R: BufRead + ?Sized>(
    reader: &mut R,
    source_name: &str,
    opts: &CaptureOptions,
    mut parse: impl FnMut(&[u8], u64) -> Result<Option<()>, Fault>,
) -> Result<GroundTruthRead, CaptureError> {
    opts.validate()?;
    let mut asm = LineAssembler::new(opts.max_line_bytes);
    let mut out = GroundTruthRead {
        stats: CaptureStats::default(),
        faults: FaultReport::new(opts.max_examples_per_kind, opts.max_examples),
    };
    let mut line_no = 0u64;
    let mut handle = |ev: LineEvent<'_>, out: &mut GroundTruthRead| {
        line_no += 1;
        out.stats.lines += 1;
        let res = match ev {
            LineEvent::TooLong { len } => Err((
                FaultKind::LineTooLong,
                format!(
                    "line of {len} bytes exceeds the limit of {} bytes",
                    opts.max_line_bytes
                ),
            )),
            LineEvent::Line(l) => parse(l, line_no),
        };
        match res {
            Ok(None) => out.stats.blank_lines += 1,
            Ok(Some(())) => {
                out.stats.valid_lines += 1;
                out.stats.rows += 1;
            }
            Err((kind, reason)) => {
                out.stats.malformed_lines += 1;
                out.faults.record(kind, source_name, line_no, || reason);
            }
        }
    };
    loop {
        let n = match reader.fill_buf() {
            Ok([]) => break,
            Ok(buf) => {
                out.stats.bytes += buf.len() as u64;
                asm.feed(buf, |ev| handle(ev, &mut out));
                buf.len()
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => {
                return Err(CaptureError::Read {
                    source_name: source_name.to_string(),
                    line: line_no,
                    error,
                })
            }
        };
        reader.consume(n);
    }
    asm.finish(|ev| handle(ev, &mut out));
    if out.stats.lines == out.stats.blank_lines {
        out.faults.record(FaultKind::EmptyFile, source_name, 0, || {
            "no ground-truth record".into()
        });
    }
    Ok(out)
}
