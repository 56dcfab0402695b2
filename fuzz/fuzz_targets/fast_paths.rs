#![no_main]
//! Fuzz target `fast_paths`: see [`driftline_fuzz::fast_paths`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| driftline_fuzz::fast_paths(data));
