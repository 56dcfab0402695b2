//! A labelled data set profiled in byte-range shards and merged gives the model-quality
//! baseline of one pass: confusion-count metrics and their standard deviations exact (the
//! subsamples are fixed by each row's content, not its position), regression metrics equal up
//! to rounding, AUC within the score sketches' bound, the calibration identical.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftline_dataset::labelled::{LabelSpec, LabelledSink};
use driftline_dataset::{lines, read_csv, Format};
use driftline_stats::profile::DatasetProfile;
use driftline_stats::quality::partial::QualityPartial;
use driftline_stats::quality::state::ProblemType;
use driftline_stats::shard::{ShardProfile, ShardSource};
use std::io::Cursor;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `id,label,pred,prob,value,estimate,class,predicted_class` rows.
fn dataset(n: usize, seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let mut s = String::from("id,label,pred,prob,value,estimate,class,predicted_class\n");
    for i in 0..n {
        // Probabilities with 4 decimals: fewer distinct scores than the blocks' bound.
        let p = (r.unit() * 10_000.0).round() / 10_000.0;
        let y = u8::from(r.unit() < p);
        let v = r.unit() * 10.0;
        let c = ["a", "b", "c"][(r.next() % 3) as usize];
        let pc = if r.unit() < 0.7 { c } else { "b" };
        s.push_str(&format!(
            "{i},{y},{},{p},{v},{},{c},{pc}\n",
            u8::from(p >= 0.5),
            v + r.unit() - 0.5
        ));
    }
    s
}

fn tiling(size: u64, n: usize, seed: u64) -> Vec<[u64; 2]> {
    let mut r = Rng(seed | 1);
    let mut cuts: Vec<u64> = (1..n).map(|_| r.next() % size).collect();
    cuts.push(0);
    cuts.push(size);
    cuts.sort_unstable();
    cuts.windows(2).map(|w| [w[0], w[1]]).collect()
}

fn one_pass(text: &str, spec: &LabelSpec) -> (u64, QualityPartial) {
    let mut sink = LabelledSink::new(spec).unwrap();
    read_csv(text.as_bytes(), true, None, "all.csv", &mut sink).unwrap();
    sink.finish()
}

fn sharded(text: &str, spec: &LabelSpec, ranges: &[[u64; 2]]) -> ShardProfile {
    let names: Vec<String> = text
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    let mut parts = Vec::new();
    for &[a, b] in ranges {
        let mut sink = LabelledSink::new(spec).unwrap();
        let from = usize::try_from(a.saturating_sub(1)).unwrap();
        let reader = Cursor::new(text.as_bytes()[from..].to_vec());
        lines::read_range(
            reader,
            Format::Csv,
            true,
            Some(names.clone()),
            [a, b],
            "part",
            &mut sink,
        )
        .unwrap();
        let (records, partial) = sink.finish();
        let mut profile = DatasetProfile::new();
        profile.add_records(records);
        let mut source = ShardSource::file("all.csv");
        source.byte_range = Some([a, b]);
        let shard = ShardProfile::labelled(profile, partial, source);
        // Through the file format, as shard profiles travel.
        parts.push(ShardProfile::from_json(&shard.to_json().unwrap()).unwrap());
    }
    ShardProfile::merge_all(parts).unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

/// Every metric is compared exactly (to rounding) except those in `rank`, which come from the
/// score sketches.
fn check(spec: &LabelSpec, rows: usize, seed: u64, rank: &[&str]) {
    let text = dataset(rows, seed);
    let (n, whole) = one_pass(&text, spec);
    assert_eq!(n, rows as u64);
    let want = whole.statistics();
    for shards in [2, 5, 17] {
        let merged = sharded(
            &text,
            spec,
            &tiling(text.len() as u64, shards, seed + shards as u64),
        );
        assert_eq!(merged.profile.item_count(), rows as u64);
        let q = merged.quality.as_ref().unwrap();
        let got = q.statistics();
        assert_eq!(got.item_count, want.item_count);
        assert_eq!(got.confusion_matrix, want.confusion_matrix);
        for (name, m) in &want.metrics {
            let g = got.get(name).unwrap();
            let (tol_v, tol_sd) = if rank.contains(&name.as_str()) {
                // AUC from KLL score sketches (k = 2048; subsamples k = 512).
                (0.01, 0.01)
            } else {
                (1e-12, 1e-9)
            };
            assert!(
                close(g.value.0, m.value.0, tol_v),
                "{shards} shards, {name}: {} vs {}",
                g.value.0,
                m.value.0
            );
            assert!(
                close(g.standard_deviation.0, m.standard_deviation.0, tol_sd),
                "{shards} shards, {name} std: {} vs {}",
                g.standard_deviation.0,
                m.standard_deviation.0
            );
        }
        assert_eq!(
            q.scores.fit(),
            whole.scores.fit(),
            "{shards} shards: calibration"
        );
    }
}

#[test]
fn binary_shards_merge_into_the_one_pass_baseline() {
    let spec = LabelSpec::new(ProblemType::BinaryClassification, "label")
        .with_inference("pred")
        .with_probability("prob");
    check(&spec, 6000, 11, &["auc"]);
}

#[test]
fn regression_shards_merge_into_the_one_pass_baseline() {
    let spec = LabelSpec::new(ProblemType::Regression, "value").with_inference("estimate");
    check(&spec, 4000, 12, &[]);
}

#[test]
fn multiclass_shards_merge_into_the_one_pass_baseline() {
    let spec = LabelSpec::new(ProblemType::MulticlassClassification, "class")
        .with_inference("predicted_class");
    check(&spec, 3000, 13, &[]);
}

#[test]
fn labelled_and_unlabelled_profiles_do_not_merge() {
    let text = dataset(50, 3);
    let spec = LabelSpec::new(ProblemType::Regression, "value").with_inference("estimate");
    let labelled = sharded(&text, &spec, &[[0, text.len() as u64]]);
    let plain = ShardProfile::new(DatasetProfile::new(), ShardSource::file("other.csv"));
    let err = ShardProfile::merge_all([labelled, plain]).unwrap_err();
    assert!(err.to_string().contains("labelled"), "{err}");
}
