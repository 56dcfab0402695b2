//! Profiling helper: JSON Lines capture parsing only (see `throughput` for the numbers).
use driftline_capture::{CaptureOptions, CaptureParser, CountingSink};
use std::io::Write;

fn main() {
    let n = 300_000;
    let mut js = Vec::new();
    for i in 0..n {
        writeln!(
            js,
            r#"{{"captureData":{{"endpointInput":{{"observedContentType":"application/jsonlines","mode":"INPUT","data":"{{\"features\":[{},{},{},{},{}]}}","encoding":"JSON"}},"endpointOutput":{{"observedContentType":"application/jsonlines","mode":"OUTPUT","data":"{{\"predicted_label\":{},\"score\":0.{}}}\n","encoding":"JSON"}}}},"eventMetadata":{{"eventId":"{:08x}","inferenceTime":"2024-05-01T00:00:00Z"}},"eventVersion":"0"}}"#,
            i % 97, i % 13, i % 1000, i % 7, i % 31, i % 2, i % 1000, i
        )
        .unwrap();
    }
    for _ in 0..5 {
        let mut p = CaptureParser::new("j", &CaptureOptions::default()).unwrap();
        let mut sink = CountingSink::default();
        p.read(&mut &js[..], &mut sink).unwrap();
        assert_eq!(sink.rows, n as u64);
    }
}
