//! One line: the envelope (fast template, strict scanner, serde_json), the record kind, the
//! payload sides, and the route to the CSV or the general row builder.

use super::*;

impl Core {
    pub(super) fn event<S: RowSink + ?Sized>(
        &mut self,
        scratch: &mut Scratch,
        ev: LineEvent<'_>,
        sink: &mut S,
    ) {
        match ev {
            LineEvent::Line(l) => {
                self.line(scratch, l, sink);
            }
            LineEvent::TooLong { len } => {
                self.too_long(len);
            }
        }
    }

    pub(super) fn too_long(&mut self, len: u64) -> LineOutcome {
        self.line_no += 1;
        self.stats.lines += 1;
        let max = self.opts.max_line_bytes;
        self.fault(FaultKind::LineTooLong, || {
            format!("line of {len} bytes exceeds the limit of {max} bytes")
        })
    }

    pub(super) fn fault(
        &mut self,
        kind: FaultKind,
        reason: impl FnOnce() -> String,
    ) -> LineOutcome {
        self.stats.malformed_lines += 1;
        self.report.record(kind, &self.source, self.line_no, reason);
        LineOutcome::Malformed(kind)
    }

    pub(super) fn skip(&mut self, r: SkipReason) -> LineOutcome {
        match r {
            SkipReason::Blank => self.stats.blank_lines += 1,
            SkipReason::Shadow => self.stats.shadow_lines += 1,
            SkipReason::OverRecordLimit => self.stats.over_limit_lines += 1,
        }
        LineOutcome::Skipped(r)
    }

