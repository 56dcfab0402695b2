//! Evidence across windows: a two-sided CUSUM (Page 1954) over consecutive windows' location
//! scores, for shifts too small for one window (0.1 baseline std in 200 records is z ≈ 1.4 a
//! window: invisible alone, unmistakable over a day).
//!
//! Each window gives a score `z_t` per feature ([`crate::drift::FeatureDrift::location_z`]):
//! the Welch t-test of the window mean against the baseline mean, as a standard normal score,
//! so `z_t ~ N(0, 1)` under no drift whatever the window size. Then
//! `S⁺_t = max(0, S⁺_{t−1} + z_t − k)`, `S⁻_t = max(0, S⁻_{t−1} − z_t − k)`, and the feature
//! signals when either exceeds `h`.
//!
//! The false-alarm rate is computed, not guessed: [`run_length`] evaluates the one-sided
//! CUSUM's in-control behaviour with Brook & Evans' (1972) Markov chain (the probability of a
//! signal within a horizon, and the average run length), and [`limit_for`] picks the smallest
//! `h` whose two-sided probability of a signal within the horizon (union bound: twice the
//! one-sided one) is at most a budget. A CUSUM restarted at the start of a horizon never
//! exceeds one that has run longer (the recursion is monotone in its start), so
//! [`daily_limit`] bounds the rolling evaluation analyze-capture does (the last 24 hours, every
//! hour) by one chart over 47 windows.
//!
//! ```
//! use driftline_stats::drift::sequential::{daily_limit, Cusum};
//! // one feature, a day of hourly windows, 5 % false alarms a day shared by 15 features
//! let h = daily_limit(0.5, 24, 0.05 / 15.0);
//! let mut c = Cusum::new(0.5, h);
//! let signalled = (0..24).any(|_| c.update(1.4)); // a 0.1-std shift at 200 records a window
//! assert!(signalled);
//! ```

use statrs::distribution::{ContinuousCDF, Normal};

/// A two-sided CUSUM.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cusum {
    /// Reference value `k` (half the shift in z units the chart is tuned for).
    pub k: f64,
    /// Decision limit `h`.
    pub h: f64,
    /// `S⁺`, evidence for an increase.
    pub upper: f64,
    /// `S⁻`, evidence for a decrease.
    pub lower: f64,
}

impl Cusum {
    /// A chart at rest.
    pub fn new(k: f64, h: f64) -> Self {
        Cusum {
            k,
            h,
            upper: 0.0,
            lower: 0.0,
        }
    }

    /// Adds one window's score; true when the chart signals (either side above `h`). A NaN
    /// score (a window without a location test) leaves the chart as it is.
    pub fn update(&mut self, z: f64) -> bool {
        if z.is_finite() {
            self.upper = (self.upper + z - self.k).max(0.0);
            self.lower = (self.lower - z - self.k).max(0.0);
        } else if z == f64::INFINITY {
            self.upper = f64::INFINITY;
        } else if z == f64::NEG_INFINITY {
            self.lower = f64::INFINITY;
        }
        self.signal()
    }

    /// True when either side is above the limit.
    pub fn signal(&self) -> bool {
        self.upper > self.h || self.lower > self.h
    }

    /// The larger side, `max(S⁺, S⁻)`.
    pub fn statistic(&self) -> f64 {
        self.upper.max(self.lower)
    }
}

/// In-control behaviour of a one-sided CUSUM with `N(0, 1)` scores, started at 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunLength {
    /// Probability of a signal within the horizon.
    pub within_horizon: f64,
    /// Average run length (expected number of windows to the first false signal).
    pub average: f64,
}

/// States of the Markov chain: the error against a direct simulation is far below the Monte
/// Carlo noise of the tests at this size.
const STATES: usize = 150;

/// Brook & Evans' Markov chain for a one-sided CUSUM `S_t = max(0, S_{t−1} + z_t − k)` with
/// `z_t ~ N(mean, 1)`: [0, h] in [`STATES`] cells (the first of half width, at 0), absorbing
/// above `h`.
fn transitions(k: f64, h: f64, mean: f64) -> Vec<Vec<f64>> {
    let nd = Normal::standard();
    let m = STATES;
    let w = 2.0 * h / (2.0 * m as f64 - 1.0);
    let mut q = vec![vec![0.0; m]; m];
    for (i, row) in q.iter_mut().enumerate() {
        let from = i as f64 * w;
        // S' = from + z − k; z − mean ~ N(0, 1)
        let cdf = |x: f64| nd.cdf(x - from + k - mean);
        row[0] = cdf(w / 2.0);
        for (j, cell) in row.iter_mut().enumerate().skip(1) {
            *cell = cdf((j as f64 + 0.5) * w) - cdf((j as f64 - 0.5) * w);
        }
    }
    q
}

/// The one-sided CUSUM's probability of a false signal within `horizon` windows and its
/// average run length (Brook & Evans 1972), for reference value `k` and limit `h`.
pub fn run_length(k: f64, h: f64, horizon: usize) -> RunLength {
    run_length_at(k, h, horizon, 0.0)
}

