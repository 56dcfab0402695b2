//! The model-quality join: ground-truth labels matched with captured predictions by join key,
//! each pair attributed to the hour of its **inference time** (late labels update old windows),
//! and the windows' model-quality state. One engine for `driftline quality analyze` and the
//! evaluate-quality function, so both give the same figures.
//!
//! Memory: the pending labels of one label file — 16 bytes each in the table (key hash → label
//! index, line; about 36 MB for a million in a table sized with [`Join::reserve`]), plus 8 bytes
//! per regression label or one string per distinct class — and, per window touched, a
//! [`QualityState`]; predictions are streamed past the pending set, never all held (measured:
//! `scripts/bench-quality.sh`, bench/QUALITY-RESULTS.md). Keys are compared by their 64-bit
//! XXH3 hash only: two different keys collide with probability about `n² / 2⁶⁵` (3·10⁻⁸ for a
//! million labels), and a collision would pair a label with the
//! wrong prediction rather than lose one.

use crate::ground_truth::{GroundTruthRecord, GroundTruthRef};
use crate::predictions::Prediction;
use driftline_stats::quality::estimate::{Calibration, EstimateState};
use driftline_stats::quality::state::{Observation, ProblemType, QualityError, QualityState};
use driftline_stats::summary::{FaultExample, Faults};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// The join table's keys are XXH3 values already: hashing them again would only cost time.
#[derive(Debug, Default, Clone, Copy)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type KeyTable<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// The hash labels and predictions are matched by: XXH3-64 of the key's bytes (fast, well
/// mixed, the same on every machine and version).
pub fn join_hash(key: &str) -> u64 {
    twox_hash::XxHash3_64::oneshot(key.as_bytes())
}

/// The most labels an object of `bytes` bytes can hold, for [`Join::reserve`]: the shortest
/// useful record (`{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":
/// {"eventId":"…"},"eventVersion":"0"}` with a 36-character UUID key) is about 130 bytes; a
/// million labels under that estimate (shorter keys) only regrow the table once more.
pub fn labels_in(bytes: u64) -> usize {
    usize::try_from(bytes / 128)
        .unwrap_or(usize::MAX)
        .min(1 << 26)
}

/// Milliseconds in an hour.
const HOUR_MS: i64 = 3_600_000;

/// The hour (ms since the epoch, floored) a time belongs to.
pub fn hour_of(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS) * HOUR_MS
}

/// Reads a binary label (`1`/`0`, `1.0`/`0.0`, `-1`, `true`/`false`, `yes`/`no`), any case.
pub fn binary_label(text: &str) -> Option<bool> {
    // Byte tests rather than a lowercased copy: this runs twice per joined pair.
    let t = text.trim().as_bytes();
    match t {
        b"1" | b"1.0" => Some(true),
        b"0" | b"0.0" | b"-1" => Some(false),
        _ if t.eq_ignore_ascii_case(b"true") || t.eq_ignore_ascii_case(b"yes") => Some(true),
        _ if t.eq_ignore_ascii_case(b"false") || t.eq_ignore_ascii_case(b"no") => Some(false),
        _ => None,
    }
}

/// The observation of one (prediction, ground truth) pair, or why it cannot be used.
pub fn observation<'a>(
    problem: ProblemType,
    prediction: &'a Prediction,
    label: &'a str,
    threshold: f64,
) -> Result<Observation<'a>, String> {
    observation_of(
        problem,
        prediction.label.as_deref(),
        prediction.score,
        label,
        threshold,
    )
}

/// [`observation`] from the prediction's parts.
pub fn observation_of<'a>(
    problem: ProblemType,
    predicted_label: Option<&'a str>,
    score: Option<f64>,
    label: &'a str,
    threshold: f64,
) -> Result<Observation<'a>, String> {
    match problem {
        ProblemType::BinaryClassification => {
            let actual = binary_label(label)
                .ok_or_else(|| format!("ground truth {label:?} is not a binary label (0/1)"))?;
            let predicted = match (predicted_label, score) {
                (Some(l), _) => binary_label(l).or_else(|| {
                    l.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite())
                        .map(|s| s >= threshold)
                }),
                (None, Some(s)) => Some(s >= threshold),
                (None, None) => None,
            }
            .ok_or_else(|| {
                format!(
                    "prediction {:?} is not a binary label",
                    predicted_label.unwrap_or("")
                )
            })?;
            Ok(Observation::Binary {
                actual,
                predicted,
                score,
            })
        }
        ProblemType::MulticlassClassification => {
            let predicted = predicted_label.ok_or("the prediction has no label")?;
            Ok(Observation::Multiclass {
                actual: label.trim(),
                predicted: predicted.trim(),
            })
        }
        ProblemType::Regression => {
            let actual: f64 = label
                .trim()
                .parse()
                .map_err(|_| format!("ground truth {label:?} is not a number"))?;
            let predicted = regression_prediction(predicted_label, score)
                .ok_or("the prediction is not a number")?;
            Ok(Observation::Regression { actual, predicted })
        }
    }
}

