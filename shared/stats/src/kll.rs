//! The KLL quantile sketch exactly as Deequ's deterministic `QuantileNonSample`
//! (`com.amazon.deequ.analyzers.QuantileNonSample` + `NonSampleCompactor`, with the random
//! offset disabled as in the code Model Monitor runs), so that the `sketch.data` and the
//! buckets we write are the ones SageMaker Model Monitor writes, bit for bit.
//!
//! Algorithm (Deequ's `QuantileNonSample`, checked against its Scala source and against the real
//! churn baseline, which it reproduces bit for bit):
//!
//! * level `h` has capacity `2 * (ceil(k * c^h / 2) + 1)` (k = 2048, c = 0.64: 2050, 1312, …);
//!   the total capacity is the sum over the existing levels, recomputed when a level is added;
//! * `update(x)` appends `x` to level 0; when the number of items exceeds the total capacity,
//!   *condense*: the first level `h` (from 0) holding at least `capacity(h)` items is compacted
//!   (adding level `h + 1` if missing), its output is appended to level `h + 1`, and we stop;
//! * *compact* a level of `n` items: `len = n - n % 2`; if the level's compaction counter is odd
//!   its offset flips (it starts at 0); the first `len` items are sorted and the items at indices
//!   `offset, offset + 2, …` move up; the level keeps only its last item when `n` was odd; the
//!   counter is incremented;
//! * an item at level `h` weighs `2^h`.
//!
//! **Merge** follows Deequ's `QuantileNonSample.merge`: add levels to `self` until it has as many
//! as `other`, append `other`'s level `h` items to `self`'s level `h` (after `self`'s items),
//! then condense while the item count is `>=` the total capacity (note: `>=` in merge, `>` in
//! update, as in Deequ). The compaction counters and offsets of `self` are kept, `other`'s are
//! dropped (Deequ does the same). Merging is therefore deterministic but order dependent, like
//! Deequ's. One deliberate difference: merging with an empty sketch (on either side) is the
//! identity, so an empty accumulator plus one partial profile gives that profile back exactly.
//!
//! NaN is never added (`update` ignores it): Deequ never sees NaN because Model Monitor's type
//! inference classifies the text `NaN` as a String.

use crate::double::Double;
use crate::formats::statistics::KllBucket;
use crate::sample::WeightedSample;
use serde::{Deserialize, Serialize};

/// Deequ's / Model Monitor's default sketch size `k`.
pub const DEFAULT_K: usize = 2048;
/// Deequ's / Model Monitor's default shrinking factor `c`.
pub const DEFAULT_C: f64 = 0.64;
/// Number of buckets Model Monitor materialises.
pub const NUM_BUCKETS: usize = 10;

/// Deequ's deterministic KLL sketch (`QuantileNonSample[Double]`).
///
/// Serialisable with serde so that partial profiles can be stored and merged later; the
/// serialised form keeps the per-level compaction counters so that a reloaded sketch continues
/// exactly as the original would.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "KllStored")]
pub struct KllSketch {
    k: usize,
    c: f64,
    /// Items per level as [`order_key`]s (sorting them as integers is sorting the doubles in
    /// Java's `Double.compare` order), level 0 first, each level in arrival order.
    #[serde(serialize_with = "ser_levels")]
    data: Vec<Vec<u64>>,
    /// Deequ's `numOfCompress` per level.
    compactions: Vec<u64>,
    /// Deequ's `offset` per level (0 or 1).
    offsets: Vec<u8>,
    /// Capacity per existing level.
    #[serde(skip)]
    caps: Vec<usize>,
    /// Total number of items held (Deequ's `compactorActualSize`).
    #[serde(skip)]
    held: usize,
    /// Total capacity of the existing levels (Deequ's `compactorTotalSize`).
    #[serde(skip)]
    total_cap: usize,
    /// Number of values represented (sum of weights).
    count: u64,
    /// Accumulated rank-error weight: the sum over all compactions (including those of merged-in
    /// sketches) of `2^h` for a compaction at level `h`; `None` when unknown (rebuilt from
    /// levels without history).
    error_weight: Option<u64>,
    #[serde(skip)]
    scratch: Scratch,
}

/// Serialised fields of [`KllSketch`] (derived fields are recomputed on load).
#[derive(Deserialize)]
struct KllStored {
    k: usize,
    c: f64,
    data: Vec<Vec<Double>>,
    #[serde(default)]
    compactions: Vec<u64>,
    #[serde(default)]
    offsets: Vec<u8>,
    count: u64,
    #[serde(default)]
    error_weight: Option<u64>,
}

