//! `driftline quality baseline` and `driftline quality analyze`: model quality (model drift)
//! against ground truth, with the engine evaluate-quality runs (`driftline_capture::quality`,
//! `driftline_stats::quality`).

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use driftline_capture::ground_truth::read_ground_truth_refs;
use driftline_capture::parser::{CaptureParser, EventMeta, RowSink};
use driftline_capture::predictions::{Attribute, PredictionExtractor, PredictionSpec};
use driftline_capture::quality::{estimate_prediction, Join};
use driftline_capture::schema::Schema;
use driftline_capture::{CaptureOptions, ColumnsPosition};
use driftline_dataset::labelled::{LabelSpec, LabelledSink};
use driftline_dataset::Format;
use driftline_stats::profile::{Cell, DatasetProfile};
use driftline_stats::quality::analysis::{analyze_quality, QualityBaseline, QualityOptions};
use driftline_stats::quality::estimate::{Calibration, EstimateState, EstimatedQuality};
use driftline_stats::quality::state::{ProblemType, QualityState};
use driftline_stats::shard::ShardProfile;
use std::path::{Path, PathBuf};

/// `driftline quality …`
#[derive(Debug, Subcommand)]
pub enum QualityCommand {
    /// Baseline a labelled dataset (CSV): statistics.json, constraints.json (and, for binary
    /// problems with a probability column, calibration.json for estimates before labels).
    Baseline(BaselineArgs),
    /// Join ground truth with captured predictions and evaluate them against a baseline.
    Analyze(AnalyzeArgs),
    /// Profile one shard of a labelled dataset (merge with `quality baseline --from-profiles`).
    Profile(ProfileArgs),
}

/// `--problem-type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Problem {
    /// BinaryClassification (labels 0/1).
    Binary,
    /// MulticlassClassification.
    Multiclass,
    /// Regression.
    Regression,
}

impl From<Problem> for ProblemType {
    fn from(p: Problem) -> Self {
        match p {
            Problem::Binary => ProblemType::BinaryClassification,
            Problem::Multiclass => ProblemType::MulticlassClassification,
            Problem::Regression => ProblemType::Regression,
        }
    }
}

const BASELINE_AFTER_HELP: &str = "\
The dataset has one row per example: the ground truth, the model's prediction and, for
binary problems, optionally its probability. CSV (columns named with --header, else given as
0-based indexes), JSON Lines (flattened names: a.b) or Parquet; gzip accepted.

A dataset too big for one pass is profiled in shards with `driftline quality profile` (same
column flags), then merged here with --from-profiles: the same files as one pass (counts and
confusion matrices exact, AUC within its sketch bound, the same calibration).

Examples:
  driftline quality baseline validation.csv --header -o mq-baseline/ --problem-type binary \\
      --ground-truth-attribute Label --probability-attribute Prediction
  driftline quality baseline preds.csv -o mq/ --problem-type regression \\
      --ground-truth-attribute 0 --inference-attribute 1
  driftline quality baseline --from-profiles part-0.json part-1.json -o mq-baseline/";

/// Where the labelled dataset keeps the ground truth and the prediction.
#[derive(Debug, Args)]
pub struct LabelArgs {
    /// The problem type.
    #[arg(long, value_enum)]
    problem_type: Option<Problem>,
    /// Column of the ground truth (name, else 0-based index).
    #[arg(long, value_name = "COL")]
    ground_truth_attribute: Option<String>,
    /// Column of the predicted label (or value, for regression).
    #[arg(long, value_name = "COL")]
    inference_attribute: Option<String>,
    /// Column of the probability of class 1 (binary).
    #[arg(long, value_name = "COL")]
    probability_attribute: Option<String>,
    /// Probability from which the predicted label is 1, when there is no inference attribute.
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    probability_threshold: f64,
}

impl LabelArgs {
    fn spec(&self) -> Result<LabelSpec> {
        let Some(problem) = self.problem_type else {
            bail!("give --problem-type");
        };
        let Some(gt) = self.ground_truth_attribute.as_deref() else {
            bail!("give --ground-truth-attribute");
        };
        let problem: ProblemType = problem.into();
        if self.inference_attribute.is_none() && self.probability_attribute.is_none() {
            bail!("give --inference-attribute or --probability-attribute (or both)");
        }
        if problem != ProblemType::BinaryClassification && self.inference_attribute.is_none() {
            bail!(
                "--inference-attribute is required for {} problems",
                problem.as_str()
            );
        }
        let mut spec = LabelSpec::new(problem, gt);
        spec.inference_attribute = self.inference_attribute.clone();
        spec.probability_attribute = self.probability_attribute.clone();
        spec.probability_threshold = self.probability_threshold;
        spec.validate()?;
        Ok(spec)
    }
}

