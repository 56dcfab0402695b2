//! The profile-shard Lambda function: the tasks of driftline's baseline workflow (a Step
//! Functions Distributed Map over a training set in S3, see `docs/SCALE.md`).
//!
//! * `start` validates the execution's input and names the run;
//! * `profile` profiles a batch of listed objects (whole objects, byte ranges of large CSV /
//!   JSON Lines objects split at line boundaries, Parquet row groups) into one shard profile
//!   under `{DRIFTLINE_PREFIX}/baseline-runs/{endpoint}/{run}/level-0/`, and returns the pieces
//!   of objects too large for one invocation for the workflow to profile in parallel;
//! * `merge` merges a level of shard profiles when it is small enough, writing
//!   `statistics.json`, `constraints.json` and `driftline-constraints.json` to
//!   `{DRIFTLINE_PREFIX}/baselines/{endpoint}/` (where analyze-capture reads them), else asks
//!   for another level of the merge tree;
//! * `merge-batch` merges one batch of a level into a profile of the next level.
//!
//! The same engine as `driftline profile` / `driftline baseline` ([`driftline_dataset`]), so a
//! baseline is the same whichever built it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod config;
pub mod handler;
pub mod request;
