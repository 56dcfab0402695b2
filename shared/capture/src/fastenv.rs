//! A fast, strict scanner for the common shape of a capture line. It builds the same
//! [`Envelope`] that serde would, borrowing strings without escapes (a value string with escapes
//! is decoded by serde_json itself), and gives up (`None`) on anything it does not handle
//! exactly as serde_json does (escapes in keys or skipped strings, control bytes, invalid UTF-8,
//! duplicate or special keys, deep nesting, malformed numbers); the caller then falls back to
//! serde_json, so results never depend on which path ran.

use crate::envelope::{CaptureDataRaw, Envelope, MetaRaw, PayloadRaw};
use memchr::memchr2;
use std::borrow::Cow;

const MAX_DEPTH: usize = 64;

struct Sc<'a> {
    /// The line as text (validated once).
    t: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Sc<'a> {
    #[inline]
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\r' | b'\n') {
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string without escapes (the caller checked the line for control bytes and UTF-8).
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let rest = self.b.get(start..)?;
        let q = memchr2(b'"', b'\\', rest)?;
        if rest[q] == b'\\' {
            return None;
        }
        self.i = start + q + 1;
        // Quotes are ASCII, so the slice is on char boundaries of the validated line.
        self.t.get(start..start + q)
    }

    /// A string value: borrowed when it has no escapes; with escapes, the quoted literal is
    /// decoded by serde_json itself (so the result is serde's, byte for byte).
    #[inline]
    fn string_value(&mut self) -> Option<Cow<'a, str>> {
        if self.peek()? != b'"' {
            return None;
        }
        let open = self.i;
        let mut j = open + 1;
        let mut escaped = false;
        loop {
            let q = j + memchr2(b'"', b'\\', self.b.get(j..)?)?;
            if self.b[q] == b'\\' {
                escaped = true;
                j = q + 2;
            } else {
                j = q;
                break;
            }
        }
        self.i = j + 1;
        if escaped {
            serde_json::from_str::<String>(self.t.get(open..=j)?)
                .ok()
                .map(Cow::Owned)
        } else {
            self.t.get(open + 1..j).map(Cow::Borrowed)
        }
    }

    /// `null` → `Some(None)`, a string → `Some(Some(s))`, anything else → `None`.
    #[inline]
    fn opt_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.peek()? {
            b'n' => {
                self.literal(b"null")?;
                Some(None)
            }
            _ => self.string_value().map(Some),
        }
    }

    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + lit.len())? == lit {
            self.i += lit.len();
            Some(())
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<()> {
        let b = self.b;
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == s {
                return None;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == s {
                return None;
            }
        }
        // A number must end at a delimiter.
        match b.get(i) {
            None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') => {
                self.i = i;
                Some(())
            }
            _ => None,
        }
    }

    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => {
                self.i += 1;
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.string()?;
                    self.eat(b':')?;
                    self.skip_value(depth + 1)?;
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip_value(depth + 1)?;
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number(),
        }
    }

    /// Iterates an object's members: `f(scanner, key)` must consume the value.
    #[inline]
    fn object(&mut self, mut f: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let k = self.string()?;
            self.eat(b':')?;
            f(self, k)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `null` → `Some(None)`; an object → parsed by `f`.
    fn opt_object<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.peek()? {
            b'n' => {
                self.literal(b"null")?;
                Some(None)
            }
            b'{' => f(self).map(Some),
            _ => None,
        }
    }

    fn payload(&mut self) -> Option<PayloadRaw<'a>> {
        let mut p = PayloadRaw {
            observed_content_type: None,
            data: None,
            encoding: None,
        };
        let (mut ct, mut d, mut e) = (false, false, false);
        self.object(|s, k| {
            let (seen, slot) = match k {
                "observedContentType" => (&mut ct, &mut p.observed_content_type),
                "data" => (&mut d, &mut p.data),
                "encoding" => (&mut e, &mut p.encoding),
                _ => return s.skip_value(1),
            };
            if std::mem::replace(seen, true) {
                return None; // duplicate: serde reports it
            }
            *slot = s.opt_string()?;
            Some(())
        })?;
        Some(p)
    }
}

