//! Power and false-alarm rate of the default drift decision policy (`drift::policy`) on
//! generated windows, through the production path: baselines of 100,000 rows and windows of
//! 10,000 records, each summarised by Deequ's KLL sketch (k = 2048), 20 features of several
//! shapes (normal, lognormal, exponential, uniform, discrete with few values, bimodal).
//!
//! * False alarms: healthy windows (same distributions as the baseline); a false alarm is a
//!   window with `drift_detected` (any of the 20 features flagged).
//! * Power: windows where one feature (rotating over all 20) has its mean shifted by 0.2 of the
//!   baseline standard deviation; caught = that feature is flagged.
//!
//! The test runs a few hundred windows (debug build, CI). The ignored `policy_rates_bench` and
//! `policy_small_windows_bench` run many more in release (`scripts/bench-policy.sh`), print the
//! rates with Clopper-Pearson intervals and assert the bounds docs/drift-policy.md publishes.
//! Everything is seeded: the same run gives the same counts.

use driftline_stats::drift::{decide, evaluate_numeric, NumericInput, PolicyConfig};
use driftline_stats::kll::KllSketch;
use driftline_stats::sample::WeightedSample;
use statrs::distribution::{Beta, ContinuousCDF};

/// SplitMix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn poisson(&mut self, lambda: f64) -> f64 {
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
    fn binomial(&mut self, n: u32, p: f64) -> f64 {
        (0..n).filter(|_| self.uniform() < p).count() as f64
    }
}

/// A feature's generator; `shift` is the mean shift in units of the distribution's std.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Normal(f64, f64),
    LogNormal(f64, f64),
    Exponential(f64),
    Uniform(f64, f64),
    Poisson(f64),
    Binomial(u32, f64),
    Bimodal(f64, f64, f64, f64, f64),
}

