//! CSV payload splitting: rows on `\n` (a `\r` before it is dropped), fields on `,`, with
//! `memchr`. Payloads without a `"` take the fast path (fields are slices of the payload);
//! quoted fields (RFC 4180, `""` for a quote) are supported on a slower path that unescapes into
//! an arena. An empty field, or an empty quoted field, is a missing value.

use driftline_stats::profile::Cell;
use memchr::memchr;

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
    if split_plain(bytes, out) {
        Ok(())
    } else {
        out.clear();
        split_quoted(payload, out)
    }
}

pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
pub(crate) const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// `0x80` in every byte of `word` that equals `c`, `0` in the others (exact: no carries
/// between bytes, unlike the shorter "has zero byte" trick).
#[inline(always)]
pub(crate) fn bytes_equal(word: u64, c: u8) -> u64 {
    let y = word ^ (ONES * c as u64);
    !(((y & LOW7) + LOW7) | y | LOW7)
}

/// For 16 bytes: bit `i` of the first mask is set where `block[i]` is `"` or `\n`, of the second
/// where it is `,`. SSE2 on x86_64 (part of the x86_64 baseline); elsewhere (arm64 Lambda
/// functions) the same masks from two 64-bit words.
#[inline(always)]
fn masks16(block: &[u8; 16]) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        // SAFETY: SSE2 is enabled on every x86_64 target; the load reads the 16 bytes of
        // `block` (unaligned loads are allowed).
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let stop = _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
            );
            let commas = _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8));
            (
                _mm_movemask_epi8(stop) as u32,
                _mm_movemask_epi8(commas) as u32,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        masks16_swar(block)
    }
}

/// Bytes of `0x80` or `0` (the flags of [`bytes_equal`]) → one bit per byte, byte 0 in bit 0.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
pub(crate) fn gather(flags: u64) -> u32 {
    (((flags >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32
}

/// [`masks16`] without vector instructions: exact per-byte compares in 64-bit words, the
/// `0x80` flags gathered into bits by one multiplication.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn masks16_swar(block: &[u8; 16]) -> (u32, u32) {
    let mut stop = 0u32;
    let mut commas = 0u32;
    for (k, w) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let s = bytes_equal(word, b'"') | bytes_equal(word, b'\n');
        stop |= gather(s) << (8 * k);
        commas |= gather(bytes_equal(word, b',')) << (8 * k);
    }
    (stop, commas)
}

/// Pushes the fields of a one-row payload as cells (`Missing` for an empty field, else
/// [`Cell::Raw`]): the common case of one CSV row per record, without the span bookkeeping of
/// [`split`]. One trailing `\n` and then one trailing `\r` are dropped, as [`split`] does. Returns
/// `false` when the payload has a `"` or a second row (`cells` may then hold some of its fields;
/// the caller truncates and uses [`split`]).
#[inline]
pub(crate) fn push_single_row<'a>(payload: &'a str, cells: &mut Vec<Cell<'a>>) -> bool {
    let mut b = payload.as_bytes();
    if let [rest @ .., b'\n'] = b {
        b = rest;
    }
    if let [rest @ .., b'\r'] = b {
        b = rest;
    }
    let n = b.len();
    let mut field_start = 0usize;
    let mut blocks = b.chunks_exact(16);
    let mut base = 0usize;
    for block in &mut blocks {
        let Ok(block) = <&[u8; 16]>::try_from(block) else {
            return false;
        };
        let (stop, commas) = masks16(block);
        if stop != 0 {
            return false;
        }
        push_fields(payload, base, commas, &mut field_start, cells);
        base += 16;
    }
    let rem = n - base;
    if rem > 0 {
        let (stop, commas) = if n >= 16 {
            // The last 16 bytes, overlapping the blocks already read: their bits shifted out.
            let Ok(last) = <&[u8; 16]>::try_from(&b[n - 16..]) else {
                return false;
            };
            let (stop, commas) = masks16(last);
            (stop >> (16 - rem), commas >> (16 - rem))
        } else {
            let mut tail = [0u8; 16];
            tail[..rem].copy_from_slice(&b[base..]);
            masks16(&tail)
        };
        if stop != 0 {
            return false;
        }
        push_fields(payload, base, commas, &mut field_start, cells);
    }
    cells.push(field(payload, field_start, n));
    true
}

