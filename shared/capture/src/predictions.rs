//! The predictions a capture file holds — join key, inference time, predicted label, score —
//! kept compactly so that ground truth arriving later can be joined without re-reading capture
//! files (analyze-capture writes them per file under `{prefix}/predictions/…`).
//!
//! Which output value is the label and which the score follows Model Monitor's attributes:
//! * `inference_attribute`: the predicted label; `probability_attribute`: the score, turned
//!   into a label by `probability_threshold_attribute` (default 0.5: label 1 when
//!   `score >= threshold`) when there is no inference attribute;
//! * for CSV outputs an attribute is a column index (`0` = first output column); for JSON outputs
//!   a path (`score`, `predictions.0.score`, `$.score`; a leading `$.` is ignored).
//!
//! The extractor ([`PredictionSink`]) reads the row the capture reader produces, so the same
//! parse serves the profile and the predictions. Output columns are found by name: with
//! `OUTPUT_COLUMNS_POSITION=START` (Model Monitor's default) CSV output column `i` is row column
//! `i`; with `END` only JSON paths are supported.
//!
//! Stored form: JSON Lines, one `{"k": key, "t": ms, "l": label, "s": score}` per prediction
//! (`t`, `l`, `s` omitted when unknown) — about 60 bytes a prediction.

use crate::parser::{EventMeta, RowSink};
use crate::schema::Schema;
use driftline_stats::profile::Cell;
use serde::{Deserialize, Serialize};
use std::io::BufRead;

/// Where a value sits in the endpoint's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribute {
    /// CSV output column (0-based).
    Index(usize),
    /// JSON path (dotted, as the capture reader flattens JSON).
    Path(String),
}

impl Attribute {
    /// Reads an attribute: digits are a CSV column index, anything else a JSON path (a leading
    /// `$.` or `$` is dropped, `[i]` becomes `.i`).
    pub fn parse(s: &str) -> Option<Attribute> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return t.parse().ok().map(Attribute::Index);
        }
        let p = t
            .strip_prefix("$.")
            .or_else(|| t.strip_prefix('$'))
            .unwrap_or(t);
        let p = p.replace('[', ".").replace(']', "");
        let p = p.trim_matches('.').to_string();
        (!p.is_empty()).then_some(Attribute::Path(p))
    }
}

/// Which output values are the prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionSpec {
    /// The predicted label.
    pub inference: Option<Attribute>,
    /// The score (probability of class 1 for binary classification).
    pub probability: Option<Attribute>,
    /// Score → label threshold when there is no inference attribute.
    pub threshold: f64,
}

impl Default for PredictionSpec {
    /// The first output column is the prediction (Model Monitor's usual single-value output).
    fn default() -> Self {
        PredictionSpec {
            inference: Some(Attribute::Index(0)),
            probability: None,
            threshold: 0.5,
        }
    }
}

/// One captured prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Join key: `inferenceId`, else `eventId` (with `#row` for rows after the first of a
    /// multi-row record).
    #[serde(rename = "k")]
    pub key: String,
    /// Inference time, ms since the epoch.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<i64>,
    /// Predicted label, as text.
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Score.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// Formats a score-derived label (`1` / `0`).
fn label_of(score: f64, threshold: f64) -> String {
    if score >= threshold { "1" } else { "0" }.to_string()
}

fn cell_text(c: &Cell<'_>) -> Option<String> {
    match c {
        Cell::Missing => None,
        Cell::Raw(s) | Cell::Str(s) => Some(s.trim().to_string()),
        Cell::Int(i) => Some(i.to_string()),
        Cell::Float(f) => Some(if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{}", *f as i64)
        } else {
            f.to_string()
        }),
        Cell::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
    }
}

fn cell_number(c: &Cell<'_>) -> Option<f64> {
    match c {
        Cell::Raw(s) | Cell::Str(s) => s.trim().parse().ok(),
        Cell::Int(i) => Some(*i as f64),
        Cell::Float(f) => Some(*f),
        Cell::Bool(b) => Some(f64::from(u8::from(*b))),
        Cell::Missing => None,
    }
}

