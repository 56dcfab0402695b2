//! Push-style profiling of one source from chunks of bytes (e.g. an S3 body stream in an async
//! Lambda): no blocking reader needed, gzip detected from the first bytes and inflated
//! chunk by chunk.

use crate::error::CaptureError;
use crate::fault::FaultKind;
use crate::options::CaptureOptions;
use crate::parser::CaptureParser;
use crate::profile::{CaptureProfile, ProfileBuilder, ProfileTarget};
use driftline_stats::profile::DatasetProfile;
use std::io::Write;

/// How the pushed bytes are read.
enum Mode {
    /// Fewer than 2 bytes seen: gzip or not is still open.
    Sniffing(Vec<u8>),
    Plain,
    /// Inflating; the decoder writes into a buffer that is drained after every chunk.
    Gzip(Box<flate2::write::MultiGzDecoder<Vec<u8>>>),
    /// The gzip stream broke: the rest of the input is ignored.
    Broken,
}

/// Profiles one source pushed in chunks: [`StreamProfiler::push`] each chunk, then
/// [`StreamProfiler::finish`]. Same results as [`profile_reader`](crate::profile_reader) on the
/// concatenated bytes. A gzip stream that fails while inflating is [`FaultKind::CorruptGzip`];
/// one that ends without a valid trailer is [`FaultKind::TruncatedGzip`]. Memory: one chunk's
/// inflated bytes plus the parser's line buffer.
pub struct StreamProfiler<P: ProfileTarget = DatasetProfile> {
    parser: CaptureParser,
    builder: ProfileBuilder<P>,
    mode: Mode,
}

impl StreamProfiler<DatasetProfile> {
    /// A profiler filling a new [`DatasetProfile`].
    pub fn new(source_name: &str, opts: &CaptureOptions) -> Result<Self, CaptureError> {
        Self::with_profile(source_name, opts, DatasetProfile::new())
    }
}

impl<P: ProfileTarget> StreamProfiler<P> {
    /// A profiler filling `profile`.
    pub fn with_profile(
        source_name: &str,
        opts: &CaptureOptions,
        profile: P,
    ) -> Result<Self, CaptureError> {
        Ok(StreamProfiler {
            parser: CaptureParser::new(source_name, opts)?,
            builder: ProfileBuilder::new(profile),
            mode: Mode::Sniffing(Vec::with_capacity(2)),
        })
    }

    /// Pushes the next chunk of the source.
    pub fn push(&mut self, chunk: &[u8]) {
        match &mut self.mode {
            Mode::Sniffing(head) => {
                head.extend_from_slice(chunk);
                if head.len() >= 2 {
                    let head = std::mem::take(head);
                    if head[0] == 0x1f && head[1] == 0x8b {
                        self.mode =
                            Mode::Gzip(Box::new(flate2::write::MultiGzDecoder::new(Vec::new())));
                        self.inflate(&head);
                    } else {
                        self.mode = Mode::Plain;
                        self.parser.feed(&head, &mut self.builder);
                    }
                }
            }
            Mode::Plain => self.parser.feed(chunk, &mut self.builder),
            Mode::Gzip(_) => self.inflate(chunk),
            Mode::Broken => {}
        }
    }

    fn inflate(&mut self, bytes: &[u8]) {
        let Mode::Gzip(gz) = &mut self.mode else {
            return;
        };
        let res = gz.write_all(bytes);
        let out = std::mem::take(gz.get_mut());
        self.parser.feed(&out, &mut self.builder);
        let mut out = out;
        out.clear();
        if let Mode::Gzip(gz) = &mut self.mode {
            *gz.get_mut() = out;
        }
        if let Err(e) = res {
            self.break_gzip(FaultKind::CorruptGzip, e);
        }
    }

    fn break_gzip(&mut self, kind: FaultKind, e: std::io::Error) {
        self.mode = Mode::Broken;
        let line = self.parser.stats().lines;
        self.parser
            .record_fault(kind, line, || format!("gzip stream: {e}"));
    }

    /// Ends the source and returns its profile, faults and counts.
    pub fn finish(mut self) -> CaptureProfile<P> {
        match std::mem::replace(&mut self.mode, Mode::Broken) {
            Mode::Sniffing(head) => self.parser.feed(&head, &mut self.builder),
            Mode::Gzip(mut gz) => {
                let res = gz.try_finish();
                let out = std::mem::take(gz.get_mut());
                self.parser.feed(&out, &mut self.builder);
                if let Err(e) = res {
                    self.break_gzip(FaultKind::TruncatedGzip, e);
                }
            }
            Mode::Plain | Mode::Broken => {}
        }
        self.parser.finish(&mut self.builder);
        let source = self.parser.source().to_string();
        let (_, stats, faults) = self.parser.into_parts();
        CaptureProfile {
            profile: self.builder.into_profile(),
            faults,
            stats,
            sources: vec![source],
        }
    }
}
