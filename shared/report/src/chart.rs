//! Inline SVG charts: the distribution chart (vertical bars for numeric buckets, horizontal bars
//! for categories), the drift trend sparkline, and their table alternatives.
//!
//! Every SVG has `role="img"`, a `<title>` and a `<desc>` referenced by `aria-labelledby` /
//! `aria-describedby`, and axis labels. Baseline bars are solid Okabe-Ito blue, current bars are
//! vermillion with diagonal hatching and a solid outline, so colour is never the only cue.
//! All text goes through maud, which HTML-escapes it in text and attribute contexts.

use crate::num::{count, num, pct};
use maud::{html, Markup};

/// Okabe-Ito blue: baseline series (contrast 5.0:1 on white).
pub(crate) const BLUE: &str = "#0072B2";
/// Okabe-Ito vermillion: current series (contrast 4.0:1 on white).
pub(crate) const VERMILLION: &str = "#D55E00";
const INK: &str = "#1a1a1a";
const GRID: &str = "#d0d0d0";
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/// What a chart row stands for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowKind {
    /// Below the baseline's minimum.
    Under,
    /// A bucket `[lo, hi)` (or `[lo, hi]` when `last`).
    Bucket,
    /// Above the baseline's maximum.
    Over,
    /// A category value.
    Value,
    /// Remaining baseline categories.
    Other,
    /// Current categories the baseline never saw.
    Unseen,
}

impl RowKind {
    fn class(&self) -> &'static str {
        match self {
            RowKind::Under => "under",
            RowKind::Bucket => "bucket",
            RowKind::Over => "over",
            RowKind::Value => "value",
            RowKind::Other => "other",
            RowKind::Unseen => "unseen",
        }
    }
}

/// One bar pair (baseline, current).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub kind: RowKind,
    /// Full label (bucket range or category value), shown in the table and tooltips.
    pub label: String,
    /// Baseline count (`None`: no baseline series).
    pub baseline: Option<f64>,
    /// Current count (`None`: no current series).
    pub current: Option<f64>,
}

/// A distribution chart's data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Distribution {
    /// Numeric (vertical histogram over `edges`) or categorical (horizontal bars).
    pub numeric: bool,
    /// Bucket edges of the numeric chart (empty for categorical).
    pub edges: Vec<f64>,
    /// The bars, in display order.
    pub rows: Vec<Row>,
    /// Total of the baseline series.
    pub baseline_total: Option<f64>,
    /// Total of the current series.
    pub current_total: Option<f64>,
}

impl Distribution {
    fn share(count: Option<f64>, total: Option<f64>) -> Option<f64> {
        match (count, total) {
            (Some(c), Some(t)) if t > 0.0 => Some(c / t),
            (Some(_), _) => Some(0.0),
            _ => None,
        }
    }

    fn baseline_share(&self, r: &Row) -> Option<f64> {
        Self::share(r.baseline, self.baseline_total)
    }

    fn current_share(&self, r: &Row) -> Option<f64> {
        Self::share(r.current, self.current_total)
    }

    fn max_share(&self) -> f64 {
        self.rows
            .iter()
            .flat_map(|r| [self.baseline_share(r), self.current_share(r)])
            .flatten()
            .fold(0.0, f64::max)
    }

    /// A sentence for `<desc>`: what is drawn and where the largest difference is.
    fn describe(&self, feature: &str) -> String {
        let what = if self.numeric {
            format!(
                "Histogram of {feature} over {} buckets",
                self.rows
                    .iter()
                    .filter(|r| r.kind == RowKind::Bucket)
                    .count()
            )
        } else {
            format!("Bar chart of {feature} over {} categories", self.rows.len())
        };
        let series = match (self.baseline_total.is_some(), self.current_total.is_some()) {
            (true, true) => "baseline (solid blue) and current window (hatched vermillion)",
            (true, false) => "baseline only (solid blue)",
            _ => "current window only (hatched vermillion)",
        };
        let mut s = format!("{what}: share of values, {series}.");
        let biggest = self
            .rows
            .iter()
            .filter_map(|r| Some((r, self.baseline_share(r)?, self.current_share(r)?)))
            .max_by(|a, b| (a.1 - a.2).abs().total_cmp(&(b.1 - b.2).abs()));
        if let Some((r, b, c)) = biggest {
            s.push_str(&format!(
                " Largest difference at {}: baseline {}, current {}.",
                r.label,
                pct(b),
                pct(c)
            ));
        }
        for r in &self.rows {
            if matches!(r.kind, RowKind::Under | RowKind::Over | RowKind::Unseen) {
                if let Some(c) = self.current_share(r).filter(|&c| c > 0.0) {
                    s.push_str(&format!(" {} of current values are {}.", pct(c), r.label));
                }
            }
        }
        s
    }
}

