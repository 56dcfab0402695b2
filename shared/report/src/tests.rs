//! Rendering tests: the output is parsed with a real HTML5 parser (scraper/html5ever) and checked
//! for structure, escaping and self-containment; the re-binning is checked against numpy.

use crate::bins::{edges_of, rebin, sketch_sample};
use crate::{render_html, ReportInput};
use driftline_stats::double::Double;
use driftline_stats::formats::statistics::{
    Categorical, CategoricalBucket, Common, Dataset, FeatureStatistics, InferredType, KllBucket,
    KllDistribution, KllParameters, KllSketchData, NumericDistribution, NumericalStatistics,
    Statistics, StringDistribution, StringStatistics,
};
use driftline_stats::summary::{
    DriftFigure, FeatureSummary, Status, Summary, ViolationSummary, Window, SUMMARY_SCHEMA_VERSION,
};
use scraper::{ElementRef, Html, Selector};
use std::collections::BTreeMap;

const EVIL: &str = "<script>alert(1)</script>";

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn numeric(name: &str, edges: &[f64], counts: &[f64], levels: &[&[f64]]) -> FeatureStatistics {
    FeatureStatistics {
        name: name.into(),
        inferred_type: InferredType::Fractional,
        numerical_statistics: Some(NumericalStatistics {
            common: Common {
                num_present: counts.iter().sum::<f64>() as u64,
                num_missing: 0,
            },
            mean: Double(1.0),
            sum: Double(1.0),
            std_dev: Double(1.0),
            min: Double(edges[0]),
            max: Double(edges[edges.len() - 1]),
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
                    sketch: KllSketchData {
                        parameters: KllParameters {
                            c: Double(0.64),
                            k: Double(2048.0),
                        },
                        data: levels
                            .iter()
                            .map(|l| l.iter().map(|&v| Double(v)).collect())
                            .collect(),
                    },
                },
            }),
        }),
        string_statistics: None,
    }
}

