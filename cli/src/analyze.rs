//! `driftline analyze`: capture files → profile (streaming, bounded memory) → analysis against a
//! baseline → `statistics.json`, `constraint_violations.json`, `summary.json` (+ `report.html`)
//! and a table on the terminal.

use anyhow::{Context, Result};
use clap::Args;
use driftline_capture::profile::{profile_reader, CaptureProfile};
use driftline_capture::window::{
    apply_naming, ColumnNaming, ExamplePolicy, PartialProfile, Window,
};
use driftline_capture::{CaptureIndex, CaptureOptions, ColumnsPosition};
use driftline_stats::analysis::{Analysis, AnalysisOptions, Baseline};
use driftline_stats::values::ValueConstraints;
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{BufReader, IsTerminal, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "\
Input: SageMaker Data Capture JSON Lines files (endpointInput / endpointOutput with CSV, JSON
or BASE64 encoding; batch-transform outputs), plain or gzip. Columns are the output columns
then the input columns (--output-columns end reverses), named as in the baseline. Bad lines
(malformed JSON, bad BASE64, wrong column count, ...) never stop the run: they are counted by
kind, a few examples (file, line, reason) go into summary.json, and they surface as a data
quality violation.

Writes into DIR: statistics.json and constraint_violations.json (Model Monitor layouts),
summary.json (records, malformed_records, drift_detected, per-feature drift figures and
verdicts), and report.html with --html. Prints a table of the features on stdout.

Exit codes:
  0  no drift and no constraint violations (also: too few records for a verdict)
  1  drift detected or constraint violations found
  2  error: bad arguments, unreadable baseline or capture file (named in the message)

