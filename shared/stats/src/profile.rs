//! Mergeable per-feature profiles.
//!
//! Interface contract (shared with `driftline-capture`): readers hand every column value of
//! a row to the profile as a [`Cell`] ([`DatasetProfile::update`]) and count records with
//! [`DatasetProfile::add_records`].
//!
//! Per column ([`FeatureProfile`]): presence, Deequ's type inference per value
//! ([`classify_raw`]), and for numeric columns sum, mean (`sum / n`), population std by
//! Welford's update in row order (Spark's `CentralMomentAgg`, which Deequ's
//! `StatefulStdDevPop` uses; merged by its parallel formula), min, max and Deequ's KLL sketch;
//! for String columns frequencies and a distinct count ([`crate::frequent`]).
//!
//! Numbers follow Model Monitor bit for bit on the reference data (see `tests/compat_*.rs`).
//! The numeric path allocates nothing per value.

/// One column value of one record, as a reader found it.
///
/// CSV readers produce [`Cell::Raw`] (text whose type Deequ's regexes decide); JSON readers
/// produce typed cells. Empty CSV fields and JSON `null` are [`Cell::Missing`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Null, empty field, or a column absent from this record.
    Missing,
    /// Untyped text (CSV): Integral / Fractional / String by Deequ's regular expressions.
    Raw(&'a str),
    /// A JSON string: always a String value.
    Str(&'a str),
    /// A JSON integer.
    Int(i64),
    /// A JSON number with a fraction or exponent.
    Float(f64),
    /// A JSON boolean (profiled as the String `"true"` / `"false"`).
    Bool(bool),
}

use crate::double::Double;
use crate::formats::statistics::{
    Categorical, CategoricalBucket, Common, Dataset, FeatureStatistics, InferredType,
    KllDistribution, KllParameters, KllSketchData, NumericDistribution, NumericalStatistics,
    Statistics, StringDistribution, StringStatistics,
};
use crate::frequent::StringSummary;
use crate::javafmt::java_double;
use crate::kll::KllSketch;
use crate::tails::{Location, Tails};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What Deequ's regular expressions make of a text value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RawKind {
    /// Matches `^(-|\+)? ?\d+$`; the value as Spark's cast to long, then double, gives it.
    Integral(f64),
    /// Matches `^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$`; the parsed double.
    Fractional(f64),
    /// Anything else.
    String,
}

/// Classify text with Deequ's type regexes (`\d` is ASCII `[0-9]`, as in Java) and parse the
/// number in the same pass. A hand-written matcher equivalent to the regexes (property-tested
/// against the `regex` crate), with no allocation.
///
/// Values: integral text with up to 18 digits is converted exactly (`-0` is `0.0`, as Spark's
/// long cast gives); longer integral text and fractional text are parsed as correctly rounded
/// doubles. The optional single space after the sign is skipped (Spark's cast would give null
/// for such rare text; we keep the number).
#[inline(always)]
pub fn classify_raw(s: &str) -> RawKind {
    let b = s.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut neg = false;
    // Sign and space are rare: one test when the text starts with anything else.
    if matches!(b.first(), Some(b'-' | b'+' | b' ')) {
        if b[0] != b' ' {
            neg = b[0] == b'-';
            i = 1;
        }
        if i < n && b[i] == b' ' {
            i += 1;
        }
    }
    let num_start = i;
    // Wrapping arithmetic: the value is only used where it cannot have wrapped (at most 18
    // integral digits, or 15 significant digits in all).
    let (int_val, ndigits) = digits(&b[i..], 0);
    i += ndigits;
    if ndigits == 0 {
        return RawKind::String;
    }
    if i == n {
        let v = if ndigits <= 18 {
            // Below 10^18 < 2^63: the signed conversion is exact and one instruction.
            int_val as i64 as f64
        } else {
            match s[num_start..].parse::<f64>() {
                Ok(v) => v,
                Err(_) => return RawKind::String,
            }
        };
        let v = if neg && v != 0.0 { -v } else { v };
        return RawKind::Integral(v);
    }
    // Fraction and/or exponent.
    if b[i] == b'.' {
        i += 1;
        let (mant, nfrac) = digits(&b[i..], int_val);
        i += nfrac;
        if nfrac == 0 {
            return RawKind::String;
        }
        if i == n {
            // Clinger's fast path: with at most 15 significant digits the mantissa is an exact
            // double and 10^nfrac (nfrac <= 22) too, so one IEEE division is correctly rounded:
            // the same double as a full parse (Java's parseDouble is correctly rounded too).
            if ndigits + nfrac <= 15 {
                // Below 10^15: the signed conversion is exact and one instruction.
                let v = (mant as i64 as f64) / POW10[nfrac];
                return RawKind::Fractional(if neg { -v } else { v });
            }
            return parse_fractional(s, num_start, neg);
        }
    }
    if b[i] == b'e' || b[i] == b'E' {
        i += 1;
        if i < n && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let es = i;
        while i < n && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == es || i != n {
            return RawKind::String;
        }
        return parse_fractional(s, num_start, neg);
    }
    RawKind::String
}

