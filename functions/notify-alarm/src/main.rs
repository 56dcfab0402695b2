//! Lambda entry point of notify-alarm (adapters wired once `driftline_aws` ships them).
fn main() {}