Examples:
  driftline analyze --baseline baseline/ -o out/ capture/*.jsonl
  driftline analyze --baseline baseline/ -o out/ --html --min-records 1 sample.jsonl
  driftline analyze --baseline baseline/ -o out/ data.jsonl.gz || echo \"drift: $?\"";

/// Arguments of `driftline analyze`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct AnalyzeArgs {
    /// Baseline directory holding statistics.json and constraints.json (as written by
    /// `driftline baseline` or a Model Monitor baselining job). Without constraints.json the
    /// constraints are suggested from the statistics.
    #[arg(long, value_name = "DIR")]
    baseline: PathBuf,
    /// Directory to write the results into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Also write a self-contained HTML report (report.html).
    #[arg(long)]
    html: bool,
    /// Data Capture files (JSON Lines, optionally gzip); their profiles merge into one window.
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Fewer records than this give status insufficient_data and no drift verdict.
    #[arg(long, value_name = "N", default_value_t = 100)]
    min_records: u64,
    /// Overrides of the drift decision policy, a comma list of key=value (e.g.
    /// `alpha=0.005,weight_scale=0`; keys and defaults in docs/drift-policy.md), as
    /// analyze-capture's DRIFT_POLICY.
    #[arg(long, value_name = "KEY=VALUE,...", default_value = "")]
    drift_policy: String,
    /// Where the endpoint's output columns go: before the input columns (start, Model
    /// Monitor's default) or after them (end).
    #[arg(long, value_enum, default_value_t = Position::Start)]
    output_columns: Position,
    /// Which sides of each endpoint capture record are analysed, a comma list of
    /// endpointInput and endpointOutput (Model Monitor's captureIndexNames). endpointInput
    /// for a baseline of the training features alone.
    #[arg(long, value_name = "SIDES", default_value_t = CaptureIndex::BOTH)]
    capture_index: CaptureIndex,
    /// How capture columns are named. auto: CSV captures (headerless) take the baseline's
    /// names by position when the baseline has named columns, JSON captures keep their JSON
    /// paths (e.g. features.0), decided per file on its first record (analyze-capture uses
    /// the same rule); baseline: always the baseline's names by position (every row must then
    /// have exactly that many columns); capture: _c0, _c1, ... for CSV, JSON paths for JSON.
    #[arg(long, value_enum, default_value_t = Names::Auto)]
    column_names: Names,
    /// Capture lines longer than this many bytes are counted as faults and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = 1_048_576)]
    max_line_bytes: usize,
    /// Threads per uncompressed capture file of at least 64 MiB: the file is split at line
    /// boundaries, the parts are profiled in parallel and merged (0 = one per core, at most 8).
    /// Verdicts do not depend on it; the sketches in statistics.json do, slightly (KLL merges).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Smallest file split across threads (testing aid).
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20, hide = true)]
    split_bytes: u64,
    /// Never draw a progress bar (it is drawn only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    /// Do not print the feature table.
    #[arg(short, long)]
    quiet: bool,
}

/// `--column-names` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Names {
    /// Baseline names for CSV captures, JSON paths for JSON captures.
    Auto,
    /// The baseline's names, by position.
    Baseline,
    /// Positional `_cN` (CSV) or JSON paths.
    Capture,
}

/// `--output-columns` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Position {
    /// Output columns first (Model Monitor's default).
    Start,
    /// Output columns last.
    End,
}

/// Reads `dir/statistics.json` and (if present) `dir/constraints.json`.
fn read_baseline(dir: &std::path::Path) -> Result<Baseline> {
    let sp = dir.join("statistics.json");
    let stats = crate::read_text(&sp)?;
    let cp = dir.join("constraints.json");
    let constraints = if cp.exists() {
        Some(crate::read_text(&cp)?)
    } else {
        None
    };
    Baseline::from_json(&stats, constraints.as_deref())
        .with_context(|| format!("invalid baseline in {}", dir.display()))
}

/// Reads `dir/driftline-constraints.json` when present (value ranges and domains; without it
/// they come from the baseline statistics).
fn read_values(dir: &std::path::Path) -> Result<Option<ValueConstraints>> {
    let p = dir.join(driftline_stats::values::FILE_NAME);
    if !p.exists() {
        return Ok(None);
    }
    let text = crate::read_text(&p)?;
    ValueConstraints::from_json(&text)
        .map(Some)
        .with_context(|| format!("invalid value constraints in {}", p.display()))
}

/// Capture reader options from the arguments and the baseline (the shared naming rule,
/// [`driftline_capture::window::apply_naming`]).
fn capture_options(a: &AnalyzeArgs, baseline: &Baseline) -> CaptureOptions {
    let mut opts = CaptureOptions {
        max_line_bytes: a.max_line_bytes,
        max_records: u64::MAX,
        output_columns_position: match a.output_columns {
            Position::Start => ColumnsPosition::Start,
            Position::End => ColumnsPosition::End,
        },
        capture_index: a.capture_index,
        ..CaptureOptions::default()
    };
    let naming = match a.column_names {
        Names::Auto => ColumnNaming::Auto,
        Names::Baseline => ColumnNaming::Baseline,
        Names::Capture => ColumnNaming::Capture,
    };
    apply_naming(&mut opts, naming, Some(&baseline.statistics));
    opts
}

/// A reader that advances a progress bar by the bytes read (compressed bytes for gzip).
struct Progress<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// A `BufRead` over a mapped byte range that hands it out in 1 MiB slices, advances a
/// progress bar by the bytes consumed and unmaps what it has consumed every 8 MiB (the file
/// pages stay in the page cache; the process's resident set stays small).
struct SliceProgress<'a> {
    map: &'a memmap2::Mmap,
    /// `map[base..]`, the range being read.
    data: &'a [u8],
    base: usize,
    pos: usize,
    /// Bytes of `data` already released.
    released: usize,
    bar: ProgressBar,
}

impl SliceProgress<'_> {
    const CHUNK: usize = 1 << 20;
    const RELEASE: usize = 8 << 20;
    const PAGE: usize = 4096;

    /// Drops the mapping of the whole pages consumed since the last release.
    fn release(&mut self) {
        let from = (self.base + self.released).next_multiple_of(Self::PAGE);
        let to = (self.base + self.pos) / Self::PAGE * Self::PAGE;
        if to > from {
            // SAFETY: the pages before `pos` are never read again through `data` (fill_buf
            // only hands out `data[pos..]`); for a read-only file mapping MADV_DONTNEED only
            // drops the page table entries, a later access would read the file again.
            // Failure is harmless (the pages just stay mapped).
            let _ = unsafe {
                self.map
                    .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from)
            };
            self.released = to - self.base;
        }
    }
}

impl Read for SliceProgress<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let avail = std::io::BufRead::fill_buf(self)?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        std::io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl std::io::BufRead for SliceProgress<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let end = self.pos.saturating_add(Self::CHUNK).min(self.data.len());
        Ok(&self.data[self.pos..end])
    }
    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.data.len() - self.pos);
        self.pos += amt;
        self.bar.inc(amt as u64);
        if self.pos - self.released >= Self::RELEASE {
            self.release();
        }
    }
}

/// Byte offsets `[start, end)` splitting `path` into up to `n` parts at line boundaries.
fn split_points(path: &Path, size: u64, n: usize) -> Result<Vec<(u64, u64)>> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut cuts = vec![0u64];
    let mut buf = vec![0u8; 64 * 1024];
    for i in 1..n as u64 {
        let mut pos = (size / n as u64 * i).max(*cuts.last().unwrap_or(&0));
        file.seek(SeekFrom::Start(pos))
            .with_context(|| format!("cannot read {}", path.display()))?;
        // The cut goes just after the next newline.
        let cut = loop {
            let got = file
                .read(&mut buf)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if got == 0 {
                break size;
            }
            if let Some(j) = buf[..got].iter().position(|&b| b == b'\n') {
                break pos + j as u64 + 1;
            }
            pos += got as u64;
        };
        if cut < size && cut > *cuts.last().unwrap_or(&0) {
            cuts.push(cut);
        }
    }
    cuts.push(size);
    Ok(cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

fn is_gzip(path: &Path) -> Result<bool> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match file.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!("cannot read {}", path.display())))
            }
        }
    }
    Ok(got == 2 && magic == [0x1f, 0x8b])
}

/// Profiles bytes `[start, end)` of a file.
fn profile_part(
    path: &Path,
    range: Option<(u64, u64)>,
    opts: &CaptureOptions,
    bar: &ProgressBar,
) -> Result<CaptureProfile> {
    let name = path.display().to_string();
    let mut file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    // A plain file is mapped and parsed in place: no kernel copy into a read buffer. Gzip is
    // decompressed from the map as a stream. Files that cannot be mapped (empty files, pipes,
    // special files) are read.
    // SAFETY: the map is only read; a file truncated or rewritten by another process while we
    // read it can fault or change the bytes we see, the same hazard as every mmap reader
    // (`grep`, `ripgrep`); driftline reads capture files that are no longer written.
    if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
        let (start, end) = range.unwrap_or((0, map.len() as u64));
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(map.len());
        let end = usize::try_from(end)
            .unwrap_or(usize::MAX)
            .clamp(start, map.len());
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        let reader = SliceProgress {
            map: &map,
            data: &map[start..end],
            base: start,
            pos: 0,
            released: 0,
            bar: bar.clone(),
        };
        return profile_reader(reader, &name, opts).with_context(|| format!("reading {name}"));
    }
    let reader: Box<dyn Read + Send> = match range {
        Some((start, end)) => {
            file.seek(SeekFrom::Start(start))
                .with_context(|| format!("cannot read {name}"))?;
            Box::new(file.take(end - start))
        }
        None => Box::new(file),
    };
    let reader = BufReader::with_capacity(
        256 * 1024,
        Progress {
            inner: reader,
            bar: bar.clone(),
        },
    );
    profile_reader(reader, &name, opts).with_context(|| format!("reading {name}"))
}

/// Profiles every file into one window.
fn profile_files(a: &AnalyzeArgs, opts: &CaptureOptions) -> Result<Window> {
    let mut total = 0u64;
    let mut sizes = Vec::new();
    for f in &a.files {
        let md = std::fs::metadata(f).with_context(|| format!("cannot open {}", f.display()))?;
        if md.is_dir() {
            anyhow::bail!("{} is a directory, not a capture file", f.display());
        }
        total += md.len();
        sizes.push(md.len());
    }
    let bar = if !a.no_progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    } else {
        ProgressBar::hidden()
    };
    let threads = match a.threads {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8),
        n => n,
    };
    let policy = ExamplePolicy::of(opts);
    let mut window = Window::with_policy(policy);
    for (f, &size) in a.files.iter().zip(&sizes) {
        let parts: Vec<CaptureProfile> = if threads > 1 && size >= a.split_bytes && !is_gzip(f)? {
            let ranges = split_points(f, size, threads)?;
            std::thread::scope(|scope| {
                let handles: Vec<_> = ranges
                    .iter()
                    .map(|&r| {
                        let bar = &bar;
                        scope.spawn(move || profile_part(f, Some(r), opts, bar))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(anyhow::anyhow!("a worker thread panicked")))
                    })
                    .collect::<Result<Vec<CaptureProfile>>>()
            })?
        } else {
            vec![profile_part(f, None, opts, &bar)?]
        };
        let source = f.display().to_string();
        if let Some(p) = PartialProfile::from_parts(&source, parts, policy) {
            window.add(&p);
        }
    }
    bar.finish_and_clear();
    if window.sources.is_empty() {
        anyhow::bail!("no capture files given");
    }
    Ok(window)
}

/// Runs `driftline analyze`; returns the exit code (0 clean, 1 drift or violations).
pub fn run(a: &AnalyzeArgs) -> Result<u8> {
    let baseline = read_baseline(&a.baseline)?;
    let opts = capture_options(a, &baseline);
    let window = profile_files(a, &opts)?;
    let policy = driftline_stats::drift::PolicyConfig::default()
        .with_overrides(&a.drift_policy)
        .map_err(|e| anyhow::anyhow!("--drift-policy {:?}: {e}", a.drift_policy))?;
    let analysis_opts = AnalysisOptions {
        min_records: a.min_records,
        policy,
        values: read_values(&a.baseline)?.map(std::sync::Arc::new),
        ..AnalysisOptions::default()
    };
    let analysis = window.analyze(Some(&baseline), &analysis_opts);
    write_outputs(a, &baseline, &analysis)?;
    if !a.quiet {
        print!("{}", crate::table::render(&analysis.summary));
    }
    let s = &analysis.summary;
    Ok(if s.drift_detected || s.violation_count > 0 {
        1
    } else {
        0
    })
}

fn write_outputs(a: &AnalyzeArgs, baseline: &Baseline, analysis: &Analysis) -> Result<()> {
    std::fs::create_dir_all(&a.output)
        .with_context(|| format!("cannot create {}", a.output.display()))?;
    crate::write_file(&a.output, "statistics.json", &analysis.statistics_json())?;
    crate::write_file(
        &a.output,
        "constraint_violations.json",
        &analysis.violations_json(),
    )?;
    crate::write_file(&a.output, "summary.json", &analysis.summary_json())?;
    if a.html {
        let html = driftline_report::render_html(&driftline_report::ReportInput {
            summary: &analysis.summary,
            current: &analysis.statistics,
            baseline: Some(&baseline.statistics),
            history: &[],
        });
        crate::write_file(&a.output, "report.html", &html)?;
    }
    Ok(())
}