/// As [`run_length`] with scores `N(mean, 1)`: the chart's power against a sustained shift of
/// `mean` in z units (`within_horizon` is then the probability of detection).
pub fn run_length_at(k: f64, h: f64, horizon: usize, mean: f64) -> RunLength {
    if h.is_nan() || h <= 0.0 {
        return RunLength {
            within_horizon: 1.0,
            average: 1.0,
        };
    }
    let q = transitions(k, h, mean);
    let m = q.len();
    // survival after t steps from state 0: p_t = e0ᵀ Qᵗ; P(no signal) = Σ p_t
    let mut p = vec![0.0; m];
    p[0] = 1.0;
    for _ in 0..horizon {
        let mut next = vec![0.0; m];
        for (i, pi) in p.iter().enumerate() {
            if *pi == 0.0 {
                continue;
            }
            for (j, qij) in q[i].iter().enumerate() {
                next[j] += pi * qij;
            }
        }
        p = next;
    }
    let survive: f64 = p.iter().sum();
    // ARL = e0ᵀ (I − Q)⁻¹ 1: solve (I − Q) x = 1 by Gaussian elimination with pivoting.
    let mut a: Vec<Vec<f64>> = (0..m)
        .map(|i| {
            let mut row: Vec<f64> = q[i].iter().map(|v| -v).collect();
            row[i] += 1.0;
            row.push(1.0);
            row
        })
        .collect();
    for col in 0..m {
        let piv = (col..m)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        a.swap(col, piv);
        let d = a[col][col];
        if d == 0.0 {
            continue;
        }
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / d;
                if f != 0.0 {
                    for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                        *x -= f * p;
                    }
                }
            }
        }
    }
    let average = if a[0][0] != 0.0 {
        a[0][m] / a[0][0]
    } else {
        f64::INFINITY
    };
    RunLength {
        within_horizon: (1.0 - survive).clamp(0.0, 1.0),
        average,
    }
}

/// The smallest limit `h` (to 1e-3) for which the two-sided CUSUM with reference `k` signals
/// within `horizon` windows with probability at most `budget` under no drift (union bound over
/// the two sides).
pub fn limit_for(k: f64, horizon: usize, budget: f64) -> f64 {
    let two_sided = |h: f64| 2.0 * run_length(k, h, horizon).within_horizon;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while two_sided(hi) > budget && hi < 1e3 {
        lo = hi;
        hi *= 2.0;
    }
    while hi - lo > 1e-3 {
        let mid = 0.5 * (lo + hi);
        if two_sided(mid) > budget {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// The limit for a rolling view of `window` consecutive windows evaluated after every window
/// (analyze-capture's last-24-hours view, every hour), with at most `budget` false alarms per
/// `window` evaluations (a day): each evaluation restarts the chart at its view's first window,
/// and a restarted chart never exceeds one started earlier, so a flag during the day implies
/// that the chart started `window − 1` windows before the day crossed within `2 window − 1`
/// windows. [`limit_for`] over that horizon bounds it.
pub fn daily_limit(k: f64, window: usize, budget: f64) -> f64 {
    limit_for(k, 2 * window.max(1) - 1, budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_distr::StandardNormal;

    #[test]
    fn markov_chain_matches_simulation() {
        let (k, h, horizon) = (0.5, 3.0, 24);
        let rl = run_length(k, h, horizon);
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let runs = 40_000;
        let mut hits = 0;
        for _ in 0..runs {
            let mut s = 0.0f64;
            for _ in 0..horizon {
                let z: f64 = rng.sample(StandardNormal);
                s = (s + z - k).max(0.0);
                if s > h {
                    hits += 1;
                    break;
                }
            }
        }
        let sim = hits as f64 / runs as f64;
        let se = (sim * (1.0 - sim) / runs as f64).sqrt();
        assert!(
            (rl.within_horizon - sim).abs() < 4.0 * se + 0.002,
            "chain {} vs simulation {sim}",
            rl.within_horizon
        );
        // Siegmund's approximation of the ARL for k = 0.5, h = 3 is about 117
        assert!((rl.average - 117.0).abs() < 10.0, "{}", rl.average);
    }

    #[test]
    fn limit_meets_its_budget_and_no_more() {
        let h = limit_for(0.5, 24, 0.01);
        assert!(2.0 * run_length(0.5, h, 24).within_horizon <= 0.01);
        assert!(2.0 * run_length(0.5, h - 0.01, 24).within_horizon > 0.01);
    }

    #[test]
    fn chart_signals_on_a_sustained_shift_and_ignores_nan() {
        let mut c = Cusum::new(0.5, 4.0);
        assert!(!c.update(f64::NAN));
        assert_eq!(c.statistic(), 0.0);
        let n = (0..20).take_while(|_| !c.update(-1.5)).count();
        assert!(n < 5, "{n}");
        assert!(c.lower > c.h && c.upper == 0.0);
    }
}
