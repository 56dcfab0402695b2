//! Reading parts of a Parquet file held elsewhere (S3): the footer first, then only the column
//! chunks of the row groups a shard profiles.
//!
//! ```
//! use bytes::Bytes;
//! use driftline_dataset::parquet_io::SparseFile;
//! use parquet::file::reader::ChunkReader;
//!
//! let mut f = SparseFile::new(100);
//! f.insert(10, Bytes::from_static(b"abcdef"));
//! assert_eq!(&f.get_bytes(12, 3).unwrap()[..], b"cde");
//! assert!(f.get_bytes(14, 4).is_err()); // bytes 16..18 were never fetched
//! ```

use anyhow::{bail, Context, Result};
use bytes::{Buf, Bytes};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
use std::collections::BTreeMap;

/// Bytes at the end of a Parquet file after its metadata: a 4-byte length and `PAR1`.
pub const FOOTER_TAIL: u64 = 8;

/// A file of a known length of which only some byte ranges were fetched. Parquet reads through
/// it as through a whole file, and a read outside the fetched ranges is an error (never a
/// silent zero).
#[derive(Debug, Clone, Default)]
pub struct SparseFile {
    len: u64,
    segments: BTreeMap<u64, Bytes>,
}

impl SparseFile {
    /// An empty view of a file of `len` bytes.
    pub fn new(len: u64) -> Self {
        SparseFile {
            len,
            segments: BTreeMap::new(),
        }
    }

    /// Adds the bytes fetched at offset `start`.
    pub fn insert(&mut self, start: u64, bytes: Bytes) {
        self.segments.insert(start, bytes);
    }

    /// The fetched segment holding `[start, start + len)`, as a slice of it.
    fn slice(&self, start: u64, len: u64) -> Result<Bytes, ParquetError> {
        let missing = || {
            ParquetError::General(format!(
                "bytes {start}..{} were not fetched",
                start.saturating_add(len)
            ))
        };
        if len == 0 && start <= self.len {
            return Ok(Bytes::new());
        }
        // Segments may overlap (a footer fetched with the data before it): any that covers.
        for (&at, seg) in self.segments.range(..=start).rev() {
            let from = start - at;
            let Some(to) = from.checked_add(len) else {
                break;
            };
            if to > seg.len() as u64 {
                continue;
            }
            let (Ok(from), Ok(to)) = (usize::try_from(from), usize::try_from(to)) else {
                break;
            };
            return Ok(seg.slice(from..to));
        }
        Err(missing())
    }

    /// The rest of the longest fetched segment from `start`.
    fn rest(&self, start: u64) -> Result<Bytes, ParquetError> {
        let best = self
            .segments
            .range(..=start)
            .map(|(&at, seg)| (seg.len() as u64).saturating_sub(start - at))
            .max()
            .unwrap_or(0);
        if best == 0 && start != self.len {
            return Err(ParquetError::General(format!(
                "byte {start} was not fetched"
            )));
        }
        self.slice(start, best)
    }
}

impl Length for SparseFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for SparseFile {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(self.rest(start)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.slice(start, length as u64)
    }
}

/// The length of a Parquet file's metadata plus its 8-byte tail, read from the file's last 8
/// bytes (`tail`).
pub fn footer_len(tail: &[u8], name: &str) -> Result<u64> {
    let Some(last) = tail.len().checked_sub(8).map(|i| &tail[i..]) else {
        bail!("{name}: too short to be a Parquet file");
    };
    match &last[4..] {
        b"PAR1" => {}
        b"PARE" => bail!("{name}: encrypted Parquet footers are not supported"),
        _ => bail!("{name}: not a Parquet file (no PAR1 at its end)"),
    }
    let n = u32::from_le_bytes([last[0], last[1], last[2], last[3]]);
    Ok(u64::from(n) + FOOTER_TAIL)
}

/// Where a row group's column chunks lie in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowGroupSpan {
    /// Row group index.
    pub index: usize,
    /// Rows in it.
    pub rows: u64,
    /// First byte of its column chunks.
    pub start: u64,
    /// One past the last byte of its column chunks.
    pub end: u64,
}

