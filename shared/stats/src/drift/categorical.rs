//! Drift between two categorical distributions given as category counts.
//!
//! The comparison runs over the union of categories. Categories the baseline never saw
//! ("unseen") count with 0 in the baseline, categories absent from the window with 0 in the
//! window; both are listed in [`AlignedCounts`] so that callers can report them. A category with
//! a zero count on both sides is dropped (it carries no information, and scipy's
//! `chi2_contingency` rejects zero expected frequencies).
//!
//! * [`chi2_homogeneity`]: `scipy.stats.chi2_contingency` on the 2 x K table (baseline row,
//!   current row), Yates' continuity correction when there is one degree of freedom, as scipy
//!   applies it by default.
//! * [`categorical_psi`]: PSI over the categories, smoothed as numeric PSI
//!   (`(p + eps) / (1 + K eps)`), so an unseen category contributes a large but finite term.
//! * [`categorical_js`]: Jensen-Shannon distance (base 2) over the categories, unsmoothed.

use super::distance::{jensen_shannon, psi_from_fractions};
use super::DriftError;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::collections::BTreeMap;

/// Category → count.
pub type CategoryCounts = BTreeMap<String, u64>;

/// Two count vectors over the union of categories (sorted by category name).
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedCounts {
    /// Categories with a non-zero count on at least one side.
    pub categories: Vec<String>,
    /// Baseline count per category.
    pub baseline: Vec<f64>,
    /// Current count per category.
    pub current: Vec<f64>,
    /// Categories seen in the current window but never in the baseline.
    pub unseen: Vec<String>,
    /// Categories of the baseline that the current window lacks.
    pub missing: Vec<String>,
}

impl AlignedCounts {
    /// Fraction of the current window's count that falls in unseen categories.
    pub fn unseen_fraction(&self) -> f64 {
        let total: f64 = self.current.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        let unseen: f64 = self
            .categories
            .iter()
            .zip(&self.current)
            .zip(&self.baseline)
            .filter(|((_, _), b)| **b == 0.0)
            .map(|((_, c), _)| *c)
            .sum();
        unseen / total
    }
}

/// Align two count maps over the union of their categories. Errors if a side has no counts.
pub fn align(
    baseline: &CategoryCounts,
    current: &CategoryCounts,
) -> Result<AlignedCounts, DriftError> {
    if baseline.values().all(|&c| c == 0) {
        return Err(DriftError::EmptySample("baseline"));
    }
    if current.values().all(|&c| c == 0) {
        return Err(DriftError::EmptySample("current sample"));
    }
    let mut out = AlignedCounts {
        categories: Vec::new(),
        baseline: Vec::new(),
        current: Vec::new(),
        unseen: Vec::new(),
        missing: Vec::new(),
    };
    let mut keys: Vec<&String> = baseline.keys().chain(current.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let b = baseline.get(k).copied().unwrap_or(0);
        let c = current.get(k).copied().unwrap_or(0);
        if b == 0 && c == 0 {
            continue;
        }
        if b == 0 {
            out.unseen.push(k.clone());
        }
        if c == 0 {
            out.missing.push(k.clone());
        }
        out.categories.push(k.clone());
        out.baseline.push(b as f64);
        out.current.push(c as f64);
    }
    Ok(out)
}

/// Result of the chi-squared homogeneity test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chi2Result {
    /// Pearson's chi-squared statistic (Yates-corrected at one degree of freedom).
    pub statistic: f64,
    /// Upper-tail p-value of chi-squared with `dof` degrees of freedom (1 when `dof == 0`).
    pub p_value: f64,
    /// Degrees of freedom: number of categories - 1.
    pub dof: u64,
    /// Whether Yates' correction was applied.
    pub yates: bool,
}

/// `scipy.stats.chi2_contingency(table, correction=True)` on the 2 x K table of counts.
pub fn chi2_homogeneity(
    baseline: &CategoryCounts,
    current: &CategoryCounts,
) -> Result<Chi2Result, DriftError> {
    let a = align(baseline, current)?;
    Ok(chi2_from_aligned(&a))
}

/// Chi-squared homogeneity test on aligned counts.
pub fn chi2_from_aligned(a: &AlignedCounts) -> Chi2Result {
    let k = a.categories.len();
    let dof = k.saturating_sub(1) as u64;
    if dof == 0 {
        return Chi2Result {
            statistic: 0.0,
            p_value: 1.0,
            dof,
            yates: false,
        };
    }
    let rb: f64 = a.baseline.iter().sum();
    let rc: f64 = a.current.iter().sum();
    let total = rb + rc;
    let yates = dof == 1;
    let mut stat = 0.0;
    for (row, rsum) in [(&a.baseline, rb), (&a.current, rc)] {
        for (j, &o) in row.iter().enumerate() {
            let col = a.baseline[j] + a.current[j];
            let e = rsum * col / total;
            let mut o = o;
            if yates {
                let diff = e - o;
                if diff != 0.0 {
                    o += diff.abs().min(0.5).copysign(diff);
                }
            }
            stat += (o - e) * (o - e) / e;
        }
    }
    let p_value = match ChiSquared::new(dof as f64) {
        Ok(d) => d.sf(stat),
        Err(_) => f64::NAN,
    };
    Chi2Result {
        statistic: stat,
        p_value,
        dof,
        yates,
    }
}

/// PSI over the union of categories (smoothing `epsilon`, see the module doc).
pub fn categorical_psi(
    baseline: &CategoryCounts,
    current: &CategoryCounts,
    epsilon: f64,
) -> Result<f64, DriftError> {
    let a = align(baseline, current)?;
    psi_from_aligned(&a, epsilon)
}

/// PSI on aligned counts.
pub fn psi_from_aligned(a: &AlignedCounts, epsilon: f64) -> Result<f64, DriftError> {
    let rb: f64 = a.baseline.iter().sum();
    let rc: f64 = a.current.iter().sum();
    let p: Vec<f64> = a.baseline.iter().map(|x| x / rb).collect();
    let q: Vec<f64> = a.current.iter().map(|x| x / rc).collect();
    psi_from_fractions(&p, &q, epsilon)
}

/// Jensen-Shannon distance (base 2) over the union of categories.
pub fn categorical_js(
    baseline: &CategoryCounts,
    current: &CategoryCounts,
) -> Result<f64, DriftError> {
    let a = align(baseline, current)?;
    jensen_shannon(&a.baseline, &a.current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> CategoryCounts {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn unseen_and_missing_are_listed() {
        let a = align(
            &counts(&[("a", 5), ("b", 3), ("z", 0)]),
            &counts(&[("a", 1), ("c", 2)]),
        )
        .unwrap();
        assert_eq!(a.categories, vec!["a", "b", "c"]);
        assert_eq!(a.unseen, vec!["c"]);
        assert_eq!(a.missing, vec!["b"]);
        assert!((a.unseen_fraction() - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn empty_side_is_an_error() {
        assert!(chi2_homogeneity(&counts(&[]), &counts(&[("a", 1)])).is_err());
        assert!(chi2_homogeneity(&counts(&[("a", 1)]), &counts(&[("a", 0)])).is_err());
    }
}
