//! # driftline-bench
//!
//! The benchmark's deterministic workload: 20 features (14 numeric of several shapes,
//! 4 categorical with cardinality 5, 20, 100 and 1000, and 2 numeric features with 5 % missing
//! values), drift injected in 5 of them in the "current" traffic.
//!
//! Column order is Model Monitor's for CSV captures: the endpoint output (`score`, `_c0`) first,
//! then the 19 input columns (`_c1` … `_c19`). The baseline CSV has the same 20 columns, no
//! header, so `driftline baseline` names them `_c0` … `_c19` exactly as the capture reader does.
//!
//! | col | name | shape | drift in current traffic |
//! |---|---|---|---|
//! | 0 | score (output) | logistic of a normal, (0, 1) | |
//! | 1 | age | normal(40, 12), integer | |
//! | 2 | income | log-normal(10.5, 0.6) | |
//! | 3 | balance | normal(0, 1) | mean + 0.5 sd |
//! | 4 | tenure | exponential(mean 24), integer | |
//! | 5 | utilization | uniform(0, 1) | |
//! | 6 | txn_count | Poisson(12), integer | |
//! | 7 | bimodal | ½ normal(−2, 1) + ½ normal(2, 1) | |
//! | 8 | latency_ms | log-normal(3, 1.2) (heavy tail) | |
//! | 9 | ratio | beta(2, 5) | |
//! | 10 | temp | Student t(3) | scale × 1.5 |
//! | 11 | clicks | geometric(0.2), integer | |
//! | 12 | discount | uniform integer 0..=50 | shift + 5 |
//! | 13 | gamma | gamma(2, 2) | |
//! | 14 | cat5 | 5 categories | proportions change |
//! | 15 | cat20 | 20 categories, uniform | |
//! | 16 | cat100 | 100 categories, Zipf(1.1) | |
//! | 17 | cat1000 | 1000 categories, Zipf(1.0) | |
//! | 18 | miss_a | normal(100, 15), 5 % missing | mean + 0.3 sd |
//! | 19 | miss_b | gamma(3, 1), 5 % missing | |

pub mod estimate;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{
    Beta, Distribution, Exp, Gamma, Geometric, LogNormal, Normal, Poisson, StudentT, Zipf,
};
use std::fmt::Write as _;
use std::io::Write;

/// Number of columns (output + inputs).
pub const COLUMNS: usize = 20;

/// Indices of the columns with injected drift.
pub const DRIFTED: [usize; 5] = [3, 10, 12, 14, 18];

/// Column names of the table above, in column order.
pub const NAMES: [&str; COLUMNS] = [
    "score",
    "age",
    "income",
    "balance",
    "tenure",
    "utilization",
    "txn_count",
    "bimodal",
    "latency_ms",
    "ratio",
    "temp",
    "clicks",
    "discount",
    "gamma",
    "cat5",
    "cat20",
    "cat100",
    "cat1000",
    "miss_a",
    "miss_b",
];

/// The workload's distributions.
pub struct Workload {
    rng: StdRng,
    drift: bool,
    std_normal: Normal<f64>,
    income: LogNormal<f64>,
    tenure: Exp<f64>,
    txn: Poisson<f64>,
    latency: LogNormal<f64>,
    ratio: Beta<f64>,
    temp: StudentT<f64>,
    clicks: Geometric,
    gamma: Gamma<f64>,
    gamma_b: Gamma<f64>,
    zipf100: Zipf<f64>,
    zipf1000: Zipf<f64>,
}

impl Workload {
    /// A workload with its own seed; `drift` injects the drift of the table above.
    pub fn new(seed: u64, drift: bool) -> anyhow::Result<Self> {
        let e = |e: &dyn std::fmt::Display| anyhow::anyhow!("distribution: {e}");
        Ok(Workload {
            rng: StdRng::seed_from_u64(seed),
            drift,
            std_normal: Normal::new(0.0, 1.0).map_err(|x| e(&x))?,
            income: LogNormal::new(10.5, 0.6).map_err(|x| e(&x))?,
            tenure: Exp::new(1.0 / 24.0).map_err(|x| e(&x))?,
            txn: Poisson::new(12.0).map_err(|x| e(&x))?,
            latency: LogNormal::new(3.0, 1.2).map_err(|x| e(&x))?,
            ratio: Beta::new(2.0, 5.0).map_err(|x| e(&x))?,
            temp: StudentT::new(3.0).map_err(|x| e(&x))?,
            clicks: Geometric::new(0.2).map_err(|x| e(&x))?,
            gamma: Gamma::new(2.0, 2.0).map_err(|x| e(&x))?,
            gamma_b: Gamma::new(3.0, 1.0).map_err(|x| e(&x))?,
            zipf100: Zipf::new(100.0, 1.1).map_err(|x| e(&x))?,
            zipf1000: Zipf::new(1000.0, 1.0).map_err(|x| e(&x))?,
        })
    }

