//! Archive reading through the scanner: the first byte picks the archive name (tar, tgz, zip,
//! gz), the rest is the archive. Malformed input must become skips, never a panic, and the
//! budgets must hold.
#![no_main]

use std::sync::{Arc, OnceLock};

use leakscan::rules::{load::builtin_rules, RuleSet};
use leakscan::scan::{Output, ScanOptions, Scanner};
use leakscan::source::Origin;
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let rules = builtin_rules().expect("built-in pack");
        Scanner::new(Arc::new(RuleSet { rules, ..RuleSet::default() }), ScanOptions::default())
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let name = ["pkg.tar", "pkg.tgz", "pkg.zip", "notes.gz", "lib.jar", "pkg.whl"][pick as usize % 6];
    let mut out = Output::default();
    scanner().scan_bytes(&Origin::file(name), body, &mut out);
});
