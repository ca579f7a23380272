//! One finding per leaked secret: the findings of a history scan grouped by (rule, path,
//! secret).
//!
//! A history scan reads every distinct blob once, so a secret that sits in a file through 50
//! edits is found in 50 blobs. A person acts on the secret, not on the blobs: rotate it once,
//! purge it once. So the findings of one rule, at one path (archive members included), with
//! the same secret bytes become one finding, located where the secret first entered that path
//! (the earliest commit parents-first, then the earliest offset), and carrying its [`Spread`]:
//! how many versions of the file hold it, the other versions compactly, the last commit that
//! brought a version holding it, the branches whose tip still holds it, and the first later
//! version of the file without it. The same secret at another path stays a separate finding
//! (each place needs its own fix) and names the other paths in `also_at`.
//!
//! Grouping is pure (this module); what only the repository knows (branch tips, later versions
//! of a path) is filled in by [`crate::drive`] through [`Tips`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::finding::Finding;
use crate::source::CommitInfo;

/// Most other versions listed on one finding; `versions` counts them all.
pub const MAX_OCCURRENCES: usize = 100;
/// Most other paths named in `also_at`.
pub const MAX_ALSO_AT: usize = 20;

pub use crate::finding::{Occurrence, Spread};

/// The grouping key: rule, path with members, secret bytes (none for path rules).
type Key = (String, String, Option<Vec<u8>>);

fn key(f: &Finding) -> Key {
    (
        f.rule_id.clone(),
        f.origin.display_path(),
        f.secret.as_ref().map(|s| s.as_bytes().to_vec()),
    )
}

/// Groups `findings` by (rule, path, secret). `rank` orders commits parents-first (`None`: no
/// commit, as for working-tree files, which sort after every commit). The output keeps the
/// input's order of first appearance of each group; callers sort it as every report does.
pub fn group(findings: Vec<Finding>, rank: impl Fn(&Finding) -> Option<u32>) -> Vec<Finding> {
    let mut groups: Vec<Vec<Finding>> = Vec::new();
    let mut index: HashMap<Key, usize> = HashMap::new();
    for f in findings {
        let k = key(&f);
        match index.get(&k) {
            Some(&i) => groups[i].push(f),
            None => {
                index.insert(k, groups.len());
                groups.push(vec![f]);
            }
        }
    }
    // Other paths per (rule, secret), for `also_at`.
    let mut paths_of: HashMap<(String, Option<Vec<u8>>), BTreeSet<String>> = HashMap::new();
    for (rule, path, secret) in index.keys() {
        if secret.is_some() {
            paths_of
                .entry((rule.clone(), secret.clone()))
                .or_default()
                .insert(path.clone());
        }
    }
    let order = |f: &Finding| (rank(f).unwrap_or(u32::MAX), f.offset, f.line);
    groups
        .into_iter()
        .map(|mut g| {
            g.sort_by_key(order);
            let mut first = g.remove(0);
            let mut spread = Spread {
                versions: 1,
                last_commit: first.origin.commit().cloned(),
                rank: rank(&first),
                last_rank: rank(&first),
                ..Spread::default()
            };
            let mut blobs: BTreeSet<String> = first
                .origin
                .blob_id()
                .map(str::to_string)
                .into_iter()
                .collect();
            // Several findings of one blob (the secret twice in one version) are one version.
            for f in &g {
                let new_blob = match f.origin.blob_id() {
                    Some(b) => blobs.insert(b.to_string()),
                    None => true,
                };
                if new_blob {
                    spread.versions += 1;
                    if spread.occurrences.len() < MAX_OCCURRENCES {
                        spread.occurrences.push(Occurrence {
                            commit: f.origin.commit().cloned(),
                            blob_id: f.origin.blob_id().map(str::to_string),
                            line: f.line,
                            rank: rank(f),
                        });
                    }
                }
                if f.origin.commit().is_some() {
                    spread.last_commit = f.origin.commit().cloned();
                    spread.last_rank = rank(f);
                }
            }
            spread.blobs = blobs.into_iter().collect();
            let (rule, path, secret) = key(&first);
            if secret.is_some() {
                if let Some(all) = paths_of.get(&(rule, secret)) {
                    spread.also_at = all
                        .iter()
                        .filter(|p| **p != path)
                        .take(MAX_ALSO_AT)
                        .cloned()
                        .collect();
                }
            }
            first.spread = Some(Box::new(spread));
            first
        })
        .collect()
}

/// What the repository tells about grouped findings: which tips hold a blob at a path, and
/// which later versions a path had.
pub trait Tips {
    /// The names of the refs whose tip holds one of `blobs` at `path`.
    fn holding(&self, path: &str, blobs: &[String]) -> Vec<String>;
    /// The versions of `path` in history order: (commit rank, blob id).
    fn versions(&self, path: &str) -> Vec<(u32, String)>;
    /// The commit of a rank.
    fn commit(&self, rank: u32) -> Option<Arc<CommitInfo>>;
}

