//! Checks for the fuzz targets (`fuzz/`) and their replay tests: not part of the API.
//!
//! The capture reader has two fast paths in front of serde: the strict scanner
//! ([`crate::fastenv`]) and the learned line template. Both must either give up or produce
//! exactly the envelope serde_json would; [`check_fast_paths`] says where they do not.

use crate::envelope::{Envelope, PayloadRaw};

/// A comparable copy of an envelope (the fields the reader uses).
#[derive(Debug, PartialEq, Eq)]
struct View {
    input: Option<Payload>,
    output: Option<Payload>,
    batch: Option<Payload>,
    has_capture_data: bool,
    meta: Option<[Option<String>; 4]>,
    ground_truth: Option<Payload>,
    sm_output: bool,
    sm_inference_id: Option<String>,
    sm_inference_time: Option<String>,
}

type Payload = [Option<String>; 3];

fn payload(p: &Option<PayloadRaw<'_>>) -> Option<Payload> {
    p.as_ref().map(|p| {
        [
            p.observed_content_type.as_deref().map(str::to_string),
            p.data.as_deref().map(str::to_string),
            p.encoding.as_deref().map(str::to_string),
        ]
    })
}

fn view(e: &Envelope<'_>) -> View {
    let cd = e.capture_data.as_ref();
    View {
        input: cd.and_then(|c| payload(&c.endpoint_input)),
        output: cd.and_then(|c| payload(&c.endpoint_output)),
        batch: cd.and_then(|c| payload(&c.batch_transform_output)),
        has_capture_data: cd.is_some(),
        meta: e.event_metadata.as_ref().map(|m| {
            [
                m.event_id.as_deref().map(str::to_string),
                m.inference_id.as_deref().map(str::to_string),
                m.inference_time.as_deref().map(str::to_string),
                m.invocation_source.as_deref().map(str::to_string),
            ]
        }),
        ground_truth: payload(&e.ground_truth),
        sm_output: e.sm_output.is_some(),
        sm_inference_id: e.sm_inference_id.as_deref().map(str::to_string),
        sm_inference_time: e.sm_inference_time.as_deref().map(str::to_string),
    }
}

/// Reads `line` with the strict scanner, and with the template learned from `template_line`
/// (when that line teaches one): whatever a fast path accepts, serde_json must accept too and
/// read the same envelope. `Err` describes a disagreement.
pub fn check_fast_paths(line: &[u8], template_line: &[u8]) -> Result<(), String> {
    let serde = serde_json::from_slice::<Envelope<'_>>(line).map(|e| view(&e));
    let mut fast = Vec::new();
    if let Some(e) = crate::fastenv::scan(line) {
        fast.push(("strict scanner", view(&e)));
    }
    if let Some(src) = crate::fastenv::scan(template_line) {
        if let Some(t) = crate::fastenv::Template::learn(template_line, &src) {
            if let Some(e) = t.scan(line) {
                fast.push(("template", view(&e)));
            }
        }
    }
    for (path, v) in fast {
        match &serde {
            Ok(s) if *s == v => {}
            Ok(s) => return Err(format!("{path} read {v:?}, serde_json {s:?}")),
            Err(e) => return Err(format!("{path} accepted a line serde_json refuses: {e}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2,3","encoding":"CSV"}},"eventMetadata":{"eventId":"e-1","inferenceTime":"2024-01-01T00:00:00Z"},"eventVersion":"0"}"#;

    #[test]
    fn the_paths_agree_on_good_and_bad_lines() {
        for line in [
            LINE.to_string(),
            LINE.replace("1,2,3", "4,5"),
            LINE.replace("e-1", "e\\u0041"),
            LINE[..40].to_string(),
            "{}".into(),
            "not json".into(),
        ] {
            check_fast_paths(line.as_bytes(), LINE.as_bytes()).unwrap();
        }
    }
}
