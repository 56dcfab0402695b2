//! Writes a report for a deliberately drifted window, for the browser test and the docs
//! screenshot:
//!
//! ```text
//! cargo run -p driftline-report --example drifted_report -- OUT_DIR [BASELINE_STATISTICS_JSON]
//! ```
//!
//! The baseline is a real Model Monitor `statistics.json` (default: the SageMaker SDK's
//! data-quality baseline copied under `tests/data/`) plus one synthetic categorical feature. The
//! current window is a shifted copy: some features shifted or scaled past the baseline's range,
//! one with missing values, the categorical one with new values (one named like a script tag).
//! Its sketch has two levels, so the report's weighted re-binning is exercised. The drift
//! figures are computed here with plain formulas for the demo (L∞ and Wasserstein from the
//! CDFs, PSI and JS over the baseline's buckets, an asymptotic KS p-value); the real ones come
//! from `driftline_stats`. Writes `OUT_DIR/report.html` and `OUT_DIR/expected.json` (the feature
//! names and chart kinds the browser check must find).

use driftline_report::bins::{edges_of, rebin, sketch_sample};
use driftline_report::{render_html, ReportInput};
use driftline_stats::double::Double;
use driftline_stats::formats::statistics::{
    Categorical, CategoricalBucket, Common, Dataset, FeatureStatistics, InferredType, KllBucket,
    KllDistribution, KllSketchData, NumericDistribution, NumericalStatistics, Statistics,
    StringDistribution, StringStatistics,
};
use driftline_stats::sample::WeightedSample;
use driftline_stats::summary::{
    DriftFigure, FaultExample, Faults, FeatureSummary, Status, Summary, ViolationSummary, Window,
    SUMMARY_SCHEMA_VERSION,
};
use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

