//! Model quality (model drift): SageMaker Model Monitor's model-quality metrics against
//! delayed ground truth, as mergeable state.
//!
//! * [`state`]: the per-window state (confusion counts, score sketches, error sums, five
//!   key-fixed subsamples for standard deviations), merged across files and windows;
//! * [`metrics`]: the metrics and the `statistics.json` document;
//! * [`constraints`]: `constraints.json`, its suggestion, evaluation and the violations;
//! * [`estimate`]: performance estimated from the scores alone before the labels arrive
//!   (confidence-based, calibrated on the labelled baseline).
//!
//! ```
//! use driftline_stats::quality::state::{Observation, ProblemType, QualityState};
//!
//! let mut s = QualityState::new(ProblemType::BinaryClassification);
//! for (i, (label, score)) in [(true, 0.9), (false, 0.2), (true, 0.4), (false, 0.7)].into_iter().enumerate() {
//!     let obs = Observation::Binary { actual: label, predicted: score >= 0.5, score: Some(score) };
//!     s.observe(&format!("event-{i}"), obs).unwrap();
//! }
//! let st = s.statistics(None);
//! assert_eq!(st.get("accuracy").unwrap().value.0, 0.5);
//! assert_eq!(st.get("auc").unwrap().value.0, 0.75);
//! ```

pub mod analysis;
pub mod constraints;
pub mod estimate;
pub mod metrics;
pub mod partial;
pub mod state;