/// Adds one binary prediction to a confidence-based estimate: its score, calibrated, is the
/// expected value of its label; its predicted class is its label read as binary, else
/// `score ≥ threshold`. A prediction without a finite score is not counted.
pub fn estimate_prediction(
    state: &mut EstimateState,
    cal: &Calibration,
    label: Option<&str>,
    score: Option<f64>,
    threshold: f64,
) {
    let Some(score) = score.filter(|s| s.is_finite()) else {
        return;
    };
    let predicted = label.and_then(binary_label).unwrap_or(score >= threshold);
    state.observe(cal, predicted, score);
}

/// The estimate of stored predictions (JSON Lines, as analyze-capture records them).
pub fn estimate_stored(jsonl: &[u8], cal: &Calibration, threshold: f64) -> EstimateState {
    let mut state = EstimateState::default();
    // Reading a byte slice cannot fail; lines that do not parse are not predictions.
    let _ = crate::predictions::read_prediction_refs(jsonl, |p| {
        estimate_prediction(&mut state, cal, p.label.as_deref(), p.score, threshold)
    });
    state
}

/// A regression prediction: its label parsed as a number, else its score.
fn regression_prediction(label: Option<&str>, score: Option<f64>) -> Option<f64> {
    match (label, score) {
        (Some(l), _) => l.trim().parse::<f64>().ok(),
        (None, s) => s,
    }
}

/// The labels pending entries point into: interned texts for classes (a file's labels are a
/// handful of values), parsed numbers for regression (every label is its own value; 8 bytes
/// each, NaN when it does not parse).
#[derive(Debug)]
enum Truths {
    Classes {
        texts: Vec<String>,
        ids: HashMap<String, u32>,
    },
    Numbers(Vec<f64>),
}

impl Truths {
    /// Stores a label; returns its index.
    fn add(&mut self, text: &str) -> u32 {
        match self {
            Truths::Classes { texts, ids } => match ids.get(text) {
                Some(id) => *id,
                None => {
                    let id = texts.len() as u32;
                    texts.push(text.to_string());
                    ids.insert(text.to_string(), id);
                    id
                }
            },
            Truths::Numbers(v) => {
                v.push(text.trim().parse::<f64>().unwrap_or(f64::NAN));
                (v.len() - 1) as u32
            }
        }
    }
}

/// A label waiting for its prediction: its index in [`Truths`] and its line.
#[derive(Debug, Clone, Copy)]
struct Pending {
    label: u32,
    line: u32,
}

/// The index of the window `(group, hour)` in `windows`, added if new.
fn window_slot(
    windows: &mut Vec<((String, i64), QualityState)>,
    index: &mut HashMap<(String, i64), usize>,
    last: &mut usize,
    (group, hour): (&str, i64),
    problem: ProblemType,
) -> usize {
    if let Some(((g, h), _)) = windows.get(*last) {
        if *h == hour && g == group {
            return *last;
        }
    }
    let key = (group.to_string(), hour);
    let i = match index.get(&key) {
        Some(i) => *i,
        None => {
            windows.push((key.clone(), QualityState::new(problem)));
            index.insert(key, windows.len() - 1);
            windows.len() - 1
        }
    };
    *last = i;
    i
}

/// Fault kinds of the join.
pub mod kinds {
    /// A label whose join key no prediction has (yet).
    pub const UNMATCHED_LABEL: &str = "unmatched_label";
    /// A second label for the same key in one file (the first is kept).
    pub const DUPLICATE_LABEL: &str = "duplicate_label";
    /// A label without `inferenceId` or `eventId`.
    pub const LABEL_WITHOUT_KEY: &str = "label_without_key";
    /// A pair that does not fit the problem type (e.g. label `"maybe"` for binary).
    pub const BAD_PAIR: &str = "bad_pair";
}

