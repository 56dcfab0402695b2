//! # evaluate-quality
//!
//! The Lambda function that turns ground truth into model-quality verdicts — model drift, which
//! the inputs alone cannot show:
//!
//! 1. a ground-truth object lands under `GROUND_TRUTH_PREFIX/{endpoint}/yyyy/mm/dd/hh/*.jsonl`
//!    (S3 notification or EventBridge "Object Created", [`driftline_aws::s3_event`]);
//! 2. its labels are joined with the predictions analyze-capture recorded per capture file
//!    (`{prefix}/predictions/…`), searching from the label file's hour back
//!    `GROUND_TRUTH_LOOKBACK_HOURS` and stopping when every label found its prediction;
//! 3. each pair goes to the window of its **inference time** (late labels update old windows);
//!    each window's state (`{prefix}/quality/{endpoint}/{variant}/yyyy/mm/dd/hh/state.json`) is
//!    updated with a conditional write that records the label file, so a retry or a second
//!    delivery changes nothing and two label files for one window never lose each other;
//! 4. the window's model-quality `statistics.json`, `constraint_violations.json`,
//!    `summary.json` and `report.html` are written, and metrics go out in the Embedded Metric
//!    Format (SageMaker's `aws/sagemaker/Endpoints/model-metrics` names, and driftline's own).
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod handler;
