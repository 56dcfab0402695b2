//! Labelled data sets (the model-quality baseline): each row's ground truth, prediction and
//! probability into a mergeable [`QualityPartial`], read by the same readers (CSV, JSON Lines,
//! Parquet; whole, by byte range or by row group) as the data-quality baseline.
//!
//! A row picks its five subsamples (the metrics' standard deviations) by a hash of its whole
//! content, not its position, so shard profiles merge into what one pass gives
//! ([`driftline_stats::quality::partial`]).
//!
//! ```
//! use driftline_dataset::labelled::{LabelSpec, LabelledSink};
//! use driftline_stats::quality::state::ProblemType;
//!
//! let spec = LabelSpec::new(ProblemType::BinaryClassification, "label")
//!     .with_probability("p");
//! let mut sink = LabelledSink::new(&spec)?;
//! let csv = "label,p\n1,0.9\n0,0.2\n1,0.4\n0,0.7\n";
//! driftline_dataset::read_csv(csv.as_bytes(), true, None, "v.csv", &mut sink)?;
//! let (records, partial) = sink.finish();
//! assert_eq!(records, 4);
//! let stats = partial.statistics();
//! assert_eq!(stats.get("accuracy").unwrap().value.0, 0.5);
//! # Ok::<(), anyhow::Error>(())
//! ```

use crate::sink::RowSink;
use anyhow::{bail, Result};
use driftline_capture::quality::binary_label;
use driftline_stats::profile::Cell;
use driftline_stats::quality::partial::QualityPartial;
use driftline_stats::quality::state::{Observation, ProblemType};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Where a labelled data set keeps what the model-quality baseline needs. A column is named
/// (a header name, a flattened JSON path `a.b`, a Parquet column) or given as a 0-based
/// position when no column has that name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct LabelSpec {
    /// The problem type (`BinaryClassification`, `MulticlassClassification`, `Regression`).
    pub problem_type: ProblemType,
    /// Column of the ground truth.
    pub ground_truth_attribute: String,
    /// Column of the predicted label (value, for regression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_attribute: Option<String>,
    /// Column of the probability of class 1 (binary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_attribute: Option<String>,
    /// Probability from which the predicted label is 1 when there is no inference attribute.
    #[serde(default = "half")]
    pub probability_threshold: f64,
}

fn half() -> f64 {
    0.5
}

impl LabelSpec {
    /// A spec with the ground truth only (add the prediction's columns).
    pub fn new(problem_type: ProblemType, ground_truth: &str) -> Self {
        LabelSpec {
            problem_type,
            ground_truth_attribute: ground_truth.to_string(),
            inference_attribute: None,
            probability_attribute: None,
            probability_threshold: 0.5,
        }
    }

    /// With the predicted label's column.
    pub fn with_inference(mut self, col: &str) -> Self {
        self.inference_attribute = Some(col.to_string());
        self
    }

    /// With the probability's column.
    pub fn with_probability(mut self, col: &str) -> Self {
        self.probability_attribute = Some(col.to_string());
        self
    }

    /// Checks that the spec can build observations: a prediction (an inference attribute, or
    /// a probability for binary problems) and a threshold in [0, 1].
    pub fn validate(&self) -> Result<()> {
        if self.ground_truth_attribute.trim().is_empty() {
            bail!("the ground-truth attribute is empty");
        }
        if self.inference_attribute.is_none() && self.probability_attribute.is_none() {
            bail!("give an inference attribute or a probability attribute (or both)");
        }
        if self.problem_type != ProblemType::BinaryClassification
            && self.inference_attribute.is_none()
        {
            bail!(
                "an inference attribute is required for {} problems",
                self.problem_type.as_str()
            );
        }
        if !(0.0..=1.0).contains(&self.probability_threshold) {
            bail!(
                "the probability threshold {} is not in [0, 1]",
                self.probability_threshold
            );
        }
        Ok(())
    }
}

/// A column of the spec: its name, where it was found, and the current row's text.
#[derive(Debug, Default)]
struct Wanted {
    spec: String,
    index: Option<usize>,
    text: String,
    present: bool,
    by_name: bool,
}

impl Wanted {
    fn new(spec: &str) -> Self {
        Wanted {
            spec: spec.to_string(),
            ..Wanted::default()
        }
    }

