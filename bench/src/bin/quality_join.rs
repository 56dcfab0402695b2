//! `bench-quality-join PREDICTIONS.jsonl LABELS.jsonl`: the model-quality join of evaluate-quality
//! without S3 — labels read into the join, stored predictions streamed past them, every window's
//! metrics computed — for `scripts/bench-quality.sh`. Prints one JSON line of counts.

use anyhow::{Context, Result};
use driftline_capture::ground_truth::read_ground_truth_refs;
use driftline_capture::predictions::read_prediction_refs;
use driftline_capture::quality::{hour_of, Join};
use driftline_capture::CaptureOptions;
use driftline_stats::quality::state::{Part, ProblemType, QualityState};
use std::fs::File;
use std::io::BufReader;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [preds, labels] = args.as_slice() else {
        anyhow::bail!("usage: bench-quality-join PREDICTIONS.jsonl LABELS.jsonl");
    };
    let t0 = std::time::Instant::now();
    let mut join = Join::new(ProblemType::BinaryClassification, 0.5, labels);
    let mut r = BufReader::with_capacity(1 << 20, File::open(labels).context("labels")?);
    join.reserve(driftline_capture::quality::labels_in(
        std::fs::metadata(labels)?.len(),
    ));
    read_ground_truth_refs(&mut r, labels, &CaptureOptions::default(), |rec| {
        join.add_label_ref(rec)
    })?;
    let t_labels = t0.elapsed().as_secs_f64();
    let hwm_labels = peak_rss_kb();
    let r = BufReader::with_capacity(1 << 20, File::open(preds).context("predictions")?);
    let mut n = 0u64;
    read_prediction_refs(r, |p| {
        n += 1;
        join.offer_parts(
            "",
            &p.key,
            p.time_ms,
            p.label.as_deref(),
            p.score,
            p.time_ms.map(hour_of).unwrap_or(0),
        );
    })?;
    let t_preds = t0.elapsed().as_secs_f64() - t_labels;
    let result = join.finish();
    let mut all = QualityState::new(ProblemType::BinaryClassification);
    for w in result.windows.values() {
        all.merge(w).map_err(|e| anyhow::anyhow!("{e}"))?;
        let _ = w.statistics(None);
    }
    let st = all.statistics(None);
    let bound = match &all.full {
        Part::BinaryClassification(b) => Some(b.auc_error_bound()),
        _ => None,
    };
    println!(
        "{}",
        serde_json::json!({"predictions": n, "labels": result.labels, "matched": result.matched,
            "unmatched": result.unmatched, "seconds_labels": t_labels, "seconds_predictions": t_preds,
            "seconds": t0.elapsed().as_secs_f64(),
            "peak_rss_kb_after_labels": hwm_labels, "peak_rss_kb": peak_rss_kb(), "windows": result.windows.len(),
            "accuracy": st.get("accuracy").map(|m| m.value.0), "auc": st.get("auc").map(|m| m.value.0), "auc_error_bound": bound})
    );
    Ok(())
}

/// The process's peak resident set (VmHWM) in KiB, where /proc has it.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
