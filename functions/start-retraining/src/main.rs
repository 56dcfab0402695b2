//! Lambda entry point of start-retraining (adapters wired once `driftline_aws` ships them).
fn main() {}
