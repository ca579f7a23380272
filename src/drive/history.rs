//! Repositories: history (each distinct blob once), then the work tree beside it, the staged
//! index, or a push.
//!
//! A repository root is scanned as its history plus the files of its working tree. A
//! working-tree file whose content is one of the history's blobs is not scanned again: its
//! finding is the history finding, located where that content first entered history (commit,
//! author, path at that commit), with `other_places` counting the other paths that hold it.
//! Modified and untracked files are scanned as files.

use std::collections::HashMap;
use std::path::Path;

use super::Notes;
use crate::error::{Error, Skip, SkipReason};
use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::scan::{Output, Scanner};
use crate::settings::Settings;
use crate::source::git::tips::RepoTips;
use crate::source::git::{Blobs, History, Repo, WalkCache, WalkFileError};
use crate::source::Origin;

/// Scans a repository root: its history (as selected), then its working tree unless told not to.
pub fn scan_repository(
    settings: &Settings,
    scanner: &Scanner,
    repo: &Repo,
    root: &Path,
    notes: &mut Notes,
) -> Result<Output, Error> {
    let history = match &settings.git.walk_cache {
        Some(file) => {
            let (history, how) = repo.history_cached(&settings.git.selection, file)?;
            if let Some(w) = walk_cache_warning(file, &how) {
                notes.warnings.push(w.clone());
                notes.notes.push(w);
            }
            history
        }
        None => repo.history(&settings.git.selection)?,
    };
    if let Some(note) = repo.shallow_note() {
        notes.warnings.push(note.clone());
        notes.notes.push(note);
    }
    let mut out = scan_history(settings, scanner, repo, &history);
    if settings.git.worktree && repo.workdir().is_some() {
        let known = repo.content_set(&history, root);
        out.merge(super::tree::scan_tree(
            settings,
            &[root.to_path_buf()],
            scanner,
            Some(&known),
            Some(root),
        ));
    }
    Ok(out)
}

/// What `scan --walk-only` did.
pub struct WalkWritten {
    /// Commits walked.
    pub commits: usize,
    /// Distinct blobs found.
    pub blobs: usize,
    /// Objects that could not be read (the shards report them).
    pub skips: usize,
    /// Whether the file was read (up to date) or written.
    pub how: WalkCache,
}

/// `scan --walk-only`: the walk of the one repository of the settings, read from the walk
/// file when it is up to date, else walked and written there. Not being able to write it is
/// an error: writing it is the point.
pub fn walk_only(settings: &Settings) -> Result<WalkWritten, Error> {
    let (Some(file), [root]) = (&settings.git.walk_cache, settings.roots.as_slice()) else {
        return Err(Error::Usage(
            "--walk-only writes the walk file of one repository: give --walk-cache FILE and one repository".into(),
        ));
    };
    let repo = match crate::source::git::detect(root) {
        crate::source::git::Detected::Repo(repo) => repo,
        crate::source::git::Detected::Broken(skip) => {
            return Err(Error::Usage(format!("{}: {}", skip.path, skip.detail)))
        }
        crate::source::git::Detected::None => {
            return Err(Error::Usage(format!(
            "{}: --walk-only needs a git repository (a folder holding .git, or a bare repository)",
            root.display()
        )))
        }
    };
    // The unreachable blobs of --all-objects are not part of the walk file (listed afresh).
    let sel = crate::source::git::Selection {
        all_objects: false,
        shard: None,
        ..settings.git.selection.clone()
    };
    let (h, how) = repo.history_cached(&sel, file)?;
    if let WalkCache::NotWritten { error, .. } = how {
        return Err(Error::Io {
            path: file.clone(),
            source: error,
        });
    }
    Ok(WalkWritten {
        commits: h.commit_count,
        blobs: h.blob_count(),
        skips: h.skips.len(),
        how,
    })
}

