//! `bench-gen`: writes the benchmark workload.
//!
//! ```text
//! bench-gen capture  RECORDS SEED clean|drift OUT.jsonl
//! bench-gen baseline ROWS    SEED            OUT.csv
//! ```

use anyhow::{bail, Context, Result};
use std::io::BufWriter;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |s: &str| {
        s.parse::<u64>()
            .with_context(|| format!("not a number: {s}"))
    };
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["capture", n, seed, mode, out] => {
            let drift = match *mode {
                "drift" => true,
                "clean" => false,
                _ => bail!("mode must be clean or drift"),
            };
            let f = std::fs::File::create(out).with_context(|| format!("creating {out}"))?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            driftline_bench::write_capture(&mut w, num(n)?, num(seed)?, drift)?;
            std::io::Write::flush(&mut w)?;
        }
        ["baseline", n, seed, out] => {
            let f = std::fs::File::create(out).with_context(|| format!("creating {out}"))?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            driftline_bench::write_baseline_csv(&mut w, num(n)?, num(seed)?)?;
            std::io::Write::flush(&mut w)?;
        }
        _ => bail!(
            "usage: bench-gen capture RECORDS SEED clean|drift OUT | bench-gen baseline ROWS SEED OUT"
        ),
    }
    Ok(())
}
