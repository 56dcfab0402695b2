//! Column names, resolved once per layout (not per row).

use std::collections::HashMap;

/// The columns seen so far, in order. Rows handed to a [`RowSink`](crate::RowSink) have exactly
/// [`Schema::len`] cells, `cells[i]` belonging to `names()[i]`. A schema only grows (JSON records
/// with new keys append columns), so a sink can cache per-column state by index and extend it
/// when `len()` grows.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Schema {
    /// A schema with these names (duplicates keep their first index).
    pub fn with_names<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        let mut s = Schema::default();
        for n in names {
            s.resolve(&n.into());
        }
        s
    }

    /// Column names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there is no column yet.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Index of `name`, if known.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Index of `name`, appending it when new.
    pub(crate) fn resolve(&mut self, name: &str) -> usize {
        if let Some(i) = self.index.get(name) {
            return *i;
        }
        let i = self.names.len();
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
}

/// Headerless column name of position `i`: `_c0`, `_c1`, … (Spark's and Model Monitor's).
pub fn positional_name(i: usize) -> String {
    format!("_c{i}")
}