/// The one line to say about a walk file that was not read as it is, or could not be
/// written: `None` when it was read, or did not exist and was written.
pub fn walk_cache_warning(file: &Path, how: &WalkCache) -> Option<String> {
    let shown = file.display();
    match how {
        WalkCache::Read { .. }
        | WalkCache::Written {
            unused: WalkFileError::Missing,
            ..
        } => None,
        WalkCache::Written {
            unused: WalkFileError::Stale,
            ..
        } => Some(format!(
            "{shown}: walk file of other refs or another selection: walked again and rewritten"
        )),
        WalkCache::Written { unused, .. } => Some(format!(
            "{shown}: walk file not used ({unused}): walked again and rewritten"
        )),
        WalkCache::NotWritten {
            unused: WalkFileError::Missing,
            error,
        } => Some(format!(
            "{shown}: walk file cannot be written ({error}): the walk was not saved"
        )),
        WalkCache::NotWritten { unused, error } => Some(format!(
            "{shown}: walk file not used ({unused}) and cannot be written ({error}): walked again"
        )),
    }
}

/// `scan --staged`: the staged blobs of the repository at the scan root.
pub fn scan_staged(settings: &Settings, scanner: &Scanner) -> Result<Output, Error> {
    let repo = Repo::open(&settings.root).map_err(Error::Staged)?;
    let staged = repo
        .staged(settings.git.index_file.as_deref())
        .map_err(Error::Staged)?;
    Ok(scan_history(settings, scanner, &repo, &staged))
}

/// Reads and scans every blob of `history` in parallel, then attributes findings to the
/// commits that introduced them and applies the global commit allowlist.
pub fn scan_history(
    settings: &Settings,
    scanner: &Scanner,
    repo: &Repo,
    history: &History,
) -> Output {
    let mut out = super::scan_source(&Blobs { repo, history }, scanner, settings.progress, None);
    let origins = out
        .findings
        .iter_mut()
        .chain(out.dropped.iter_mut())
        .map(|f| &mut f.origin);
    repo.attribute(history, origins);
    let other = scan_other_places(scanner, repo, history, &out);
    out.merge(other);
    if !settings.git.all_new {
        out.merge(scan_seeded_copies(scanner, repo, history));
    }
    scanner.apply_commit_checks(&mut out);
    drop_allowed_commits(&mut out, scanner.matcher().rules(), settings.explain);
    group_findings(repo, history, &mut out);
    if !settings.git.all_new {
        drop_already_in_bases(scanner, repo, history, &mut out, settings.explain);
    }
    out
}

/// New-only for a range, `--since` or a push: a finding whose (rule, path, secret) the base
/// already holds (the blob at that path in a base commit contains the secret, or scanning it
/// finds the same rule and secret) is not new, whatever else changed in the file. Dropped
/// (kept with --explain as "already in <base>"). A secret at a path the base does not hold
/// stays: a copy of an old secret to a new path is a new place to fix.
fn drop_already_in_bases(
    scanner: &Scanner,
    repo: &Repo,
    history: &History,
    out: &mut Output,
    explain: bool,
) {
    if history.bases.is_empty() || out.findings.is_empty() {
        return;
    }
    // (base, path) -> the blob there, and what scanning it found: (rule, secret) pairs.
    type Held = Option<(Vec<u8>, Vec<(String, Option<Vec<u8>>)>)>;
    let mut cache: HashMap<(usize, String), Held> = HashMap::new();
    let mut held_by = |base: usize, f: &Finding| -> bool {
        let path = f.origin.path().to_string();
        let held = cache.entry((base, path.clone())).or_insert_with(|| {
            let bytes = repo.blob_at(history.bases[base], &path)?;
            let mut sub = Output::default();
            scanner.scan_bytes(&f.origin, &bytes, &mut sub);
            let found = sub
                .findings
                .iter()
                .chain(sub.dropped.iter())
                .map(|g| {
                    (
                        g.rule_id.clone(),
                        g.secret.as_ref().map(|s| s.as_bytes().to_vec()),
                    )
                })
                .collect();
            Some((bytes, found))
        });
        let Some((bytes, found)) = held else {
            return false;
        };
        let secret = f.secret.as_ref().map(|s| s.as_bytes());
        let raw = secret.is_some_and(|s| !s.is_empty() && memchr::memmem::find(bytes, s).is_some());
        raw || found
            .iter()
            .any(|(rule, s)| *rule == f.rule_id && s.as_deref() == secret)
    };
    let mut keep = Vec::with_capacity(out.findings.len());
    for mut f in std::mem::take(&mut out.findings) {
        match (0..history.bases.len()).find(|&b| held_by(b, &f)) {
            None => keep.push(f),
            Some(b) => {
                if explain {
                    let id = history.bases[b].to_string();
                    f.dropped = Some(format!("already in {}", &id[..id.len().min(12)]));
                    out.dropped.push(f);
                }
            }
        }
    }
    out.findings = keep;
}

