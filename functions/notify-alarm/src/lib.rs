//! # notify-alarm
//!
//! CloudWatch alarm (Lambda action or EventBridge "CloudWatch Alarm State Change") → one
//! plain-text SNS message a person can act on: what crossed which threshold, the drifted or
//! violated features of the endpoint's latest window ranked by severity, record counts, the
//! window, and where the full report is.
//!
//! [`alarm`] and [`reports`] are also used by start-retraining.

pub mod alarm;
pub mod config;
pub mod handler;
pub mod message;
pub mod reports;
pub mod text;
