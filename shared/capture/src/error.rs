//! Errors that stop a read (bad input never does: it is counted in a [`FaultReport`](crate::FaultReport)).

use thiserror::Error;

/// An error that ends a read: invalid options, or an I/O error of the underlying stream
/// that is not the input's fault (the caller should retry, e.g. a dropped S3 connection).
#[derive(Debug, Error)]
pub enum CaptureError {
    /// Invalid [`CaptureOptions`](crate::CaptureOptions).
    #[error("invalid capture options: {0}")]
    Options(String),
    /// Reading the input failed.
    #[error("reading {source_name} after line {line}: {error}")]
    Read {
        /// Name of the file or object.
        source_name: String,
        /// Last complete line read before the error.
        line: u64,
        /// The I/O error.
        #[source]
        error: std::io::Error,
    },
}
