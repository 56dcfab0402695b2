//! Line and record counts of one read.

/// Line and record counts of one read. Always `lines == valid_lines + malformed_lines +
/// skipped_lines()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CaptureStats {
    /// Lines seen (a last line without `\n` counts; an over-long line counts once).
    pub lines: u64,
    /// Lines that produced rows.
    pub valid_lines: u64,
    /// Lines counted as faults (see [`crate::fault::FaultKind::is_line_fault`]).
    pub malformed_lines: u64,
    /// Blank lines.
    pub blank_lines: u64,
    /// Shadow-traffic lines skipped.
    pub shadow_lines: u64,
    /// Lines after the record limit, counted but not parsed.
    pub over_limit_lines: u64,
    /// Rows handed to the sink (one line may hold several).
    pub rows: u64,
    /// Bytes of input seen (after decompression).
    pub bytes: u64,
    /// Earliest inference time seen (ms since the epoch).
    pub min_inference_time_ms: Option<i64>,
    /// Latest inference time seen (ms since the epoch).
    pub max_inference_time_ms: Option<i64>,
}

impl CaptureStats {
    /// Lines skipped without a fault.
    pub fn skipped_lines(&self) -> u64 {
        self.blank_lines + self.shadow_lines + self.over_limit_lines
    }

    /// Adds another read's counts (a window of files).
    pub fn merge(&mut self, o: &CaptureStats) {
        self.lines += o.lines;
        self.valid_lines += o.valid_lines;
        self.malformed_lines += o.malformed_lines;
        self.blank_lines += o.blank_lines;
        self.shadow_lines += o.shadow_lines;
        self.over_limit_lines += o.over_limit_lines;
        self.rows += o.rows;
        self.bytes += o.bytes;
        self.min_inference_time_ms = min_opt(self.min_inference_time_ms, o.min_inference_time_ms);
        self.max_inference_time_ms = max_opt(self.max_inference_time_ms, o.max_inference_time_ms);
    }
}

pub(super) fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub(super) fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}
