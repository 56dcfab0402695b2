//! Where the readers put the rows: a [`RowSink`]. A [`DatasetProfile`] is one (the data-quality
//! baseline); [`crate::labelled::LabelledSink`] is another (the model-quality baseline of a
//! labelled data set), so both read every format and every shard the same way.

use anyhow::Result;
use driftline_stats::profile::{Cell, DatasetProfile};

/// Receives a data set row by row: column names once (to an index), then each row's cells and
/// the row's end.
pub trait RowSink {
    /// The index of the column `name` (registered on first use).
    fn column(&mut self, name: &str) -> usize;
    /// One cell of the current row.
    fn cell(&mut self, col: usize, cell: Cell<'_>);
    /// The current row is complete; an error stops the read (the reader adds the file and
    /// line to it).
    fn end_row(&mut self) -> Result<()>;
}

impl RowSink for DatasetProfile {
    fn column(&mut self, name: &str) -> usize {
        self.column_index(name)
    }

    fn cell(&mut self, col: usize, cell: Cell<'_>) {
        self.update(col, cell);
    }

    fn end_row(&mut self) -> Result<()> {
        self.add_records(1);
        Ok(())
    }
}