fn categorical(name: &str, counts: &[(&str, u64)]) -> FeatureStatistics {
    FeatureStatistics {
        name: name.into(),
        inferred_type: InferredType::String,
        numerical_statistics: None,
        string_statistics: Some(StringStatistics {
            common: Common {
                num_present: counts.iter().map(|c| c.1).sum(),
                num_missing: 0,
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

fn stats(features: Vec<FeatureStatistics>) -> Statistics {
    Statistics {
        version: Double(0.0),
        dataset: Some(Dataset { item_count: 10 }),
        features,
    }
}

fn feature_summary(name: &str, t: InferredType, drifted: bool, linf: f64) -> FeatureSummary {
    FeatureSummary {
        name: name.into(),
        inferred_type: t,
        baseline_type: Some(t),
        completeness: 1.0,
        baseline_completeness: Some(1.0),
        drifted,
        reasons: Vec::new(),
        drift: BTreeMap::from([
            (
                "linf".to_string(),
                DriftFigure {
                    value: linf,
                    p_value: None,
                    threshold: Some(0.1),
                    error_bound: None,
                },
            ),
            (
                "ks".to_string(),
                DriftFigure {
                    value: linf,
                    p_value: Some(1e-9),
                    threshold: None,
                    error_bound: None,
                },
            ),
        ]),
        mean: None,
        baseline_mean: None,
        values: None,
    }
}

fn summary(features: Vec<FeatureSummary>, violations: Vec<ViolationSummary>) -> Summary {
    let drifted = features.iter().filter(|f| f.drifted).count() as u64;
    Summary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        endpoint: Some("ep".into()),
        variant: Some("AllTraffic".into()),
        window: Some(Window {
            start: "2026-11-25T10:00:00Z".into(),
            end: "2026-11-25T11:00:00Z".into(),
        }),
        status: if drifted > 0 {
            Status::Drift
        } else {
            Status::Ok
        },
        records: 10,
        malformed_records: 0,
        drift_detected: drifted > 0,
        violation_count: violations.len() as u64,
        drifted_feature_count: drifted,
        reason: None,
        features,
        violations,
        faults: Default::default(),
        sources: Vec::new(),
        artifacts: BTreeMap::new(),
        policy: None,
        estimated_quality: None,
    }
}

fn violation(feature: &str, check: &str) -> ViolationSummary {
    ViolationSummary {
        feature_name: feature.into(),
        constraint_check_type: check.into(),
        description: format!("{check} failed for {feature}"),
    }
}

/// A window with three features: `a` (numeric, stable), `b` (numeric, drifted, values below and
/// above the baseline range), `c` (categorical, drifted, with an unseen value).
struct Fixture {
    summary: Summary,
    current: Statistics,
    baseline: Statistics,
}

fn fixture() -> Fixture {
    let edges = [0.0, 1.0, 2.0, 3.0, 4.0];
    let baseline = stats(vec![
        numeric(
            "a",
            &edges,
            &[2.0, 3.0, 0.0, 5.0],
            &[&[0.5, 0.5, 1.5, 1.5, 1.5, 3.5]],
        ),
        numeric("b", &edges, &[1.0, 1.0, 1.0, 1.0], &[&[0.5, 1.5, 2.5, 3.5]]),
        categorical("c", &[("x", 6), ("y", 4)]),
    ]);
    let current = stats(vec![
        numeric("a", &edges, &[2.0, 3.0, 0.0, 5.0], &[&[0.5, 1.5, 3.5]]),
        // b: -1 (under, weight 1), 3 (bucket 3), 9 (over, weight 2 at level 1).
        numeric("b", &[-1.0, 9.0], &[4.0], &[&[-1.0, 3.0], &[9.0]]),
        categorical("c", &[("x", 2), ("z", 8)]),
    ]);
    let summary = summary(
        vec![
            feature_summary("a", InferredType::Fractional, false, 0.02),
            feature_summary("b", InferredType::Fractional, true, 0.7),
            feature_summary("c", InferredType::String, true, 0.8),
        ],
        vec![
            violation("a", "completeness_check"),
            violation("c", "baseline_drift_check"),
            violation("b", "baseline_drift_check"),
        ],
    );
    Fixture {
        summary,
        current,
        baseline,
    }
}

fn render(fx: &Fixture, history: &[Summary]) -> String {
    render_html(&ReportInput {
        summary: &fx.summary,
        current: &fx.current,
        baseline: Some(&fx.baseline),
        history,
    })
}

fn section<'a>(doc: &'a Html, name: &str) -> ElementRef<'a> {
    doc.select(&sel("section.feature"))
        .find(|s| s.value().attr("data-feature") == Some(name))
        .unwrap_or_else(|| panic!("no section for {name}"))
}

fn text(e: ElementRef) -> String {
    e.text().collect()
}

#[test]
fn one_section_per_feature_drifted_first() {
    let fx = fixture();
    let doc = Html::parse_document(&render(&fx, &[]));
    let names: Vec<&str> = doc
        .select(&sel("section.feature"))
        .filter_map(|s| s.value().attr("data-feature"))
        .collect();
    // b and c drifted (column order kept among them), then a.
    assert_eq!(names, vec!["b", "c", "a"]);
    let drifted: Vec<bool> = doc
        .select(&sel("section.feature"))
        .map(|s| s.value().classes().any(|c| c == "drifted"))
        .collect();
    assert_eq!(drifted, vec![true, true, false]);
}

#[test]
fn violations_table_lists_drifted_features_first() {
    let fx = fixture();
    let doc = Html::parse_document(&render(&fx, &[]));
    let rows: Vec<String> = doc
        .select(&sel("table.violations tbody tr th"))
        .map(|th| text(th).split_whitespace().next().unwrap_or("").to_string())
        .collect();
    assert_eq!(rows, vec!["b", "c", "a"]);
    // b's drift row: distance 0.7 vs threshold 0.1.
    let first: Vec<String> = doc
        .select(&sel("table.violations tbody tr"))
        .next()
        .unwrap()
        .select(&sel("td"))
        .map(text)
        .collect();
    assert_eq!(first[0], "baseline_drift_check");
    assert_eq!((first[3].as_str(), first[4].as_str()), ("0.7", "0.1"));
    // a's completeness row shows baseline vs current completeness.
    let last: Vec<String> = doc
        .select(&sel("table.violations tbody tr"))
        .nth(2)
        .unwrap()
        .select(&sel("td"))
        .map(text)
        .collect();
    assert_eq!((last[1].as_str(), last[2].as_str()), ("100.0%", "100.0%"));
}

#[test]
fn every_svg_is_labelled_and_has_a_title_and_desc() {
    let fx = fixture();
    let mut hist = fx.summary.clone();
    hist.window = Some(Window {
        start: "2026-11-25T09:00:00Z".into(),
        end: "2026-11-25T10:00:00Z".into(),
    });
    let doc = Html::parse_document(&render(&fx, &[hist]));
    let svgs: Vec<_> = doc.select(&sel("svg")).collect();
    // 3 distribution charts + 3 trends (one history window + the current one).
    assert_eq!(svgs.len(), 6);
    for svg in svgs {
        assert_eq!(svg.value().attr("role"), Some("img"));
        let title_id = svg.value().attr("aria-labelledby").unwrap();
        let desc_id = svg.value().attr("aria-describedby").unwrap();
        let title = svg.select(&sel("title")).next().unwrap();
        assert_eq!(title.value().id(), Some(title_id));
        assert!(!text(title).trim().is_empty());
        let desc = svg.select(&sel("desc")).next().unwrap();
        assert_eq!(desc.value().id(), Some(desc_id));
        assert!(!text(desc).trim().is_empty());
        // Axis labels.
        assert!(svg.select(&sel("text.axis-label")).count() >= 1);
        // Ids are unique in the document.
        assert_eq!(doc.select(&sel(&format!("#{title_id}"))).count(), 1);
    }
}

#[test]
fn numeric_chart_has_a_bar_per_non_empty_bucket_and_matching_table() {
    let fx = fixture();
    let doc = Html::parse_document(&render(&fx, &[]));
    let b = section(&doc, "b");
    let svg = b.select(&sel("svg.histogram")).next().unwrap();
    // Rows: under, 4 buckets, over. Baseline counts [1,1,1,1] → 4 baseline bars in rows 1..=4.
    let rows_of = |class: &str| -> Vec<usize> {
        svg.select(&sel(&format!("rect.{class}")))
            .map(|r| r.value().attr("data-row").unwrap().parse().unwrap())
            .collect()
    };
    assert_eq!(rows_of("bar-baseline"), vec![1, 2, 3, 4]);
    // Current: -1 → under (row 0), 3 → bucket [3,4] (row 4), 9 (weight 2) → over (row 5).
    assert_eq!(rows_of("bar-current"), vec![0, 4, 5]);
    // Bars are direct children of the bars group (no bad nesting from unclosed SVG tags).
    for r in svg.select(&sel("g.bars > rect")) {
        assert!(r.value().attr("height").unwrap().parse::<f64>().unwrap() > 0.0);
    }
    let table_rows: Vec<Vec<String>> = b
        .select(&sel("table.chart-data tbody tr"))
        .map(|tr| tr.select(&sel("th, td")).map(text).collect())
        .collect();
    assert_eq!(table_rows.len(), 4 + 2, "buckets plus under- and overflow");
    assert_eq!(table_rows[0], ["below 0", "0", "0.0%", "1", "25.0%"]);
    assert_eq!(table_rows[1], ["[0, 1)", "1", "25.0%", "0", "0.0%"]);
    assert_eq!(table_rows[4], ["[3, 4]", "1", "25.0%", "1", "25.0%"]);
    assert_eq!(table_rows[5], ["above 4", "0", "0.0%", "2", "50.0%"]);
    // The stable feature: baseline counts [2,3,0,5] → bars only for the three non-empty buckets.
    let a = section(&doc, "a");
    let base_rows: Vec<&str> = a
        .select(&sel("rect.bar-baseline"))
        .map(|r| r.value().attr("data-row").unwrap())
        .collect();
    assert_eq!(base_rows, vec!["1", "2", "4"]);
    assert_eq!(a.select(&sel("table.chart-data tbody tr")).count(), 6);
}

#[test]
fn categorical_chart_has_top_values_and_unseen() {
    let fx = fixture();
    let doc = Html::parse_document(&render(&fx, &[]));
    let c = section(&doc, "c");
    let svg = c.select(&sel("svg.categories")).next().unwrap();
    let labels: Vec<String> = svg.select(&sel("text.cat-label")).map(text).collect();
    assert_eq!(labels, vec!["x", "y", "unseen (1 value)"]);
    let table: Vec<Vec<String>> = c
        .select(&sel("table.chart-data tbody tr"))
        .map(|tr| tr.select(&sel("th, td")).map(text).collect())
        .collect();
    assert_eq!(table.len(), 3);
    assert_eq!(table[2], ["unseen (1 value)", "0", "0.0%", "8", "80.0%"]);
    // Bars: x (6 | 2), y (4 | 0), unseen (0 | 8).
    assert_eq!(svg.select(&sel("rect.bar-baseline")).count(), 2);
    assert_eq!(svg.select(&sel("rect.bar-current")).count(), 2);
    assert!(text(c.select(&sel("p.unseen")).next().unwrap()).contains('z'));
}

#[test]
fn escapes_names_and_categories() {
    let tricky = "a\"b'c&d<e>";
    let edges = [0.0, 1.0];
    let baseline = stats(vec![
        numeric(EVIL, &edges, &[1.0], &[&[0.5]]),
        numeric(tricky, &edges, &[1.0], &[&[0.5]]),
        categorical("cat", &[("ok", 1), (EVIL, 1)]),
    ]);
    let current = stats(vec![
        numeric(EVIL, &edges, &[1.0], &[&[0.5]]),
        numeric(tricky, &edges, &[1.0], &[&[0.5]]),
        categorical(
            "cat",
            &[("ok", 1), (EVIL, 1), ("\"><img src=x onerror=alert(2)>", 3)],
        ),
    ]);
    let mut s = summary(
        vec![
            feature_summary(EVIL, InferredType::Fractional, true, 0.5),
            feature_summary(tricky, InferredType::Fractional, false, 0.0),
            feature_summary("cat", InferredType::String, false, 0.0),
        ],
        vec![violation(EVIL, EVIL)],
    );
    s.endpoint = Some(EVIL.into());
    s.artifacts
        .insert("summary.json".into(), format!("s3://b/{EVIL}/summary.json"));
    s.sources.push(EVIL.into());
    s.reason = Some(tricky.into());
    let html = render_html(&ReportInput {
        summary: &s,
        current: &current,
        baseline: Some(&baseline),
        history: &[],
    });
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert!(!html.contains("<img"));
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("script")).count(), 0);
    assert_eq!(doc.select(&sel("img")).count(), 0);
    // Attribute context: the names survive exactly.
    let names: Vec<&str> = doc
        .select(&sel("section.feature"))
        .filter_map(|s| s.value().attr("data-feature"))
        .collect();
    assert_eq!(names, vec![EVIL, tricky, "cat"]);
    // Text contexts: headings, SVG titles, table cells, category labels.
    assert!(text(section(&doc, EVIL).select(&sel("h2")).next().unwrap()).contains(EVIL));
    assert!(text(
        section(&doc, tricky)
            .select(&sel("svg title"))
            .next()
            .unwrap()
    )
    .contains(tricky));
    let cat = section(&doc, "cat");
    let values: Vec<String> = cat
        .select(&sel("table.chart-data tbody th"))
        .map(text)
        .collect();
    assert!(values.contains(&EVIL.to_string()), "{values:?}");
    assert!(text(cat.select(&sel("p.unseen")).next().unwrap()).contains("onerror=alert(2)"));
    assert!(text(doc.select(&sel("h1")).next().unwrap()).contains(EVIL));
    assert!(text(doc.select(&sel("table.violations")).next().unwrap()).contains(EVIL));
    assert!(text(doc.select(&sel("ul.files")).next().unwrap()).contains(EVIL));
}

