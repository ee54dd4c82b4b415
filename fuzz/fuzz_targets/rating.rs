//! Fuzz target `rating`: see `yardstick_fuzz::rating` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yardstick_fuzz::rating(data);
});
