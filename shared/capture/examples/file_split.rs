//! Splits one capture file's single-core time between parsing and profiling:
//! `cargo run --release -p driftline-capture --example file_split FILE [REPEAT]`.
//! The file is read into memory first; CPU time of this thread is measured.

use driftline_capture::{profile_reader, CaptureOptions, CaptureParser, CountingSink};
use std::time::Instant;

fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|ns| ns / 1e9)
        .unwrap_or(0.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: file_split FILE [REPEAT]");
    let repeat: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let only = args.next().unwrap_or_default();
    let data = std::fs::read(&path).expect("read");
    let opts = CaptureOptions::default();
    for _ in 0..repeat {
        let (w, c) = (Instant::now(), cpu_s());
        let mut sink = CountingSink::default();
        if only != "profile" {
            let mut p = CaptureParser::new("f", &opts).unwrap();
            p.feed(&data, &mut sink);
            p.finish(&mut sink);
        }
        if only == "parse" {
            println!("rows {}", sink.rows);
            continue;
        }
        let parse = cpu_s() - c;
        let (_, c2) = (Instant::now(), cpu_s());
        let prof = profile_reader(&data[..], "f", &opts).unwrap();
        let full = cpu_s() - c2;
        println!(
            "rows {} parse {:.3}s ({:.2} M/s)  parse+profile {:.3}s ({:.2} M/s)  wall {:.2}",
            prof.records(),
            parse,
            sink.rows as f64 / parse / 1e6,
            full,
            sink.rows as f64 / full / 1e6,
            w.elapsed().as_secs_f64()
        );
    }
}
