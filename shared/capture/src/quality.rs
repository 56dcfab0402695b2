//! The model-quality join: ground-truth labels matched with captured predictions by join key,
//! each pair attributed to the hour of its **inference time** (late labels update old windows),
//! and the windows' model-quality state. One engine for `driftline quality analyze` and the
//! evaluate-quality function, so both give the same figures.
//!
//! Memory: the pending labels of one label file (key hash → label) and, per window touched, a
//! [`QualityState`]; predictions are streamed past the pending set, never all held. Keys are
//! compared by a 64-bit SipHash (`std`'s fixed-key hasher): two different keys collide with
//! probability about `n² / 2⁶⁵` (3·10⁻⁸ for a million labels), and a collision would pair a label
//! with the wrong prediction rather than lose one.

use crate::ground_truth::GroundTruthRecord;
use crate::predictions::Prediction;
use driftline_stats::quality::state::{Observation, ProblemType, QualityError, QualityState};
use driftline_stats::summary::{FaultExample, Faults};
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

/// The hash labels and predictions are matched by.
pub fn join_hash(key: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// Milliseconds in an hour.
const HOUR_MS: i64 = 3_600_000;

/// The hour (ms since the epoch, floored) a time belongs to.
pub fn hour_of(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS) * HOUR_MS
}

/// Reads a binary label (`1`/`0`, `1.0`/`0.0`, `true`/`false`, `yes`/`no`), any case.
pub fn binary_label(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "1.0" | "true" | "yes" => Some(true),
        "0" | "0.0" | "-1" | "false" | "no" => Some(false),
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
    match problem {
        ProblemType::BinaryClassification => {
            let actual = binary_label(label)
                .ok_or_else(|| format!("ground truth {label:?} is not a binary label (0/1)"))?;
            let predicted = match (&prediction.label, prediction.score) {
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
                    prediction.label.as_deref().unwrap_or("")
                )
            })?;
            Ok(Observation::Binary {
                actual,
                predicted,
                score: prediction.score,
            })
        }
        ProblemType::MulticlassClassification => {
            let predicted = prediction
                .label
                .as_deref()
                .ok_or("the prediction has no label")?;
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
            let predicted = match (&prediction.label, prediction.score) {
                (Some(l), _) => l.trim().parse::<f64>().ok(),
                (None, s) => s,
            }
            .ok_or("the prediction is not a number")?;
            Ok(Observation::Regression { actual, predicted })
        }
    }
}

/// A label waiting for its prediction.
#[derive(Debug, Clone)]
struct Pending {
    key: String,
    label: String,
    line: u64,
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
    pending: HashMap<u64, Pending>,
    /// Per (group, window hour in ms), the state of the pairs matched. The group is the
    /// caller's (analyze-capture's variant; empty for the CLI).
    pub windows: BTreeMap<(String, i64), QualityState>,
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
            pending: HashMap::new(),
            windows: BTreeMap::new(),
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

    /// Adds one ground-truth record.
    pub fn add_label(&mut self, r: &GroundTruthRecord) {
        self.labels += 1;
        let Some(key) = r.join_key() else {
            self.fault(
                kinds::LABEL_WITHOUT_KEY,
                r.line,
                "no eventMetadata.inferenceId or eventId".into(),
            );
            return;
        };
        let h = join_hash(key);
        if self.pending.contains_key(&h) {
            self.fault(
                kinds::DUPLICATE_LABEL,
                r.line,
                format!("a second label for {key:?}; the first is kept"),
            );
            return;
        }
        self.pending.insert(
            h,
            Pending {
                key: key.to_string(),
                label: r.value.label_text(),
                line: r.line,
            },
        );
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
        let h = join_hash(&p.key);
        let Some(pend) = self.pending.get(&h) else {
            return false;
        };
        if pend.key != p.key {
            return false;
        }
        let Some(pend) = self.pending.remove(&h) else {
            return false;
        };
        let hour = p.time_ms.map(hour_of).unwrap_or(fallback_hour_ms);
        let problem = self.problem;
        let result = match observation(problem, p, &pend.label, self.threshold) {
            Ok(obs) => self
                .windows
                .entry((group.to_string(), hour))
                .or_insert_with(|| QualityState::new(problem))
                .observe(&p.key, obs)
                .map_err(|e: QualityError| e.to_string()),
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
                    pend.line,
                    format!("{:?}: {reason}", pend.key),
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
            let reason = format!(
                "no prediction with join key {:?} in the window searched",
                p.key
            );
            self.fault(kinds::UNMATCHED_LABEL, p.line, reason);
        }
        JoinResult {
            windows: self.windows,
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
