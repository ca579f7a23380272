//! Files and working trees: walks folders with `ignore` (honouring `.gitignore` and friends
//! unless told not to, but scanning hidden files such as `.env`), decides per file whether to
//! scan it, and reads it. Every file that cannot be scanned becomes a [`Skip`].

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Skip, SkipReason};

/// How to walk.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Do not honour ignore files.
    pub no_ignore: bool,
    /// Files larger than this are skipped (an allowed skip: the user asked for it).
    pub max_file_size: Option<u64>,
    /// Walker threads.
    pub threads: usize,
    /// Files never scanned (leakscan's own configuration file), canonical paths.
    pub exclude: Vec<PathBuf>,
    /// Files under this folder (absolute, see [`absolute`]) are displayed relative to it:
    /// a repository's root, or the current folder. Others are displayed as walked.
    pub relative_to: Option<PathBuf>,
}

/// A file to scan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEntry {
    /// Display path: as walked, `/` separators, no leading `./`.
    pub display: String,
    /// Path to open.
    pub path: PathBuf,
    /// Size when walked.
    pub size: u64,
}

/// The result of walking: files in display-path order, and what was skipped.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files to scan, sorted.
    pub files: Vec<FileEntry>,
    /// What could not be walked.
    pub skips: Vec<Skip>,
}

/// The files a listing names (paths relative to `dir`, such as a package manager's), as a
/// walk: each listed regular file, except the canonical paths in `exclude`; a listed path that
/// is not a regular file is a skip.
pub fn listed(dir: &Path, names: Vec<String>, exclude: &[PathBuf]) -> Walk {
    let mut walk = Walk::default();
    for rel in names {
        let path = dir.join(&rel);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => {
                let excluded = path.canonicalize().is_ok_and(|c| exclude.contains(&c));
                if !excluded {
                    walk.files.push(FileEntry {
                        display: display_path(&path),
                        path,
                        size: m.len(),
                    });
                }
            }
            Ok(_) => walk.skips.push(Skip::new(
                display_path(&path),
                SkipReason::Other,
                "listed by the package manager but not a regular file",
            )),
            Err(e) => walk.skips.push(Skip::new(
                display_path(&path),
                SkipReason::Unreadable,
                format!("listed by the package manager: {e}"),
            )),
        }
    }
    walk.files.sort();
    walk
}

/// The display form of a path: `/` separators, no leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if s.is_empty() {
        ".".into()
    } else {
        s.to_string()
    }
}

/// `p` made absolute against the current folder, `.` and `..` resolved lexically (links are
/// not followed: the path as the user spelled it).
pub fn absolute(p: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(d) => d.join(p),
            Err(_) => return p.to_path_buf(),
        }
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The display form of `p`: relative to `base` when it lies under it, else as given.
pub fn display_under(p: &Path, base: Option<&Path>) -> String {
    if let Some(base) = base {
        if let Ok(rel) = absolute(p).strip_prefix(base) {
            if !rel.as_os_str().is_empty() {
                return display_path(rel);
            }
        }
    }
    display_path(p)
}

/// Walks `roots` (folders or files).
pub fn walk(roots: &[PathBuf], opts: &WalkOptions) -> Walk {
    let out = Mutex::new(Walk::default());
    for root in roots {
        let meta = match std::fs::symlink_metadata(root) {
            Ok(m) => m,
            Err(e) => {
                push_skip(
                    &out,
                    Skip::new(display_path(root), SkipReason::Unreadable, e.to_string()),
                );
                continue;
            }
        };
        if !meta.is_dir() {
            // A file named on the command line is scanned even when ignored or a link.
            match std::fs::metadata(root) {
                Ok(m) if m.is_file() => consider(&out, root, m.len(), opts),
                Ok(_) => push_skip(
                    &out,
                    Skip::new(display_path(root), SkipReason::Other, "not a regular file"),
                ),
                Err(e) => push_skip(
                    &out,
                    Skip::new(display_path(root), SkipReason::Unreadable, e.to_string()),
                ),
            }
            continue;
        }
        let mut b = ignore::WalkBuilder::new(root);
        b.hidden(false)
            .follow_links(false)
            .git_ignore(!opts.no_ignore)
            .git_global(!opts.no_ignore)
            .git_exclude(!opts.no_ignore)
            .ignore(!opts.no_ignore)
            .parents(!opts.no_ignore)
            .threads(opts.threads.max(1))
            .filter_entry(|e| e.file_name() != ".git");
        b.build_parallel().run(|| {
            let out = &out;
            Box::new(move |entry| {
                use ignore::WalkState;
                match entry {
                    Ok(e) => {
                        let Some(ft) = e.file_type() else {
                            return WalkState::Continue;
                        };
                        if ft.is_symlink() {
                            let mut s = Skip::new(
                                display_path(e.path()),
                                SkipReason::Symlink,
                                "links are not followed",
                            );
                            s.allowed = true;
                            push_skip(out, s);
                        } else if ft.is_file() {
                            match e.metadata() {
                                Ok(m) => consider(out, e.path(), m.len(), opts),
                                Err(err) => push_skip(
                                    out,
                                    Skip::new(
                                        display_path(e.path()),
                                        SkipReason::Unreadable,
                                        err.to_string(),
                                    ),
                                ),
                            }
                        } else if !ft.is_dir() {
                            // FIFOs, sockets and devices: reading could block or never end.
                            let mut s = Skip::new(
                                display_path(e.path()),
                                SkipReason::Other,
                                "not a regular file (fifo, socket or device)",
                            );
                            s.allowed = true;
                            push_skip(out, s);
                        }
                    }
                    Err(err) => push_skip(out, walk_error(&err)),
                }
                WalkState::Continue
            })
        });
    }
    let mut w = out.into_inner().unwrap_or_else(|e| e.into_inner());
    w.files.sort();
    w.files.dedup();
    w.skips.sort();
    w
}

fn push_skip(out: &Mutex<Walk>, s: Skip) {
    out.lock().unwrap_or_else(|e| e.into_inner()).skips.push(s);
}

fn consider(out: &Mutex<Walk>, path: &Path, size: u64, opts: &WalkOptions) {
    if !opts.exclude.is_empty() {
        if let Ok(c) = path.canonicalize() {
            if opts.exclude.contains(&c) {
                return;
            }
        }
    }
    let display = display_under(path, opts.relative_to.as_deref());
    if let Some(max) = opts.max_file_size {
        if size > max {
            let mut s = Skip::new(
                display,
                SkipReason::TooLarge,
                format!("{size} bytes > {max}"),
            );
            s.allowed = true;
            push_skip(out, s);
            return;
        }
    }
    out.lock()
        .unwrap_or_else(|e| e.into_inner())
        .files
        .push(FileEntry {
            display,
            path: path.to_path_buf(),
            size,
        });
}

fn walk_error(err: &ignore::Error) -> Skip {
    let path = walk_error_path(err)
        .map(display_path)
        .unwrap_or_else(|| "?".into());
    let reason = if err.is_io() {
        SkipReason::Unreadable
    } else {
        SkipReason::Other
    };
    let mut s = Skip::new(path, reason, err.to_string());
    if matches!(innermost(err), ignore::Error::Loop { .. }) {
        s.reason = SkipReason::Symlink;
    }
    s
}

fn innermost(err: &ignore::Error) -> &ignore::Error {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => innermost(err),
        e => e,
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// Opens a file for reading, or says why it cannot be.
pub fn open(entry: &FileEntry) -> Result<File, Skip> {
    File::open(&entry.path)
        .map_err(|e| Skip::new(entry.display.clone(), SkipReason::Unreadable, e.to_string()))
}
