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
//! Its sketch has two levels, so the report's weighted re-binning is exercised. Violations and
//! figures come from `driftline_stats` as analyze-capture computes them: constraints suggested
//! from the baseline, Model Monitor's checks (L∞ drift, completeness, domain), and driftline's
//! decision policy (KS, PSI, JS, Wasserstein, χ², Benjamini-Hochberg). The five earlier windows
//! of the trend are scaled copies of this one. Writes `OUT_DIR/report.html` and
//! `OUT_DIR/expected.json` (the feature names and chart kinds the browser check must find).

use driftline_report::bins::{rebin, sketch_sample};
use driftline_report::{render_html, ReportInput};
use driftline_stats::double::Double;
use driftline_stats::drift::categorical::CategoryCounts;
use driftline_stats::drift::policy::{
    decide, evaluate_categorical, evaluate_numeric, Moments, NumericInput, PolicyConfig,
};
use driftline_stats::evaluate::evaluate;
use driftline_stats::formats::statistics::{
    Categorical, CategoricalBucket, Common, Dataset, FeatureStatistics, InferredType, KllBucket,
    KllDistribution, KllSketchData, NumericDistribution, NumericalStatistics, Statistics,
    StringDistribution, StringStatistics,
};
use driftline_stats::kll::KllSketch;
use driftline_stats::suggest::suggest_constraints;
use driftline_stats::summary::{
    FaultExample, Faults, FeatureSummary, Status, Summary, Window, SUMMARY_SCHEMA_VERSION,
};
use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

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
    // The categorical feature comes second, so that the docs screenshot shows both chart kinds.
    baseline.features.insert(
        1,
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
    let categorical = string_feature(
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
    for b in &baseline.features {
        let Some(kll) = num_kll(b) else { continue };
        let base_values: Vec<f64> = kll.sketch.data.iter().flatten().map(|d| d.0).collect();
        // The drift of each feature, by name; the others stay as they were.
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
        current
            .features
            .push(numeric_feature(&b.name, &values, missing as u64));
    }
    current.features.insert(1, categorical);

    // Model Monitor's checks (suggested constraints, L∞ drift) and driftline's decision policy.
    let constraints = suggest_constraints(&baseline);
    let evaluation = evaluate(&baseline, &constraints, &current);
    let cfg = PolicyConfig::default();
    let mut drifts = Vec::new();
    for cur in &current.features {
        let Some(b) = baseline.features.iter().find(|b| b.name == cur.name) else {
            continue;
        };
        let drift = match (num_kll(b), num_kll(cur)) {
            (Some(bk), Some(ck)) => {
                let (bs, cs) = (sketch_sample(&bk.sketch), sketch_sample(&ck.sketch));
                let levels = |k: &KllDistribution| -> Vec<Vec<f64>> {
                    k.sketch
                        .data
                        .iter()
                        .map(|l| l.iter().map(|d| d.0).collect())
                        .collect()
                };
                let input = NumericInput {
                    baseline: &bs,
                    current: &cs,
                    n_base: bs.total_weight() as u64,
                    n_cur: cs.total_weight() as u64,
                    sketch_err_base: KllSketch::from_levels(levels(bk)).normalized_rank_error(),
                    sketch_err_cur: KllSketch::from_levels(levels(ck)).normalized_rank_error(),
                    baseline_std: b
                        .numerical_statistics
                        .as_ref()
                        .map_or(f64::NAN, |n| n.std_dev.0),
                    moments: b
                        .numerical_statistics
                        .as_ref()
                        .zip(cur.numerical_statistics.as_ref())
                        .map(|(bn, cn)| Moments {
                            baseline_mean: bn.mean.0,
                            current_mean: cn.mean.0,
                            current_std: cn.std_dev.0,
                        }),
                };
                evaluate_numeric(&cur.name, &input, &cfg)?
            }
            _ => evaluate_categorical(&cur.name, &category_counts(b), &category_counts(cur), &cfg)?,
        };
        drifts.push(drift);
    }
    let verdict = decide(&mut drifts, &cfg);

    let features: Vec<FeatureSummary> = current
        .features
        .iter()
        .map(|cur| {
            let b = baseline.features.iter().find(|b| b.name == cur.name);
            let ev = evaluation.feature(&cur.name);
            let d = drifts.iter().find(|d| d.name == cur.name);
            let mut drift = ev.map(|e| e.drift_figures()).unwrap_or_default();
            drift.extend(d.map(|d| d.figures()).unwrap_or_default());
            FeatureSummary {
                name: cur.name.clone(),
                inferred_type: cur.inferred_type,
                baseline_type: b.map(|b| b.inferred_type),
                completeness: completeness(cur).unwrap_or(0.0),
                baseline_completeness: b.and_then(completeness),
                drifted: d.is_some_and(|d| d.drifted),
                reasons: d.map(|d| d.reasons.clone()).unwrap_or_default(),
                drift,
                mean: cur.numerical_statistics.as_ref().map(|n| n.mean.0),
                baseline_mean: b
                    .and_then(|b| b.numerical_statistics.as_ref())
                    .map(|n| n.mean.0),
                values: None,
            }
        })
        .collect();
    let violations = evaluation.violation_summaries();
    let summary = Summary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        endpoint: Some("churn-xgb-prod".into()),
        variant: Some("AllTraffic".into()),
        window: Some(window(6)),
        status: if verdict.drift_detected {
            Status::Drift
        } else {
            Status::Ok
        },
        records: 300,
        malformed_records: 5,
        drift_detected: verdict.drift_detected,
        violation_count: violations.len() as u64,
        drifted_feature_count: verdict.drifted_features as u64,
        reason: Some(format!(
            "{} of {} features drifted by the decision policy",
            verdict.drifted_features,
            features.len()
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
        sources: (1..=3)
            .map(|i| format!("s3://bucket/datacapture/churn-xgb-prod/AllTraffic/2026/11/25/10/0{i}-00-000.jsonl"))
            .collect(),
        artifacts: ["statistics.json", "constraint_violations.json", "summary.json"]
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    format!("s3://bucket/driftline/reports/churn-xgb-prod/AllTraffic/2026/11/25/10/{f}"),
                )
            })
            .collect(),
        policy: Some(cfg.describe()),
        estimated_quality: None,
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

/// Five earlier windows in which each feature's distances rise towards today's values.
fn history(current: &Summary) -> Vec<Summary> {
    (1..=5)
        .map(|h| {
            let mut s = current.clone();
            s.window = Some(window(h));
            for f in &mut s.features {
                for d in f.drift.values_mut() {
                    d.value *= h as f64 / 6.0;
                }
                f.drifted = f.drifted && h >= 4;
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

fn num_kll(f: &FeatureStatistics) -> Option<&KllDistribution> {
    f.numerical_statistics
        .as_ref()
        .and_then(|n| n.distribution.as_ref())
        .map(|d| &d.kll)
}

fn category_counts(f: &FeatureStatistics) -> CategoryCounts {
    f.string_statistics
        .as_ref()
        .and_then(|s| s.distribution.as_ref())
        .map(|d| {
            d.categorical
                .buckets
                .iter()
                .map(|b| (b.value.clone(), b.count))
                .collect()
        })
        .unwrap_or_default()
}

fn completeness(f: &FeatureStatistics) -> Option<f64> {
    let c = f
        .numerical_statistics
        .as_ref()
        .map(|n| n.common)
        .or_else(|| f.string_statistics.as_ref().map(|s| s.common))?;
    let total = c.num_present + c.num_missing;
    (total > 0).then(|| c.num_present as f64 / total as f64)
}
