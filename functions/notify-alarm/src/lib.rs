//! # notify-alarm
//!
//! CloudWatch alarm (Lambda action or EventBridge "CloudWatch Alarm State Change") → one
//! plain-text SNS message a person can act on: what crossed which threshold, the drifted or
//! violated features of the endpoint's latest window ranked by severity, record counts, the
//! window, and where the full report is.
//!
//! Alarm parsing, report lookup and SNS limits live in `driftline_aws` (`alarm`, `reports`,
//! `text`), shared with start-retraining.
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod handler;
pub mod message;
