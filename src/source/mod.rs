//! Sources turn inputs into byte buffers named by an [`Origin`] and record what they could not
//! read as [`Skip`](crate::error::Skip)s. Each kind of input is an [`input::Source`].
//!
//! A source never matches: it hands bytes to the scanner. [`Origin`] names where a buffer came
//! from (a file, standard input, a git blob at a commit, an archive member, a decoded span), and
//! is the only location type the rest of the code sees.

pub mod archive;
pub mod decode;
pub mod fs;
pub mod git;
pub mod input;
pub mod package;
pub mod remote;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The commit that introduced a blob, for history findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// Author name.
    pub author_name: String,
    /// Author email.
    pub author_email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// First line of the message.
    pub summary: String,
    /// True when the commit is at a shallow boundary: the blob was introduced at or before it.
    pub at_or_before: bool,
}

/// Where a buffer came from: the outermost input it was read from (a file, standard input, a
/// git blob, a staged entry), and, layered on it, the archive members and decoded spans it was
/// taken out of. The only location type the rest of the code sees.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A file, by its path relative to the scan root (or as given) with `/` separators.
    File {
        /// The file's display path.
        path: String,
    },
    /// Standard input. Reported under the name `-`.
    Stdin,
    /// A blob of a repository's history, at the first path that holds it.
    Blob {
        /// The path of the blob at its first commit.
        path: String,
        /// The blob id (hex).
        id: String,
        /// The commit that introduced the blob at this path; filled after scanning.
        commit: Option<Arc<CommitInfo>>,
        /// How many other (commit, path) places hold the same blob.
        other_places: usize,
    },
    /// A blob staged in the index (`scan --staged`).
    Staged {
        /// Its path in the index.
        path: String,
        /// The blob id (hex).
        id: String,
        /// How many other staged paths hold the same blob.
        other_places: usize,
    },
    /// A member of an archive, or a source of a source map.
    Member {
        /// The archive or source map.
        parent: Box<Origin>,
        /// The member's name inside it.
        name: String,
    },
    /// A span of the parent decoded before scanning (base64, percent-encoding, UTF-16...).
    Decoded {
        /// The buffer the span is in (never itself `Decoded`: decodings of decodings are
        /// one layer whose encoding names the chain).
        parent: Box<Origin>,
        /// The encoding and where the span is.
        decoded: Decoded,
    },
}

/// A span that was decoded before scanning (base64, percent-encoding, ...).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Decoded {
    /// The encoding, e.g. `base64`.
    pub encoding: String,
    /// 1-based line of the encoded span in the enclosing buffer.
    pub line: usize,
    /// 1-based column of the encoded span in the enclosing buffer.
    pub column: usize,
}

/// The name standard input is reported under.
const STDIN_NAME: &str = "-";

impl Origin {
    /// An origin for a plain file path.
    pub fn file(path: impl Into<String>) -> Origin {
        Origin::File { path: path.into() }
    }

    /// The origin of a member of this buffer (archive entry, source-map source): a member is
    /// a buffer of its own, so a decoding this buffer was taken from does not carry over.
    pub fn member(&self, name: impl Into<String>) -> Origin {
        Origin::Member {
            parent: Box::new(self.undecoded().clone()),
            name: name.into(),
        }
    }

    /// The origin of a span of this buffer decoded from `encoding` (a decoding of a decoded
    /// buffer names both, outermost first: `base64,percent`).
    pub fn decoded(&self, encoding: &str, line: usize, column: usize) -> Origin {
        let encoding = match self.decoding() {
            Some(d) => format!("{},{encoding}", d.encoding),
            None => encoding.to_string(),
        };
        Origin::Decoded {
            parent: Box::new(self.undecoded().clone()),
            decoded: Decoded {
                encoding,
                line,
                column,
            },
        }
    }

    /// This origin without its decoded layer.
    fn undecoded(&self) -> &Origin {
        match self {
            Origin::Decoded { parent, .. } => parent,
            o => o,
        }
    }

    /// The outermost input: a file, standard input, a blob or a staged entry.
    pub fn root(&self) -> &Origin {
        match self {
            Origin::Member { parent, .. } | Origin::Decoded { parent, .. } => parent.root(),
            o => o,
        }
    }

    fn root_mut(&mut self) -> &mut Origin {
        match self {
            Origin::Member { parent, .. } | Origin::Decoded { parent, .. } => parent.root_mut(),
            o => o,
        }
    }

    /// The path of the outermost input (`-` for standard input).
    pub fn path(&self) -> &str {
        match self.root() {
            Origin::File { path } | Origin::Blob { path, .. } | Origin::Staged { path, .. } => path,
            _ => STDIN_NAME,
        }
    }

    /// The archive members or source-map sources the buffer is in, outermost first
    /// (`dist/a.tgz!package/cli.js.map!src/x.ts` is `["package/cli.js.map", "src/x.ts"]`).
    pub fn members(&self) -> Vec<&str> {
        let mut names = Vec::new();
        let mut o = self;
        loop {
            match o {
                Origin::Member { parent, name } => {
                    names.push(name.as_str());
                    o = parent;
                }
                Origin::Decoded { parent, .. } => o = parent,
                _ => break,
            }
        }
        names.reverse();
        names
    }

