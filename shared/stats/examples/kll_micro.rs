//! Micro-benchmark: KLL updates, Welford updates, classify_raw (ns per value).
use driftline_stats::kll::KllSketch;
use driftline_stats::profile::{classify_raw, NumericState, RawKind};
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
    let n = 20_000_000u64;
    let vals: Vec<f64> = (0..4096u64).map(|i| ((i * 7919) % 5000) as f64).collect();
    let texts: Vec<String> = vals.iter().map(|v| format!("{}", *v as i64)).collect();
    let ftexts: Vec<String> = vals.iter().map(|v| format!("{:.3}", v / 7.0)).collect();
    let t = Clock::now();
    let mut s = KllSketch::new();
    for i in 0..n {
        s.update(vals[(i & 4095) as usize]);
    }
    println!("kll update: {:.1} ns", t.secs() * 1e9 / n as f64);
    let fvals: Vec<f64> = (0..4096u64)
        .map(|i| ((i * 7919) % 1_000_003) as f64 / 997.0)
        .collect();
    let t = Clock::now();
    let mut s = KllSketch::new();
    for i in 0..n {
        s.update(fvals[(i & 4095) as usize]);
    }
    println!(
        "kll update (spread doubles): {:.1} ns",
        t.secs() * 1e9 / n as f64
    );
    let t = Clock::now();
    let mut ns = NumericState::default();
    for i in 0..n {
        ns.update(vals[(i & 4095) as usize]);
    }
    println!("numeric state update: {:.1} ns", t.secs() * 1e9 / n as f64);
    for (name, tx) in [("integral", &texts), ("fractional", &ftexts)] {
        let t = Clock::now();
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
            t.secs() * 1e9 / n as f64
        );
    }
}
