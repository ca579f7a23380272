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

use std::path::PathBuf;

use crate::error::Error;
use crate::scan::{BlobMemo, Memo, Output, Scanner};
use crate::settings::Settings;
use crate::source;
use crate::source::git::{ContentSet, Detected};
use crate::source::input::{Blob, Content, Source};

pub use notes::Notes;

/// Scans what the settings name: standard input, a package listing, the staged index, or
/// each root as a repository (history and work tree) or as files and folders. This picks the
/// [`Source`]s; [`scan_source`] reads each.
pub fn scan_sources(
    settings: &Settings,
    scanner: &Scanner,
    notes: &mut Notes,
) -> Result<Output, Error> {
    if settings.stdin {
        let stdin = source::input::Stdin::read().map_err(|e| Error::Io {
            path: PathBuf::from("-"),
            source: e,
        })?;
        return Ok(scan_source(&stdin, scanner, settings.progress, None));
    }
    if let Some(manager) = settings.package {
        let dir = &settings.root;
        let walk = source::fs::listed(
            dir,
            source::package::list(manager, dir)?,
            &settings.walk.exclude,
        );
        return Ok(scan_source(&walk, scanner, settings.progress, None));
    }
    if settings.git.staged {
        return history::scan_staged(settings, scanner);
    }
    let mut out = Output::default();
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
        } else if root.is_dir() && crate::source::git::is_work_tree_top(root) {
            // --no-history: the files of a repository are still named from its root, as
            // the history scan and baselines name them.
            out.merge(tree::scan_tree(
                settings,
                std::slice::from_ref(root),
                scanner,
                None,
                Some(root),
            ));
            continue;
        }
        plain.push(root.clone());
    }
    let sel = &settings.git.selection;
    if repos == 0 && (sel.range.is_some() || sel.since.is_some() || sel.all_objects) {
        return Err(Error::Usage(
            "--range, --since and --all-objects need a git repository (a folder holding .git, or a bare repository)".into(),
        ));
    }
    if repos == 0 && settings.git.walk_cache.is_some() {
        return Err(Error::Usage(
            "--walk-cache needs a git repository (a folder holding .git, or a bare repository)"
                .into(),
        ));
    }
    if !plain.is_empty() {
        out.merge(tree::scan_tree(settings, &plain, scanner, None, None));
    }
    Ok(out)
}

/// Reads every blob of `src` in parallel and scans it; the output is in no order yet
/// ([`Output::finish`] sorts it). Files whose content `known` holds (a repository's history
/// blobs, already scanned) are not scanned again. A git blob read as a delta has its keyword
/// occurrences and encoded spans derived from its base's ([`BlobMemo`]).
pub fn scan_source<S: Source>(
    src: &S,
    scanner: &Scanner,
    shown: bool,
    known: Option<&ContentSet<'_>>,
) -> Output {
    let progress = src.progress(shown);
    let matcher = scanner.matcher();
    let mut out = src.fold(
        Output::default,
        |acc, blob: Blob<'_, Memo>| {
            let bytes = match blob.content {
                Content::Bytes(bytes) => bytes,
                Content::File(entry) => {
                    acc.merge(tree::scan_file_unless_known(scanner, entry, known));
                    progress.inc(entry.size);
                    return None;
                }
                Content::Stream(reader) => {
                    if let Some(origin) = blob.origin {
                        scanner.scan_reader(origin, reader, acc);
                    }
                    return None;
                }
                Content::Failed(skip) => {
                    progress.inc(0);
                    acc.skips.push(skip);
                    return None;
                }
            };
            let known = BlobMemo::new(blob.base);
            let Some(origin) = blob.origin else {
                // Only a base of blobs to scan: its memo is for them, unless it is binary
                // (those bases are searched no further; their deltas are searched whole).
                let binary = memchr::memchr(0, &bytes[..bytes.len().min(8000)]).is_some();
                return (!binary).then(|| known.into_memo(matcher, bytes));
            };
            progress.inc(bytes.len() as u64);
            scanner.scan_blob(origin, bytes, &known, acc);
            // What the scan did not search (an archive, UTF-16) its deltas search whole.
            blob.is_base.then(|| known.searched())
        },
        |mut a, b| {
            a.merge(b);
            a
        },
    );
    progress.finish();
    out.skips.extend(src.skips());
    out
}