    /// True when the buffer is inside an archive or a source map.
    pub fn in_member(&self) -> bool {
        matches!(self.undecoded(), Origin::Member { .. })
    }

    /// The encoding and place of the decoded span the buffer is, if it is one.
    pub fn decoding(&self) -> Option<&Decoded> {
        match self {
            Origin::Decoded { decoded, .. } => Some(decoded),
            _ => None,
        }
    }

    /// [`Origin::decoding`], to relocate the span.
    pub fn decoding_mut(&mut self) -> Option<&mut Decoded> {
        match self {
            Origin::Decoded { decoded, .. } => Some(decoded),
            _ => None,
        }
    }

    /// For history blobs: the commit that introduced the blob at its path, once attributed.
    pub fn commit(&self) -> Option<&Arc<CommitInfo>> {
        match self.root() {
            Origin::Blob { commit, .. } => commit.as_ref(),
            _ => None,
        }
    }

    /// Sets the commit of a history blob's origin (nothing for other origins).
    pub fn set_commit(&mut self, info: Option<Arc<CommitInfo>>) {
        if let Origin::Blob { commit, .. } = self.root_mut() {
            *commit = info;
        }
    }

    /// For git blobs (history or staged): the blob id.
    pub fn blob_id(&self) -> Option<&str> {
        match self.root() {
            Origin::Blob { id, .. } | Origin::Staged { id, .. } => Some(id),
            _ => None,
        }
    }

    /// For git blobs: how many other places hold the same blob.
    pub fn other_places(&self) -> usize {
        match self.root() {
            Origin::Blob { other_places, .. } | Origin::Staged { other_places, .. } => {
                *other_places
            }
            _ => 0,
        }
    }

    /// True for the whole content of a named file or git blob (not standard input, not a
    /// member, not decoded; a history blob before its commit is attributed): code scanning
    /// computes line hashes from such content.
    pub fn is_whole_file(&self) -> bool {
        matches!(
            self,
            Origin::File { .. } | Origin::Blob { commit: None, .. } | Origin::Staged { .. }
        )
    }

    /// The full display path: `path!member!member`.
    pub fn display_path(&self) -> String {
        let mut s = self.path().to_string();
        for m in self.members() {
            s.push('!');
            s.push_str(m);
        }
        s
    }

    /// The path that rules' path filters and allowlists see: the innermost member name when
    /// inside an archive (so `*.env` matches `pkg.tgz!package/.env`), else the path.
    pub fn rule_path(&self) -> &str {
        match self.undecoded() {
            Origin::Member { name, .. } => name,
            o => o.path(),
        }
    }

    /// The archive or source map holding the buffer, when it is a member: the outermost
    /// input's path.
    pub fn container(&self) -> Option<&str> {
        self.in_member().then(|| self.path())
    }
}

/// What kind of content a buffer holds, decided from its name and first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentKind {
    /// Text or unknown binary: scanned as bytes.
    Scannable,
    /// An image, font, audio or video file: skipped by default.
    Media,
}

const MEDIA_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd", "heic", "avif",
    "woff", "woff2", "ttf", "otf", "eot", "mp3", "wav", "ogg", "flac", "aac", "m4a", "mp4", "m4v",
    "mov", "avi", "mkv", "webm", "wmv",
];

/// True when the name has the extension of an image, font, audio or video file.
pub fn media_name(name: &str) -> bool {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    MEDIA_EXTENSIONS.contains(&ext.as_str())
}

/// Classifies a buffer by its file name and leading bytes. SVG is text and is scanned.
pub fn classify(name: &str, head: &[u8]) -> ContentKind {
    if media_name(name) && looks_like_media(head) {
        return ContentKind::Media;
    }
    ContentKind::Scannable
}

/// Media files are skipped only when their bytes agree with their name, so a text file named
/// `notes.png` is still scanned.
fn looks_like_media(head: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG",
        b"\xff\xd8\xff",
        b"GIF8",
        b"BM",
        b"\x00\x00\x01\x00",
        b"RIFF",
        b"II*\x00",
        b"MM\x00*",
        b"8BPS",
        b"wOFF",
        b"wOF2",
        b"\x00\x01\x00\x00",
        b"OTTO",
        b"ID3",
        b"\xff\xfb",
        b"\xff\xf3",
        b"\xff\xf2",
        b"OggS",
        b"fLaC",
        b"\x1aE\xdf\xa3",
        b"\x30\x26\xb2\x75",
    ];
    if MAGIC.iter().any(|m| head.starts_with(m)) {
        return true;
    }
    // ISO base media (mp4, mov, heic, avif): "ftyp" at offset 4.
    head.len() >= 8 && &head[4..8] == b"ftyp" || is_binary(head)
}

/// True when the first 8 KiB hold a NUL byte, as ripgrep decides.
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(8192)]).is_some()
}
