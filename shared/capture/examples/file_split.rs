//! Splits one capture file's single-core time between parsing and profiling:
//! `cargo run --release -p driftline-capture --example file_split FILE [REPEAT] [parse|profile|both]`.
//! The file is read into memory first; CPU time of this thread is measured.

use driftline_capture::{profile_reader, CaptureOptions, CaptureParser, CountingSink};

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_s;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: file_split FILE [REPEAT] [parse|profile|both]";
    let Some(path) = args.next() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let repeat: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let mode = args.next().unwrap_or_else(|| "both".into());
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let opts = CaptureOptions::default();
    for _ in 0..repeat {
        if mode != "profile" {
            let c = cpu_s();
            let mut p = CaptureParser::new("f", &opts).expect("default options are valid");
            let mut sink = CountingSink::default();
            p.feed(&data, &mut sink);
            p.finish(&mut sink);
            let t = cpu_s() - c;
            println!(
                "parse          {} rows  {t:.3} CPU s  {:.2} M rows/s",
                sink.rows,
                sink.rows as f64 / t / 1e6
            );
        }
        if mode != "parse" {
            let c = cpu_s();
            let prof = profile_reader(&data[..], "f", &opts).expect("default options are valid");
            let t = cpu_s() - c;
            println!(
                "parse+profile  {} rows  {t:.3} CPU s  {:.2} M rows/s",
                prof.records(),
                prof.records() as f64 / t / 1e6
            );
        }
    }
}
