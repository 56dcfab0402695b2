#![no_main]
//! Fuzz target `alarm_events`: see [`driftline_fuzz::alarm_events`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| driftline_fuzz::alarm_events(data));
