//! End-to-end tests of `analysis::analyze`: statuses, verdicts, violations, and the same
//! verdict whether a window is profiled whole or as merged parts.

use driftline_stats::analysis::{analyze, AnalysisOptions, Baseline, MALFORMED_RECORDS_FEATURE};
use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::summary::{Faults, Status};

/// Small deterministic generator (SplitMix64 + Box-Muller), so tests need no RNG crate.
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

const COLORS: [&str; 4] = ["red", "green", "blue", "yellow"];

/// Rows of (x: normal(shift, 1), n: integer 0..10, colour); `shift` moves x's mean in stds.
fn rows(seed: u64, n: usize, shift: f64, new_colour: bool) -> Vec<(String, String, String)> {
    let mut r = Rng(seed);
    (0..n)
        .map(|_| {
            let x = r.normal() + shift;
            let k = (r.uniform() * 10.0) as u64;
            let c = if new_colour && r.uniform() < 0.2 {
                "purple"
            } else {
                COLORS[(r.uniform() * 4.0) as usize % 4]
            };
            (format!("{x:.6}"), k.to_string(), c.to_string())
        })
        .collect()
}

fn profile_of(rows: &[(String, String, String)]) -> DatasetProfile {
    let mut p = DatasetProfile::new();
    let (a, b, c) = (
        p.column_index("x"),
        p.column_index("n"),
        p.column_index("colour"),
    );
    for (x, n, col) in rows {
        p.update(a, Cell::Raw(x));
        p.update(b, Cell::Raw(n));
        p.update(c, Cell::Raw(col));
    }
    p.add_records(rows.len() as u64);
    p
}

fn baseline() -> Baseline {
    Baseline::from_statistics(profile_of(&rows(1, 20_000, 0.0, false)).to_statistics())
}

#[test]
fn healthy_window_is_ok_and_shifted_window_drifts() {
    let b = baseline();
    let opts = AnalysisOptions::default();
    let healthy = analyze(
        &profile_of(&rows(2, 5_000, 0.0, false)),
        &Faults::default(),
        0,
        Some(&b),
        &opts,
    );
    assert_eq!(
        healthy.summary.status,
        Status::Ok,
        "{:#?}",
        healthy.summary.features
    );
    assert!(!healthy.summary.drift_detected);
    assert_eq!(healthy.summary.records, 5_000);

    let shifted = analyze(
        &profile_of(&rows(3, 5_000, 0.5, false)),
        &Faults::default(),
        0,
        Some(&b),
        &opts,
    );
    assert_eq!(shifted.summary.status, Status::Drift);
    let x = shifted
        .summary
        .features
        .iter()
        .find(|f| f.name == "x")
        .unwrap();
    assert!(x.drifted, "{x:#?}");
    for key in ["ks", "psi", "js", "wasserstein", "linf", "linf_robust"] {
        assert!(
            x.drift.contains_key(key),
            "missing {key} in {:?}",
            x.drift.keys()
        );
    }
    assert!(x.drift["ks"].p_value.unwrap() < 1e-6);
    let n = shifted
        .summary
        .features
        .iter()
        .find(|f| f.name == "n")
        .unwrap();
    assert!(!n.drifted, "{n:#?}");
    // The Model Monitor-compatible drift check fires too (L∞ of a 0.5-std shift ≈ 0.2 > 0.1).
    assert!(shifted.violations.violations.iter().any(
        |v| v.feature_name == "x" && v.constraint_check_type.as_str() == "baseline_drift_check"
    ));
}

#[test]
fn unseen_categories_drift() {
    let b = baseline();
    let a = analyze(
        &profile_of(&rows(4, 5_000, 0.0, true)),
        &Faults::default(),
        0,
        Some(&b),
        &AnalysisOptions::default(),
    );
    let c = a
        .summary
        .features
        .iter()
        .find(|f| f.name == "colour")
        .unwrap();
    assert!(c.drifted, "{c:#?}");
    assert!(c.drift.contains_key("chi2"));
}

#[test]
fn insufficient_data_gives_no_verdict() {
    let b = baseline();
    let a = analyze(
        &profile_of(&rows(5, 50, 3.0, false)),
        &Faults::default(),
        0,
        Some(&b),
        &AnalysisOptions::default(),
    );
    assert_eq!(a.summary.status, Status::InsufficientData);
    assert!(!a.summary.drift_detected);
    assert!(a.summary.features.iter().all(|f| !f.drifted));
    assert!(a.summary.reason.as_deref().unwrap().contains("50 < 100"));
}

