//! The few most extreme values of a numeric column, and where each was seen.
//!
//! A window's `min` and `max` say *that* a value left the training range; a person fixing the
//! upstream bug wants *which* record it was. [`Tails`] keeps the [`TAIL_LEN`] lowest and the
//! [`TAIL_LEN`] highest values of a column with their [`Location`] (source, line, `eventId`),
//! mergeable like the rest of a profile: merging keeps the most extreme of both sides, so a
//! window's tails are those of the union of its files. Memory is constant per column.
//!
//! The profile only knows values; the reader knows where a row came from. So an entry is added
//! without a location ([`Seen::at`] `None`) and the reader, told by the profile's update that a
//! row entered a tail, calls [`Tails::locate_new`] with that row's location before the next row.
//!
//! ```
//! use driftline_stats::tails::{Location, Tails};
//! let mut t = Tails::default();
//! for (line, v) in [(1, 120.0), (2, -5.0), (3, 9_000.0), (4, 15_000.0), (5, 400.0)] {
//!     if t.note(v) {
//!         t.locate_new(&Location { source: "f.jsonl".into(), line, event_id: None });
//!     }
//! }
//! assert_eq!(t.lowest().unwrap().value.0, -5.0);
//! assert_eq!(t.lowest().unwrap().at.as_ref().unwrap().line, 2);
//! assert_eq!(t.highest().unwrap().value.0, 15_000.0);
//! assert_eq!(t.count_below(0.0), Some(1), "exact while fewer than TAIL_LEN are below");
//! assert_eq!(t.count_below(1_000.0), None, "unknown beyond the tail");
//! ```

use crate::double::Double;
use serde::{Deserialize, Serialize};

/// Values kept at each end of a column.
pub const TAIL_LEN: usize = 3;

/// Where a value was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The file or object (`s3://bucket/key` in the functions).
    pub source: String,
    /// 1-based line.
    pub line: u64,
    /// The record's `eventMetadata.eventId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} line {}", self.source, self.line)?;
        if let Some(id) = &self.event_id {
            write!(f, " (eventId {id})")?;
        }
        Ok(())
    }
}

/// One extreme value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    /// The value.
    pub value: Double,
    /// Where it was seen, when the reader said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Location>,
}

/// The lowest and highest values of a column (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Tails {
    /// Lowest values, ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub low: Vec<Seen>,
    /// Highest values, descending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub high: Vec<Seen>,
}

