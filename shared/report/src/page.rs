//! The page: header facts, status, violations, faults, then one section per feature.

use crate::bins::{category_bars, edges_of, rebin, sketch_sample, CategoryKind};
use crate::chart::{
    distribution_svg, distribution_table, trend_svg, trend_table, Distribution, Row, RowKind,
    TrendPoint,
};
use crate::num::{num, p_value, pct};
use crate::ReportInput;
use driftline_stats::formats::statistics::{
    CategoricalBucket, FeatureStatistics, InferredType, KllDistribution,
};
use driftline_stats::summary::{DriftFigure, FeatureSummary, Status, Summary};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// Number of named categories drawn before "other".
const TOP_CATEGORIES: usize = 10;

/// Drift statistics in display order, with their human names. Unknown keys follow, by name.
const STATS: &[(&str, &str)] = &[
    ("linf", "L∞ distance"),
    ("linf_robust", "L∞ distance (robust)"),
    ("ks", "Kolmogorov–Smirnov"),
    ("psi", "PSI"),
    ("js", "Jensen–Shannon"),
    ("wasserstein", "Wasserstein"),
    ("chi2", "χ² test"),
    ("chi2_mm", "χ² (Model Monitor)"),
    ("location", "Location (mean shift, std)"),
    ("scale", "Scale (variance ratio)"),
    ("anderson_darling", "Anderson–Darling"),
    ("cusum", "CUSUM over the hours"),
];

/// Preference order of the statistic drawn in the trend, after the figure the drift check
/// compared (see [`compared_figure`]; `chi2_mm` is skipped: its threshold is on the p-value).
const TREND_STATS: &[&str] = &[
    "linf",
    "linf_robust",
    "js",
    "psi",
    "wasserstein",
    "ks",
    "chi2",
];

/// Short name of a statistic, for an axis.
fn stat_short(key: &str) -> &str {
    match key {
        "linf" => "L∞",
        "linf_robust" => "L∞ robust",
        "ks" => "KS D",
        "psi" => "PSI",
        "js" => "JS",
        "wasserstein" => "W1",
        "chi2" | "chi2_mm" => "χ²",
        "location" => "Δmean/σ",
        "scale" => "var ratio",
        "anderson_darling" => "AD T",
        "cusum" => "CUSUM",
        other => other,
    }
}

fn stat_name(key: &str) -> String {
    STATS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| (*n).to_string())
        .unwrap_or_else(|| key.to_string())
}

/// Everything known about one feature.
struct Feature<'a> {
    /// Position in the page (stable ids: `feature-{idx}`, `chart-{idx}-title`, …).
    idx: usize,
    name: &'a str,
    summary: Option<&'a FeatureSummary>,
    current: Option<&'a FeatureStatistics>,
    baseline: Option<&'a FeatureStatistics>,
    violations: usize,
}

impl Feature<'_> {
    fn drifted(&self) -> bool {
        self.summary.is_some_and(|s| s.drifted)
    }
}

