//! Benjamini-Hochberg false-discovery-rate adjustment, as
//! `scipy.stats.false_discovery_control(ps, method='bh')` computes it.

use super::DriftError;

/// BH-adjusted p-values ("q-values"), in the input order. Rejecting the hypotheses whose
/// adjusted p-value is <= q controls the false discovery rate at level q (independent or
/// positively dependent tests). Errors on a p-value outside [0, 1] or NaN; an empty input
/// gives an empty output.
pub fn benjamini_hochberg(ps: &[f64]) -> Result<Vec<f64>, DriftError> {
    if let Some(bad) = ps.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(DriftError::InvalidInput(format!(
            "p-values must lie in [0, 1], got {bad}"
        )));
    }
    let m = ps.len();
    if m <= 1 {
        return Ok(ps.to_vec());
    }
    let mut order: Vec<usize> = (0..m).collect();
    // numpy's argsort (quicksort, not stable) may order equal p-values differently, but equal
    // p-values get equal adjusted values, so the result does not depend on it.
    order.sort_by(|&a, &b| ps[a].total_cmp(&ps[b]));
    let mf = m as f64;
    let mut adj: Vec<f64> = order
        .iter()
        .enumerate()
        .map(|(i, &k)| ps[k] * (mf / (i + 1) as f64))
        .collect();
    for i in (0..m - 1).rev() {
        if adj[i + 1] < adj[i] {
            adj[i] = adj[i + 1];
        }
    }
    let mut out = vec![0.0; m];
    for (i, &k) in order.iter().enumerate() {
        out[k] = adj[i].clamp(0.0, 1.0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example() {
        // Benjamini & Hochberg: p (sorted) 0.01, 0.04 -> 0.02, 0.04
        assert_eq!(benjamini_hochberg(&[0.04, 0.01]).unwrap(), vec![0.04, 0.02]);
        assert!(benjamini_hochberg(&[0.5, 1.5]).is_err());
        assert!(benjamini_hochberg(&[]).unwrap().is_empty());
    }
}
