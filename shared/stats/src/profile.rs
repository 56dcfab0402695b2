//! Mergeable per-feature profiles.
//!
//! Interface contract (shared with `driftline-capture`): readers hand every column value of
//! a row to the profile as a [`Cell`]. The profile owner implements the rest of this module
//! (`FeatureProfile`, `DatasetProfile`, `update`, `merge`, conversion to `Statistics`).

/// One column value of one record, as a reader found it.
///
/// CSV readers produce [`Cell::Raw`] (text whose type Deequ's regexes decide); JSON readers
/// produce typed cells. Empty CSV fields and JSON `null` are [`Cell::Missing`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Null, empty field, or a column absent from this record.
    Missing,
    /// Untyped text (CSV): Integral / Fractional / String by Deequ's regular expressions.
    Raw(&'a str),
    /// A JSON string: always a String value.
    Str(&'a str),
    /// A JSON integer.
    Int(i64),
    /// A JSON number with a fraction or exponent.
    Float(f64),
    /// A JSON boolean (profiled as the String `"true"` / `"false"`).
    Bool(bool),
}
