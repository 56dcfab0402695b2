//! Property tests (arbitrary bytes never panic; counts add up; chunking does not matter) and
//! the profile builder with a test profile.

mod support;
use driftline_capture::profile::{profile_reader_with, ProfileBuilder, ProfileTarget};
use driftline_capture::{CaptureOptions, CaptureParser, CountingSink, LineOutcome};
use driftline_stats::profile::Cell;
use proptest::prelude::*;
use support::*;

/// A fragment generator mixing valid capture syntax with garbage.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        Just(br#"{"captureData":{"endpointInput":{"observedContentType":"text/csv","data":"1,2","encoding":"CSV"}}}"#.to_vec()),
        Just(br#"{"captureData":{"endpointInput":{"observedContentType":"application/json","data":"{\"instances\":[[1,2],[3]]}","encoding":"JSON"}}}"#.to_vec()),
        Just(br#"{"captureData":{"endpointOutput":{"observedContentType":"text/csv","data":"MSwy","encoding":"BASE64"}}}"#.to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"{".to_vec()),
        Just(vec![0x1f, 0x8b]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn parse_line_never_panics_and_counts_add_up(line in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut p = CaptureParser::new("fuzz", &CaptureOptions { max_line_bytes: 200, ..Default::default() }).unwrap();
        let mut sink = CountingSink::default();
        let out = p.parse_line(&line, &mut sink);
        let s = *p.stats();
        prop_assert_eq!(s.lines, 1);
        prop_assert_eq!(s.lines, s.valid_lines + s.malformed_lines + s.skipped_lines());
        prop_assert_eq!(s.malformed_lines, p.faults().line_faults());
        match out {
            LineOutcome::Valid { rows } => prop_assert_eq!(rows as u64, sink.rows),
            _ => prop_assert_eq!(sink.rows, 0),
        }
    }

    #[test]
    fn streams_of_fragments_count_consistently(
        frags in proptest::collection::vec(fragment(), 0..30),
        chunk in 1usize..64,
    ) {
        let bytes: Vec<u8> = frags.concat();
        let opts = CaptureOptions { max_line_bytes: 150, ..Default::default() };
        let mut whole = CaptureParser::new("fuzz", &opts).unwrap();
        let mut s1 = CountingSink::default();
        whole.read(&mut &bytes[..], &mut s1).unwrap();
        let st = *whole.stats();
        prop_assert_eq!(st.lines, st.valid_lines + st.malformed_lines + st.skipped_lines());
        prop_assert_eq!(st.malformed_lines, whole.faults().line_faults());
        prop_assert_eq!(st.rows, s1.rows);
        let newlines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
        let last = u64::from(!bytes.is_empty() && bytes.last() != Some(&b'\n'));
        prop_assert_eq!(st.lines, newlines + last);

        let mut chunked = CaptureParser::new("fuzz", &opts).unwrap();
        let mut s2 = CountingSink::default();
        for c in bytes.chunks(chunk) {
            chunked.feed(c, &mut s2);
        }
        chunked.finish(&mut s2);
        prop_assert_eq!(chunked.stats(), whole.stats());
        prop_assert_eq!(chunked.faults(), whole.faults());
        prop_assert_eq!(s1, s2);
    }
}

/// A test profile: per column, the number of cells and of missing cells, and the sum of
/// numeric values (CSV text parsed here, independently of the parser).
#[derive(Debug, Default, Clone, PartialEq)]
struct TestProfile {
    names: Vec<String>,
    cells: Vec<u64>,
    missing: Vec<u64>,
    sums: Vec<f64>,
    records: u64,
}

impl ProfileTarget for TestProfile {
    fn column_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i;
        }
        self.names.push(name.to_string());
        self.cells.push(0);
        self.missing.push(0);
        self.sums.push(0.0);
        self.names.len() - 1
    }
    fn update(&mut self, column: usize, cell: Cell<'_>) -> bool {
        self.cells[column] += 1;
        match cell {
            Cell::Missing => self.missing[column] += 1,
            Cell::Raw(s) => self.sums[column] += s.parse::<f64>().unwrap_or(0.0),
            Cell::Int(i) => self.sums[column] += i as f64,
            Cell::Float(f) => self.sums[column] += f,
            _ => {}
        }
        false
    }
    fn add_records(&mut self, n: u64) {
        self.records += n;
    }
    fn merge_from(&mut self, other: &Self) {
        for (k, name) in other.names.iter().enumerate() {
            let i = self.column_index(name);
            self.cells[i] += other.cells[k];
            self.missing[i] += other.missing[k];
            self.sums[i] += other.sums[k];
        }
        self.records += other.records;
    }
}