/// Limits of the predictions kept per capture file.
pub const DEFAULT_MAX_PREDICTION_BYTES: usize = 64 << 20;

/// Finds the prediction in each row (the attributes resolved to columns once per schema).
#[derive(Debug, Clone)]
pub struct PredictionExtractor {
    spec: PredictionSpec,
    resolved_for: usize,
    inference_col: Option<usize>,
    probability_col: Option<usize>,
}

impl PredictionExtractor {
    /// An extractor by `spec`.
    pub fn new(spec: PredictionSpec) -> Self {
        PredictionExtractor {
            spec,
            resolved_for: usize::MAX,
            inference_col: None,
            probability_col: None,
        }
    }

    fn resolve(&mut self, schema: &Schema) {
        let find = |a: &Option<Attribute>| -> Option<usize> {
            match a.as_ref()? {
                Attribute::Index(i) => (*i < schema.len()).then_some(*i),
                Attribute::Path(p) => schema.position(p),
            }
        };
        self.inference_col = find(&self.spec.inference);
        self.probability_col = find(&self.spec.probability);
        self.resolved_for = schema.len();
    }

    /// The row's prediction; `None` without a join key or without the attributes' values.
    pub fn extract(
        &mut self,
        meta: &EventMeta<'_>,
        schema: &Schema,
        cells: &[Cell<'_>],
    ) -> Option<Prediction> {
        if self.resolved_for != schema.len() {
            self.resolve(schema);
        }
        let key = meta.inference_id.or(meta.event_id)?;
        let key = if meta.row == 0 {
            key.to_string()
        } else {
            format!("{key}#{}", meta.row)
        };
        let score = self
            .probability_col
            .and_then(|j| cells.get(j))
            .and_then(cell_number)
            .filter(|s| s.is_finite());
        let label = match self.inference_col.and_then(|j| cells.get(j)) {
            Some(c) => cell_text(c),
            None => score.map(|s| label_of(s, self.spec.threshold)),
        };
        (label.is_some() || score.is_some()).then_some(Prediction {
            key,
            time_ms: meta.inference_time_ms,
            label,
            score,
        })
    }
}

/// A [`RowSink`] that records each row's prediction and passes the row on to `inner`.
#[derive(Debug)]
pub struct PredictionSink<S> {
    inner: S,
    extractor: PredictionExtractor,
    out: Vec<u8>,
    max_bytes: usize,
    /// Predictions recorded.
    pub recorded: u64,
    /// Rows without a usable prediction (no key, or the attribute missing from the output).
    pub unusable: u64,
    /// Predictions not recorded because the byte limit was reached.
    pub over_limit: u64,
    /// The predictions come from [`RowSink::output_row`] (the output is not analysed).
    from_output: bool,
    /// Line and number of the output rows last seen (rows of that line beyond them have no
    /// prediction).
    output_line: (u64, u32),
}

impl<S: RowSink> PredictionSink<S> {
    /// Records predictions by `spec` (at most `max_bytes` of stored form) around `inner`.
    pub fn new(inner: S, spec: PredictionSpec, max_bytes: usize) -> Self {
        PredictionSink {
            inner,
            extractor: PredictionExtractor::new(spec),
            out: Vec::new(),
            max_bytes,
            recorded: 0,
            unusable: 0,
            over_limit: 0,
            from_output: false,
            output_line: (0, 0),
        }
    }

    /// Reads the predictions from the endpoint's output rows handed to
    /// [`RowSink::output_row`] (when the parser's capture index leaves the output out of the
    /// analysed rows, [`crate::CaptureIndex::INPUT`]) instead of from the analysed rows.
    pub fn from_output_rows(mut self, yes: bool) -> Self {
        self.from_output = yes;
        self
    }