/// Reads the leading ASCII digits of `b` onto `acc` (`acc * 10 + d`, wrapping): returns the
/// value and the number of digits read.
#[inline(always)]
fn digits(b: &[u8], mut acc: u64) -> (u64, usize) {
    let mut k = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        acc = acc.wrapping_mul(10).wrapping_add(u64::from(d));
        k += 1;
    }
    (acc, k)
}

/// Exact powers of ten as doubles (10^0 ..= 10^22).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

#[inline]
fn parse_fractional(s: &str, num_start: usize, neg: bool) -> RawKind {
    match s[num_start..].parse::<f64>() {
        Ok(v) => RawKind::Fractional(if neg { -v } else { v }),
        Err(_) => RawKind::String,
    }
}

/// Welford / Spark `CentralMomentAgg` state plus sum, min, max and the KLL sketch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredNumeric", into = "StoredNumeric")]
pub struct NumericState {
    /// Number of numeric values.
    pub n: u64,
    /// Sum in row order.
    pub sum: f64,
    /// Running mean (Welford).
    pub avg: f64,
    /// Running sum of squared deviations (Welford).
    pub m2: f64,
    /// Smallest value (`+inf` while empty).
    pub min: f64,
    /// Largest value (`-inf` while empty).
    pub max: f64,
    /// Deequ's KLL sketch of the values.
    pub kll: KllSketch,
    /// The most extreme values and where they were seen.
    pub tails: Tails,
}

/// Serialised [`NumericState`]: doubles as [`Double`] so that infinities (`min` of an empty
/// state, overflowing sums) survive JSON.
#[derive(Serialize, Deserialize)]
struct StoredNumeric {
    n: u64,
    sum: Double,
    avg: Double,
    m2: Double,
    min: Double,
    max: Double,
    kll: KllSketch,
    #[serde(default, skip_serializing_if = "Tails::is_empty")]
    tails: Tails,
}

impl From<StoredNumeric> for NumericState {
    fn from(s: StoredNumeric) -> Self {
        NumericState {
            n: s.n,
            sum: s.sum.0,
            avg: s.avg.0,
            m2: s.m2.0,
            min: s.min.0,
            max: s.max.0,
            kll: s.kll,
            tails: s.tails,
        }
    }
}

impl From<NumericState> for StoredNumeric {
    fn from(s: NumericState) -> Self {
        StoredNumeric {
            n: s.n,
            sum: s.sum.into(),
            avg: s.avg.into(),
            m2: s.m2.into(),
            min: s.min.into(),
            max: s.max.into(),
            kll: s.kll,
            tails: s.tails,
        }
    }
}

impl Default for NumericState {
    fn default() -> Self {
        NumericState {
            n: 0,
            sum: 0.0,
            avg: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            kll: KllSketch::new(),
            tails: Tails::default(),
        }
    }
}

impl NumericState {
    /// Add a value: Spark's `CentralMomentAgg` update (`n += 1; delta = x - avg;
    /// deltaN = delta / n; avg += deltaN; m2 += delta * (delta - deltaN)`), sum in row order.
    /// Returns true when the value entered the column's [`Tails`] (the reader then says where
    /// it was seen).
    #[inline(always)]
    pub fn update(&mut self, x: f64) -> bool {
        if x.is_nan() {
            return false;
        }
        self.n += 1;
        // Exact below 2^53 like Spark's double count; the clamp (never reached in practice)
        // lets the conversion be the one-instruction signed one.
        let n = self.n.min(1 << 62) as i64 as f64;
        let delta = x - self.avg;
        let delta_n = delta / n;
        self.avg += delta_n;
        self.m2 += delta * (delta - delta_n);
        self.sum += x;
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
        self.kll.update(x);
        self.tails.note(x)
    }

