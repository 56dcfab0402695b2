//! `driftline profile`: one shard of a training set (a file, a byte range of a large CSV or
//! JSON Lines file, Parquet row groups) into a shard profile, or several shard profiles merged
//! into one (a level of a merge tree). `driftline baseline --from-profiles` turns shard profiles
//! into `statistics.json` and `constraints.json`.
//!
//! Byte ranges split at line boundaries ([`driftline_dataset::lines`]): a range `START..END`
//! profiles the lines whose first byte is at an offset in `[START, END)`, so ranges that tile a
//! file profile every line exactly once wherever the cuts fall.

use crate::input::{self, Format};
use anyhow::{bail, Context, Result};
use driftline_dataset::sink::RowSink;
use driftline_stats::profile::DatasetProfile;
use driftline_stats::shard::{ShardProfile, ShardSource};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
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

pub fn parse_range(s: &str) -> Result<[u64; 2], String> {
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
    let mut profile = DatasetProfile::new();
    let source = read_shard(path, format, header, range, row_groups, &mut profile)?;
    Ok(ShardProfile::new(profile, source))
}

/// Reads one shard of a file (see [`profile_shard`]) into `sink`; returns what it covered.
pub fn read_shard<S: RowSink>(
    path: &Path,
    format: Option<Format>,
    header: bool,
    range: Option<[u64; 2]>,
    row_groups: Option<&[usize]>,
    sink: &mut S,
) -> Result<ShardSource> {
    let Some(format) = format.or_else(|| Format::from_path(path)) else {
        bail!(
            "{}: cannot tell the format from the file name; pass --format csv|jsonl|parquet",
            path.display()
        );
    };
    let name = path.display().to_string();
    let mut source = ShardSource::file(name.clone());
    match (format, range, row_groups) {
        (Format::Parquet, Some(_), _) => {
            bail!("{name}: --byte-range splits CSV and JSON Lines; split Parquet with --row-groups")
        }
        (_, Some(_), Some(_)) | (Format::Csv | Format::Jsonl, _, Some(_)) => {
            bail!("{name}: --row-groups applies to Parquet files only")
        }
        (Format::Parquet, None, groups) => {
            let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
            source.row_groups = groups.map(<[usize]>::to_vec);
            input::read_parquet_row_groups(file, &name, groups, sink)?;
        }
        (Format::Csv, None, None) => {
            input::read_csv(input::open_maybe_gzip(path)?, header, None, &name, sink)?;
        }
        (Format::Jsonl, None, None) => {
            input::read_jsonl(input::open_maybe_gzip(path)?, &name, sink)?;
        }
        (_, Some(r), None) => {
            source.byte_range = Some(r);
            read_range(path, format, header, r, sink)?;
        }
    }
    Ok(source)
}

fn read_range<S: RowSink>(
    path: &Path,
    format: Format,
    header: bool,
    [start, end]: [u64; 2],
    sink: &mut S,
) -> Result<()> {
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
        Some(input::csv_header_names(
            input::open_maybe_gzip(path)?,
            &name,
        )?)
    } else {
        None
    };
    file.seek(SeekFrom::Start(start.saturating_sub(1)))
        .with_context(|| format!("cannot seek in {name}"))?;
    let label = format!("{name} (bytes {start}..{end})");
    driftline_dataset::lines::read_range(file, format, header, names, [start, end], &label, sink)
}

#[cfg(test)]
mod tests {
    use super::*;

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
