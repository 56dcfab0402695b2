//! # start-retraining
//!
//! Invoked by EventBridge when the "drift confirmed" alarm enters ALARM. Re-checks the evidence
//! in S3 (drift in at least k of the last n window summaries, each with enough records), never
//! storms (in-flight and cooldown checks through `ListPipelineExecutions`, a deterministic
//! `ClientRequestToken`), starts the SageMaker pipeline with the evidence as parameters, and
//! writes an audit record for every decision.
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod decision;
pub mod handler;