#[test]
fn self_contained_no_external_references() {
    let fx = fixture();
    let html = render(&fx, std::slice::from_ref(&fx.summary));
    let doc = Html::parse_document(&html);
    for attr in ["src", "href", "xlink:href", "action", "data"] {
        for e in doc.select(&sel(&format!("[{}]", attr.replace(':', "\\:")))) {
            let v = e
                .value()
                .attr(attr)
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            assert!(v.starts_with('#'), "{attr}={v} is not a fragment link");
        }
    }
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(doc.select(&sel(tag)).count(), 0, "{tag}");
    }
    // The only URL-like text is the SVG namespace name, which is never fetched.
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    assert!(!html.contains("url(//") && !html.contains("@import"));
    // Every internal link points at an element of the page.
    for a in doc.select(&sel("a[href]")) {
        let id = &a.value().attr("href").unwrap()[1..];
        assert_eq!(doc.select(&sel(&format!("[id='{id}']"))).count(), 1, "{id}");
    }
}

#[test]
fn states_without_verdict_are_spelled_out() {
    let fx = fixture();
    let mut s = fx.summary.clone();
    s.status = Status::InsufficientData;
    s.reason = Some("insufficient data: 12 < 100 records".into());
    for f in &mut s.features {
        f.drifted = false;
    }
    let html = render_html(&ReportInput {
        summary: &s,
        current: &fx.current,
        baseline: Some(&fx.baseline),
        history: &[],
    });
    let doc = Html::parse_document(&html);
    let status = text(doc.select(&sel("#status")).next().unwrap());
    assert!(status.contains("Insufficient data"), "{status}");
    assert!(text(doc.select(&sel(".reason")).next().unwrap()).contains("12 < 100"));
    assert_eq!(doc.select(&sel(".badge.none")).count(), 3);

    // No baseline: the current window's own buckets, no under/overflow, no baseline series.
    s.status = Status::NoBaseline;
    let html = render_html(&ReportInput {
        summary: &s,
        current: &fx.current,
        baseline: None,
        history: &[],
    });
    let doc = Html::parse_document(&html);
    assert!(text(doc.select(&sel("#status")).next().unwrap()).contains("No baseline"));
    let b = section(&doc, "b");
    assert_eq!(b.select(&sel("rect.bar-baseline")).count(), 0);
    assert_eq!(b.select(&sel("table.chart-data tbody tr")).count(), 1);
    assert_eq!(b.select(&sel("svg.histogram")).count(), 1);
}

