//! Matcher throughput in bytes per second with the built-in pack, over synthetic source text
//! with a few planted secrets. Run with `cargo bench`; tool-against-tool comparisons live in
//! `bench/*.sh`.

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use std::sync::Arc;
use std::time::Instant;

use leakscan::rules::{load::builtin_rules, RuleSet};
use leakscan::scan::{Output, ScanOptions, Scanner};
use leakscan::source::Origin;

fn corpus() -> Vec<u8> {
    let lines = [
        "static int foo_init(struct device *dev, const char *name)\n",
        "{\n\tint ret = register_key(dev, name, KEY_SIZE);\n",
        "\tif (ret < 0) return -EINVAL; /* token bucket refill */\n",
        "const password = document.getElementById('password').value;\n",
        "    def secret_handler(self, token): return self.tokens[token]\n",
        "url: https://api.example.com/v1/items?limit=100\n",
        "aws_region = \"us-east-1\"\n",
    ];
    let mut out = Vec::with_capacity(64 << 20);
    let mut i = 0usize;
    while out.len() < (64 << 20) {
        out.extend_from_slice(lines[i % lines.len()].as_bytes());
        if i.is_multiple_of(50_000) {
            out.extend_from_slice(b"GITHUB_TOKEN=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\n");
        }
        i += 1;
    }
    out
}

fn main() {
    let rules = builtin_rules().expect("built-in pack");
    let scanner = Scanner::new(
        Arc::new(RuleSet {
            rules,
            ..Default::default()
        }),
        ScanOptions::default(),
    );
    let data = corpus();
    let chunk = 256 << 10;
    for round in 0..3 {
        let start = Instant::now();
        let mut out = Output::default();
        for (n, part) in data.chunks(chunk).enumerate() {
            scanner.scan_bytes(&Origin::file(format!("f{n}.c")), part, &mut out);
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "round {round}: {:.0} MB/s ({} findings, {} bytes, one thread)",
            data.len() as f64 / secs / 1e6,
            out.findings.len(),
            data.len()
        );
    }
}