/// Scans a line (already without `\r\n`) into an [`Envelope`], or `None` to let serde decide.
pub(crate) fn scan(line: &[u8]) -> Option<Envelope<'_>> {
    // Control bytes are invalid inside JSON strings; leave such lines to serde.
    if line.iter().fold(0xffu8, |lo, &b| lo.min(b)) < 0x20 {
        return None;
    }
    let text = std::str::from_utf8(line).ok()?;
    let mut s = Sc {
        t: text,
        b: line,
        i: 0,
    };
    let mut env = Envelope {
        capture_data: None,
        event_metadata: None,
        ground_truth: None,
        sm_output: None,
        sm_inference_id: None,
        sm_inference_time: None,
    };
    let (mut seen_cd, mut seen_md) = (false, false);
    s.object(|s, k| match k {
        "captureData" => {
            if std::mem::replace(&mut seen_cd, true) {
                return None;
            }
            env.capture_data = s.opt_object(|s| {
                let mut cd = CaptureDataRaw {
                    endpoint_input: None,
                    endpoint_output: None,
                    batch_transform_output: None,
                };
                let (mut si, mut so) = (false, false);
                s.object(|s, k| match k {
                    "endpointInput" => {
                        if std::mem::replace(&mut si, true) {
                            return None;
                        }
                        cd.endpoint_input = s.opt_object(|s| s.payload())?;
                        Some(())
                    }
                    "endpointOutput" => {
                        if std::mem::replace(&mut so, true) {
                            return None;
                        }
                        cd.endpoint_output = s.opt_object(|s| s.payload())?;
                        Some(())
                    }
                    "batchTransformOutput" => None,
                    _ => s.skip_value(2),
                })?;
                Some(cd)
            })?;
            Some(())
        }
        "eventMetadata" => {
            if std::mem::replace(&mut seen_md, true) {
                return None;
            }
            env.event_metadata = s.opt_object(|s| {
                let mut m = MetaRaw {
                    event_id: None,
                    inference_id: None,
                    inference_time: None,
                    invocation_source: None,
                };
                let mut seen = [false; 4];
                s.object(|s, k| {
                    let (n, slot) = match k {
                        "eventId" => (0, &mut m.event_id),
                        "inferenceId" => (1, &mut m.inference_id),
                        "inferenceTime" => (2, &mut m.inference_time),
                        "invocationSource" => (3, &mut m.invocation_source),
                        _ => return s.skip_value(2),
                    };
                    if std::mem::replace(&mut seen[n], true) {
                        return None;
                    }
                    *slot = s.opt_string()?;
                    Some(())
                })?;
                Some(m)
            })?;
            Some(())
        }
        "groundTruthData"
        | "SageMakerOutput"
        | "SageMakerInferenceId"
        | "SageMakerInferenceTime" => None,
        _ => s.skip_value(1),
    })?;
    s.ws();
    if s.i != line.len() {
        return None;
    }
    Some(env)
}

/// The envelope fields a [`Template`] fills from a line's string values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    InContentType,
    InData,
    InEncoding,
    OutContentType,
    OutData,
    OutEncoding,
    EventId,
    InferenceId,
    InferenceTime,
    InvocationSource,
}

const ROLES: usize = 10;

/// Which optional containers the learned line had.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Shape {
    capture_data: bool,
    input: bool,
    output: bool,
    metadata: bool,
}

/// The shape of a line learned from one that [`scan`] parsed: the bytes between the string
/// values the envelope uses (keys, punctuation, constant values such as `"mode":"INPUT"`) and
/// which field each value fills. A later line *matches* when it is those same bytes with other
/// escape-free string values in the value places, in which case the general scanner would build
/// the same envelope with those values, so [`Template::scan`] builds it directly: one
/// comparison per literal run and one quote search per value. Anything else (a different key
/// order, a changed constant, an escape, a non-ASCII or control byte) is not a match and the
/// caller scans the line in full; results never depend on which path ran.
#[derive(Debug, Clone, Default)]
pub(crate) struct Template {
    /// The literal runs, concatenated: run `i` is `lits[cuts[i]..cuts[i + 1]]`.
    lits: Vec<u8>,
    /// `roles.len() + 2` boundaries into `lits`.
    cuts: Vec<usize>,
    /// The field of each value, in line order (value `i` follows run `i`).
    roles: Vec<Role>,
    shape: Shape,
}

/// True when every byte is printable ASCII (`0x20..=0x7f`), so the line is valid UTF-8 without
/// control bytes. Written as a branch-free fold over 32-byte blocks, which the compiler turns
/// into vector compares.
#[inline]
fn printable_ascii(line: &[u8]) -> bool {
    #[inline(always)]
    fn bad(b: u8) -> u8 {
        u8::from(b.wrapping_sub(0x20) >= 0x60)
    }
    let mut blocks = line.chunks_exact(32);
    for block in &mut blocks {
        if block.iter().fold(0u8, |m, &b| m | bad(b)) != 0 {
            return false;
        }
    }
    blocks.remainder().iter().fold(0u8, |m, &b| m | bad(b)) == 0
}