#[test]
fn trend_needs_two_points_and_skips_a_duplicate_current_window() {
    let fx = fixture();
    let doc = Html::parse_document(&render(&fx, &[]));
    assert_eq!(doc.select(&sel("svg.trend-svg")).count(), 0);

    let mut older = fx.summary.clone();
    older.window = Some(Window {
        start: "2026-11-25T09:00:00Z".into(),
        end: "2026-11-25T10:00:00Z".into(),
    });
    for f in &mut older.features {
        f.drifted = false;
        if let Some(d) = f.drift.get_mut("linf") {
            d.value = 0.05;
        }
    }
    // History that already ends with the current window: still two points, not three.
    let doc = Html::parse_document(&render(&fx, &[older, fx.summary.clone()]));
    let b = section(&doc, "b");
    let trend = b.select(&sel("svg.trend-svg")).next().unwrap();
    assert_eq!(trend.select(&sel(".point")).count(), 2);
    assert_eq!(trend.select(&sel("rect.point.drifted")).count(), 1);
    assert_eq!(trend.select(&sel("line.threshold")).count(), 1);
    let rows: Vec<Vec<String>> = b
        .select(&sel("table.trend-data tbody tr"))
        .map(|tr| tr.select(&sel("th, td")).map(text).collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec!["2026-11-25T09:00:00Z", "0.05", "0.1", "no drift"],
            vec!["2026-11-25T10:00:00Z", "0.7", "0.1", "drifted"],
        ]
    );
}