const THRESHOLD: f64 = 0.1;
const CATEGORY: &str = "payment_method";

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: drifted_report OUT_DIR [BASELINE]")?,
    );
    let baseline_path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/baseline_statistics.json")
    });
    let text = std::fs::read_to_string(&baseline_path)
        .map_err(|e| format!("reading {}: {e}", baseline_path.display()))?;
    let mut baseline: Statistics = serde_json::from_str(&text)
        .map_err(|e| format!("parsing {}: {e}", baseline_path.display()))?;
    // The categorical feature comes first, so that the docs screenshot shows both chart kinds.
    baseline.features.insert(
        0,
        string_feature(
            CATEGORY,
            &[
                ("card", 600),
                ("cash", 250),
                ("paypal", 100),
                ("voucher", 30),
                ("crypto", 12),
                ("gift card", 8),
            ],
            0,
        ),
    );

    let mut current = Statistics {
        version: Double(0.0),
        dataset: Some(Dataset { item_count: 300 }),
        features: Vec::new(),
    };
    let mut features = Vec::new();
    let mut violations = Vec::new();
    for b in &baseline.features {
        let Some(kll) = b
            .numerical_statistics
            .as_ref()
            .and_then(|n| n.distribution.as_ref())
            .map(|d| &d.kll)
        else {
            continue;
        };
        let base_values: Vec<f64> = kll.sketch.data.iter().flatten().map(|d| d.0).collect();
        // The drift of each feature, by name; unnamed features stay as they were.
        let (transform, jitter): (fn(f64) -> f64, f64) = match b.name.as_str() {
            "_c0" => (|v| v + 0.9, 0.05),
            "_c2" => (|v| v * 1.4, 0.1),
            "_c3" => (|v| v - 0.5, 0.05),
            _ => (|v| v, 0.0),
        };
        let missing = if b.name == "_c4" { 30 } else { 0 };
        let mut values = Vec::new();
        for j in 0..3 {
            values.extend(
                base_values
                    .iter()
                    .map(|&v| transform(v) + j as f64 * jitter),
            );
        }
        values.truncate(300 - missing);
        let cur = numeric_feature(&b.name, &values, missing as u64);
        let fs = feature_summary(b, &cur, &base_values);
        if fs.drifted {
            violations.push(ViolationSummary {
                feature_name: b.name.clone(),
                constraint_check_type: "baseline_drift_check".into(),
                description: format!(
                    "Baseline drift distance: {:.4} exceeds threshold: {THRESHOLD}",
                    fs.drift["linf"].value
                ),
            });
        }
        if fs.completeness < 1.0 {
            violations.push(ViolationSummary {
                feature_name: b.name.clone(),
                constraint_check_type: "completeness_check".into(),
                description: format!(
                    "Data completeness: {} is below baseline completeness: 1.0",
                    fs.completeness
                ),
            });
        }
        features.push(fs);
        current.features.push(cur);
    }
    let cur_cat = string_feature(
        CATEGORY,
        &[
            ("card", 120),
            ("cash", 40),
            ("paypal", 60),
            ("voucher", 5),
            ("apple_pay", 45),
            ("<script>alert(1)</script>", 15),
        ],
        15,
    );
    let cat_summary = categorical_summary(baseline.features.first(), &cur_cat);
    violations.push(ViolationSummary {
        feature_name: CATEGORY.into(),
        constraint_check_type: "categorical_values_check".into(),
        description: "Data type match requirement is not met. Unseen values: apple_pay, <script>alert(1)</script>".into(),
    });
    features.insert(0, cat_summary);
    current.features.insert(0, cur_cat);

    let drifted = features.iter().filter(|f| f.drifted).count() as u64;
    let summary = Summary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        endpoint: Some("churn-xgb-prod".into()),
        variant: Some("AllTraffic".into()),
        window: Some(window(6)),
        status: if drifted > 0 { Status::Drift } else { Status::Ok },
        records: 300,
        malformed_records: 5,
        drift_detected: drifted > 0,
        violation_count: violations.len() as u64,
        drifted_feature_count: drifted,
        reason: Some(format!(
            "{drifted} features drifted (L∞ distance above {THRESHOLD})"
        )),
        features,
        violations,
        faults: Faults {
            counts: BTreeMap::from([("column_count".into(), 2), ("malformed_json".into(), 3)]),
            examples: vec![FaultExample {
                source: "s3://bucket/datacapture/churn-xgb-prod/AllTraffic/2026/11/25/10/05-12-001.jsonl".into(),
                line: 17,
                kind: "malformed_json".into(),
                reason: "expected `,` or `}` at column 212".into(),
            }],
        },
        sources: Vec::new(),
        artifacts: BTreeMap::new(),
        policy: Some(format!("drifted when L∞ distance > {THRESHOLD}")),
    };
    let history = history(&summary);
    let html = render_html(&ReportInput {
        summary: &summary,
        current: &current,
        baseline: Some(&baseline),
        history: &history,
    });
    std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    std::fs::write(out.join("report.html"), html)?;
    let expected: Vec<serde_json::Value> = summary
        .features
        .iter()
        .map(|f| {
            serde_json::json!({
                "name": f.name,
                "kind": if f.inferred_type.is_numeric() { "numeric" } else { "categorical" },
                "trend": true,
            })
        })
        .collect();
    std::fs::write(
        out.join("expected.json"),
        serde_json::to_string_pretty(&serde_json::json!({ "features": expected }))?,
    )?;
    println!("{}", out.join("report.html").display());
    Ok(())
}

fn window(hour: u32) -> Window {
    Window {
        start: format!("2026-11-25T{:02}:00:00Z", hour + 4),
        end: format!("2026-11-25T{:02}:00:00Z", hour + 5),
    }
}

/// Five earlier windows in which each feature's L∞ distance rises towards today's value.
fn history(current: &Summary) -> Vec<Summary> {
    (1..=5)
        .map(|h| {
            let mut s = current.clone();
            s.window = Some(window(h));
            for f in &mut s.features {
                if let Some(d) = f.drift.get_mut("linf") {
                    d.value *= h as f64 / 6.0;
                    f.drifted = d.value > THRESHOLD;
                }
            }
            s
        })
        .collect()
}

