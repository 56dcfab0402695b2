//! Checks shared by the tests of sharded baselines (the CLI's and the profile-shard
//! function's): random tilings of a file, the exact column values of a CSV, and the comparison
//! of merged statistics with independent ones (Model Monitor's) within the stated bounds.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// Cut points that tile `0..size` into `n` ranges of pseudo-random lengths (xorshift), most
/// of them inside a line.
pub fn tiling(size: u64, n: usize, seed: u64) -> Vec<[u64; 2]> {
    let mut x = seed | 1;
    let mut cuts: Vec<u64> = (1..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % size
        })
        .collect();
    cuts.push(0);
    cuts.push(size);
    cuts.sort_unstable();
    cuts.windows(2).map(|w| [w[0], w[1]]).collect()
}

/// The structural KLL rank error bound of a sketch with `levels` levels (k = 2048, c = 0.64,
/// Deequ's defaults): `Σ_{h < levels-1} 1 / capacity(h)`, capacity(h) = 2 (ceil(k c^h / 2) + 1).
pub fn kll_bound(levels: usize) -> f64 {
    (0..levels.saturating_sub(1))
        .map(|h| {
            let cap = 2.0 * ((2048.0 * 0.64f64.powi(h as i32) / 2.0).ceil() + 1.0);
            1.0 / cap
        })
        .sum()
}

/// Numeric values of each column of a CSV (header row first), parsed by the test itself.
pub fn columns(csv_text: &str, header: bool) -> Vec<(String, Vec<f64>)> {
    let mut lines = csv_text.lines();
    let names: Vec<String> = if header {
        lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect()
    } else {
        let n = csv_text.lines().next().unwrap().split(',').count();
        (0..n).map(|i| format!("_c{i}")).collect()
    };
    let mut cols: Vec<(String, Vec<f64>)> = names.into_iter().map(|n| (n, Vec::new())).collect();
    for l in lines {
        for (i, v) in l.split(',').enumerate() {
            if let Ok(x) = v.trim().parse::<f64>() {
                cols[i].1.push(x);
            }
        }
    }
    cols
}

/// Compares the merged statistics with the expected ones (Model Monitor's) and the KLL
/// buckets with the exact counts of the data. Returns every difference found.
pub fn compare(
    got: &serde_json::Value,
    want: &serde_json::Value,
    data: &[(String, Vec<f64>)],
) -> Vec<String> {
    let mut diffs = Vec::new();
    assert_eq!(got["dataset"], want["dataset"], "item_count");
    let wf = want["features"].as_array().unwrap();
    let gf = got["features"].as_array().unwrap();
    assert!(gf.len() >= wf.len());
    for (g, w) in gf.iter().zip(wf) {
        let name = w["name"].as_str().unwrap();
        assert_eq!(g["name"], w["name"]);
        assert_eq!(g["inferred_type"], w["inferred_type"], "{name}");
        let (Some(gn), Some(wn)) = (g.get("numerical_statistics"), w.get("numerical_statistics"))
        else {
            // String features: frequencies and distinct counts are exact.
            if g != w {
                diffs.push(format!("{name}: string statistics differ"));
            }
            continue;
        };
        if gn["common"] != wn["common"] {
            diffs.push(format!(
                "{name}: common {} vs {}",
                gn["common"], wn["common"]
            ));
        }
        for key in ["min", "max"] {
            if gn[key] != wn[key] {
                diffs.push(format!("{name}: {key} {} vs {}", gn[key], wn[key]));
            }
        }
        for key in ["sum", "mean", "std_dev"] {
            let (a, b) = (gn[key].as_f64().unwrap(), wn[key].as_f64().unwrap());
            if (a - b).abs() > 1e-12 * b.abs().max(1.0) {
                diffs.push(format!("{name}: {key} {a} vs {b}"));
            }
        }
        let kll = &gn["distribution"]["kll"];
        assert_eq!(
            kll["sketch"]["parameters"], wn["distribution"]["kll"]["sketch"]["parameters"],
            "{name}"
        );
        let levels = kll["sketch"]["data"].as_array().unwrap().len();
        let values = &data.iter().find(|(n, _)| n == name).unwrap().1;
        let slack = 2.0 * kll_bound(levels) * values.len() as f64;
        let buckets = kll["buckets"].as_array().unwrap();
        let wb = wn["distribution"]["kll"]["buckets"].as_array().unwrap();
        assert_eq!(buckets.len(), wb.len(), "{name}");
        for (i, (b, c)) in buckets.iter().zip(wb).enumerate() {
            assert_eq!(b["lower_bound"], c["lower_bound"], "{name} bucket {i}");
            assert_eq!(b["upper_bound"], c["upper_bound"], "{name} bucket {i}");
            let (lo, hi) = (
                b["lower_bound"].as_f64().unwrap(),
                b["upper_bound"].as_f64().unwrap(),
            );
            let last = i + 1 == buckets.len();
            let exact = values
                .iter()
                .filter(|&&v| v >= lo && (v < hi || (last && v <= hi)))
                .count() as f64;
            let count = b["count"].as_f64().unwrap();
            if (count - exact).abs() > slack {
                diffs.push(format!(
                    "{name} bucket {i}: {count} vs exact {exact} (allowed ±{slack:.2})"
                ));
            }
        }
    }
    diffs
}

/// Writes headerless numeric CSV text (the SDK fixture `baseline_dataset.csv`) as Parquet with
/// the `parquet` crate's writer: REQUIRED DOUBLE columns `_c0`, `_c1`, …, `rows_per_group` rows per row
/// group. Returns the number of row groups written.
pub fn fixture_parquet<W: std::io::Write + Send>(
    csv: &str,
    out: W,
    rows_per_group: usize,
) -> usize {
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
    let props = Arc::new(WriterProperties::builder().build());
    let mut writer = SerializedFileWriter::new(out, schema, props).unwrap();
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
