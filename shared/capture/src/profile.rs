//! The streaming profile builder: a [`RowSink`] feeding a mergeable profile, and
//! [`profile_reader_with`], which reads one source into a [`CaptureProfile`] (profile, faults,
//! counts, inference-time range). Memory is bounded by the number of columns, not the input.

use crate::error::CaptureError;
use crate::fault::FaultReport;
use crate::options::CaptureOptions;
use crate::parser::{CaptureParser, CaptureStats, EventMeta, RowSink};
use crate::schema::Schema;
use chrono::{DateTime, Utc};
use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::summary::Faults;
use driftline_stats::tails::Location;
use std::io::BufRead;

/// What the builder needs from a profile: implemented for `driftline_stats`'
/// [`DatasetProfile`]; tests and other callers may bring their own.
pub trait ProfileTarget {
    /// Index of the column `name`, creating it when new.
    fn column_index(&mut self, name: &str) -> usize;
    /// Adds one cell to column `column`; true when the value is among its column's most
    /// extreme, so the builder then calls [`ProfileTarget::locate_new`] with the row's place.
    fn update(&mut self, column: usize, cell: Cell<'_>) -> bool;
    /// Where the row whose update returned true was seen (default: not recorded).
    fn locate_new(&mut self, _at: &Location) {}
    /// Counts `n` more records (rows).
    fn add_records(&mut self, n: u64);
    /// Merges another profile into this one.
    fn merge_from(&mut self, other: &Self);
}

impl ProfileTarget for DatasetProfile {
    #[inline]
    fn column_index(&mut self, name: &str) -> usize {
        DatasetProfile::column_index(self, name)
    }
    #[inline]
    fn update(&mut self, column: usize, cell: Cell<'_>) -> bool {
        DatasetProfile::update(self, column, cell)
    }
    fn locate_new(&mut self, at: &Location) {
        DatasetProfile::locate_new(self, at)
    }
    #[inline]
    fn add_records(&mut self, n: u64) {
        DatasetProfile::add_records(self, n)
    }
    fn merge_from(&mut self, other: &Self) {
        DatasetProfile::merge(self, other)
    }
}

/// A [`RowSink`] that feeds every row into a profile. Column names are resolved once, when the
/// schema grows, not per row.
#[derive(Debug, Clone, Default)]
pub struct ProfileBuilder<P> {
    profile: P,
    map: Vec<usize>,
    pending: u64,
}

impl<P: ProfileTarget> ProfileBuilder<P> {
    /// A builder filling `profile`.
    pub fn new(profile: P) -> Self {
        ProfileBuilder {
            profile,
            map: Vec::new(),
            pending: 0,
        }
    }

    /// The profile with every row counted.
    pub fn into_profile(mut self) -> P {
        self.flush();
        self.profile
    }

    fn flush(&mut self) {
        if self.pending > 0 {
            self.profile.add_records(self.pending);
            self.pending = 0;
        }
    }
}

impl<P: ProfileTarget> RowSink for ProfileBuilder<P> {
    #[inline]
    fn row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]) {
        if self.map.len() < schema.len() {
            for name in &schema.names()[self.map.len()..] {
                self.map.push(self.profile.column_index(name));
            }
        }
        let mut extreme = false;
        for (c, &j) in cells.iter().zip(self.map.iter()) {
            // A missing cell needs no update: the profile counts it from the record total.
            if !matches!(c, Cell::Missing) {
                extreme |= self.profile.update(j, *c);
            }
        }
        if extreme {
            // A value of this row is among its column's most extreme: say where it was.
            self.profile.locate_new(&Location {
                source: meta.source.to_string(),
                line: meta.line,
                event_id: meta.event_id.map(str::to_string),
            });
        }
        self.pending += 1;
    }
}

/// The profile of one source (or, merged, of a window of sources) with its bad-input
/// accounting. Serialisable (with serde) when `P` is, so a per-file partial can be stored and
/// merged into its window later.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaptureProfile<P = DatasetProfile> {
    /// The profile.
    pub profile: P,
    /// Faults by kind with examples.
    pub faults: FaultReport,
    /// Line / row counts and the inference-time range.
    pub stats: CaptureStats,
    /// Sources merged into this profile, in merge order.
    #[serde(default)]
    pub sources: Vec<String>,
}

impl<P: ProfileTarget> CaptureProfile<P> {
    /// Rows profiled.
    pub fn records(&self) -> u64 {
        self.stats.rows
    }

    /// Lines that could not be used (all line-level fault kinds together).
    pub fn malformed_records(&self) -> u64 {
        self.stats.malformed_lines
    }

    /// Earliest `inferenceTime` seen.
    pub fn min_inference_time(&self) -> Option<DateTime<Utc>> {
        self.stats
            .min_inference_time_ms
            .and_then(DateTime::from_timestamp_millis)
    }

    /// Latest `inferenceTime` seen.
    pub fn max_inference_time(&self) -> Option<DateTime<Utc>> {
        self.stats
            .max_inference_time_ms
            .and_then(DateTime::from_timestamp_millis)
    }

    /// The faults in `summary.json` form.
    pub fn summary_faults(&self) -> Faults {
        self.faults.to_faults()
    }

    /// Merges another source's profile into this one (one window of several files).
    pub fn merge(&mut self, other: &CaptureProfile<P>) {
        self.profile.merge_from(&other.profile);
        self.faults.merge(&other.faults);
        self.stats.merge(&other.stats);
        self.sources.extend(other.sources.iter().cloned());
    }
}

/// Reads one source (plain or gzip JSON Lines) into a new [`DatasetProfile`] and returns it
/// with the faults, counts and inference-time range. Profiles of several sources merge with
/// [`CaptureProfile::merge`] (one window). Bad input is counted, never an error; an error means
/// invalid options or a failing reader (e.g. a dropped connection: retry).
pub fn profile_reader<R: BufRead>(
    reader: R,
    source_name: &str,
    opts: &CaptureOptions,
) -> Result<CaptureProfile, CaptureError> {
    profile_reader_with(reader, source_name, opts, DatasetProfile::new())
}

/// Reads one source (plain or gzip JSON Lines) into `profile` and returns it with the faults
/// and counts. Bad input is counted, never an error; an error means the reader itself failed.
pub fn profile_reader_with<P: ProfileTarget, R: BufRead>(
    mut reader: R,
    source_name: &str,
    opts: &CaptureOptions,
    profile: P,
) -> Result<CaptureProfile<P>, CaptureError> {
    let mut parser = CaptureParser::new(source_name, opts)?;
    let mut builder = ProfileBuilder::new(profile);
    parser.read_auto(&mut reader, &mut builder)?;
    let (_, stats, faults) = parser.into_parts();
    Ok(CaptureProfile {
        profile: builder.into_profile(),
        faults,
        stats,
        sources: vec![source_name.to_string()],
    })
}