/// One finding per (rule, path, secret), credited to the commit that first brought it to
/// that path, with where else and until when it stands (see [`crate::group`]).
fn group_findings(repo: &Repo, history: &History, out: &mut Output) {
    if out.findings.is_empty() {
        return;
    }
    let tips = RepoTips::new(repo, history);
    let ranks = tips.rank_of();
    let rank_of = |id: &str| ranks.get(id).copied();
    out.findings = crate::group::group(std::mem::take(&mut out.findings), |f| {
        f.origin.commit().and_then(|c| rank_of(&c.id))
    });
    crate::group::place_in_time(&mut out.findings, &tips, rank_of);
    add_blob_copies(history, out);
}

/// A blob is scanned once, at its first path; the other paths that hold the very same blob
/// hold its secrets too. They are named in `also_at` (so a baseline made from this scan
/// accepts the secret there as well, and a reader sees every place to fix).
fn add_blob_copies(history: &History, out: &mut Output) {
    let mut paths_of: HashMap<String, Vec<String>> = HashMap::new();
    for (_, origin, _) in history.other_places() {
        if let Some(id) = origin.blob_id() {
            paths_of
                .entry(id.to_string())
                .or_default()
                .push(origin.path().to_string());
        }
    }
    if paths_of.is_empty() {
        return;
    }
    for f in &mut out.findings {
        if f.secret.is_none() || !f.origin.members().is_empty() {
            continue;
        }
        let own = f.origin.path().to_string();
        let Some(spread) = f.spread.as_mut() else {
            continue;
        };
        let mut all: std::collections::BTreeSet<String> = spread.also_at.iter().cloned().collect();
        for blob in &spread.blobs {
            for p in paths_of.get(blob).into_iter().flatten() {
                if *p != own {
                    all.insert(p.clone());
                }
            }
        }
        spread.also_at = all.into_iter().take(crate::group::MAX_ALSO_AT).collect();
    }
}