/// The byte span of every row group (read from the footer; `file` needs only the footer).
pub fn row_group_spans<R: ChunkReader + 'static>(file: R, name: &str) -> Result<Vec<RowGroupSpan>> {
    let reader = SerializedFileReader::new(file)
        .with_context(|| format!("{name}: not a readable Parquet footer"))?;
    let mut spans = Vec::new();
    for (index, rg) in reader.metadata().row_groups().iter().enumerate() {
        let mut start = u64::MAX;
        let mut end = 0u64;
        for c in rg.columns() {
            let (s, len) = c.byte_range();
            start = start.min(s);
            end = end.max(s.saturating_add(len));
        }
        if start > end {
            start = end;
        }
        spans.push(RowGroupSpan {
            index,
            rows: u64::try_from(rg.num_rows()).unwrap_or(0),
            start,
            end,
        });
    }
    Ok(spans)
}

/// Groups consecutive row groups into shards of at most `max_bytes` of column chunks each (a
/// row group larger than that is a shard of its own).
pub fn plan_row_groups(spans: &[RowGroupSpan], max_bytes: u64) -> Vec<Vec<usize>> {
    let mut shards: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut bytes = 0u64;
    for s in spans {
        let size = s.end - s.start;
        if !current.is_empty() && bytes.saturating_add(size) > max_bytes {
            shards.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(s.index);
        bytes = bytes.saturating_add(size);
    }
    if !current.is_empty() {
        shards.push(current);
    }
    shards
}

/// The byte ranges to fetch to read `groups` (adjacent spans joined).
pub fn ranges_of(spans: &[RowGroupSpan], groups: &[usize]) -> Result<Vec<[u64; 2]>> {
    let mut ranges: Vec<[u64; 2]> = Vec::new();
    let mut sorted = groups.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for g in sorted {
        let Some(s) = spans.get(g) else {
            bail!("no row group {g} (the file has {})", spans.len());
        };
        match ranges.last_mut() {
            Some(last) if last[1] == s.start => last[1] = s.end,
            _ => ranges.push([s.start, s.end]),
        }
    }
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(index: usize, start: u64, end: u64) -> RowGroupSpan {
        RowGroupSpan {
            index,
            rows: 1,
            start,
            end,
        }
    }

    #[test]
    fn reads_outside_fetched_ranges_are_errors() {
        let mut f = SparseFile::new(50);
        f.insert(0, Bytes::from_static(b"0123456789"));
        f.insert(40, Bytes::from_static(b"abcdefghij"));
        assert_eq!(&f.get_bytes(3, 4).unwrap()[..], b"3456");
        assert_eq!(&f.get_bytes(45, 5).unwrap()[..], b"fghij");
        assert!(f.get_bytes(8, 4).is_err());
        assert!(f.get_bytes(20, 1).is_err());
        assert!(f.get_bytes(u64::MAX, 2).is_err());
        assert!(f.get_bytes(50, 0).unwrap().is_empty());
        // Overlapping segments: whichever covers the read.
        f.insert(2, Bytes::from_static(b"23"));
        assert_eq!(&f.get_bytes(3, 5).unwrap()[..], b"34567");
        let mut r = f.get_read(42).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut r, &mut s).unwrap();
        assert_eq!(s, "cdefghij");
    }

    #[test]
    fn footers_are_checked() {
        assert_eq!(footer_len(b"xx\x10\0\0\0PAR1", "f").unwrap(), 24);
        assert!(
            format!("{:#}", footer_len(b"\x10\0\0\0PARE", "f").unwrap_err()).contains("encrypted")
        );
        assert!(footer_len(b"abc", "f").is_err());
        assert!(footer_len(b"12345678", "f").is_err());
    }

    #[test]
    fn row_groups_are_grouped_up_to_the_limit() {
        let spans = [
            span(0, 4, 14),
            span(1, 14, 24),
            span(2, 24, 64),
            span(3, 64, 70),
        ];
        assert_eq!(
            plan_row_groups(&spans, 20),
            vec![vec![0, 1], vec![2], vec![3]]
        );
        assert_eq!(plan_row_groups(&spans, 1000), vec![vec![0, 1, 2, 3]]);
        assert_eq!(
            plan_row_groups(&spans, 1),
            vec![vec![0], vec![1], vec![2], vec![3]]
        );
        assert_eq!(
            ranges_of(&spans, &[3, 0, 1]).unwrap(),
            vec![[4, 24], [64, 70]]
        );
        assert!(ranges_of(&spans, &[9]).is_err());
    }
}
