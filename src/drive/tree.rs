//! Files and folders: walked, read, and scanned in parallel; order is restored by
//! [`Output::finish`].

use std::io::Read;
use std::path::PathBuf;

use crate::error::{Skip, SkipReason};
use crate::scan::{Output, Scanner};
use crate::settings::Settings;
use crate::source::git::ContentSet;
use crate::source::{fs, Origin};

/// Walks `roots` and scans every file in parallel; order is restored by `Output::finish`.
/// Files whose content `known` holds (a repository's history blobs, already scanned) are
/// not scanned again. Paths are displayed relative to `base` (a repository's root) when
/// given, else relative to the current folder for files under it (as given for others).
pub fn scan_tree(
    settings: &Settings,
    roots: &[PathBuf],
    scanner: &Scanner,
    known: Option<&ContentSet<'_>>,
    base: Option<&std::path::Path>,
) -> Output {
    let mut opts = settings.walk.clone();
    opts.relative_to = Some(match base {
        Some(b) => fs::absolute(b),
        None => fs::absolute(std::path::Path::new(".")),
    });
    let walk = fs::walk(roots, &opts);
    super::scan_source(&walk, scanner, settings.progress, known)
}

/// Scans one file: media files are skipped (an allowed skip), large files are read in chunks.
pub fn scan_file(scanner: &Scanner, entry: &fs::FileEntry) -> Output {
    scan_file_unless_known(scanner, entry, None)
}

/// True when the history scan already made every finding of this working-tree file: its
/// content is a history blob, at the same path as in history or at a path the rules treat the
/// same way ([`Scanner::path_profile`]). An untracked `.env` holding what `.env.example`
/// holds is scanned.
fn already_scanned(
    scanner: &Scanner,
    known: &ContentSet<'_>,
    path: &std::path::Path,
    buf: &[u8],
) -> bool {
    let Some((rel, paths)) = known.places(path, buf) else {
        return false;
    };
    if paths.contains(&rel) {
        return true;
    }
    let mine = scanner.path_profile(&rel);
    paths.iter().any(|p| scanner.path_profile(p) == mine)
}

/// [`scan_file`], except that a file whose content `known` holds is not scanned.
pub(crate) fn scan_file_unless_known(
    scanner: &Scanner,
    entry: &fs::FileEntry,
    known: Option<&ContentSet<'_>>,
) -> Output {
    let mut out = Output::default();
    let origin = Origin::file(entry.display.clone());
    let mut file = match fs::open(entry) {
        Ok(f) => f,
        Err(skip) => {
            out.skips.push(skip);
            return out;
        }
    };
    if entry.size > scanner.options().chunks.whole {
        scanner.scan_seekable(&origin, &mut file, entry.size, &mut out);
        return out;
    }
    let mut buf = Vec::with_capacity(entry.size as usize + 1);
    if let Err(e) = file.read_to_end(&mut buf) {
        out.skips.push(Skip::new(
            entry.display.clone(),
            SkipReason::Unreadable,
            e.to_string(),
        ));
        return out;
    }
    if known.is_some_and(|k| already_scanned(scanner, k, &entry.path, &buf)) {
        return out;
    }
    scanner.scan_bytes(&origin, &buf, &mut out);
    out
}