/// The field `payload[start..end]` as a cell: `Missing` when empty, else [`Cell::Raw`].
#[inline(always)]
fn field(payload: &str, start: usize, end: usize) -> Cell<'_> {
    if end == start {
        return Cell::Missing;
    }
    debug_assert!(start < end && end <= payload.len());
    debug_assert!(payload.is_char_boundary(start) && payload.is_char_boundary(end));
    // SAFETY: `start` is 0 or one past an ASCII `,`, `end` is the index of an ASCII `,` or
    // the length without an ASCII `\n` / `\r` suffix, and `start < end`: both are char
    // boundaries of the valid UTF-8 `payload`, in bounds.
    Cell::Raw(unsafe { payload.get_unchecked(start..end) })
}

/// Pushes the fields that end at the commas of one 16-byte block (bit `i` of `commas` is the
/// byte at `base + i`), the first one starting at `field_start`, which moves past each comma.
#[inline(always)]
fn push_fields<'a>(
    payload: &'a str,
    base: usize,
    mut commas: u32,
    field_start: &mut usize,
    cells: &mut Vec<Cell<'a>>,
) {
    if commas == 0 {
        return;
    }
    // At most 16 fields end in a block (a count of the bits would cost more than it saves:
    // `popcnt` is not in the x86_64 baseline).
    cells.reserve(16);
    let spare = &mut cells.spare_capacity_mut()[..16];
    let mut start = *field_start;
    let mut count = 0;
    while commas != 0 {
        let p = base + commas.trailing_zeros() as usize;
        commas &= commas - 1;
        spare[count].write(field(payload, start, p));
        count += 1;
        start = p + 1;
    }
    *field_start = start;
    let len = cells.len() + count;
    // SAFETY: the `count` slots after the length were written just above (capacity reserved).
    unsafe { cells.set_len(len) };
}

/// End of a row's last field that starts at `field_start` and runs to `p` (a `\n` or the end):
/// one `\r` before it is dropped.
#[inline]
fn row_end(bytes: &[u8], field_start: usize, p: usize) -> usize {
    if p > field_start && bytes[p - 1] == b'\r' {
        p - 1
    } else {
        p
    }
}

