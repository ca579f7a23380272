//! What a history scan derives for a blob stored as a git delta (keyword occurrences, encoded
//! spans) must equal a search of the whole blob. The input is a base buffer and a list of
//! operations that copy ranges of it or insert bytes, as a delta does.
#![no_main]

use std::sync::{Arc, OnceLock};

use leakscan::matcher::{Copied, Matcher};
use leakscan::rules::{load::builtin_rules, RuleSet};
use leakscan::source::decode::{spans, SpanMemo};
use libfuzzer_sys::fuzz_target;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let rules = builtin_rules().expect("built-in pack");
        Matcher::new(Arc::new(RuleSet { rules, ..RuleSet::default() }))
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let split = (usize::from(data[0]) << 8 | usize::from(data[1])) % data.len();
    let (base, mut ops) = data[2..].split_at(split.min(data.len() - 2));
    let mut target = Vec::new();
    let mut copied: Vec<Copied> = Vec::new();
    while let Some((&op, rest)) = ops.split_first() {
        ops = rest;
        if op & 1 == 0 && !base.is_empty() && ops.len() >= 3 {
            let src = (usize::from(ops[0]) << 8 | usize::from(ops[1])) % base.len();
            let len = 1 + usize::from(ops[2]) % (base.len() - src);
            ops = &ops[3..];
            copied.push(Copied { src, dst: target.len(), len });
            target.extend_from_slice(&base[src..src + len]);
        } else {
            let n = (usize::from(op >> 1) % 16 + 1).min(ops.len());
            target.extend_from_slice(&ops[..n]);
            ops = &ops[n..];
        }
    }
    let m = matcher();
    assert_eq!(m.hits_delta(&target, &m.hits(base), &copied), m.hits(&target));
    let memo = SpanMemo::new(base, None);
    assert_eq!(memo.delta(&target, &copied).spans(), spans(&target, None).as_slice());
});
