//! # driftline-capture
//!
//! Streaming readers of SageMaker Data Capture JSON Lines, ground-truth records and
//! batch-transform outputs, with bad-input accounting and a streaming profile builder.
//!
//! ## Records
//! * Endpoint capture: `captureData.endpointInput` / `endpointOutput` with `encoding` `CSV`,
//!   `JSON` or `BASE64` (decoded, then read by `observedContentType`: `text/csv` → CSV, any
//!   `…json…` type (`application/json`, `application/jsonlines`) → JSON; anything else is an
//!   [`FaultKind::UnsupportedContentType`] fault). Without `encoding` the content type decides.
//! * Batch transform: output lines `{"SageMakerInferenceId", "SageMakerInferenceTime",
//!   "SageMakerOutput": …, <input keys>}` and merged records' `captureData.batchTransformOutput`.
//!   `SageMakerOutput` is the output side, the other keys the input side.
//! * Shadow traffic (`eventMetadata.invocationSource == "ShadowExperiment"`) is skipped and
//!   counted ([`CaptureStats::shadow_lines`]) unless [`CaptureOptions::skip_shadow`] is off.
//! * Ground truth (`groundTruthData`): [`ground_truth`].
//!
//! ## Rows and columns
//! * A CSV payload may hold several rows (`\n`-separated); output row *i* pairs with input row
//!   *i*; different row counts are a [`FaultKind::RowCountMismatch`].
//! * A JSON payload may hold several JSON values (JSON Lines). Each value gives records:
//!   an object with an `instances` or `predictions` array gives one record per element (other
//!   keys ignored); an array whose elements are all arrays/objects gives one record per element;
//!   anything else is one record. Input record *i* pairs with output record *i*.
//! * Flattening a record: objects become dotted names (`a.b`), array elements get their index
//!   (`features.0`, `features.1`, …), except that the elements of a record that is itself an
//!   array (`[1.0, 2.0]`) and a scalar record are positional. Keys keep document order.
//! * A row's columns are the output columns then the input columns
//!   ([`ColumnsPosition::Start`], Model Monitor's default) or the reverse (`End`).
//! * Names: the caller's names ([`CaptureOptions::columns`], e.g. a baseline's features, by
//!   position; every row must have exactly that many columns), else a JSON leaf's dotted path,
//!   else `_c{position}` (so a headerless CSV capture is `_c0`, `_c1`, … as in Model Monitor).
//! * Without supplied names the first CSV record fixes the CSV width; a different width later
//!   is a [`FaultKind::ColumnCount`]. JSON records with new keys add columns (missing cells
//!   elsewhere), which the evaluation reports as extra / missing columns.
//! * Cells: CSV text is [`Cell::Raw`] (empty → [`Cell::Missing`]); JSON gives typed cells
//!   (`null` → `Missing`).
//! * Non-numeric text in a column that the supplied specs call numeric is counted as
//!   [`FaultKind::NonNumeric`] per feature ([`FaultReport::non_numeric_by_column`]); the cell
//!   still goes to the profile, whose type inference and the evaluation's `data_type_check`
//!   judge it as Model Monitor does. Without specs nothing is counted here.
//!
//! ## Use
//! ```
//! use driftline_capture::{profile_reader, CaptureOptions, CaptureParser, EventMeta, Schema};
//! use driftline_stats::profile::Cell;
//!
//! let file = br#"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0.5","encoding":"CSV"}},"eventMetadata":{"eventId":"e1","inferenceTime":"2024-01-01T00:00:00Z"},"eventVersion":"0"}
//! not json
//! "#;
//! // A profile of one file (plain or gzip), with its faults and counts.
//! let cp = profile_reader(&file[..], "f.jsonl", &CaptureOptions::default()).unwrap();
//! assert_eq!(cp.records(), 1);
//! assert_eq!(cp.malformed_records(), 1);
//! assert_eq!(cp.profile.columns(), ["_c0", "_c1", "_c2"]);
//! assert_eq!(cp.summary_faults().counts["malformed_json"], 1);
//!
//! // Or any sink, fed line by line (push API) or chunk by chunk (`feed` + `finish`).
//! let mut p = CaptureParser::new("f.jsonl", &CaptureOptions::default()).unwrap();
//! let mut first = Vec::new();
//! let mut sink = |m: &EventMeta<'_>, s: &Schema, cells: &[Cell<'_>]| {
//!     first.push((m.event_id.map(str::to_string), s.names()[0].clone(), format!("{:?}", cells[0])));
//! };
//! for line in file.split(|b| *b == b'\n') {
//!     p.parse_line(line, &mut sink);
//! }
//! p.finish(&mut sink);
//! assert_eq!(first, [(Some("e1".to_string()), "_c0".to_string(), "Raw(\"0.5\")".to_string())]);
//! ```
//!
//! ## Speed
//! Three layers, each falling back to the next, so results never depend on which one ran
//! (property tests feed edited real lines through both and compare every row, count and fault):
//! 1. a *learned line shape*: the bytes between the string values of the first line the strict
//!    scanner parsed (keys, punctuation, constants such as `"mode":"INPUT"`); later lines that
//!    are those bytes with other escape-free printable-ASCII values are read with one
//!    comparison per literal run and, per value, one search for its closing quote (16 bytes at
//!    a time) that checks the value's bytes on the way. After four misses in a row the shape is
//!    learned again;
//! 2. a strict hand-written scanner of the envelope, which gives up on anything unusual
//!    (escapes in keys, duplicate keys, control bytes, invalid UTF-8, …);
//! 3. serde_json, which also classifies what is wrong with a bad line.
//!
//! A CSV payload that is one row without quotes goes to the sink as it is split (16 bytes at a
//! time: SSE2 on x86_64, 64-bit words elsewhere); several rows or quoted fields take the general
//! splitter.
//!
//! ## Bad input
//! Never fatal, never a panic: every line ends as valid, malformed (one [`FaultKind`]) or
//! skipped ([`SkipReason`]), and `lines == valid + malformed + skipped` ([`CaptureStats`]).
//! Gzip input is detected by its magic bytes and decompressed streaming.
//!
//! [`Cell::Raw`]: driftline_stats::profile::Cell::Raw
//! [`Cell::Missing`]: driftline_stats::profile::Cell::Missing
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// Every unsafe block says why it is sound (`// SAFETY:`), checked by clippy.
#![deny(clippy::undocumented_unsafe_blocks)]

mod csvsplit;
mod envelope;
pub mod error;
mod fastenv;
pub mod fault;
pub mod ground_truth;
mod jtree;
pub mod lines;
pub mod options;
pub mod parser;
pub mod predictions;
pub mod profile;
pub mod quality;
pub use profile::{
    profile_reader, profile_reader_with, CaptureProfile, ProfileBuilder, ProfileTarget,
};
pub mod schema;
pub mod stream;
pub mod window;

#[doc(hidden)]
pub mod fuzzing;
pub use error::CaptureError;
pub use fault::{FaultKind, FaultReport};
pub use jtree::flatten_json_record;
pub use lines::{LineAssembler, LineEvent};
pub use options::{
    CaptureIndex, CaptureOptions, ColumnSpec, ColumnsApply, ColumnsPosition, ExpectedKind,
};
pub use parser::{
    is_deequ_numeric, parse_time_ms, CaptureParser, CaptureStats, CountingSink, EventMeta,
    LineOutcome, RecordKind, RowSink, SkipReason,
};
pub use schema::{positional_name, Schema};
pub use stream::StreamProfiler;
