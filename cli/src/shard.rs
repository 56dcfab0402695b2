//! `driftline profile`: one shard of a training set (a file, a byte range of a large CSV or
//! JSON Lines file, Parquet row groups) into a shard profile, or several shard profiles merged
//! into one (a level of a merge tree). `driftline baseline --from-profiles` turns shard profiles
//! into `statistics.json` and `constraints.json`.
//!
//! Byte ranges split at line boundaries: a range `START..END` profiles the lines whose first
//! byte is at an offset in `[START, END)`, so ranges that tile a file (`0..a`, `a..b`, …,
//! `z..SIZE`) profile every line exactly once wherever the cuts fall. A CSV whose quoted fields
//! hold line breaks must not be split by byte range (a cut can fall inside such a field).

use crate::input::{self, Format};
use anyhow::{bail, Context, Result};
use driftline_stats::profile::DatasetProfile;
use driftline_stats::shard::{ShardProfile, ShardSource};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

const PROFILE_AFTER_HELP: &str = "\
A training set too big for one pass is profiled in shards, on any engine (a shell loop, GNU
parallel, AWS Batch), and the shard profiles merged:

  size=$(stat -c %s train.csv); step=$((size / 4))
  for i in 0 1 2 3; do
    end=$(( i == 3 ? size : (i + 1) * step ))
    driftline profile train.csv --header --byte-range $((i * step))..$end -o part-$i.json &
  done; wait
  driftline baseline --from-profiles part-0.json part-1.json part-2.json part-3.json -o baseline/

A range profiles the lines that start inside it, so ranges that tile the file count every line
once. With --header the column names come from the file's first line whichever range is read.
Give the shard profiles in the data set's order (columns keep their first-seen order).
Merging many: `driftline profile --from-profiles part-*.json -o level-1.json` (a merge tree).";

/// Arguments of `driftline profile`.
#[derive(Debug, clap::Args)]
#[command(after_help = PROFILE_AFTER_HELP)]
pub struct ProfileArgs {
    /// Training-data file or shard (CSV, JSON Lines or Parquet; gzip accepted without
    /// --byte-range).
    #[arg(required_unless_present = "from_profiles")]
    pub input: Option<PathBuf>,
    /// Shard profile file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// The CSV's first line holds the column names.
    #[arg(long)]
    pub header: bool,
    /// Input format, when the file extension does not tell.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Only the lines that start at a byte offset in START..END (CSV and JSON Lines).
    #[arg(long, value_name = "START..END", value_parser = parse_range)]
    pub byte_range: Option<[u64; 2]>,
    /// Only these Parquet row groups (indices from 0, comma separated).
    #[arg(long, value_name = "N,...", value_delimiter = ',')]
    pub row_groups: Option<Vec<usize>>,
    /// Merge these shard profiles (in data-set order) instead of profiling a file.
    #[arg(long, value_name = "PROFILE", num_args = 1.., conflicts_with_all = ["input", "byte_range", "row_groups"])]
    pub from_profiles: Vec<PathBuf>,
}

fn parse_range(s: &str) -> Result<[u64; 2], String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s:?}: expected START..END (byte offsets)"))?;
    let a: u64 = a
        .trim()
        .parse()
        .map_err(|_| format!("{a:?} is not a byte offset"))?;
    let b: u64 = b
        .trim()
        .parse()
        .map_err(|_| format!("{b:?} is not a byte offset"))?;
    if b < a {
        return Err(format!("{s}: END is before START"));
    }
    Ok([a, b])
}

/// Runs `driftline profile`.
pub fn run(a: &ProfileArgs) -> Result<()> {
    let shard = if a.from_profiles.is_empty() {
        let Some(path) = a.input.as_deref() else {
            bail!("give a file to profile, or --from-profiles");
        };
        profile_shard(
            path,
            a.format,
            a.header,
            a.byte_range,
            a.row_groups.as_deref(),
        )?
    } else {
        merge_files(&a.from_profiles)?
    };
    let text = shard.to_json().context("cannot serialise the profile")?;
    std::fs::write(&a.output, text)
        .with_context(|| format!("cannot write {}", a.output.display()))?;
    eprintln!(
        "driftline: {} records, {} columns, {} source(s) → {}",
        shard.profile.item_count(),
        shard.profile.features().len(),
        shard.sources.len(),
        a.output.display()
    );
    Ok(())
}

