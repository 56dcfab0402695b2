//! The parser on real SageMaker files (tests/data/README.md names their sources).

mod support;
use driftline_capture::ground_truth::{read_ground_truth, GroundTruthValue};
use driftline_capture::{positional_name, CaptureOptions, ColumnsPosition, RecordKind};
use support::*;

#[test]
fn churn_csv_capture_pairs_output_then_input() {
    let (p, rec) = parse_default(&read_data("churn-csv-capture.first-lines.jsonl"));
    assert_accounting(&p);
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    // The rows the notebook sent (independent of the capture file).
    let sent =
        String::from_utf8(read_data("churn-test-dataset-input-cols.rows-60-62.csv")).unwrap();
    let sent: Vec<Vec<&str>> = sent.lines().map(|l| l.split(',').collect()).collect();
    let outputs = [
        "0.036397725343704224",
        "0.3791300654411316",
        "0.017852725461125374",
    ];
    assert_eq!(rec.rows.len(), 3);
    for (i, row) in rec.rows.iter().enumerate() {
        assert_eq!(row.line, i as u64 + 1);
        assert_eq!(row.cells.len(), 1 + sent[i].len());
        assert_eq!(row.cells.len(), 70);
        assert_eq!(row.names[0], "_c0");
        assert_eq!(row.names[69], "_c69");
        assert_eq!(row.cells[0], raw(outputs[i]));
        for (j, v) in sent[i].iter().enumerate() {
            assert_eq!(row.cells[j + 1], raw(v), "row {i} column {}", j + 1);
        }
        assert_eq!(row.kind, RecordKind::Endpoint);
    }
    assert_eq!(
        rec.rows[0].event_id.as_deref(),
        Some("f04a8538-696c-4648-8064-8b680b2e3318")
    );
    assert_eq!(
        rec.rows[0].inference_time.as_deref(),
        Some("2022-04-18T00:21:48Z")
    );
    // 2022-04-18T00:21:48Z = 1650241308 s since the epoch (date -u -d ... +%s).
    assert_eq!(rec.rows[0].inference_time_ms, Some(1_650_241_308_000));
    assert_eq!(p.stats().min_inference_time_ms, Some(1_650_241_308_000));
    assert_eq!(p.stats().max_inference_time_ms, Some(1_650_241_310_000));
}

#[test]
fn churn_csv_capture_end_position_puts_output_last() {
    let opts = CaptureOptions {
        output_columns_position: ColumnsPosition::End,
        ..Default::default()
    };
    let (_, rec) = parse_bytes(&read_data("churn-csv-capture.first-lines.jsonl"), &opts);
    assert_eq!(rec.rows[0].cells[0], raw("132"));
    assert_eq!(rec.rows[0].cells[69], raw("0.036397725343704224"));
}

#[test]
fn inference_id_is_kept() {
    let (p, rec) = parse_default(&read_data(
        "churn-csv-capture-inference-id.last-lines.jsonl",
    ));
    assert_eq!(p.faults().total(), 0);
    let ids: Vec<_> = rec
        .rows
        .iter()
        .map(|r| r.inference_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["58", "59"]);
    assert_eq!(
        rec.rows[1].event_id.as_deref(),
        Some("09e668ab-172a-4ef1-9dc3-696d52879010")
    );
}

#[test]
fn json_instances_and_predictions_one_row_per_instance() {
    let (p, rec) = parse_default(&read_data("bias-drift-json.jsonl"));
    assert_accounting(&p);
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(p.stats().lines, 2);
    assert_eq!(rec.rows.len(), 3, "1 instance + 2 instances");
    let r = &rec.rows[2];
    assert_eq!(r.line, 2);
    assert_eq!(r.row, 1);
    // Output first, keys in document order, then the features array by index.
    assert_eq!(&r.names[..3], ["score", "predicted_label", "features.0"]);
    assert_eq!(r.names.len(), 2 + 14);
    assert_eq!(r.cells[0], C::Float(0.5041388273239136));
    assert_eq!(r.cells[1], C::Int(1));
    let expect = [43, 2, 72338, 12, 14, 2, 12, 0, 1, 1, 0, 0, 40, 37];
    for (j, v) in expect.iter().enumerate() {
        assert_eq!(r.get(&format!("features.{j}")), Some(&C::Int(*v)));
    }
}