/// Items as [`Double`]s, so that infinities survive JSON (`"Infinity"`).
fn ser_levels<S: serde::Serializer>(data: &[Vec<u64>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut outer = s.serialize_seq(Some(data.len()))?;
    for level in data {
        let l: Vec<Double> = level.iter().map(|&k| Double(from_order_key(k))).collect();
        outer.serialize_element(&l)?;
    }
    outer.end()
}

impl From<KllStored> for KllSketch {
    fn from(s: KllStored) -> Self {
        let (k, c) = sane_params(s.k, s.c);
        let mut k = KllSketch {
            k,
            c,
            data: s
                .data
                .into_iter()
                .map(|l| keys_of(l.into_iter().map(|d| d.0)))
                .collect(),
            compactions: s.compactions,
            offsets: s.offsets.into_iter().map(|o| o.min(1)).collect(),
            caps: Vec::new(),
            held: 0,
            total_cap: 0,
            count: s.count,
            error_weight: s.error_weight,
            scratch: Scratch::default(),
        };
        k.rehydrate();
        k
    }
}

impl Default for KllSketch {
    fn default() -> Self {
        Self::new()
    }
}

/// Largest accepted sketch size (keeps capacities far from overflow).
pub const MAX_K: usize = 1 << 24;

fn sane_params(k: usize, c: f64) -> (usize, f64) {
    let c = if c > 0.0 && c <= 1.0 { c } else { DEFAULT_C };
    (k.clamp(1, MAX_K), c)
}

/// Sum of weights, saturating (a corrupt sketch with 64+ levels must not overflow).
fn sat_sum(it: impl Iterator<Item = u64>) -> u64 {
    it.fold(0u64, u64::saturating_add)
}

/// The non-NaN values as [`order_key`]s.
fn keys_of(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    values
        .into_iter()
        .filter(|v| !v.is_nan())
        .map(order_key)
        .collect()
}

/// An integer whose order is `f64::total_cmp`'s order.
#[inline]
fn order_key(v: f64) -> u64 {
    let b = v.to_bits();
    b ^ ((((b as i64) >> 63) as u64) | 0x8000_0000_0000_0000)
}

/// Sort `u64` keys; the sorted keys are returned, in `keys` or in `scratch` (a distribution
/// sort ends in whichever buffer its last pass wrote). When the keys differ in at most three
/// bytes (common: integral values have all-zero low mantissa bytes, close values share their
/// high bytes), an LSD radix sort over just those bytes (one cheap OR/AND pass finds them);
/// otherwise a comparison sort: the stable one when the input is made of a few ascending runs,
/// which it merges in linear time, the unstable one for arbitrary input. Equal keys are
/// indistinguishable, so the result is the same in every case.
fn radix_sort<'a>(keys: &'a mut [u64], scratch: &'a mut Vec<u64>) -> &'a [u64] {
    let n = keys.len();
    if n < 256 {
        keys.sort_unstable();
        return keys;
    }
    let (mut or, mut and) = (0u64, u64::MAX);
    let mut descents = 0usize;
    let mut prev = 0u64;
    for &k in keys.iter() {
        or |= k;
        and &= k;
        descents += usize::from(k < prev);
        prev = k;
    }
    let varying = or ^ and;
    if descents < 8 {
        // A few sorted runs: merging them beats any distribution pass.
        keys.sort();
        return keys;
    }
    let active: Vec<usize> = (0..8)
        .filter(|b| (varying >> (8 * b)) & 0xff != 0)
        .collect();
    if active.len() > 3 {
        // Widely spread values: a comparison sort is faster than many scatter passes.
        keys.sort_unstable();
        return keys;
    }
    let (mut src, mut dst): (&'a mut [u64], &'a mut [u64]) = (keys, scratch_of(scratch, n));
    for &b in &active {
        let mut c = [0usize; 256];
        for &k in src.iter() {
            c[((k >> (8 * b)) & 0xff) as usize] += 1;
        }
        let mut sum = 0;
        for x in c.iter_mut() {
            let t = *x;
            *x = sum;
            sum += t;
        }
        for &k in src.iter() {
            let d = ((k >> (8 * b)) & 0xff) as usize;
            dst[c[d]] = k;
            c[d] += 1;
        }
        std::mem::swap(&mut src, &mut dst);
    }
    src
}

/// Sort keys made of a few ascending runs (a level above 0: the outputs of compactions below
/// it, each sorted, after the odd item a compaction left behind) by merging the runs
/// pairwise, in linear time per round; the sorted keys are returned, in `keys` or in
/// `scratch`. More than [`MAX_RUNS`] runs (levels of a merged or rebuilt sketch can be in any
/// order) take [`radix_sort`].
fn merge_runs<'a>(keys: &'a mut [u64], scratch: &'a mut Vec<u64>) -> &'a [u64] {
    let n = keys.len();
    let mut bounds = [0usize; MAX_RUNS + 1];
    let mut nb = 1;
    for i in 1..n {
        if keys[i] < keys[i - 1] {
            if nb == MAX_RUNS {
                return radix_sort(keys, scratch);
            }
            bounds[nb] = i;
            nb += 1;
        }
    }
    bounds[nb] = n;
    nb += 1;
    if nb <= 2 {
        return keys;
    }
    let (mut src, mut dst): (&'a mut [u64], &'a mut [u64]) = (keys, scratch_of(scratch, n));
    // `bounds[..nb]`: the start of every run, then `n`.
    while nb > 2 {
        let mut kept = 0;
        let mut r = 0;
        while r + 2 < nb {
            let (a, m, b) = (bounds[r], bounds[r + 1], bounds[r + 2]);
            merge_into(&src[a..m], &src[m..b], &mut dst[a..b]);
            bounds[kept] = a;
            kept += 1;
            r += 2;
        }
        if r + 2 == nb {
            // An odd number of runs: the last one is copied as it is.
            let a = bounds[r];
            dst[a..].copy_from_slice(&src[a..]);
            bounds[kept] = a;
            kept += 1;
        }
        bounds[kept] = n;
        nb = kept + 1;
        std::mem::swap(&mut src, &mut dst);
    }
    src
}

/// The first `n` words of `scratch`, grown (never cleared: every word is written before it is
/// read) when shorter.
fn scratch_of(scratch: &mut Vec<u64>, n: usize) -> &mut [u64] {
    if scratch.len() < n {
        scratch.resize(n, 0);
    }
    &mut scratch[..n]
}

/// Most ascending runs [`merge_runs`] merges itself.
const MAX_RUNS: usize = 16;

/// Merge two ascending slices into `out` (`a.len() + b.len()` long), without a branch per item.
fn merge_into(a: &[u64], b: &[u64], out: &mut [u64]) {
    debug_assert_eq!(out.len(), a.len() + b.len());
    let (mut i, mut j, mut k) = (0, 0, 0);
    while i < a.len() && j < b.len() && k < out.len() {
        let (x, y) = (a[i], b[j]);
        let take_b = y < x;
        out[k] = if take_b { y } else { x };
        j += usize::from(take_b);
        i += usize::from(!take_b);
        k += 1;
    }
    let rest = if i < a.len() { &a[i..] } else { &b[j..] };
    out[k..].copy_from_slice(rest);
}

/// Working memory of the compactions: not part of the sketch's value (always equal, cloned
/// empty, not serialised).
#[derive(Default)]
struct Scratch(Vec<u64>);

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch(Vec::new())
    }
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

