//! Helpers shared by the CLI's integration tests (each test file uses some of them).
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `driftline` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_driftline");

/// A file under `cli/tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs `driftline` with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("driftline runs")
}

/// A path as an argument.
pub fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A JSON file, naming it on error.
pub fn json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes the SDK fixture as Parquet (see [`driftline_dataset::testing::fixture_parquet`]);
/// returns the number of row groups written.
pub fn write_fixture_parquet(csv: &str, path: &Path, rows_per_group: usize) -> usize {
    let file = fs::File::create(path).unwrap();
    driftline_dataset::testing::fixture_parquet(csv, file, rows_per_group)
}
