//! Prepares the built-in rule pack at build time: each `rules/*.toml` is read into the rule
//! model (`src/rules/model.rs`, compiled in here too) and written, spans included, in the
//! compact form a scan reads at start-up (`src/rules/packed.rs`, compiled in here too) to
//! `$OUT_DIR/pack/` (`full`, and `lean` without the rules' examples, which only `rules test`
//! runs). Reading that form takes no parser and no serde: a one-file scan (a hook) spent a third
//! of its instructions parsing the TOML, and later a third reading the same model from JSON.
//!
//! The JSON form is still written, to `$OUT_DIR/rules/` and `$OUT_DIR/rules-lean/`: the tests
//! check the compact pack against it. It leaves out the fields that read back as their
//! defaults, and writes spans as `[start, end, value]` (`src/rules/span.rs`).
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
    let dir = out.join("rules");
    std::fs::create_dir_all(&dir).expect("create $OUT_DIR/rules");
    // The same without the rules' examples, for scans: they only serve `rules test`, and
    // were two fifths of the JSON a one-file scan reads at start-up.
    let lean_dir = out.join("rules-lean");
    std::fs::create_dir_all(&lean_dir).expect("create $OUT_DIR/rules-lean");
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
        let full = serde_json::to_value(&def).expect("the rule model writes as JSON");
        let short = compact(&full);
        let json = serde_json::to_string(&short).expect("JSON writes");
        write_if_changed(&dir.join(json_name(&path)), &json);
        let lean = serde_json::to_string(&without_examples(short)).expect("JSON writes");
        write_if_changed(&lean_dir.join(json_name(&path)), &lean);
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

/// `full` without the fields that hold what reading a missing field gives (`null`, `[]`, `{}`,
/// and `false` where that reads back the same): less than half the text to read at run time.
/// Checked here: the shorter form must read back into the same model, else the next longer
/// one is written (`false` is kept in files where an absent `placeholders` would mean `true`).
fn compact(full: &serde_json::Value) -> serde_json::Value {
    fn strip(v: &serde_json::Value, falses: bool) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(_, x)| match x {
                        Value::Null => false,
                        Value::Bool(false) => !falses,
                        Value::Array(a) => !a.is_empty(),
                        Value::Object(o) => !o.is_empty(),
                        _ => true,
                    })
                    .map(|(k, x)| (k.clone(), strip(x, falses)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|x| strip(x, falses)).collect()),
            other => other.clone(),
        }
    }
    let reads_back = |short: &serde_json::Value| {
        serde_json::from_value::<model::FileDef>(short.clone())
            .ok()
            .and_then(|d| serde_json::to_value(&d).ok())
            .is_some_and(|back| back == *full)
    };
    [strip(full, true), strip(full, false)]
        .into_iter()
        .find(reads_back)
        .unwrap_or_else(|| full.clone())
}

/// A prepared file without its rules' `examples` and `counter-examples` (they read back as
/// empty lists).
fn without_examples(mut file: serde_json::Value) -> serde_json::Value {
    if let Some(rules) = file.get_mut("rules").and_then(|r| r.as_array_mut()) {
        for rule in rules.iter_mut().filter_map(|r| r.as_object_mut()) {
            rule.remove("examples");
            rule.remove("counter-examples");
        }
    }
    file
}

/// `rules/ai.toml` -> `ai.json`.
fn json_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a UTF-8 file name");
    format!("{stem}.json")
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).expect("write the prepared pack");
    }
}