/// Inverse of [`order_key`].
#[inline]
fn from_order_key(k: u64) -> f64 {
    let b = if k & 0x8000_0000_0000_0000 != 0 {
        k ^ 0x8000_0000_0000_0000
    } else {
        !k
    };
    f64::from_bits(b)
}

/// Deequ's `capacity(height)`: `2 * (ceil(k * c^h / 2) + 1)`, computed in doubles as Java does.
fn capacity(k: usize, c: f64, height: usize) -> usize {
    let raw = (k as f64) * c.powi(height as i32) / 2.0;
    2 * (raw.ceil() as usize + 1)
}

impl KllSketch {
    /// A sketch with Model Monitor's parameters (k = 2048, c = 0.64).
    pub fn new() -> Self {
        Self::with_params(DEFAULT_K, DEFAULT_C)
    }

    /// A sketch with sketch size `k` and shrinking factor `c`. Out-of-range parameters are
    /// clamped: `k` to `1..=MAX_K`, a `c` outside (0, 1] becomes [`DEFAULT_C`].
    pub fn with_params(k: usize, c: f64) -> Self {
        let (k, c) = sane_params(k, c);
        let mut s = KllSketch {
            k,
            c,
            data: Vec::new(),
            compactions: Vec::new(),
            offsets: Vec::new(),
            caps: Vec::new(),
            held: 0,
            total_cap: 0,
            count: 0,
            error_weight: Some(0),
            scratch: Scratch::default(),
        };
        s.expand();
        s
    }

