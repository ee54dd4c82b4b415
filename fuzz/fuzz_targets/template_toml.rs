//! Fuzz target `template_toml`: see `yardstick_fuzz::template_toml` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yardstick_fuzz::template_toml(data);
});
