//! CPU time of the calling thread, shared by the capture examples.

/// CPU time of this thread in seconds (from /proc; the machine is shared, wall time is not
/// one core's time). Falls back to 0 where /proc is missing.
pub fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|ns| ns / 1e9)
        .unwrap_or(0.0)
}
