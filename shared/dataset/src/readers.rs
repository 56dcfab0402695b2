//! Training-data readers: CSV, JSON Lines and Parquet, plain or gzip, each streamed row by row
//! into a [`DatasetProfile`] (the engine of `driftline baseline` and of the profile-shard
//! Lambda function).
//!
//! * CSV: every field is a [`Cell::Raw`] (Deequ's regexes decide the type, as Model Monitor's
//!   Spark CSV reader + Deequ do); an empty field is [`Cell::Missing`]. With a header row the
//!   columns take its names, else `_c0`, `_c1`, … (Spark's names for headerless CSV).
//! * JSON Lines: one JSON value per line, flattened as the capture reader flattens JSON records
//!   (objects → dotted names `a.b`, array elements → their index `a.0`; a top-level array or
//!   scalar is positional: `_c0`, `_c1`, …), keys in document order; typed cells.
//! * Parquet: the record API; physical / logical types map to typed cells (integers →
//!   [`Cell::Int`], floating point and decimals → [`Cell::Float`], UTF-8 → [`Cell::Str`],
//!   booleans → [`Cell::Bool`], dates / times / binary → text); groups, lists and maps are
//!   flattened like JSON.

pub use crate::sink::RowSink;
use anyhow::{bail, Context, Result};
use driftline_stats::profile::{Cell, DatasetProfile};
use parquet::file::reader::ChunkReader;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Training-data formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// JSON Lines: one JSON object (or array) per line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
}

impl Format {
    /// The format a file name implies (`.csv`, `.jsonl`/`.json`/`.ndjson`, `.parquet`/`.pq`,
    /// each optionally followed by `.gz`).
    pub fn from_path(path: &Path) -> Option<Format> {
        Format::from_name(path.file_name()?.to_str()?)
    }

    /// The format a file name or S3 key implies (see [`Format::from_path`]).
    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.rsplit('/').next()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.')?.1;
        match ext {
            "csv" | "txt" => Some(Format::Csv),
            "jsonl" | "json" | "ndjson" => Some(Format::Jsonl),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }
}

/// Opens a file for reading, decompressing gzip (detected by its magic bytes).
pub fn open_maybe_gzip(path: &Path) -> Result<Box<dyn BufRead>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    maybe_gzip(BufReader::with_capacity(256 * 1024, file))
        .with_context(|| format!("cannot read {}", path.display()))
}

/// A stream decompressed when it starts with gzip's magic bytes, else as it is.
pub fn maybe_gzip<'a, R: BufRead + 'a>(mut br: R) -> Result<Box<dyn BufRead + 'a>> {
    let head = br.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        let gz = flate2::bufread::MultiGzDecoder::new(br);
        Ok(Box::new(BufReader::with_capacity(256 * 1024, gz)))
    } else {
        Ok(Box::new(br))
    }
}

/// Profiles a training-data file.
pub fn profile_file(path: &Path, format: Format, header: bool) -> Result<DatasetProfile> {
    match format {
        Format::Csv => profile_csv(open_maybe_gzip(path)?, header, &path.display().to_string()),
        Format::Jsonl => profile_jsonl(open_maybe_gzip(path)?, &path.display().to_string()),
        Format::Parquet => {
            let file =
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            profile_parquet(file, &path.display().to_string())
        }
    }
}

/// Profiles CSV text; `name` is used in error messages.
pub fn profile_csv<R: Read>(reader: R, header: bool, name: &str) -> Result<DatasetProfile> {
    profile_csv_with(reader, header, None, name)
}

/// Profiles CSV text whose column names are `names` when given (a shard of a file whose
/// header line is elsewhere), else its first row's (`header`), else `_c0`, `_c1`, ….
pub fn profile_csv_with<R: Read>(
    reader: R,
    header: bool,
    names: Option<Vec<String>>,
    name: &str,
) -> Result<DatasetProfile> {
    let mut p = DatasetProfile::new();
    read_csv(reader, header, names, name, &mut p)?;
    Ok(p)
}

/// Streams CSV text into `sink` (see [`profile_csv_with`] for the column names): every field
/// a [`Cell::Raw`], an empty one [`Cell::Missing`].
pub fn read_csv<R: Read, S: RowSink>(
    reader: R,
    header: bool,
    names: Option<Vec<String>>,
    name: &str,
    sink: &mut S,
) -> Result<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(header)
        .flexible(true)
        .from_reader(reader);
    let mut cols: Vec<usize> = Vec::new();
    if let Some(names) = names {
        for h in &names {
            cols.push(sink.column(h));
        }
    } else if header {
        let headers = rdr
            .headers()
            .with_context(|| format!("{name}: cannot read the header row"))?;
        for h in headers.iter() {
            cols.push(sink.column(h));
        }
    }
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(anyhow::Error::new(e)
                    .context(format!("{name}: line {line}: not readable as CSV")));
            }
        }
        while cols.len() < rec.len() {
            let i = cols.len();
            cols.push(sink.column(&format!("_c{i}")));
        }
        for (i, field) in rec.iter().enumerate() {
            let cell = if field.is_empty() {
                Cell::Missing
            } else {
                Cell::Raw(field)
            };
            sink.cell(cols[i], cell);
        }
        sink.end_row().with_context(|| {
            let line = rec.position().map_or(0, csv::Position::line);
            format!("{name}: line {line}")
        })?;
    }
    Ok(())
}

