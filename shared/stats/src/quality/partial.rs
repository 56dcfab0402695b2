//! The labelled (model-quality) baseline of a data set profiled in shards.
//!
//! A [`QualityPartial`] is everything `driftline quality baseline` needs from part of a
//! labelled data set, and it merges: the [`QualityState`] (confusion counts, score sketches,
//! error sums, the five subsamples behind the standard deviations) and a [`ScoreBlocks`]
//! summary of the `(score, label)` pairs the isotonic calibration is fitted on. Merging the
//! partials of any sharding gives what one pass gives:
//!
//! * exact: counts and confusion matrices; the calibration while the data set holds at most
//!   [`MAX_BLOCKS`] distinct scores (the pairs' blocks of equal score are all PAV needs);
//! * up to floating-point rounding: regression sums (added in another order);
//! * within the score sketches' bound: AUC and the other rank metrics, as for one pass;
//! * the same subsamples: a row belongs to subsample `r` by a hash of its **content** (every
//!   cell of the row), not of its position, so no shard needs to know where it starts. Rows
//!   that are identical in every column share their subsamples.
//!
//! Above [`MAX_BLOCKS`] distinct scores, scores are coarsened by dropping low mantissa bits
//! (4 bits a level, toward zero), the same way for every shard: the level is the smallest
//! at which the whole data set fits, whatever the sharding, so a merge of partials still
//! equals one pass. A score then moves by a relative `2^-(52 - 4·level)` at most (at 100,000
//! distinct probabilities, level 9: 2.4e-4), far below the 512-knot thinning of the fit.
//!
//! ```
//! use driftline_stats::quality::partial::ScoreBlocks;
//! use driftline_stats::quality::estimate::Calibration;
//!
//! let pairs = [(0.1, false), (0.4, true), (0.35, false), (0.8, true), (0.4, false)];
//! let (mut a, mut b) = (ScoreBlocks::default(), ScoreBlocks::default());
//! for (i, (s, y)) in pairs.iter().enumerate() {
//!     if i % 2 == 0 { a.observe(*s, *y) } else { b.observe(*s, *y) }
//! }
//! a.merge(&b);
//! assert_eq!(a.fit(), Calibration::fit(&pairs));
//! ```