/// Features in page order: drifted first, then those with violations, then the rest, each
/// group in column order (the summary's, then features only the statistics files know).
fn features<'a>(input: &'a ReportInput<'a>) -> Vec<Feature<'a>> {
    let mut names: Vec<&'a str> = input
        .summary
        .features
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let extra = input
        .current
        .features
        .iter()
        .chain(input.baseline.iter().flat_map(|b| b.features.iter()))
        .map(|f| f.name.as_str());
    for n in extra {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let mut out: Vec<Feature<'a>> = names
        .into_iter()
        .map(|name| Feature {
            idx: 0,
            name,
            summary: input.summary.features.iter().find(|f| f.name == name),
            current: input.current.features.iter().find(|f| f.name == name),
            baseline: input
                .baseline
                .and_then(|b| b.features.iter().find(|f| f.name == name)),
            violations: input
                .summary
                .violations
                .iter()
                .filter(|v| v.feature_name == name)
                .count(),
        })
        .collect();
    out.sort_by_key(|f| (!f.drifted(), f.violations == 0));
    for (i, f) in out.iter_mut().enumerate() {
        f.idx = i;
    }
    out
}

fn num_kll(s: Option<&FeatureStatistics>) -> Option<&KllDistribution> {
    s.and_then(|s| s.numerical_statistics.as_ref())
        .and_then(|n| n.distribution.as_ref())
        .map(|d| &d.kll)
}

fn cats(s: Option<&FeatureStatistics>) -> Option<&[CategoricalBucket]> {
    s.and_then(|s| s.string_statistics.as_ref())
        .and_then(|s| s.distribution.as_ref())
        .map(|d| d.categorical.buckets.as_slice())
}

/// Builds the distribution chart's data for one feature (see the crate docs for the rules).
fn distribution(f: &Feature) -> Option<Distribution> {
    let (base_kll, cur_kll) = (num_kll(f.baseline), num_kll(f.current));
    let base_edges = base_kll.and_then(|k| edges_of(&k.buckets));

    if let Some(edges) = base_edges.filter(|_| base_kll.is_some()) {
        let buckets = base_kll.map(|k| k.buckets.as_slice()).unwrap_or_default();
        let current = cur_kll.and_then(|k| rebin(&sketch_sample(&k.sketch), &edges));
        let n = buckets.len();
        let mut rows = Vec::with_capacity(n + 2);
        if let Some(c) = &current {
            rows.push(Row {
                kind: RowKind::Under,
                label: format!("below {}", num(edges[0])),
                baseline: Some(0.0),
                current: Some(c.under),
            });
        }
        for (i, b) in buckets.iter().enumerate() {
            let close = if i + 1 == n { "]" } else { ")" };
            rows.push(Row {
                kind: RowKind::Bucket,
                label: format!("[{}, {}{close}", num(edges[i]), num(edges[i + 1])),
                baseline: Some(b.count.0),
                current: current.as_ref().map(|c| c.counts[i]),
            });
        }
        if let Some(c) = &current {
            rows.push(Row {
                kind: RowKind::Over,
                label: format!("above {}", num(edges[n])),
                baseline: Some(0.0),
                current: Some(c.over),
            });
        }
        return Some(Distribution {
            numeric: true,
            baseline_total: Some(buckets.iter().map(|b| b.count.0).sum()),
            current_total: current.as_ref().map(|c| c.total()),
            edges,
            rows,
        });
    }
    if let Some(k) = cur_kll.filter(|_| cats(f.baseline).is_none()) {
        // No usable baseline histogram: the current window's own buckets.
        let edges = edges_of(&k.buckets)?;
        let n = k.buckets.len();
        let rows = k
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| Row {
                kind: RowKind::Bucket,
                label: format!(
                    "[{}, {}{}",
                    num(edges[i]),
                    num(edges[i + 1]),
                    if i + 1 == n { "]" } else { ")" }
                ),
                baseline: None,
                current: Some(b.count.0),
            })
            .collect();
        return Some(Distribution {
            numeric: true,
            baseline_total: None,
            current_total: Some(k.buckets.iter().map(|b| b.count.0).sum()),
            edges,
            rows,
        });
    }
    let (bc, cc) = (cats(f.baseline), cats(f.current));
    if bc.is_none() && cc.is_none() {
        return None;
    }
    let bars = category_bars(bc, cc, TOP_CATEGORIES);
    let rows = bars
        .rows
        .into_iter()
        .map(|r| {
            let (kind, label) = match r.kind {
                CategoryKind::Value(v) => (RowKind::Value, v),
                CategoryKind::Other { values } => {
                    (RowKind::Other, format!("other ({values} values)"))
                }
                CategoryKind::Unseen { values } => (
                    RowKind::Unseen,
                    format!(
                        "unseen ({values} value{})",
                        if values == 1 { "" } else { "s" }
                    ),
                ),
            };
            Row {
                kind,
                label,
                baseline: r.baseline,
                current: r.current,
            }
        })
        .collect();
    Some(Distribution {
        numeric: false,
        edges: Vec::new(),
        rows,
        baseline_total: bars.baseline_total,
        current_total: bars.current_total,
    })
}

/// Unseen example values of a categorical feature, for the text under the chart.
fn unseen_examples(f: &Feature) -> Vec<(String, u64)> {
    match (cats(f.baseline), cats(f.current)) {
        (Some(b), Some(c)) => category_bars(Some(b), Some(c), TOP_CATEGORIES).unseen_examples,
        _ => Vec::new(),
    }
}

