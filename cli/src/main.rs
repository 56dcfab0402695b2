//! `driftline`: SageMaker Model Monitor-compatible baselines and drift analysis of Data Capture
//! files from the command line.
//!
//! Exit codes: 0 clean, 1 drift or constraint violations found, 2 error (bad arguments,
//! unreadable files). See `docs/cli.md`.
// Every unsafe block says why it is sound (`// SAFETY:`), checked by clippy.
#![deny(clippy::undocumented_unsafe_blocks)]

mod analyze;
use driftline_dataset as input;
mod quality;
mod shard;
mod table;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const MAIN_AFTER_HELP: &str = "\
Examples:
  # 1. Baseline from training data (headerless CSV: columns _c0, _c1, ...)
  driftline baseline train.csv -o baseline/
  # 2. Analyse captured traffic against it, with an HTML report
  driftline analyze --baseline baseline/ -o out/ --html capture/*.jsonl
  # 3. Re-render the HTML report later from the written files
  driftline report --baseline baseline/ --analysis out/ -o out/report.html

Exit codes (every subcommand):
  0  clean: no drift, no constraint violations
  1  drift or constraint violations found (analyze)
  2  error: bad arguments, unreadable or invalid input files

Output files use SageMaker Model Monitor's layouts (statistics.json, constraints.json,
constraint_violations.json), so they can be used with Model Monitor and vice versa.";

/// SageMaker Model Monitor-compatible data-quality baselines and drift analysis of Data
/// Capture files, on your machine.
#[derive(Debug, Parser)]
#[command(name = "driftline", version, after_help = MAIN_AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Profile training data (CSV, JSON Lines or Parquet) into statistics.json and
    /// constraints.json.
    Baseline(BaselineArgs),
    /// Profile one shard of a training set (a file, a byte range, Parquet row groups) into a
    /// shard profile, or merge shard profiles; `baseline --from-profiles` finishes the baseline.
    Profile(shard::ProfileArgs),
    /// Analyse Data Capture files against a baseline: statistics, violations, drift verdicts.
    Analyze(analyze::AnalyzeArgs),
    /// Re-render the HTML report from a baseline and an analysis directory.
    Report(ReportArgs),
    /// Model quality against ground truth: baseline a labelled dataset, or join ground truth
    /// with captured predictions and evaluate them.
    #[command(subcommand)]
    Quality(quality::QualityCommand),
}

const BASELINE_AFTER_HELP: &str = "\
Formats (chosen by extension, optionally followed by .gz; --format overrides):
  .csv          every field's type is inferred as Model Monitor does (Integral, Fractional,
                String); empty fields are missing. Without --header, columns are _c0, _c1, ...
  .jsonl .json  one JSON object (or array) per line, nested objects flattened to dotted
                names (a.b), array elements to their index (a.0); null is missing
  .parquet      typed columns; nested groups and lists flattened like JSON
Gzip input is detected by its magic bytes.

Examples:
  driftline baseline train.csv -o baseline/
  driftline baseline --header churn.csv -o baseline/
  driftline baseline features.parquet -o baseline/
  zcat data.jsonl.gz | driftline baseline --format jsonl /dev/stdin -o baseline/
  # a training set profiled in shards (see `driftline profile --help`), then merged:
  driftline baseline --from-profiles part-0.json part-1.json part-2.json -o baseline/";

#[derive(Debug, Args)]
#[command(after_help = BASELINE_AFTER_HELP)]
struct BaselineArgs {
    /// Training data file (CSV, JSON Lines or Parquet; gzip accepted).
    #[arg(required_unless_present = "from_profiles")]
    input: Option<PathBuf>,
    /// Merge these shard profiles (written by `driftline profile`, in data-set order) instead
    /// of reading a training file.
    #[arg(long, value_name = "PROFILE", num_args = 1.., conflicts_with_all = ["input", "header", "format"])]
    from_profiles: Vec<PathBuf>,
    /// Directory to write statistics.json and constraints.json into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// The CSV's first row holds the column names (else columns are _c0, _c1, ...).
    #[arg(long)]
    header: bool,
    /// Input format, when the file extension does not tell.
    #[arg(long, value_enum)]
    format: Option<input::Format>,
}

const REPORT_AFTER_HELP: &str = "\
Reads BASELINE/statistics.json, ANALYSIS/statistics.json and ANALYSIS/summary.json (as written
by `driftline analyze`) and writes one self-contained HTML page (no scripts, no network).

Example:
  driftline report --baseline baseline/ --analysis out/ -o report.html";

#[derive(Debug, Args)]
#[command(after_help = REPORT_AFTER_HELP)]
struct ReportArgs {
    /// Baseline directory (statistics.json). Optional: without it the report shows the
    /// current window only.
    #[arg(long, value_name = "DIR")]
    baseline: Option<PathBuf>,
    /// Directory written by `driftline analyze` (statistics.json, summary.json).
    #[arg(long, value_name = "DIR")]
    analysis: PathBuf,
    /// HTML file to write.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help / --version print to stdout and succeed; usage errors exit 2.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Baseline(a) => baseline(&a).map(|()| 0),
        Command::Profile(a) => shard::run(&a).map(|()| 0),
        Command::Analyze(a) => analyze::run(&a),
        Command::Report(a) => report(&a).map(|()| 0),
        Command::Quality(quality::QualityCommand::Baseline(a)) => quality::baseline(&a).map(|()| 0),
        Command::Quality(quality::QualityCommand::Analyze(a)) => quality::analyze(&a),
        Command::Quality(quality::QualityCommand::Profile(a)) => quality::profile(&a).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("driftline: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Writes `text` to `dir/name`.
fn write_file(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Reads a whole text file, naming it on error.
fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn baseline(a: &BaselineArgs) -> Result<()> {
    use driftline_stats::suggest;
    let (profile, what) = match a.input.as_deref() {
        Some(path) if a.from_profiles.is_empty() => {
            let format = match a.format.or_else(|| input::Format::from_path(path)) {
                Some(f) => f,
                None => anyhow::bail!(
                    "{}: cannot tell the format from the file name; pass --format csv|jsonl|parquet",
                    path.display()
                ),
            };
            if a.header && format != input::Format::Csv {
                eprintln!("driftline: note: --header only applies to CSV input; ignored");
            }
            let p = input::profile_file(path, format, a.header)?;
            (p, path.display().to_string())
        }
        _ => {
            let merged = shard::merge_files(&a.from_profiles)?;
            if merged.quality.is_some() {
                anyhow::bail!(
                    "these are labelled (model-quality) shard profiles: merge them with \
                     `driftline quality baseline --from-profiles`"
                );
            }
            let what = format!("{} shard profile(s)", merged.sources.len());
            (merged.profile, what)
        }
    };
    if profile.item_count() == 0 {
        anyhow::bail!("{what}: no records");
    }
    std::fs::create_dir_all(&a.output)
        .with_context(|| format!("cannot create {}", a.output.display()))?;
    let mut written = Vec::new();
    for (file, text) in suggest::baseline_documents(&profile) {
        written.push(write_file(&a.output, file, &text)?);
    }
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "driftline: {} records, {} features → {}",
        profile.item_count(),
        profile.features().len(),
        names.join(", ")
    );
    Ok(())
}

fn report(a: &ReportArgs) -> Result<()> {
    use driftline_stats::formats::statistics::Statistics;
    use driftline_stats::summary::Summary;
    let parse_stats = |p: PathBuf| -> Result<Statistics> {
        let text = read_text(&p)?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not a statistics.json", p.display()))
    };
    let current = parse_stats(a.analysis.join("statistics.json"))?;
    let summary_path = a.analysis.join("summary.json");
    let summary: Summary = serde_json::from_str(&read_text(&summary_path)?)
        .with_context(|| format!("{}: not a summary.json", summary_path.display()))?;
    let baseline = match &a.baseline {
        Some(dir) => Some(parse_stats(dir.join("statistics.json"))?),
        None => None,
    };
    let html = driftline_report::render_html(&driftline_report::ReportInput {
        summary: &summary,
        current: &current,
        baseline: baseline.as_ref(),
        history: &[],
    });
    std::fs::write(&a.output, html)
        .with_context(|| format!("cannot write {}", a.output.display()))?;
    eprintln!("driftline: wrote {}", a.output.display());
    Ok(())
}