#[test]
fn json_lines_payloads_pair_record_by_record() {
    let (p, rec) = parse_default(&read_data("bias-drift-jsonlines.jsonl"));
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(rec.rows.len(), 3);
    let r = &rec.rows[2];
    assert_eq!(&r.names[..2], ["predicted_label", "score"]);
    assert_eq!(r.cells[1], C::Float(0.504138827323913));
    assert_eq!(r.get("features.2"), Some(&C::Int(72338)));
    assert_eq!(rec.rows[1].get("features.2"), Some(&C::Int(133937)));
}

#[test]
fn sdk_captured_data_with_embedded_newlines() {
    let (p, rec) = parse_default(&read_data("sdk-captured-data.jsonl"));
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    // {"instances": [1.0, 2.0, 5.0]} and {"predictions": [3.5, 4.0, 5.5]}: three scalar
    // instances per line, positional names.
    assert_eq!(rec.rows.len(), 6);
    assert_eq!(rec.rows[0].names, ["_c0", "_c1"]);
    let got: Vec<_> = rec.rows[..3].iter().map(|r| r.cells.clone()).collect();
    assert_eq!(
        got,
        vec![
            vec![C::Float(3.5), C::Float(1.0)],
            vec![C::Float(4.0), C::Float(2.0)],
            vec![C::Float(5.5), C::Float(5.0)]
        ]
    );
}

#[test]
fn sdk_csv_capture_with_template_time() {
    let bytes = read_data("sdk-capture.jsonl");
    let lines = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    let (p, rec) = parse_default(&bytes);
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(rec.rows.len(), lines);
    assert_eq!(rec.rows[0].names.len(), 8);
    assert_eq!(rec.rows[0].cells[0], raw("0.302709460258"));
    assert_eq!(rec.rows[0].cells[1], raw("9"));
    assert_eq!(rec.rows[0].inference_time.as_deref(), Some("{%s}"));
    assert_eq!(rec.rows[0].inference_time_ms, None);
    assert_eq!(p.stats().min_inference_time_ms, None);
}

#[test]
fn merged_endpoint_record_reads_as_capture() {
    let v: serde_json::Value =
        serde_json::from_slice(&read_data("merged-record-endpoint.pretty-printed.json")).unwrap();
    let (p, rec) = parse_default(v.to_string().as_bytes());
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(rec.rows.len(), 1);
    assert_eq!(rec.rows[0].inference_id.as_deref(), Some("95"));
    assert_eq!(rec.rows[0].get("score"), Some(&C::Float(0.90517783164978)));
    assert_eq!(rec.rows[0].get("features.0"), Some(&C::Int(42)));
}

#[test]
fn batch_transform_output_lines() {
    let (p, rec) = parse_default(&read_data("batch-transform-output.last-5-lines.jsonl"));
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(rec.rows.len(), 5);
    let r = &rec.rows[0];
    assert_eq!(r.kind, RecordKind::BatchTransform);
    assert_eq!(
        r.inference_id.as_deref(),
        Some("89180035-821a-41d9-87b2-67a22490de94")
    );
    assert_eq!(r.inference_time.as_deref(), Some("2023-01-21T01:29:04Z"));
    assert_eq!(&r.names[..3], ["predicted_label", "score", "features.0"]);
    assert_eq!(r.cells[1], C::Float(0.047645717859268));
    assert_eq!(r.get("features.13"), Some(&C::Int(37)));
    assert_eq!(r.names.len(), 16);
}

#[test]
fn merged_batch_record_reads_batch_transform_output() {
    let v: serde_json::Value =
        serde_json::from_slice(&read_data("merged-record-batch.pretty-printed.json")).unwrap();
    let (p, rec) = parse_default(v.to_string().as_bytes());
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(rec.rows.len(), 1);
    assert_eq!(rec.rows[0].kind, RecordKind::BatchTransform);
    assert_eq!(
        rec.rows[0].event_id.as_deref(),
        Some("ae4ec948-edc0-4195-be9c-0b15b6ca114f")
    );
    assert_eq!(rec.rows[0].get("score"), Some(&C::Float(0.989977359771728)));
    assert_eq!(rec.rows[0].get("features.2"), Some(&C::Int(133937)));
}