/// The trend statistic and its points: history (oldest first), then the current window unless
/// the last history entry is the current window itself.
fn trend<'a>(input: &'a ReportInput, f: &Feature<'a>) -> Option<(&'a str, Vec<TrendPoint>)> {
    let summary = f.summary?;
    let stat: &str = compared_figure(summary)
        .map(|(k, _)| k)
        .filter(|k| *k != "chi2_mm")
        .or_else(|| {
            TREND_STATS
                .iter()
                .copied()
                .find(|s| summary.drift.contains_key(*s))
        })?;
    let mut windows: Vec<&Summary> = input.history.iter().collect();
    let same_as_last = input
        .history
        .last()
        .is_some_and(|l| l.window.is_some() && l.window == input.summary.window);
    if !same_as_last {
        windows.push(input.summary);
    }
    let points: Vec<TrendPoint> = windows
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let fs = s.features.iter().find(|x| x.name == f.name)?;
            let fig = fs.drift.get(stat)?;
            Some(TrendPoint {
                label: s
                    .window
                    .as_ref()
                    .map(|w| w.start.clone())
                    .unwrap_or_else(|| format!("window {}", i + 1)),
                value: fig.value,
                threshold: fig.threshold,
                drifted: fs.drifted,
            })
        })
        .collect();
    (points.len() >= 2).then_some((stat, points))
}