    fn record(&mut self, p: Option<Prediction>) {
        match p {
            Some(p) => {
                if self.out.len() >= self.max_bytes {
                    self.over_limit += 1;
                } else if serde_json::to_writer(&mut self.out, &p).is_ok() {
                    self.out.push(b'\n');
                    self.recorded += 1;
                }
            }
            None => self.unusable += 1,
        }
    }

    /// The inner sink and the stored predictions (JSON Lines).
    pub fn into_parts(self) -> (S, Vec<u8>) {
        (self.inner, self.out)
    }
}

impl<S: RowSink> RowSink for PredictionSink<S> {
    fn row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]) {
        if !self.from_output {
            let p = self.extractor.extract(meta, schema, cells);
            self.record(p);
        } else if self.output_line.0 != meta.line || meta.row >= self.output_line.1 {
            // An analysed row whose record had no (decodable) output row for it.
            self.unusable += 1;
        }
        self.inner.row(meta, schema, cells);
    }

    fn wants_output(&self) -> bool {
        self.from_output
    }

    fn output_row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]) {
        if !self.from_output {
            return;
        }
        if self.output_line.0 != meta.line {
            self.output_line = (meta.line, 0);
        }
        self.output_line.1 = meta.row + 1;
        let p = self.extractor.extract(meta, schema, cells);
        self.record(p);
    }
}

/// What [`profile_with_predictions`] recorded besides the profile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedPredictions {
    /// Stored form (JSON Lines).
    pub bytes: Vec<u8>,
    /// Predictions recorded.
    pub recorded: u64,
    /// Rows without a usable prediction.
    pub unusable: u64,
    /// Predictions over the byte limit (counted, not recorded).
    pub over_limit: u64,
}

/// Reads one source (plain or gzip) into a profile, as [`crate::profile_reader`] does, and
/// records its predictions in the same pass.
pub fn profile_with_predictions<R: BufRead>(
    mut reader: R,
    source_name: &str,
    opts: &crate::CaptureOptions,
    spec: &PredictionSpec,
    max_bytes: usize,
) -> Result<(crate::CaptureProfile, RecordedPredictions), crate::CaptureError> {
    let mut parser = crate::CaptureParser::new(source_name, opts)?;
    let builder = crate::ProfileBuilder::new(driftline_stats::profile::DatasetProfile::new());
    let mut sink = PredictionSink::new(builder, spec.clone(), max_bytes)
        .from_output_rows(!opts.capture_index.output);
    parser.read_auto(&mut reader, &mut sink)?;
    let (_, stats, faults) = parser.into_parts();
    let (recorded, unusable, over_limit) = (sink.recorded, sink.unusable, sink.over_limit);
    let (builder, bytes) = sink.into_parts();
    Ok((
        crate::CaptureProfile {
            profile: builder.into_profile(),
            faults,
            stats,
            sources: vec![source_name.to_string()],
        },
        RecordedPredictions {
            bytes,
            recorded,
            unusable,
            over_limit,
        },
    ))
}

/// A stored prediction read in place (strings borrowed from the line when they have no
/// escapes): what the join needs, without an allocation per prediction.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PredictionRef<'a> {
    /// Join key.
    #[serde(rename = "k", borrow)]
    pub key: std::borrow::Cow<'a, str>,
    /// Inference time, ms since the epoch.
    #[serde(rename = "t", default)]
    pub time_ms: Option<i64>,
    /// Predicted label.
    #[serde(rename = "l", default, borrow)]
    pub label: Option<std::borrow::Cow<'a, str>>,
    /// Score.
    #[serde(rename = "s", default)]
    pub score: Option<f64>,
}

/// Reads stored predictions (JSON Lines) in place, one reused line buffer; lines that do not
/// parse are counted (returned), not fatal.
pub fn read_prediction_refs<R: BufRead>(
    mut reader: R,
    mut f: impl FnMut(&PredictionRef<'_>),
) -> std::io::Result<u64> {
    let mut bad = 0;
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<PredictionRef<'_>>(&line) {
            Ok(p) => f(&p),
            Err(_) => bad += 1,
        }
    }
    Ok(bad)
}