/// Fills `still_in` and `removed_in` of grouped history findings.
pub fn place_in_time(
    findings: &mut [Finding],
    tips: &dyn Tips,
    rank: impl Fn(&str) -> Option<u32>,
) {
    let mut versions_cache: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
    for f in findings.iter_mut() {
        let Some(spread) = f.spread.as_deref_mut() else {
            continue;
        };
        if spread.blobs.is_empty() || f.origin.commit().is_none() {
            continue;
        }
        spread.still_in = tips.holding(f.origin.path(), &spread.blobs);
        if !spread.still_in.is_empty() || !f.origin.members().is_empty() {
            continue;
        }
        let last = spread
            .last_commit
            .as_ref()
            .and_then(|c| rank(&c.id))
            .unwrap_or(0);
        let versions = versions_cache
            .entry(f.origin.path().to_string())
            .or_insert_with(|| tips.versions(f.origin.path()));
        spread.removed_in = versions
            .iter()
            .find(|(r, blob)| *r > last && !spread.blobs.contains(blob))
            .and_then(|(r, _)| tips.commit(*r));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Secret;
    use crate::rules::{Confidence, Kind, Severity};
    use crate::source::Origin;

    fn commit(id: &str) -> Arc<CommitInfo> {
        Arc::new(CommitInfo {
            id: id.repeat(40 / id.len()),
            ..CommitInfo::default()
        })
    }

    fn finding(path: &str, secret: &str, c: &str, blob: &str, line: usize) -> Finding {
        let origin = Origin::Blob {
            path: path.to_string(),
            id: blob.to_string(),
            commit: Some(commit(c)),
            other_places: 0,
        };
        Finding {
            rule_id: "r".into(),
            description: String::new(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            tags: vec![],
            origin,
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            offset: line as u64 * 10,
            binary: false,
            secret: Some(Secret::new(secret.as_bytes())),
            snippet: String::new(),
            fingerprint: String::new(),
            line_hash: None,
            dropped: None,
            commit_allow: Vec::new(),
            validation: None,
            spread: None,
            repository: None,
        }
    }

    fn rank(f: &Finding) -> Option<u32> {
        f.origin.commit().map(|c| c.id.as_bytes()[0] as u32)
    }

    #[test]
    fn one_finding_per_secret_at_a_path_credited_to_its_first_commit() {
        // Listed out of history order: the group still starts at commit "a".
        let input = vec![
            finding("app.py", "k1", "c", "b3", 9),
            finding("app.py", "k1", "a", "b1", 3),
            finding("app.py", "k1", "b", "b2", 4),
            finding("app.py", "k2", "b", "b2", 7),
            finding("other.py", "k1", "c", "b9", 1),
        ];
        let out = group(input, rank);
        assert_eq!(out.len(), 3);
        let k1 = &out[0];
        assert_eq!(k1.line, 3);
        assert!(k1.origin.commit().unwrap().id.starts_with('a'));
        let s = k1.spread.as_ref().unwrap();
        assert_eq!(s.versions, 3);
        assert_eq!(s.occurrences.len(), 2);
        assert!(s.last_commit.as_ref().unwrap().id.starts_with('c'));
        assert_eq!(s.also_at, vec!["other.py".to_string()]);
        assert_eq!(out[1].spread.as_ref().unwrap().versions, 1);
        assert!(out[1].spread.as_ref().unwrap().also_at.is_empty());
    }

    #[test]
    fn a_secret_twice_in_one_version_is_one_version() {
        let out = group(
            vec![
                finding("a.env", "k", "a", "b1", 1),
                finding("a.env", "k", "a", "b1", 5),
            ],
            rank,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].spread.as_ref().unwrap().versions, 1);
    }

    struct FakeTips;
    impl Tips for FakeTips {
        fn holding(&self, _path: &str, blobs: &[String]) -> Vec<String> {
            if blobs.iter().any(|b| b == "live") {
                vec!["refs/heads/main".into()]
            } else {
                Vec::new()
            }
        }
        fn versions(&self, _path: &str) -> Vec<(u32, String)> {
            vec![
                (b'a' as u32, "b1".into()),
                (b'b' as u32, "b2".into()),
                (b'd' as u32, "clean".into()),
            ]
        }
        fn commit(&self, rank: u32) -> Option<Arc<CommitInfo>> {
            Some(commit(&(rank as u8 as char).to_string()))
        }
    }

    #[test]
    fn tips_and_removal() {
        let mut out = group(
            vec![
                finding("app.py", "k1", "a", "b1", 3),
                finding("app.py", "k1", "b", "b2", 3),
                finding("live.py", "k1", "a", "live", 3),
            ],
            rank,
        );
        place_in_time(&mut out, &FakeTips, |id| Some(id.as_bytes()[0] as u32));
        let gone = out[0].spread.as_ref().unwrap();
        assert!(gone.still_in.is_empty());
        assert!(gone.removed_in.as_ref().unwrap().id.starts_with('d'));
        let live = out[1].spread.as_ref().unwrap();
        assert_eq!(live.still_in, vec!["refs/heads/main".to_string()]);
        assert!(live.removed_in.is_none());
    }
}