    /// Sketch size `k`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Shrinking factor `c`.
    pub fn c(&self) -> f64 {
        self.c
    }

    /// Recompute the derived fields (capacities, item count). Deserialisation calls it.
    fn rehydrate(&mut self) {
        if self.data.is_empty() {
            self.data.push(Vec::new());
        }
        let n = self.data.len();
        self.compactions.resize(n, 0);
        self.offsets.resize(n, 0);
        self.caps = (0..n).map(|h| capacity(self.k, self.c, h)).collect();
        self.total_cap = self.caps.iter().sum();
        self.held = self.data.iter().map(Vec::len).sum();
    }

    fn expand(&mut self) {
        self.data.push(Vec::new());
        self.compactions.push(0);
        self.offsets.push(0);
        let h = self.data.len() - 1;
        self.caps.push(capacity(self.k, self.c, h));
        self.total_cap = self.caps.iter().sum();
    }

    #[inline]
    fn ensure_derived(&mut self) {
        if self.caps.len() != self.data.len() || self.data.is_empty() {
            self.rehydrate();
        }
    }

    /// Add one value (NaN is ignored).
    #[inline]
    pub fn update(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        // Every constructor derives the capacities (`expand`, `rehydrate`).
        debug_assert!(self.caps.len() == self.data.len() && !self.data.is_empty());
        self.data[0].push(order_key(x));
        self.held += 1;
        self.count += 1;
        if self.held > self.total_cap {
            self.condense();
        }
    }

    /// Deequ's `condense`: compact the first full level, then stop.
    fn condense(&mut self) {
        for h in 0..self.data.len() {
            if self.data[h].len() >= self.caps[h] {
                if h + 1 >= self.data.len() {
                    self.expand();
                }
                self.compact(h);
                if let Some(w) = self.error_weight.as_mut() {
                    *w = w.saturating_add(1u64 << h.min(63));
                }
                self.held = self.data.iter().map(Vec::len).sum();
                return;
            }
        }
    }

    /// Deequ's `NonSampleCompactor.compact` on level `h`; the output is appended to level
    /// `h + 1`, which must exist.
    fn compact(&mut self, h: usize) {
        let (lower, upper) = self.data.split_at_mut(h + 1);
        let (level, next) = (&mut lower[h], &mut upper[0]);
        let n = level.len();
        let len = n - n % 2;
        if self.compactions[h] % 2 == 1 {
            self.offsets[h] = 1 - self.offsets[h];
        }
        // Scala's Ordering[Double] sorts by java.lang.Double.compare: a total order, which is
        // the order of the integer keys (the same bit trick as `f64::total_cmp`). Sorting
        // plain integers is about twice as fast as sorting with a comparator.
        let keys = &mut level[..len];
        let sorted = if h == 0 {
            radix_sort(keys, &mut self.scratch.0)
        } else {
            merge_runs(keys, &mut self.scratch.0)
        };
        let off = usize::from(self.offsets[h] == 1);
        next.extend(sorted.chunks_exact(2).map(|pair| pair[off]));
        // The odd item (if any) stays, alone.
        level.drain(..len);
        self.compactions[h] += 1;
    }

