#![no_main]
//! Fuzz target `baseline_files`: see [`driftline_fuzz::baseline_files`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| driftline_fuzz::baseline_files(data));
