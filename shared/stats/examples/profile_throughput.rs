//! Throughput of `DatasetProfile::update` on CSV-like text cells (the capture reader's path):
//! 20 columns (8 integral, 8 fractional, 4 categorical), `Cell::Raw`.
//!
//! `cargo run --release -p driftline-stats --example profile_throughput [records]`
//! (`MIX=0|8|16` makes every column integral, fractional or categorical instead.)
//! Times are this thread's CPU time, so a busy machine does not distort them.

use driftline_stats::profile::{Cell, DatasetProfile};
use std::time::Instant;

/// CPU time of this thread in ns (Linux `/proc/thread-self/schedstat`), so that a busy shared
/// machine does not distort the figures; falls back to wall time elsewhere.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

struct Clock(Instant, Option<u64>);

impl Clock {
    fn now() -> Self {
        Clock(Instant::now(), cpu_ns())
    }
    fn secs(&self) -> f64 {
        match (self.1, cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => self.0.elapsed().as_secs_f64(),
        }
    }
}

fn main() {
    let records: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3_000_000);
    // 4096 distinct pre-rendered rows, cycled (the text is in memory, as after CSV splitting).
    let mut x: u64 = 88172645463325252;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mix = std::env::var("MIX").unwrap_or_default();
    let rows: Vec<Vec<String>> = (0..4096)
        .map(|_| {
            (0..20)
                .map(|c| {
                    match if mix.is_empty() {
                        c
                    } else {
                        mix.parse::<usize>().unwrap_or(0)
                    } {
                        0..=7 => (next() % 5000).to_string(),
                        8..=15 => format!("{:.3}", (next() % 1_000_000) as f64 / 997.0),
                        _ => format!("cat{}", next() % 12),
                    }
                })
                .collect()
        })
        .collect();
    let mut p = DatasetProfile::new();
    let cols: Vec<usize> = (0..20).map(|c| p.column_index(&format!("f{c}"))).collect();
    let start = Clock::now();
    for r in 0..records {
        let row = &rows[r & 4095];
        for (c, v) in row.iter().enumerate() {
            p.update(cols[c], Cell::Raw(v));
        }
        p.add_records(1);
    }
    let secs = start.secs();
    println!(
        "{records} records x 20 features in {secs:.3} s: {:.2} M records/s, {:.1} ns/cell",
        records as f64 / secs / 1e6,
        secs * 1e9 / (records as f64 * 20.0)
    );
    let stats = p.to_statistics();
    println!("features: {}", stats.features.len());
}
