//! Quick single-core throughput check of the capture parser (not a benchmark of record):
//! `cargo run --release -p driftline-capture --example throughput [RECORDS]`.
//!
//! Generates simple CSV capture records in memory (real envelope layout, 5 input features,
//! 1 output, distinct event ids, inference time advancing by the second) and times
//! (1) parsing with a counting sink, (2) parsing plus `DatasetProfile` updates, (3) the same
//! through gzip.

use driftline_capture::{profile_reader, CaptureOptions, CaptureParser, CountingSink};
use std::io::Write;
use std::time::Instant;

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_s;

struct Timer(Instant, f64);
impl Timer {
    fn start() -> Self {
        Timer(Instant::now(), cpu_s())
    }
    /// (wall seconds, CPU seconds)
    fn stop(&self) -> (f64, f64) {
        (self.0.elapsed().as_secs_f64(), cpu_s() - self.1)
    }
}

fn report(what: &str, n: usize, mb: f64, (wall, cpu): (f64, f64)) {
    println!(
        "{what:<28} {:>6.2} M records/s per CPU-second ({:>4.0} MB/s); wall {:.2} s, CPU {:.2} s",
        n as f64 / cpu / 1e6,
        mb / cpu,
        wall,
        cpu
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let mut data = Vec::with_capacity(n * 400);
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for i in 0..n {
        let mut f = [0f64; 6];
        for v in f.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *v = (x % 100_000) as f64 / 1000.0;
        }
        let (h, m, s) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
        writeln!(
            data,
            r#"{{"captureData":{{"endpointInput":{{"observedContentType":"text/csv","mode":"INPUT","data":"{},{},{},{},{}","encoding":"CSV"}},"endpointOutput":{{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"{}","encoding":"CSV"}}}},"eventMetadata":{{"eventId":"{:08x}-0000-4000-8000-{:012x}","inferenceTime":"2024-05-01T{:02}:{:02}:{:02}Z"}},"eventVersion":"0"}}"#,
            f[0], f[1], f[2], f[3], f[4], f[5], i, i, h, m, s
        )
        .unwrap();
    }
    let mb = data.len() as f64 / 1e6;
    println!(
        "{n} records, {mb:.1} MB, {:.0} bytes/record",
        data.len() as f64 / n as f64
    );
    let opts = CaptureOptions {
        max_records: u64::MAX,
        ..Default::default()
    };

    for round in 0..2 {
        let t = Timer::start();
        let mut p = CaptureParser::new("bench", &opts).unwrap();
        let mut sink = CountingSink::default();
        p.read(&mut &data[..], &mut sink).unwrap();
        let tt = t.stop();
        assert_eq!(sink.rows, n as u64);
        assert_eq!(p.faults().total(), 0);
        report(&format!("round {round}: parse only"), n, mb, tt);
        let t = Timer::start();
        let cp = profile_reader(&data[..], "bench", &opts).unwrap();
        let tt = t.stop();
        assert_eq!(cp.records(), n as u64);
        report(&format!("round {round}: parse + profile"), n, mb, tt);
    }
    // JSON Lines capture (Clarify style: {"features":[...]} in, {"score":…,"predicted_label":…} out).
    let mut js = Vec::with_capacity(n / 4 * 400);
    for i in 0..n / 4 {
        writeln!(
            js,
            r#"{{"captureData":{{"endpointInput":{{"observedContentType":"application/jsonlines","mode":"INPUT","data":"{{\"features\":[{},{},{},{},{}]}}","encoding":"JSON"}},"endpointOutput":{{"observedContentType":"application/jsonlines","mode":"OUTPUT","data":"{{\"predicted_label\":{},\"score\":0.{}}}\n","encoding":"JSON"}}}},"eventMetadata":{{"eventId":"{:08x}","inferenceTime":"2024-05-01T00:00:00Z"}},"eventVersion":"0"}}"#,
            i % 97, i % 13, i % 1000, i % 7, i % 31, i % 2, i % 1000, i
        )
        .unwrap();
    }
    let t = Timer::start();
    let mut p = CaptureParser::new("bench.json", &opts).unwrap();
    let mut sink = CountingSink::default();
    p.read(&mut &js[..], &mut sink).unwrap();
    let tt = t.stop();
    assert_eq!(sink.rows, (n / 4) as u64);
    assert_eq!(p.faults().total(), 0);
    report("JSON Lines: parse only", n / 4, js.len() as f64 / 1e6, tt);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&data).unwrap();
    let gz = gz.finish().unwrap();
    let t = Timer::start();
    let mut p = CaptureParser::new("bench.gz", &opts).unwrap();
    let mut sink = CountingSink::default();
    p.read_input(&gz[..], &mut sink).unwrap();
    let tt = t.stop();
    assert_eq!(sink.rows, n as u64);
    report("gzip: parse only", n, mb, tt);
}
