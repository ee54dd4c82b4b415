//! Fuzz target `number`: see `yardstick_fuzz::number` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yardstick_fuzz::number(data);
});
