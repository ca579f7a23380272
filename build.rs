//! Prepares the built-in rule pack at build time: each `rules/*.toml` is read into the rule
//! model (`src/rules/model.rs`, compiled in here too) and written back as JSON, spans
//! included, to `$OUT_DIR/rules/`. At run time the pack is read from that JSON: a scan of one
//! small file (a hook) spent about a third of its time parsing the TOML. What the JSON holds
//! is exactly what the TOML reader produced, so validation and error positions are unchanged.
//! A pack file that does not parse fails the build, with its position.

use std::path::{Path, PathBuf};

#[allow(dead_code, unreachable_pub)]
#[path = "src/rules/span.rs"]
mod span;

#[allow(dead_code, unreachable_pub)]
#[path = "src/rules/model.rs"]
mod model;

fn main() {
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-changed=src/rules/model.rs");
    println!("cargo::rerun-if-changed=src/rules/span.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = out.join("rules");
    std::fs::create_dir_all(&dir).expect("create $OUT_DIR/rules");
    let mut files: Vec<PathBuf> = std::fs::read_dir("rules")
        .expect("read rules/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read a rules/*.toml file");
        let def: model::FileDef = match toml::from_str(&text) {
            Ok(d) => d,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        let json = serde_json::to_string(&def).expect("the rule model writes as JSON");
        write_if_changed(&dir.join(json_name(&path)), &json);
    }
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
