//! A small JSON tree that keeps object keys in document order and borrows strings from the
//! input where it can (serde_json's `Value` sorts keys and always allocates).

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JNode<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Arr(Vec<JNode<'a>>),
    Obj(Vec<(Cow<'a, str>, JNode<'a>)>),
}

impl JNode<'_> {
    pub(crate) fn is_scalar(&self) -> bool {
        !matches!(self, JNode::Arr(_) | JNode::Obj(_))
    }

    /// The profile cell of a scalar (`null` is missing; containers, never leaves of
    /// [`flatten`], are missing too).
    pub(crate) fn cell(&self) -> driftline_stats::profile::Cell<'_> {
        use driftline_stats::profile::Cell;
        match self {
            JNode::Null => Cell::Missing,
            JNode::Bool(b) => Cell::Bool(*b),
            JNode::Int(i) => Cell::Int(*i),
            JNode::Float(f) => Cell::Float(*f),
            JNode::Str(s) => Cell::Str(s.as_ref()),
            JNode::Arr(_) | JNode::Obj(_) => Cell::Missing,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Self> {
        match self {
            JNode::Obj(kv) => kv.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for JNode<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

struct JVisitor;

/// Wrapper so that map keys borrow when possible.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KV;
        impl<'de> Visitor<'de> for KV {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KV)
    }
}

impl<'de> Visitor<'de> for JVisitor {
    type Value = JNode<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(JNode::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(JNode::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        JNode::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(JNode::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(JNode::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => JNode::Int(i),
            Err(_) => JNode::Float(v as f64),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(JNode::Float(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(JNode::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(JNode::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(JNode::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(e) = seq.next_element::<JNode<'de>>()? {
            v.push(e);
        }
        Ok(JNode::Arr(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut v = Vec::new();
        while let Some((k, e)) = map.next_entry::<Key<'de>, JNode<'de>>()? {
            v.push((k.0, e));
        }
        Ok(JNode::Obj(v))
    }
}

/// Parses every top-level JSON value in `text` (one JSON document, or JSON Lines).
pub(crate) fn parse_values(text: &str) -> Result<Vec<JNode<'_>>, serde_json::Error> {
    let mut out = Vec::new();
    for v in serde_json::Deserializer::from_str(text).into_iter::<JNode<'_>>() {
        out.push(v?);
    }
    Ok(out)
}

/// Splits one top-level value into records (instances):
/// * an object with an `instances` or `predictions` array: one record per element;
/// * an array whose elements are all arrays or objects: one record per element;
/// * anything else (object, array of scalars, scalar): one record.
pub(crate) fn split_records<'v, 'a>(v: &'v JNode<'a>, out: &mut Vec<&'v JNode<'a>>) {
    match v {
        JNode::Obj(_) => {
            for key in ["instances", "predictions"] {
                if let Some(JNode::Arr(items)) = v.get(key) {
                    out.extend(items.iter());
                    return;
                }
            }
            out.push(v);
        }
        JNode::Arr(items) if !items.is_empty() && items.iter().all(|e| !e.is_scalar()) => {
            out.extend(items.iter());
        }
        _ => out.push(v),
    }
}

/// Where a flattened value sits: the record itself (`Top`, whose array elements are
/// positional) or a value below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// The record. `offset` is the row position of its first column (the columns of the other
    /// side that come before it), so that element `i` of a record that is an array is column
    /// `_c{offset + i}`.
    Top {
        /// Columns before this record in the row.
        offset: usize,
    },
    /// A value inside the record.
    Nested,
}

/// Flattens a record, calling `leaf(path, value)` for every scalar: objects become dotted names
/// (`a.b`), array elements get their index as a path component (`features.0`). The elements of
/// a record that is itself an array are positional: scalar elements get an empty path (the
/// caller names them `_c{row position}`), and the leaves of a nested element `i` are named
/// below `_c{offset + i}` (`[1, [2, 3]]` → `_c0`, `_c1.0`, `_c1.1`). A scalar record has an empty
/// path. This is the one JSON flattening of driftline: capture payloads and JSON Lines training
/// data both go through it.
pub(crate) fn flatten<'v, F: FnMut(&str, &'v JNode<'v>)>(
    v: &'v JNode<'v>,
    path: &mut String,
    level: Level,
    leaf: &mut F,
) {
    match v {
        JNode::Arr(items) => {
            let nested_elements =
                matches!(level, Level::Top { .. }) && items.iter().any(|e| !e.is_scalar());
            for (i, e) in items.iter().enumerate() {
                let len = path.len();
                match level {
                    Level::Top { offset } => {
                        if nested_elements {
                            path.push_str("_c");
                            push_index(path, offset + i);
                        }
                    }
                    Level::Nested => {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        push_index(path, i);
                    }
                }
                flatten(e, path, Level::Nested, leaf);
                path.truncate(len);
            }
        }
        JNode::Obj(kv) => {
            for (k, e) in kv {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                flatten(e, path, Level::Nested, leaf);
                path.truncate(len);
            }
        }
        _ => leaf(path, v),
    }
}

/// Parses one JSON text and calls `leaf(name, cell)` for every flattened leaf of it as one
/// record, in document order, with the names a capture payload would get when it is the only
/// side of the row: `flatten`'s paths, `_c{i}` for positional leaves.
pub fn flatten_json_record(
    text: &str,
    leaf: &mut dyn FnMut(&str, driftline_stats::profile::Cell<'_>),
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let node = JNode::deserialize(&mut de)?;
    de.end()?;
    let mut path = String::new();
    let mut k = 0usize;
    let mut name = String::new();
    flatten(
        &node,
        &mut path,
        Level::Top { offset: 0 },
        &mut |p: &str, v: &JNode<'_>| {
            let cell = v.cell();
            if p.is_empty() {
                name.clear();
                name.push_str("_c");
                push_index(&mut name, k);
                leaf(&name, cell);
            } else {
                leaf(p, cell);
            }
            k += 1;
        },
    );
    Ok(())
}

/// Appends the decimal digits of `i` without allocating.
fn push_index(path: &mut String, i: usize) {
    use std::fmt::Write;
    let _ = write!(path, "{i}");
}
