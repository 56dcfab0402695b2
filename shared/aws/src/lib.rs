//! # driftline-aws
//!
//! The ports driftline's functions depend on ([`ports`]), and their AWS adapters (S3, SNS,
//! SageMaker, Embedded Metric Format on stdout), configuration from the environment and S3 key
//! decoding. Handlers are generic over the port traits so that unit tests run them with
//! in-memory fakes ([`ports::memory`]) and integration tests with the real SDK clients against
//! a local emulator.

pub mod ports;