#[test]
fn profile_builder_sums_match_the_source_csv() {
    let bytes = read_data("churn-csv-capture.first-lines.jsonl");
    let cp = profile_reader_with(
        &bytes[..],
        "churn",
        &CaptureOptions::default(),
        TestProfile::default(),
    )
    .unwrap();
    assert_eq!(cp.records(), 3);
    assert_eq!(cp.profile.records, 3);
    assert_eq!(cp.malformed_records(), 0);
    assert_eq!(cp.profile.names.len(), 70);
    // Column _c1 (first input column) sums the first fields of the rows sent (independent file).
    let sent =
        String::from_utf8(read_data("churn-test-dataset-input-cols.rows-60-62.csv")).unwrap();
    let first: f64 = sent
        .lines()
        .map(|l| l.split(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(cp.profile.sums[1], first);
    assert_eq!(
        cp.min_inference_time().unwrap().to_rfc3339(),
        "2022-04-18T00:21:48+00:00"
    );
    assert_eq!(
        cp.max_inference_time().unwrap().to_rfc3339(),
        "2022-04-18T00:21:50+00:00"
    );
}

#[test]
fn profiles_of_parts_merge_into_the_whole() {
    let mut text = read_data("sdk-capture.jsonl");
    text.extend(b"{not json\n");
    let opts = CaptureOptions::default();
    let whole = profile_reader_with(&text[..], "whole", &opts, TestProfile::default()).unwrap();
    // Split at a line boundary in the middle.
    let mid = text[..text.len() / 2]
        .iter()
        .rposition(|b| *b == b'\n')
        .unwrap()
        + 1;
    let mut a = profile_reader_with(&text[..mid], "a", &opts, TestProfile::default()).unwrap();
    let b = profile_reader_with(&text[mid..], "b", &opts, TestProfile::default()).unwrap();
    a.merge(&b);
    assert_eq!(a.profile.records, whole.profile.records);
    assert_eq!(a.profile.cells, whole.profile.cells);
    for (x, y) in a.profile.sums.iter().zip(whole.profile.sums.iter()) {
        assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0));
    }
    assert_eq!(a.stats.rows, whole.stats.rows);
    assert_eq!(a.stats.malformed_lines, 1);
    assert_eq!(a.faults.to_faults().counts, whole.faults.to_faults().counts);
    assert_eq!(a.sources, ["a", "b"]);
}

