//! # driftline-fuzz
//!
//! The bodies of the fuzz targets in `fuzz_targets/`, one function per target, so that the
//! coverage-guided runs (`scripts/fuzz.sh`, nightly + cargo-fuzz) and the stable replay tests
//! (`tests/replay.rs`: every seed, every regression input, and bounded mutations of the seeds)
//! run the same code. Each function panics only when driftline is wrong: a panic inside
//! driftline's code, or a broken invariant checked here.
//!
//! Inputs are what an attacker or a broken producer controls: capture files and lines (anyone
//! who can write under the capture prefix), baseline files (whoever uploads them), alarm and
//! EventBridge events (CloudWatch, EventBridge, or a crafted test event), S3 keys (object
//! names chosen by the writer) and ground-truth lines.

use driftline_aws::keys::{decode_event_key, CaptureKey, GroundTruthKey, Keys, WindowId};
use driftline_capture::{CaptureIndex, CaptureOptions, ColumnsPosition};

/// A target's body: panics only when driftline is wrong.
pub type Target = fn(&[u8]);

/// Every target by name (the names of `fuzz_targets/*.rs`).
pub const TARGETS: &[(&str, Target)] = &[
    ("capture_reader", capture_reader),
    ("fast_paths", fast_paths),
    ("baseline_files", baseline_files),
    ("alarm_events", alarm_events),
    ("s3_keys", s3_keys),
    ("ground_truth", ground_truth),
];

/// A whole capture file through the streaming reader (plain or gzip, CSV or JSON payloads),
/// with options chosen by the first byte. Invariants: profiled records never exceed the lines
/// read, and the profile counts what the reader says it profiled.
pub fn capture_reader(data: &[u8]) {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let opts = CaptureOptions {
        capture_index: match mode & 3 {
            0 => CaptureIndex::BOTH,
            1 => CaptureIndex::INPUT,
            _ => CaptureIndex::OUTPUT,
        },
        output_columns_position: if mode & 4 == 0 {
            ColumnsPosition::Start
        } else {
            ColumnsPosition::End
        },
        // Small limits reach the over-limit paths with small inputs.
        max_line_bytes: if mode & 8 == 0 { 1 << 20 } else { 96 },
        max_columns: if mode & 16 == 0 { 10_000 } else { 4 },
        ..CaptureOptions::default()
    };
    let Ok(cp) = driftline_capture::profile_reader(body, "fuzz", &opts) else {
        return;
    };
    let stats = &cp.stats;
    assert_eq!(
        stats.lines,
        stats.valid_lines + stats.malformed_lines + stats.skipped_lines(),
        "every line is valid, malformed or skipped: {stats:?}"
    );
    assert!(stats.valid_lines <= stats.rows, "{stats:?}");
    let statistics = cp.profile.to_statistics();
    if let Some(n) = statistics.item_count() {
        assert_eq!(
            n, stats.rows,
            "the profile counts every row handed to it: {stats:?}"
        );
    }
}

/// One capture line: the strict scanner and a learned template (from a real line, and from
/// the input's own first line) either give up or read exactly what serde_json reads.
pub fn fast_paths(data: &[u8]) {
    const REAL: &[u8] = br#"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"132,25,113.2,96,269.9,107,229.1,87,7.1,7,2,0,0,1,0,1,0,1,0,1,0,1,0,0,1,0,1,0,1,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,0,0,1,0,0,0,1,0,0,1,0,0,0,0,0,0,1,0","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.01584203727543354","encoding":"CSV"}},"eventMetadata":{"eventId":"ae08ea42-8d4c-4b4a-9be4-0a14ee5af7d0","inferenceTime":"2022-04-18T00:21:48Z"},"eventVersion":"0"}"#;
    let line = data.split(|b| *b == b'\n').next().unwrap_or(data);
    if let Err(e) = driftline_capture::fuzzing::check_fast_paths(line, REAL) {
        panic!("{e}");
    }
    // A template learned from the input's second line, applied to its first.
    if let Some(second) = data.split(|b| *b == b'\n').nth(1) {
        if let Err(e) = driftline_capture::fuzzing::check_fast_paths(line, second) {
            panic!("{e}");
        }
    }
}

