//! Prepares the built-in rule pack at build time: each `rules/*.toml` is read into the rule
//! model (`src/rules/model.rs`, compiled in here too) and written, spans included, in the
//! compact form a scan reads at start-up (`src/rules/packed.rs`, compiled in here too) to
//! `$OUT_DIR/pack/` (`full`, and `lean` without the rules' examples, which only `rules test`
//! runs). Reading that form takes no parser and no serde: a one-file scan (a hook) spent a third
//! of its instructions parsing the TOML, and later a third reading the same model from JSON.
//!
//! A pack file that does not parse fails the build, with its position.

use std::path::{Path, PathBuf};

#[allow(dead_code, unreachable_pub)]
#[path = "src/rules/span.rs"]
mod span;

#[allow(dead_code, unreachable_pub)]
#[path = "src/rules/model.rs"]
mod model;

#[allow(dead_code)]
#[path = "src/rules/packed.rs"]
mod packed;

fn main() {
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-changed=src/rules/model.rs");
    println!("cargo::rerun-if-changed=src/rules/span.rs");
    println!("cargo::rerun-if-changed=src/rules/packed.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir("rules")
        .expect("read rules/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut pack: Vec<(String, model::FileDef)> = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read a rules/*.toml file");
        let def: model::FileDef = match toml::from_str(&text) {
            Ok(d) => d,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        pack.push((format!("rules/{}", file_name(&path)), def));
    }
    // The compact form a scan reads (src/rules/packed.rs), with and without the examples.
    let pack_dir = out.join("pack");
    std::fs::create_dir_all(&pack_dir).expect("create $OUT_DIR/pack");
    write_pack(&pack_dir, "full", &pack);
    for (_, def) in &mut pack {
        for rule in &mut def.rules {
            rule.examples.clear();
            rule.counter_examples.clear();
        }
    }
    write_pack(&pack_dir, "lean", &pack);
}

/// Writes the rules of `files` as `<dir>/<name>.bin` and `<dir>/<name>.txt`.
fn write_pack(dir: &Path, name: &str, files: &[(String, model::FileDef)]) {
    let mut w = packed::Writer::default();
    w.start(files.iter().map(|(_, d)| d.rules.len()).sum(), files.len());
    for (file, def) in files {
        w.file(file, &def.rules);
    }
    write_bytes_if_changed(&dir.join(format!("{name}.bin")), &w.bin);
    write_if_changed(&dir.join(format!("{name}.txt")), &w.text);
}

/// `rules/ai.toml` -> `ai.toml`.
fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|s| s.to_str())
        .expect("a UTF-8 file name")
}

fn write_bytes_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        std::fs::write(path, bytes).expect("write the prepared pack");
    }
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).expect("write the prepared pack");
    }
}
