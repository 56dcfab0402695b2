//! Payload decoding (CSV, JSON, BASE64 by encoding and content type) and the classification
//! of lines serde_json refused.

use super::*;

/// Decodes a payload: returns its format and text (BASE64 decoded into `buf`).
pub(crate) fn decode<'a>(
    p: &'a PayloadRaw<'a>,
    buf: &'a mut Vec<u8>,
    what: &str,
) -> Result<(Format, &'a str), Fault> {
    let Some(data) = p.data.as_deref() else {
        return Err((FaultKind::MissingData, format!("{what} has no data")));
    };
    let ct = p.observed_content_type.as_deref();
    let enc = p.encoding.as_deref();
    let by_type = |ct: Option<&str>| -> Result<Format, Fault> {
        match ct.map(media_type) {
            Some(m) if m.eq_ignore_ascii_case("text/csv") => Ok(Format::Csv),
            Some(m) if m.to_ascii_lowercase().contains("json") => Ok(Format::Json),
            other => Err((
                FaultKind::UnsupportedContentType,
                format!(
                    "{what}: content type {:?} is neither CSV nor JSON",
                    other
                        .map(|s| truncate(s, 60))
                        .unwrap_or_else(|| "(none)".into())
                ),
            )),
        }
    };
    match enc {
        Some(e) if e.eq_ignore_ascii_case("CSV") => Ok((Format::Csv, data)),
        Some(e) if e.eq_ignore_ascii_case("JSON") => Ok((Format::Json, data)),
        Some(e) if e.eq_ignore_ascii_case("BASE64") => {
            let fmt = by_type(ct)?;
            buf.clear();
            base64::engine::general_purpose::STANDARD
                .decode_vec(data.trim().as_bytes(), buf)
                .map_err(|e| (FaultKind::BadBase64, format!("{what}: {e}")))?;
            let text = std::str::from_utf8(buf).map_err(|e| {
                (
                    FaultKind::InvalidUtf8,
                    format!("{what}: decoded BASE64: {e}"),
                )
            })?;
            Ok((fmt, text))
        }
        None => Ok((by_type(ct)?, data)),
        Some(e) => Err((
            FaultKind::UnsupportedEncoding,
            format!(
                "{what}: encoding {:?} is not CSV, JSON or BASE64",
                truncate(e, 40)
            ),
        )),
    }
}

/// `text/csv; charset=utf-8` → `text/csv`.
fn media_type(ct: &str) -> &str {
    ct.split(';').next().unwrap_or("").trim()
}

/// Classifies a line that serde_json refused.
pub(crate) fn classify_bad_line(line: &[u8], e: &serde_json::Error) -> Fault {
    let control = line
        .iter()
        .filter(|&&b| b < 0x20 && b != b'\t' && b != b'\r' && b != b'\n')
        .count();
    if memchr::memchr(0, line).is_some() || control * 10 > line.len() {
        return (
            FaultKind::BinaryData,
            format!(
                "binary data ({control} control bytes in {} bytes)",
                line.len()
            ),
        );
    }
    if let Err(u) = std::str::from_utf8(line) {
        return (FaultKind::InvalidUtf8, format!("invalid UTF-8: {u}"));
    }
    match e.classify() {
        serde_json::error::Category::Data => (
            FaultKind::UnrecognisedRecord,
            format!("not a capture record: {e}"),
        ),
        _ => (FaultKind::MalformedJson, format!("malformed JSON: {e}")),
    }
}
