//! # analyze-capture
//!
//! The Lambda function that turns each SageMaker Data Capture file into a verdict within a
//! minute of its arrival in S3:
//!
//! 1. the event (S3 notification or EventBridge "Object Created", see [`driftline_aws::s3_event`]) names the
//!    capture objects; objects outside `CAPTURE_PREFIX` or not ending in `.jsonl` are ignored;
//! 2. each object is streamed (never loaded whole) through the capture reader into a profile,
//!    written as the file's partial profile under
//!    `{prefix}/profiles/{endpoint}/{variant}/yyyy/mm/dd/hh/{stem}.json`
//!    ([`driftline_capture::window::PartialProfile`], the same window the CLI merges);
//! 3. the window's partial profiles are listed and merged, evaluated against the endpoint's
//!    baseline, and `statistics.json`, `constraint_violations.json`, `summary.json` and
//!    `report.html` are written under `{prefix}/reports/{endpoint}/{variant}/yyyy/mm/dd/hh/`;
//! 4. metrics go out in the Embedded Metric Format on stdout.
//!
//! Handlers are generic over the ports ([`driftline_aws::ports::ObjectStore`],
//! [`driftline_aws::emf::MetricSink`]) so that unit tests use in-memory fakes.
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod config;

pub mod handler;
