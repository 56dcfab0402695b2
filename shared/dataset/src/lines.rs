//! Byte ranges of line-oriented files (CSV, JSON Lines) split at line boundaries.
//!
//! A range `START..END` holds the lines whose first byte is at an offset in `[START, END)`, so
//! ranges that tile a file (`0..a`, `a..b`, …, `z..SIZE`) hold every line exactly once wherever
//! the cuts fall. A CSV whose quoted fields hold line breaks must not be split by byte range (a
//! cut can fall inside such a field).

use crate::readers::{self, Format};
use crate::sink::RowSink;
use anyhow::{bail, Result};
use driftline_stats::profile::DatasetProfile;
use std::io::{self, BufRead, BufReader, Read};

/// Profiles the lines of a range of a CSV or JSON Lines file. `reader` must be positioned at
/// offset `start - 1` (at 0 when `start` is 0), see [`LineRange`]. With `header`, the file's
/// first line holds the column names: read from the stream when the range starts at 0, else
/// `names` must hold them (see [`readers::csv_header_names`]). `label` names the range in
/// errors.
pub fn profile_range<R: Read>(
    reader: R,
    format: Format,
    header: bool,
    names: Option<Vec<String>>,
    range: [u64; 2],
    label: &str,
) -> Result<DatasetProfile> {
    let mut p = DatasetProfile::new();
    read_range(reader, format, header, names, range, label, &mut p)?;
    Ok(p)
}

/// Streams the lines of a range into `sink` (see [`profile_range`] for the arguments).
pub fn read_range<R: Read, S: RowSink>(
    reader: R,
    format: Format,
    header: bool,
    names: Option<Vec<String>>,
    [start, end]: [u64; 2],
    label: &str,
    sink: &mut S,
) -> Result<()> {
    let lines = LineRange::new(BufReader::with_capacity(256 * 1024, reader), start, end);
    match format {
        Format::Csv => {
            let names = if header && start > 0 { names } else { None };
            readers::read_csv(lines, header && start == 0, names, label, sink)
        }
        Format::Jsonl => readers::read_jsonl(BufReader::new(lines), label, sink),
        Format::Parquet => bail!("{label}: Parquet is split by row group, not by byte range"),
    }
}

/// The lines of a stream whose first byte lies in `[start, end)`.
///
/// The inner reader must be positioned at offset `start - 1` (at 0 when `start` is 0): the
/// byte before the range tells whether a line starts exactly at `start` (it does when that
/// byte is a line feed). The part of a line that began before `start` is skipped; the last
/// line that begins before `end` is read to its end, past `end`. An S3 reader does the same
/// with a ranged GET from `start - 1` that it stops reading early.
///
/// ```text
/// file:    a,1\nbb,2\nc,3\n        ranges 0..5 and 5..13
/// 0..5:    a,1\nbb,2\n             (bb,2 starts at 4)
/// 5..13:   c,3\n                   (the rest of bb,2 is skipped)
/// ```
pub struct LineRange<R> {
    inner: R,
    /// Offset of the next byte of `inner`.
    pos: u64,
    end: u64,
    skipping: bool,
    at_line_start: bool,
    done: bool,
}

impl<R: BufRead> LineRange<R> {
    /// The lines starting in `[start, end)` of a stream positioned at `start - 1` (or 0).
    pub fn new(inner: R, start: u64, end: u64) -> Self {
        LineRange {
            inner,
            pos: start.saturating_sub(1),
            end,
            skipping: start > 0,
            at_line_start: true,
            done: false,
        }
    }
}

impl<R: BufRead> Read for LineRange<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.skipping {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                self.done = true;
                self.skipping = false;
                break;
            }
            let (n, found) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            self.inner.consume(n);
            self.pos += n as u64;
            self.skipping = !found;
        }
        if self.done || out.is_empty() || (self.pos >= self.end && self.at_line_start) {
            return Ok(0);
        }
        let buf = self.inner.fill_buf()?;
        if buf.is_empty() {
            self.done = true;
            return Ok(0);
        }
        let avail = buf.len().min(out.len());
        let n = if self.pos < self.end {
            // Up to the range's end, then finish that line on the next calls.
            usize::try_from(self.end - self.pos).map_or(avail, |left| avail.min(left))
        } else {
            memchr::memchr(b'\n', &buf[..avail]).map_or(avail, |i| i + 1)
        };
        out[..n].copy_from_slice(&buf[..n]);
        self.inner.consume(n);
        self.pos += n as u64;
        self.at_line_start = out[n - 1] == b'\n';
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str, start: u64, end: u64) -> String {
        let from = usize::try_from(start.saturating_sub(1))
            .unwrap()
            .min(text.len());
        let mut r = LineRange::new(io::Cursor::new(&text.as_bytes()[from..]), start, end);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn the_documented_example() {
        let t = "a,1\nbb,2\nc,3\n";
        assert_eq!(range(t, 0, 5), "a,1\nbb,2\n");
        assert_eq!(range(t, 5, 13), "c,3\n");
        assert_eq!(range(t, 4, 5), "bb,2\n");
        assert_eq!(range(t, 3, 4), "");
        assert_eq!(range(t, 0, 0), "");
        assert_eq!(range(t, 13, 13), "");
    }

    #[test]
    fn every_tiling_reads_every_line_once() {
        // Lines of varied length, the last without a final newline.
        let t = "x\n\nlonger line here\nq,1,2,3\n\n\nend";
        let n = t.len() as u64;
        for a in 0..=n {
            for b in a..=n {
                let joined = range(t, 0, a) + &range(t, a, b) + &range(t, b, n);
                assert_eq!(joined, t, "cuts at {a} and {b}");
            }
        }
    }

    #[test]
    fn small_reads_and_small_buffers_give_the_same_bytes() {
        let t = "one\ntwo\nthree\nfour\n";
        for start in 0..t.len() as u64 {
            let from = usize::try_from(start.saturating_sub(1)).unwrap();
            let inner = BufReader::with_capacity(1, &t.as_bytes()[from..]);
            let mut r = LineRange::new(inner, start, start + 3);
            let mut got = Vec::new();
            let mut byte = [0u8; 1];
            while r.read(&mut byte).unwrap() == 1 {
                got.push(byte[0]);
            }
            assert_eq!(String::from_utf8(got).unwrap(), range(t, start, start + 3));
        }
    }
}