#[test]
fn drift_figures_table_shows_p_values_and_thresholds() {
    let fx = fixture();
    let doc = Html::parse_document(&render(&fx, &[]));
    let b = section(&doc, "b");
    let rows: Vec<Vec<String>> = b
        .select(&sel("table.figures tbody tr"))
        .map(|tr| tr.select(&sel("th, td")).map(text).collect())
        .collect();
    assert_eq!(rows[0], ["L∞ distance", "0.7", "—", "0.1exceeded"]);
    assert_eq!(rows[1], ["Kolmogorov–Smirnov", "0.7", "1.0e-9", "—"]);
}

#[test]
fn output_is_deterministic() {
    let fx = fixture();
    assert_eq!(render(&fx, &[]), render(&fx, &[]));
}

#[test]
fn real_baseline_renders_every_feature() {
    let text = include_str!("../tests/data/baseline_statistics.json");
    let baseline: Statistics = serde_json::from_str(text).unwrap();
    let s = summary(
        baseline
            .features
            .iter()
            .map(|f| feature_summary(&f.name, f.inferred_type, false, 0.0))
            .collect(),
        Vec::new(),
    );
    let html = render_html(&ReportInput {
        summary: &s,
        current: &baseline,
        baseline: Some(&baseline),
        history: &[],
    });
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("section.feature")).count(), 6);
    for f in &baseline.features {
        let sec = section(&doc, &f.name);
        let kll = &f
            .numerical_statistics
            .as_ref()
            .unwrap()
            .distribution
            .as_ref()
            .unwrap()
            .kll;
        let non_empty: Vec<String> = kll
            .buckets
            .iter()
            .enumerate()
            .filter(|(_, b)| b.count.0 > 0.0)
            .map(|(i, _)| (i + 1).to_string()) // row 0 is the underflow row
            .collect();
        let bars: Vec<&str> = sec
            .select(&sel("rect.bar-baseline"))
            .map(|r| r.value().attr("data-row").unwrap())
            .collect();
        assert_eq!(bars, non_empty, "{}", f.name);
        // The current window is the baseline itself: the sketch re-binned over the baseline's
        // own edges gives the baseline's bucket counts back.
        let cur: Vec<&str> = sec
            .select(&sel("rect.bar-current"))
            .map(|r| r.value().attr("data-row").unwrap())
            .collect();
        assert_eq!(cur, non_empty, "{}", f.name);
        assert_eq!(
            sec.select(&sel("table.chart-data tbody tr")).count(),
            kll.buckets.len() + 2
        );
    }
}

