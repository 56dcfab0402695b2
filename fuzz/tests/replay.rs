//! Stable replay of the fuzz targets (no nightly, no libFuzzer): every seed and every saved
//! regression input of each target, then bounded deterministic mutations of the seeds (bit
//! flips, cuts, inserted bytes, splices of two seeds). The coverage-guided runs are
//! `scripts/fuzz.sh`; a crash they find is saved under `regressions/{target}/` and replayed
//! here for ever.

use std::path::{Path, PathBuf};

/// Mutations per seed (`FUZZ_REPLAY_MUTATIONS` overrides).
const MUTATIONS: usize = 300;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.is_file() && p.file_name().is_none_or(|n| n != ".gitkeep"));
    out.sort();
    out
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\n",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\"",
    b"\\",
    b"\\u0000",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"1e400",
    b"-0",
    b"NaN",
    b"null",
    b"9999999999999999999999",
    b"+262142-12-31T23:59:59.000+0000",
    b"%",
    b"%FF",
    b"+",
    b"/",
    b"day",
    b"last-24h",
];

fn mutate(r: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..1 + r.below(4) {
        match r.below(6) {
            0 if !d.is_empty() => {
                let i = r.below(d.len());
                d[i] ^= 1 << r.below(8);
            }
            1 if !d.is_empty() => {
                let i = r.below(d.len());
                d.truncate(i);
            }
            2 => {
                let i = r.below(d.len() + 1);
                let ins = INTERESTING[r.below(INTERESTING.len())];
                d.splice(i..i, ins.iter().copied());
            }
            3 if !d.is_empty() => {
                let i = r.below(d.len());
                let n = r.below(d.len() - i + 1);
                d.drain(i..i + n);
            }
            4 if !other.is_empty() => {
                let cut = r.below(d.len() + 1);
                let from = r.below(other.len());
                d.truncate(cut);
                d.extend_from_slice(&other[from..]);
            }
            _ if !d.is_empty() => {
                let i = r.below(d.len());
                d[i] = r.next() as u8;
            }
            _ => d.push(r.next() as u8),
        }
    }
    d
}

#[test]
fn every_target_survives_its_seeds_regressions_and_mutations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mutations = std::env::var("FUZZ_REPLAY_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MUTATIONS);
    let mut total = 0usize;
    for (name, target) in driftline_fuzz::TARGETS {
        let seeds: Vec<Vec<u8>> = files(&root.join("seeds").join(name))
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        assert!(!seeds.is_empty(), "target {name} has no seeds");
        for p in files(&root.join("regressions").join(name)) {
            target(&std::fs::read(&p).unwrap());
            total += 1;
        }
        let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ name.len() as u64);
        for (i, s) in seeds.iter().enumerate() {
            target(s);
            let other = &seeds[(i + 1) % seeds.len()];
            for _ in 0..mutations {
                target(&mutate(&mut r, s, other));
                total += 1;
            }
        }
    }
    eprintln!("replayed {total} inputs");
}

/// The seeds are real inputs: the checks that must hold on them hold (a target that returned
/// early on everything would test nothing).
#[test]
fn seeds_reach_the_parsers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let churn = std::fs::read(root.join("seeds/capture_reader/churn-csv")).unwrap();
    let cp = driftline_capture::profile_reader(&churn[1..], "seed", &Default::default()).unwrap();
    assert_eq!(cp.stats.valid_lines, 3);
    for p in files(&root.join("seeds/alarm_events")) {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        assert!(
            driftline_aws::alarm::AlarmEvent::parse(&v).is_ok(),
            "{}",
            p.display()
        );
    }
}
