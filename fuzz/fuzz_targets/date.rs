//! Fuzz target `date`: see `yardstick_fuzz::date` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yardstick_fuzz::date(data);
});