impl Tails {
    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.low.is_empty() && self.high.is_empty()
    }

    /// True when `x` would enter a tail (the hot-path test: two comparisons once full).
    #[inline(always)]
    pub fn wants(&self, x: f64) -> bool {
        let low = match self.low.get(TAIL_LEN - 1) {
            Some(s) => x < s.value.0,
            None => true,
        };
        let high = match self.high.get(TAIL_LEN - 1) {
            Some(s) => x > s.value.0,
            None => true,
        };
        low || high
    }

    /// Offers a value; true when it entered a tail (then call [`Tails::locate_new`]).
    #[inline]
    pub fn note(&mut self, x: f64) -> bool {
        if x.is_nan() || !self.wants(x) {
            return false;
        }
        self.note_slow(x)
    }

    #[inline(never)]
    fn note_slow(&mut self, x: f64) -> bool {
        let seen = Seen {
            value: Double(x),
            at: None,
        };
        let mut entered = false;
        let pos = self.low.partition_point(|s| s.value.0 <= x);
        if pos < TAIL_LEN {
            self.low.insert(pos, seen.clone());
            self.low.truncate(TAIL_LEN);
            entered = true;
        }
        let pos = self.high.partition_point(|s| s.value.0 >= x);
        if pos < TAIL_LEN {
            self.high.insert(pos, seen);
            self.high.truncate(TAIL_LEN);
            entered = true;
        }
        entered
    }

    /// Gives the entries added since the last call (those without a location) the location
    /// `at`. Call it after a row whose update reported a new entry.
    pub fn locate_new(&mut self, at: &Location) {
        for s in self.low.iter_mut().chain(self.high.iter_mut()) {
            if s.at.is_none() {
                s.at = Some(at.clone());
            }
        }
    }

    /// Merges another column's tails: the most extreme of both (ties keep `self`'s first).
    pub fn merge(&mut self, other: &Tails) {
        let mut low: Vec<Seen> = self
            .low
            .drain(..)
            .chain(other.low.iter().cloned())
            .collect();
        low.sort_by(|a, b| a.value.0.total_cmp(&b.value.0));
        low.truncate(TAIL_LEN);
        let mut high: Vec<Seen> = self
            .high
            .drain(..)
            .chain(other.high.iter().cloned())
            .collect();
        high.sort_by(|a, b| b.value.0.total_cmp(&a.value.0));
        high.truncate(TAIL_LEN);
        self.low = low;
        self.high = high;
    }

    /// The lowest value.
    pub fn lowest(&self) -> Option<&Seen> {
        self.low.first()
    }

    /// The highest value.
    pub fn highest(&self) -> Option<&Seen> {
        self.high.first()
    }

    /// How many values are below `bound`, when the tail tells exactly: fewer than a full tail
    /// below it (or a tail that is not full: the column has fewer values than [`TAIL_LEN`]).
    pub fn count_below(&self, bound: f64) -> Option<u64> {
        let n = self.low.iter().filter(|s| s.value.0 < bound).count();
        (n < TAIL_LEN || self.low.len() < TAIL_LEN).then_some(n as u64)
    }

    /// How many values are above `bound`, when the tail tells exactly (see
    /// [`Tails::count_below`]).
    pub fn count_above(&self, bound: f64) -> Option<u64> {
        let n = self.high.iter().filter(|s| s.value.0 > bound).count();
        (n < TAIL_LEN || self.high.len() < TAIL_LEN).then_some(n as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64) -> Location {
        Location {
            source: "s".into(),
            line,
            event_id: Some(format!("e{line}")),
        }
    }

    fn fill(values: &[f64]) -> Tails {
        let mut t = Tails::default();
        for (i, v) in values.iter().enumerate() {
            if t.note(*v) {
                t.locate_new(&at(i as u64 + 1));
            }
        }
        t
    }

    fn vals(s: &[Seen]) -> Vec<f64> {
        s.iter().map(|x| x.value.0).collect()
    }

    #[test]
    fn keeps_the_extremes_with_their_lines() {
        let t = fill(&[5.0, 1.0, 9.0, 3.0, 7.0, 0.5, 10.0, 5.0]);
        assert_eq!(vals(&t.low), [0.5, 1.0, 3.0]);
        assert_eq!(vals(&t.high), [10.0, 9.0, 7.0]);
        let lines: Vec<u64> = t.low.iter().map(|s| s.at.as_ref().unwrap().line).collect();
        assert_eq!(lines, [6, 2, 4]);
        assert_eq!(t.highest().unwrap().at.as_ref().unwrap().line, 7);
        // Ties do not displace: the first 10.0 stays.
        let t2 = fill(&[10.0, 10.0, 10.0, 10.0]);
        assert_eq!(
            t2.high
                .iter()
                .map(|s| s.at.as_ref().unwrap().line)
                .collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(!fill(&[f64::NAN]).low.iter().any(|s| s.value.0.is_nan()));
    }

    #[test]
    fn merging_equals_one_pass_over_both() {
        let a = [4.0, -2.0, 8.0, 1.0, 30.0];
        let b = [-7.0, 6.0, 2.5, 99.0, -1.0];
        let mut merged = fill(&a);
        merged.merge(&fill(&b));
        let mut all = a.to_vec();
        all.extend_from_slice(&b);
        let one = fill(&all);
        assert_eq!(vals(&merged.low), vals(&one.low));
        assert_eq!(vals(&merged.high), vals(&one.high));
        let mut empty = Tails::default();
        empty.merge(&fill(&a));
        assert_eq!(empty, fill(&a));
    }

    #[test]
    fn counts_are_exact_only_inside_the_tail() {
        let t = fill(&[100.0, 150.0, 9_000.0, -5.0, 400.0, 12_000.0]);
        assert_eq!(t.count_below(100.0), Some(1));
        assert_eq!(t.count_below(0.0), Some(1));
        assert_eq!(t.count_below(1e9), None);
        assert_eq!(t.count_above(10_000.0), Some(1));
        assert_eq!(t.count_above(-1e9), None);
        let small = fill(&[1.0, 2.0]);
        assert_eq!(
            small.count_below(10.0),
            Some(2),
            "a tail that is not full is everything"
        );
    }

    #[test]
    fn round_trips_through_json() {
        let t = fill(&[1.0, f64::INFINITY, -3.0]);
        let back: Tails = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
        assert_eq!(
            serde_json::to_string(&Tails::default()).unwrap(),
            "{}",
            "empty tails write nothing"
        );
    }
}
