//! Mapping AWS SDK errors to [`PortError`].
//!
//! - `NotFound`: error codes `NoSuchKey`, `NotFound`, `ResourceNotFound`,
//!   `ResourceNotFoundException`, or HTTP 404 without another known code. (`NoSuchBucket` is
//!   `Permanent`: a missing bucket is a deployment error, not a deleted object.)
//! - `Conflict`: `PreconditionFailed` / `ConditionalRequestConflict`, or HTTP 412 (a
//!   conditional write lost a race).
//! - `Transient`: throttling codes (`Throttling`, `SlowDown`, `TooManyRequestsException`, …),
//!   `InternalError`, `ServiceUnavailable`, `RequestTimeout`, HTTP 408, 429 and 5xx, timeouts,
//!   dispatch (connection, DNS, I/O) failures and unreadable responses.
//! - `Permanent`: everything else — access denied, validation errors, other 4xx, requests the
//!   SDK could not build.

use crate::ports::PortError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Error codes meaning "this resource does not exist".
const NOT_FOUND_CODES: &[&str] = &[
    "NoSuchKey",
    "NotFound",
    "ResourceNotFound",
    "ResourceNotFoundException",
    "NotFoundException",
];

/// Error codes meaning "try again later".
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "Throttled",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "ResourceLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "InternalError",
    "InternalFailure",
    "InternalErrorException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
    "KMSThrottlingException",
];

/// Error codes meaning "a conditional write lost a race".
const CONFLICT_CODES: &[&str] = &["PreconditionFailed", "ConditionalRequestConflict"];

/// Classifies a service error by its code and HTTP status.
pub fn classify(code: Option<&str>, status: u16, message: String) -> PortError {
    if let Some(code) = code {
        if CONFLICT_CODES.contains(&code) {
            return PortError::Conflict(message);
        }
        if NOT_FOUND_CODES.contains(&code) {
            return PortError::NotFound(message);
        }
        if TRANSIENT_CODES.contains(&code) {
            return PortError::Transient(message);
        }
        if code == "NoSuchBucket" {
            return PortError::Permanent(message);
        }
    }
    match status {
        404 => PortError::NotFound(message),
        412 => PortError::Conflict(message),
        408 | 429 | 500..=599 => PortError::Transient(message),
        _ => PortError::Permanent(message),
    }
}

/// Maps an SDK error; `context` says what was attempted (e.g. `GetObject s3://b/k`).
pub fn map_sdk_error<E>(context: &str, err: SdkError<E, HttpResponse>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let code = ctx.err().code().map(str::to_owned);
            // The service's own message, not the raw response (which would end up in reports).
            let message = format!(
                "{context}: HTTP {status} {}: {}",
                code.as_deref().unwrap_or("(no code)"),
                ctx.err().message().unwrap_or("(no message)")
            );
            classify(code.as_deref(), status, message)
        }
        SdkError::ConstructionFailure(_) => {
            PortError::Permanent(format!("{context}: {}", DisplayErrorContext(&err)))
        }
        // Timeouts, dispatch failures (connect, DNS, I/O), unparseable responses, and any
        // future variant: retrying may help.
        _ => PortError::Transient(format!("{context}: {}", DisplayErrorContext(&err))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_write_races_are_conflicts() {
        let m = || "m".to_owned();
        assert_eq!(
            classify(Some("PreconditionFailed"), 412, m()),
            PortError::Conflict(m())
        );
        assert_eq!(
            classify(Some("ConditionalRequestConflict"), 409, m()),
            PortError::Conflict(m())
        );
        assert_eq!(classify(None, 412, m()), PortError::Conflict(m()));
        assert!(!PortError::Conflict(m()).is_transient());
    }

    #[test]
    fn codes_win_over_status() {
        let m = || "m".to_owned();
        assert_eq!(
            classify(Some("NoSuchKey"), 404, m()),
            PortError::NotFound(m())
        );
        assert_eq!(
            classify(Some("NoSuchBucket"), 404, m()),
            PortError::Permanent(m())
        );
        assert_eq!(
            classify(Some("SlowDown"), 503, m()),
            PortError::Transient(m())
        );
        assert_eq!(
            classify(Some("ThrottlingException"), 400, m()),
            PortError::Transient(m())
        );
        assert_eq!(
            classify(Some("AccessDenied"), 403, m()),
            PortError::Permanent(m())
        );
        assert_eq!(
            classify(Some("ValidationException"), 400, m()),
            PortError::Permanent(m())
        );
        assert_eq!(classify(None, 404, m()), PortError::NotFound(m()));
        assert_eq!(classify(None, 500, m()), PortError::Transient(m()));
        assert_eq!(classify(None, 429, m()), PortError::Transient(m()));
        assert_eq!(
            classify(Some("Whatever"), 502, m()),
            PortError::Transient(m())
        );
        assert_eq!(classify(None, 400, m()), PortError::Permanent(m()));
    }
}
