//! SageMaker Model Monitor's file formats.
//!
//! * [`statistics`]: `statistics.json` (data quality).
//!
//! Owners add `constraints` and `violations` modules beside it.

pub mod statistics;