    /// Merge by Spark's `CentralMomentAgg.mergeExpressions`: `delta = avg2 - avg1`,
    /// `deltaN = delta / (n1 + n2)`, `avg = avg1 + deltaN * n2`,
    /// `m2 = m2_1 + m2_2 + delta * deltaN * n1 * n2`. An empty side is skipped for the moments
    /// (the formula would only perturb `avg` in its last bit). The sketches merge with Deequ's
    /// semantics.
    pub fn merge(&mut self, other: &NumericState) {
        if other.n > 0 {
            if self.n == 0 {
                self.avg = other.avg;
                self.m2 = other.m2;
            } else {
                let n1 = self.n as f64;
                let n2 = other.n as f64;
                let count = n1 + n2;
                let delta = other.avg - self.avg;
                let delta_n = delta / count;
                self.avg += delta_n * n2;
                self.m2 = self.m2 + other.m2 + delta * delta_n * n1 * n2;
            }
            self.n = self.n.saturating_add(other.n);
            self.sum += other.sum;
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
            self.tails.merge(&other.tails);
        }
        self.kll.merge(&other.kll);
    }

    /// `sum / n` (Deequ's `Mean`), NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum / self.n as f64
        }
    }

    /// Population standard deviation `sqrt(m2 / n)` (Deequ's `StandardDeviation`).
    pub fn std_dev(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            (self.m2 / self.n as f64).sqrt()
        }
    }
}

/// Text under which a numeric value is counted when its column turns out to be a String
/// column: integers without a fraction (`5`), other values as Java's `Double.toString`.
pub fn numeric_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        format!("{}", v as i64)
    } else {
        java_double(v)
    }
}

/// The profile of one column.
///
/// A column is numeric until its first String value. Then the frequencies of the numeric
/// values seen so far are rebuilt from the KLL sketch (each item at level `h` counts `2^h`,
/// under [`numeric_text`]): exact while the sketch never compacted (fewer than 2051 numeric
/// values), otherwise approximate with the sketch's rank error. The numeric state is then
/// dropped (a String column reports only string statistics); later numeric text is counted
/// as written. Merging a String profile with a numeric profile of the same column converts the
/// numeric side the same way. Memory stays bounded in both states: the sketch holds a few
/// thousand doubles, the string summary at most `2 * DEFAULT_CAPACITY` values plus a 16 KiB
/// HyperLogLog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureProfile {
    name: String,
    num_present: u64,
    num_integral: u64,
    num_fractional: u64,
    num_string: u64,
    /// Numeric statistics (empty once the column is a String column).
    numeric: NumericState,
    /// Frequencies / distinct count, present once the column is a String column.
    #[serde(default)]
    strings: Option<StringSummary>,
}

impl FeatureProfile {
    /// An empty profile for column `name`.
    pub fn new(name: &str) -> Self {
        FeatureProfile {
            name: name.to_string(),
            num_present: 0,
            num_integral: 0,
            num_fractional: 0,
            num_string: 0,
            numeric: NumericState::default(),
            strings: None,
        }
    }

    /// Column name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of non-missing values.
    pub fn num_present(&self) -> u64 {
        self.num_present
    }

    /// Counts of values per Deequ type: (integral, fractional, string).
    pub fn type_counts(&self) -> (u64, u64, u64) {
        (self.num_integral, self.num_fractional, self.num_string)
    }

    /// Deequ's column type: String if any value is a string, else Fractional if any value is
    /// fractional, else Integral if any value is present, else Unknown.
    pub fn inferred_type(&self) -> InferredType {
        if self.num_string > 0 {
            InferredType::String
        } else if self.num_fractional > 0 {
            InferredType::Fractional
        } else if self.num_integral > 0 {
            InferredType::Integral
        } else {
            InferredType::Unknown
        }
    }

    /// Numeric statistics; `None` for String and Unknown columns.
    pub fn numeric(&self) -> Option<&NumericState> {
        if self.strings.is_none() && self.numeric.n > 0 {
            Some(&self.numeric)
        } else {
            None
        }
    }

