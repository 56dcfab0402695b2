//! # driftline-report
//!
//! One window's drift report as a single self-contained HTML page: no network, no scripts, no
//! external fonts or images; inline CSS (responsive, with print rules) and inline SVG charts.
//!
//! ```no_run
//! # use driftline_report::{render_html, ReportInput};
//! # fn demo(summary: &driftline_stats::summary::Summary,
//! #         current: &driftline_stats::formats::statistics::Statistics,
//! #         baseline: &driftline_stats::formats::statistics::Statistics) {
//! let html: String = render_html(&ReportInput {
//!     summary,
//!     current,
//!     baseline: Some(baseline),
//!     history: &[],
//! });
//! # }
//! ```
//!
//! What the page shows:
//! * top: endpoint, variant, window, records, malformed records by fault kind, the status
//!   (drift / no drift / insufficient data / no baseline / error) and the violations table
//!   (feature, check, baseline vs current, distance vs threshold), drifted features first;
//! * one `<section class="feature">` per feature, drifted features first, then features with
//!   violations, then the rest in column order: the baseline vs current distribution as an
//!   inline SVG, the drift figures (L∞, KS p-value, PSI, JS, Wasserstein, …), completeness,
//!   and a trend sparkline of the feature's drift over [`ReportInput::history`] (≥ 2 points).
//!
//! Numeric features are drawn over the baseline's KLL bucket edges. The current window's
//! distribution over those edges is computed from its KLL sketch (an item at level h weighs 2^h,
//! see [`bins::sketch_sample`] and [`bins::rebin`]); current values outside the baseline's range
//! go into explicit "below" / "above" bars. Without a baseline histogram the current window's
//! own buckets are drawn. Categorical features show the top values, "other" and "unseen"
//! (current values that the baseline's buckets do not list).
//!
//! Accessibility: every SVG has `role="img"`, `<title>`/`<desc>` referenced by
//! `aria-labelledby`/`aria-describedby`, axis labels and a table alternative in `<details>`;
//! the Okabe-Ito blue (baseline, solid) and vermillion (current, hatched and outlined) differ in
//! pattern as well as colour. Every string from the data is HTML-escaped (maud escapes all
//! interpolations, in text and attributes). The output is deterministic (no clock), so a
//! retried invocation writes the same bytes.
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod bins;
mod chart;
mod num;
mod page;
mod quality;

use driftline_stats::formats::statistics::Statistics;
use driftline_stats::summary::Summary;

/// Everything the report needs.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The window's summary (verdicts, drift figures, violations, faults).
    pub summary: &'a Summary,
    /// The window's `statistics.json`.
    pub current: &'a Statistics,
    /// The baseline's `statistics.json`, when the endpoint has one.
    pub baseline: Option<&'a Statistics>,
    /// Summaries of recent windows, oldest first, for the trend sparklines. The current window
    /// is appended unless the last entry already is the current window (same `window`).
    pub history: &'a [Summary],
}

/// Renders the report as one self-contained HTML document.
pub fn render_html(input: &ReportInput) -> String {
    page::render(input)
}

/// Renders a model-quality window (metrics vs baseline and threshold, confusion matrix, ROC
/// curve, join coverage, estimate vs realized) as one self-contained HTML document.
pub fn render_quality_html(
    summary: &driftline_stats::quality::analysis::QualitySummary,
    statistics: &driftline_stats::quality::metrics::QualityStatistics,
) -> String {
    quality::render(summary, statistics)
}

#[cfg(test)]
mod tests;
