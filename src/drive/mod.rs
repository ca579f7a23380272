//! The scan driver: turns the resolved settings into sources and runs the scanner over each,
//! in parallel. `cmd/` parses the command line, calls [`scan_sources`] (or one of the
//! drivers below for a narrower job, such as `hook pre-push`) and reports; it never walks a
//! folder or reads git itself.
//!
//! - [`tree`]: files and folders (and the files a package listing names).
//! - [`history`]: a repository's history, its work tree beside it, the staged index, a push.

pub mod history;
mod notes;
pub mod tree;

use std::io::Read;
use std::path::PathBuf;

use crate::error::{Error, Skip, SkipReason};
use crate::scan::{Output, Scanner};
use crate::settings::Settings;
use crate::source::git::Detected;
use crate::source::{self, fs, Origin};

pub use notes::Notes;

/// Scans what the settings name: standard input, a package listing, the staged index, or
/// each root as a repository (history and work tree) or as files and folders.
pub fn scan_sources(
    settings: &Settings,
    scanner: &Scanner,
    notes: &mut Notes,
) -> Result<Output, Error> {
    let mut out = Output::default();
    if settings.stdin {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| Error::Io {
                path: PathBuf::from("-"),
                source: e,
            })?;
        scanner.scan_bytes(&Origin::Stdin, &buf, &mut out);
        return Ok(out);
    }
    if let Some(manager) = settings.package {
        out.merge(scan_package(settings, scanner, manager)?);
        return Ok(out);
    }
    if settings.git.staged {
        return history::scan_staged(settings, scanner);
    }
    let mut plain = Vec::new();
    let mut repos = 0;
    for root in &settings.roots {
        if settings.git.history && root.is_dir() {
            match crate::source::git::detect(root) {
                Detected::Repo(repo) => {
                    repos += 1;
                    out.merge(history::scan_repository(
                        settings, scanner, &repo, root, notes,
                    )?);
                    continue;
                }
                Detected::Broken(skip) => out.skips.push(skip),
                Detected::None => {}
            }
        }
        plain.push(root.clone());
    }
    let sel = &settings.git.selection;
    if repos == 0 && (sel.range.is_some() || sel.since.is_some() || sel.all_objects) {
        return Err(Error::Usage(
            "--range, --since and --all-objects need a git repository (a folder holding .git, or a bare repository)".into(),
        ));
    }
    if !plain.is_empty() {
        out.merge(tree::scan_tree(settings, &plain, scanner, None));
    }
    Ok(out)
}

/// Scans the files the package in the scan root would publish.
fn scan_package(
    settings: &Settings,
    scanner: &Scanner,
    manager: source::package::Manager,
) -> Result<Output, Error> {
    let dir = &settings.root;
    let mut walk = fs::Walk::default();
    for rel in source::package::list(manager, dir)? {
        let path = dir.join(&rel);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => {
                let excluded = path
                    .canonicalize()
                    .is_ok_and(|c| settings.walk.exclude.contains(&c));
                if !excluded {
                    walk.files.push(fs::FileEntry {
                        display: fs::display_path(&path),
                        path,
                        size: m.len(),
                    });
                }
            }
            Ok(_) => walk.skips.push(Skip::new(
                fs::display_path(&path),
                SkipReason::Other,
                "listed by the package manager but not a regular file",
            )),
            Err(e) => walk.skips.push(Skip::new(
                fs::display_path(&path),
                SkipReason::Unreadable,
                format!("listed by the package manager: {e}"),
            )),
        }
    }
    walk.files.sort();
    Ok(tree::scan_walk(settings, scanner, walk, None))
}