/// Reads shard profile files and merges them in the order given.
pub fn merge_files(paths: &[PathBuf]) -> Result<ShardProfile> {
    let mut parts = Vec::with_capacity(paths.len());
    for p in paths {
        let text = crate::read_text(p)?;
        parts.push(ShardProfile::from_json(&text).with_context(|| p.display().to_string())?);
    }
    Ok(ShardProfile::merge_all(parts)?)
}

/// Profiles one shard of a file: all of it, the lines starting in `range`, or `row_groups`.
pub fn profile_shard(
    path: &Path,
    format: Option<Format>,
    header: bool,
    range: Option<[u64; 2]>,
    row_groups: Option<&[usize]>,
) -> Result<ShardProfile> {
    let Some(format) = format.or_else(|| Format::from_path(path)) else {
        bail!(
            "{}: cannot tell the format from the file name; pass --format csv|jsonl|parquet",
            path.display()
        );
    };
    let name = path.display().to_string();
    let mut source = ShardSource::file(name.clone());
    let profile = match (format, range, row_groups) {
        (Format::Parquet, Some(_), _) => {
            bail!("{name}: --byte-range splits CSV and JSON Lines; split Parquet with --row-groups")
        }
        (_, Some(_), Some(_)) | (Format::Csv | Format::Jsonl, _, Some(_)) => {
            bail!("{name}: --row-groups applies to Parquet files only")
        }
        (Format::Parquet, None, groups) => {
            let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
            source.row_groups = groups.map(<[usize]>::to_vec);
            input::profile_parquet_row_groups(file, &name, groups)?
        }
        (_, None, None) => input::profile_file(path, format, header)?,
        (_, Some(r), None) => {
            source.byte_range = Some(r);
            profile_range(path, format, header, r)?
        }
    };
    Ok(ShardProfile::new(profile, source))
}

fn profile_range(
    path: &Path,
    format: Format,
    header: bool,
    [start, end]: [u64; 2],
) -> Result<DatasetProfile> {
    let name = path.display().to_string();
    let mut file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    let mut magic = [0u8; 2];
    let n = file
        .read(&mut magic)
        .with_context(|| format!("cannot read {name}"))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        bail!(
            "{name}: a gzip file cannot be split by byte range; profile it whole or split it first"
        );
    }
    let names = if header && start > 0 {
        Some(header_names(path)?)
    } else {
        None
    };
    file.seek(SeekFrom::Start(start.saturating_sub(1)))
        .with_context(|| format!("cannot seek in {name}"))?;
    let lines = LineRange::new(BufReader::with_capacity(256 * 1024, file), start, end);
    let label = format!("{name} (bytes {start}..{end})");
    match format {
        Format::Csv => input::profile_csv_with(lines, header && start == 0, names, &label),
        Format::Jsonl => input::profile_jsonl(BufReader::new(lines), &label),
        Format::Parquet => bail!("{name}: Parquet is split by row group"),
    }
}

/// The column names of a CSV file's first line.
fn header_names(path: &Path) -> Result<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input::open_maybe_gzip(path)?);
    let h = rdr
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?;
    Ok(h.iter().map(str::to_string).collect())
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

    #[test]
    fn ranges_are_parsed_with_clear_errors() {
        assert_eq!(parse_range("0..10").unwrap(), [0, 10]);
        assert!(parse_range("10..2").unwrap_err().contains("before"));
        assert!(parse_range("x..2")
            .unwrap_err()
            .contains("not a byte offset"));
        assert!(parse_range("5").unwrap_err().contains("START..END"));
    }
}
