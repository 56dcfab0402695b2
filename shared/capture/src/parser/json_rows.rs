//! Records with a JSON side and batch-transform outputs: flattened leaves, names by path or
//! position, the general (slower) row builder.

use super::*;

impl Core {
    /// Rows of a batch-transform output object: `SageMakerOutput` is the output, the other keys
    /// (except `SageMakerInferenceId` / `SageMakerInferenceTime`) the input.
    pub(super) fn batch_node<S: RowSink + ?Sized>(
        &mut self,
        node: &JNode<'_>,
        meta: &MetaOwned<'_>,
        cells: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        let JNode::Obj(kv) = node else {
            return Err((
                FaultKind::UnrecognisedRecord,
                "batch-transform output is not a JSON object".into(),
            ));
        };
        let mut out_node = None;
        let mut inputs = Vec::new();
        for (k, v) in kv {
            match k.as_ref() {
                "SageMakerOutput" => out_node = Some(v),
                "SageMakerInferenceId" | "SageMakerInferenceTime" => {}
                _ => inputs.push((k.clone(), v.clone())),
            }
        }
        let in_node = JNode::Obj(inputs);
        let out_recs: Option<Vec<SideRecord<'_>>> = out_node.map(|o| {
            let mut v = Vec::new();
            jtree::split_records(o, &mut v);
            v.into_iter().map(SideRecord::Json).collect()
        });
        let in_recs: Option<Vec<SideRecord<'_>>> = match &in_node {
            JNode::Obj(kv) if kv.is_empty() => None,
            n => Some(vec![SideRecord::Json(n)]),
        };
        // A batch line is one record: several output instances pair with one input only when
        // there is one output instance.
        self.general_rows(meta, in_recs.as_deref(), out_recs.as_deref(), cells, sink)
    }

    /// Rows from per-side record lists (JSON records or CSV rows), general (slower) path.
    pub(super) fn general_rows<S: RowSink + ?Sized>(
        &mut self,
        meta: &MetaOwned<'_>,
        input: Option<&[SideRecord<'_>]>,
        output: Option<&[SideRecord<'_>]>,
        cells_buf: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        let n = match (input, output) {
            (Some(i), Some(o)) => {
                if i.len() != o.len() {
                    return Err((
                        FaultKind::RowCountMismatch,
                        format!(
                            "endpointInput has {} records but endpointOutput has {}",
                            i.len(),
                            o.len()
                        ),
                    ));
                }
                i.len()
            }
            (Some(i), None) => i.len(),
            (None, Some(o)) => o.len(),
            (None, None) => 0,
        };
        // A payload with no record at all (`""`, whitespace, `{"instances": []}`) is a record
        // without usable data: a fault, never a line that counts as valid and yields no row.
        if n == 0 {
            return Err((
                FaultKind::MissingData,
                "the payload holds no record (empty JSON text or an empty instances list)".into(),
            ));
        }
        let start = self.opts.output_columns_position == ColumnsPosition::Start;
        // Flatten every row first (so that a bad row faults the whole line before any is emitted).
        let mut lv = Leaves::default();
        let mut cur = String::new();
        for i in 0..n {
            lv.bounds.push(lv.items.len());
            let order = if start {
                [output, input]
            } else {
                [input, output]
            };
            let mut in_w = 0;
            for (k, recs) in order.into_iter().enumerate() {
                let Some(recs) = recs else { continue };
                let before = lv.items.len();
                recs[i].leaves(&mut lv, &mut cur);
                if (k == 1) == start {
                    in_w = lv.items.len() - before;
                }
            }
            let width = lv.items.len() - lv.bounds[i];
            if let Some(w) = self.fixed_width {
                if width != w {
                    let hint = self.capture_index_hint(in_w, width - in_w, w);
                    return Err((
                        FaultKind::ColumnCount,
                        format!(
                            "row {i} has {width} columns but the supplied column names are {w}{hint}"
                        ),
                    ));
                }
            }
        }
        lv.bounds.push(lv.items.len());
        // Bound the number of columns (keys that are all different would grow the profile
        // without limit): count the names this line would add.
        if self.fixed_width.is_none() {
            let mut new_names: std::collections::HashSet<String> = Default::default();
            for i in 0..n {
                let row = lv.row(i);
                if self.same_as_cached(&lv.paths, row) {
                    continue;
                }
                for (k, item) in row.iter().enumerate() {
                    let name = leaf_name(&lv.paths, item, k);
                    if self.schema.position(&name).is_none() {
                        new_names.insert(name);
                    }
                }
            }
            let total = self.schema.len() + new_names.len();
            if total > self.opts.max_columns {
                return Err((
                    FaultKind::TooManyColumns,
                    format!(
                        "this record would bring the columns to {total}, over the limit of {}",
                        self.opts.max_columns
                    ),
                ));
            }
        }
        let mut cells: Vec<Cell<'_>> = recycle(std::mem::take(cells_buf));
        let em = meta.as_meta(&self.source, self.line_no);
        for i in 0..n {
            let leaves = lv.row(i);
            // Names: supplied (positional) > dotted path > `_cN`.
            if !self.same_as_cached(&lv.paths, leaves) {
                self.json_names.clear();
                self.json_map.clear();
                for (k, item) in leaves.iter().enumerate() {
                    let name = if self.fixed_width.is_some() {
                        self.schema.names()[k].clone()
                    } else {
                        leaf_name(&lv.paths, item, k)
                    };
                    let j = self.schema.resolve(&name);
                    self.json_names.push(name);
                    self.json_map.push(j);
                }
            }
            cells.clear();
            cells.resize(self.schema.len(), Cell::Missing);
            for (k, (_, _, c)) in leaves.iter().enumerate() {
                if let Some(&j) = self.json_map.get(k) {
                    if let Some(slot) = cells.get_mut(j) {
                        *slot = *c;
                    }
                }
            }
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
}

/// Is the cached column name `a` the one that a leaf with path `p` at position `k` gets?
pub(super) fn leaf_name_eq(a: &str, p: &str, k: usize) -> bool {
    if p.is_empty() {
        a.strip_prefix("_c").and_then(|d| d.parse::<usize>().ok()) == Some(k)
    } else {
        a == p
    }
}

/// One side's payload, parsed.
pub(super) enum Side<'t> {
    Csv(&'t str, &'t CsvRows),
    Json(Vec<JNode<'t>>),
}

/// One record (row) of one side.
pub(super) enum SideRecord<'x> {
    Csv(&'x str, &'x CsvRows, usize),
    Json(&'x JNode<'x>),
}

impl<'t> Side<'t> {
    pub(super) fn parse(
        fmt: Format,
        text: &'t str,
        rows: &'t mut CsvRows,
        what: &str,
    ) -> Result<Self, Fault> {
        match fmt {
            Format::Csv => {
                csvsplit::split(text, rows).map_err(|_| {
                    (
                        FaultKind::MalformedPayload,
                        format!("{what}: unterminated quote in CSV"),
                    )
                })?;
                Ok(Side::Csv(text, &*rows))
            }
            Format::Json => jtree::parse_values(text).map(Side::Json).map_err(|e| {
                (
                    FaultKind::MalformedPayload,
                    format!("{what}: JSON payload: {e}"),
                )
            }),
        }
    }

    pub(super) fn records(&self) -> Vec<SideRecord<'_>> {
        match self {
            Side::Csv(p, rows) => (0..rows.rows.len())
                .map(|i| SideRecord::Csv(p, rows, i))
                .collect(),
            Side::Json(values) => {
                let mut recs = Vec::new();
                for v in values {
                    jtree::split_records(v, &mut recs);
                }
                recs.into_iter().map(SideRecord::Json).collect()
            }
        }
    }
}

/// A flattened leaf: its path as a range of [`Leaves::paths`] (empty: positional) and its cell.
pub(super) type LeafItem<'x> = (u32, u32, Cell<'x>);

