//! The terminal table of `driftline analyze`: one line per feature (name, type, completeness,
//! key drift figures, verdict, violations) and a closing status line.

use driftline_stats::summary::{DriftFigure, Status, Summary};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Statistics shown in the table, in this order, when the feature has them.
const SHOWN: [(&str, &str); 5] = [
    ("linf", "L∞"),
    ("ks", "KS"),
    ("psi", "PSI"),
    ("js", "JS"),
    ("chi2", "χ²"),
];

/// Compact number: 3 significant digits, scientific below 0.001.
fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == 0.0 {
        "0".into()
    } else if v.abs() < 1e-3 || v.abs() >= 1e6 {
        format!("{v:.1e}")
    } else {
        let digits = (2 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{v:.digits$}")
    }
}

fn figure(label: &str, f: &DriftFigure) -> String {
    let mut s = format!("{label} {}", num(f.value));
    if let Some(p) = f.p_value {
        let _ = write!(s, " (p {})", num(p));
    } else if let Some(t) = f.threshold {
        let _ = write!(s, "/{}", num(t));
    }
    s
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, w: usize) -> String {
    let n = chars(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

fn truncate(s: &str, w: usize) -> String {
    if chars(s) <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The table as text (ends with a newline).
pub fn render(s: &Summary) -> String {
    let mut per_feature: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &s.violations {
        *per_feature.entry(v.feature_name.as_str()).or_default() += 1;
    }
    let header = [
        "feature",
        "type",
        "complete",
        "drift figures",
        "drifted",
        "violations",
    ];
    let mut rows: Vec<[String; 6]> = Vec::new();
    for f in &s.features {
        let figures: Vec<String> = SHOWN
            .iter()
            .filter_map(|(k, label)| f.drift.get(*k).map(|d| figure(label, d)))
            .collect();
        let violations = per_feature.get(f.name.as_str()).copied().unwrap_or(0);
        rows.push([
            truncate(&f.name, 32),
            f.inferred_type.as_str().to_string(),
            format!("{:.1}%", f.completeness * 100.0),
            if figures.is_empty() {
                "-".into()
            } else {
                figures.join("  ")
            },
            if f.drifted { "YES" } else { "no" }.into(),
            violations.to_string(),
        ]);
    }
    let mut widths = header.map(chars);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(chars(c));
        }
    }
    let mut out = String::new();
    let line = |cells: &[String; 6], out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| if i == 5 { c.clone() } else { pad(c, w) })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(&header.map(String::from), &mut out);
    let rule = widths.map(|w| "─".repeat(w));
    line(&rule, &mut out);
    for r in &rows {
        line(r, &mut out);
    }
    // Violations on columns that are not features (e.g. malformed records).
    for (name, n) in &per_feature {
        if !s.features.iter().any(|f| f.name == *name) {
            let _ = writeln!(out, "{name}: {n} violation(s)");
        }
    }
    let status = match s.status {
        Status::Ok => "OK: no drift",
        Status::Drift => "DRIFT detected",
        Status::InsufficientData => "insufficient data: no verdict",
        Status::NoBaseline => "no baseline",
        Status::Error => "error",
    };
    let _ = writeln!(
        out,
        "\n{status} — {} records, {} malformed, {} drifted feature(s), {} violation(s)",
        s.records, s.malformed_records, s.drifted_feature_count, s.violation_count
    );
    if let Some(r) = &s.reason {
        let _ = writeln!(out, "{r}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compact() {
        assert_eq!(num(0.12345), "0.123");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(0.00001234), "1.2e-5");
        assert_eq!(num(0.0), "0");
    }
}
