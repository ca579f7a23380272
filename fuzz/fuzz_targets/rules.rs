//! The rule loader over arbitrary text: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = leakscan::rules::load::check_file("fuzz.toml", text);
        let _ = leakscan::rules::load::load_user(std::path::Path::new("fuzz.toml"), text);
    }
});
