//! The model-quality page: metrics against baseline and threshold, the confusion matrix, the ROC
//! curve (binary, inline SVG with a table alternative), join coverage, and the estimate made
//! from the scores before the labels beside the realized figures.

use crate::page::CSS;
use driftline_stats::quality::analysis::{QualityStatus, QualitySummary};
use driftline_stats::quality::metrics::{Curve, QualityStatistics};
use maud::{html, Markup, PreEscaped, DOCTYPE};

fn num(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

fn roc_svg(c: &Curve, auc: Option<f64>) -> Markup {
    let (w, h, pad) = (320.0, 320.0, 40.0);
    let x = |v: f64| pad + v.clamp(0.0, 1.0) * (w - 2.0 * pad);
    let y = |v: f64| h - pad - v.clamp(0.0, 1.0) * (h - 2.0 * pad);
    let mut d = String::new();
    for (i, (fx, ty)) in c.x.iter().zip(&c.y).enumerate() {
        d.push_str(&format!(
            "{}{:.1},{:.1} ",
            if i == 0 { "M" } else { "L" },
            x(*fx),
            y(*ty)
        ));
    }
    let desc = format!(
        "ROC curve over {} thresholds{}",
        c.x.len(),
        auc.map(|a| format!(", AUC {a:.4}")).unwrap_or_default()
    );
    html! {
        svg class="chart roc" viewBox={"0 0 " (w) " " (h)} style="max-width:30rem;width:100%" role="img" aria-labelledby="roc-t" aria-describedby="roc-d" {
            title id="roc-t" { "ROC curve" }
            desc id="roc-d" { (desc) }
            line x1=(x(0.0)) y1=(y(0.0)) x2=(x(1.0)) y2=(y(0.0)) stroke="#4d4d4d" {}
            line x1=(x(0.0)) y1=(y(0.0)) x2=(x(0.0)) y2=(y(1.0)) stroke="#4d4d4d" {}
            line x1=(x(0.0)) y1=(y(0.0)) x2=(x(1.0)) y2=(y(1.0)) stroke="#c8c8c8" stroke-dasharray="4 4" {}
            path d=(d) fill="none" stroke="#D55E00" stroke-width="2" {}
            text x=(w / 2.0) y=(h - 8.0) text-anchor="middle" font-size="12" { "false positive rate" }
            text x="12" y=(h / 2.0) text-anchor="middle" font-size="12" transform={"rotate(-90 12 " (h / 2.0) ")"} { "true positive rate" }
        }
    }
}

/// Renders a model-quality window as one self-contained HTML page.
pub fn render(s: &QualitySummary, st: &QualityStatistics) -> String {
    let endpoint = s.endpoint.as_deref().unwrap_or("(local run)");
    let window = s
        .window
        .as_ref()
        .map(|w| format!("{} – {}", w.start, w.end))
        .unwrap_or_else(|| "—".into());
    let (class, label) = match s.status {
        QualityStatus::Ok => ("ok", "✓ Model quality as expected"),
        QualityStatus::Degraded => ("drift", "⚠ Model quality degraded"),
        QualityStatus::InsufficientData => ("insufficient", "… Not enough labels for a verdict"),
        QualityStatus::NoBaseline => ("nobaseline", "? No model-quality baseline"),
    };
    let auc = st.get("auc").map(|m| m.value.0);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "driftline model quality: " (endpoint) ", " (window) }
                style { (PreEscaped(CSS)) }
            }
            body { div class="wrap" {
                header {
                    h1 { "Model quality report: " span class="mono" { (endpoint) } }
                    p class={"status " (class)} id="status" { (label) }
                    @if let Some(r) = &s.reason { p class="reason" { (r) } }
                    dl class="facts" {
                        dt { "Problem type" } dd { (s.problem_type.as_str()) }
                        dt { "Window (inference time)" } dd { (window) }
                        dt { "Labelled pairs" } dd { (s.matched) }
                        @if let Some(p) = s.predictions { dt { "Predictions" } dd { (p) } }
                        @if let Some(p) = s.predictions_without_label { dt { "Predictions still without a label" } dd { (p) } }
                        dt { "Labels without a prediction" } dd { (s.unmatched_labels) }
                    }
                }
                main {
                    section id="metrics" aria-labelledby="metrics-h" {
                        h2 id="metrics-h" { "Metrics" }
                        div class="scroll" { table {
                            thead { tr { th { "metric" } th class="num" { "window" } th class="num" { "± sd" } th class="num" { "baseline" } th { "constraint" } th { "verdict" } } }
                            tbody {
                                @for m in &s.metrics {
                                    tr class=[m.degraded.then_some("bad")] {
                                        td { (m.name) }
                                        td class="num" { (num(m.value)) }
                                        td class="num" { (m.standard_deviation.map(num).unwrap_or_else(|| "—".into())) }
                                        td class="num" { (m.baseline.map(num).unwrap_or_else(|| "—".into())) }
                                        td { @if let (Some(op), Some(t)) = (&m.comparison_operator, m.threshold) { "violated if " (op) " " (num(t)) } }
                                        td { @if m.degraded { "DEGRADED" } @else if m.violated { "violated (within noise)" } @else { "ok" } }
                                    }
                                }
                            }
                        } }
                    }
                    @if let Some(e) = &s.estimated {
                        section id="estimate" aria-labelledby="est-h" {
                            h2 id="est-h" { "Estimated before the labels (from the scores)" }
                            p { "Expected figures from " (e.metrics.predictions) " calibrated scores of the window's predictions, " (e.assumption) "." }
                            div class="scroll" { table {
                                thead { tr { th { "metric" } th class="num" { "estimated" } th class="num" { "realized" } } }
                                tbody {
                                    @for (n, v) in [("accuracy", e.metrics.accuracy), ("precision", e.metrics.precision), ("recall", e.metrics.recall), ("f1", e.metrics.f1)] {
                                        tr { td { (n) } td class="num" { (num(v)) } td class="num" { (st.get(n).map(|m| num(m.value.0)).unwrap_or_else(|| "—".into())) } }
                                    }
                                }
                            } }
                        }
                    }
                    @if let Some(cm) = &s.confusion_matrix {
                        section id="confusion" aria-labelledby="cm-h" {
                            h2 id="cm-h" { "Confusion matrix (rows: actual, columns: predicted)" }
                            @let cols: Vec<&String> = cm.values().next().map(|r| r.keys().collect()).unwrap_or_default();
                            div class="scroll" { table {
                                thead { tr { th { "actual \\ predicted" } @for c in &cols { th class="num" { (c) } } } }
                                tbody { @for (a, row) in cm { tr { th { (a) } @for c in &cols { td class="num" { (row.get(*c).copied().unwrap_or(0)) } } } } }
                            } }
                        }
                    }
                    @if let Some(roc) = &st.roc {
                        section id="roc" aria-labelledby="roc-h" {
                            h2 id="roc-h" { "ROC curve" }
                            (roc_svg(roc, auc))
                            details { summary { "ROC points as a table" }
                                div class="scroll" { table { thead { tr { th { "false positive rate" } th { "true positive rate" } } }
                                    tbody { @for (x, y) in roc.x.iter().zip(&roc.y).take(200) { tr { td class="num" { (num(*x)) } td class="num" { (num(*y)) } } } } } }
                            }
                        }
                    }
                    @if let Some(r2) = s.r2_textbook {
                        p { "Regression: Model Monitor's r2 divides by the predictions' spread; the textbook R² (labels' spread) of this window is " (num(r2)) "." }
                    }
                    @if !s.artifacts.is_empty() {
                        section id="files" { h2 { "Files of this window" } ul class="files" { @for (k, v) in &s.artifacts { li { (k) ": " code { (v) } } } } }
                    }
                }
                footer { "Generated by driftline-report " (env!("CARGO_PKG_VERSION")) "." }
            } }
        }
    };
    page.into_string()
}
