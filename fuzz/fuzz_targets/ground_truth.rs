#![no_main]
//! Fuzz target `ground_truth`: see [`driftline_fuzz::ground_truth`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| driftline_fuzz::ground_truth(data));
