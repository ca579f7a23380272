//! Sources turn inputs into byte buffers named by an [`Origin`] and record what they could not
//! read as [`Skip`](crate::error::Skip)s.
//!
//! A source never matches: it hands bytes to the scanner. [`Origin`] names where a buffer came
//! from (a file, standard input, a git blob at a commit, an archive member, a decoded span), and
//! is the only location type the rest of the code sees.

pub mod archive;
pub mod decode;
pub mod fs;
pub mod git;
pub mod package;
pub mod remote;

use std::sync::Arc;

use serde::Serialize;

/// The commit that introduced a blob, for history findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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

/// Where a buffer came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Path relative to the scan root with `/` separators; `-` for standard input.
    pub path: String,
    /// Members inside archives or source maps, outermost first
    /// (`dist/a.tgz!package/cli.js.map!src/x.ts` is `["package/cli.js.map", "src/x.ts"]`).
    pub members: Vec<String>,
    /// For history blobs: the commit that introduced the blob at this path.
    pub commit: Option<Arc<CommitInfo>>,
    /// For history blobs: the blob id.
    pub blob_id: Option<String>,
    /// For decoded spans: the encoding and the byte range of the encoded span in the parent.
    pub decoded: Option<Decoded>,
    /// For history blobs: how many other (commit, path) places hold the same blob.
    pub other_places: usize,
}

/// A span that was decoded before scanning (base64, percent-encoding, ...).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Decoded {
    /// The encoding, e.g. `base64`.
    pub encoding: String,
    /// 1-based line of the encoded span in the enclosing buffer.
    pub line: usize,
    /// 1-based column of the encoded span in the enclosing buffer.
    pub column: usize,
}

impl Origin {
    /// An origin for a plain file path.
    pub fn file(path: impl Into<String>) -> Origin {
        Origin {
            path: path.into(),
            ..Origin::default()
        }
    }

    /// The origin of a member of this buffer (archive entry, source-map source).
    pub fn member(&self, name: impl Into<String>) -> Origin {
        let mut o = self.clone();
        o.members.push(name.into());
        o.decoded = None;
        o
    }

    /// The full display path: `path!member!member`.
    pub fn display_path(&self) -> String {
        let mut s = self.path.clone();
        for m in &self.members {
            s.push('!');
            s.push_str(m);
        }
        s
    }

    /// The path that rules' path filters and allowlists see: the innermost member name when
    /// inside an archive (so `*.env` matches `pkg.tgz!package/.env`), else the path.
    pub fn rule_path(&self) -> &str {
        self.members
            .last()
            .map(String::as_str)
            .unwrap_or(&self.path)
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