#[test]
fn ground_truth_files() {
    let mut got = Vec::new();
    let r = read_ground_truth(
        &mut &read_data("01d3c1a8-aa99-4149-9d5e-78bea047a788.jsonl")[..],
        "gt",
        &CaptureOptions::default(),
        |g| got.push(g),
    )
    .unwrap();
    assert_eq!(r.faults.total(), 0);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].join_key(),
        Some("01d3c1a8-aa99-4149-9d5e-78bea047a788")
    );
    assert_eq!(got[0].value, GroundTruthValue::Csv("0".into()));

    // actuals.jsonl matches capture.jsonl event by event.
    let mut gt = Vec::new();
    let r = read_ground_truth(
        &mut &read_data("sdk-actuals.jsonl")[..],
        "actuals",
        &CaptureOptions::default(),
        |g| gt.push(g),
    )
    .unwrap();
    assert_eq!(r.faults.total(), 0, "{:?}", r.faults);
    let (_, cap) = parse_default(&read_data("sdk-capture.jsonl"));
    let cap_ids: std::collections::BTreeSet<_> = cap
        .rows
        .iter()
        .map(|r| r.event_id.clone().unwrap())
        .collect();
    assert!(!gt.is_empty());
    for g in &gt {
        assert!(cap_ids.contains(g.join_key().unwrap()), "{g:?}");
        assert!(matches!(g.value.label_text().as_str(), "0" | "1"));
    }

    // JSON ground truth inside a merged record; inferenceId wins as the key.
    let v: serde_json::Value =
        serde_json::from_slice(&read_data("merged-record-endpoint.pretty-printed.json")).unwrap();
    let g = driftline_capture::ground_truth::parse_ground_truth_line(v.to_string().as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(g.join_key(), Some("95"));
    assert_eq!(g.value.label_text(), "0");
}

#[test]
fn positional_names_are_spark_style() {
    assert_eq!(positional_name(0), "_c0");
    assert_eq!(positional_name(12), "_c12");
}

#[test]
fn ground_truth_read_in_place_agrees_with_the_owned_records() {
    use driftline_capture::ground_truth::read_ground_truth_refs;
    // The real SDK actuals, plus a JSON label, a BASE64 one, an escaped key and bad lines.
    let mut data = read_data("sdk-actuals.jsonl");
    data.extend_from_slice(
        concat!(
            "\n{\"groundTruthData\":{\"data\":\"{\\\"label\\\": 1}\",\"encoding\":\"JSON\"},",
            "\"eventMetadata\":{\"eventId\":\"j\\u0031\"},\"eventVersion\":\"0\"}\n",
            "{\"groundTruthData\":{\"data\":\"MQ==\",\"encoding\":\"BASE64\",",
            "\"observedContentType\":\"text/csv\"},\"eventMetadata\":{\"inferenceId\":\"b64\"}}\n",
            "not json\n\n",
            "{\"groundTruthData\":{\"data\":\"1\",\"encoding\":\"CSV\"}}\n",
        )
        .as_bytes(),
    );
    let opts = CaptureOptions::default();
    let mut owned = Vec::new();
    let a = read_ground_truth(&mut &data[..], "gt", &opts, |g| {
        owned.push((
            g.line,
            g.join_key().map(str::to_string),
            g.value.label_text(),
        ))
    })
    .unwrap();
    let mut refs = Vec::new();
    let b = read_ground_truth_refs(&mut &data[..], "gt", &opts, |g| {
        refs.push((
            g.line,
            g.join_key().map(str::to_string),
            g.label.to_string(),
        ))
    })
    .unwrap();
    assert_eq!(owned, refs);
    assert_eq!(a.stats, b.stats);
    assert_eq!(a.faults.total(), 2, "{:?}", a.faults);
    assert_eq!(b.faults.total(), 2);
    let tail: Vec<_> = refs.iter().rev().take(2).collect();
    assert_eq!(tail[1].1.as_deref(), Some("j1"));
    assert_eq!(tail[1].2, "1");
    assert_eq!(tail[0].1.as_deref(), Some("b64"));
    assert_eq!(tail[0].2, "1");
}