fn string_feature(name: &str, counts: &[(&str, u64)], missing: u64) -> FeatureStatistics {
    FeatureStatistics {
        name: name.into(),
        inferred_type: InferredType::String,
        numerical_statistics: None,
        string_statistics: Some(StringStatistics {
            common: Common {
                num_present: counts.iter().map(|c| c.1).sum(),
                num_missing: missing,
            },
            distinct_count: Double(counts.len() as f64),
            distribution: Some(StringDistribution {
                categorical: Categorical {
                    buckets: counts
                        .iter()
                        .map(|(v, n)| CategoricalBucket {
                            value: (*v).into(),
                            count: *n,
                        })
                        .collect(),
                },
            }),
        }),
    }
}

/// A numeric feature whose sketch has two levels: the lower half of the sorted values compacted
/// into level 1 (every other item, weight 2), the rest at level 0.
fn numeric_feature(name: &str, values: &[f64], missing: u64) -> FeatureStatistics {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let half = sorted.len() / 2 / 2 * 2;
    let level1: Vec<Double> = sorted[..half]
        .iter()
        .step_by(2)
        .map(|&v| Double(v))
        .collect();
    let level0: Vec<Double> = sorted[half..].iter().map(|&v| Double(v)).collect();
    let sketch = KllSketchData {
        parameters: driftline_stats::formats::statistics::KllParameters {
            c: Double(0.64),
            k: Double(2048.0),
        },
        data: vec![level0, level1],
    };
    let sample = sketch_sample(&sketch);
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let edges: Vec<f64> = (0..=10)
        .map(|i| min + (max - min) * i as f64 / 10.0)
        .collect();
    let counts = rebin(&sample, &edges).map(|r| r.counts).unwrap_or_default();
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    let mean = sum / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    FeatureStatistics {
        name: name.into(),
        inferred_type: InferredType::Fractional,
        numerical_statistics: Some(NumericalStatistics {
            common: Common {
                num_present: values.len() as u64,
                num_missing: missing,
            },
            mean: Double(mean),
            sum: Double(sum),
            std_dev: Double(var.sqrt()),
            min: Double(min),
            max: Double(max),
            distribution: Some(NumericDistribution {
                kll: KllDistribution {
                    buckets: counts
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| KllBucket {
                            lower_bound: Double(edges[i]),
                            upper_bound: Double(edges[i + 1]),
                            count: Double(c),
                        })
                        .collect(),
                    sketch,
                },
            }),
        }),
        string_statistics: None,
    }
}

fn fig(value: f64, threshold: Option<f64>) -> DriftFigure {
    DriftFigure {
        value,
        p_value: None,
        threshold,
        error_bound: None,
    }
}

/// Demo drift figures of a numeric feature (see the module docs).
fn feature_summary(b: &FeatureStatistics, cur: &FeatureStatistics, base: &[f64]) -> FeatureSummary {
    let bs = WeightedSample::from_values(base);
    let cs = cur
        .numerical_statistics
        .as_ref()
        .and_then(|n| n.distribution.as_ref())
        .map(|d| sketch_sample(&d.kll.sketch))
        .unwrap_or_default();
    let mut points: Vec<f64> = bs.values().iter().chain(cs.values()).copied().collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    let linf = points
        .iter()
        .map(|&x| (bs.cdf(x) - cs.cdf(x)).abs())
        .fold(0.0, f64::max);
    let wasserstein: f64 = points
        .windows(2)
        .map(|w| (bs.cdf(w[0]) - cs.cdf(w[0])).abs() * (w[1] - w[0]))
        .sum();
    let kll = b
        .numerical_statistics
        .as_ref()
        .and_then(|n| n.distribution.as_ref());
    let edges = kll
        .and_then(|d| edges_of(&d.kll.buckets))
        .unwrap_or_default();
    let (p, q) = match (rebin(&bs, &edges), rebin(&cs, &edges)) {
        (Some(p), Some(q)) => (shares(&p), shares(&q)),
        _ => (Vec::new(), Vec::new()),
    };
    let psi: f64 = p.iter().zip(&q).map(|(p, q)| (q - p) * (q / p).ln()).sum();
    let js = js_divergence(&p, &q);
    let (n, m) = (bs.total_weight(), cs.total_weight());
    let ks_p = kolmogorov_sf(linf * (n * m / (n + m)).sqrt());
    let nums = cur.numerical_statistics.as_ref();
    let present = nums.map(|n| n.common.num_present).unwrap_or(0) as f64;
    let missing = nums.map(|n| n.common.num_missing).unwrap_or(0) as f64;
    let drift = BTreeMap::from([
        ("linf".to_string(), fig(linf, Some(THRESHOLD))),
        (
            "ks".to_string(),
            DriftFigure {
                p_value: Some(ks_p),
                ..fig(linf, None)
            },
        ),
        ("psi".to_string(), fig(psi, Some(0.2))),
        ("js".to_string(), fig(js, None)),
        ("wasserstein".to_string(), fig(wasserstein, None)),
    ]);
    FeatureSummary {
        name: b.name.clone(),
        inferred_type: cur.inferred_type,
        baseline_type: Some(b.inferred_type),
        completeness: present / (present + missing),
        baseline_completeness: Some(1.0),
        drifted: linf > THRESHOLD,
        reasons: if linf > THRESHOLD {
            vec![format!("L∞ distance {linf:.3} > {THRESHOLD}")]
        } else {
            Vec::new()
        },
        drift,
        mean: nums.map(|n| n.mean.0),
        baseline_mean: b.numerical_statistics.as_ref().map(|n| n.mean.0),
    }
}

