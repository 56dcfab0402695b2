//! CSV payload splitting: rows on `\n` (a `\r` before it is dropped), fields on `,`, with
//! `memchr`. Payloads without a `"` take the fast path (fields are slices of the payload);
//! quoted fields (RFC 4180, `""` for a quote) are supported on a slower path that unescapes into
//! an arena. An empty field, or an empty quoted field, is a missing value.

use memchr::{memchr, memchr_iter};

/// Where a field's text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    /// `payload[start..end]`.
    Payload(u32, u32),
    /// `arena[start..end]` (unescaped quoted field).
    Arena(u32, u32),
}

/// The fields of every row of one payload.
#[derive(Debug, Default)]
pub(crate) struct CsvRows {
    /// All fields, row after row.
    pub spans: Vec<Span>,
    /// `spans[rows[i].0 .. rows[i].1]` are row i's fields.
    pub rows: Vec<(u32, u32)>,
    /// Unescaped text of quoted fields that contained `""`.
    pub arena: String,
}

impl CsvRows {
    pub(crate) fn clear(&mut self) {
        self.spans.clear();
        self.rows.clear();
        self.arena.clear();
    }

    /// Number of fields of row `i`.
    pub(crate) fn width(&self, i: usize) -> usize {
        let (a, b) = self.rows[i];
        (b - a) as usize
    }

    /// Field text of `span`.
    pub(crate) fn text<'a>(&'a self, payload: &'a str, span: Span) -> &'a str {
        match span {
            Span::Payload(a, b) => payload.get(a as usize..b as usize).unwrap_or(""),
            Span::Arena(a, b) => self.arena.get(a as usize..b as usize).unwrap_or(""),
        }
    }
}

/// Error: an unterminated quoted field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnterminatedQuote;

/// Splits `payload` into rows and fields. A trailing newline does not make an empty row; an
/// empty payload is one row with one empty field (as Model Monitor reads an empty line).
/// Payloads over 4 GiB are refused (spans are `u32`); the line limit keeps them far smaller.
pub(crate) fn split(payload: &str, out: &mut CsvRows) -> Result<(), UnterminatedQuote> {
    out.clear();
    let bytes = payload.as_bytes();
    if bytes.len() > u32::MAX as usize {
        return Err(UnterminatedQuote);
    }
    if memchr(b'"', bytes).is_none() {
        split_plain(bytes, out);
        Ok(())
    } else {
        split_quoted(payload, out)
    }
}

fn split_plain(bytes: &[u8], out: &mut CsvRows) {
    let mut row_start = 0usize;
    let n = bytes.len();
    let emit_row = |start: usize, mut end: usize, out: &mut CsvRows| {
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        let first = out.spans.len() as u32;
        let mut f = start;
        for c in memchr_iter(b',', &bytes[start..end]) {
            out.spans.push(Span::Payload(f as u32, (start + c) as u32));
            f = start + c + 1;
        }
        out.spans.push(Span::Payload(f as u32, end as u32));
        out.rows.push((first, out.spans.len() as u32));
    };
    for nl in memchr_iter(b'\n', bytes) {
        emit_row(row_start, nl, out);
        row_start = nl + 1;
    }
    if row_start < n || out.rows.is_empty() {
        emit_row(row_start, n, out);
    }
}

fn split_quoted(payload: &str, out: &mut CsvRows) -> Result<(), UnterminatedQuote> {
    let b = payload.as_bytes();
    let n = b.len();
    let mut i = 0usize;
    let mut row_first = 0u32;
    loop {
        // One field starting at i.
        if i < n && b[i] == b'"' {
            let start = i + 1;
            let mut j = start;
            let mut escaped = false;
            loop {
                match memchr(b'"', &b[j..]) {
                    None => return Err(UnterminatedQuote),
                    Some(q) => {
                        let q = j + q;
                        if q + 1 < n && b[q + 1] == b'"' {
                            escaped = true;
                            j = q + 2;
                        } else {
                            j = q;
                            break;
                        }
                    }
                }
            }
            // payload[start..j] is the quoted content.
            if escaped {
                let a = out.arena.len() as u32;
                out.arena.push_str(&payload[start..j].replace("\"\"", "\""));
                out.spans.push(Span::Arena(a, out.arena.len() as u32));
            } else {
                out.spans.push(Span::Payload(start as u32, j as u32));
            }
            i = j + 1;
            // Skip anything up to the next separator (lenient, like Spark's permissive mode).
            while i < n && b[i] != b',' && b[i] != b'\n' {
                i += 1;
            }
        } else {
            let mut j = i;
            while j < n && b[j] != b',' && b[j] != b'\n' {
                j += 1;
            }
            let end = if j > i && b[j - 1] == b'\r' { j - 1 } else { j };
            out.spans.push(Span::Payload(i as u32, end as u32));
            i = j;
        }
        if i >= n {
            out.rows.push((row_first, out.spans.len() as u32));
            return Ok(());
        }
        if b[i] == b'\n' {
            out.rows.push((row_first, out.spans.len() as u32));
            row_first = out.spans.len() as u32;
            i += 1;
            if i >= n {
                return Ok(());
            }
        } else {
            // ','
            i += 1;
            if i >= n {
                out.spans.push(Span::Payload(n as u32, n as u32));
                out.rows.push((row_first, out.spans.len() as u32));
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(p: &str) -> Vec<Vec<String>> {
        let mut r = CsvRows::default();
        split(p, &mut r).unwrap();
        r.rows
            .iter()
            .map(|&(a, b)| {
                r.spans[a as usize..b as usize]
                    .iter()
                    .map(|s| r.text(p, *s).to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn plain_rows_and_fields() {
        assert_eq!(fields("1,2,3"), vec![vec!["1", "2", "3"]]);
        assert_eq!(fields("1,2\n3,4\n"), vec![vec!["1", "2"], vec!["3", "4"]]);
        assert_eq!(fields("1,2\r\n3,"), vec![vec!["1", "2"], vec!["3", ""]]);
        assert_eq!(fields(""), vec![vec![""]]);
        assert_eq!(fields(",,"), vec![vec!["", "", ""]]);
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(fields(r#""a,b",c"#), vec![vec!["a,b", "c"]]);
        assert_eq!(fields(r#""say ""hi""",2"#), vec![vec![r#"say "hi""#, "2"]]);
        assert_eq!(
            fields("\"x\ny\",1\n2,\"\""),
            vec![vec!["x\ny", "1"], vec!["2", ""]]
        );
        assert_eq!(fields("1,\"2\","), vec![vec!["1", "2", ""]]);
        let mut r = CsvRows::default();
        assert_eq!(split("\"abc", &mut r), Err(UnterminatedQuote));
    }
}