/// The column names in the first line of CSV text (a header row).
pub fn csv_header_names<R: Read>(reader: R, name: &str) -> Result<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let h = rdr
        .headers()
        .with_context(|| format!("{name}: cannot read the header row"))?;
    Ok(h.iter().map(str::to_string).collect())
}

/// Profiles JSON Lines text (blank lines are skipped); `name` is used in error messages. Each
/// line is flattened by the capture reader's own flattener
/// ([`driftline_capture::flatten_json_record`]), so training data and captured JSON payloads
/// get the same column names.
pub fn profile_jsonl<R: BufRead>(reader: R, name: &str) -> Result<DatasetProfile> {
    let mut p = DatasetProfile::new();
    read_jsonl(reader, name, &mut p)?;
    Ok(p)
}

/// Streams JSON Lines text into `sink`, flattened as [`profile_jsonl`] does.
pub fn read_jsonl<R: BufRead, S: RowSink>(mut reader: R, name: &str, sink: &mut S) -> Result<()> {
    let mut line = String::new();
    let mut line_no = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .with_context(|| format!("{name}: line {}: cannot read", line_no + 1))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let mut cells = |col: &str, cell: Cell<'_>| {
            let i = sink.column(col);
            sink.cell(i, cell);
        };
        driftline_capture::flatten_json_record(text, &mut cells)
            .with_context(|| format!("{name}: line {line_no}: not a JSON value"))?;
        sink.end_row()
            .with_context(|| format!("{name}: line {line_no}"))?;
    }
    Ok(())
}

/// Profiles a Parquet file with the record API (row groups are decoded one at a time).
pub fn profile_parquet<R: ChunkReader + 'static>(file: R, name: &str) -> Result<DatasetProfile> {
    profile_parquet_row_groups(file, name, None)
}

/// Profiles the given row groups of a Parquet file (all of them for `None`), in the order
/// given: a shard of a Parquet file too big for one pass. `file` is anything Parquet reads
/// from: a [`File`], [`bytes::Bytes`], or a [`crate::parquet_io::SparseFile`] holding only the
/// footer and the column chunks of those row groups.
pub fn profile_parquet_row_groups<R: ChunkReader + 'static>(
    file: R,
    name: &str,
    groups: Option<&[usize]>,
) -> Result<DatasetProfile> {
    let mut p = DatasetProfile::new();
    read_parquet_row_groups(file, name, groups, &mut p)?;
    Ok(p)
}

/// Streams the given row groups of a Parquet file (all for `None`) into `sink`, typed as
/// [`profile_parquet_row_groups`] describes.
pub fn read_parquet_row_groups<R: ChunkReader + 'static, S: RowSink>(
    file: R,
    name: &str,
    groups: Option<&[usize]>,
    p: &mut S,
) -> Result<()> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(file)
        .with_context(|| format!("{name}: not a readable Parquet file"))?;
    // Every top-level column exists even when all its values are null.
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    for field in schema.root_schema().get_fields() {
        if field.is_primitive() {
            p.column(field.name());
        }
    }
    let mut path = String::new();
    let mut add_rows = |rows: parquet::record::reader::RowIter<'_>, p: &mut S| {
        for (i, row) in rows.enumerate() {
            let row = row.with_context(|| format!("{name}: row {}: cannot decode", i + 1))?;
            for (col, field) in row.get_column_iter() {
                path.clear();
                path.push_str(col);
                parquet_field(p, &mut path, field)?;
            }
            p.end_row()
                .with_context(|| format!("{name}: row {}", i + 1))?;
        }
        anyhow::Ok(())
    };
    match groups {
        None => {
            let rows = reader
                .get_row_iter(None)
                .with_context(|| format!("{name}: cannot read rows"))?;
            add_rows(rows, p)?;
        }
        Some(groups) => {
            let count = reader.num_row_groups();
            for &g in groups {
                if g >= count {
                    bail!("{name}: no row group {g} (the file has {count})");
                }
                let group = reader
                    .get_row_group(g)
                    .with_context(|| format!("{name}: cannot read row group {g}"))?;
                let rows = parquet::record::reader::RowIter::from_row_group(None, group.as_ref())
                    .with_context(|| format!("{name}: row group {g}: cannot read rows"))?;
                add_rows(rows, p).with_context(|| format!("{name}: row group {g}"))?;
            }
        }
    }
    Ok(())
}