/// Splits a payload without quotes, finding `,` and `\n` eight bytes at a time (portable
/// SWAR, the same on x86_64 and arm64). Returns `false`, with `out` partly filled, when the
/// payload has a `"` (the caller then uses the quoted path).
fn split_plain(bytes: &[u8], out: &mut CsvRows) -> bool {
    let n = bytes.len();
    let mut row_start = 0usize;
    let mut field_start = 0usize;
    let mut row_first = 0u32;
    let mut words = bytes.chunks_exact(8);
    let mut base = 0usize;
    let mut tail = [0u8; 8];
    loop {
        let word = match words.next() {
            Some(w) => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
            None if base < n => {
                let rest = words.remainder();
                tail[..rest.len()].copy_from_slice(rest);
                u64::from_le_bytes(tail)
            }
            None => break,
        };
        if bytes_equal(word, b'"') != 0 {
            return false;
        }
        let mut seps = bytes_equal(word, b',') | bytes_equal(word, b'\n');
        while seps != 0 {
            let p = base + (seps.trailing_zeros() / 8) as usize;
            seps &= seps - 1;
            if bytes[p] == b',' {
                out.spans.push(Span::Payload(field_start as u32, p as u32));
            } else {
                let end = row_end(bytes, field_start, p);
                out.spans
                    .push(Span::Payload(field_start as u32, end as u32));
                out.rows.push((row_first, out.spans.len() as u32));
                row_first = out.spans.len() as u32;
                row_start = p + 1;
            }
            field_start = p + 1;
        }
        base += 8;
    }
    if row_start < n || out.rows.is_empty() {
        let end = row_end(bytes, field_start, n);
        out.spans
            .push(Span::Payload(field_start as u32, end as u32));
        out.rows.push((row_first, out.spans.len() as u32));
    }
    true
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
    fn vector_and_word_masks_agree() {
        let mut block = [b'a'; 16];
        for seed in 0u32..5000 {
            let mut x = seed.wrapping_mul(2_654_435_761) | 1;
            for b in block.iter_mut() {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *b = [b',', b'"', b'\n', b'1', 0x80, 0xff, b'\r', 0][(x % 8) as usize];
            }
            let want_stop = block.iter().enumerate().fold(0u32, |m, (i, &b)| {
                m | (u32::from(b == b'"' || b == b'\n') << i)
            });
            let want_commas = block
                .iter()
                .enumerate()
                .fold(0u32, |m, (i, &b)| m | (u32::from(b == b',') << i));
            assert_eq!(masks16(&block), (want_stop, want_commas), "{block:?}");
            assert_eq!(masks16_swar(&block), (want_stop, want_commas), "{block:?}");
        }
    }

    fn single(p: &str) -> Option<Vec<String>> {
        let mut cells = Vec::new();
        push_single_row(p, &mut cells).then(|| {
            cells
                .iter()
                .map(|c| match c {
                    Cell::Raw(s) => s.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
    }

    #[test]
    fn single_row_matches_split() {
        let cases = [
            "",
            "1",
            "1,2,3",
            ",",
            ",,",
            "a,,b",
            "1,2\n",
            "1,2\r\n",
            "1,2\r",
            "\n",
            "\r\n",
            "0123456789abcdef,0123456789abcdef",
            "x,0123456789abcde,",
            "1,2\r\r\n",
            "é,ü,日本",
            "1,2\n3,4",
            "1,\"2\"",
            "1,2\n\n",
        ];
        for p in cases {
            let want = fields(p);
            match single(p) {
                Some(got) => {
                    assert_eq!(want.len(), 1, "{p:?}");
                    assert_eq!(got, want[0], "{p:?}");
                }
                None => assert!(
                    want.len() > 1 || p.contains('"') || p.trim_end_matches('\n').contains('\n'),
                    "{p:?} refused"
                ),
            }
        }
        // Long rows cross several 16-byte blocks.
        let long: Vec<String> = (0..100).map(|i| format!("{}", i * 7919)).collect();
        let p = long.join(",");
        assert_eq!(single(&p).unwrap(), fields(&p)[0]);
    }

    #[test]
    fn single_row_matches_split_at_every_length() {
        // Every length up to three blocks, so the last partial block is read both padded and
        // overlapping the previous one, with commas (also 16 in one block), quotes, newlines
        // and multi-byte characters at pseudo-random places.
        let alphabet = ["a", ",", ",", "7", "é", "\"", "\n", ",,,,,,,,"];
        let mut x = 1u64;
        for len in 0..48 {
            for _ in 0..200 {
                let mut p = String::new();
                while p.len() < len {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let pick = (x >> 33) as usize % 64;
                    // Mostly plain text; quotes and newlines now and then.
                    p.push_str(alphabet[if pick < 56 { pick % 5 } else { pick - 56 }]);
                }
                if p.contains('"') {
                    assert_eq!(single(&p), None, "{p:?}: a quote takes the general path");
                    continue;
                }
                let want = fields(&p);
                match single(&p) {
                    Some(got) => assert_eq!((want.len(), &got), (1, &want[0]), "{p:?}"),
                    None => {
                        // Refused only for a second row (a `\n` before the one final `\n`).
                        let body = p.strip_suffix('\n').unwrap_or(&p);
                        assert!(body.contains('\n'), "{p:?} refused");
                    }
                }
            }
        }
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