use super::constraints::QualityConstraints;
use super::estimate::Calibration;
use super::metrics::QualityStatistics;
use super::state::{Observation, ProblemType, QualityError, QualityState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most blocks of equal (coarsened) score a [`ScoreBlocks`] keeps.
pub const MAX_BLOCKS: usize = 16_384;

/// Mantissa bits dropped per coarsening level.
const BITS_PER_LEVEL: u32 = 4;

/// Highest level: every mantissa bit dropped (only sign and exponent are left).
const MAX_LEVEL: u32 = 13;

/// A mergeable summary of `(score, label)` pairs for the isotonic calibration: for each
/// distinct score (coarsened past [`MAX_BLOCKS`], see the module documentation), how many
/// pairs and how many positives. Non-finite scores are not kept (as [`Calibration::fit`]
/// drops them). Serialised as `{"level": L, "blocks": [[score, pairs, positives], ...]}`,
/// scores increasing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "BlocksFile", try_from = "BlocksFile")]
pub struct ScoreBlocks {
    /// Coarsening level: mantissa bits dropped = 4 × level.
    level: u32,
    /// Order key of the score → `(score, pairs, positives)`.
    blocks: BTreeMap<u64, (f64, u64, u64)>,
}

/// The serialised form of [`ScoreBlocks`].
#[derive(Serialize, Deserialize)]
struct BlocksFile {
    level: u32,
    blocks: Vec<(f64, u64, u64)>,
}

impl From<ScoreBlocks> for BlocksFile {
    fn from(b: ScoreBlocks) -> Self {
        BlocksFile {
            level: b.level,
            blocks: b.blocks.into_values().collect(),
        }
    }
}

impl TryFrom<BlocksFile> for ScoreBlocks {
    type Error = String;
    fn try_from(f: BlocksFile) -> Result<Self, String> {
        let ok = f.level <= MAX_LEVEL
            && f.blocks.len() <= MAX_BLOCKS
            && f.blocks
                .iter()
                .all(|b| b.0.is_finite() && b.2 <= b.1 && b.1 > 0 && coarsen(b.0, f.level) == b.0)
            && f.blocks.windows(2).all(|w| w[0].0 < w[1].0);
        if !ok {
            return Err(format!(
                "score blocks are not a calibration summary (level {} of at most {MAX_LEVEL}, \
                 at most {MAX_BLOCKS} blocks of increasing finite scores at that level, \
                 positives <= pairs)",
                f.level
            ));
        }
        Ok(ScoreBlocks {
            level: f.level,
            blocks: f.blocks.into_iter().map(|b| (order_key(b.0), b)).collect(),
        })
    }
}

/// The order key of a score: integers that sort as the floats do (−0 is 0).
fn order_key(x: f64) -> u64 {
    let x = if x == 0.0 { 0.0 } else { x };
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// `x` with the low `4 × level` mantissa bits cleared (toward zero; monotone); −0 is 0.
fn coarsen(x: f64, level: u32) -> f64 {
    let bits = (BITS_PER_LEVEL * level).min(52);
    let mask = !((1u64 << bits) - 1);
    let y = f64::from_bits(x.to_bits() & mask);
    if y == 0.0 {
        0.0
    } else {
        y
    }
}

fn add(map: &mut BTreeMap<u64, (f64, u64, u64)>, s: f64, n: u64, p: u64) {
    let e = map.entry(order_key(s)).or_insert((s, 0, 0));
    e.1 += n;
    e.2 += p;
}

impl ScoreBlocks {
    /// Adds one pair (a non-finite score is ignored).
    pub fn observe(&mut self, score: f64, label: bool) {
        if !score.is_finite() {
            return;
        }
        add(
            &mut self.blocks,
            coarsen(score, self.level),
            1,
            u64::from(label),
        );
        self.fit_in_bound();
    }

    /// Pairs summarised.
    pub fn count(&self) -> u64 {
        self.blocks.values().map(|b| b.1).sum()
    }

    /// The coarsening level (0: scores kept exactly).
    pub fn level(&self) -> u32 {
        self.level
    }

    /// Blocks kept.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// True without pairs.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Coarsens to `level` (no-op at or below the current level).
    fn coarsen_to(&mut self, level: u32) {
        if level <= self.level {
            return;
        }
        let mut next = BTreeMap::new();
        for (s, n, p) in std::mem::take(&mut self.blocks).into_values() {
            add(&mut next, coarsen(s, level), n, p);
        }
        self.blocks = next;
        self.level = level;
    }

    /// Coarsens level by level until at most [`MAX_BLOCKS`] blocks are left.
    fn fit_in_bound(&mut self) {
        while self.blocks.len() > MAX_BLOCKS && self.level < MAX_LEVEL {
            self.coarsen_to(self.level + 1);
        }
    }

    /// Merges another summary: both are brought to the higher level first.
    pub fn merge(&mut self, other: &ScoreBlocks) {
        self.coarsen_to(other.level);
        for &(s, n, p) in other.blocks.values() {
            add(&mut self.blocks, coarsen(s, self.level), n, p);
        }
        self.fit_in_bound();
    }

    /// The isotonic calibration of the pairs (`None` without pairs): [`Calibration::fit`] on
    /// the blocks.
    pub fn fit(&self) -> Option<Calibration> {
        Calibration::fit_blocks(
            self.blocks
                .values()
                .map(|&(s, n, p)| (s, p as f64, n as f64)),
        )
    }
}

/// The model-quality part of a shard profile (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityPartial {
    /// The metrics' mergeable state.
    pub state: QualityState,
    /// The calibration's pairs (binary problems with a probability).
    pub scores: ScoreBlocks,
}

impl QualityPartial {
    /// An empty partial.
    pub fn new(problem: ProblemType) -> Self {
        QualityPartial {
            state: QualityState::new(problem),
            scores: ScoreBlocks::default(),
        }
    }

    /// Adds one labelled row; `row_hash` is a hash of the row's content (it picks the row's
    /// subsamples, see the module documentation).
    pub fn observe(&mut self, row_hash: u64, obs: Observation<'_>) -> Result<(), QualityError> {
        self.state.observe_hashed(row_hash, obs)?;
        if let Observation::Binary {
            actual,
            score: Some(s),
            ..
        } = obs
        {
            self.scores.observe(s, actual);
        }
        Ok(())
    }

    /// Merges another partial of the same problem type.
    pub fn merge(&mut self, other: &QualityPartial) -> Result<(), QualityError> {
        self.state.merge(&other.state)?;
        self.scores.merge(&other.scores);
        Ok(())
    }

    /// The baseline's `statistics.json` (Model Monitor's model-quality layout).
    pub fn statistics(&self) -> QualityStatistics {
        self.state.statistics(None)
    }

    /// The baseline's three documents: `statistics.json`, the suggested `constraints.json`
    /// and, when there were scores, `calibration.json`.
    pub fn documents(&self) -> Vec<(&'static str, String)> {
        let stats = self.statistics();
        let constraints = QualityConstraints::suggest(&stats);
        let mut docs = vec![
            ("statistics.json", stats.to_json()),
            ("constraints.json", constraints.to_json()),
        ];
        if let Some(cal) = self.scores.fit() {
            docs.push(("calibration.json", crate::jackson::to_string_pretty(&cal)));
        }
        docs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn pairs(n: usize, distinct: Option<u64>, seed: u64) -> Vec<(f64, bool)> {
        let mut r = Rng(seed | 1);
        (0..n)
            .map(|_| {
                let s = match distinct {
                    Some(d) => (r.next() % d) as f64 / d as f64,
                    None => r.unit(),
                };
                (s, r.unit() < s)
            })
            .collect()
    }

    fn shard_merge(p: &[(f64, bool)], cuts: &[usize]) -> ScoreBlocks {
        let mut acc = ScoreBlocks::default();
        let mut start = 0;
        for &end in cuts.iter().chain(std::iter::once(&p.len())) {
            let mut part = ScoreBlocks::default();
            for &(s, y) in &p[start..end] {
                part.observe(s, y);
            }
            // Through JSON, as a shard profile file carries it.
            let part: ScoreBlocks =
                serde_json::from_str(&serde_json::to_string(&part).unwrap()).unwrap();
            acc.merge(&part);
            start = end;
        }
        acc
    }

    #[test]
    fn few_distinct_scores_fit_exactly_as_the_pairs() {
        for seed in 1..20 {
            let p = pairs(3000, Some(200), seed);
            let b = shard_merge(&p, &[7, 1000, 1001, 2500]);
            assert_eq!(b.level(), 0);
            assert_eq!(b.count(), 3000);
            assert_eq!(b.fit(), Calibration::fit(&p), "seed {seed}");
        }
    }

    #[test]
    fn many_distinct_scores_coarsen_the_same_way_for_every_sharding() {
        let p = pairs(60_000, None, 7);
        let mut one = ScoreBlocks::default();
        for &(s, y) in &p {
            one.observe(s, y);
        }
        assert!(one.level() > 0 && one.len() <= MAX_BLOCKS);
        for cuts in [
            vec![30_000],
            vec![1, 2, 3, 59_999],
            vec![10_000, 20_000, 40_000],
        ] {
            assert_eq!(shard_merge(&p, &cuts), one, "cuts {cuts:?}");
        }
        // The coarsened fit is as good as the exact one: both are step functions thinned to
        // 512 knots (the thinning, not the coarsening, moves single points by a step), so
        // they are compared on average and against the truth (P(y = 1 | s) = s here).
        let exact = Calibration::fit(&p).unwrap();
        let approx = one.fit().unwrap();
        let (mut diff, mut err_exact, mut err_approx) = (0.0, 0.0, 0.0);
        for k in 0..1000 {
            let s = (f64::from(k) + 0.5) / 1000.0;
            let (e, a) = (exact.probability(s), approx.probability(s));
            assert!((e - a).abs() < 0.05, "score {s}: {e} vs {a}");
            diff += (e - a).abs() / 1000.0;
            err_exact += (e - s).abs() / 1000.0;
            err_approx += (a - s).abs() / 1000.0;
        }
        assert!(diff < 0.01, "mean difference {diff}");
        assert!(
            err_approx < err_exact + 0.002,
            "{err_approx} vs {err_exact}"
        );
        assert_eq!(approx.fitted_on, exact.fitted_on);
    }

    #[test]
    fn coarsening_is_monotone_and_drops_non_finite_scores() {
        let xs = [-3.5, -1e-9, -0.0, 0.0, 1e-300, 0.25, 0.2500001, 7.0];
        for level in 0..=MAX_LEVEL {
            for w in xs.windows(2) {
                assert!(coarsen(w[0], level) <= coarsen(w[1], level));
            }
        }
        let mut b = ScoreBlocks::default();
        b.observe(f64::NAN, true);
        b.observe(f64::INFINITY, false);
        b.observe(-0.0, true);
        b.observe(0.0, false);
        assert_eq!(
            b.blocks.values().copied().collect::<Vec<_>>(),
            vec![(0.0, 2, 1)]
        );
        // A file that is not a summary is refused.
        for bad in [
            r#"{"level":0,"blocks":[[0.5,1,2]]}"#,
            r#"{"level":0,"blocks":[[0.5,1,1],[0.4,1,1]]}"#,
            r#"{"level":99,"blocks":[]}"#,
            r#"{"level":1,"blocks":[[0.1,1,1]]}"#,
        ] {
            assert!(serde_json::from_str::<ScoreBlocks>(bad).is_err(), "{bad}");
        }
    }
}