fn parquet_field<S: RowSink>(
    p: &mut S,
    path: &mut String,
    field: &parquet::record::Field,
) -> Result<()> {
    use parquet::record::{Field, MapAccessor};
    let cell_text;
    let cell = match field {
        Field::Null => Cell::Missing,
        Field::Bool(b) => Cell::Bool(*b),
        Field::Byte(v) => Cell::Int(i64::from(*v)),
        Field::Short(v) => Cell::Int(i64::from(*v)),
        Field::Int(v) => Cell::Int(i64::from(*v)),
        Field::Long(v) => Cell::Int(*v),
        Field::UByte(v) => Cell::Int(i64::from(*v)),
        Field::UShort(v) => Cell::Int(i64::from(*v)),
        Field::UInt(v) => Cell::Int(i64::from(*v)),
        Field::ULong(v) => match i64::try_from(*v) {
            Ok(i) => Cell::Int(i),
            Err(_) => Cell::Float(*v as f64),
        },
        Field::Float16(v) => Cell::Float(f64::from(v.to_f32())),
        Field::Float(v) => Cell::Float(f64::from(*v)),
        Field::Double(v) => Cell::Float(*v),
        Field::Decimal(_) => {
            let text = field.to_string();
            match text.parse::<f64>() {
                Ok(v) => Cell::Float(v),
                Err(_) => bail!("{path}: decimal {text} is not a number"),
            }
        }
        Field::Str(s) => Cell::Str(s),
        Field::Bytes(_)
        | Field::Date(_)
        | Field::TimeMillis(_)
        | Field::TimeMicros(_)
        | Field::TimestampMillis(_)
        | Field::TimestampMicros(_) => {
            cell_text = field.to_string();
            Cell::Str(cell_text.trim_matches('"'))
        }
        Field::Group(row) => {
            let base = path.len();
            for (k, v) in row.get_column_iter() {
                path.truncate(base);
                path.push('.');
                path.push_str(k);
                parquet_field(p, path, v)?;
            }
            path.truncate(base);
            return Ok(());
        }
        Field::ListInternal(list) => {
            let base = path.len();
            for (i, v) in list.elements().iter().enumerate() {
                path.truncate(base);
                path.push('.');
                path.push_str(&i.to_string());
                parquet_field(p, path, v)?;
            }
            path.truncate(base);
            return Ok(());
        }
        Field::MapInternal(map) => {
            let base = path.len();
            let keys = map.get_keys();
            let values = map.get_values();
            for i in 0..map.len() {
                let key = match keys.get_string(i) {
                    Ok(s) => s.clone(),
                    Err(_) => i.to_string(),
                };
                path.truncate(base);
                path.push('.');
                path.push_str(&key);
                if let Ok(v) = values.get_string(i) {
                    let j = p.column(path);
                    p.cell(j, Cell::Str(v));
                }
            }
            path.truncate(base);
            return Ok(());
        }
    };
    let j = p.column(path);
    p.cell(j, cell);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &DatasetProfile) -> Vec<String> {
        p.columns().iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(Format::from_path(Path::new("a/b.CSV")), Some(Format::Csv));
        assert_eq!(
            Format::from_path(Path::new("b.jsonl.gz")),
            Some(Format::Jsonl)
        );
        assert_eq!(
            Format::from_path(Path::new("t.parquet")),
            Some(Format::Parquet)
        );
        assert_eq!(Format::from_path(Path::new("noext")), None);
        assert_eq!(
            Format::from_name("s3/pre.fix/part-0.csv.gz"),
            Some(Format::Csv)
        );
        assert_eq!(Format::from_name("a.csv/_SUCCESS"), None);
    }

    #[test]
    fn jsonl_flattens_in_document_order() {
        let text = "{\"z\": 1, \"a\": {\"y\": \"s\", \"b\": [1.5, null]}, \"t\": true}\n\n[3, 4]\n";
        let p = profile_jsonl(text.as_bytes(), "t").unwrap();
        assert_eq!(names(&p), ["z", "a.y", "a.b.0", "a.b.1", "t", "_c0", "_c1"]);
        assert_eq!(p.item_count(), 2);
        assert_eq!(p.feature("z").unwrap().num_present(), 1);
        assert_eq!(p.feature("a.b.1").unwrap().num_present(), 0);
    }

    #[test]
    fn jsonl_nested_arrays_are_named_like_captures() {
        // One flattener for training data and captures: element i of a top-level array is
        // `_c{i}`, its nested elements below it.
        let p = profile_jsonl("[1, [2, 3], {\"a\": 4}]\n".as_bytes(), "t").unwrap();
        assert_eq!(names(&p), ["_c0", "_c1.0", "_c1.1", "_c2.a"]);
        let p = profile_jsonl("7\n".as_bytes(), "t").unwrap();
        assert_eq!(names(&p), ["_c0"]);
    }

    #[test]
    fn jsonl_error_names_line() {
        let err = profile_jsonl("{\"a\":1}\n{\"a\":\n".as_bytes(), "f.jsonl").unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("f.jsonl: line 2"), "{msg}");
    }

    #[test]
    fn csv_headerless_names() {
        let p = profile_csv("1,a\n2,,x\n".as_bytes(), false, "t").unwrap();
        assert_eq!(names(&p), ["_c0", "_c1", "_c2"]);
        assert_eq!(p.feature("_c1").unwrap().num_present(), 1);
    }
}
