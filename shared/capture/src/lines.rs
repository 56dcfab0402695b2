//! Splitting a byte stream into lines without buffering over-long lines.

use memchr::memchr;

/// A line found by a [`LineAssembler`].
#[derive(Debug, PartialEq, Eq)]
pub enum LineEvent<'a> {
    /// A complete line (without its `\n`).
    Line(&'a [u8]),
    /// A line longer than the limit, skipped; `len` is its length in bytes.
    TooLong {
        /// Length of the skipped line in bytes (without the `\n`).
        len: u64,
    },
}

/// Splits chunks of bytes (e.g. from an S3 body stream) into lines. Lines that lie wholly inside
/// one chunk are handed out as slices of the chunk (no copy); a line that spans chunks is copied
/// into one reusable buffer; a line over `max_line_bytes` is skipped to its newline without
/// being buffered.
#[derive(Debug)]
pub struct LineAssembler {
    partial: Vec<u8>,
    skipping: bool,
    skipped_len: u64,
    max: usize,
}

impl LineAssembler {
    /// An assembler refusing lines longer than `max_line_bytes`.
    pub fn new(max_line_bytes: usize) -> Self {
        LineAssembler {
            partial: Vec::new(),
            skipping: false,
            skipped_len: 0,
            max: max_line_bytes,
        }
    }

    /// Feeds a chunk; `f` is called for every line completed by it.
    pub fn feed(&mut self, chunk: &[u8], mut f: impl FnMut(LineEvent<'_>)) {
        let mut rest = chunk;
        while !rest.is_empty() {
            match memchr(b'\n', rest) {
                Some(p) => {
                    let piece = &rest[..p];
                    rest = &rest[p + 1..];
                    if self.skipping {
                        let len = self.skipped_len + piece.len() as u64;
                        self.skipping = false;
                        self.skipped_len = 0;
                        f(LineEvent::TooLong { len });
                    } else if self.partial.is_empty() {
                        if piece.len() > self.max {
                            f(LineEvent::TooLong {
                                len: piece.len() as u64,
                            });
                        } else {
                            f(LineEvent::Line(piece));
                        }
                    } else if self.partial.len() + piece.len() > self.max {
                        let len = (self.partial.len() + piece.len()) as u64;
                        self.partial.clear();
                        f(LineEvent::TooLong { len });
                    } else {
                        self.partial.extend_from_slice(piece);
                        f(LineEvent::Line(&self.partial));
                        self.partial.clear();
                    }
                }
                None => {
                    if self.skipping {
                        self.skipped_len += rest.len() as u64;
                    } else if self.partial.len() + rest.len() > self.max {
                        self.skipping = true;
                        self.skipped_len = (self.partial.len() + rest.len()) as u64;
                        self.partial.clear();
                        self.partial.shrink_to(self.max.min(1 << 16));
                    } else {
                        self.partial.extend_from_slice(rest);
                    }
                    break;
                }
            }
        }
    }

    /// Ends the stream: hands out a last line that had no `\n`.
    pub fn finish(&mut self, mut f: impl FnMut(LineEvent<'_>)) {
        if self.skipping {
            let len = self.skipped_len;
            self.skipping = false;
            self.skipped_len = 0;
            f(LineEvent::TooLong { len });
        } else if !self.partial.is_empty() {
            f(LineEvent::Line(&self.partial));
            self.partial.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]], max: usize) -> Vec<Result<Vec<u8>, u64>> {
        let mut a = LineAssembler::new(max);
        let mut out = Vec::new();
        let mut push = |e: LineEvent<'_>| match e {
            LineEvent::Line(l) => out.push(Ok(l.to_vec())),
            LineEvent::TooLong { len } => out.push(Err(len)),
        };
        for c in chunks {
            a.feed(c, &mut push);
        }
        a.finish(&mut push);
        out
    }

    #[test]
    fn splits_across_chunks_and_skips_long_lines() {
        let got = run(&[b"ab\ncd", b"ef\n", b"0123456789", b"ABC\nxy"], 8);
        assert_eq!(
            got,
            vec![
                Ok(b"ab".to_vec()),
                Ok(b"cdef".to_vec()),
                Err(13),
                Ok(b"xy".to_vec())
            ]
        );
        // Same bytes in one chunk give the same lines.
        let got1 = run(&[b"ab\ncdef\n0123456789ABC\nxy"], 8);
        assert_eq!(got, got1);
        // Byte by byte.
        let all = b"ab\ncdef\n0123456789ABC\nxy";
        let chunks: Vec<&[u8]> = all.chunks(1).collect();
        assert_eq!(run(&chunks, 8), got);
    }

    #[test]
    fn empty_lines_and_trailing_newline() {
        assert_eq!(
            run(&[b"\n\na\n"], 8),
            vec![Ok(vec![]), Ok(vec![]), Ok(b"a".to_vec())]
        );
        assert_eq!(run(&[b""], 8), Vec::<Result<Vec<u8>, u64>>::new());
        assert_eq!(run(&[b"0123456789"], 8), vec![Err(10)]);
    }
}
