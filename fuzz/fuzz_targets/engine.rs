//! The scanner with the built-in pack over arbitrary bytes: every finding must lie inside the
//! buffer and be well formed, with no panic.
#![no_main]

use std::sync::{Arc, OnceLock};

use leakscan::rules::{load::builtin_rules, Confidence, RuleSet};
use leakscan::scan::{Output, ScanOptions, Scanner};
use leakscan::source::Origin;
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let rules = builtin_rules().expect("built-in pack");
        let opts = ScanOptions { explain: true, min_confidence: Confidence::Low, ..ScanOptions::default() };
        Scanner::new(Arc::new(RuleSet { rules, ..RuleSet::default() }), opts)
    })
}

fuzz_target!(|data: &[u8]| {
    let mut out = Output::default();
    scanner().scan_bytes(&Origin::file("fuzz.env"), data, &mut out);
    for f in out.findings.iter().chain(&out.dropped) {
        assert!(f.line >= 1 && f.column >= 1);
        assert!(f.end_line >= f.line);
        if f.origin.members.is_empty() && f.origin.decoded.is_none() {
            assert!((f.offset as usize) <= data.len());
        }
    }
});