    /// The most extreme values of a numeric column, with where they were seen.
    pub fn tails(&self) -> Option<&Tails> {
        self.numeric().map(|n| &n.tails)
    }

    /// The KLL sketch of a numeric column.
    pub fn kll(&self) -> Option<&KllSketch> {
        self.numeric().map(|n| &n.kll)
    }

    /// Value frequencies of a String column.
    pub fn strings(&self) -> Option<&StringSummary> {
        self.strings.as_ref()
    }

    /// Add one value. Returns true when a numeric value entered the column's [`Tails`] (see
    /// [`DatasetProfile::locate_new`]).
    #[inline(always)]
    pub fn update(&mut self, cell: Cell<'_>) -> bool {
        // The hot case inline: numeric text in a numeric column.
        if let Cell::Raw(s) = cell {
            let kind = classify_raw(s);
            if self.strings.is_none() {
                match kind {
                    RawKind::Integral(v) => {
                        self.num_integral += 1;
                        self.num_present += 1;
                        return self.numeric.update(v);
                    }
                    RawKind::Fractional(v) => {
                        self.num_fractional += 1;
                        self.num_present += 1;
                        return self.numeric.update(v);
                    }
                    RawKind::String => {}
                }
            }
            return self.update_raw(s, kind);
        }
        self.update_typed(cell)
    }

    /// [`FeatureProfile::update`] of text already classified as `kind`.
    #[inline(never)]
    fn update_raw(&mut self, s: &str, kind: RawKind) -> bool {
        match kind {
            RawKind::Integral(v) => {
                self.num_integral += 1;
                self.add_number(v, s)
            }
            RawKind::Fractional(v) => {
                self.num_fractional += 1;
                self.add_number(v, s)
            }
            RawKind::String => {
                self.add_string(s);
                false
            }
        }
    }

    /// [`FeatureProfile::update`] of a typed (JSON) cell.
    #[inline(never)]
    fn update_typed(&mut self, cell: Cell<'_>) -> bool {
        match cell {
            Cell::Missing => false,
            Cell::Raw(s) => self.update_raw(s, classify_raw(s)),
            Cell::Int(i) => {
                self.num_integral += 1;
                let v = i as f64;
                self.num_present += 1;
                if self.strings.is_some() {
                    self.string_summary().add(&i.to_string());
                    false
                } else {
                    self.numeric.update(v)
                }
            }
            Cell::Float(v) => {
                if v.is_nan() {
                    // JSON cannot carry NaN; a reader that hands one in gets a missing value.
                    return false;
                }
                self.num_fractional += 1;
                self.num_present += 1;
                if self.strings.is_some() {
                    self.string_summary().add(&numeric_text(v));
                    false
                } else {
                    self.numeric.update(v)
                }
            }
            Cell::Str(s) => {
                self.add_string(s);
                false
            }
            Cell::Bool(b) => {
                self.add_string(if b { "true" } else { "false" });
                false
            }
        }
    }

    #[inline]
    fn add_number(&mut self, v: f64, text: &str) -> bool {
        self.num_present += 1;
        if let Some(ss) = self.strings.as_mut() {
            ss.add(text);
            false
        } else {
            self.numeric.update(v)
        }
    }

    #[inline]
    fn add_string(&mut self, s: &str) {
        self.num_present += 1;
        self.num_string += 1;
        self.string_summary().add(s);
    }

    /// Switch to String (rebuilding numeric frequencies from the sketch) and return the summary.
    fn string_summary(&mut self) -> &mut StringSummary {
        if self.strings.is_none() {
            let mut ss = StringSummary::new();
            numeric_into_strings(&self.numeric, &mut ss);
            self.numeric = NumericState::default();
            self.strings = Some(ss);
        }
        self.strings.get_or_insert_with(StringSummary::new)
    }

    /// Merge another profile of the same column (the name of `self` is kept).
    pub fn merge(&mut self, other: &FeatureProfile) {
        self.num_present = self.num_present.saturating_add(other.num_present);
        self.num_integral = self.num_integral.saturating_add(other.num_integral);
        self.num_fractional = self.num_fractional.saturating_add(other.num_fractional);
        self.num_string = self.num_string.saturating_add(other.num_string);
        match (&mut self.strings, &other.strings) {
            (None, None) => self.numeric.merge(&other.numeric),
            (Some(ss), Some(os)) => ss.merge(os),
            (Some(ss), None) => {
                let mut os = StringSummary::new();
                numeric_into_strings(&other.numeric, &mut os);
                ss.merge(&os);
            }
            (None, Some(os)) => {
                let mut ss = StringSummary::new();
                numeric_into_strings(&self.numeric, &mut ss);
                ss.merge(os);
                self.numeric = NumericState::default();
                self.strings = Some(ss);
            }
        }
    }