/// Reads stored predictions (JSON Lines) as owned values; lines that do not parse are counted
/// (returned), not fatal.
pub fn read_predictions<R: BufRead>(
    reader: R,
    mut f: impl FnMut(Prediction),
) -> std::io::Result<u64> {
    read_prediction_refs(reader, |p| {
        f(Prediction {
            key: p.key.to_string(),
            time_ms: p.time_ms,
            label: p.label.as_deref().map(str::to_string),
            score: p.score,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CaptureOptions, CaptureParser, CountingSink};

    fn line(input: &str, output: &str, ct_out: &str, id: &str) -> String {
        serde_json::json!({"captureData": {
            "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": input, "encoding": "CSV"},
            "endpointOutput": {"observedContentType": ct_out, "mode": "OUTPUT", "data": output,
                "encoding": if ct_out.contains("json") { "JSON" } else { "CSV" }}},
            "eventMetadata": {"eventId": format!("e-{id}"), "inferenceId": id, "inferenceTime": "2024-01-01T00:00:01Z"},
            "eventVersion": "0"}).to_string()
    }

    fn run(text: &str, spec: PredictionSpec) -> (Vec<Prediction>, u64) {
        let mut p = CaptureParser::new("t", &CaptureOptions::default()).unwrap();
        let mut sink = PredictionSink::new(CountingSink::default(), spec, 1 << 20);
        p.read(&mut text.as_bytes(), &mut sink).unwrap();
        let unusable = sink.unusable;
        let (_, bytes) = sink.into_parts();
        let mut out = Vec::new();
        assert_eq!(read_predictions(&bytes[..], |x| out.push(x)).unwrap(), 0);
        (out, unusable)
    }

    #[test]
    fn csv_score_becomes_a_label_by_threshold() {
        let text = format!(
            "{}\n{}\n",
            line("1,2", "0.8", "text/csv", "a"),
            line("3,4", "0.2", "text/csv", "b")
        );
        let spec = PredictionSpec {
            inference: None,
            probability: Attribute::parse("0"),
            threshold: 0.5,
        };
        let (p, _) = run(&text, spec);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].key, "a");
        assert_eq!(p[0].label.as_deref(), Some("1"));
        assert_eq!(p[0].score, Some(0.8));
        assert_eq!(p[0].time_ms, Some(1_704_067_201_000));
        assert_eq!(p[1].label.as_deref(), Some("0"));
    }

    #[test]
    fn json_paths_and_a_missing_attribute() {
        let text = format!(
            "{}\n",
            line(
                "1,2",
                "{\"predicted_label\": 1, \"score\": 0.7}",
                "application/json",
                "j"
            )
        );
        let spec = PredictionSpec {
            inference: Attribute::parse("$.predicted_label"),
            probability: Attribute::parse("score"),
            threshold: 0.5,
        };
        let (p, _) = run(&text, spec);
        assert_eq!(p[0].label.as_deref(), Some("1"));
        assert_eq!(p[0].score, Some(0.7));
        let (p, unusable) = run(
            &text,
            PredictionSpec {
                inference: Attribute::parse("nope"),
                probability: None,
                threshold: 0.5,
            },
        );
        assert!(p.is_empty());
        assert_eq!(unusable, 1);
    }

    #[test]
    fn profile_and_predictions_in_one_pass_equal_the_profile_alone() {
        let text = format!(
            "{}\n{}\n",
            line("1,2", "0.8", "text/csv", "a"),
            line("3,4", "0.2", "text/csv", "b")
        );
        let opts = CaptureOptions::default();
        let alone = crate::profile_reader(text.as_bytes(), "t", &opts).unwrap();
        let (both, preds) = profile_with_predictions(
            text.as_bytes(),
            "t",
            &opts,
            &PredictionSpec::default(),
            1 << 20,
        )
        .unwrap();
        assert_eq!(alone, both);
        assert_eq!(preds.recorded, 2);
        let mut got = Vec::new();
        read_predictions(&preds.bytes[..], |p| got.push(p)).unwrap();
        assert_eq!(got[1].label.as_deref(), Some("0.2"));
    }

    /// Input-only analysis (a features-only baseline): the profile sees the input columns
    /// alone, named by the baseline; the predictions still come from the output, CSV and JSON,
    /// multi-row records included; a record whose output does not decode has no prediction.
    #[test]
    fn input_only_analysis_still_records_the_output_predictions() {
        use crate::{CaptureIndex, ColumnSpec};
        let bad_out = line("7,8", "x", "text/csv", "d").replace(
            r#""data":"x","encoding":"CSV""#,
            r#""data":"%%%","encoding":"BASE64""#,
        );
        let text = format!(
            "{}\n{}\n{}\n{}\n",
            line("1,2", "0.8", "text/csv", "a"),
            line("3,4", "0.7", "text/csv", "b"),
            line("5,6\n9,10", "0.9\n0.1", "text/csv", "c"),
            bad_out,
        );
        let opts = CaptureOptions {
            columns: Some(vec![ColumnSpec::numeric("x"), ColumnSpec::numeric("y")]),
            capture_index: CaptureIndex::INPUT,
            ..CaptureOptions::default()
        };
        let spec = PredictionSpec {
            inference: None,
            probability: Attribute::parse("0"),
            threshold: 0.5,
        };
        let (cp, preds) =
            profile_with_predictions(text.as_bytes(), "t", &opts, &spec, 1 << 20).unwrap();
        assert_eq!(cp.faults.total(), 0, "{:?}", cp.faults);
        assert_eq!(cp.stats.rows, 5);
        assert_eq!(cp.profile.columns(), ["x", "y"]);
        let mut got = Vec::new();
        read_predictions(&preds.bytes[..], |p| got.push(p)).unwrap();
        let keys: Vec<&str> = got.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c", "c#1"]);
        let labels: Vec<Option<&str>> = got.iter().map(|p| p.label.as_deref()).collect();
        assert_eq!(labels, [Some("1"), Some("1"), Some("1"), Some("0")]);
        assert_eq!(preds.recorded, 4);
        assert_eq!(preds.unusable, 1, "the record whose output is not base64");

        // A JSON output, found by its path.
        let json = line(
            "3,4",
            "{\"predicted_label\": 1, \"score\": 0.3}",
            "application/json",
            "j",
        );
        let by_path = PredictionSpec {
            inference: Attribute::parse("predicted_label"),
            probability: Attribute::parse("$.score"),
            threshold: 0.5,
        };
        let (cp, preds) =
            profile_with_predictions(json.as_bytes(), "t", &opts, &by_path, 1 << 20).unwrap();
        assert_eq!(cp.profile.columns(), ["x", "y"]);
        let mut got = Vec::new();
        read_predictions(&preds.bytes[..], |p| got.push(p)).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].label.as_deref(), got[0].score),
            (Some("1"), Some(0.3))
        );

        // Both sides analysed (the default) against the same two names: every record is a
        // column-count fault, and the reason says which option fixes it.
        let both = CaptureOptions {
            capture_index: CaptureIndex::BOTH,
            ..opts.clone()
        };
        let cp = crate::profile_reader(text.as_bytes(), "t", &both).unwrap();
        assert_eq!(cp.stats.rows, 0);
        let ex = cp.faults.examples().first().expect("an example");
        assert!(
            ex.reason.contains("--capture-index endpointInput"),
            "{}",
            ex.reason
        );
    }

    #[test]
    fn attributes_parse() {
        assert_eq!(Attribute::parse("2"), Some(Attribute::Index(2)));
        assert_eq!(
            Attribute::parse("$.predictions[0].score"),
            Some(Attribute::Path("predictions.0.score".into()))
        );
        assert_eq!(Attribute::parse("  "), None);
    }
}
