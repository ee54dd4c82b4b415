//! Fuzz target `import_json`: see `yardstick_fuzz::import_json` for what it checks.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yardstick_fuzz::import_json(data);
});
