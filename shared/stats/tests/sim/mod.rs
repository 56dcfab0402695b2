//! Generators shared by the simulation tests (`policy_rates.rs`, `power.rs`): a seeded RNG,
//! the numeric shapes, baselines through Deequ's KLL sketch, Clopper-Pearson intervals.
#![allow(dead_code)]

use driftline_stats::kll::KllSketch;
use driftline_stats::sample::WeightedSample;
use statrs::distribution::{Beta, ContinuousCDF};

/// SplitMix64: small, fast, deterministic.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    pub fn poisson(&mut self, lambda: f64) -> f64 {
        let l = (-lambda).exp();
        let mut k = 0.0;
        let mut p = 1.0;
        loop {
            p *= self.uniform();
            if p <= l {
                return k;
            }
            k += 1.0;
        }
    }
    pub fn binomial(&mut self, n: u32, p: f64) -> f64 {
        (0..n).filter(|_| self.uniform() < p).count() as f64
    }
}

/// A feature's generator; `shift` is the mean shift in units of the distribution's std.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    Normal(f64, f64),
    LogNormal(f64, f64),
    Exponential(f64),
    Uniform(f64, f64),
    Poisson(f64),
    Binomial(u32, f64),
    Bimodal(f64, f64, f64, f64, f64),
}

impl Shape {
    pub fn std(&self) -> f64 {
        match *self {
            Shape::Normal(_, s) => s,
            Shape::LogNormal(m, s) => ((s * s).exp_m1() * (2.0 * m + s * s).exp()).sqrt(),
            Shape::Exponential(rate) => 1.0 / rate,
            Shape::Uniform(a, b) => (b - a) / 12f64.sqrt(),
            Shape::Poisson(l) => l.sqrt(),
            Shape::Binomial(n, p) => (n as f64 * p * (1.0 - p)).sqrt(),
            Shape::Bimodal(w, m1, s1, m2, s2) => {
                let mean = w * m1 + (1.0 - w) * m2;
                let ex2 = w * (s1 * s1 + m1 * m1) + (1.0 - w) * (s2 * s2 + m2 * m2);
                (ex2 - mean * mean).sqrt()
            }
        }
    }

    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match *self {
            Shape::Normal(m, _) => m,
            Shape::LogNormal(m, s) => (m + s * s / 2.0).exp(),
            Shape::Exponential(rate) => 1.0 / rate,
            Shape::Uniform(a, b) => (a + b) / 2.0,
            Shape::Poisson(l) => l,
            Shape::Binomial(n, p) => n as f64 * p,
            Shape::Bimodal(w, m1, _, m2, _) => w * m1 + (1.0 - w) * m2,
        }
    }

    /// Whether the values are counts (a variance change would not keep them counts).
    pub fn is_count(&self) -> bool {
        matches!(self, Shape::Poisson(_) | Shape::Binomial(..))
    }

    /// Draw one value with the mean moved by `shift` standard deviations (count shapes move
    /// their parameter so that the mean moves by that much and the values stay counts).
    pub fn draw(&self, rng: &mut Rng, shift: f64) -> f64 {
        let delta = shift * self.std();
        match *self {
            Shape::Normal(m, s) => m + s * rng.normal() + delta,
            Shape::LogNormal(m, s) => (m + s * rng.normal()).exp() + delta,
            Shape::Exponential(rate) => -rng.uniform().ln() / rate + delta,
            Shape::Uniform(a, b) => a + (b - a) * rng.uniform() + delta,
            Shape::Poisson(l) => rng.poisson(l + delta),
            Shape::Binomial(n, p) => rng.binomial(n, p + delta / n as f64),
            Shape::Bimodal(w, m1, s1, m2, s2) => {
                let x = if rng.uniform() < w {
                    m1 + s1 * rng.normal()
                } else {
                    m2 + s2 * rng.normal()
                };
                x + delta
            }
        }
    }
}

pub const SHAPES: [Shape; 20] = [
    Shape::Normal(0.0, 1.0),
    Shape::Normal(100.0, 15.0),
    Shape::Normal(-5.0, 0.1),
    Shape::Normal(0.0, 3.0),
    Shape::LogNormal(0.0, 1.0),
    Shape::LogNormal(2.0, 0.5),
    Shape::LogNormal(0.0, 0.25),
    Shape::Exponential(1.0),
    Shape::Exponential(0.1),
    Shape::Exponential(5.0),
    Shape::Uniform(0.0, 1.0),
    Shape::Uniform(-10.0, 10.0),
    Shape::Uniform(5.0, 6.0),
    Shape::Poisson(1.5),
    Shape::Poisson(4.0),
    Shape::Poisson(0.5),
    Shape::Binomial(5, 0.3),
    Shape::Bimodal(0.5, -2.0, 1.0, 2.0, 1.0),
    Shape::Bimodal(0.3, 0.0, 1.0, 5.0, 0.5),
    Shape::Bimodal(0.5, 0.0, 1.0, 10.0, 1.0),
];

pub const BASELINE_ROWS: usize = 100_000;
pub const WINDOW_ROWS: usize = 10_000;

pub struct Baseline {
    /// The KLL sketch's weighted sample.
    pub sample: WeightedSample,
    /// All 100,000 values (for the exact-sample comparison).
    pub exact: WeightedSample,
    pub err: f64,
    pub std: f64,
    pub n: u64,
    /// Baseline mean.
    pub mean: f64,
}

pub fn baselines(seed: u64) -> Vec<Baseline> {
    SHAPES
        .iter()
        .enumerate()
        .map(|(i, shape)| baseline(shape, seed ^ (i as u64).wrapping_mul(0x1234_5678_9ABC_DEF1)))
        .collect()
}

/// One feature's baseline of [`BASELINE_ROWS`] values through Deequ's KLL sketch, rebuilt from
/// its levels as analyze-capture reads a `statistics.json`.
pub fn baseline(shape: &Shape, seed: u64) -> Baseline {
    let mut rng = Rng(seed);
    let mut sk = KllSketch::new();
    // population std by Welford's update, as Model Monitor's std_dev
    let (mut mean, mut m2, mut n) = (0.0, 0.0, 0.0);
    let mut all = Vec::with_capacity(BASELINE_ROWS);
    for _ in 0..BASELINE_ROWS {
        let x = shape.draw(&mut rng, 0.0);
        sk.update(x);
        all.push(x);
        n += 1.0;
        let d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
    }
    // the baseline as analyze-capture sees it: rebuilt from statistics.json's
    // `sketch.data` levels (compaction history unknown -> the structural error bound)
    let sk = KllSketch::from_levels(sk.levels().to_vec());
    Baseline {
        sample: sk.to_weighted_sample(),
        exact: WeightedSample::from_values(&all),
        err: sk.normalized_rank_error(),
        std: (m2 / n).sqrt(),
        n: sk.count(),
        mean,
    }
}

/// Clopper-Pearson 95 % interval for k successes in n trials.
pub fn clopper_pearson(k: u64, n: u64) -> (f64, f64) {
    let (kf, nf) = (k as f64, n as f64);
    let lo = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0).unwrap().inverse_cdf(0.025)
    };
    let hi = if k == n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf).unwrap().inverse_cdf(0.975)
    };
    (lo, hi)
}

/// The exact moments the window's profile keeps (mean, population std) with the baseline mean.
pub fn window_moments(baseline_mean: f64, values: &[f64]) -> driftline_stats::drift::Moments {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    driftline_stats::drift::Moments {
        baseline_mean,
        current_mean: mean,
        current_std: var.sqrt(),
    }
}