    /// This column's entry of `statistics.json`, given the dataset's `item_count`.
    ///
    /// * Integral / Fractional: `numerical_statistics` with mean, sum, std_dev, min, max and the
    ///   KLL distribution (10 buckets, `c = 0.64`, `k = 2048.0`, levels from 0).
    /// * String: `string_statistics` with `distinct_count` and the categorical buckets
    ///   (tracked values by count, descending, then value).
    /// * Unknown (no value present): `string_statistics` with the counts, `distinct_count`
    ///   0.0 and no distribution. Model Monitor's own output for an all-null column is not in
    ///   the reference files; this is driftline's choice (readers treat it like an empty
    ///   string column).
    pub fn to_feature_statistics(&self, item_count: u64) -> FeatureStatistics {
        let common = Common {
            num_present: self.num_present,
            num_missing: item_count.saturating_sub(self.num_present),
        };
        let inferred_type = self.inferred_type();
        match (inferred_type, self.numeric()) {
            (InferredType::Integral | InferredType::Fractional, Some(num)) => {
                let kll = &num.kll;
                let numerical = NumericalStatistics {
                    common,
                    mean: num.mean().into(),
                    sum: num.sum.into(),
                    std_dev: num.std_dev().into(),
                    min: num.min.into(),
                    max: num.max.into(),
                    distribution: Some(NumericDistribution {
                        kll: KllDistribution {
                            buckets: kll.buckets(num.min, num.max),
                            sketch: KllSketchData {
                                parameters: KllParameters {
                                    c: kll.c().into(),
                                    k: (kll.k() as f64).into(),
                                },
                                data: kll
                                    .levels()
                                    .iter()
                                    .map(|l| l.iter().map(|&v| v.into()).collect())
                                    .collect(),
                            },
                        },
                    }),
                };
                FeatureStatistics {
                    name: self.name.clone(),
                    inferred_type,
                    numerical_statistics: Some(numerical),
                    string_statistics: None,
                }
            }
            _ => {
                let (distinct, distribution) = match &self.strings {
                    Some(ss) => (
                        ss.distinct_count(),
                        Some(StringDistribution {
                            categorical: Categorical {
                                buckets: ss
                                    .frequencies()
                                    .into_iter()
                                    .map(|(v, c)| CategoricalBucket {
                                        value: v.to_string(),
                                        count: c,
                                    })
                                    .collect(),
                            },
                        }),
                    ),
                    None => (0.0, None),
                };
                FeatureStatistics {
                    name: self.name.clone(),
                    inferred_type,
                    numerical_statistics: None,
                    string_statistics: Some(StringStatistics {
                        common,
                        distinct_count: distinct.into(),
                        distribution,
                    }),
                }
            }
        }
    }
}

/// Add the numeric values represented by `num`'s sketch to `ss` (see [`FeatureProfile`]).
fn numeric_into_strings(num: &NumericState, ss: &mut StringSummary) {
    for (h, level) in num.kll.levels().iter().enumerate() {
        let w = 1u64 << h.min(63);
        for &v in level {
            ss.add_n(&numeric_text(v), w);
        }
    }
}

