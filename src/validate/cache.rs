//! The optional file cache (`--validate-cache FILE`): verdicts keyed by an HMAC-SHA256 of the
//! provider and the secret under a key the user keeps in `LEAKSCAN_VALIDATE_CACHE_KEY`, never by
//! the secret or an unkeyed hash of it. One JSON object per line; entries older than the
//! time-to-live are dropped on load. Only valid and invalid verdicts are kept: an unknown one
//! is asked again next time.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::ValidateError;
use super::{Status, Validation};

/// The environment variable holding the cache key.
pub const KEY_ENV: &str = "LEAKSCAN_VALIDATE_CACHE_KEY";
/// How long a cached verdict is trusted.
pub const TTL_SECS: u64 = 24 * 3600;

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    at: u64,
    validation: Validation,
}

/// Cached verdicts by keyed digest.
pub struct FileCache {
    path: PathBuf,
    key: Vec<u8>,
    entries: HashMap<String, (u64, Validation)>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl FileCache {
    /// Opens (or starts) the cache at `path`; a missing file is an empty cache, a line that
    /// does not parse is dropped.
    pub fn open(path: &Path, key: Vec<u8>) -> Result<FileCache, ValidateError> {
        let mut entries = HashMap::new();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let t = now();
                for line in text.lines() {
                    if let Ok(e) = serde_json::from_str::<Entry>(line) {
                        if t.saturating_sub(e.at) < TTL_SECS {
                            entries.insert(e.key, (e.at, e.validation));
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ValidateError::Cache {
                    path: path.to_path_buf(),
                    source: e,
                })
            }
        }
        Ok(FileCache {
            path: path.to_path_buf(),
            key,
            entries,
        })
    }

    /// The keyed digest of a provider, secret and pair.
    pub fn digest(&self, provider: &str, secret: &[u8], pair: Option<&[u8]>) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for part in [provider.as_bytes(), secret, pair.unwrap_or(b"")] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// A fresh cached verdict.
    pub fn get(&self, digest: &str) -> Option<Validation> {
        self.entries.get(digest).map(|(_, v)| {
            let mut v = v.clone();
            v.cached = true;
            v
        })
    }

    /// Records a verdict (valid and invalid only).
    pub fn put(&mut self, digest: String, v: &Validation) {
        if matches!(v.status, Status::Valid | Status::Invalid) {
            let mut v = v.clone();
            v.cached = false;
            self.entries.insert(digest, (now(), v));
        }
    }

    /// Writes the cache back, readable by its owner only.
    pub fn save(&self) -> Result<(), ValidateError> {
        let io = |source| ValidateError::Cache {
            path: self.path.clone(),
            source,
        };
        let mut keys: Vec<_> = self.entries.keys().collect();
        keys.sort();
        let mut out = Vec::new();
        for k in keys {
            let (at, v) = &self.entries[k];
            let line = serde_json::to_string(&Entry {
                key: k.clone(),
                at: *at,
                validation: v.clone(),
            })
            .map_err(|e| io(std::io::Error::other(e)))?;
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        let tmp = self.path.with_extension("tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(io)?;
        f.write_all(&out).map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}
