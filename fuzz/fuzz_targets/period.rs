//! Fuzz target `period`: see `yardstick_fuzz::period` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yardstick_fuzz::period(data);
});
