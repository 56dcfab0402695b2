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

/// Writes the SDK fixture (`tests/data/baseline_dataset.csv`) as Parquet with the `parquet`
/// crate's writer: REQUIRED DOUBLE columns `_c0`, `_c1`, …, `rows_per_group` rows per row
/// group. Returns the number of row groups written.
pub fn write_fixture_parquet(csv: &str, path: &Path, rows_per_group: usize) -> usize {
    use parquet::data_type::DoubleType;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    let rows: Vec<Vec<f64>> = csv
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    let ncol = rows[0].len();
    let schema = format!(
        "message m {{ {} }}",
        (0..ncol)
            .map(|i| format!("REQUIRED DOUBLE _c{i};"))
            .collect::<String>()
    );
    let schema = Arc::new(parse_message_type(&schema).unwrap());
    let file = fs::File::create(path).unwrap();
    let props = Arc::new(WriterProperties::builder().build());
    let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
    let mut groups = 0;
    for chunk in rows.chunks(rows_per_group) {
        let mut rg = writer.next_row_group().unwrap();
        let mut c = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            let values: Vec<f64> = chunk.iter().map(|r| r[c]).collect();
            col.typed::<DoubleType>()
                .write_batch(&values, None, None)
                .unwrap();
            col.close().unwrap();
            c += 1;
        }
        rg.close().unwrap();
        groups += 1;
    }
    writer.close().unwrap();
    groups
}