/// Baseline files: `statistics.json` and `constraints.json` (split at the first NUL byte),
/// driftline's value constraints, and an analysis against the baseline when it loads (NaN,
/// infinities, empty sketches and odd types must not panic the drift code).
pub fn baseline_files(data: &[u8]) {
    let (stats, constraints) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let stats = String::from_utf8_lossy(stats);
    let constraints = constraints.map(String::from_utf8_lossy);
    let _ = driftline_stats::formats::constraints::Constraints::from_json(&stats);
    let _ = driftline_stats::values::ValueConstraints::from_json(&stats);
    for c in [constraints.as_deref(), None] {
        if let Ok(b) = driftline_stats::analysis::Baseline::from_json(&stats, c) {
            let window = driftline_capture::window::Window::default();
            let opts = driftline_stats::analysis::AnalysisOptions {
                min_records: 0,
                ..Default::default()
            };
            let a = window.analyze(Some(&b), &opts);
            let _ = (a.statistics_json(), a.violations_json(), a.summary_json());
        }
    }
}

/// Alarm events in both shapes (Lambda alarm action, EventBridge state change), then what
/// notify-alarm and start-retraining read from them: times (crafted years must not overflow),
/// dimensions, names escaped for e-mail text.
pub fn alarm_events(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(a) = driftline_aws::alarm::AlarmEvent::parse(&v) else {
        return;
    };
    if let Some(t) = a.state_time() {
        let _ = t.checked_add_signed(chrono_minutes(5));
    }
    let _ = (a.endpoint(), a.variant(), a.dimension(&["Window"]));
    let _ = a.is_quality_estimate();
    let name = driftline_aws::text::escape_untrusted(&a.alarm_name, 200);
    assert!(
        !name.chars().any(|c| c == '\n' || c == '\r'),
        "escaped name keeps a line break: {name:?}"
    );
    if let Some(ts) = &a.state.timestamp {
        let _ = driftline_aws::alarm::parse_time(ts);
    }
}

fn chrono_minutes(m: i64) -> chrono::Duration {
    chrono::Duration::minutes(m)
}

/// S3 keys as events carry them (URL-encoded, `+` for spaces) and the key parsers. Invariant:
/// a parsed report key is rebuilt exactly by the key builder (no two windows share a key).
pub fn s3_keys(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let Ok(key) = decode_event_key(&raw) else {
        return;
    };
    for prefix in ["datacapture", ""] {
        if let Some(c) = CaptureKey::parse(&key, prefix) {
            let rebuilt = format!(
                "{}{}/{}/{}/{}.jsonl",
                if prefix.is_empty() {
                    ""
                } else {
                    "datacapture/"
                },
                c.endpoint,
                c.variant,
                c.window().path(),
                c.stem
            );
            assert_eq!(rebuilt, key, "capture key round trip");
        }
    }
    let _ = GroundTruthKey::parse(&key, "groundtruth");
    let keys = Keys::new("driftline");
    if let Some(r) = keys.parse_report(&key) {
        let id = WindowId {
            span: r.span,
            hour: r.window,
        };
        assert_eq!(
            keys.report_of(&r.endpoint, &r.variant, id, r.file),
            key,
            "report key round trip"
        );
    }
    let _ = keys.parse_quality_report(&key);
    let event = serde_json::json!({"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": raw, "size": 1}}}]});
    let _ = driftline_aws::s3_event::objects_from_event(&event);
}

/// Ground-truth files, line by line (Model Monitor's `groundTruthData` records).
pub fn ground_truth(data: &[u8]) {
    for line in data.split(|b| *b == b'\n') {
        let _ = driftline_capture::ground_truth::parse_ground_truth_line(line);
    }
}