/// Profiles of all columns of a dataset, mergeable and serialisable (partial profiles are
/// written per capture file and merged per window).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredDataset")]
pub struct DatasetProfile {
    item_count: u64,
    features: Vec<FeatureProfile>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct StoredDataset {
    item_count: u64,
    features: Vec<FeatureProfile>,
}

impl From<StoredDataset> for DatasetProfile {
    fn from(s: StoredDataset) -> Self {
        let mut p = DatasetProfile::new();
        p.item_count = s.item_count;
        for f in s.features {
            if let Some(&i) = p.index.get(&f.name) {
                p.features[i].merge(&f);
            } else {
                p.index.insert(f.name.clone(), p.features.len());
                p.features.push(f);
            }
        }
        p
    }
}

impl Default for DatasetProfile {
    fn default() -> Self {
        Self::new()
    }
}

impl DatasetProfile {
    /// An empty profile.
    pub fn new() -> Self {
        DatasetProfile {
            item_count: 0,
            features: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Index of column `name`, creating it on first use (columns keep first-seen order).
    pub fn column_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.features.len();
        self.features.push(FeatureProfile::new(name));
        self.index.insert(name.to_string(), i);
        i
    }

    /// Add a value to column `column` (an index from [`DatasetProfile::column_index`]; an
    /// unknown index is ignored). Returns true when the value entered its column's [`Tails`]:
    /// a reader that knows where the row came from then calls
    /// [`DatasetProfile::locate_new`] before the next row.
    #[inline]
    pub fn update(&mut self, column: usize, cell: Cell<'_>) -> bool {
        match self.features.get_mut(column) {
            Some(f) => f.update(cell),
            None => false,
        }
    }

    /// Gives the tail entries added by the current row their location (see [`Tails`]).
    pub fn locate_new(&mut self, at: &Location) {
        for f in &mut self.features {
            if f.strings.is_none() {
                f.numeric.tails.locate_new(at);
            }
        }
    }

    /// Count `n` more records. A column not updated for a record counts as missing there:
    /// `num_missing = item_count - num_present`.
    pub fn add_records(&mut self, n: u64) {
        self.item_count = self.item_count.saturating_add(n);
    }

    /// Merge another profile (columns matched by name; new columns are appended in `other`'s
    /// order).
    pub fn merge(&mut self, other: &DatasetProfile) {
        self.item_count = self.item_count.saturating_add(other.item_count);
        for f in &other.features {
            let i = self.column_index(&f.name);
            self.features[i].merge(f);
        }
    }

    /// Number of records.
    pub fn item_count(&self) -> u64 {
        self.item_count
    }

    /// Column names in order.
    pub fn columns(&self) -> Vec<&str> {
        self.features.iter().map(|f| f.name.as_str()).collect()
    }

    /// All feature profiles in column order.
    pub fn features(&self) -> &[FeatureProfile] {
        &self.features
    }

    /// The profile of column `name`.
    pub fn feature(&self, name: &str) -> Option<&FeatureProfile> {
        self.index.get(name).and_then(|&i| self.features.get(i))
    }

    /// `statistics.json` for this profile (`version` 0.0, `dataset.item_count`, features in
    /// column order; see [`FeatureProfile::to_feature_statistics`]).
    pub fn to_statistics(&self) -> Statistics {
        Statistics {
            version: 0.0.into(),
            dataset: Some(Dataset {
                item_count: self.item_count,
            }),
            features: self
                .features
                .iter()
                .map(|f| f.to_feature_statistics(self.item_count))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn freqs(p: &DatasetProfile, col: &str) -> Vec<(String, u64)> {
        p.feature(col)
            .and_then(FeatureProfile::strings)
            .map(|s| {
                s.frequencies()
                    .into_iter()
                    .map(|(v, c)| (v.to_string(), c))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn late_string_switch_rebuilds_numeric_frequencies_exactly() {
        let mut p = DatasetProfile::new();
        let c = p.column_index("x");
        for v in ["1", "2", "2", "2.5", "abc", "2", "-0"] {
            p.update(c, Cell::Raw(v));
            p.add_records(1);
        }
        let f = p.feature("x").unwrap();
        assert_eq!(f.inferred_type(), InferredType::String);
        assert!(f.numeric().is_none());
        // Before the switch: normalised numeric text; after it: the text as written.
        assert_eq!(
            freqs(&p, "x"),
            vec![
                ("2".to_string(), 3),
                ("-0".to_string(), 1),
                ("1".to_string(), 1),
                ("2.5".to_string(), 1),
                ("abc".to_string(), 1)
            ]
        );
        let st = p.to_statistics();
        let ss = st.features[0].string_statistics.as_ref().unwrap();
        assert_eq!(ss.distinct_count.0, 5.0);
        assert_eq!(ss.common.num_present, 7);
    }

    #[test]
    fn missing_and_unknown_columns() {
        let mut p = DatasetProfile::new();
        let a = p.column_index("a");
        let b = p.column_index("b");
        p.update(a, Cell::Raw("1.5"));
        p.update(b, Cell::Missing);
        p.add_records(3);
        let st = p.to_statistics();
        assert_eq!(st.dataset.as_ref().unwrap().item_count, 3);
        let na = st.features[0].numerical_statistics.as_ref().unwrap();
        assert_eq!((na.common.num_present, na.common.num_missing), (1, 2));
        assert_eq!(st.features[0].inferred_type, InferredType::Fractional);
        assert_eq!(st.features[1].inferred_type, InferredType::Unknown);
        let sb = st.features[1].string_statistics.as_ref().unwrap();
        assert_eq!((sb.common.num_present, sb.common.num_missing), (0, 3));
        assert_eq!(sb.distinct_count.0, 0.0);
        assert!(sb.distribution.is_none());
    }

    #[test]
    fn typed_cells() {
        let mut p = DatasetProfile::new();
        let i = p.column_index("i");
        let f = p.column_index("f");
        let s = p.column_index("s");
        for k in 0..4 {
            p.update(i, Cell::Int(k));
            p.update(
                f,
                if k == 0 {
                    Cell::Int(1)
                } else {
                    Cell::Float(0.5)
                },
            );
            p.update(s, Cell::Bool(k % 2 == 0));
            p.add_records(1);
        }
        assert_eq!(
            p.feature("i").unwrap().inferred_type(),
            InferredType::Integral
        );
        assert_eq!(
            p.feature("f").unwrap().inferred_type(),
            InferredType::Fractional
        );
        assert_eq!(
            p.feature("s").unwrap().inferred_type(),
            InferredType::String
        );
        let n = p.feature("i").unwrap().numeric().unwrap();
        assert_eq!((n.sum, n.min, n.max), (6.0, 0.0, 3.0));
        assert_eq!(n.mean(), 1.5);
        // population std of 0..3: sqrt(1.25)
        assert!((n.std_dev() - 1.25f64.sqrt()).abs() < 1e-15);
        assert_eq!(
            freqs(&p, "s"),
            vec![("false".to_string(), 2), ("true".to_string(), 2)]
        );
        assert_eq!(p.columns(), vec!["i", "f", "s"]);
    }

    #[test]
    fn merge_adds_new_columns_and_counts_missing() {
        let mut a = DatasetProfile::new();
        let x = a.column_index("x");
        a.update(x, Cell::Raw("1"));
        a.add_records(1);
        let mut b = DatasetProfile::new();
        let y = b.column_index("y");
        b.update(y, Cell::Raw("q"));
        b.add_records(2);
        a.merge(&b);
        let st = a.to_statistics();
        assert_eq!(a.columns(), vec!["x", "y"]);
        let nx = st.features[0].numerical_statistics.as_ref().unwrap();
        assert_eq!((nx.common.num_present, nx.common.num_missing), (1, 2));
        let sy = st.features[1].string_statistics.as_ref().unwrap();
        assert_eq!((sy.common.num_present, sy.common.num_missing), (1, 2));
    }

    #[test]
    fn high_cardinality_strings_stay_bounded() {
        let mut p = DatasetProfile::new();
        let c = p.column_index("id");
        for i in 0..100_000u64 {
            p.update(c, Cell::Str(&format!("user-{i}")));
            p.add_records(1);
        }
        let ss = p.feature("id").unwrap().strings().unwrap();
        assert!(ss.tracked() <= 2 * crate::frequent::DEFAULT_CAPACITY);
        assert!(!ss.is_exact());
        // Misra-Gries bound: every count is underestimated by at most n / (capacity + 1).
        assert!(
            ss.max_error() as f64 <= 100_000.0 / (crate::frequent::DEFAULT_CAPACITY as f64 + 1.0)
        );
        let d = ss.distinct_count();
        assert!((d - 100_000.0).abs() / 100_000.0 < 0.025, "{d}");
        let json = serde_json::to_string(&p).unwrap();
        assert!(
            json.len() < 200_000,
            "partial profile JSON is {} bytes",
            json.len()
        );
    }

    #[test]
    fn fast_fraction_path_matches_parse() {
        for s in [
            "0.1",
            "274.4",
            "-0.3",
            "123456789.123456",
            "9.999999999999999",
            "0.000001",
        ] {
            let want: f64 = s.parse().unwrap();
            assert_eq!(classify_raw(s), RawKind::Fractional(want), "{s}");
        }
    }
}
