//! CSV-only records (the hot path): column layout by widths, the one-row fast split.

use super::*;

impl Core {
    /// CSV-only record: the hot path.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn csv_record<S: RowSink + ?Sized>(
        &mut self,
        meta: &MetaOwned<'_>,
        input: Option<&str>,
        output: Option<&str>,
        csv_in: &mut CsvRows,
        csv_out: &mut CsvRows,
        cells_buf: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        if let Some(o) = self.csv_single_row(meta, input, output, cells_buf, sink) {
            return o;
        }
        let in_p = input.unwrap_or("");
        let out_p = output.unwrap_or("");
        if input.is_some() {
            csvsplit::split(in_p, csv_in).map_err(|_| {
                (
                    FaultKind::MalformedPayload,
                    "endpointInput: unterminated quote in CSV".to_string(),
                )
            })?;
        } else {
            csv_in.clear();
        }
        if output.is_some() {
            csvsplit::split(out_p, csv_out).map_err(|_| {
                (
                    FaultKind::MalformedPayload,
                    "endpointOutput: unterminated quote in CSV".to_string(),
                )
            })?;
        } else {
            csv_out.clear();
        }
        let n = match (input.is_some(), output.is_some()) {
            (true, true) => {
                if csv_in.rows.len() != csv_out.rows.len() {
                    return Err((
                        FaultKind::RowCountMismatch,
                        format!(
                            "endpointInput has {} CSV rows but endpointOutput has {}",
                            csv_in.rows.len(),
                            csv_out.rows.len()
                        ),
                    ));
                }
                csv_in.rows.len()
            }
            (true, false) => csv_in.rows.len(),
            _ => csv_out.rows.len(),
        };
        // Validate every row's width before emitting any.
        for i in 0..n {
            let out_w = if output.is_some() {
                csv_out.width(i)
            } else {
                0
            };
            let in_w = if input.is_some() { csv_in.width(i) } else { 0 };
            self.csv_layout_for(out_w, in_w, i)?;
        }
        let Some(layout) = &self.csv_layout else {
            return Ok(LineOutcome::Valid { rows: 0 });
        };
        let start = self.opts.output_columns_position == ColumnsPosition::Start;
        let width = self.schema.len();
        // JSON records may have added columns since the layout was made.
        let identity = layout.identity && layout.map.len() == width;
        let check_numeric = !self.numeric.is_empty();
        let mut cells: Vec<Cell<'_>> = recycle(std::mem::take(cells_buf));
        let em = meta.as_meta(&self.source, self.line_no);
        for i in 0..n {
            cells.clear();
            if identity {
                let (first, second, fp, sp) = if start {
                    (&*csv_out, &*csv_in, out_p, in_p)
                } else {
                    (&*csv_in, &*csv_out, in_p, out_p)
                };
                let (first_on, second_on) = if start {
                    (output.is_some(), input.is_some())
                } else {
                    (input.is_some(), output.is_some())
                };
                if first_on {
                    push_csv_cells(first, fp, i, &mut cells);
                }
                if second_on {
                    push_csv_cells(second, sp, i, &mut cells);
                }
            } else {
                cells.resize(width, Cell::Missing);
                let mut pos = 0usize;
                let sides: [(bool, &CsvRows, &str); 2] = if start {
                    [
                        (output.is_some(), &*csv_out, out_p),
                        (input.is_some(), &*csv_in, in_p),
                    ]
                } else {
                    [
                        (input.is_some(), &*csv_in, in_p),
                        (output.is_some(), &*csv_out, out_p),
                    ]
                };
                for (on, rows, p) in sides {
                    if !on {
                        continue;
                    }
                    let (a, b) = rows.rows[i];
                    for s in &rows.spans[a as usize..b as usize] {
                        if let Some(&j) = layout.map.get(pos) {
                            cells[j] = csv_cell(rows.text(p, *s));
                        }
                        pos += 1;
                    }
                }
            }
            if check_numeric {
                check_numeric_cells(
                    &self.numeric,
                    &self.schema,
                    &cells,
                    &mut self.report,
                    &self.source,
                    self.line_no,
                );
            }
            let m = EventMeta {
                row: i as u32,
                ..em
            };
            sink.row(&m, &self.schema, &cells);
        }
        *cells_buf = recycle(cells);
        self.stats.rows += n as u64;
        self.stats.valid_lines += 1;
        self.note_time(meta.ms);
        Ok(LineOutcome::Valid { rows: n as u32 })
    }

    /// The hot path of [`Core::csv_record`]: each present side is one CSV row without quotes
    /// and the layout is the identity, so the fields go to the sink as they are found, with no
    /// span bookkeeping. `None` when the record is not of that kind (nothing was emitted or
    /// counted; the general path then handles it and gives the same result).
    #[inline]
    pub(super) fn csv_single_row<S: RowSink + ?Sized>(
        &mut self,
        meta: &MetaOwned<'_>,
        input: Option<&str>,
        output: Option<&str>,
        cells_buf: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Option<Result<LineOutcome, Fault>> {
        let start = self.opts.output_columns_position == ColumnsPosition::Start;
        let (first, second) = if start {
            (output, input)
        } else {
            (input, output)
        };
        let mut cells: Vec<Cell<'_>> = recycle(std::mem::take(cells_buf));
        let ok = first.is_none_or(|p| csvsplit::push_single_row(p, &mut cells));
        let first_w = cells.len();
        let ok = ok && second.is_none_or(|p| csvsplit::push_single_row(p, &mut cells));
        let second_w = cells.len() - first_w;
        let (out_w, in_w) = if start {
            (first_w, second_w)
        } else {
            (second_w, first_w)
        };
        let result = if !ok {
            None
        } else {
            match self.csv_layout_for(out_w, in_w, 0) {
                Err(f) => Some(Err(f)),
                Ok(()) => match &self.csv_layout {
                    Some(l) if l.identity && l.map.len() == self.schema.len() => {
                        if !self.numeric.is_empty() {
                            check_numeric_cells(
                                &self.numeric,
                                &self.schema,
                                &cells,
                                &mut self.report,
                                &self.source,
                                self.line_no,
                            );
                        }
                        let m = EventMeta {
                            row: 0,
                            ..meta.as_meta(&self.source, self.line_no)
                        };
                        sink.row(&m, &self.schema, &cells);
                        self.stats.rows += 1;
                        self.stats.valid_lines += 1;
                        self.note_time(meta.ms);
                        Some(Ok(LineOutcome::Valid { rows: 1 }))
                    }
                    _ => None,
                },
            }
        };
        *cells_buf = recycle(cells);
        result
    }

    /// Do these leaves get the cached names (so the cached column map applies)?
    pub(super) fn same_as_cached(&self, paths: &str, leaves: &[LeafItem<'_>]) -> bool {
        self.json_names.len() == leaves.len()
            && (self.fixed_width.is_some()
                || self
                    .json_names
                    .iter()
                    .zip(leaves.iter())
                    .enumerate()
                    .all(|(k, (a, item))| leaf_name_eq(a, leaf_path(paths, item), k)))
    }

    /// Finds (or creates) the layout for a CSV row with these widths; faults on a width change.
    pub(super) fn csv_layout_for(
        &mut self,
        out_w: usize,
        in_w: usize,
        row: usize,
    ) -> Result<(), Fault> {
        if let Some(l) = &self.csv_layout {
            if l.out_w == out_w && l.in_w == in_w {
                return Ok(());
            }
        }
        let total = out_w + in_w;
        let expected = self.fixed_width.or(self.csv_width);
        if let Some(w) = expected {
            if w != total {
                let (what, hint) = if self.fixed_width.is_some() {
                    (
                        "the supplied column names",
                        self.capture_index_hint(in_w, out_w, w),
                    )
                } else {
                    ("the first record", "")
                };
                return Err((
                    FaultKind::ColumnCount,
                    format!(
                        "row {row} has {total} columns ({out_w} output + {in_w} input) but {what} had {w}{hint}"
                    ),
                ));
            }
        }
        let new = (0..total)
            .filter(|&i| self.schema.position(&positional_name(i)).is_none())
            .count();
        if self.fixed_width.is_none() && self.schema.len() + new > self.opts.max_columns {
            return Err((
                FaultKind::TooManyColumns,
                format!(
                    "row {row} has {total} columns, over the limit of {}",
                    self.opts.max_columns
                ),
            ));
        }
        self.csv_width = Some(total);
        let map: Vec<usize> = if self.fixed_width.is_some() {
            (0..total).collect()
        } else {
            (0..total)
                .map(|i| self.schema.resolve(&positional_name(i)))
                .collect()
        };
        let identity =
            map.iter().enumerate().all(|(i, j)| i == *j) && map.len() == self.schema.len();
        self.csv_layout = Some(CsvLayout {
            out_w,
            in_w,
            map,
            identity,
        });
        Ok(())
    }
}

impl Core {
    /// Says which capture index fixes a width mismatch against the supplied names, when one
    /// side alone has their width and both sides are analysed.
    pub(super) fn capture_index_hint(&self, in_w: usize, out_w: usize, w: usize) -> &'static str {
        if self.opts.capture_index != crate::options::CaptureIndex::BOTH {
            return "";
        }
        if in_w == w && out_w > 0 {
            "; the names fit endpointInput alone: analyse only the input \
             (capture index endpointInput: --capture-index endpointInput, \
             CAPTURE_INDEX_NAMES=endpointInput)"
        } else if out_w == w && in_w > 0 {
            "; the names fit endpointOutput alone: analyse only the output \
             (capture index endpointOutput: --capture-index endpointOutput, \
             CAPTURE_INDEX_NAMES=endpointOutput)"
        } else {
            ""
        }
    }
}

pub(super) fn csv_cell(t: &str) -> Cell<'_> {
    if t.is_empty() {
        Cell::Missing
    } else {
        Cell::Raw(t)
    }
}

#[inline]
pub(super) fn push_csv_cells<'a>(
    rows: &'a CsvRows,
    payload: &'a str,
    i: usize,
    cells: &mut Vec<Cell<'a>>,
) {
    let (a, b) = rows.rows[i];
    for s in &rows.spans[a as usize..b as usize] {
        let t = match *s {
            Span::Payload(x, y) => payload.get(x as usize..y as usize).unwrap_or(""),
            Span::Arena(x, y) => rows.arena.get(x as usize..y as usize).unwrap_or(""),
        };
        cells.push(csv_cell(t));
    }
}