pub(crate) const CSS: &str = r#"
:root{--blue:#0072B2;--verm:#D55E00;--ink:#1a1a1a;--muted:#4d4d4d;--line:#c8c8c8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
.wrap{max-width:1120px;margin:0 auto;padding:12px 16px 32px}
h1{font-size:1.45rem;margin:.3em 0 .2em;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:1.2em 0 .4em;overflow-wrap:anywhere}
h3{font-size:1rem;margin:.8em 0 .3em}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;overflow-wrap:anywhere}
.status{display:inline-block;font-weight:700;border:2px solid;border-radius:6px;padding:.25em .7em;margin:.3em 0}
.status.drift{color:#7a2e00;background:#fdeadf;border-color:var(--verm)}
.status.ok{color:#00456e;background:#e3f1fb;border-color:var(--blue)}
.status.insufficient_data,.status.no_baseline{color:#3d3d3d;background:#f0f0f0;border-color:#6b6b6b;border-style:dashed}
.status.error{color:#fff;background:#1a1a1a;border-color:#1a1a1a}
.reason{color:var(--muted);margin:.2em 0 .6em}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:4px 20px;margin:.6em 0}
.facts div{border-bottom:1px solid #e4e4e4;padding:3px 0}
.facts dt{font-size:.8rem;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #999;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.figures td.num{white-space:normal}
tr.drifted th:first-child{border-left:4px solid var(--verm)}
.badge{display:inline-block;font-size:.78rem;font-weight:700;border-radius:4px;padding:.05em .45em;vertical-align:.15em;border:1.5px solid}
.badge.drifted{color:#7a2e00;background:#fdeadf;border-color:var(--verm)}
.badge.ok{color:#00456e;background:#e3f1fb;border-color:var(--blue)}
.badge.none{color:#3d3d3d;background:#f0f0f0;border-color:#6b6b6b;border-style:dashed}
td.check code{white-space:nowrap}
.toc{margin:.4em 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:6px}
.toc a{display:inline-block;border:1px solid var(--line);border-radius:4px;padding:2px 8px;color:var(--ink);text-decoration:none}
.toc a:hover,.toc a:focus{border-color:var(--blue);outline:2px solid var(--blue)}
.feature{border:1px solid var(--line);border-radius:8px;padding:4px 16px 12px;margin:18px 0}
.feature.drifted{border-left:6px solid var(--verm)}
.feature h2{margin-top:.5em}
.meta{color:var(--muted);margin:.2em 0}
.grid{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;align-items:start}
figure{margin:0}
figcaption{font-size:.85rem;color:var(--muted)}
svg{display:block;width:100%;height:auto}
.chart .scroll svg{min-width:300px}
.trend svg{max-width:420px}
.swatch{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;margin:0 .3em 0 .6em;border:1.5px solid transparent}
.swatch.baseline{background:var(--blue)}
.swatch.current{background:repeating-linear-gradient(45deg,var(--verm) 0 2px,#fbe3d2 2px 4px);border-color:var(--verm)}
details{margin:.5em 0}
summary{cursor:pointer;color:#00456e}
.muted{color:var(--muted)}
footer{margin-top:24px;color:var(--muted);font-size:.85rem}
@media screen and (max-width:760px){
 body{font-size:14px}
 .wrap{padding:8px 10px 24px}
 .grid{grid-template-columns:minmax(0,1fr)}
 .facts{grid-template-columns:repeat(2,minmax(0,1fr))}
 .feature{padding:2px 10px 10px}
 th,td{padding:3px 5px}
 thead th{white-space:normal}
 .hide-narrow{display:none}
}
@media print{
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 body{font-size:10.5pt}
 .wrap{max-width:none;padding:0}
 nav{display:none}
 .feature{break-inside:avoid;page-break-inside:avoid}
 .scroll{overflow:visible}
 .chart .scroll svg{min-width:0}
 a{color:inherit;text-decoration:none}
 details{display:none}
 .grid{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}
 .facts{grid-template-columns:repeat(4,minmax(0,1fr))}
}
@page{margin:12mm}
"#;

fn status_text(s: Status) -> (&'static str, &'static str, &'static str) {
    // (css class, symbol, label): the symbol and the words carry the meaning, not the colour.
    match s {
        Status::Ok => ("ok", "✓", "No drift"),
        Status::Drift => ("drift", "⚠", "Drift detected"),
        Status::InsufficientData => ("insufficient_data", "…", "Insufficient data: no verdict"),
        Status::NoBaseline => ("no_baseline", "○", "No baseline: nothing evaluated"),
        Status::Error => ("error", "✕", "Error: input could not be read"),
    }
}

fn type_name(t: Option<InferredType>) -> &'static str {
    t.map(|t| t.as_str()).unwrap_or("—")
}

/// Renders the whole page.
pub(crate) fn render(input: &ReportInput) -> String {
    let s = input.summary;
    let feats = features(input);
    let (status_class, symbol, label) = status_text(s.status);
    let endpoint = s.endpoint.as_deref().unwrap_or("(local run)");
    let variant = s.variant.as_deref().unwrap_or("—");
    let window = s
        .window
        .as_ref()
        .map(|w| format!("{} – {}", w.start, w.end))
        .unwrap_or_else(|| "—".into());
    let title = format!("driftline report: {endpoint} / {variant}, {window}");
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light";
                meta name="generator" content={"driftline-report " (env!("CARGO_PKG_VERSION"))};
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                div class="wrap" {
                    header {
                        h1 { "Data drift report: " span class="mono" { (endpoint) } }
                        p class={"status " (status_class)} id="status" {
                            span aria-hidden="true" { (symbol) " " } (label)
                            @if s.status == Status::Drift {
                                " in " (s.drifted_feature_count) " of " (s.features.len()) " features"
                            }
                        }
                        @if let Some(r) = &s.reason { p class="reason" { (r) } }
                        (facts(input))
                    }
                    main {
                        (violations(input, &feats))
                        (faults(s))
                        @if !feats.is_empty() {
                            nav aria-label="Features" {
                                h2 { "Features (" (feats.len()) ")" }
                                ul class="toc" {
                                    @for f in &feats {
                                        li { a href={"#feature-" (f.idx)} {
                                            (f.name)
                                            @if f.drifted() { " ⚠" }
                                        } }
                                    }
                                }
                            }
                        }
                        @for f in &feats { (feature(input, f)) }
                    }
                    @if !s.artifacts.is_empty() {
                        section id="files" aria-labelledby="files-h" {
                            h2 id="files-h" { "Files of this window" }
                            ul class="files" {
                                @for (k, v) in &s.artifacts {
                                    li { (k) ": " code { (v) } }
                                }
                            }
                        }
                    }
                    footer {
                        "Generated by driftline-report " (env!("CARGO_PKG_VERSION"))
                        ". Charts show shares of values; current counts of numeric features are "
                        "estimates from the window's KLL sketch (items at level h weigh 2^h)."
                        @if let Some(p) = &s.policy { " Decision policy: " (p) "." }
                    }
                }
            }
        }
    };
    page.into_string()
}

fn facts(input: &ReportInput) -> Markup {
    let s = input.summary;
    let fault_kinds: Vec<String> = s
        .faults
        .counts
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect();
    let baseline_records = input
        .baseline
        .and_then(|b| b.dataset.as_ref())
        .map(|d| d.item_count);
    html! {
        dl class="facts" {
            div { dt { "Endpoint" } dd { (s.endpoint.as_deref().unwrap_or("(local run)")) } }
            div { dt { "Variant" } dd { (s.variant.as_deref().unwrap_or("—")) } }
            div { dt { "Window" } dd {
                @if let Some(w) = &s.window { (w.start) " – " (w.end) } @else { "—" }
            } }
            div { dt { "Records" } dd { (s.records) } }
            div { dt { "Malformed records" } dd {
                (s.malformed_records)
                @if !fault_kinds.is_empty() {
                    " " span class="muted" { "(" (fault_kinds.join(", ")) ")" }
                }
            } }
            @if !s.sources.is_empty() {
                div { dt { "Capture files" } dd { (s.sources.len()) } }
            }
            div { dt { "Violations" } dd { (s.violation_count) } }
            div { dt { "Drifted features" } dd { (s.drifted_feature_count) " of " (s.features.len()) } }
            div { dt { "Baseline" } dd {
                @match (input.baseline, baseline_records) {
                    (Some(_), Some(n)) => { (n) " records" },
                    (Some(_), None) => "present",
                    (None, _) => "none",
                }
            } }
        }
    }
}

/// The figure Model Monitor's `baseline_drift_check` compared: the one of `linf`,
/// `linf_robust`, `chi2_mm` that carries a threshold (as `summary.json` writes them).
fn compared_figure(f: &FeatureSummary) -> Option<(&'static str, &DriftFigure)> {
    ["linf", "linf_robust", "chi2_mm"]
        .into_iter()
        .find_map(|k| {
            f.drift
                .get(k)
                .filter(|d| d.threshold.is_some())
                .map(|d| (k, d))
        })
}

/// True when a figure is beyond its threshold: below it for `chi2_mm` (a p-value threshold),
/// above it otherwise.
fn beyond(key: &str, d: &DriftFigure) -> bool {
    match (key, d.threshold) {
        ("chi2_mm", Some(t)) => d.p_value.is_some_and(|p| p < t),
        (_, Some(t)) => d.value > t,
        _ => false,
    }
}

/// Figures for one violation row: (baseline, current, distance, threshold).
fn violation_figures(f: Option<&FeatureSummary>, check: &str) -> [String; 4] {
    let dash = || "—".to_string();
    let Some(f) = f else {
        return [dash(), dash(), dash(), dash()];
    };
    match check {
        "completeness_check" => [
            f.baseline_completeness.map(pct).unwrap_or_else(dash),
            pct(f.completeness),
            dash(),
            dash(),
        ],
        "data_type_check" => [
            type_name(f.baseline_type).to_string(),
            f.inferred_type.as_str().to_string(),
            dash(),
            dash(),
        ],
        "baseline_drift_check" => {
            let mean = |m: Option<f64>| m.map(|v| format!("mean {}", num(v))).unwrap_or_else(dash);
            let (d, t) = match compared_figure(f) {
                Some(("chi2_mm", d)) => (
                    d.p_value
                        .map(|p| format!("p {}", p_value(p)))
                        .unwrap_or_else(dash),
                    d.threshold
                        .map(|t| format!("p {}", num(t)))
                        .unwrap_or_else(dash),
                ),
                Some((_, d)) => (num(d.value), d.threshold.map(num).unwrap_or_else(dash)),
                None => (
                    f.drift
                        .get("linf")
                        .map(|d| num(d.value))
                        .unwrap_or_else(dash),
                    dash(),
                ),
            };
            [mean(f.baseline_mean), mean(f.mean), d, t]
        }
        // Other checks (domain, missing/extra column, …): the description says it all.
        _ => [dash(), dash(), dash(), dash()],
    }
}

fn violations(input: &ReportInput, feats: &[Feature]) -> Markup {
    let s = input.summary;
    let mut rows: Vec<_> = s.violations.iter().enumerate().collect();
    let rank = |name: &str| {
        feats
            .iter()
            .position(|f| f.name == name)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(|(i, v)| (rank(&v.feature_name), *i));
    html! {
        section id="violations" aria-labelledby="violations-h" {
            h2 id="violations-h" { "Violations (" (s.violations.len()) ")" }
            @if rows.is_empty() {
                p class="muted" {
                    @match s.status {
                        Status::NoBaseline => "No baseline, so nothing was checked.",
                        Status::InsufficientData => "Too few records for a verdict; no checks were counted as violations.",
                        _ => "No violations.",
                    }
                }
            } @else {
                div class="scroll" {
                    table class="violations" {
                        thead { tr {
                            th scope="col" { "feature" }
                            th scope="col" { "check" }
                            th scope="col" { "baseline" }
                            th scope="col" { "current" }
                            th scope="col" class="num" { "distance" }
                            th scope="col" class="num" { "threshold" }
                            th scope="col" class="hide-narrow" { "description" }
                        } }
                        tbody {
                            @for (_, v) in &rows {
                                @let f = feats.iter().find(|f| f.name == v.feature_name);
                                @let [b, c, d, t] = violation_figures(f.and_then(|f| f.summary), &v.constraint_check_type);
                                tr class=[f.filter(|f| f.drifted()).map(|_| "drifted")] {
                                    th scope="row" {
                                        @if let Some(f) = f {
                                            a href={"#feature-" (f.idx)} { (v.feature_name) }
                                        } @else { (v.feature_name) }
                                        @if f.is_some_and(|f| f.drifted()) {
                                            " " span class="badge drifted" { "drifted" }
                                        }
                                    }
                                    td class="check" { code { (v.constraint_check_type) } }
                                    td { (b) }
                                    td { (c) }
                                    td class="num" { (d) }
                                    td class="num" { (t) }
                                    td class="hide-narrow" { (v.description) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn faults(s: &Summary) -> Markup {
    html! {
        @if !s.faults.counts.is_empty() || !s.faults.examples.is_empty() {
            section id="faults" aria-labelledby="faults-h" {
                h2 id="faults-h" { "Malformed records (" (s.malformed_records) ")" }
                div class="scroll" {
                    table class="fault-counts" {
                        thead { tr { th scope="col" { "kind" } th scope="col" class="num" { "records" } } }
                        tbody {
                            @for (k, n) in &s.faults.counts {
                                tr { th scope="row" { code { (k) } } td class="num" { (n) } }
                            }
                        }
                    }
                }
                @if !s.faults.examples.is_empty() {
                    details {
                        summary { "Examples (" (s.faults.examples.len()) ")" }
                        div class="scroll" {
                            table class="fault-examples" {
                                thead { tr {
                                    th scope="col" { "source" } th scope="col" class="num" { "line" }
                                    th scope="col" { "kind" } th scope="col" { "reason" }
                                } }
                                tbody {
                                    @for e in &s.faults.examples {
                                        tr {
                                            td { code { (e.source) } }
                                            td class="num" { (e.line) }
                                            td { code { (e.kind) } }
                                            td { (e.reason) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn drift_table(f: &FeatureSummary) -> Markup {
    let mut keys: Vec<&str> = STATS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| f.drift.contains_key(*k))
        .collect();
    keys.extend(
        f.drift
            .keys()
            .map(|k| k.as_str())
            .filter(|k| !STATS.iter().any(|(s, _)| s == k)),
    );
    html! {
        table class="figures" {
            caption class="muted" style="text-align:left" { "Drift figures" }
            thead { tr {
                th scope="col" { "statistic" }
                th scope="col" class="num" { "value" }
                th scope="col" class="num" { "p-value" }
                th scope="col" class="num" { "threshold" }
            } }
            tbody {
                @for k in &keys {
                    @if let Some(d) = f.drift.get(*k) {
                        @let above = beyond(k, d);
                        tr {
                            th scope="row" { (stat_name(k)) }
                            td class="num" {
                                (num(d.value))
                                @if let Some(e) = d.error_bound { " ±" (num(e)) }
                            }
                            td class="num" { (d.p_value.map(p_value).unwrap_or_else(|| "—".into())) }
                            td class="num" {
                                @if let Some(t) = d.threshold {
                                    (num(t))
                                    @if above { br; strong class="exceeded" { "exceeded" } }
                                } @else { "—" }
                            }
                        }
                    }
                }
                @if keys.is_empty() {
                    tr { td colspan="4" class="muted" { "No drift statistics for this feature." } }
                }
            }
        }
    }
}

fn feature(input: &ReportInput, f: &Feature) -> Markup {
    let dist = distribution(f);
    let trend = trend(input, f);
    let unseen = unseen_examples(f);
    let cur_type = f
        .summary
        .map(|s| s.inferred_type)
        .or(f.current.map(|c| c.inferred_type));
    let base_type = f
        .summary
        .and_then(|s| s.baseline_type)
        .or(f.baseline.map(|b| b.inferred_type));
    let (badge_class, badge) = match f.summary {
        Some(s) if s.drifted => ("drifted", "⚠ drifted"),
        Some(_) if input.summary.status == Status::Ok || input.summary.status == Status::Drift => {
            ("ok", "✓ no drift")
        }
        _ => ("none", "no verdict"),
    };
    html! {
        section class={"feature" @if f.drifted() { " drifted" }} id={"feature-" (f.idx)}
            data-feature=(f.name) aria-labelledby={"feature-" (f.idx) "-h"} {
            h2 id={"feature-" (f.idx) "-h"} {
                span class="mono" { (f.name) } " " span class={"badge " (badge_class)} { (badge) }
            }
            p class="meta" {
                "type " (type_name(cur_type))
                @if base_type.is_some() && base_type != cur_type {
                    " " strong { "(baseline " (type_name(base_type)) ")" }
                }
                @if let Some(s) = f.summary {
                    " · completeness " (pct(s.completeness))
                    @if let Some(b) = s.baseline_completeness { " (baseline " (pct(b)) ")" }
                    @if let Some(m) = s.mean {
                        " · mean " (num(m))
                        @if let Some(b) = s.baseline_mean { " (baseline " (num(b)) ")" }
                    }
                }
                @if f.current.is_none() { " · " strong { "absent from this window" } }
                @if input.baseline.is_some() && f.baseline.is_none() { " · " strong { "not in the baseline" } }
            }
            @if let Some(s) = f.summary {
                @if !s.reasons.is_empty() {
                    ul class="reasons" { @for r in &s.reasons { li { (r) } } }
                }
            }
            div class="grid" {
                figure class="chart" {
                    @if let Some(d) = &dist {
                        div class="scroll" { (distribution_svg(f.idx, f.name, d)) }
                        figcaption {
                            @if d.baseline_total.is_some() { span class="swatch baseline" {} "baseline" }
                            @if d.current_total.is_some() { span class="swatch current" {} "current window" }
                            @if d.numeric && d.baseline_total.is_some() && d.current_total.is_some() {
                                " · current values re-binned over the baseline's bucket edges"
                            }
                        }
                        @if !unseen.is_empty() {
                            p class="unseen" {
                                "Unseen values: "
                                @for (i, (v, n)) in unseen.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    code { (v) } " (" (n) ")"
                                }
                            }
                        }
                        details {
                            summary { "Chart data as a table" }
                            div class="scroll" { (distribution_table(d)) }
                        }
                    } @else {
                        p class="muted no-chart" { "No distribution recorded for this feature." }
                    }
                }
                div class="side" {
                    @if let Some(s) = f.summary { div class="scroll" { (drift_table(s)) } }
                    @if let Some((stat, points)) = &trend {
                        figure class="trend" {
                            h3 { "Trend over recent windows" }
                            (trend_svg(f.idx, f.name, &stat_name(stat), stat_short(stat), points))
                            details {
                                summary { "Trend data as a table" }
                                div class="scroll" { (trend_table(&stat_name(stat), points)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