    /// Merge `other` into `self` with Deequ's `QuantileNonSample.merge` semantics (see the module
    /// documentation). Both sketches should have the same `k` and `c`; `self`'s are kept.
    pub fn merge(&mut self, other: &KllSketch) {
        // Merging with an empty sketch is the identity (Deequ would still condense when the
        // non-empty side is exactly at capacity; we keep the sketch as it is so that merging
        // one partial profile into an empty accumulator reproduces it).
        if other.count == 0 && other.data.iter().all(Vec::is_empty) {
            return;
        }
        if self.count == 0 && self.data.iter().all(Vec::is_empty) {
            let mut copy = other.clone();
            copy.ensure_derived();
            *self = copy;
            return;
        }
        self.ensure_derived();
        while self.data.len() < other.data.len() {
            self.expand();
        }
        for (h, lvl) in other.data.iter().enumerate() {
            self.data[h].extend_from_slice(lvl);
        }
        self.count = self.count.saturating_add(other.count);
        self.error_weight = match (self.error_weight, other.error_weight) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            _ => None,
        };
        self.held = self.data.iter().map(Vec::len).sum();
        while self.held >= self.total_cap {
            let before = (self.held, self.data.len());
            self.condense();
            if (self.held, self.data.len()) == before {
                // Cannot happen (some level is full when held >= total capacity), but never
                // loop forever.
                break;
            }
        }
    }

    /// Number of values added (sum of the item weights).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// True when no value was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The items of each level, level 0 first, each level in arrival order: `sketch.data`.
    pub fn levels(&self) -> Vec<Vec<f64>> {
        self.data
            .iter()
            .map(|l| l.iter().map(|&k| from_order_key(k)).collect())
            .collect()
    }

    /// Number of items held at each level, level 0 first.
    pub fn level_sizes(&self) -> Vec<usize> {
        self.data.iter().map(Vec::len).collect()
    }

    /// Number of compactions done so far at each level (Deequ's `numOfCompress`).
    pub fn compactions(&self) -> &[u64] {
        &self.compactions
    }

    /// Rebuild a sketch from `sketch.data` of a `statistics.json` (k = 2048, c = 0.64). The
    /// compaction counters are not part of the file, so they restart at 0: a rebuilt sketch
    /// answers rank queries exactly as the original, but further updates may compact
    /// differently. NaN items are dropped. The rank-error bound falls back to the structural
    /// bound (see [`KllSketch::normalized_rank_error`]).
    pub fn from_levels(levels: Vec<Vec<f64>>) -> Self {
        Self::from_levels_with_params(levels, DEFAULT_K, DEFAULT_C)
    }

    /// [`KllSketch::from_levels`] with explicit parameters.
    pub fn from_levels_with_params(levels: Vec<Vec<f64>>, k: usize, c: f64) -> Self {
        let (k, c) = sane_params(k, c);
        let data: Vec<Vec<u64>> = levels.into_iter().map(keys_of).collect();
        let count = data
            .iter()
            .enumerate()
            .map(|(h, l)| (l.len() as u64).saturating_mul(1u64 << h.min(63)))
            .fold(0u64, u64::saturating_add);
        let nlev = data.len();
        let mut s = KllSketch {
            k,
            c,
            data,
            compactions: Vec::new(),
            offsets: Vec::new(),
            caps: Vec::new(),
            held: 0,
            total_cap: 0,
            count,
            error_weight: if nlev <= 1 { Some(0) } else { None },
            scratch: Scratch::default(),
        };
        s.rehydrate();
        s
    }

    fn weighted_items(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.data.iter().enumerate().flat_map(|(h, l)| {
            let w = 1u64 << h.min(63);
            l.iter().map(move |&k| (from_order_key(k), w))
        })
    }

    /// Deequ's `getRankExclusive`: total weight of the items `< x`.
    pub fn rank_exclusive(&self, x: f64) -> u64 {
        sat_sum(
            self.weighted_items()
                .filter(|&(v, _)| v < x)
                .map(|(_, w)| w),
        )
    }

    /// Deequ's `getRank`: total weight of the items `<= x`.
    pub fn rank_inclusive(&self, x: f64) -> u64 {
        sat_sum(
            self.weighted_items()
                .filter(|&(v, _)| v <= x)
                .map(|(_, w)| w),
        )
    }

    /// The `q`-quantile (q in [0, 1], clamped): the smallest item whose inclusive weighted rank
    /// reaches `q * count`. `None` for an empty sketch or a NaN `q`.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 || q.is_nan() {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        let mut items: Vec<(f64, u64)> = self.weighted_items().collect();
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        let target = q * self.count as f64;
        let mut cum = 0u64;
        for &(v, w) in &items {
            cum = cum.saturating_add(w);
            if cum as f64 >= target {
                return Some(v);
            }
        }
        items.last().map(|&(v, _)| v)
    }

    /// The sketch as a weighted sample (an item at level h weighs 2^h).
    pub fn to_weighted_sample(&self) -> WeightedSample {
        WeightedSample::from_pairs(self.weighted_items().map(|(v, w)| (v, w as f64)))
    }

    /// Model Monitor's 10 buckets between `min` and `max` (Deequ's `KLLSketch.computeMetricFrom`):
    /// `lo_i = min + (max - min) * i / 10.0`, `hi_i = min + (max - min) * (i + 1) / 10.0`;
    /// `count_i = rank_exclusive(hi_i) - rank_exclusive(lo_i)` for `i < 9` and
    /// `rank_inclusive(hi_9) - rank_exclusive(lo_9)` for the last bucket.
    pub fn buckets(&self, min: f64, max: f64) -> Vec<KllBucket> {
        self.buckets_n(min, max, NUM_BUCKETS)
    }

    /// [`KllSketch::buckets`] with `n` buckets.
    pub fn buckets_n(&self, min: f64, max: f64, n: usize) -> Vec<KllBucket> {
        let nb = n as f64;
        (0..n)
            .map(|i| {
                let lo = min + (max - min) * (i as f64) / nb;
                let hi = min + (max - min) * ((i + 1) as f64) / nb;
                let upper = if i + 1 == n {
                    self.rank_inclusive(hi)
                } else {
                    self.rank_exclusive(hi)
                };
                let count = upper as i128 - self.rank_exclusive(lo) as i128;
                KllBucket {
                    lower_bound: lo.into(),
                    upper_bound: hi.into(),
                    count: (count as f64).into(),
                }
            })
            .collect()
    }

    /// A guaranteed bound on `|estimated rank - true rank| / count` for [`KllSketch::rank_exclusive`]
    /// and [`KllSketch::rank_inclusive`] at any `x` (0 while nothing was compacted).
    ///
    /// Why: both ranks count the items satisfying a predicate (`v < x`, `v <= x`) that holds on a
    /// prefix of any sorted order. Compacting level `h` sorts its first `len` items and keeps
    /// every other one with double weight; a prefix of `j` of those items becomes `ceil` or
    /// `floor` of `j / 2` kept items, i.e. within one item's weight of `j` items at level `h`: the
    /// rank of any `x` moves by at most `2^h`. The odd tail item is not touched. Errors of
    /// successive compactions add up, and a merge only concatenates levels (no error) before
    /// compacting. So `|error| <= Σ_compactions 2^level`, which the sketch tracks exactly
    /// (merged sketches add their totals). The bound is deterministic (the sketch has no
    /// randomness).
    ///
    /// It never exceeds the structural bound `Σ_{h < H-1} 1 / capacity(h)` (`H` levels), which is
    /// used alone for a sketch rebuilt with [`KllSketch::from_levels`] (history unknown): every
    /// compaction at level `h` outputs at least `capacity(h) / 2` items of weight `2^(h+1)`,
    /// disjoint from the output of any other compaction at `h` and all still counted in `count`
    /// (compaction of an even number of items keeps the total weight), so
    /// `compactions_h * 2^h <= count / capacity(h)`. With k = 2048 and two levels this is
    /// `1/2050 ≈ 4.9e-4`.
    pub fn normalized_rank_error(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let structural = self.structural_error();
        match self.error_weight {
            Some(w) => (w as f64 / self.count as f64).min(structural),
            None => structural,
        }
    }

    fn structural_error(&self) -> f64 {
        (0..self.data.len().saturating_sub(1))
            .map(|h| 1.0 / capacity(self.k, self.c, h) as f64)
            .sum()
    }

    /// Absolute rank error bound: `normalized_rank_error() * count()`, computed without the
    /// division when the compaction history is known (the tracked weight itself, an integer).
    pub fn rank_error_bound(&self) -> f64 {
        let structural = self.structural_error() * self.count as f64;
        match self.error_weight {
            Some(w) => (w as f64).min(structural),
            None => structural,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for test data (xorshift64).
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    #[test]
    fn order_key_is_total_order() {
        let vs = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -0.0,
            0.0,
            1e-300,
            1.0,
            f64::INFINITY,
        ];
        for w in vs.windows(2) {
            assert!(order_key(w[0]) < order_key(w[1]), "{} {}", w[0], w[1]);
        }
        for v in vs {
            assert_eq!(from_order_key(order_key(v)).to_bits(), v.to_bits());
        }
    }

    #[test]
    fn radix_sort_sorts() {
        let mut rnd = xorshift(7);
        let mut v: Vec<u64> = (0..5000)
            .map(|i| {
                let x = rnd();
                if i % 3 == 0 {
                    order_key((x % 100) as f64)
                } else {
                    x
                }
            })
            .collect();
        let mut w = v.clone();
        w.sort_unstable();
        assert_eq!(radix_sort(&mut v, &mut Vec::new()), &w[..]);
    }

    #[test]
    fn radix_sort_sorts_every_path() {
        let mut rnd = xorshift(11);
        // Narrow keys (radix path), wide keys (comparison path), three sorted runs (merge path).
        let narrow: Vec<u64> = (0..3000)
            .map(|_| order_key((rnd() % 5000) as f64))
            .collect();
        let wide: Vec<u64> = (0..3000).map(|_| rnd()).collect();
        let mut runs: Vec<u64> = Vec::new();
        for _ in 0..3 {
            let mut r: Vec<u64> = (0..1000).map(|_| rnd()).collect();
            r.sort_unstable();
            runs.extend(r);
        }
        let mut many = runs.clone();
        many.push(3);
        for mut v in [narrow, wide, runs, many] {
            let mut w = v.clone();
            w.sort_unstable();
            assert_eq!(radix_sort(&mut v, &mut Vec::new()), &w[..]);
        }
    }

    /// Deequ's `QuantileNonSample` written out plainly (f64 levels, a comparator sort, the
    /// `offset until len by 2` pick): the definition the optimised sketch must reproduce item
    /// for item.
    struct Reference {
        data: Vec<Vec<f64>>,
        compactions: Vec<u64>,
        offsets: Vec<u8>,
    }

    impl Reference {
        fn new() -> Self {
            Reference {
                data: vec![Vec::new()],
                compactions: vec![0],
                offsets: vec![0],
            }
        }
        fn caps(&self) -> usize {
            (0..self.data.len())
                .map(|h| capacity(DEFAULT_K, DEFAULT_C, h))
                .sum()
        }
        fn held(&self) -> usize {
            self.data.iter().map(Vec::len).sum()
        }
        fn update(&mut self, x: f64) {
            self.data[0].push(x);
            if self.held() > self.caps() {
                self.condense();
            }
        }
        fn condense(&mut self) {
            for h in 0..self.data.len() {
                if self.data[h].len() >= capacity(DEFAULT_K, DEFAULT_C, h) {
                    if h + 1 >= self.data.len() {
                        self.data.push(Vec::new());
                        self.compactions.push(0);
                        self.offsets.push(0);
                    }
                    let level = &mut self.data[h];
                    let len = level.len() - level.len() % 2;
                    if self.compactions[h] % 2 == 1 {
                        self.offsets[h] = 1 - self.offsets[h];
                    }
                    let mut sorted = level[..len].to_vec();
                    sorted.sort_by(f64::total_cmp);
                    level.drain(..len);
                    self.compactions[h] += 1;
                    let out: Vec<f64> = (self.offsets[h] as usize..len)
                        .step_by(2)
                        .map(|i| sorted[i])
                        .collect();
                    self.data[h + 1].extend(out);
                    return;
                }
            }
        }
        fn merge(&mut self, other: &Reference) {
            while self.data.len() < other.data.len() {
                self.data.push(Vec::new());
                self.compactions.push(0);
                self.offsets.push(0);
            }
            for (h, l) in other.data.iter().enumerate() {
                self.data[h].extend(l);
            }
            while self.held() >= self.caps() {
                self.condense();
            }
        }
    }

    fn bits(levels: &[Vec<f64>]) -> Vec<Vec<u64>> {
        levels
            .iter()
            .map(|l| l.iter().map(|v| v.to_bits()).collect())
            .collect()
    }

    #[test]
    fn equals_the_plain_deequ_definition() {
        let mut rnd = xorshift(99);
        // Wide doubles, small integers (the radix path), short decimals, sorted input,
        // signed zeros and infinities.
        let shapes: Vec<Box<dyn Fn(u64, u64) -> f64>> = vec![
            Box::new(|r, _| f64::from_bits(r >> 2) - 1e100),
            Box::new(|r, _| (r % 5000) as f64),
            Box::new(|r, _| (r % 100_000) as f64 / 100.0 - 300.0),
            Box::new(|_, i| i as f64 * 0.5),
            Box::new(|r, _| [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1.0][(r % 5) as usize]),
        ];
        for (s, shape) in shapes.iter().enumerate() {
            let (mut a, mut ra) = (KllSketch::new(), Reference::new());
            let (mut b, mut rb) = (KllSketch::new(), Reference::new());
            for i in 0..120_000u64 {
                let v = shape(rnd(), i);
                if i % 3 == 0 {
                    b.update(v);
                    rb.update(v);
                } else {
                    a.update(v);
                    ra.update(v);
                }
            }
            assert_eq!(bits(&a.levels()), bits(&ra.data), "shape {s}");
            assert_eq!(a.compactions(), &ra.compactions[..], "shape {s}");
            a.merge(&b);
            ra.merge(&rb);
            for i in 0..30_000u64 {
                let v = shape(rnd(), i);
                a.update(v);
                ra.update(v);
            }
            assert_eq!(bits(&a.levels()), bits(&ra.data), "shape {s} after merge");
        }
    }

    #[test]
    fn merge_runs_sorts_any_number_of_runs() {
        let mut rnd = xorshift(5);
        for runs in [0usize, 1, 2, 3, 4, 7, 16, 17, 40] {
            let mut v: Vec<u64> = Vec::new();
            for r in 0..runs {
                let len = if r % 3 == 0 {
                    1
                } else {
                    (rnd() % 900) as usize
                };
                let mut part: Vec<u64> = (0..len).map(|_| rnd() % 5000).collect();
                part.sort_unstable();
                v.extend(part);
            }
            let mut want = v.clone();
            want.sort_unstable();
            assert_eq!(
                merge_runs(&mut v, &mut Vec::new()),
                &want[..],
                "{runs} runs"
            );
        }
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let levels: Vec<Vec<f64>> = (0..80).map(|h| vec![h as f64; 3]).collect();
        let s = KllSketch::from_levels(levels);
        assert_eq!(s.count(), u64::MAX);
        assert_eq!(s.rank_inclusive(100.0), u64::MAX);
        let _ = s.buckets(0.0, 79.0);
        let _ = s.quantile(0.5);
        let bad: KllSketch =
            serde_json::from_str(r#"{"k":0,"c":7.0,"data":[[1.0]],"count":1}"#).unwrap();
        assert_eq!((bad.k(), bad.c()), (1, DEFAULT_C));
        let mut w = KllSketch::with_params(usize::MAX, f64::NAN);
        w.update(1.0);
        assert_eq!(w.k(), MAX_K);
    }

    #[test]
    fn merge_with_empty_is_identity() {
        // Stop exactly at total capacity, where Deequ's merge (`>=`) would condense.
        let mut a = KllSketch::new();
        let mut i = 0u64;
        loop {
            a.update(((i * 7919) % 3001) as f64);
            i += 1;
            let sizes = a.level_sizes();
            let held: usize = sizes.iter().sum();
            let cap: usize = (0..sizes.len()).map(|h| capacity(2048, 0.64, h)).sum();
            if (held == cap && sizes.len() > 1) || i > 1_000_000 {
                break;
            }
        }
        assert!(i < 1_000_000);
        let mut acc = KllSketch::new();
        acc.merge(&a);
        assert_eq!(acc, a);
        let before = a.clone();
        a.merge(&KllSketch::new());
        assert_eq!(a, before);
    }

    #[test]
    fn capacities_match_design() {
        assert_eq!(capacity(2048, 0.64, 0), 2050);
        // 2 * (ceil(2048 * 0.64 / 2) + 1) = 2 * (656 + 1); DESIGN §4 says 1312, a slip.
        assert_eq!(capacity(2048, 0.64, 1), 1314);
    }

    #[test]
    fn churn_shape_2333_rows() {
        // 2333 rows give levels of 283 and 1025 items (DESIGN §4, real churn output).
        let mut s = KllSketch::new();
        for i in 0..2333 {
            s.update((i % 7) as f64);
        }
        let lens = s.level_sizes();
        assert_eq!(lens, vec![283, 1025]);
        assert_eq!(s.count(), 2333);
        assert!(s.normalized_rank_error() > 0.0);
    }

    #[test]
    fn exact_until_compaction() {
        let mut s = KllSketch::new();
        for v in [3.0, 1.0, 2.0, 2.0] {
            s.update(v);
        }
        assert_eq!(s.rank_exclusive(2.0), 1);
        assert_eq!(s.rank_inclusive(2.0), 3);
        assert_eq!(s.normalized_rank_error(), 0.0);
        assert_eq!(s.quantile(0.5), Some(2.0));
        assert_eq!(s.quantile(1.0), Some(3.0));
        assert_eq!(s.quantile(0.0), Some(1.0));
        s.update(f64::NAN);
        assert_eq!(s.count(), 4);
    }

    #[test]
    fn serde_round_trip_continues_identically() {
        let mut a = KllSketch::new();
        for i in 0..5000 {
            a.update(((i * 7919) % 1000) as f64);
        }
        let json = serde_json::to_string(&a).unwrap();
        let mut b: KllSketch = serde_json::from_str(&json).unwrap();
        for i in 0..3000 {
            a.update(i as f64);
            b.update(i as f64);
        }
        assert_eq!(a.levels(), b.levels());
    }

    #[test]
    fn from_levels_counts_weights() {
        let s = KllSketch::from_levels(vec![vec![1.0, 2.0], vec![3.0]]);
        assert_eq!(s.count(), 4);
        assert_eq!(s.rank_inclusive(3.0), 4);
        assert_eq!(s.levels().len(), 2);
        assert!((s.normalized_rank_error() - 1.0 / 2050.0).abs() < 1e-15);
    }
}
