//! Cells: the numeric check of supplied numeric columns, with the one Deequ classifier
//! ([`driftline_stats::profile::classify_raw`]).

use super::*;
use driftline_stats::profile::{classify_raw, RawKind};

pub(super) fn check_numeric_cells(
    numeric: &[bool],
    schema: &Schema,
    cells: &[Cell<'_>],
    report: &mut FaultReport,
    source: &str,
    line: u64,
) {
    for (j, c) in cells.iter().enumerate() {
        if !numeric.get(j).copied().unwrap_or(false) {
            continue;
        }
        let bad = match c {
            Cell::Raw(s) | Cell::Str(s) => (!is_deequ_numeric(s)).then(|| s.to_string()),
            Cell::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        if let Some(v) = bad {
            let name = schema.names().get(j).map(String::as_str).unwrap_or("?");
            report.record_non_numeric(name, source, line, &v);
        }
    }
}

/// Deequ's Integral `^(-|\+)? ?\d+$` or Fractional
/// `^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$` — the same classifier the profile uses
/// ([`classify_raw`]), so the numeric check and the profile's type inference cannot disagree.
pub fn is_deequ_numeric(s: &str) -> bool {
    !matches!(classify_raw(s), RawKind::String)
}