    /// Column `i`, `name`, was registered: the spec takes it by name, or by position while
    /// no column has its name.
    fn offer(&mut self, i: usize, name: &str) {
        if self.spec == name {
            self.index = Some(i);
            self.by_name = true;
        } else if !self.by_name && self.index.is_none() && self.spec.trim().parse() == Ok(i) {
            self.index = Some(i);
        }
    }

    fn value(&self, what: &str, names: &[String]) -> Result<&str> {
        match (self.index, self.present) {
            (Some(_), true) => Ok(self.text.trim()),
            (Some(i), false) => bail!("no {what} (column {} is empty)", names[i]),
            (None, _) => bail!(
                "no column {:?} for the {what} (columns: {})",
                self.spec,
                names.join(", ")
            ),
        }
    }
}

/// A [`RowSink`] that turns labelled rows into a [`QualityPartial`].
#[derive(Debug)]
pub struct LabelledSink {
    spec: LabelSpec,
    names: Vec<String>,
    gt: Wanted,
    inference: Option<Wanted>,
    probability: Option<Wanted>,
    hash: u64,
    records: u64,
    partial: QualityPartial,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A cell's text as a label or number reads it.
fn write_text(out: &mut String, cell: &Cell<'_>) {
    out.clear();
    match cell {
        Cell::Missing => {}
        Cell::Raw(s) | Cell::Str(s) => out.push_str(s),
        Cell::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Cell::Float(f) => {
            let _ = write!(out, "{f}");
        }
        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

impl LabelledSink {
    /// A sink for `spec` (checked with [`LabelSpec::validate`]).
    pub fn new(spec: &LabelSpec) -> Result<Self> {
        spec.validate()?;
        Ok(LabelledSink {
            gt: Wanted::new(&spec.ground_truth_attribute),
            inference: spec.inference_attribute.as_deref().map(Wanted::new),
            probability: spec.probability_attribute.as_deref().map(Wanted::new),
            spec: spec.clone(),
            names: Vec::new(),
            hash: FNV_OFFSET,
            records: 0,
            partial: QualityPartial::new(spec.problem_type),
        })
    }

    /// Rows read, and the model-quality partial.
    pub fn finish(self) -> (u64, QualityPartial) {
        (self.records, self.partial)
    }

    fn wanted(&mut self) -> impl Iterator<Item = &mut Wanted> {
        std::iter::once(&mut self.gt)
            .chain(self.inference.as_mut())
            .chain(self.probability.as_mut())
    }

    fn observe(&mut self) -> Result<()> {
        let names = &self.names;
        let label = self.gt.value("ground truth", names)?;
        let predicted = self
            .inference
            .as_ref()
            .map(|w| w.value("prediction", names))
            .transpose()?;
        let score = match &self.probability {
            Some(w) => {
                let t = w.value("probability", names)?;
                let s: f64 = t
                    .parse()
                    .map_err(|_| anyhow::anyhow!("probability {t:?} is not a number"))?;
                Some(s)
            }
            None => None,
        };
        let obs = match self.spec.problem_type {
            ProblemType::BinaryClassification => {
                let actual = binary_label(label)
                    .ok_or_else(|| anyhow::anyhow!("label {label:?} is not 0/1"))?;
                let predicted = match (predicted, score) {
                    (Some(p), _) => binary_label(p)
                        .ok_or_else(|| anyhow::anyhow!("prediction {p:?} is not 0/1"))?,
                    (None, Some(s)) => s >= self.spec.probability_threshold,
                    (None, None) => bail!("no prediction column"),
                };
                Observation::Binary {
                    actual,
                    predicted,
                    score,
                }
            }
            ProblemType::MulticlassClassification => Observation::Multiclass {
                actual: label,
                predicted: predicted.unwrap_or_default(),
            },
            ProblemType::Regression => {
                let actual: f64 = label
                    .parse()
                    .map_err(|_| anyhow::anyhow!("label {label:?} is not a number"))?;
                let p = predicted.unwrap_or_default();
                let predicted: f64 = p
                    .parse()
                    .map_err(|_| anyhow::anyhow!("prediction {p:?} is not a number"))?;
                Observation::Regression { actual, predicted }
            }
        };
        self.partial
            .observe(self.hash, obs)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

impl RowSink for LabelledSink {
    fn column(&mut self, name: &str) -> usize {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i;
        }
        let i = self.names.len();
        self.names.push(name.to_string());
        for w in self.wanted() {
            w.offer(i, name);
        }
        i
    }

    fn cell(&mut self, col: usize, cell: Cell<'_>) {
        // The row's content hash: every cell with its column.
        self.hash = fnv(self.hash, &(col as u64).to_le_bytes());
        match &cell {
            Cell::Missing => self.hash = fnv(self.hash, &[0]),
            Cell::Raw(s) | Cell::Str(s) => self.hash = fnv(fnv(self.hash, &[1]), s.as_bytes()),
            Cell::Int(i) => self.hash = fnv(fnv(self.hash, &[2]), &i.to_le_bytes()),
            Cell::Float(f) => self.hash = fnv(fnv(self.hash, &[3]), &f.to_bits().to_le_bytes()),
            Cell::Bool(b) => self.hash = fnv(self.hash, &[4, u8::from(*b)]),
        }
        for w in self.wanted() {
            if w.index == Some(col) {
                write_text(&mut w.text, &cell);
                w.present = !matches!(cell, Cell::Missing);
            }
        }
    }

    fn end_row(&mut self) -> Result<()> {
        let result = self.observe();
        for w in self.wanted() {
            w.present = false;
            w.text.clear();
        }
        self.hash = FNV_OFFSET;
        result?;
        self.records += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::{read_csv, read_jsonl};

    fn binary() -> LabelSpec {
        LabelSpec::new(ProblemType::BinaryClassification, "y").with_probability("p")
    }

    #[test]
    fn a_bad_row_names_its_line_and_the_problem() {
        let mut sink = LabelledSink::new(&binary()).unwrap();
        let err = read_csv(
            "y,p\n1,0.3\n2,0.4\n".as_bytes(),
            true,
            None,
            "v.csv",
            &mut sink,
        )
        .unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("v.csv: line 3") && msg.contains("\"2\" is not 0/1"),
            "{msg}"
        );
        let mut sink = LabelledSink::new(&binary()).unwrap();
        let err = read_csv("y,q\n1,0.3\n".as_bytes(), true, None, "v.csv", &mut sink).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("no column \"p\"") && msg.contains("columns: y, q"),
            "{msg}"
        );
        let mut sink = LabelledSink::new(&binary()).unwrap();
        let err = read_csv("y,p\n,0.3\n".as_bytes(), true, None, "v.csv", &mut sink).unwrap_err();
        assert!(format!("{err:#}").contains("column y is empty"), "{err:#}");
    }

    #[test]
    fn specs_are_checked() {
        let s = LabelSpec::new(ProblemType::Regression, "y").with_probability("p");
        assert!(LabelledSink::new(&s).is_err());
        assert!(
            LabelledSink::new(&LabelSpec::new(ProblemType::BinaryClassification, "y")).is_err()
        );
        let mut s = binary();
        s.probability_threshold = 1.5;
        assert!(LabelledSink::new(&s).is_err());
        let s: LabelSpec = serde_json::from_str(
            r#"{"ProblemType":"Regression","GroundTruthAttribute":"y","InferenceAttribute":"yhat"}"#,
        )
        .unwrap();
        assert_eq!(s.probability_threshold, 0.5);
        assert!(serde_json::from_str::<LabelSpec>(
            r#"{"ProblemType":"Regression","GroundTruthAttribute":"y","Typo":1}"#
        )
        .is_err());
    }

    #[test]
    fn positions_typed_cells_and_formats_agree() {
        // Headerless CSV by position, and the same rows as typed JSON Lines by name.
        let spec = LabelSpec::new(ProblemType::Regression, "0").with_inference("1");
        let mut a = LabelledSink::new(&spec).unwrap();
        read_csv("1.5,2\n3,2.5\n".as_bytes(), false, None, "a.csv", &mut a).unwrap();
        let spec = LabelSpec::new(ProblemType::Regression, "y").with_inference("yhat");
        let mut b = LabelledSink::new(&spec).unwrap();
        read_jsonl(
            "{\"y\": 1.5, \"yhat\": 2}\n{\"y\": 3, \"yhat\": 2.5}\n".as_bytes(),
            "b.jsonl",
            &mut b,
        )
        .unwrap();
        let (na, pa) = a.finish();
        let (nb, pb) = b.finish();
        assert_eq!((na, nb), (2, 2));
        assert_eq!(
            pa.statistics().get("mae").unwrap().value.0,
            pb.statistics().get("mae").unwrap().value.0
        );
        assert_eq!(pa.statistics().get("mae").unwrap().value.0, 0.5);
    }
}