/// A "nice" axis maximum for a share (0..=1) and the tick step.
fn nice_axis(max_share: f64) -> (f64, f64) {
    let max = if max_share.is_finite() && max_share > 0.0 {
        max_share
    } else {
        1.0
    };
    for step in [0.01, 0.02, 0.05, 0.1, 0.2, 0.25] {
        if max / step <= 5.0 {
            let top = (max / step).ceil() * step;
            return (top.max(step), step);
        }
    }
    (1.0, 0.25)
}

/// The smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten)
/// that is at least `v` (> 0).
fn nice_axis_value(v: f64) -> f64 {
    let p = 10f64.powf(v.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * p)
}

fn f(v: f64) -> String {
    format!("{v:.1}")
}

/// `<defs>` with the hatch pattern of the current series.
fn hatch_defs(id: &str) -> Markup {
    html! {
        defs {
            pattern id=(id) patternUnits="userSpaceOnUse" width="6" height="6"
                patternTransform="rotate(45)" {
                rect width="6" height="6" fill="#fbe3d2" {}
                rect width="3" height="6" fill=(VERMILLION) {}
            }
        }
    }
}

/// Legend drawn inside the SVG (top right), so the chart reads on its own and in print.
fn legend(x: f64, y: f64, hatch: &str, baseline: bool, current: bool) -> Markup {
    let mut items = Vec::new();
    if baseline {
        items.push(("baseline", BLUE.to_string(), "none"));
    }
    if current {
        items.push(("current", format!("url(#{hatch})"), VERMILLION));
    }
    html! {
        g class="legend" font-size="13" fill=(INK) {
            @for (i, (name, fill, stroke)) in items.iter().enumerate() {
                @let lx = x + i as f64 * 110.0;
                rect x=(f(lx)) y=(f(y - 11.0)) width="14" height="14" fill=(fill)
                    stroke=(stroke) stroke-width="1.5" {}
                text x=(f(lx + 20.0)) y=(f(y)) { (name) }
            }
        }
    }
}

/// The distribution chart for feature number `idx` named `feature`.
pub(crate) fn distribution_svg(idx: usize, feature: &str, d: &Distribution) -> Markup {
    if d.numeric {
        histogram_svg(idx, feature, d)
    } else {
        category_svg(idx, feature, d)
    }
}