/// Joins one source of labels with predictions streamed past it.
#[derive(Debug)]
pub struct Join {
    problem: ProblemType,
    threshold: f64,
    source: String,
    pending: KeyTable<Pending>,
    /// The labels the pending entries point into.
    truths: Truths,
    /// The windows touched: (group, window hour in ms) and the state of the pairs matched. The
    /// group is the caller's (analyze-capture's variant; empty for the CLI).
    windows: Vec<((String, i64), QualityState)>,
    /// Where each window is in `windows`.
    window_index: HashMap<(String, i64), usize>,
    /// The window the last pair went to (consecutive predictions mostly share one).
    last_window: usize,
    /// Pairs matched.
    pub matched: u64,
    /// Labels read.
    pub labels: u64,
    /// Join faults (unmatched labels are added by [`Join::finish`]).
    pub faults: Faults,
    max_examples: usize,
}

impl Join {
    /// A join for labels of `source` (named in fault examples).
    pub fn new(problem: ProblemType, threshold: f64, source: &str) -> Self {
        Join {
            problem,
            threshold,
            source: source.to_string(),
            pending: KeyTable::default(),
            truths: match problem {
                ProblemType::Regression => Truths::Numbers(Vec::new()),
                _ => Truths::Classes {
                    texts: Vec::new(),
                    ids: HashMap::new(),
                },
            },
            windows: Vec::new(),
            window_index: HashMap::new(),
            last_window: 0,
            matched: 0,
            labels: 0,
            faults: Faults::default(),
            max_examples: 20,
        }
    }

    fn fault(&mut self, kind: &str, line: u64, reason: String) {
        *self.faults.counts.entry(kind.to_string()).or_insert(0) += 1;
        let same = self
            .faults
            .examples
            .iter()
            .filter(|e| e.kind == kind)
            .count();
        if self.faults.examples.len() < self.max_examples && same < 3 {
            self.faults.examples.push(FaultExample {
                source: self.source.clone(),
                line,
                kind: kind.to_string(),
                reason,
            });
        }
    }

    /// Room for `additional` more labels without regrowing the table (e.g. from the label
    /// object's size: growing a full table briefly holds it twice).
    pub fn reserve(&mut self, additional: usize) {
        self.pending.reserve(additional);
    }

    /// Adds one ground-truth record.
    pub fn add_label(&mut self, r: &GroundTruthRecord) {
        self.add_label_parts(r.line, r.join_key(), &r.value.label_text());
    }

    /// Adds one ground-truth record read in place.
    pub fn add_label_ref(&mut self, r: &GroundTruthRef<'_>) {
        self.add_label_parts(r.line, r.join_key(), &r.label);
    }

    /// Adds the label `text` of join key `key`, read at `line`.
    pub fn add_label_parts(&mut self, line: u64, key: Option<&str>, text: &str) {
        self.labels += 1;
        let Some(key) = key else {
            self.fault(
                kinds::LABEL_WITHOUT_KEY,
                line,
                "no eventMetadata.inferenceId or eventId".into(),
            );
            return;
        };
        // One probe of the table: a vacant slot takes the label, an occupied one is a duplicate.
        let line32 = u32::try_from(line).unwrap_or(u32::MAX);
        let duplicate = match self.pending.entry(join_hash(key)) {
            std::collections::hash_map::Entry::Occupied(_) => true,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(Pending {
                    label: self.truths.add(text),
                    line: line32,
                });
                false
            }
        };
        if duplicate {
            self.fault(
                kinds::DUPLICATE_LABEL,
                line,
                format!("a second label for {key:?}; the first is kept"),
            );
        }
    }

    /// Labels still waiting for a prediction.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Offers one prediction; `fallback_hour_ms` is the window of its file when it has no
    /// inference time. Returns true when it matched a pending label.
    pub fn offer(&mut self, p: &Prediction, fallback_hour_ms: i64) -> bool {
        self.offer_in("", p, fallback_hour_ms)
    }

    /// [`Join::offer`] for predictions of `group` (e.g. a production variant): matched pairs go
    /// to that group's windows.
    pub fn offer_in(&mut self, group: &str, p: &Prediction, fallback_hour_ms: i64) -> bool {
        self.offer_parts(
            group,
            &p.key,
            p.time_ms,
            p.label.as_deref(),
            p.score,
            fallback_hour_ms,
        )
    }

    /// [`Join::offer_in`] from a prediction's parts (e.g. a borrowed
    /// [`crate::predictions::PredictionRef`]): no allocation unless the key matches.
    pub fn offer_parts(
        &mut self,
        group: &str,
        key: &str,
        time_ms: Option<i64>,
        label: Option<&str>,
        score: Option<f64>,
        fallback_hour_ms: i64,
    ) -> bool {
        let Some(pend) = self.pending.remove(&join_hash(key)) else {
            return false;
        };
        let hour = time_ms.map(hour_of).unwrap_or(fallback_hour_ms);
        let problem = self.problem;
        let obs = match &self.truths {
            Truths::Numbers(v) => match v.get(pend.label as usize).copied() {
                Some(actual) if !actual.is_nan() => regression_prediction(label, score)
                    .map(|predicted| Observation::Regression { actual, predicted })
                    .ok_or_else(|| "the prediction is not a number".to_string()),
                _ => Err("the ground truth is not a number".to_string()),
            },
            Truths::Classes { texts, .. } => {
                let truth = texts.get(pend.label as usize).map_or("", String::as_str);
                observation_of(problem, label, score, truth, self.threshold)
            }
        };
        let result = match obs {
            Ok(obs) => {
                let i = window_slot(
                    &mut self.windows,
                    &mut self.window_index,
                    &mut self.last_window,
                    (group, hour),
                    problem,
                );
                self.windows[i]
                    .1
                    .observe(key, obs)
                    .map_err(|e: QualityError| e.to_string())
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                self.matched += 1;
                true
            }
            Err(reason) => {
                self.fault(
                    kinds::BAD_PAIR,
                    u64::from(pend.line),
                    format!("{key:?}: {reason}"),
                );
                true
            }
        }
    }

    /// Ends the join: every label still pending is counted as unmatched (returned with keys).
    pub fn finish(mut self) -> JoinResult {
        let mut unmatched: Vec<Pending> = std::mem::take(&mut self.pending).into_values().collect();
        unmatched.sort_by_key(|p| p.line);
        for p in &unmatched {
            let reason = "no prediction with this label's join key in the window searched".into();
            self.fault(kinds::UNMATCHED_LABEL, u64::from(p.line), reason);
        }
        JoinResult {
            windows: self.windows.into_iter().collect(),
            matched: self.matched,
            labels: self.labels,
            unmatched: unmatched.len() as u64,
            faults: self.faults,
        }
    }
}

