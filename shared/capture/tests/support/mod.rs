//! Shared test helpers: a sink that records rows as owned values.
#![allow(dead_code)]

use driftline_capture::{CaptureOptions, CaptureParser, EventMeta, RecordKind, RowSink, Schema};
use driftline_stats::profile::Cell;

/// An owned copy of a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum C {
    Missing,
    Raw(String),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl From<Cell<'_>> for C {
    fn from(c: Cell<'_>) -> C {
        match c {
            Cell::Missing => C::Missing,
            Cell::Raw(s) => C::Raw(s.to_string()),
            Cell::Str(s) => C::Str(s.to_string()),
            Cell::Int(i) => C::Int(i),
            Cell::Float(f) => C::Float(f),
            Cell::Bool(b) => C::Bool(b),
        }
    }
}

pub fn raw(s: &str) -> C {
    C::Raw(s.to_string())
}

/// One recorded row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub row: u32,
    pub kind: RecordKind,
    pub event_id: Option<String>,
    pub inference_id: Option<String>,
    pub inference_time: Option<String>,
    pub inference_time_ms: Option<i64>,
    pub names: Vec<String>,
    pub cells: Vec<C>,
}

impl Row {
    pub fn get(&self, name: &str) -> Option<&C> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.cells[i])
    }
}

#[derive(Debug, Default)]
pub struct Rec {
    pub rows: Vec<Row>,
}

impl RowSink for Rec {
    fn row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]) {
        assert_eq!(cells.len(), schema.len(), "cells must match the schema");
        self.rows.push(Row {
            line: meta.line,
            row: meta.row,
            kind: meta.kind,
            event_id: meta.event_id.map(str::to_string),
            inference_id: meta.inference_id.map(str::to_string),
            inference_time: meta.inference_time.map(str::to_string),
            inference_time_ms: meta.inference_time_ms,
            names: schema.names().to_vec(),
            cells: cells.iter().map(|c| C::from(*c)).collect(),
        });
    }
}

pub fn data_path(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn read_data(name: &str) -> Vec<u8> {
    std::fs::read(data_path(name)).unwrap()
}

/// Parses `bytes` as one source and returns the parser (for stats / faults) and the rows.
pub fn parse_bytes(bytes: &[u8], opts: &CaptureOptions) -> (CaptureParser, Rec) {
    let mut p = CaptureParser::new("test.jsonl", opts).unwrap();
    let mut rec = Rec::default();
    p.read_input(bytes, &mut rec).unwrap();
    (p, rec)
}

pub fn parse_default(bytes: &[u8]) -> (CaptureParser, Rec) {
    parse_bytes(bytes, &CaptureOptions::default())
}

/// Asserts the line accounting invariant.
pub fn assert_accounting(p: &CaptureParser) {
    let s = p.stats();
    assert_eq!(
        s.lines,
        s.valid_lines + s.malformed_lines + s.skipped_lines(),
        "{s:?}"
    );
    assert_eq!(
        s.malformed_lines,
        p.faults().line_faults(),
        "{s:?} {:?}",
        p.faults()
    );
}

/// A capture line with the given input / output payload objects (JSON text of the
/// `endpointInput` / `endpointOutput` objects, or None).
pub fn capture_line(input: Option<serde_json::Value>, output: Option<serde_json::Value>) -> String {
    let mut cd = serde_json::Map::new();
    if let Some(i) = input {
        cd.insert("endpointInput".into(), i);
    }
    if let Some(o) = output {
        cd.insert("endpointOutput".into(), o);
    }
    serde_json::json!({
        "captureData": cd,
        "eventMetadata": {"eventId": "e-1", "inferenceTime": "2024-01-02T03:04:05Z"},
        "eventVersion": "0"
    })
    .to_string()
}

pub fn payload(ct: &str, data: &str, enc: &str) -> serde_json::Value {
    serde_json::json!({"observedContentType": ct, "mode": "INPUT", "data": data, "encoding": enc})
}