fn histogram_svg(idx: usize, feature: &str, d: &Distribution) -> Markup {
    let (w, h) = (520.0, 300.0);
    let (ml, mr, mt, mb) = (52.0, 10.0, 34.0, 66.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let n = d.rows.len().max(1);
    let slot = pw / n as f64;
    let (top, step) = nice_axis(d.max_share());
    let y_of = |share: f64| mt + ph - (share / top).min(1.0) * ph;
    let hatch = format!("hatch-{idx}");
    let title_id = format!("chart-{idx}-title");
    let desc_id = format!("chart-{idx}-desc");
    let ticks: Vec<f64> = (0..)
        .map(|i| i as f64 * step)
        .take_while(|t| *t <= top + 1e-12)
        .collect();
    // Edge labels sit on the slot boundaries of the buckets; under/overflow slots get their own.
    let first_bucket = d.rows.iter().position(|r| r.kind == RowKind::Bucket);
    let edge_labels: Vec<(f64, String)> = match first_bucket {
        Some(fb) => d
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| (ml + (fb + i) as f64 * slot, num(*e)))
            .collect(),
        None => Vec::new(),
    };
    let longest = edge_labels
        .iter()
        .map(|l| l.1.chars().count())
        .max()
        .unwrap_or(0);
    let rotate = longest as f64 * 7.5 > slot;
    html! {
        svg class="chart-svg histogram" xmlns="http://www.w3.org/2000/svg"
            viewBox={"0 0 " (w) " " (h)} role="img" aria-labelledby=(title_id)
            aria-describedby=(desc_id) font-family=(FONT) {
            title id=(title_id) { "Distribution of " (feature) ": baseline vs current" }
            desc id=(desc_id) { (d.describe(feature)) }
            (hatch_defs(&hatch))
            g class="grid" stroke=(GRID) stroke-width="1" {
                @for t in &ticks {
                    line x1=(f(ml)) x2=(f(ml + pw)) y1=(f(y_of(*t))) y2=(f(y_of(*t))) {}
                }
            }
            g class="y-ticks" font-size="12" fill=(INK) text-anchor="end" {
                @for t in &ticks {
                    text x=(f(ml - 6.0)) y=(f(y_of(*t) + 4.0)) { (format!("{:.0}%", t * 100.0)) }
                }
            }
            g class="bars" {
                @for (i, r) in d.rows.iter().enumerate() {
                    @let x0 = ml + i as f64 * slot;
                    @if let Some(s) = d.baseline_share(r).filter(|_| r.baseline.unwrap_or(0.0) > 0.0) {
                        rect class="bar bar-baseline" data-row=(i) x=(f(x0 + slot * 0.1))
                            y=(f(y_of(s))) width=(f(slot * 0.38))
                            height=(f((mt + ph - y_of(s)).max(0.5))) fill=(BLUE) {
                            title { "baseline, " (r.label) ": " (count(r.baseline.unwrap_or(0.0))) " (" (pct(s)) ")" }
                        }
                    }
                    @if let Some(s) = d.current_share(r).filter(|_| r.current.unwrap_or(0.0) > 0.0) {
                        rect class="bar bar-current" data-row=(i) x=(f(x0 + slot * 0.52))
                            y=(f(y_of(s))) width=(f(slot * 0.38))
                            height=(f((mt + ph - y_of(s)).max(0.5)))
                            fill={"url(#" (hatch) ")"} stroke=(VERMILLION) stroke-width="1.5" {
                            title { "current, " (r.label) ": " (count(r.current.unwrap_or(0.0))) " (" (pct(s)) ")" }
                        }
                    }
                }
            }
            // Dashed separators between the baseline range and the under/overflow slots.
            g class="range-marks" stroke=(INK) stroke-dasharray="4 3" stroke-width="1" {
                @for (i, r) in d.rows.iter().enumerate() {
                    @if r.kind == RowKind::Under {
                        line x1=(f(ml + (i + 1) as f64 * slot)) x2=(f(ml + (i + 1) as f64 * slot))
                            y1=(f(mt)) y2=(f(mt + ph)) {}
                    }
                    @if r.kind == RowKind::Over {
                        line x1=(f(ml + i as f64 * slot)) x2=(f(ml + i as f64 * slot))
                            y1=(f(mt)) y2=(f(mt + ph)) {}
                    }
                }
            }
            g class="axes" stroke=(INK) stroke-width="1.2" {
                line x1=(f(ml)) x2=(f(ml)) y1=(f(mt)) y2=(f(mt + ph)) {}
                line x1=(f(ml)) x2=(f(ml + pw)) y1=(f(mt + ph)) y2=(f(mt + ph)) {}
            }
            g class="x-ticks" font-size="12" fill=(INK) {
                @for (x, label) in &edge_labels {
                    @if rotate {
                        text x=(f(*x)) y=(f(mt + ph + 14.0)) text-anchor="end"
                            transform={"rotate(-35 " (f(*x)) " " (f(mt + ph + 14.0)) ")"} { (label) }
                    } @else {
                        text x=(f(*x)) y=(f(mt + ph + 16.0)) text-anchor="middle" { (label) }
                    }
                }
                @for (i, r) in d.rows.iter().enumerate() {
                    @if matches!(r.kind, RowKind::Under | RowKind::Over) {
                        text x=(f(ml + (i as f64 + 0.5) * slot)) y=(f(mt + ph + 32.0))
                            text-anchor="middle" font-style="italic" {
                            @if r.kind == RowKind::Under { "below" } @else { "above" }
                        }
                    }
                }
            }
            text class="axis-label" x=(f(ml + pw / 2.0)) y=(f(h - 8.0)) text-anchor="middle"
                font-size="13" fill=(INK) { "value of " (feature) " (baseline bucket edges)" }
            text class="axis-label" x="14" y=(f(mt + ph / 2.0)) text-anchor="middle"
                font-size="13" fill=(INK) transform={"rotate(-90 14 " (f(mt + ph / 2.0)) ")"} {
                "share of values"
            }
            (legend(w - 220.0, 20.0, &hatch, d.baseline_total.is_some(), d.current_total.is_some()))
        }
    }
}

