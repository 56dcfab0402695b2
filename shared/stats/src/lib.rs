//! # driftline-stats
//!
//! The statistics crate of driftline: pure (no I/O, no AWS), used by every function and the CLI.
//!
//! * [`kll`]: the KLL quantile sketch exactly as Deequ's deterministic `QuantileNonSample`
//!   (k = 2048, c = 0.64), so that our `statistics.json` reproduces SageMaker Model Monitor's.
//! * [`profile`]: mergeable per-feature profiles (counts, Deequ type inference, Welford moments,
//!   min/max, KLL, string frequencies and distinct counts), serialisable as partial profiles.
//! * [`frequent`]: bounded-memory string frequencies (Misra-Gries, exact up to 2048 distinct
//!   values) and distinct counts (exact, then HyperLogLog), with stated error bounds.
//! * [`formats`]: SageMaker Model Monitor's `statistics.json`, `constraints.json` and
//!   `constraint_violations.json`, read as the real service and older SDKs wrote them and written
//!   in the same Jackson-style layout ([`jackson`], [`javafmt`]).
//! * [`suggest`] and [`evaluate`]: baseline constraint suggestion and constraint checks.
//! * [`drift`]: distances and two-sample tests (L∞, KS with scipy-exact p-values, PSI, JS,
//!   Wasserstein, chi-squared, Benjamini-Hochberg).
//! * [`shard`]: profiles of training-data shards (byte ranges, objects, row groups) in a file
//!   format of their own, merged into one baseline.
//! * [`summary`]: driftline's own machine-readable window summary (`summary.json`).
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod analysis;
pub mod double;
pub mod drift;
pub mod evaluate;
pub mod formats;
pub mod frequent;
pub mod jackson;
pub mod javafmt;
pub mod javafmt_legacy;
pub mod kll;
pub mod mm_distance;
pub mod profile;
pub mod quality;
pub mod sample;
pub mod shard;
pub mod suggest;
pub mod summary;
pub mod tails;
pub mod values;
