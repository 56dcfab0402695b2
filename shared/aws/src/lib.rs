//! # driftline-aws
//!
//! The ports driftline's functions depend on ([`ports`]), and their AWS adapters (S3, SNS,
//! SageMaker, Embedded Metric Format on stdout), configuration from the environment and S3 key
//! decoding. Handlers are generic over the port traits so that unit tests run them with
//! in-memory fakes ([`ports::memory`]) and integration tests with the real SDK clients against
//! a local emulator.
//!
//! Cargo features choose the SDK clients compiled in (none by default): `s3` ([`s3::S3Store`]),
//! `sns` ([`sns::SnsNotifier`]), `sagemaker` ([`sagemaker::SageMakerPipelines`]), and `testing`
//! (`testing::MotoServer`, a moto_server harness for integration tests). [`ports`], [`keys`],
//! [`config`], [`emf`], [`alarm`] (CloudWatch alarm and EventBridge events), [`reports`]
//! (finding and reading window summaries) and [`text`] (SNS limits) need no SDK and are
//! always there.
// Outside tests nothing may panic on a None or an Err (issue 16): errors are values.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod alarm;
pub mod config;
pub mod emf;
pub mod keys;
pub mod logging;
pub mod ports;
pub mod reports;
pub mod s3_event;
pub mod state;
pub mod text;

#[cfg(feature = "sdk")]
pub mod clients;
#[cfg(feature = "sdk")]
pub mod sdk_error;

#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "sagemaker")]
pub mod sagemaker;
#[cfg(feature = "sns")]
pub mod sns;
#[cfg(feature = "testing")]
pub mod testing;