/// Shortens a category label for the axis (the full value is in the tooltip and the table).
fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

fn category_svg(idx: usize, feature: &str, d: &Distribution) -> Markup {
    let row_h = 32.0;
    let (ml, mr, mt, mb) = (150.0, 24.0, 34.0, 48.0);
    let w = 520.0;
    let pw = w - ml - mr;
    let h = mt + mb + row_h * d.rows.len().max(1) as f64;
    let ph = h - mt - mb;
    let (top, step) = nice_axis(d.max_share());
    let x_of = |share: f64| ml + (share / top).min(1.0) * pw;
    let hatch = format!("hatch-{idx}");
    let title_id = format!("chart-{idx}-title");
    let desc_id = format!("chart-{idx}-desc");
    let ticks: Vec<f64> = (0..)
        .map(|i| i as f64 * step)
        .take_while(|t| *t <= top + 1e-12)
        .collect();
    html! {
        svg class="chart-svg categories" xmlns="http://www.w3.org/2000/svg"
            viewBox={"0 0 " (w) " " (h)} role="img" aria-labelledby=(title_id)
            aria-describedby=(desc_id) font-family=(FONT) {
            title id=(title_id) { "Distribution of " (feature) ": baseline vs current" }
            desc id=(desc_id) { (d.describe(feature)) }
            (hatch_defs(&hatch))
            g class="grid" stroke=(GRID) stroke-width="1" {
                @for t in &ticks {
                    line x1=(f(x_of(*t))) x2=(f(x_of(*t))) y1=(f(mt)) y2=(f(mt + ph)) {}
                }
            }
            g class="x-ticks" font-size="12" fill=(INK) text-anchor="middle" {
                @for t in &ticks {
                    text x=(f(x_of(*t))) y=(f(mt + ph + 16.0)) { (format!("{:.0}%", t * 100.0)) }
                }
            }
            g class="bars" {
                @for (i, r) in d.rows.iter().enumerate() {
                    @let y0 = mt + i as f64 * row_h;
                    @if let Some(s) = d.baseline_share(r).filter(|_| r.baseline.unwrap_or(0.0) > 0.0) {
                        rect class="bar bar-baseline" data-row=(i) x=(f(ml)) y=(f(y0 + 3.0))
                            width=(f((x_of(s) - ml).max(0.5))) height="12" fill=(BLUE) {
                            title { "baseline, " (r.label) ": " (count(r.baseline.unwrap_or(0.0))) " (" (pct(s)) ")" }
                        }
                    }
                    @if let Some(s) = d.current_share(r).filter(|_| r.current.unwrap_or(0.0) > 0.0) {
                        rect class="bar bar-current" data-row=(i) x=(f(ml)) y=(f(y0 + 16.0))
                            width=(f((x_of(s) - ml).max(0.5))) height="12"
                            fill={"url(#" (hatch) ")"} stroke=(VERMILLION) stroke-width="1.5" {
                            title { "current, " (r.label) ": " (count(r.current.unwrap_or(0.0))) " (" (pct(s)) ")" }
                        }
                    }
                }
            }
            g class="y-ticks" font-size="12" fill=(INK) text-anchor="end" {
                @for (i, r) in d.rows.iter().enumerate() {
                    @let y0 = mt + i as f64 * row_h;
                    text class={"cat-label " (r.kind.class())} x=(f(ml - 8.0)) y=(f(y0 + 20.0))
                        font-style=[(r.kind != RowKind::Value).then_some("italic")] {
                        (short(&r.label, 20))
                    }
                }
            }
            g class="axes" stroke=(INK) stroke-width="1.2" {
                line x1=(f(ml)) x2=(f(ml)) y1=(f(mt)) y2=(f(mt + ph)) {}
                line x1=(f(ml)) x2=(f(ml + pw)) y1=(f(mt + ph)) y2=(f(mt + ph)) {}
            }
            text class="axis-label" x=(f(ml + pw / 2.0)) y=(f(h - 8.0)) text-anchor="middle"
                font-size="13" fill=(INK) { "share of values of " (feature) }
            (legend(w - 220.0, 20.0, &hatch, d.baseline_total.is_some(), d.current_total.is_some()))
        }
    }
}

