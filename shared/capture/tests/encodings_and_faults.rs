//! Every encoding and every bad-input kind.

mod support;
use base64::Engine;
use driftline_capture::{
    CaptureOptions, CaptureParser, ColumnSpec, FaultKind, LineOutcome, SkipReason,
};
use std::io::Write;
use support::*;

fn b64(s: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn only_fault(p: &CaptureParser, kind: FaultKind) {
    assert_eq!(p.faults().count(kind), 1, "{:?}", p.faults());
    assert_eq!(p.faults().total(), 1, "{:?}", p.faults());
    let ex = &p.faults().examples()[0];
    assert_eq!(ex.kind, kind.as_str());
    assert_eq!(ex.source, "test.jsonl");
    assert!(!ex.reason.is_empty());
    assert_accounting(p);
}

fn good_csv_line() -> String {
    capture_line(
        Some(payload("text/csv", "1,2", "CSV")),
        Some(payload("text/csv", "0.5", "CSV")),
    )
}

#[test]
fn base64_csv_and_json_payloads() {
    let line1 = capture_line(
        Some(payload("text/csv", &b64(b"1,2\n3,4"), "BASE64")),
        Some(payload(
            "text/csv; charset=utf-8",
            &b64(b"0.1\n0.2\n"),
            "BASE64",
        )),
    );
    let line2 = capture_line(
        Some(payload(
            "application/json",
            &b64(br#"{"features":[5,"x"]}"#),
            "BASE64",
        )),
        Some(payload(
            "application/jsonlines",
            &b64(b"{\"score\":0.7}\n"),
            "BASE64",
        )),
    );
    let (p, rec) = parse_default(format!("{line1}\n{line2}\n").as_bytes());
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(rec.rows.len(), 3);
    assert_eq!(rec.rows[0].cells, vec![raw("0.1"), raw("1"), raw("2")]);
    assert_eq!(rec.rows[1].cells, vec![raw("0.2"), raw("3"), raw("4")]);
    assert_eq!(rec.rows[1].row, 1);
    let r = &rec.rows[2];
    assert_eq!(r.get("score"), Some(&C::Float(0.7)));
    assert_eq!(r.get("features.0"), Some(&C::Int(5)));
    assert_eq!(r.get("features.1"), Some(&C::Str("x".into())));
    // The CSV columns are still there, missing in the JSON row.
    assert_eq!(r.get("_c0"), Some(&C::Missing));
}

#[test]
fn missing_encoding_falls_back_to_content_type_and_csv_missing_values() {
    let line = serde_json::json!({"captureData": {"endpointInput": {"observedContentType": "text/csv", "data": "1,,3"}},
        "eventMetadata": {"eventId": "x", "inferenceTime": "2024-01-01T00:00:00.123Z"}})
    .to_string();
    let (p, rec) = parse_default(line.as_bytes());
    assert_eq!(p.faults().total(), 0);
    assert_eq!(rec.rows[0].cells, vec![raw("1"), C::Missing, raw("3")]);
    assert_eq!(rec.rows[0].inference_time_ms, Some(1_704_067_200_123));
}

#[test]
fn json_null_bool_and_top_level_array() {
    let line = capture_line(
        Some(payload("application/json", "[1.5, null, true]", "JSON")),
        None,
    );
    let (_, rec) = parse_default(line.as_bytes());
    assert_eq!(rec.rows[0].names, ["_c0", "_c1", "_c2"]);
    assert_eq!(
        rec.rows[0].cells,
        vec![C::Float(1.5), C::Missing, C::Bool(true)]
    );
    // Nested objects become dotted names; an array of arrays is one record per element.
    let line = capture_line(
        Some(payload("application/json", r#"[[1,2],[3,4]]"#, "JSON")),
        Some(payload(
            "application/json",
            r#"[{"a":{"b":1}},{"a":{"b":2}}]"#,
            "JSON",
        )),
    );
    let (p, rec) = parse_default(line.as_bytes());
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(rec.rows.len(), 2);
    assert_eq!(rec.rows[1].names, ["a.b", "_c1", "_c2"]);
    assert_eq!(rec.rows[1].cells, vec![C::Int(2), C::Int(3), C::Int(4)]);
}

#[test]
fn quoted_csv_payload() {
    let line = capture_line(
        Some(payload("text/csv", r#""a,b",2,"say ""hi""""#, "CSV")),
        None,
    );
    let (p, rec) = parse_default(line.as_bytes());
    assert_eq!(p.faults().total(), 0);
    assert_eq!(
        rec.rows[0].cells,
        vec![raw("a,b"), raw("2"), raw(r#"say "hi""#)]
    );
}

#[test]
fn supplied_names_and_numeric_kinds() {
    let opts = CaptureOptions {
        columns: Some(vec![
            ColumnSpec::numeric("label"),
            ColumnSpec::numeric("age"),
            ColumnSpec::any("city"),
        ]),
        ..Default::default()
    };
    let good = capture_line(
        Some(payload("text/csv", "42,Paris", "CSV")),
        Some(payload("text/csv", "1", "CSV")),
    );
    let non_numeric = capture_line(
        Some(payload("text/csv", "forty,Rome", "CSV")),
        Some(payload("text/csv", "0", "CSV")),
    );
    let wrong_width = capture_line(
        Some(payload("text/csv", "1,2,3", "CSV")),
        Some(payload("text/csv", "0", "CSV")),
    );
    let json = capture_line(
        Some(payload(
            "application/json",
            r#"{"age": 3, "city": "Oslo"}"#,
            "JSON",
        )),
        Some(payload("application/json", "1", "JSON")),
    );
    let text = format!("{good}\n{non_numeric}\n{wrong_width}\n{json}\n");
    let (p, rec) = parse_bytes(text.as_bytes(), &opts);
    assert_accounting(&p);
    assert_eq!(rec.rows.len(), 3, "the non-numeric row is still profiled");
    assert_eq!(rec.rows[0].names, ["label", "age", "city"]);
    assert_eq!(rec.rows[1].get("age"), Some(&raw("forty")));
    assert_eq!(
        rec.rows[2].cells,
        vec![C::Int(1), C::Int(3), C::Str("Oslo".into())]
    );
    assert_eq!(p.faults().count(FaultKind::NonNumeric), 1);
    assert_eq!(p.faults().non_numeric_by_column().get("age"), Some(&1));
    assert_eq!(p.faults().count(FaultKind::ColumnCount), 1);
    assert_eq!(
        p.stats().malformed_lines,
        1,
        "non_numeric is not a line fault"
    );
    let ex = p
        .faults()
        .examples()
        .iter()
        .find(|e| e.kind == "column_count")
        .unwrap();
    assert_eq!(ex.line, 3);
}

#[test]
fn shadow_traffic_is_skipped_and_counted() {
    let mut v: serde_json::Value = serde_json::from_str(&good_csv_line()).unwrap();
    v["eventMetadata"]["invocationSource"] = "ShadowExperiment".into();
    let text = format!("{}\n{}\n", good_csv_line(), v);
    let (p, rec) = parse_default(text.as_bytes());
    assert_eq!(rec.rows.len(), 1);
    assert_eq!(p.stats().shadow_lines, 1);
    assert_eq!(p.faults().total(), 0);
    assert_accounting(&p);
    let opts = CaptureOptions {
        skip_shadow: false,
        ..Default::default()
    };
    let (_, rec) = parse_bytes(text.as_bytes(), &opts);
    assert_eq!(rec.rows.len(), 2);
}

#[test]
fn malformed_json() {
    let text = format!(
        "{}\n{{\"captureData\": {{\n{}\n",
        good_csv_line(),
        good_csv_line()
    );
    let (p, rec) = parse_default(text.as_bytes());
    only_fault(&p, FaultKind::MalformedJson);
    assert_eq!(p.faults().examples()[0].line, 2);
    assert_eq!(rec.rows.len(), 2, "the lines around it are kept");
}

#[test]
fn invalid_utf8() {
    let mut line = good_csv_line().into_bytes();
    let pos = line.windows(3).position(|w| w == b"1,2").unwrap();
    line[pos] = 0xff;
    let (p, rec) = parse_default(&line);
    only_fault(&p, FaultKind::InvalidUtf8);
    assert!(rec.rows.is_empty());
    // BASE64 that decodes to invalid UTF-8.
    let line = capture_line(
        Some(payload("text/csv", &b64(&[0x31, 0xc3, 0x28]), "BASE64")),
        None,
    );
    let (p, _) = parse_default(line.as_bytes());
    only_fault(&p, FaultKind::InvalidUtf8);
}

#[test]
fn binary_garbage() {
    let mut bytes: Vec<u8> = (0u8..=255).cycle().take(3000).collect();
    bytes.retain(|b| *b != b'\n');
    let (p, rec) = parse_default(&bytes);
    only_fault(&p, FaultKind::BinaryData);
    assert!(rec.rows.is_empty());
}

#[test]
fn bad_base64() {
    let line = capture_line(Some(payload("text/csv", "!!not base64!!", "BASE64")), None);
    let (p, _) = parse_default(line.as_bytes());
    only_fault(&p, FaultKind::BadBase64);
}

#[test]
fn unsupported_content_type_and_encoding() {
    let line = capture_line(
        Some(payload("application/x-npy", &b64(b"xx"), "BASE64")),
        None,
    );
    let (p, _) = parse_default(line.as_bytes());
    only_fault(&p, FaultKind::UnsupportedContentType);
    let line = capture_line(Some(payload("text/csv", "1", "XML")), None);
    let (p, _) = parse_default(line.as_bytes());
    only_fault(&p, FaultKind::UnsupportedEncoding);
}

#[test]
fn unrecognised_and_missing_data() {
    let (p, _) = parse_default(b"[1,2,3]\n");
    only_fault(&p, FaultKind::UnrecognisedRecord);
    let (p, _) = parse_default(&read_data("01d3c1a8-aa99-4149-9d5e-78bea047a788.jsonl"));
    only_fault(&p, FaultKind::UnrecognisedRecord);
    assert!(p.faults().examples()[0].reason.contains("ground-truth"));
    let (p, _) = parse_default(br#"{"captureData":{},"eventMetadata":{"eventId":"a"}}"#);
    only_fault(&p, FaultKind::MissingData);
}

#[test]
fn malformed_payload() {
    let line = capture_line(
        Some(payload("application/json", "{\"features\": [1,", "JSON")),
        None,
    );
    let (p, _) = parse_default(line.as_bytes());
    only_fault(&p, FaultKind::MalformedPayload);
    let line = capture_line(Some(payload("text/csv", "\"open,1", "CSV")), None);
    let (p, _) = parse_default(line.as_bytes());
    only_fault(&p, FaultKind::MalformedPayload);
}

#[test]
fn row_count_mismatch() {
    let line = capture_line(
        Some(payload("text/csv", "1,2\n3,4", "CSV")),
        Some(payload("text/csv", "0.5", "CSV")),
    );
    let (p, rec) = parse_default(line.as_bytes());
    only_fault(&p, FaultKind::RowCountMismatch);
    assert!(rec.rows.is_empty());
    let line = capture_line(
        Some(payload(
            "application/json",
            r#"{"instances":[1,2]}"#,
            "JSON",
        )),
        Some(payload(
            "application/json",
            r#"{"predictions":[1]}"#,
            "JSON",
        )),
    );
    let (p, _) = parse_default(line.as_bytes());
    only_fault(&p, FaultKind::RowCountMismatch);
}

#[test]
fn column_count_against_first_record() {
    let other = capture_line(
        Some(payload("text/csv", "1,2,3", "CSV")),
        Some(payload("text/csv", "0.5", "CSV")),
    );
    // A multi-row payload whose second row is short faults the whole line.
    let short_row = capture_line(
        Some(payload("text/csv", "1,2\n3", "CSV")),
        Some(payload("text/csv", "0.5\n0.6", "CSV")),
    );
    let text = format!(
        "{}\n{other}\n{short_row}\n{}\n",
        good_csv_line(),
        good_csv_line()
    );
    let (p, rec) = parse_default(text.as_bytes());
    assert_eq!(
        p.faults().count(FaultKind::ColumnCount),
        2,
        "{:?}",
        p.faults()
    );
    assert_eq!(rec.rows.len(), 2);
    assert_accounting(&p);
    let lines: Vec<u64> = p.faults().examples().iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 3]);
}

#[test]
fn empty_file_and_blank_lines() {
    let (p, rec) = parse_default(b"");
    assert_eq!(p.faults().count(FaultKind::EmptyFile), 1);
    assert!(rec.rows.is_empty());
    assert_eq!(p.stats().lines, 0);
    let (p, _) = parse_default(b"\n \n\r\n");
    assert_eq!(p.faults().count(FaultKind::EmptyFile), 1);
    assert_eq!(p.stats().blank_lines, 3);
    assert_accounting(&p);
    // Blank lines between records are not faults.
    let (p, rec) = parse_default(format!("\n{}\n\n", good_csv_line()).as_bytes());
    assert_eq!(p.faults().total(), 0);
    assert_eq!(rec.rows.len(), 1);
}

/// A reader that hands out at most `n` bytes per read (forces lines across buffers).
struct Trickle<'a>(&'a [u8], usize);
impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(self.1).min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn line_too_long_is_skipped_to_the_next_newline() {
    let opts = CaptureOptions {
        max_line_bytes: 500,
        ..Default::default()
    };
    let long = capture_line(Some(payload("text/csv", &"9,".repeat(400), "CSV")), None);
    let text = format!("{}\n{long}\n{}", good_csv_line(), good_csv_line());
    for chunk in [7usize, 64, 100_000] {
        let mut p = CaptureParser::new("test.jsonl", &opts).unwrap();
        let mut rec = Rec::default();
        p.read(
            &mut std::io::BufReader::with_capacity(chunk, Trickle(text.as_bytes(), chunk)),
            &mut rec,
        )
        .unwrap();
        only_fault(&p, FaultKind::LineTooLong);
        assert_eq!(p.faults().examples()[0].line, 2);
        assert_eq!(rec.rows.len(), 2);
        assert_eq!(rec.rows[1].line, 3);
    }
    // Also through parse_line.
    let mut p = CaptureParser::new("test.jsonl", &opts).unwrap();
    let out = p.parse_line(long.as_bytes(), &mut Rec::default());
    assert_eq!(out, LineOutcome::Malformed(FaultKind::LineTooLong));
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_input_is_detected() {
    let plain = read_data("churn-csv-capture.first-lines.jsonl");
    let (p, rec) = parse_default(&gzip(&plain));
    assert_eq!(p.faults().total(), 0);
    assert_eq!(rec.rows.len(), 3);
    let (_, rec_plain) = parse_default(&plain);
    assert_eq!(rec.rows, rec_plain.rows);
}

#[test]
fn truncated_gzip() {
    let plain = read_data("sdk-capture.jsonl");
    let gz = gzip(&plain);
    let cut = &gz[..gz.len() / 2];
    let (p, rec) = parse_default(cut);
    assert_eq!(
        p.faults().count(FaultKind::TruncatedGzip),
        1,
        "{:?}",
        p.faults()
    );
    assert!(
        !rec.rows.is_empty(),
        "what was decoded before the cut is kept"
    );
    assert_accounting(&p);
}

#[test]
fn corrupt_gzip() {
    let plain = read_data("sdk-capture.jsonl");
    let mut gz = gzip(&plain);
    let n = gz.len();
    for b in &mut gz[20..n - 10] {
        *b ^= 0x5a;
    }
    let (p, _) = parse_default(&gz);
    let f = p.faults();
    assert_eq!(
        f.count(FaultKind::CorruptGzip) + f.count(FaultKind::TruncatedGzip),
        1,
        "{f:?}"
    );
    assert_accounting(&p);
}

#[test]
fn record_limit_counts_the_rest() {
    let opts = CaptureOptions {
        max_records: 2,
        ..Default::default()
    };
    let text = format!("{0}\n{0}\n{0}\n{0}\n", good_csv_line());
    let (p, rec) = parse_bytes(text.as_bytes(), &opts);
    assert_eq!(rec.rows.len(), 2);
    assert_eq!(p.stats().over_limit_lines, 2);
    assert_eq!(p.faults().total(), 0);
    assert_accounting(&p);
    let mut p = CaptureParser::new("x", &opts).unwrap();
    let mut rec = Rec::default();
    for _ in 0..2 {
        p.parse_line(good_csv_line().as_bytes(), &mut rec);
    }
    assert_eq!(
        p.parse_line(good_csv_line().as_bytes(), &mut rec),
        LineOutcome::Skipped(SkipReason::OverRecordLimit)
    );
}

#[test]
fn faults_convert_to_summary_faults() {
    let text = format!("{{bad\n{{bad\n{}\n[1]\n", good_csv_line());
    let (p, _) = parse_default(text.as_bytes());
    let f: driftline_stats::summary::Faults = p.faults().into();
    assert_eq!(f.counts.get("malformed_json"), Some(&2));
    assert_eq!(f.counts.get("unrecognised_record"), Some(&1));
    assert_eq!(f.counts.len(), 2);
    assert_eq!(f.examples.len(), 3);
    assert_eq!(f.examples[0].line, 1);
    // Kind names are stable snake_case and unique.
    let names: std::collections::BTreeSet<_> = FaultKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(names.len(), FaultKind::ALL.len());
    assert!(names.iter().all(|n| n
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())));
}

#[test]
fn push_api_matches_reader() {
    let mut text = Vec::new();
    for f in [
        "churn-csv-capture.first-lines.jsonl",
        "bias-drift-json.jsonl",
        "sdk-captured-data.jsonl",
    ] {
        text.extend(read_data(f));
    }
    text.extend(b"{broken\n");
    let (p_all, rec_all) = parse_default(&text);
    for chunk in [1usize, 5, 333] {
        let mut p = CaptureParser::new("test.jsonl", &CaptureOptions::default()).unwrap();
        let mut rec = Rec::default();
        for c in text.chunks(chunk) {
            p.feed(c, &mut rec);
        }
        p.finish(&mut rec);
        assert_eq!(rec.rows, rec_all.rows);
        assert_eq!(p.stats(), p_all.stats());
        assert_eq!(p.faults(), p_all.faults());
    }
    // Line by line.
    let mut p = CaptureParser::new("test.jsonl", &CaptureOptions::default()).unwrap();
    let mut rec = Rec::default();
    for l in text.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        p.parse_line(l, &mut rec);
    }
    p.finish(&mut rec);
    assert_eq!(rec.rows, rec_all.rows);
    assert_eq!(p.faults(), p_all.faults());
}

#[test]
fn csv_after_json_columns_fills_the_wider_schema() {
    let json = capture_line(
        Some(payload("application/json", r#"{"extra": 1}"#, "JSON")),
        None,
    );
    let csv = capture_line(Some(payload("text/csv", "1,2", "CSV")), None);
    let (p, rec) = parse_default(format!("{csv}\n{json}\n{csv}\n").as_bytes());
    assert_eq!(p.faults().total(), 0);
    assert_eq!(rec.rows.len(), 3);
    assert_eq!(rec.rows[2].names, ["_c0", "_c1", "extra"]);
    assert_eq!(rec.rows[2].cells, vec![raw("1"), raw("2"), C::Missing]);
}

#[test]
fn too_many_columns() {
    let opts = CaptureOptions {
        max_columns: 3,
        ..Default::default()
    };
    let ok = capture_line(
        Some(payload("application/json", r#"{"a":1,"b":2}"#, "JSON")),
        None,
    );
    let grows = capture_line(
        Some(payload("application/json", r#"{"c":1,"d":2}"#, "JSON")),
        None,
    );
    let wide_csv = capture_line(Some(payload("text/csv", "1,2,3,4", "CSV")), None);
    let (p, rec) = parse_bytes(
        format!("{ok}\n{grows}\n{wide_csv}\n{ok}\n").as_bytes(),
        &opts,
    );
    assert_eq!(
        p.faults().count(FaultKind::TooManyColumns),
        2,
        "{:?}",
        p.faults()
    );
    assert_eq!(rec.rows.len(), 2);
    assert_eq!(p.schema().len(), 2);
    assert_accounting(&p);
}

#[test]
fn column_specs_from_a_real_baseline() {
    let stats: driftline_stats::formats::statistics::Statistics =
        serde_json::from_slice(&read_data("sdk-data-quality-statistics.json")).unwrap();
    let specs = ColumnSpec::from_statistics(&stats);
    let names: Vec<_> = specs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["_c0", "_c1", "_c2", "_c3", "_c4", "_c5"]);
    assert!(specs
        .iter()
        .all(|c| c.kind == driftline_capture::ExpectedKind::Numeric));
    let opts = CaptureOptions {
        columns: Some(specs),
        ..Default::default()
    };
    let ok = capture_line(
        Some(payload("text/csv", "1.0,2,3,4,5", "CSV")),
        Some(payload("text/csv", "0", "CSV")),
    );
    let bad = capture_line(
        Some(payload("text/csv", "1.0,2,n/a,4,", "CSV")),
        Some(payload("text/csv", "0", "CSV")),
    );
    let (p, rec) = parse_bytes(format!("{ok}\n{bad}\n").as_bytes(), &opts);
    assert_eq!(rec.rows.len(), 2);
    assert_eq!(rec.rows[1].get("_c3"), Some(&raw("n/a")));
    assert_eq!(
        rec.rows[1].get("_c5"),
        Some(&C::Missing),
        "missing is not a type fault"
    );
    assert_eq!(p.faults().count(FaultKind::NonNumeric), 1);
    assert_eq!(p.faults().non_numeric_by_column().get("_c3"), Some(&1));
    let ex = p
        .faults()
        .examples()
        .iter()
        .find(|e| e.kind == "non_numeric")
        .unwrap();
    assert_eq!(ex.line, 2);
    assert!(ex.reason.contains("_c3"), "{}", ex.reason);
}

#[test]
fn deequ_numeric_patterns() {
    // Expected values checked with Python `re` on the two Deequ patterns.
    use driftline_capture::is_deequ_numeric as n;
    for ok in [
        "1", " 1", "-1", "+ 1", "- 12", "1.5", "1e5", "1.5E-3", "0.0", "007",
    ] {
        assert!(n(ok), "{ok}");
    }
    for bad in [
        "", "1 ", ".5", "1.", "NaN", "inf", "1e", "1.5.2", "--1", "1,5", "0x10",
    ] {
        assert!(!n(bad), "{bad}");
    }
}

#[test]
fn byte_order_mark_and_crlf_lines() {
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend(format!("{}\r\n{}\r\n", good_csv_line(), good_csv_line()).as_bytes());
    let (p, rec) = parse_default(&text);
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(rec.rows.len(), 2);
    assert_eq!(rec.rows[1].cells, vec![raw("0.5"), raw("1"), raw("2")]);
}

/// A JSON payload with no record (found by the capture_reader fuzz target: the line counted as
/// valid but gave no row and no fault) is a `missing_data` fault, whatever the side, and a
/// good line next to it is still profiled.
#[test]
fn empty_json_payload_is_missing_data() {
    for data in [
        "",
        "  \n ",
        r#"{"instances": []}"#,
        r#"{"predictions": []}"#,
    ] {
        for enc in [None, Some("JSON")] {
            let mut p = serde_json::json!({"observedContentType": "application/json", "mode": "INPUT", "data": data});
            if let Some(e) = enc {
                p["encoding"] = e.into();
            }
            let line = capture_line(Some(p), None);
            let (parser, rec) = parse_default(format!("{line}\n").as_bytes());
            assert!(rec.rows.is_empty(), "{data:?} {enc:?}");
            only_fault(&parser, FaultKind::MissingData);
            assert_eq!(parser.stats().valid_lines, 0);

            let both = format!("{line}\n{}\n", good_csv_line());
            let (parser, rec) = parse_default(both.as_bytes());
            assert_eq!(rec.rows.len(), 1);
            assert_eq!(parser.faults().count(FaultKind::MissingData), 1);
            assert_eq!(parser.stats().valid_lines, 1);
            assert_accounting(&parser);
        }
    }
}