/// For 16 bytes: bit `i` of the first mask is set where `block[i]` is `"`, of the second where
/// it is `"`, `\\` or outside printable ASCII (below `0x20` or from `0x80`): the bytes that end
/// or spoil a plain string value. SSE2 on x86_64; elsewhere the same masks from 64-bit words.
#[inline(always)]
fn value_masks16(block: &[u8; 16]) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
            _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86_64 baseline; the unaligned load reads the 16 bytes of
        // `block`.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Signed compare: bytes from 0x80 are negative, so this is `< 0x20 || >= 0x80`.
            let bad = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
            let stop = _mm_or_si128(_mm_or_si128(quote, backslash), bad);
            (
                _mm_movemask_epi8(quote) as u32,
                _mm_movemask_epi8(stop) as u32,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        value_masks16_swar(block)
    }
}

/// [`value_masks16`] without vector instructions (exact per-byte tests in 64-bit words).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn value_masks16_swar(block: &[u8; 16]) -> (u32, u32) {
    use crate::csvsplit::{bytes_equal as equal, gather, LOW7, ONES};
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut quote = 0u32;
    let mut stop = 0u32;
    for (k, w) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let q = equal(word, b'"');
        // Low seven bits plus 0x60 reach 0x80 exactly when they are >= 0x20 (no carry out of
        // the byte): bad where the high bit is set or that sum stays below 0x80.
        let printable_low = (word & LOW7) + ONES * 0x60;
        let bad = (word | !printable_low) & HIGH;
        quote |= gather(q) << (8 * k);
        stop |= gather(q | equal(word, b'\\') | bad) << (8 * k);
    }
    (quote, stop)
}

/// Offset, from `from`, of the `"` that closes the string value starting at `from`: `None`
/// when a `\\` (an escape: the strict scanner decides), a byte outside printable ASCII, or the
/// end of the line comes first. So a value it accepts is printable ASCII, valid UTF-8.
#[inline]
fn closing_quote(line: &[u8], from: usize) -> Option<usize> {
    let rest = line.get(from..)?;
    let mut blocks = rest.chunks_exact(16);
    let mut base = 0;
    for b in &mut blocks {
        let block: &[u8; 16] = b.try_into().ok()?;
        let (quote, stop) = value_masks16(block);
        if stop != 0 {
            let i = stop.trailing_zeros();
            return ((quote >> i) & 1 == 1).then_some(base + i as usize);
        }
        base += 16;
    }
    let r = blocks.remainder();
    let mut tail = [0u8; 16];
    tail[..r.len()].copy_from_slice(r);
    let (quote, stop) = value_masks16(&tail);
    // The zero padding would read as control bytes: only the remainder's bits count.
    let stop = stop & ((1u32 << r.len()) - 1);
    if stop == 0 {
        return None;
    }
    let i = stop.trailing_zeros();
    ((quote >> i) & 1 == 1).then_some(base + i as usize)
}