#[test]
fn no_baseline_and_malformed_records() {
    let mut faults = Faults::default();
    faults.counts.insert("malformed_json".into(), 3);
    faults.counts.insert("bad_base64".into(), 1);
    let a = analyze(
        &profile_of(&rows(6, 500, 0.0, false)),
        &faults,
        4,
        None,
        &AnalysisOptions::default(),
    );
    assert_eq!(a.summary.status, Status::NoBaseline);
    assert_eq!(a.summary.malformed_records, 4);
    let v = &a.violations.violations;
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].feature_name, MALFORMED_RECORDS_FEATURE);
    // 500 usable of 504: 0.9920634920634921 (500/504 in binary64, printed the Java way).
    assert!(
        v[0].description
            .starts_with("Value: 0.9920634920634921 does not meet"),
        "{}",
        v[0].description
    );
    assert!(v[0].description.contains("malformed_json: 3"));

    let empty = analyze(
        &DatasetProfile::new(),
        &faults,
        4,
        Some(&baseline()),
        &AnalysisOptions::default(),
    );
    assert_eq!(empty.summary.status, Status::Error);
}

#[test]
fn missing_column_is_a_schema_drift() {
    let b = baseline();
    let mut p = DatasetProfile::new();
    let (a, c) = (p.column_index("x"), p.column_index("colour"));
    let mut r = Rng(7);
    for _ in 0..2_000 {
        p.update(a, Cell::Float(r.normal()));
        p.update(c, Cell::Str(COLORS[(r.uniform() * 4.0) as usize % 4]));
    }
    p.add_records(2_000);
    let out = analyze(
        &p,
        &Faults::default(),
        0,
        Some(&b),
        &AnalysisOptions::default(),
    );
    let n = out
        .summary
        .features
        .iter()
        .find(|f| f.name == "n")
        .expect("baseline column listed");
    assert!(n.drifted);
    assert!(out.summary.drift_detected);
    assert!(out
        .violations
        .violations
        .iter()
        .any(|v| v.constraint_check_type.as_str() == "missing_column_check"));
}

#[test]
fn merged_parts_give_the_same_verdicts_as_the_whole() {
    let b = baseline();
    for (seed, shift) in [(10u64, 0.0), (11, 0.3), (12, 1.0)] {
        let data = rows(seed, 9_000, shift, seed == 12);
        let whole = profile_of(&data);
        let mut merged = profile_of(&data[..2_500]);
        merged.merge(&profile_of(&data[2_500..7_000]));
        merged.merge(&profile_of(&data[7_000..]));
        let opts = AnalysisOptions::default();
        let w = analyze(&whole, &Faults::default(), 0, Some(&b), &opts);
        let m = analyze(&merged, &Faults::default(), 0, Some(&b), &opts);
        assert_eq!(w.summary.status, m.summary.status, "shift {shift}");
        assert_eq!(w.summary.records, m.summary.records);
        for (fw, fm) in w.summary.features.iter().zip(&m.summary.features) {
            assert_eq!(fw.name, fm.name);
            assert_eq!(fw.drifted, fm.drifted, "feature {} shift {shift}", fw.name);
            assert_eq!(fw.inferred_type, fm.inferred_type);
        }
    }
}

#[test]
fn analysis_files_are_jackson_and_json() {
    let b = baseline();
    let a = analyze(
        &profile_of(&rows(13, 1_000, 0.0, false)),
        &Faults::default(),
        0,
        Some(&b),
        &AnalysisOptions::default(),
    );
    let stats = a.statistics_json();
    assert!(
        stats.starts_with("{\n  \"version\" : 0.0,"),
        "{}",
        &stats[..40]
    );
    assert!(!stats.ends_with('\n'));
    let v: serde_json::Value = serde_json::from_str(&a.summary_json()).unwrap();
    assert_eq!(v["records"], 1_000);
    assert!(v["features"].as_array().unwrap().len() == 3);
    let viol = a.violations_json();
    assert!(viol.starts_with("{\n  \"violations\" : ["), "{viol}");
}