    /// Appends one row's output column (`out`) and its 19 input columns (`inp`) as CSV text.
    pub fn row(&mut self, out: &mut String, inp: &mut String) {
        out.clear();
        inp.clear();
        let d = self.drift;
        let r = &mut self.rng;
        let z: f64 = self.std_normal.sample(r);
        let score = 1.0 / (1.0 + (-(z * 1.3 - 0.4)).exp());
        let _ = write!(out, "{score:.6}");
        let age = (40.0 + 12.0 * self.std_normal.sample(r)).round().max(18.0);
        let income = self.income.sample(r);
        let balance = self.std_normal.sample(r) + if d { 0.5 } else { 0.0 };
        let tenure = self.tenure.sample(r).floor();
        let util: f64 = r.random();
        let txn = self.txn.sample(r);
        let bimodal = self.std_normal.sample(r) + if r.random::<bool>() { 2.0 } else { -2.0 };
        let latency = self.latency.sample(r);
        let ratio = self.ratio.sample(r);
        let temp = self.temp.sample(r) * if d { 1.5 } else { 1.0 };
        let clicks = self.clicks.sample(r);
        let discount = r.random_range(0..=50) + if d { 5 } else { 0 };
        let gamma = self.gamma.sample(r);
        let _ = write!(
            inp,
            "{age},{income:.2},{balance:.4},{tenure},{util:.4},{txn},{bimodal:.4},{latency:.3},\
             {ratio:.5},{temp:.4},{clicks},{discount},{gamma:.4}"
        );
        // cat5: baseline weights 40/25/15/12/8 %; drifted traffic 25/25/15/15/20 %.
        let u: f64 = r.random();
        let cuts: [f64; 4] = if d {
            [0.25, 0.50, 0.65, 0.80]
        } else {
            [0.40, 0.65, 0.80, 0.92]
        };
        let c5 = cuts.iter().take_while(|&&c| u >= c).count();
        let c5 = ["red", "green", "blue", "amber", "violet"][c5];
        let c20 = r.random_range(0..20);
        let c100 = self.zipf100.sample(r) as u32;
        let c1000 = self.zipf1000.sample(r) as u32;
        let _ = write!(inp, ",{c5},s{c20},p{c100},id{c1000:04}");
        let miss_a = r.random::<f64>() < 0.05;
        let a = 100.0 + 15.0 * self.std_normal.sample(r) + if d { 4.5 } else { 0.0 };
        if miss_a {
            inp.push(',');
        } else {
            let _ = write!(inp, ",{a:.2}");
        }
        let miss_b = r.random::<f64>() < 0.05;
        let b = self.gamma_b.sample(r);
        if miss_b {
            inp.push(',');
        } else {
            let _ = write!(inp, ",{b:.3}");
        }
    }
}

/// Writes `n` Data Capture JSON lines (CSV-encoded input and output, as a real endpoint writes
/// them) spread over one hour.
pub fn write_capture<W: Write>(w: &mut W, n: u64, seed: u64, drift: bool) -> anyhow::Result<()> {
    let mut wl = Workload::new(seed, drift)?;
    let (mut out, mut inp) = (String::new(), String::new());
    for i in 0..n {
        wl.row(&mut out, &mut inp);
        let secs = i * 3600 / n.max(1);
        writeln!(
            w,
            "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"text/csv\",\"mode\":\"INPUT\",\
             \"data\":\"{inp}\",\"encoding\":\"CSV\"}},\"endpointOutput\":{{\"observedContentType\":\
             \"text/csv; charset=utf-8\",\"mode\":\"OUTPUT\",\"data\":\"{out}\",\"encoding\":\"CSV\"}}}},\
             \"eventMetadata\":{{\"eventId\":\"{:08x}-0000-4000-8000-{:012x}\",\"inferenceTime\":\
             \"2026-11-25T10:{:02}:{:02}Z\"}},\"eventVersion\":\"0\"}}",
            seed as u32,
            i,
            secs / 60,
            secs % 60
        )?;
    }
    Ok(())
}

/// Writes `n` rows of headerless training CSV (output column first, then the inputs).
pub fn write_baseline_csv<W: Write>(w: &mut W, n: u64, seed: u64) -> anyhow::Result<()> {
    let mut wl = Workload::new(seed, false)?;
    let (mut out, mut inp) = (String::new(), String::new());
    for _ in 0..n {
        wl.row(&mut out, &mut inp);
        writeln!(w, "{out},{inp}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_have_twenty_columns_and_are_deterministic() {
        let mut a = Vec::new();
        write_baseline_csv(&mut a, 200, 7).unwrap();
        let mut b = Vec::new();
        write_baseline_csv(&mut b, 200, 7).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        for line in text.lines() {
            assert_eq!(line.split(',').count(), COLUMNS, "{line}");
        }
        let mut c = Vec::new();
        write_capture(&mut c, 10, 7, true).unwrap();
        for line in String::from_utf8(c).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let inp = v["captureData"]["endpointInput"]["data"].as_str().unwrap();
            assert_eq!(inp.split(',').count(), COLUMNS - 1);
        }
    }

    #[test]
    fn missing_rate_is_about_five_percent() {
        let mut a = Vec::new();
        write_baseline_csv(&mut a, 20_000, 1).unwrap();
        let text = String::from_utf8(a).unwrap();
        let missing = text
            .lines()
            .filter(|l| l.split(',').nth(18) == Some(""))
            .count() as f64;
        let rate = missing / 20_000.0;
        assert!((0.04..0.06).contains(&rate), "{rate}");
    }
}