/// A blob is scanned once, at the first path that holds it. At another path the rules may
/// decide otherwise (a path filter, a path allowlist, a never-ship name, a media extension):
/// for each further path whose [`Scanner::path_profile`] differs from every profile the blob
/// was scanned with, the blob is scanned again at that path, and what that finds beyond the
/// findings already made from the blob is reported there, with the first commit holding it
/// there.
fn scan_other_places(scanner: &Scanner, repo: &Repo, history: &History, done: &Output) -> Output {
    use std::collections::BTreeMap;
    let mut by_blob: BTreeMap<usize, Vec<(Origin, u32)>> = BTreeMap::new();
    for (i, origin, commit) in history.other_places() {
        by_blob.entry(i).or_default().push((origin, commit));
    }
    let mut profiles: HashMap<String, Vec<bool>> = HashMap::new();
    let mut profile = |path: &str| {
        profiles
            .entry(path.to_string())
            .or_insert_with(|| scanner.path_profile(path))
            .clone()
    };
    // (blob, places to scan it at) where some place differs from the first.
    let mut work: Vec<(usize, Vec<(Origin, u32)>)> = Vec::new();
    for (i, places) in by_blob {
        let first = history.origin(&history.blobs[i]);
        let mut seen = vec![profile(first.path())];
        let mut again = Vec::new();
        for (origin, commit) in places {
            let p = profile(origin.path());
            if !seen.contains(&p) {
                seen.push(p);
                again.push((origin, commit));
            }
        }
        if !again.is_empty() {
            work.push((i, again));
        }
    }
    if work.is_empty() {
        return Output::default();
    }
    // What the first scans found, per blob: (rule, offset, secret), to report nothing twice.
    let mut found: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in done.findings.iter().chain(done.dropped.iter()) {
        if let Some(id) = f.origin.blob_id() {
            found.entry(id).or_default().push(f);
        }
    }
    // Rare (copies of a file under names the rules treat otherwise), so one at a time.
    work.iter()
        .map(|(i, places)| {
            let mut acc = Output::default();
            let bytes = match repo.read_blob(history, *i) {
                Ok(b) => b,
                Err(e) => {
                    let path = places[0].0.path();
                    acc.skips
                        .push(Skip::new(path, SkipReason::CorruptObject, e.to_string()));
                    return acc;
                }
            };
            let mut seen: Vec<Finding> = Vec::new();
            for (origin, commit) in places {
                let mut sub = Output::default();
                scanner.scan_bytes(origin, &bytes, &mut sub);
                // The blob's skips (a media file) were recorded at its first path.
                sub.skips.retain(|s| s.reason != SkipReason::Media);
                let id = origin.blob_id().unwrap_or_default();
                let before = found.get(id).map(Vec::as_slice).unwrap_or_default();
                let same = |a: &Finding, b: &Finding| {
                    a.rule_id == b.rule_id
                        && a.offset == b.offset
                        && a.secret == b.secret
                        && a.origin.members() == b.origin.members()
                        && a.origin.decoding() == b.origin.decoding()
                };
                let fresh = |f: &Finding| {
                    !before.iter().any(|b| same(b, f)) && !seen.iter().any(|b| same(b, f))
                };
                sub.findings.retain(fresh);
                sub.dropped.retain(fresh);
                repo.attribute_to(
                    history,
                    *commit,
                    sub.findings
                        .iter_mut()
                        .chain(sub.dropped.iter_mut())
                        .map(|f| &mut f.origin),
                );
                seen.extend(sub.findings.iter().cloned());
                acc.findings.append(&mut sub.findings);
                acc.dropped.append(&mut sub.dropped);
                acc.skips.append(&mut sub.skips);
            }
            acc
        })
        .fold(Output::default(), |mut a, b| {
            a.merge(b);
            a
        })
}

/// A range or push does not scan the blobs its base already has; but a commit of the range
/// that puts such a blob at a path where none of its parents had it (a copy or a rename) brings
/// its secrets to a new place: the blob is scanned there, credited to that commit. (Whether
/// the base holds the same secret at that path is decided later, with the other findings.)
fn scan_seeded_copies(scanner: &Scanner, repo: &Repo, history: &History) -> Output {
    let mut acc = Output::default();
    for (id, path, commit) in history.seeded_places() {
        if commit == crate::source::git::history::NO_COMMIT
            || repo.parent_has(history.commit_id(commit), &path, id)
        {
            continue;
        }
        let bytes = match repo.blob_bytes(id) {
            Some(b) => b,
            None => {
                acc.skips.push(Skip::new(
                    &path,
                    SkipReason::CorruptObject,
                    format!("blob {id} could not be read"),
                ));
                continue;
            }
        };
        let origin = Origin::Blob {
            path,
            id: id.to_string(),
            commit: None,
            other_places: 0,
        };
        let mut sub = Output::default();
        scanner.scan_bytes(&origin, &bytes, &mut sub);
        repo.attribute_to(
            history,
            commit,
            sub.findings
                .iter_mut()
                .chain(sub.dropped.iter_mut())
                .map(|f| &mut f.origin),
        );
        acc.merge(sub);
    }
    acc
}

/// Findings of commits on the global allowlist are dropped (kept as dropped with --explain).
fn drop_allowed_commits(out: &mut Output, rules: &RuleSet, explain: bool) {
    let allowed = &rules.allow.commits;
    if allowed.is_empty() {
        return;
    }
    let is_allowed = |f: &Finding| {
        f.origin
            .commit()
            .is_some_and(|c| crate::rules::commit_listed(allowed, false, &c.id))
    };
    let (drop, keep): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut out.findings)
        .into_iter()
        .partition(is_allowed);
    out.findings = keep;
    if explain {
        out.dropped.extend(drop.into_iter().map(|mut f| {
            f.dropped = Some("global allowlist (commits)".into());
            f
        }));
    }
}
