#![no_main]
//! Fuzz target `s3_keys`: see [`driftline_fuzz::s3_keys`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| driftline_fuzz::s3_keys(data));