#[test]
fn rebin_matches_numpy() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../tests/data/rebin_numpy.json")).unwrap();
    let baseline: Statistics =
        serde_json::from_str(include_str!("../tests/data/baseline_statistics.json")).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), baseline.features.len());
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    for (case, f) in cases.iter().zip(&baseline.features) {
        let kll = &f
            .numerical_statistics
            .as_ref()
            .unwrap()
            .distribution
            .as_ref()
            .unwrap()
            .kll;
        let edges = edges_of(&kll.buckets).unwrap();
        assert_eq!(edges, floats(&case["edges"]), "{}", f.name);
        let sketch = KllSketchData {
            parameters: kll.sketch.parameters,
            data: case["levels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| floats(l).into_iter().map(Double).collect())
                .collect(),
        };
        let r = rebin(&sketch_sample(&sketch), &edges).unwrap();
        assert_eq!(r.counts, floats(&case["counts"]), "{}", f.name);
        assert_eq!(r.under, case["under"].as_f64().unwrap(), "{}", f.name);
        assert_eq!(r.over, case["over"].as_f64().unwrap(), "{}", f.name);
    }
}

#[test]
fn page_is_responsive_and_printable() {
    let fx = fixture();
    let doc = Html::parse_document(&render(&fx, &[]));
    let viewport = doc.select(&sel("meta[name=viewport]")).next().unwrap();
    assert!(viewport
        .value()
        .attr("content")
        .unwrap()
        .contains("width=device-width"));
    let css = text(doc.select(&sel("head style")).next().unwrap());
    assert!(css.contains("@media print"));
    assert!(css.contains("@media screen and (max-width:"));
    assert_eq!(
        doc.select(&sel("html"))
            .next()
            .unwrap()
            .value()
            .attr("lang"),
        Some("en")
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Strings that stress escaping: markup characters, quotes, entities, non-ASCII.
    fn nasty() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z_]{1,8}",
            "[<>&\"'=/ a-z]{1,12}",
            Just(EVIL.to_string()),
            Just("\"><svg onload=alert(1)>".to_string()),
            Just("&amp;&lt;x".to_string()),
            "\\PC{1,6}",
        ]
    }

    fn float() -> impl Strategy<Value = f64> {
        prop_oneof![-1e6f64..1e6, Just(f64::NAN), Just(f64::INFINITY), Just(0.0),]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the names, values and (even broken) numbers, the page renders, every name
        /// survives escaping exactly, there is one section per feature, and no active content.
        #[test]
        fn any_input_renders_escaped(
            names in proptest::collection::btree_set(nasty(), 1..5),
            cats in proptest::collection::vec((nasty(), 0u64..50), 0..8),
            edges in proptest::collection::vec(float(), 2..6),
            counts in proptest::collection::vec(float(), 1..5),
            items in proptest::collection::vec(float(), 0..20),
            linf in float(),
            drifted in any::<bool>(),
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let mut edges = edges;
            if drifted {
                // Sorted edges (valid unless NaN) half of the time, arbitrary ones otherwise.
                edges.sort_by(f64::total_cmp);
            }
            let n = counts.len().min(edges.len() - 1);
            let mut features = Vec::new();
            let mut summaries = Vec::new();
            for (i, name) in names.iter().enumerate() {
                if i % 2 == 0 {
                    features.push(numeric(name, &edges[..=n], &counts[..n], &[&items, &items]));
                    summaries.push(feature_summary(name, InferredType::Fractional, drifted, linf));
                } else {
                    let c: Vec<(&str, u64)> = cats.iter().map(|(v, k)| (v.as_str(), *k)).collect();
                    features.push(categorical(name, &c));
                    summaries.push(feature_summary(name, InferredType::String, !drifted, linf));
                }
            }
            let baseline = stats(features.clone());
            // The current window lacks the first feature and has the categories reversed.
            let mut current = stats(features[1..].to_vec());
            for f in &mut current.features {
                if let Some(d) = f.string_statistics.as_mut().and_then(|s| s.distribution.as_mut()) {
                    d.categorical.buckets.reverse();
                }
            }
            let violations = names.iter().map(|n| violation(n, n)).collect();
            let s = summary(summaries, violations);
            let html = render_html(&ReportInput {
                summary: &s,
                current: &current,
                baseline: Some(&baseline),
                history: std::slice::from_ref(&s),
            });
            let doc = Html::parse_document(&html);
            for tag in ["script", "img", "iframe", "object", "embed", "link"] {
                prop_assert_eq!(doc.select(&sel(tag)).count(), 0);
            }
            let mut shown: Vec<String> = doc
                .select(&sel("section.feature"))
                .filter_map(|e| e.value().attr("data-feature").map(str::to_string))
                .collect();
            shown.sort();
            let mut want = names.clone();
            want.sort();
            prop_assert_eq!(shown, want);
            for svg in doc.select(&sel("svg")) {
                prop_assert_eq!(svg.value().attr("role"), Some("img"));
                // No attribute that runs code, anywhere in the SVG.
                for e in svg.descendent_elements() {
                    prop_assert!(e.value().attrs().all(|(k, _)| !k.starts_with("on")));
                }
            }
            for e in doc.root_element().descendent_elements() {
                prop_assert!(e.value().attrs().all(|(k, _)| !k.starts_with("on")), "{:?}", e.value());
            }
        }
    }
}