impl Template {
    /// Learns the shape of `line` from its envelope as [`scan`] returned it (every field a
    /// slice of `line`). `None` when the envelope cannot serve as a template (a value with
    /// escapes, a non-ASCII line, a record kind the template does not cover).
    pub(crate) fn learn(line: &[u8], env: &Envelope<'_>) -> Option<Template> {
        if !printable_ascii(line)
            || env.ground_truth.is_some()
            || env.sm_output.is_some()
            || env.sm_inference_id.is_some()
            || env.sm_inference_time.is_some()
        {
            return None;
        }
        let base = line.as_ptr() as usize;
        let mut slots: Vec<(usize, usize, Role)> = Vec::with_capacity(ROLES);
        let mut add = |v: &Option<Cow<'_, str>>, role: Role| -> Option<()> {
            match v {
                None => Some(()),
                Some(Cow::Owned(_)) => None,
                Some(Cow::Borrowed(s)) => {
                    let start = (s.as_ptr() as usize).checked_sub(base)?;
                    let end = start + s.len();
                    // A borrowed value sits between quotes inside the line.
                    if start == 0 || end >= line.len() || line[start - 1] != b'"' {
                        return None;
                    }
                    if line[end] != b'"' {
                        return None;
                    }
                    slots.push((start, end, role));
                    Some(())
                }
            }
        };
        let mut shape = Shape::default();
        if let Some(cd) = &env.capture_data {
            if cd.batch_transform_output.is_some() {
                return None;
            }
            shape.capture_data = true;
            if let Some(p) = &cd.endpoint_input {
                shape.input = true;
                add(&p.observed_content_type, Role::InContentType)?;
                add(&p.data, Role::InData)?;
                add(&p.encoding, Role::InEncoding)?;
            }
            if let Some(p) = &cd.endpoint_output {
                shape.output = true;
                add(&p.observed_content_type, Role::OutContentType)?;
                add(&p.data, Role::OutData)?;
                add(&p.encoding, Role::OutEncoding)?;
            }
        }
        if let Some(m) = &env.event_metadata {
            shape.metadata = true;
            add(&m.event_id, Role::EventId)?;
            add(&m.inference_id, Role::InferenceId)?;
            add(&m.inference_time, Role::InferenceTime)?;
            add(&m.invocation_source, Role::InvocationSource)?;
        }
        slots.sort_unstable_by_key(|s| s.0);
        let mut t = Template {
            lits: Vec::with_capacity(line.len()),
            cuts: vec![0],
            roles: Vec::with_capacity(slots.len()),
            shape,
        };
        let mut pos = 0;
        for &(start, end, role) in &slots {
            if start < pos {
                return None;
            }
            t.lits.extend_from_slice(&line[pos..start]);
            t.cuts.push(t.lits.len());
            t.roles.push(role);
            pos = end;
        }
        t.lits.extend_from_slice(&line[pos..]);
        t.cuts.push(t.lits.len());
        Some(t)
    }

    /// The envelope of `line` when it matches the template, else `None`.
    #[inline]
    pub(crate) fn scan<'a>(&self, line: &'a [u8]) -> Option<Envelope<'a>> {
        // Every byte is checked once: the literal runs (printable ASCII, learned from a
        // printable line) by comparison, the values by `closing_quote`.
        let mut vals: [Option<&'a str>; ROLES] = [None; ROLES];
        let mut pos = 0;
        for (i, &role) in self.roles.iter().enumerate() {
            let lit = &self.lits[self.cuts[i]..self.cuts[i + 1]];
            if !line.get(pos..)?.starts_with(lit) {
                return None;
            }
            pos += lit.len();
            let q = closing_quote(line, pos)?;
            let value = line.get(pos..pos + q)?;
            // SAFETY: `closing_quote` accepted only printable ASCII bytes before the quote, and
            // ASCII is valid UTF-8.
            vals[role as usize] = Some(unsafe { std::str::from_utf8_unchecked(value) });
            pos += q;
        }
        let last = &self.lits[self.cuts[self.roles.len()]..];
        if line.get(pos..)? != last {
            return None;
        }
        let v = |r: Role| vals[r as usize].map(Cow::Borrowed);
        let payload = |ct: Role, data: Role, enc: Role| PayloadRaw {
            observed_content_type: v(ct),
            data: v(data),
            encoding: v(enc),
        };
        Some(Envelope {
            capture_data: self.shape.capture_data.then(|| CaptureDataRaw {
                endpoint_input: self
                    .shape
                    .input
                    .then(|| payload(Role::InContentType, Role::InData, Role::InEncoding)),
                endpoint_output: self
                    .shape
                    .output
                    .then(|| payload(Role::OutContentType, Role::OutData, Role::OutEncoding)),
                batch_transform_output: None,
            }),
            event_metadata: self.shape.metadata.then(|| MetaRaw {
                event_id: v(Role::EventId),
                inference_id: v(Role::InferenceId),
                inference_time: v(Role::InferenceTime),
                invocation_source: v(Role::InvocationSource),
            }),
            ground_truth: None,
            sm_output: None,
            sm_inference_id: None,
            sm_inference_time: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2,3","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.5","encoding":"CSV"}},"eventMetadata":{"eventId":"e-1","inferenceTime":"2024-01-01T00:00:00Z"},"eventVersion":"0"}"#;

    fn learned() -> Template {
        let env = scan(LINE.as_bytes()).expect("the strict scanner reads the line");
        Template::learn(LINE.as_bytes(), &env).expect("a plain line is a template")
    }

    #[test]
    fn a_line_of_the_same_shape_is_read_with_its_own_values() {
        let t = learned();
        let other = LINE
            .replace("1,2,3", "4,,6.25,seven")
            .replace("e-1", "event-42")
            .replace("0.5", "")
            .replace("00:00:00Z", "12:34:56.789Z");
        let env = t.scan(other.as_bytes()).expect("same shape");
        let cd = env.capture_data.as_ref().unwrap();
        let input = cd.endpoint_input.as_ref().unwrap();
        let output = cd.endpoint_output.as_ref().unwrap();
        assert_eq!(input.data.as_deref(), Some("4,,6.25,seven"));
        assert_eq!(input.encoding.as_deref(), Some("CSV"));
        assert_eq!(input.observed_content_type.as_deref(), Some("text/csv"));
        assert_eq!(output.data.as_deref(), Some(""));
        assert_eq!(
            output.observed_content_type.as_deref(),
            Some("text/csv; charset=utf-8")
        );
        let m = env.event_metadata.as_ref().unwrap();
        assert_eq!(m.event_id.as_deref(), Some("event-42"));
        assert_eq!(
            m.inference_time.as_deref(),
            Some("2024-01-01T12:34:56.789Z")
        );
        assert_eq!(m.inference_id, None);
        // The same envelope as the strict scanner's.
        let strict = scan(other.as_bytes()).unwrap();
        let sd = strict.capture_data.as_ref().unwrap();
        assert_eq!(sd.endpoint_input.as_ref().unwrap().data, input.data);
        assert_eq!(strict.event_metadata.as_ref().unwrap().event_id, m.event_id);
    }

    #[test]
    fn anything_else_is_not_a_match() {
        let t = learned();
        for other in [
            LINE.replace("\"mode\":\"INPUT\"", "\"mode\":\"OUTPUT\""), // a constant changed
            LINE.replace("\"eventVersion\":\"0\"", "\"eventVersion\":\"0\",\"x\":1"), // a key added
            LINE.replace("1,2,3", "1,\\\"2\\\",3"),                    // an escape
            LINE.replace("1,2,3", "1,é,3"),                            // not ASCII
            LINE.replace("1,2,3", "1,\t,3"),                           // a control byte
            format!("{LINE} "),                                        // trailing bytes
            LINE[..LINE.len() - 1].to_string(),                        // cut short
        ] {
            assert!(t.scan(other.as_bytes()).is_none(), "{other}");
        }
        assert!(t.scan(LINE.as_bytes()).is_some());
    }

    #[test]
    fn value_masks_match_their_definition() {
        // Every byte value at every position of a block, among neighbours that could carry.
        let bad = |b: u8| !(0x20..0x80).contains(&b);
        for fill in [b'a', 0u8, 0xff, b'"', 0x1f, 0x7f] {
            for probe in 0..=255u8 {
                for at in [0usize, 7, 8, 15] {
                    let mut block = [fill; 16];
                    block[at] = probe;
                    let (mut q, mut stop) = (0u32, 0u32);
                    for (i, &b) in block.iter().enumerate() {
                        q |= u32::from(b == b'"') << i;
                        stop |= u32::from(b == b'"' || b == b'\\' || bad(b)) << i;
                    }
                    assert_eq!(value_masks16(&block), (q, stop), "{block:?}");
                    assert_eq!(value_masks16_swar(&block), (q, stop), "{block:?}");
                }
            }
        }
    }

    #[test]
    fn closing_quote_checks_the_value_on_the_way() {
        for len in 0..40 {
            let value = "v".repeat(len);
            let line = format!("{value}\",rest");
            assert_eq!(closing_quote(line.as_bytes(), 0), Some(len), "{len}");
            for bad in ["\\", "\u{7}", "é", "\n"] {
                for at in 0..=len {
                    let spoiled = format!("{}{bad}{}\"", &value[..at], &value[at..]);
                    assert_eq!(closing_quote(spoiled.as_bytes(), 0), None, "{spoiled:?}");
                }
            }
            // No closing quote before the end of the line.
            assert_eq!(closing_quote(value.as_bytes(), 0), None);
        }
        assert_eq!(closing_quote(b"\"x", 1), None);
        assert_eq!(closing_quote(b"x", 5), None);
        assert_eq!(
            closing_quote(b"a\x7fb\"", 0),
            Some(3),
            "DEL is printable here"
        );
    }

    #[test]
    fn values_with_escapes_teach_no_template() {
        let line = LINE.replace("1,2,3", "1,\\\"2\\\",3");
        let env = scan(line.as_bytes()).expect("the strict scanner decodes escapes");
        assert!(Template::learn(line.as_bytes(), &env).is_none());
    }
}