/// The table alternative of a distribution chart: one row per bar pair.
pub(crate) fn distribution_table(d: &Distribution) -> Markup {
    let head = if d.numeric { "bucket" } else { "value" };
    html! {
        table class="chart-data" {
            thead {
                tr {
                    th scope="col" { (head) }
                    @if d.baseline_total.is_some() {
                        th scope="col" class="num" { "baseline count" }
                        th scope="col" class="num" { "baseline share" }
                    }
                    @if d.current_total.is_some() {
                        th scope="col" class="num" { "current count" }
                        th scope="col" class="num" { "current share" }
                    }
                }
            }
            tbody {
                @for r in &d.rows {
                    tr class=(r.kind.class()) {
                        th scope="row" { (r.label) }
                        @if d.baseline_total.is_some() {
                            td class="num" { (r.baseline.map(count).unwrap_or_default()) }
                            td class="num" { (d.baseline_share(r).map(pct).unwrap_or_default()) }
                        }
                        @if d.current_total.is_some() {
                            td class="num" { (r.current.map(count).unwrap_or_default()) }
                            td class="num" { (d.current_share(r).map(pct).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    }
}

/// One point of a drift trend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrendPoint {
    /// Window label (start time, or "window N").
    pub label: String,
    /// The statistic's value.
    pub value: f64,
    /// Threshold in that window, if any.
    pub threshold: Option<f64>,
    /// The feature's verdict in that window.
    pub drifted: bool,
}

/// A sparkline of one statistic over windows (at least two points).
/// `stat` names the statistic in the title and description, `axis` (short) on the y axis.
pub(crate) fn trend_svg(
    idx: usize,
    feature: &str,
    stat: &str,
    axis: &str,
    points: &[TrendPoint],
) -> Markup {
    let (w, h) = (340.0, 110.0);
    let (ml, mr, mt, mb) = (58.0, 12.0, 10.0, 34.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let threshold = points.iter().rev().find_map(|p| p.threshold);
    let max = points
        .iter()
        .map(|p| p.value)
        .chain(threshold)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let top = if max > 0.0 {
        nice_axis_value(max * 1.05)
    } else {
        1.0
    };
    let n = points.len();
    let x_of = |i: usize| {
        ml + if n > 1 {
            i as f64 / (n - 1) as f64 * pw
        } else {
            pw / 2.0
        }
    };
    let y_of = |v: f64| mt + ph - (v.max(0.0) / top).min(1.0) * ph;
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.value.is_finite())
        .map(|(i, p)| format!("{},{}", f(x_of(i)), f(y_of(p.value))))
        .collect();
    let title_id = format!("trend-{idx}-title");
    let desc_id = format!("trend-{idx}-desc");
    let drifted = points.iter().filter(|p| p.drifted).count();
    let first = points.first().map(|p| p.label.as_str()).unwrap_or_default();
    let last = points.last().map(|p| p.label.as_str()).unwrap_or_default();
    html! {
        svg class="trend-svg" xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (w) " " (h)}
            role="img" aria-labelledby=(title_id) aria-describedby=(desc_id) font-family=(FONT) {
            title id=(title_id) { "Trend of " (stat) " for " (feature) " over " (n) " windows" }
            desc id=(desc_id) {
                (stat) " from " (num(points.first().map(|p| p.value).unwrap_or(f64::NAN)))
                " (" (first) ") to " (num(points.last().map(|p| p.value).unwrap_or(f64::NAN)))
                " (" (last) "); drifted in " (drifted) " of " (n) " windows"
                @if let Some(t) = threshold { "; threshold " (num(t)) }
                ". Drifted windows are filled squares, others hollow circles."
            }
            g class="axes" stroke=(INK) stroke-width="1" {
                line x1=(f(ml)) x2=(f(ml)) y1=(f(mt)) y2=(f(mt + ph)) {}
                line x1=(f(ml)) x2=(f(ml + pw)) y1=(f(mt + ph)) y2=(f(mt + ph)) {}
            }
            g font-size="11" fill=(INK) text-anchor="end" {
                text x=(f(ml - 4.0)) y=(f(mt + 8.0)) { (num(top)) }
                text x=(f(ml - 4.0)) y=(f(mt + ph)) { "0" }
            }
            @if let Some(t) = threshold {
                line class="threshold" x1=(f(ml)) x2=(f(ml + pw)) y1=(f(y_of(t))) y2=(f(y_of(t)))
                    stroke=(INK) stroke-dasharray="5 4" stroke-width="1" {}
                text x=(f(ml + pw)) y=(f(y_of(t) - 3.0)) font-size="10" fill=(INK)
                    text-anchor="end" { "threshold " (num(t)) }
            }
            polyline class="trend-line" points=(line.join(" ")) fill="none" stroke=(BLUE)
                stroke-width="2" {}
            @for (i, p) in points.iter().enumerate().filter(|(_, p)| p.value.is_finite()) {
                @if p.drifted {
                    rect class="point drifted" x=(f(x_of(i) - 4.0)) y=(f(y_of(p.value) - 4.0))
                        width="8" height="8" fill=(VERMILLION) {
                        title { (p.label) ": " (num(p.value)) ", drifted" }
                    }
                } @else {
                    circle class="point" cx=(f(x_of(i))) cy=(f(y_of(p.value))) r="3.5"
                        fill="#fff" stroke=(BLUE) stroke-width="1.5" {
                        title { (p.label) ": " (num(p.value)) ", no drift" }
                    }
                }
            }
            text class="axis-label" x=(f(ml + pw / 2.0)) y=(f(h - 6.0)) font-size="11"
                fill=(INK) text-anchor="middle" { "windows, oldest → newest" }
            text class="axis-label" x="12" y=(f(mt + ph / 2.0)) font-size="11" fill=(INK)
                text-anchor="middle" transform={"rotate(-90 12 " (f(mt + ph / 2.0)) ")"} { (axis) }
        }
    }
}

/// The table alternative of a trend.
pub(crate) fn trend_table(stat: &str, points: &[TrendPoint]) -> Markup {
    html! {
        table class="trend-data" {
            thead {
                tr {
                    th scope="col" { "window" }
                    th scope="col" class="num" { (stat) }
                    th scope="col" class="num" { "threshold" }
                    th scope="col" { "verdict" }
                }
            }
            tbody {
                @for p in points {
                    tr {
                        th scope="row" { (p.label) }
                        td class="num" { (num(p.value)) }
                        td class="num" { (p.threshold.map(num).unwrap_or_else(|| "—".into())) }
                        td { @if p.drifted { "drifted" } @else { "no drift" } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axis_values() {
        assert_eq!(nice_axis_value(0.6013), 0.8);
        assert_eq!(nice_axis_value(0.42), 0.5);
        assert_eq!(nice_axis_value(0.18), 0.2);
        assert_eq!(nice_axis_value(3.0), 3.0);
        assert_eq!(nice_axis_value(8.5), 10.0);
    }

    #[test]
    fn nice_axis_covers_the_maximum() {
        let (top, step) = nice_axis(0.55);
        assert!((top - 0.6).abs() < 1e-12 && (step - 0.2).abs() < 1e-12);
        let (top, step) = nice_axis(0.033);
        assert!(top >= 0.033 && top / step <= 5.0 + 1e-9);
        assert_eq!(nice_axis(0.0), (1.0, 0.2));
    }

    #[test]
    fn short_labels_keep_their_start() {
        assert_eq!(short("abc", 5), "abc");
        assert_eq!(short("abcdefgh", 5), "abcd…");
    }
}