impl Shape {
    fn std(&self) -> f64 {
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

    /// Draw one value with the mean moved by `shift` standard deviations (count shapes move
    /// their parameter so that the mean moves by that much and the values stay counts).
    fn draw(&self, rng: &mut Rng, shift: f64) -> f64 {
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

const SHAPES: [Shape; 20] = [
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

const BASELINE_ROWS: usize = 100_000;
const WINDOW_ROWS: usize = 10_000;

struct Baseline {
    /// The KLL sketch's weighted sample.
    sample: WeightedSample,
    /// All 100,000 values (for the exact-sample comparison).
    exact: WeightedSample,
    err: f64,
    std: f64,
    n: u64,
}

fn baselines(seed: u64) -> Vec<Baseline> {
    SHAPES
        .iter()
        .enumerate()
        .map(|(i, shape)| {
            let mut rng = Rng(seed ^ (i as u64).wrapping_mul(0x1234_5678_9ABC_DEF1));
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
            }
        })
        .collect()
}

/// What one window gave.
struct WindowOutcome {
    /// `drift_detected` of the policy.
    alarm: bool,
    /// The shifted feature (if any) was flagged.
    caught: bool,
    /// Some feature had a BH-adjusted p-value <= alpha (significance alone, no effect rule).
    significant: bool,
}

/// Evaluate one window; `shifted` = Some(feature) moves that feature by `shift_sd` standard
/// deviations. `exact` compares exact samples instead of KLL sketches.
#[allow(clippy::too_many_arguments)]
fn run_window(
    base: &[Baseline],
    rows: usize,
    seed: u64,
    shifted: Option<usize>,
    shift_sd: f64,
    exact: bool,
    cfg: &PolicyConfig,
) -> WindowOutcome {
    let mut rng = Rng(seed);
    let mut features = Vec::with_capacity(SHAPES.len());
    for (i, (shape, b)) in SHAPES.iter().zip(base).enumerate() {
        let shift = if shifted == Some(i) { shift_sd } else { 0.0 };
        let values: Vec<f64> = (0..rows).map(|_| shape.draw(&mut rng, shift)).collect();
        let (cur, err_cur, base_sample, err_base) = if exact {
            (WeightedSample::from_values(&values), 0.0, &b.exact, 0.0)
        } else {
            let mut sk = KllSketch::new();
            values.iter().for_each(|&x| sk.update(x));
            (
                sk.to_weighted_sample(),
                sk.normalized_rank_error(),
                &b.sample,
                b.err,
            )
        };
        let input = NumericInput {
            baseline: base_sample,
            current: &cur,
            n_base: b.n,
            n_cur: values.len() as u64,
            sketch_err_base: err_base,
            sketch_err_cur: err_cur,
            baseline_std: b.std,
        };
        let name = format!("f{i}");
        features.push(evaluate_numeric(&name, &input, cfg).expect("non-empty samples"));
    }
    let verdict = decide(&mut features, cfg);
    WindowOutcome {
        alarm: verdict.drift_detected,
        caught: shifted.is_some_and(|i| features[i].drifted),
        significant: features
            .iter()
            .any(|f| f.q_value.is_some_and(|q| q <= cfg.alpha)),
    }
}

/// Clopper-Pearson 95 % interval for k successes in n trials.
fn clopper_pearson(k: u64, n: u64) -> (f64, f64) {
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

struct Rates {
    exact: bool,
    healthy: u64,
    false_alarms: u64,
    /// Healthy windows where significance alone (BH, no effect rule) would have alarmed.
    significant_only: u64,
    drifted: u64,
    caught: u64,
    missed_by_feature: Vec<u64>,
}

#[allow(clippy::too_many_arguments)]
fn measure(
    base: &[Baseline],
    rows: usize,
    healthy: u64,
    drifted: u64,
    shift_sd: f64,
    seed: u64,
    exact: bool,
) -> Rates {
    let cfg = PolicyConfig::default();
    let mut r = Rates {
        exact,
        healthy,
        false_alarms: 0,
        significant_only: 0,
        drifted,
        caught: 0,
        missed_by_feature: vec![0; SHAPES.len()],
    };
    for w in 0..healthy {
        let o = run_window(base, rows, seed.wrapping_add(1 + w), None, 0.0, exact, &cfg);
        r.false_alarms += u64::from(o.alarm);
        r.significant_only += u64::from(o.significant);
    }
    for w in 0..drifted {
        let f = (w as usize) % SHAPES.len();
        let o = run_window(
            base,
            rows,
            seed.wrapping_add(1_000_000 + w),
            Some(f),
            shift_sd,
            exact,
            &cfg,
        );
        if o.caught {
            r.caught += 1;
        } else {
            r.missed_by_feature[f] += 1;
        }
    }
    r
}

fn report(r: &Rates) -> String {
    let (flo, fhi) = clopper_pearson(r.false_alarms, r.healthy.max(1));
    let (plo, phi) = clopper_pearson(r.caught, r.drifted);
    format!(
        "[{}] false alarms: {}/{} healthy windows = {:.4} (95% CI {:.4}..{:.4}) \
         [significance alone: {}]; power: {}/{} shifted windows = {:.4} (95% CI {:.4}..{:.4}); \
         misses by feature: {:?}",
        if r.exact {
            "exact samples"
        } else {
            "KLL sketches"
        },
        r.false_alarms,
        r.healthy,
        r.false_alarms as f64 / r.healthy as f64,
        flo,
        fhi,
        r.significant_only,
        r.caught,
        r.drifted,
        r.caught as f64 / r.drifted as f64,
        plo,
        phi,
        r.missed_by_feature
    )
}

#[test]
fn shapes_have_the_stated_std() {
    // the generator's analytic std agrees with a large sample (guards the shift's unit)
    for (i, shape) in SHAPES.iter().enumerate() {
        let mut rng = Rng(99 + i as u64);
        let xs: Vec<f64> = (0..200_000).map(|_| shape.draw(&mut rng, 0.0)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
        assert!(
            (sd / shape.std() - 1.0).abs() < 0.03,
            "{shape:?}: sample std {sd} vs {}",
            shape.std()
        );
    }
}

/// CI-sized run through the sketches: 100 healthy and 40 shifted windows (2 per feature) in a
/// debug build (about a minute of CPU), 400 and 200 in release. `POLICY_HEALTHY_WINDOWS` /
/// `POLICY_DRIFTED_WINDOWS` override.
#[test]
fn policy_power_and_false_alarm_rate() {
    let (dh, dd) = if cfg!(debug_assertions) {
        (100, 40)
    } else {
        (400, 200)
    };
    let env = |k: &str, d: u64| -> u64 {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (healthy, drifted) = (
        env("POLICY_HEALTHY_WINDOWS", dh),
        env("POLICY_DRIFTED_WINDOWS", dd),
    );
    let seed = 20_261_125;
    let base = baselines(seed);
    let r = measure(&base, WINDOW_ROWS, healthy, drifted, 0.2, seed, false);
    println!("{}", report(&r));
    // targets: < 1 % false alarms, >= 99 % power. With a few hundred windows, assert counts
    // that are compatible with those targets (the bench measures the rates precisely).
    assert!(
        (r.false_alarms as f64) < 0.01 * r.healthy as f64,
        "{}",
        report(&r)
    );
    assert!(r.caught as f64 >= 0.99 * r.drifted as f64, "{}", report(&r));
}

/// Release-mode bench: `POLICY_WINDOWS` healthy and as many shifted windows (default 2000)
/// through the sketches, a quarter of that with exact samples, and the power for smaller shifts.
#[test]
#[ignore]
fn policy_rates_bench() {
    let n: u64 = std::env::var("POLICY_WINDOWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let seed = 7_777;
    let base = baselines(seed);
    let errs: Vec<f64> = base.iter().map(|b| b.err).collect();
    println!("baseline sketch normalised rank errors: {errs:?}");
    let mut sk = KllSketch::new();
    (0..WINDOW_ROWS).for_each(|i| sk.update(i as f64));
    println!(
        "window sketch (10,000 records) normalised rank error: {}",
        sk.normalized_rank_error()
    );
    // exact samples are slower (100,000-value baselines): a quarter as many windows
    for (exact, windows) in [(false, n), (true, n / 4)] {
        let t = std::time::Instant::now();
        let r = measure(&base, WINDOW_ROWS, windows, windows, 0.2, seed, exact);
        println!("{} ({:.1} s)", report(&r), t.elapsed().as_secs_f64());
        // The bounds docs/drift-policy.md publishes: < 1 % of healthy windows flagged (the
        // upper 95 % bound too, once there are enough windows), >= 99 % of 0.2-std shifts.
        let (_, fa_hi) = clopper_pearson(r.false_alarms, r.healthy);
        assert!(
            (r.false_alarms as f64) < 0.01 * r.healthy as f64,
            "{}",
            report(&r)
        );
        if r.healthy >= 1000 {
            assert!(fa_hi < 0.01, "upper bound {fa_hi}: {}", report(&r));
        }
        assert!(r.caught as f64 >= 0.99 * r.drifted as f64, "{}", report(&r));
    }
    // where the effect-size threshold bites: power for smaller shifts (sketches)
    for shift in [0.05, 0.1, 0.15] {
        let r = measure(&base, WINDOW_ROWS, 0, n / 4, shift, seed ^ 0xABCD, false);
        let (lo, hi) = clopper_pearson(r.caught, r.drifted);
        println!(
            "shift {shift} sd: power {}/{} = {:.4} (95% CI {lo:.4}..{hi:.4}), misses by feature {:?}",
            r.caught,
            r.drifted,
            r.caught as f64 / r.drifted as f64,
            r.missed_by_feature
        );
        // Published: ignored below 0.1 std (effect-size gate), reported from 0.15 std.
        let power = r.caught as f64 / r.drifted as f64;
        match shift {
            s if s <= 0.05 => assert!(power < 0.05, "shift {s}: power {power}"),
            s if s >= 0.15 => assert!(power >= 0.99, "shift {s}: power {power}"),
            _ => {}
        }
    }
}

/// Release-mode bench for small windows (100 and 1,000 records; `POLICY_WINDOWS` each, default
/// 2000): at small n the effect size is noisy and the significance test is what keeps false
/// alarms down.
#[test]
#[ignore]
fn policy_small_windows_bench() {
    let n: u64 = std::env::var("POLICY_WINDOWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let seed = 7_777;
    let base = baselines(seed);
    for rows in [100, 1_000] {
        let r = measure(&base, rows, n, n, 0.2, seed ^ 0x5EED, false);
        println!("window of {rows} records: {}", report(&r));
        // Published (docs/drift-policy.md): false alarms below 1 % at every window size;
        // a 0.2-std shift caught in about 82 % of 1,000-record windows, 17.5 % of 100-record.
        assert!(
            (r.false_alarms as f64) < 0.01 * r.healthy as f64,
            "{rows} records: {}",
            report(&r)
        );
        let power = r.caught as f64 / r.drifted as f64;
        let floor = if rows >= 1_000 { 0.75 } else { 0.12 };
        assert!(
            power >= floor,
            "{rows} records: power {power}: {}",
            report(&r)
        );
    }
}