/// Arguments of `driftline quality baseline`.
#[derive(Debug, Args)]
#[command(after_help = BASELINE_AFTER_HELP)]
pub struct BaselineArgs {
    /// Labelled dataset (CSV, JSON Lines or Parquet; gzip accepted).
    #[arg(required_unless_present = "from_profiles")]
    input: Option<PathBuf>,
    /// Merge these labelled shard profiles (`driftline quality profile`) instead of reading
    /// a dataset.
    #[arg(long, value_name = "PROFILE", num_args = 1.., conflicts_with_all = ["input", "header", "format"])]
    from_profiles: Vec<PathBuf>,
    /// Directory to write statistics.json, constraints.json (and calibration.json) into.
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    #[command(flatten)]
    labels: LabelArgs,
    #[command(flatten)]
    read: ReadArgs,
}

/// How a labelled dataset file is read.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The CSV's first row holds the column names.
    #[arg(long)]
    header: bool,
    /// Input format (default: from the extension, else CSV).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

const PROFILE_AFTER_HELP: &str = "\
One shard of a labelled dataset (a file, a byte range of a CSV or JSON Lines file, Parquet row
groups) into a labelled shard profile; `driftline quality baseline --from-profiles` merges
them (merge trees: `driftline profile --from-profiles`). Rows pick their subsamples (the
metrics' standard deviations) by their content, so any sharding gives the one-pass figures.

Example:
  driftline quality profile val.csv --header --byte-range 0..1048576 -o part-0.json \\
      --problem-type binary --ground-truth-attribute Label --probability-attribute Prediction";

/// Arguments of `driftline quality profile`.
#[derive(Debug, Args)]
#[command(after_help = PROFILE_AFTER_HELP)]
pub struct ProfileArgs {
    /// Labelled dataset file or shard.
    input: PathBuf,
    /// Shard profile file to write.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    labels: LabelArgs,
    #[command(flatten)]
    read: ReadArgs,
    /// Only the lines that start at a byte offset in START..END (CSV and JSON Lines).
    #[arg(long, value_name = "START..END", value_parser = crate::shard::parse_range)]
    byte_range: Option<[u64; 2]>,
    /// Only these Parquet row groups (indices from 0, comma separated).
    #[arg(long, value_name = "N,...", value_delimiter = ',')]
    row_groups: Option<Vec<usize>>,
}

/// The format of a labelled dataset: `--format`, else the extension, else CSV (the only
/// format this command read before shards).
fn format_of(path: &Path, format: Option<Format>) -> Format {
    format
        .or_else(|| Format::from_path(path))
        .unwrap_or(Format::Csv)
}

/// Reads a labelled shard (or whole file) into a labelled shard profile.
fn labelled_shard(
    path: &Path,
    labels: &LabelArgs,
    read: &ReadArgs,
    range: Option<[u64; 2]>,
    row_groups: Option<&[usize]>,
) -> Result<ShardProfile> {
    let spec = labels.spec()?;
    let mut sink = LabelledSink::new(&spec)?;
    let format = format_of(path, read.format);
    let source = crate::shard::read_shard(
        path,
        Some(format),
        read.header,
        range,
        row_groups,
        &mut sink,
    )?;
    let (records, partial) = sink.finish();
    let mut profile = DatasetProfile::new();
    profile.add_records(records);
    Ok(ShardProfile::labelled(profile, partial, source))
}

/// Runs `driftline quality profile`.
pub fn profile(a: &ProfileArgs) -> Result<()> {
    let shard = labelled_shard(
        &a.input,
        &a.labels,
        &a.read,
        a.byte_range,
        a.row_groups.as_deref(),
    )?;
    let text = shard.to_json().context("cannot serialise the profile")?;
    std::fs::write(&a.output, text)
        .with_context(|| format!("cannot write {}", a.output.display()))?;
    eprintln!(
        "driftline: {} labelled rows → {}",
        shard.profile.item_count(),
        a.output.display()
    );
    Ok(())
}

/// Runs `driftline quality baseline`.
pub fn baseline(a: &BaselineArgs) -> Result<()> {
    let (shard, what) = match a.input.as_deref() {
        Some(path) if a.from_profiles.is_empty() => (
            labelled_shard(path, &a.labels, &a.read, None, None)?,
            path.display().to_string(),
        ),
        _ => {
            let merged = crate::shard::merge_files(&a.from_profiles)?;
            let what = format!("{} shard profile(s)", merged.sources.len());
            (merged, what)
        }
    };
    let Some(partial) = shard.quality.as_ref() else {
        bail!(
            "{what}: these shard profiles have no labels (written by `driftline profile`); \
             profile the labelled dataset with `driftline quality profile`"
        );
    };
    let problem = partial.state.problem_type;
    if let Some(p) = a.labels.problem_type {
        if ProblemType::from(p) != problem {
            bail!(
                "--problem-type {} but the shard profiles are {}",
                ProblemType::from(p).as_str(),
                problem.as_str()
            );
        }
    }
    if partial.state.count() == 0 {
        bail!("{what}: no rows");
    }
    std::fs::create_dir_all(&a.output)
        .with_context(|| format!("cannot create {}", a.output.display()))?;
    for (file, text) in partial.documents() {
        crate::write_file(&a.output, file, &text)?;
    }
    eprintln!(
        "driftline: {} labelled rows, {} → {}",
        partial.state.count(),
        problem.as_str(),
        a.output.display()
    );
    Ok(())
}

const ANALYZE_AFTER_HELP: &str = "\
Reads the ground-truth files (groundTruthData records, as Model Monitor's ground-truth input), then
streams the capture files past them: each label is joined with the prediction of the same
eventMetadata.inferenceId (else eventId). The attributes say where the prediction is in the
endpoint's output: a column index for CSV outputs (0 = first output column), a path for JSON
outputs (score, predictions.0.score, $.score).

Writes into DIR: statistics.json and constraint_violations.json (Model Monitor's model-quality
layouts) and summary.json (matched, unmatched_labels, predictions_without_label, the metrics
with their baselines and driftline's degraded verdict).

Exit codes: 0 no violation, 1 violations (or degraded), 2 error.

Example:
  driftline quality analyze --baseline mq-baseline/ --problem-type binary \\
      --probability-attribute 0 --capture capture/*.jsonl --ground-truth labels/*.jsonl -o out/";

/// Arguments of `driftline quality analyze`.
#[derive(Debug, Args)]
#[command(after_help = ANALYZE_AFTER_HELP)]
pub struct AnalyzeArgs {
    /// Model-quality baseline directory (constraints.json, statistics.json, calibration.json).
    #[arg(long, value_name = "DIR")]
    baseline: Option<PathBuf>,
    /// Data Capture files holding the predictions.
    #[arg(long, value_name = "FILE", num_args = 1.., required = true)]
    capture: Vec<PathBuf>,
    /// Ground-truth files.
    #[arg(long, value_name = "FILE", num_args = 1.., required = true)]
    ground_truth: Vec<PathBuf>,
    /// Directory to write the results into.
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// The problem type (default: the baseline's).
    #[arg(long, value_enum)]
    problem_type: Option<Problem>,
    /// Where the predicted label is in the output (CSV column index or JSON path).
    #[arg(long, value_name = "ATTR")]
    inference_attribute: Option<String>,
    /// Where the probability is in the output.
    #[arg(long, value_name = "ATTR")]
    probability_attribute: Option<String>,
    /// Probability from which the predicted label is 1.
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    probability_threshold: f64,
    /// Fewer labelled pairs than this: insufficient_data, no verdict.
    #[arg(long, value_name = "N", default_value_t = 50)]
    min_labels: u64,
    /// Also write report.html.
    #[arg(long)]
    html: bool,
}

/// Offers every row's prediction to the join.
struct JoinSink<'a> {
    extractor: PredictionExtractor,
    join: &'a mut Join,
    predictions: u64,
    /// The baseline's calibration and the estimate of every prediction seen (binary).
    estimate: Option<(&'a Calibration, &'a mut EstimateState)>,
    threshold: f64,
}

impl RowSink for JoinSink<'_> {
    fn row(&mut self, meta: &EventMeta<'_>, schema: &Schema, cells: &[Cell<'_>]) {
        if let Some(p) = self.extractor.extract(meta, schema, cells) {
            self.predictions += 1;
            if let Some((cal, state)) = self.estimate.as_mut() {
                estimate_prediction(state, cal, p.label.as_deref(), p.score, self.threshold);
            }
            self.join.offer(&p, 0);
        }
    }
}

fn read_baseline(dir: &Path) -> Result<QualityBaseline> {
    let read = |name: &str| -> Result<Option<String>> {
        let p = dir.join(name);
        if p.exists() {
            Ok(Some(crate::read_text(&p)?))
        } else {
            Ok(None)
        }
    };
    QualityBaseline::from_json(
        read("statistics.json")?.as_deref(),
        read("constraints.json")?.as_deref(),
        read("calibration.json")?.as_deref(),
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))
}

/// Runs `driftline quality analyze`; returns the exit code.
pub fn analyze(a: &AnalyzeArgs) -> Result<u8> {
    let baseline = a.baseline.as_deref().map(read_baseline).transpose()?;
    let problem: ProblemType = match (a.problem_type, &baseline) {
        (Some(p), Some(b)) if ProblemType::from(p) != b.problem_type() => bail!(
            "--problem-type {} but the baseline is {}",
            ProblemType::from(p).as_str(),
            b.problem_type().as_str()
        ),
        (Some(p), _) => p.into(),
        (None, Some(b)) => b.problem_type(),
        (None, None) => bail!("give --problem-type (or --baseline)"),
    };
    let spec = PredictionSpec {
        inference: a.inference_attribute.as_deref().and_then(Attribute::parse),
        probability: a
            .probability_attribute
            .as_deref()
            .and_then(Attribute::parse),
        threshold: a.probability_threshold,
    };
    let spec = if spec.inference.is_none() && spec.probability.is_none() {
        PredictionSpec::default()
    } else {
        spec
    };
    let opts = CaptureOptions {
        output_columns_position: ColumnsPosition::Start,
        ..CaptureOptions::default()
    };
    let mut join = Join::new(problem, a.probability_threshold, "ground truth");
    let mut gt_faults = driftline_stats::summary::Faults::default();
    for f in &a.ground_truth {
        let mut r = crate::input::open_maybe_gzip(f)?;
        let read = read_ground_truth_refs(&mut r, &f.display().to_string(), &opts, |rec| {
            join.add_label_ref(rec)
        })
        .with_context(|| format!("reading {}", f.display()))?;
        driftline_capture::window::merge_faults(
            &mut gt_faults,
            &read.faults.to_faults(),
            0,
            Default::default(),
        );
    }
    let mut predictions = 0u64;
    let calibration = baseline
        .as_ref()
        .filter(|_| problem == ProblemType::BinaryClassification)
        .and_then(|b| b.calibration.as_ref());
    let mut estimate = EstimateState::default();
    for f in &a.capture {
        let name = f.display().to_string();
        let mut parser = CaptureParser::new(&name, &opts)?;
        let mut sink = JoinSink {
            extractor: PredictionExtractor::new(spec.clone()),
            join: &mut join,
            predictions: 0,
            estimate: calibration.map(|c| (c, &mut estimate)),
            threshold: a.probability_threshold,
        };
        let mut r = crate::input::open_maybe_gzip(f)?;
        parser
            .read_auto(&mut r, &mut sink)
            .with_context(|| format!("reading {name}"))?;
        predictions += sink.predictions;
    }
    let result = join.finish();
    let mut state = QualityState::new(problem);
    for w in result.windows.values() {
        state.merge(w).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let qopts = QualityOptions {
        min_labels: a.min_labels,
        ..QualityOptions::default()
    };
    let mut analysis = analyze_quality(&state, baseline.as_ref(), &qopts);
    analysis.summary.predictions = Some(predictions);
    analysis.summary.predictions_without_label = Some(predictions.saturating_sub(result.matched));
    analysis.summary.unmatched_labels = result.unmatched;
    analysis.summary.estimated = EstimatedQuality::of(&estimate);
    let mut faults = gt_faults;
    driftline_capture::window::merge_faults(&mut faults, &result.faults, 0, Default::default());
    analysis.summary.faults = faults;
    analysis.summary.label_sources = a
        .ground_truth
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    std::fs::create_dir_all(&a.output)
        .with_context(|| format!("cannot create {}", a.output.display()))?;
    crate::write_file(&a.output, "statistics.json", &analysis.statistics.to_json())?;
    crate::write_file(
        &a.output,
        "constraint_violations.json",
        &analysis.violations.to_json(),
    )?;
    crate::write_file(&a.output, "summary.json", &analysis.summary_json())?;
    if a.html {
        let html = driftline_report::render_quality_html(&analysis.summary, &analysis.statistics);
        crate::write_file(&a.output, "report.html", &html)?;
    }
    let s = &analysis.summary;
    eprintln!(
        "driftline: {} labels, {} matched, {} without prediction, {} predictions without label; status {:?}, {} violation(s)",
        result.labels, s.matched, s.unmatched_labels, s.predictions_without_label.unwrap_or(0), s.status, s.violation_count
    );
    for m in &s.metrics {
        if m.violated {
            eprintln!(
                "  {}: {:.4} (threshold {} {}){}",
                m.name,
                m.value,
                m.comparison_operator.as_deref().unwrap_or(""),
                m.threshold.map(|t| format!("{t:.4}")).unwrap_or_default(),
                if m.degraded { " DEGRADED" } else { "" }
            );
        }
    }
    Ok(if s.violation_count > 0 || s.degraded {
        1
    } else {
        0
    })
}
