//! Logging set-up shared by the functions: JSON lines on stderr (CloudWatch Logs keeps them),
//! filtered by `RUST_LOG` (default `info`). stdout is left to the Embedded Metric Format
//! documents, so that a log line can never be mistaken for a metric.

/// Installs the global subscriber; call once at the start of `main`.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second call (e.g. two tests in one process) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_target(false)
        .without_time()
        .with_writer(std::io::stderr)
        .try_init();
}
