//! Column naming: the one JSON flattening (nested elements of a top-level array) and the
//! baseline names applied only to CSV payloads (`ColumnsApply::CsvPayloads`).

mod support;
use driftline_capture::{CaptureOptions, ColumnSpec, ColumnsApply};
use support::*;

#[test]
fn nested_elements_of_a_top_level_array_are_named_by_element() {
    // Output first (one CSV column), then the JSON array input: element i is column 1 + i.
    let line = capture_line(
        Some(payload(
            "application/json",
            "[1, [2, 3], {\"a\": 4}, 5]",
            "JSON",
        )),
        Some(payload("text/csv", "0.5", "CSV")),
    );
    let (p, rec) = parse_default(format!("{line}\n").as_bytes());
    assert_eq!(p.faults().total(), 0, "{:?}", p.faults());
    assert_eq!(
        rec.rows[0].names,
        ["_c0", "_c1", "_c2.0", "_c2.1", "_c3.a", "_c4"]
    );
    assert_eq!(rec.rows[0].get("_c2.1"), Some(&C::Int(3)));
    // A flat array keeps plain positional names.
    let flat = capture_line(Some(payload("application/json", "[7, 8]", "JSON")), None);
    let (_, rec) = parse_default(format!("{flat}\n").as_bytes());
    assert_eq!(rec.rows[0].names, ["_c0", "_c1"]);
}

#[test]
fn the_training_data_flattener_gives_the_same_names() {
    let mut names = Vec::new();
    driftline_capture::flatten_json_record("[1, [2, 3], {\"a\": 4}, 5]", &mut |n, _| {
        names.push(n.to_string())
    })
    .unwrap();
    assert_eq!(names, ["_c0", "_c1.0", "_c1.1", "_c2.a", "_c3"]);
}

fn named_opts(apply: ColumnsApply) -> CaptureOptions {
    CaptureOptions {
        columns: Some(vec![ColumnSpec::numeric("label"), ColumnSpec::numeric("x")]),
        columns_apply: apply,
        ..CaptureOptions::default()
    }
}

#[test]
fn csv_payloads_take_the_supplied_names() {
    let line = capture_line(
        Some(payload("text/csv", "3", "CSV")),
        Some(payload("text/csv", "1", "CSV")),
    );
    let (p, rec) = parse_bytes(
        format!("{line}\n").as_bytes(),
        &named_opts(ColumnsApply::CsvPayloads),
    );
    assert_eq!(p.faults().total(), 0);
    assert_eq!(rec.rows[0].names, ["label", "x"]);
}

#[test]
fn keyed_json_keeps_its_paths_unless_names_always_apply() {
    let line = capture_line(
        Some(payload("application/json", "{\"x\": 3, \"y\": 4}", "JSON")),
        Some(payload("application/json", "{\"score\": 1}", "JSON")),
    );
    let text = format!("not json\n{line}\n{line}\n");
    let (p, rec) = parse_bytes(text.as_bytes(), &named_opts(ColumnsApply::CsvPayloads));
    assert_eq!(p.faults().total(), 1, "only the bad first line");
    assert_eq!(rec.rows.len(), 2);
    assert_eq!(rec.rows[0].names, ["score", "x", "y"]);
    // Always: three leaves against two names is a column-count fault on both lines.
    let (p, rec) = parse_bytes(text.as_bytes(), &named_opts(ColumnsApply::Always));
    assert_eq!(rec.rows.len(), 0);
    assert_eq!(p.faults().total(), 3);
}

/// The capture index picks the analysed sides (Model Monitor's `captureIndexNames`): input
/// only, output only, or both; a record without the analysed side is a missing-data fault that
/// says so, and an unanalysed side that does not decode is no fault.
#[test]
fn the_capture_index_picks_the_analysed_sides() {
    use driftline_capture::{CaptureIndex, FaultKind};
    let both_sides = capture_line(
        Some(payload("text/csv", "3,4", "CSV")),
        Some(payload("text/csv", "0.9", "CSV")),
    );
    let bad_output = capture_line(
        Some(payload("text/csv", "5,6", "CSV")),
        Some(payload("text/csv", "%%%", "BASE64")),
    );
    let output_only = capture_line(None, Some(payload("text/csv", "0.1", "CSV")));
    let text = format!("{both_sides}\n{bad_output}\n{output_only}\n");

    let input = CaptureOptions {
        capture_index: CaptureIndex::INPUT,
        ..CaptureOptions::default()
    };
    let (p, rec) = parse_bytes(text.as_bytes(), &input);
    assert_eq!(rec.rows.len(), 2);
    assert_eq!(rec.rows[0].names, ["_c0", "_c1"]);
    assert_eq!(rec.rows[1].get("_c0"), Some(&C::Raw("5".into())));
    assert_eq!(p.faults().count(FaultKind::MissingData), 1);
    assert_eq!(p.faults().total(), 1);
    let reason = &p.faults().examples()[0].reason;
    assert!(reason.contains("no endpointInput"), "{reason}");

    let output = CaptureOptions {
        capture_index: CaptureIndex::OUTPUT,
        ..CaptureOptions::default()
    };
    let (p, rec) = parse_bytes(text.as_bytes(), &output);
    // The second record's output is not base64: a fault of the analysed side.
    assert_eq!(p.faults().total(), 1);
    assert_eq!(rec.rows.len(), 2);
    assert_eq!(rec.rows[0].names, ["_c0"]);
    assert_eq!(rec.rows[1].get("_c0"), Some(&C::Raw("0.1".into())));

    // Both: the bad output is a fault, and so is the output-only record (its width changed).
    let (p, rec) = parse_bytes(text.as_bytes(), &CaptureOptions::default());
    assert_eq!(rec.rows.len(), 1);
    assert_eq!(rec.rows[0].names, ["_c0", "_c1", "_c2"]);
    assert_eq!(p.faults().total(), 2);
}