/// WCAG 2 contrast of the colour pairs the page uses (text ≥ 4.5:1, chart marks ≥ 3:1).
#[test]
fn colours_have_sufficient_contrast() {
    fn luminance(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }
    fn ratio(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }
    // Sanity of the formula: black on white is 21:1.
    assert!((ratio("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    let css = crate::page::CSS;
    // (declaration in the CSS, foreground, background)
    let text = [
        ("color:var(--ink);background:#fff", "#1a1a1a", "#ffffff"),
        ("--muted:#4d4d4d", "#4d4d4d", "#ffffff"),
        ("color:#7a2e00;background:#fdeadf", "#7a2e00", "#fdeadf"),
        ("color:#00456e;background:#e3f1fb", "#00456e", "#e3f1fb"),
        ("color:#3d3d3d;background:#f0f0f0", "#3d3d3d", "#f0f0f0"),
        ("color:#fff;background:#1a1a1a", "#ffffff", "#1a1a1a"),
        (
            "summary{cursor:pointer;color:#00456e}",
            "#00456e",
            "#ffffff",
        ),
    ];
    for (decl, fg, bg) in text {
        assert!(css.contains(decl), "CSS no longer has {decl}");
        assert!(ratio(fg, bg) >= 4.5, "{decl}: {}", ratio(fg, bg));
    }
    for mark in [crate::chart::BLUE, crate::chart::VERMILLION] {
        assert!(
            ratio(mark, "#ffffff") >= 3.0,
            "{mark}: {}",
            ratio(mark, "#ffffff")
        );
    }
}

/// Real Model Monitor output (the churn baseline, two-level sketches of 2333 rows): re-binning
/// each feature's sketch over its own bucket edges gives exactly the bucket counts the service
/// wrote, so the report's current histograms use the service's bucket rule.
#[test]
fn rebin_reproduces_sagemaker_bucket_counts() {
    let text =
        include_str!("../../stats/tests/data/churn/statistics.partial-first-29-features.json");
    let stats: Statistics = serde_json::from_str(text).unwrap();
    let mut checked = 0;
    for f in &stats.features {
        let Some(kll) = f
            .numerical_statistics
            .as_ref()
            .and_then(|n| n.distribution.as_ref())
            .map(|d| &d.kll)
        else {
            continue;
        };
        let edges = edges_of(&kll.buckets).unwrap();
        let r = rebin(&sketch_sample(&kll.sketch), &edges).unwrap();
        let want: Vec<f64> = kll.buckets.iter().map(|b| b.count.0).collect();
        assert_eq!(r.counts, want, "{}", f.name);
        assert_eq!((r.under, r.over), (0.0, 0.0), "{}", f.name);
        if kll.sketch.data.len() > 1 {
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} multi-level sketches");
}
