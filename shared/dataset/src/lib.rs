//! driftline's training-data readers: CSV, JSON Lines and Parquet into mergeable
//! [`DatasetProfile`](driftline_stats::profile::DatasetProfile)s, whole or in shards (byte
//! ranges split at line boundaries, Parquet row groups), from files or from bytes fetched from
//! S3. Used by `driftline baseline` / `driftline profile` and by the profile-shard Lambda
//! function, so a baseline is the same whichever built it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod labelled;
pub mod lines;
pub mod parquet_io;
pub mod readers;
pub mod sink;
#[cfg(feature = "testing")]
pub mod testing;

pub use readers::*;
