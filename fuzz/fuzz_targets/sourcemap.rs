//! Source-map reading: arbitrary bytes named `cli.js.map`, through the scanner (each
//! `sourcesContent` entry scanned as a member) and through the parser directly.
#![no_main]

use std::sync::{Arc, OnceLock};

use leakscan::rules::{load::builtin_rules, RuleSet};
use leakscan::scan::{Output, ScanOptions, Scanner};
use leakscan::source::{decode, Origin};
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let rules = builtin_rules().expect("built-in pack");
        Scanner::new(Arc::new(RuleSet { rules, ..RuleSet::default() }), ScanOptions::default())
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = decode::source_map(data);
    let mut out = Output::default();
    scanner().scan_bytes(&Origin::file("dist/cli.js.map"), data, &mut out);
});
