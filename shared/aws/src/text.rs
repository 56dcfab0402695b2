//! SNS's limits on subjects and bodies.
//!
//! - Subject: no line breaks or control characters, must start with a letter, number or
//!   punctuation mark, fewer than 100 characters (SNS `Publish` API reference).
//! - Message: at most 262 144 bytes (256 KiB) of UTF-8, and message attributes (names, data
//!   types and values) count toward the same limit.

use std::collections::BTreeMap;

/// SNS's size limit of one published message, attributes included.
pub const SNS_MAX_BYTES: usize = 262_144;
/// Longest subject we send (SNS: "less than 100 characters").
pub const SUBJECT_MAX_CHARS: usize = 99;
/// Data type every attribute is sent with.
pub const ATTRIBUTE_DATA_TYPE: &str = "String";

/// Longest untrusted name (a feature name) put into an e-mail as it is.
pub const UNTRUSTED_NAME_MAX_CHARS: usize = 200;
/// Longest untrusted text (a description, a fault reason) put into an e-mail as it is.
pub const UNTRUSTED_TEXT_MAX_CHARS: usize = 2000;

/// Makes text from untrusted input (feature names from request keys, values, fault reasons)
/// safe to put into an e-mail line: control characters (line breaks included) are written as
/// escapes (`\n`, `\r`, `\t`, `\u{1b}`), so a name cannot start a line of its own that looks
/// like driftline's; Unicode bidirectional overrides are escaped too; the text is cut to
/// `max_chars` characters (with `...`; [`UNTRUSTED_NAME_MAX_CHARS`] for names,
/// [`UNTRUSTED_TEXT_MAX_CHARS`] for longer text).
///
/// ```
/// use driftline_aws::text::escape_untrusted;
/// assert_eq!(escape_untrusted("age", 200), "age");
/// assert_eq!(
///     escape_untrusted("x\n\nURGENT: wire money to ...", 200),
///     "x\\n\\nURGENT: wire money to ..."
/// );
/// assert_eq!(escape_untrusted("a\u{202e}b", 200), "a\\u{202e}b");
/// assert_eq!(escape_untrusted("abcdef", 3), "abc...");
/// ```
pub fn escape_untrusted(raw: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_chars + 8));
    for (n, c) in raw.chars().enumerate() {
        if n == max_chars {
            out.push_str("...");
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Turns any text into a valid SNS subject: control characters and line breaks become spaces,
/// runs of whitespace collapse, leading whitespace goes, and the result is cut to
/// [`SUBJECT_MAX_CHARS`] characters (with `...` when cut).
pub fn sanitize_subject(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len().min(128));
    let mut last_space = true;
    for c in raw.chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' {
            if !last_space {
                s.push(' ');
            }
            last_space = true;
        } else {
            s.push(c);
            last_space = false;
        }
    }
    let s = s.trim_end().to_string();
    let s = if s.is_empty() {
        "driftline notification".to_string()
    } else {
        s
    };
    if s.chars().count() <= SUBJECT_MAX_CHARS {
        return s;
    }
    let mut cut: String = s.chars().take(SUBJECT_MAX_CHARS - 3).collect();
    cut.truncate(cut.trim_end().len());
    cut.push_str("...");
    cut
}

/// Bytes left for the body once the subject-independent attributes are counted.
pub fn body_budget(attributes: &BTreeMap<String, String>) -> usize {
    let attrs: usize = attributes
        .iter()
        .map(|(k, v)| k.len() + ATTRIBUTE_DATA_TYPE.len() + v.len())
        .sum();
    SNS_MAX_BYTES.saturating_sub(attrs)
}

/// Cuts `body` to at most `max_bytes` bytes on a UTF-8 character boundary, ending with a note
/// that says so (the note is counted in the budget). A body that fits is returned unchanged.
pub fn truncate_body(body: String, max_bytes: usize, full_report: Option<&str>) -> String {
    if body.len() <= max_bytes {
        return body;
    }
    let note = match full_report {
        Some(uri) => format!(
            "\n\n[message truncated to fit the 256 KiB SNS limit; the full report is at {uri}]\n"
        ),
        None => "\n\n[message truncated to fit the 256 KiB SNS limit]\n".to_string(),
    };
    let mut cut = max_bytes.saturating_sub(note.len());
    while cut > 0 && !body.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = body;
    out.truncate(cut);
    out.push_str(&note);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_has_no_line_breaks_and_fits() {
        let s = sanitize_subject("  ALARM:\r\n drift\ton\u{0007} ep  ");
        assert_eq!(s, "ALARM: drift on ep");
        let long = format!("ALARM: {}", "é".repeat(300));
        let s = sanitize_subject(&long);
        assert!(
            s.chars().count() <= SUBJECT_MAX_CHARS,
            "{}",
            s.chars().count()
        );
        assert!(s.ends_with("..."));
        assert!(!s.contains('\n') && !s.contains('\r'));
        assert_eq!(sanitize_subject("\n\n"), "driftline notification");
    }

    #[test]
    fn body_cut_on_char_boundary_with_note() {
        // 3-byte characters so that the byte limit falls inside one.
        let body = "€".repeat(100_000); // 300 000 bytes
        let out = truncate_body(body, 262_144 - 50, Some("s3://b/k/report.html"));
        assert!(out.len() <= 262_144 - 50);
        assert!(out.ends_with("the full report is at s3://b/k/report.html]\n"));
        // Valid UTF-8 by construction (String); the kept prefix is whole characters only.
        let kept = out.split("\n\n[message truncated").next().unwrap();
        assert!(kept.chars().all(|c| c == '€'));
        assert_eq!(kept.len() % 3, 0);
        let small = "fits".to_string();
        assert_eq!(truncate_body(small.clone(), 10, None), small);
    }

    #[test]
    fn attributes_count_toward_the_limit() {
        let mut a = BTreeMap::new();
        a.insert("state".to_string(), "ALARM".to_string());
        assert_eq!(body_budget(&a), 262_144 - (5 + 6 + 5));
    }
}