#[test]
fn builder_resolves_late_json_columns() {
    let l1 = capture_line(
        Some(payload("application/json", r#"{"a":1}"#, "JSON")),
        None,
    );
    let l2 = capture_line(
        Some(payload("application/json", r#"{"a":2,"b":null}"#, "JSON")),
        None,
    );
    let mut p = CaptureParser::new("x", &CaptureOptions::default()).unwrap();
    let mut b = ProfileBuilder::new(TestProfile::default());
    p.read(&mut format!("{l1}\n{l2}\n").as_bytes(), &mut b)
        .unwrap();
    let prof = b.into_profile();
    assert_eq!(prof.names, ["a", "b"]);
    // Missing cells are not passed on: the profile counts them as records - present.
    assert_eq!(prof.records, 2);
    assert_eq!(prof.cells, [2, 0]);
    assert_eq!(prof.missing, [0, 0]);
    assert_eq!(prof.sums[0], 3.0);
}

#[test]
fn profile_reader_builds_a_dataset_profile() {
    let bytes = read_data("churn-csv-capture.first-lines.jsonl");
    let cp =
        driftline_capture::profile_reader(&bytes[..], "churn", &CaptureOptions::default()).unwrap();
    assert_eq!(cp.profile.item_count(), 3);
    assert_eq!(cp.profile.columns().len(), 70);
    // _c1 is the first input column: 132, 130, 85 in the rows sent (independent file).
    let sent =
        String::from_utf8(read_data("churn-test-dataset-input-cols.rows-60-62.csv")).unwrap();
    let firsts: Vec<f64> = sent
        .lines()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    let mean = firsts.iter().sum::<f64>() / firsts.len() as f64;
    let f = cp.profile.feature("_c1").unwrap();
    assert_eq!(f.num_present(), 3);
    assert_eq!(f.numeric().unwrap().mean(), mean);
    let stats = cp.profile.to_statistics();
    assert_eq!(stats.features.len(), 70);
    // Merge of two halves equals the whole for counts.
    let mid = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    let mut a =
        driftline_capture::profile_reader(&bytes[..mid], "a", &CaptureOptions::default()).unwrap();
    let b =
        driftline_capture::profile_reader(&bytes[mid..], "b", &CaptureOptions::default()).unwrap();
    a.merge(&b);
    assert_eq!(a.profile.item_count(), 3);
    assert_eq!(
        a.profile.feature("_c1").unwrap().numeric().unwrap().mean(),
        mean
    );
}

fn run_both(
    bytes: &[u8],
) -> [(
    driftline_capture::CaptureStats,
    driftline_capture::FaultReport,
    Vec<Row>,
); 2] {
    [true, false].map(|fast| {
        let mut p = CaptureParser::new("eq", &CaptureOptions::default()).unwrap();
        p.set_fast_path(fast);
        let mut rec = Rec::default();
        p.read(&mut &bytes[..], &mut rec).unwrap();
        (*p.stats(), p.faults().clone(), rec.rows)
    })
}

/// The non-empty lines of these sample files.
fn sample_lines(files: &[&str]) -> Vec<Vec<u8>> {
    files
        .iter()
        .flat_map(|f| {
            read_data(f)
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| l.to_vec())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Applies edits (position, byte, 0 replace / 1 insert / 2 remove) to a line.
fn apply_edits(l: &mut Vec<u8>, edits: Vec<(prop::sample::Index, u8, u8)>) {
    for (at, byte, op) in edits {
        let i = at.index(l.len().max(1)).min(l.len());
        match op {
            0 if i < l.len() => l[i] = byte,
            1 => l.insert(i, byte),
            _ if i < l.len() => {
                l.remove(i);
            }
            _ => {}
        }
    }
}

/// Small mutations of real capture lines.
fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
    let lines = sample_lines(&[
        "churn-csv-capture.first-lines.jsonl",
        "bias-drift-json.jsonl",
        "sdk-captured-data.jsonl",
        "batch-transform-output.last-5-lines.jsonl",
    ]);
    (
        proptest::sample::select(lines),
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..4),
    )
        .prop_map(|(mut l, edits)| {
            apply_edits(&mut l, edits);
            l
        })
}

/// Real lines, each repeated several times with small edits in some copies (edits land in
/// values, keys and punctuation alike): the parser learns a line shape from the first copy and
/// tries it on the others, so shape hits, misses and re-learning all happen.
fn repeated_lines() -> impl Strategy<Value = Vec<u8>> {
    let lines = sample_lines(&[
        "churn-csv-capture.first-lines.jsonl",
        "churn-csv-capture-inference-id.last-lines.jsonl",
        "bias-drift-json.jsonl",
        "sdk-captured-data.jsonl",
    ]);
    let edit = (
        any::<prop::sample::Index>(),
        prop::sample::select(b"\"\\,:{}[] 0aZ\n\x01\xc3\xff".to_vec()),
        0u8..3,
    );
    (
        proptest::collection::vec(proptest::sample::select(lines), 1..3),
        proptest::collection::vec(proptest::collection::vec(edit, 0..3), 2..10),
    )
        .prop_map(|(bases, copies)| {
            let mut out = Vec::new();
            for (k, edits) in copies.into_iter().enumerate() {
                let mut l = bases[k % bases.len()].clone();
                // Every third copy is left as it is, so the shape keeps matching.
                if k % 3 != 0 {
                    apply_edits(&mut l, edits);
                }
                out.extend_from_slice(&l);
                out.push(b'\n');
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn learned_shapes_agree_with_serde(bytes in repeated_lines()) {
        let [fast, slow] = run_both(&bytes);
        prop_assert_eq!(fast.0, slow.0);
        prop_assert_eq!(fast.1, slow.1);
        prop_assert_eq!(fast.2, slow.2);
    }

    #[test]
    fn fast_scanner_agrees_with_serde(lines in proptest::collection::vec(mutated_line(), 1..6)) {
        let mut bytes = Vec::new();
        for l in &lines {
            bytes.extend_from_slice(l);
            bytes.push(b'\n');
        }
        let [fast, slow] = run_both(&bytes);
        prop_assert_eq!(fast.0, slow.0);
        prop_assert_eq!(fast.1, slow.1);
        prop_assert_eq!(fast.2, slow.2);
    }
}

#[test]
fn fast_scanner_agrees_on_the_samples() {
    for f in [
        "churn-csv-capture.first-lines.jsonl",
        "churn-csv-capture-inference-id.last-lines.jsonl",
        "bias-drift-json.jsonl",
        "bias-drift-jsonlines.jsonl",
        "sdk-captured-data.jsonl",
        "sdk-capture.jsonl",
        "batch-transform-output.last-5-lines.jsonl",
        "sdk-actuals.jsonl",
    ] {
        let [fast, slow] = run_both(&read_data(f));
        assert_eq!(fast.0, slow.0, "{f}");
        assert_eq!(fast.1, slow.1, "{f}");
        assert_eq!(fast.2, slow.2, "{f}");
    }
}

#[test]
fn time_parsing_matches_chrono() {
    for t in [
        "2022-04-18T00:21:48Z",
        "1970-01-01T00:00:00Z",
        "2000-02-29T23:59:59.999Z",
        "2024-12-31T12:00:00.5Z",
        "1969-12-31T23:59:59Z",
        "2100-03-01T00:00:00.123456789Z",
    ] {
        let want = chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .timestamp_millis();
        assert_eq!(driftline_capture::parse_time_ms(t), Some(want), "{t}");
    }
    for bad in [
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "{%s}",
        "2024-01-01T00:00:00",
    ] {
        assert_eq!(driftline_capture::parse_time_ms(bad), None, "{bad}");
    }
    // Offsets go through chrono.
    assert_eq!(
        driftline_capture::parse_time_ms("2024-01-01T01:00:00+01:00"),
        driftline_capture::parse_time_ms("2024-01-01T00:00:00Z")
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn stream_profiler_matches_profile_reader() {
    use driftline_capture::{FaultKind, StreamProfiler};
    let mut text = read_data("sdk-capture.jsonl");
    text.extend(read_data("bias-drift-json.jsonl"));
    text.extend(b"{oops\n");
    let opts = CaptureOptions::default();
    let want = driftline_capture::profile_reader(&text[..], "s", &opts).unwrap();
    for input in [text.clone(), gzip(&text)] {
        for chunk in [1usize, 2, 3, 100, 1 << 20] {
            let mut sp = StreamProfiler::new("s", &opts).unwrap();
            for c in input.chunks(chunk) {
                sp.push(c);
            }
            let got = sp.finish();
            assert_eq!(got.stats, want.stats, "chunk {chunk}");
            assert_eq!(got.faults, want.faults);
            assert_eq!(got.profile, want.profile);
        }
    }
    // Truncated and corrupt gzip are faults; what came before is kept.
    let gz = gzip(&text);
    let mut sp = StreamProfiler::new("s", &opts).unwrap();
    sp.push(&gz[..gz.len() / 2]);
    let got = sp.finish();
    assert_eq!(
        got.faults.count(FaultKind::TruncatedGzip),
        1,
        "{:?}",
        got.faults
    );
    assert!(got.records() > 0);
    let mut bad = gz.clone();
    let n = bad.len();
    for b in &mut bad[20..n - 10] {
        *b ^= 0x5a;
    }
    let mut sp = StreamProfiler::new("s", &opts).unwrap();
    for c in bad.chunks(64) {
        sp.push(c);
    }
    let got = sp.finish();
    let f = &got.faults;
    assert_eq!(
        f.count(FaultKind::CorruptGzip) + f.count(FaultKind::TruncatedGzip),
        1,
        "{f:?}"
    );
    // Empty input.
    let got = StreamProfiler::new("s", &opts).unwrap().finish();
    assert_eq!(got.faults.count(FaultKind::EmptyFile), 1);
}

#[test]
fn capture_profile_round_trips_through_json_and_merges_the_same() {
    let opts = CaptureOptions::default();
    let mut text = read_data("sdk-capture.jsonl");
    text.extend(b"{bad\n[1]\n");
    let a = driftline_capture::profile_reader(&text[..], "a", &opts).unwrap();
    let json = serde_json::to_string(&a).unwrap();
    let back: driftline_capture::CaptureProfile = serde_json::from_str(&json).unwrap();
    assert_eq!(back.stats, a.stats);
    assert_eq!(back.faults, a.faults);
    assert_eq!(back.sources, a.sources);
    assert_eq!(back.profile.item_count(), a.profile.item_count());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["faults"]["counts"]["malformed_json"], 1);
    assert_eq!(v["faults"]["counts"]["unrecognised_record"], 1);
    // Merging the stored copy gives the same counts as merging the original.
    let mut m1 = a.clone();
    m1.merge(&a);
    let mut m2 = back.clone();
    m2.merge(&back);
    assert_eq!(m1.stats, m2.stats);
    assert_eq!(m1.faults, m2.faults);
    assert_eq!(m1.profile.to_statistics(), m2.profile.to_statistics());
}