/// What a join produced.
#[derive(Debug, Clone)]
pub struct JoinResult {
    /// Per (group, window hour in ms since the epoch), the state of the matched pairs.
    pub windows: BTreeMap<(String, i64), QualityState>,
    /// Pairs matched.
    pub matched: u64,
    /// Labels read.
    pub labels: u64,
    /// Labels without a prediction.
    pub unmatched: u64,
    /// Join faults by kind, with examples.
    pub faults: Faults,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground_truth::GroundTruthValue;

    fn label(line: u64, id: &str, v: &str) -> GroundTruthRecord {
        GroundTruthRecord {
            line,
            event_id: Some(id.to_string()),
            inference_id: None,
            inference_time: None,
            value: GroundTruthValue::Csv(v.to_string()),
        }
    }

    fn pred(k: &str, t: Option<i64>, l: &str, s: f64) -> Prediction {
        Prediction {
            key: k.into(),
            time_ms: t,
            label: Some(l.into()),
            score: Some(s),
        }
    }

    #[test]
    fn late_labels_go_to_the_hour_of_their_inference() {
        let mut j = Join::new(ProblemType::BinaryClassification, 0.5, "gt.jsonl");
        j.add_label(&label(1, "a", "1"));
        j.add_label(&label(2, "b", "0"));
        j.add_label(&label(3, "b", "1"));
        j.add_label(&label(4, "c", "maybe"));
        j.add_label(&label(5, "d", "1"));
        let h9 = 9 * HOUR_MS;
        assert!(j.offer(&pred("a", Some(h9 + 5), "1", 0.9), 0));
        assert!(j.offer(&pred("b", Some(h9 + HOUR_MS + 1), "1", 0.8), 0));
        assert!(j.offer(&pred("c", None, "0", 0.1), 42 * HOUR_MS));
        assert!(!j.offer(&pred("zzz", None, "0", 0.1), 0));
        assert!(
            !j.offer(&pred("a", None, "0", 0.1), 0),
            "a label matches once"
        );
        let r = j.finish();
        assert_eq!((r.labels, r.matched, r.unmatched), (5, 2, 1));
        let hours: Vec<i64> = r.windows.keys().map(|(_, h)| *h).collect();
        assert_eq!(hours, [h9, h9 + HOUR_MS]);
        assert_eq!(r.faults.counts[kinds::DUPLICATE_LABEL], 1);
        assert_eq!(r.faults.counts[kinds::BAD_PAIR], 1);
        assert_eq!(r.faults.counts[kinds::UNMATCHED_LABEL], 1);
        assert!(r.faults.examples.iter().any(|e| e.line == 5));
    }

