//! `bench-floor FILE`: the naive floor of the benchmark. Single-threaded: reads each line,
//! parses it with serde_json (borrowing strings where it can), splits the CSV payloads of
//! `endpointOutput` and `endpointInput` on commas, and keeps, per column, the count of numeric
//! values and their exact running sum (no sketches, no type inference, no faults, no output
//! files). driftline analyze must be at least this fast.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::borrow::Cow;
use std::io::{BufRead, BufReader};

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow, rename = "captureData")]
    capture_data: CaptureData<'a>,
}

#[derive(Deserialize)]
struct CaptureData<'a> {
    #[serde(borrow, rename = "endpointInput")]
    input: Payload<'a>,
    #[serde(borrow, rename = "endpointOutput")]
    output: Payload<'a>,
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    data: Cow<'a, str>,
}

fn main() -> Result<()> {
    let path = std::env::args().nth(1).context("usage: bench-floor FILE")?;
    let file = std::fs::File::open(&path).with_context(|| format!("opening {path}"))?;
    let mut rdr = BufReader::with_capacity(256 * 1024, file);
    let mut buf = Vec::with_capacity(4096);
    let (mut sums, mut counts, mut other): (Vec<f64>, Vec<u64>, Vec<u64>) = Default::default();
    let (mut records, mut bad) = (0u64, 0u64);
    loop {
        buf.clear();
        if rdr.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line: Line = match serde_json::from_slice(&buf) {
            Ok(l) => l,
            Err(_) => {
                bad += 1;
                continue;
            }
        };
        let cd = &line.capture_data;
        let fields = cd.output.data.split(',').chain(cd.input.data.split(','));
        for (i, f) in fields.enumerate() {
            if i >= sums.len() {
                sums.resize(i + 1, 0.0);
                counts.resize(i + 1, 0);
                other.resize(i + 1, 0);
            }
            match f.parse::<f64>() {
                Ok(v) => {
                    sums[i] += v;
                    counts[i] += 1;
                }
                Err(_) => other[i] += 1,
            }
        }
        records += 1;
    }
    println!("records {records} bad {bad}");
    for i in 0..sums.len() {
        println!(
            "_c{i} numeric {} sum {} other {}",
            counts[i], sums[i], other[i]
        );
    }
    Ok(())
}
