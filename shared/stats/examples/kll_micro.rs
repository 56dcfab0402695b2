//! Micro-benchmark: KLL updates, Welford updates, classify_raw (ns per value).
use driftline_stats::kll::KllSketch;
use driftline_stats::profile::{classify_raw, NumericState, RawKind};
use std::time::Instant;

fn main() {
    let n = 20_000_000u64;
    let vals: Vec<f64> = (0..4096u64).map(|i| ((i * 7919) % 5000) as f64).collect();
    let texts: Vec<String> = vals.iter().map(|v| format!("{}", *v as i64)).collect();
    let ftexts: Vec<String> = vals.iter().map(|v| format!("{:.3}", v / 7.0)).collect();
    let t = Instant::now();
    let mut s = KllSketch::new();
    for i in 0..n {
        s.update(vals[(i & 4095) as usize]);
    }
    println!(
        "kll update: {:.1} ns",
        t.elapsed().as_secs_f64() * 1e9 / n as f64
    );
    let t = Instant::now();
    let mut ns = NumericState::default();
    for i in 0..n {
        ns.update(vals[(i & 4095) as usize]);
    }
    println!(
        "numeric state update: {:.1} ns",
        t.elapsed().as_secs_f64() * 1e9 / n as f64
    );
    for (name, tx) in [("integral", &texts), ("fractional", &ftexts)] {
        let t = Instant::now();
        let mut acc = 0.0;
        for i in 0..n {
            if let RawKind::Integral(v) | RawKind::Fractional(v) =
                classify_raw(&tx[(i & 4095) as usize])
            {
                acc += v;
            }
        }
        println!(
            "classify {name}: {:.1} ns ({acc})",
            t.elapsed().as_secs_f64() * 1e9 / n as f64
        );
    }
}