/// Shares over under/buckets/over, floored at 1e-4 so that PSI and JS stay finite.
fn shares(r: &driftline_report::bins::Rebinned) -> Vec<f64> {
    let t = r.total().max(1.0);
    std::iter::once(r.under)
        .chain(r.counts.iter().copied())
        .chain(std::iter::once(r.over))
        .map(|c| (c / t).max(1e-4))
        .collect()
}

fn js_divergence(p: &[f64], q: &[f64]) -> f64 {
    let kl = |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(a, b)| a * (a / b).ln()).sum() };
    let m: Vec<f64> = p.iter().zip(q).map(|(a, b)| (a + b) / 2.0).collect();
    (kl(p, &m) + kl(q, &m)) / 2.0
}

/// Kolmogorov distribution survival function (asymptotic KS p-value).
fn kolmogorov_sf(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let s: f64 = (1..=100)
        .map(|k| {
            let k = k as f64;
            let sign = if k as i64 % 2 == 1 { 1.0 } else { -1.0 };
            sign * (-2.0 * k * k * x * x).exp()
        })
        .sum();
    (2.0 * s).clamp(0.0, 1.0)
}

fn categorical_summary(b: Option<&FeatureStatistics>, cur: &FeatureStatistics) -> FeatureSummary {
    let counts = |f: Option<&FeatureStatistics>| -> BTreeMap<String, f64> {
        f.and_then(|f| f.string_statistics.as_ref())
            .and_then(|s| s.distribution.as_ref())
            .map(|d| {
                d.categorical
                    .buckets
                    .iter()
                    .map(|b| (b.value.clone(), b.count as f64))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (bc, cc) = (counts(b), counts(Some(cur)));
    let (bt, ct) = (bc.values().sum::<f64>(), cc.values().sum::<f64>());
    let keys: std::collections::BTreeSet<&String> = bc.keys().chain(cc.keys()).collect();
    let linf = keys
        .iter()
        .map(|k| {
            (bc.get(*k).copied().unwrap_or(0.0) / bt - cc.get(*k).copied().unwrap_or(0.0) / ct)
                .abs()
        })
        .fold(0.0, f64::max);
    let present = cc.values().sum::<f64>();
    FeatureSummary {
        name: cur.name.clone(),
        inferred_type: InferredType::String,
        baseline_type: Some(InferredType::String),
        completeness: present / (present + 15.0),
        baseline_completeness: Some(1.0),
        drifted: linf > THRESHOLD,
        reasons: vec![
            format!("L∞ distance {linf:.3} > {THRESHOLD}"),
            "2 unseen values".into(),
        ],
        drift: BTreeMap::from([("linf".to_string(), fig(linf, Some(THRESHOLD)))]),
        mean: None,
        baseline_mean: None,
    }
}