/// The flattened leaves of every row of one line, with all paths in one string.
#[derive(Default)]
pub(super) struct Leaves<'x> {
    paths: String,
    items: Vec<LeafItem<'x>>,
    /// Row i is `items[bounds[i]..bounds[i + 1]]`.
    bounds: Vec<usize>,
}

impl<'x> Leaves<'x> {
    pub(super) fn row(&self, i: usize) -> &[LeafItem<'x>] {
        &self.items[self.bounds[i]..self.bounds[i + 1]]
    }
}

pub(super) fn leaf_path<'p>(paths: &'p str, item: &LeafItem<'_>) -> &'p str {
    paths.get(item.0 as usize..item.1 as usize).unwrap_or("")
}

/// Column name of a leaf at position `k` without supplied names: its path, else `_c{k}`.
pub(super) fn leaf_name(paths: &str, item: &LeafItem<'_>, k: usize) -> String {
    let p = leaf_path(paths, item);
    if p.is_empty() {
        positional_name(k)
    } else {
        p.to_string()
    }
}

impl<'x> SideRecord<'x> {
    pub(super) fn leaves(&self, out: &mut Leaves<'x>, cur: &mut String) {
        match self {
            SideRecord::Csv(p, rows, i) => {
                let (a, b) = rows.rows[*i];
                for s in &rows.spans[a as usize..b as usize] {
                    out.items.push((0, 0, csv_cell(rows.text(p, *s))));
                }
            }
            SideRecord::Json(node) => {
                cur.clear();
                let Leaves {
                    paths,
                    items,
                    bounds,
                } = out;
                let offset = items.len() - bounds.last().copied().unwrap_or(0);
                let level = jtree::Level::Top { offset };
                jtree::flatten(node, cur, level, &mut |path: &str, v: &'x JNode<'x>| {
                    let a = paths.len() as u32;
                    paths.push_str(path);
                    items.push((a, paths.len() as u32, json_cell(v)));
                });
            }
        }
    }
}

pub(super) fn json_cell<'v>(v: &'v JNode<'v>) -> Cell<'v> {
    v.cell()
}
