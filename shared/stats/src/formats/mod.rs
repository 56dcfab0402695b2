//! SageMaker Model Monitor's file formats.
//!
//! * [`statistics`]: `statistics.json` (data quality).
//! * [`constraints`] — `constraints.json` (suggested / hand-written constraints).
//! * [`violations`] — `constraint_violations.json`.

pub mod constraints;
pub mod statistics;
pub mod violations;
