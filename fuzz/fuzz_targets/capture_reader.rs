#![no_main]
//! Fuzz target `capture_reader`: see [`driftline_fuzz::capture_reader`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| driftline_fuzz::capture_reader(data));