#[test]
fn completeness_drop_p_value_matches_hand_computation() {
    use driftline_stats::analysis::completeness_drop_p_value;
    // Baseline 0.95 of 100,000, window 0.94 of 10,000: pooled p = (95000+9400)/110000
    // = 0.9490909…, se = sqrt(p(1-p)(1e-5+1e-4)) = 0.0023054087, z = 0.01/se = 4.3376258,
    // one-sided p = scipy.stats.norm.sf(4.337625763395585) = 7.201506145623429e-06.
    let p = completeness_drop_p_value(0.95, 100_000, 0.94, 10_000).unwrap();
    assert!((p / 7.201506145623429e-06 - 1.0).abs() < 1e-6, "{p}");
    // No drop: no evidence.
    assert!(completeness_drop_p_value(0.95, 100_000, 0.951, 10_000).unwrap() > 0.5);
    // A tiny sampling dip (0.9505 → 0.9501) is not significant.
    assert!(completeness_drop_p_value(0.9505, 100_000, 0.9501, 10_000).unwrap() > 0.3);
    assert_eq!(completeness_drop_p_value(0.9, 100, 0.8, 0), None);
}

#[test]
fn sampling_dips_in_completeness_are_not_drift_but_real_drops_are() {
    // Baseline: 20,000 rows with 5 % missing in `m`; windows with 5 % (healthy) or 15 % missing.
    let make = |seed: u64, n: usize, missing: f64| {
        let mut r = Rng(seed);
        let mut p = DatasetProfile::new();
        let c = p.column_index("m");
        for _ in 0..n {
            if r.uniform() >= missing {
                p.update(c, Cell::Float(r.normal()));
            } else {
                p.update(c, Cell::Missing);
            }
        }
        p.add_records(n as u64);
        p
    };
    let b = Baseline::from_statistics(make(1, 20_000, 0.05).to_statistics());
    let opts = AnalysisOptions::default();
    let mut flagged = 0;
    for seed in 2..12 {
        let a = analyze(
            &make(seed, 10_000, 0.05),
            &Faults::default(),
            0,
            Some(&b),
            &opts,
        );
        flagged += usize::from(a.summary.drift_detected);
    }
    assert_eq!(flagged, 0, "healthy windows flagged for completeness");
    let a = analyze(
        &make(99, 10_000, 0.15),
        &Faults::default(),
        0,
        Some(&b),
        &opts,
    );
    let m = &a.summary.features[0];
    assert!(m.drifted, "{m:#?}");
    assert!(m.reasons.iter().any(|r| r.contains("completeness")));
}

/// The rolling view's sequential test: 24 hourly windows of 200 records with x's mean moved by
/// 0.08 std (below the per-window effect gate of 0.1) flag x as a sustained shift; the same
/// hours without the shift flag nothing, and a view without its hours carries no CUSUM.
#[test]
fn rolling_view_flags_a_sustained_small_shift() {
    use driftline_stats::analysis::window_moments;
    let b = baseline();
    for (shift, expect) in [(0.08, true), (0.0, false)] {
        let mut view = DatasetProfile::new();
        let mut sequence = Vec::new();
        for h in 0..24 {
            let p = profile_of(&rows(500 + h, 200, shift, false));
            sequence.push(window_moments(&p));
            view.merge(&p);
        }
        let opts = AnalysisOptions {
            sequence,
            ..AnalysisOptions::default()
        };
        let a = analyze(&view, &Faults::default(), 0, Some(&b), &opts);
        let x = a.summary.features.iter().find(|f| f.name == "x").unwrap();
        let cusum = x
            .drift
            .get("cusum")
            .expect("a CUSUM figure in a rolling view");
        assert_eq!(cusum.value > cusum.threshold.unwrap(), expect, "{cusum:?}");
        let sustained = x.reasons.iter().any(|r| r.starts_with("sustained shift"));
        assert_eq!(sustained, expect, "{:?}", x.reasons);
        if expect {
            assert!(x.drifted && a.summary.drift_detected);
        } else {
            assert!(!a.summary.drift_detected, "{:?}", a.summary.features);
        }
        // the view without its hours: no CUSUM
        let plain = analyze(
            &view,
            &Faults::default(),
            0,
            Some(&b),
            &AnalysisOptions::default(),
        );
        let px = plain
            .summary
            .features
            .iter()
            .find(|f| f.name == "x")
            .unwrap();
        assert!(!px.drift.contains_key("cusum"));
    }
}