    #[test]
    fn regression_labels_are_stored_as_numbers_and_bad_ones_are_faults() {
        let mut j = Join::new(ProblemType::Regression, 0.5, "gt.jsonl");
        j.add_label(&label(1, "a", " 2.5 "));
        j.add_label(&label(2, "b", "x"));
        j.add_label(&label(3, "c", "1"));
        assert!(j.offer(&pred("a", Some(0), "2.0", 2.0), 0));
        assert!(j.offer(&pred("b", Some(0), "1.0", 1.0), 0));
        let no_number = Prediction {
            key: "c".into(),
            time_ms: Some(0),
            label: Some("n/a".into()),
            score: None,
        };
        assert!(j.offer(&no_number, 0));
        let r = j.finish();
        assert_eq!((r.matched, r.faults.counts[kinds::BAD_PAIR]), (1, 2));
        let st = r.windows[&(String::new(), 0)].statistics(None);
        assert_eq!(st.get("mae").map(|m| m.value.0), Some(0.5));
        let reasons: Vec<&str> = r
            .faults
            .examples
            .iter()
            .map(|e| e.reason.as_str())
            .collect();
        assert!(reasons
            .iter()
            .any(|r| r.contains("ground truth is not a number")));
        assert!(reasons
            .iter()
            .any(|r| r.contains("prediction is not a number")));
    }

    #[test]
    fn pairs_of_several_groups_and_hours_keep_their_windows() {
        let mut j = Join::new(ProblemType::BinaryClassification, 0.5, "gt.jsonl");
        for (i, k) in ["a", "b", "c", "d"].iter().enumerate() {
            j.add_label(&label(i as u64 + 1, k, "1"));
        }
        j.reserve(10);
        assert!(j.offer_in("v1", &pred("a", Some(0), "1", 0.9), 0));
        assert!(j.offer_in("v2", &pred("b", Some(0), "0", 0.1), 0));
        assert!(j.offer_in("v1", &pred("c", Some(HOUR_MS), "1", 0.9), 0));
        assert!(j.offer_in("v1", &pred("d", Some(5), "0", 0.2), 0));
        let r = j.finish();
        let counts: Vec<(&str, i64, u64)> = r
            .windows
            .iter()
            .map(|((g, h), s)| (g.as_str(), *h, s.count()))
            .collect();
        assert_eq!(counts, [("v1", 0, 2), ("v1", HOUR_MS, 1), ("v2", 0, 1)]);
    }

    #[test]
    fn estimates_count_scored_predictions_by_their_predicted_class() {
        let cal = Calibration {
            scores: vec![0.0, 1.0],
            probabilities: vec![0.0, 1.0],
            fitted_on: 2,
        };
        let jsonl = concat!(
            r#"{"k":"a","s":0.9}"#,
            "\n",
            r#"{"k":"b","l":"0","s":0.7}"#,
            "\n",
            r#"{"k":"c","l":"1"}"#,
            "\n",
            "not json\n",
            r#"{"k":"d","s":0.2}"#,
            "\n"
        );
        let e = estimate_stored(jsonl.as_bytes(), &cal, 0.5);
        // a: predicted 1 (0.9 ≥ 0.5), b: label 0 wins over its score, c: no score, d: predicted 0.
        assert_eq!(e.n, 3);
        assert!((e.expected_tp - 0.9).abs() < 1e-12);
        assert!((e.expected_fn - 0.9).abs() < 1e-12, "b's 0.7 + d's 0.2");
        assert!((e.expected_tn - 1.1).abs() < 1e-12);
    }

    #[test]
    fn labels_and_predictions_by_problem_type() {
        let p = pred("k", None, "0.7", 0.7);
        assert!(matches!(
            observation(ProblemType::BinaryClassification, &p, "1", 0.5),
            Ok(Observation::Binary {
                actual: true,
                predicted: true,
                score: Some(_)
            })
        ));
        assert!(matches!(
            observation(ProblemType::Regression, &p, "2.5", 0.5),
            Ok(Observation::Regression { actual, predicted }) if actual == 2.5 && predicted == 0.7
        ));
        assert!(observation(ProblemType::Regression, &p, "x", 0.5).is_err());
        let none = Prediction {
            key: "k".into(),
            time_ms: None,
            label: None,
            score: None,
        };
        assert!(observation(ProblemType::MulticlassClassification, &none, "cat", 0.5).is_err());
        assert_eq!(binary_label(" TRUE "), Some(true));
        assert_eq!(hour_of(-1), -HOUR_MS);
    }
}