    pub(super) fn line<S: RowSink + ?Sized>(
        &mut self,
        scratch: &mut Scratch,
        line: &[u8],
        sink: &mut S,
    ) -> LineOutcome {
        self.line_no += 1;
        self.stats.lines += 1;
        let mut line = line.strip_suffix(b"\r").unwrap_or(line);
        if self.line_no == 1 {
            // A UTF-8 byte-order mark written by some tools.
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            return self.skip(SkipReason::Blank);
        }
        if self.stats.rows >= self.opts.max_records {
            return self.skip(SkipReason::OverRecordLimit);
        }
        let fast = if self.fast_path {
            self.fast_scan(line)
        } else {
            None
        };
        let env: Envelope<'_> = match fast {
            Some(e) => e,
            None => match serde_json::from_slice(line) {
                Ok(e) => e,
                Err(e) => {
                    let (kind, reason) = classify_bad_line(line, &e);
                    return self.fault(kind, || reason);
                }
            },
        };
        match self.envelope(scratch, line, env, sink) {
            Ok(o) => o,
            Err((kind, reason)) => self.fault(kind, || reason),
        }
    }

    /// The fast path: the learned template first, else the strict scanner (whose result
    /// teaches a new template when the old one keeps missing).
    #[inline]
    pub(super) fn fast_scan<'l>(&mut self, line: &'l [u8]) -> Option<Envelope<'l>> {
        if let Some(t) = &self.template {
            if let Some(env) = t.scan(line) {
                self.template_misses = 0;
                return Some(env);
            }
            self.template_misses = self.template_misses.saturating_add(1);
        }
        let env = crate::fastenv::scan(line)?;
        if self.template.is_none() || self.template_misses >= RELEARN_AFTER_MISSES {
            self.template = crate::fastenv::Template::learn(line, &env);
            self.template_misses = 0;
        }
        Some(env)
    }

    pub(super) fn envelope<S: RowSink + ?Sized>(
        &mut self,
        scratch: &mut Scratch,
        line: &[u8],
        env: Envelope<'_>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        let (event_id, mut inference_id, mut inference_time, shadow) = match &env.event_metadata {
            Some(m) => (
                m.event_id.as_deref(),
                m.inference_id.as_deref(),
                m.inference_time.as_deref(),
                m.invocation_source.as_deref() == Some("ShadowExperiment"),
            ),
            None => (None, None, None, false),
        };
        if shadow && self.opts.skip_shadow {
            return Ok(self.skip(SkipReason::Shadow));
        }
        let Scratch {
            b64_in,
            b64_out,
            csv_in,
            csv_out,
            cells,
        } = scratch;

        // Batch-transform output line: {"SageMakerInferenceId", "SageMakerOutput", <inputs>}.
        if env.sm_output.is_some() && env.capture_data.is_none() {
            if inference_id.is_none() {
                inference_id = env.sm_inference_id.as_deref();
            }
            if inference_time.is_none() {
                inference_time = env.sm_inference_time.as_deref();
            }
            let text = std::str::from_utf8(line)
                .map_err(|e| (FaultKind::InvalidUtf8, format!("batch-transform line: {e}")))?;
            let node: JNode<'_> = serde_json::from_str(text)
                .map_err(|e| (FaultKind::MalformedJson, e.to_string()))?;
            let meta = MetaOwned {
                kind: RecordKind::BatchTransform,
                event_id,
                inference_id,
                inference_time,
                ms: self.time_ms(inference_time),
            };
            self.decide_names(false);
            return self.batch_node(&node, &meta, cells, sink);
        }

        let Some(cd) = &env.capture_data else {
            let what = if env.ground_truth.is_some() {
                "a ground-truth record (groundTruthData) in a capture stream".to_string()
            } else {
                "no captureData, groundTruthData or SageMakerOutput".to_string()
            };
            return Err((FaultKind::UnrecognisedRecord, what));
        };

        if let Some(bt) = &cd.batch_transform_output {
            let (fmt, text) = decode(bt, b64_out, "batchTransformOutput")?;
            if fmt != Format::Json {
                return Err((
                    FaultKind::UnsupportedContentType,
                    "batchTransformOutput: only JSON batch outputs are supported".into(),
                ));
            }
            let node: JNode<'_> = serde_json::from_str(text).map_err(|e| {
                (
                    FaultKind::MalformedPayload,
                    format!("batchTransformOutput: {e}"),
                )
            })?;
            let meta = MetaOwned {
                kind: RecordKind::BatchTransform,
                event_id,
                inference_id,
                inference_time,
                ms: self.time_ms(inference_time),
            };
            self.decide_names(false);
            return self.batch_node(&node, &meta, cells, sink);
        }

        let idx = self.opts.capture_index;
        let input = match &cd.endpoint_input {
            Some(p) if idx.input => Some(decode(p, b64_in, "endpointInput")?),
            _ => None,
        };
        let output = match &cd.endpoint_output {
            Some(p) if idx.output => Some(decode(p, b64_out, "endpointOutput")?),
            _ => None,
        };
        if input.is_none() && output.is_none() {
            let reason = match (cd.endpoint_input.is_some(), cd.endpoint_output.is_some()) {
                (false, false) => "captureData has neither endpointInput nor endpointOutput".into(),
                _ => format!("captureData has no {idx}, the side the capture index analyses"),
            };
            return Err((FaultKind::MissingData, reason));
        }
        let meta = MetaOwned {
            kind: RecordKind::Endpoint,
            event_id,
            inference_id,
            inference_time,
            ms: self.time_ms(inference_time),
        };

        // The output is not analysed but the sink wants it (the predictions): read it on its
        // own, before the analysed rows. Its faults are not the analysed data's.
        if !idx.output && sink.wants_output() {
            if let (Some(p), Some(oc)) = (&cd.endpoint_output, self.out_core.as_deref_mut()) {
                let (core, scr) = oc;
                core.line_no = self.line_no;
                let Scratch {
                    b64_out,
                    csv_in,
                    csv_out,
                    cells,
                    ..
                } = scr;
                if let Ok(out) = decode(p, b64_out, "endpointOutput") {
                    let mut fwd = OutputRows(&mut *sink);
                    let _ =
                        core.side_rows(&meta, None, Some(out), csv_in, csv_out, cells, &mut fwd);
                }
            }
        }

        if self.names_pending {
            let first = input.or(output).map(|(f, _)| f);
            self.decide_names(first == Some(Format::Csv));
        }
        self.side_rows(&meta, input, output, csv_in, csv_out, cells, sink)
    }

    /// The rows of an endpoint record's decoded sides: the CSV hot path when every present
    /// side is CSV, else the general path.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn side_rows<S: RowSink + ?Sized>(
        &mut self,
        meta: &MetaOwned<'_>,
        input: Option<(Format, &str)>,
        output: Option<(Format, &str)>,
        csv_in: &mut CsvRows,
        csv_out: &mut CsvRows,
        cells: &mut Vec<Cell<'static>>,
        sink: &mut S,
    ) -> Result<LineOutcome, Fault> {
        let all_csv = input.is_none_or(|(f, _)| f == Format::Csv)
            && output.is_none_or(|(f, _)| f == Format::Csv);
        if all_csv {
            return self.csv_record(
                meta,
                input.map(|(_, t)| t),
                output.map(|(_, t)| t),
                csv_in,
                csv_out,
                cells,
                sink,
            );
        }

        // At least one JSON side: general path.
        let in_side = match input {
            Some((f, t)) => Some(Side::parse(f, t, csv_in, "endpointInput")?),
            None => None,
        };
        let out_side = match output {
            Some((f, t)) => Some(Side::parse(f, t, csv_out, "endpointOutput")?),
            None => None,
        };
        let in_recs = in_side.as_ref().map(|s| s.records());
        let out_recs = out_side.as_ref().map(|s| s.records());
        self.general_rows(meta, in_recs.as_deref(), out_recs.as_deref(), cells, sink)
    }

    /// Decides, on the source's first decodable record, whether the supplied names apply
    /// ([`ColumnsApply::CsvPayloads`]): they stay when the record's payload is CSV, else they
    /// are dropped and the reader's own names (JSON paths) are used. No row has been emitted
    /// before this point, so dropping them is safe.
    pub(super) fn decide_names(&mut self, csv_payload: bool) {
        if !self.names_pending {
            return;
        }
        self.names_pending = false;
        if !csv_payload {
            self.schema = Schema::default();
            self.fixed_width = None;
            self.numeric.clear();
            self.csv_layout = None;
        }
    }

    pub(super) fn time_ms(&mut self, inference_time: Option<&str>) -> Option<i64> {
        match inference_time {
            Some(t) if t == self.time_cache => self.time_cache_ms,
            Some(t) => {
                self.time_cache.clear();
                self.time_cache.push_str(t);
                self.time_cache_ms = parse_time_ms(t);
                self.time_cache_ms
            }
            None => None,
        }
    }

    pub(super) fn note_time(&mut self, ms: Option<i64>) {
        if ms.is_some() {
            self.stats.min_inference_time_ms = min_opt(self.stats.min_inference_time_ms, ms);
            self.stats.max_inference_time_ms = max_opt(self.stats.max_inference_time_ms, ms);
        }
    }
}
