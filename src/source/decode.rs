//! Derived buffers: text that is in a file but not as plain bytes.
//!
//! - UTF-16 files (with a byte-order mark, or without one when every other byte is NUL) are
//!   decoded to UTF-8 before scanning; lines stay lines.
//! - Source maps: each `sourcesContent` entry is a file of its own
//!   (`cli.js.map!src/agent/monitor.ts`), with the line numbers of the original source.
//! - Encoded spans: base64 (standard and URL-safe), hex, percent-encoding and JSON/JavaScript
//!   string escapes are decoded and scanned again (the scanner bounds the depth).
//!
//! The common case must not pay: finding spans is one pass of table lookups (base64, hex) and
//! two `memchr` passes (`%`, `\`), and a span is decoded only when it looks encoded (long
//! enough, mixed case, valid escapes); the decoded bytes are kept only when they are text
//! (valid UTF-8 without control characters), which random data and hashes never are.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde::Deserialize;

use crate::delta::Copied;

/// An encoded span of a buffer and its decoded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Start of the encoded span.
    pub start: usize,
    /// End of the encoded span (exclusive).
    pub end: usize,
    /// `base64`, `hex`, `percent` or `escape`.
    pub encoding: &'static str,
    /// The decoded text.
    pub text: Vec<u8>,
}

/// Shortest base64 run worth decoding (18 bytes of text). A decoded span is scanned without
/// the key it was assigned to, so only self-identifying secrets (prefixed tokens, key blocks)
/// can be found in it, and those are at least 20 characters long. Longer windows also make
/// the run search skip further (the Linux tree: 13% of the scan time at 16, see `runs`).
const MIN_BASE64: usize = 24;
/// Shortest hex run worth decoding (16 bytes of text).
const MIN_HEX: usize = 32;
/// Spans decoded per buffer at most; the rest is not decoded (a pathological file).
const MAX_SPANS: usize = 10_000;
/// How far the escape decoder looks for the quotes around a backslash.
const MAX_STRING: usize = 1 << 20;

const LOWER: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 4;
const STD: u8 = 8; // + /
const URL: u8 = 16; // - _
const HEXLETTER: u8 = 32;

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_lowercase() {
            LOWER | if b <= b'f' { HEXLETTER } else { 0 }
        } else if b.is_ascii_uppercase() {
            UPPER | if b <= b'F' { HEXLETTER } else { 0 }
        } else if b.is_ascii_digit() {
            DIGIT
        } else if b == b'+' || b == b'/' {
            STD
        } else if b == b'-' || b == b'_' {
            URL
        } else {
            0
        };
        c += 1;
    }
    t
};

const INDIFFERENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const B64_STD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, INDIFFERENT);
const B64_URL: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, INDIFFERENT);

/// True when decoded bytes are text: valid UTF-8, no control characters but whitespace, and
/// not too short to hold anything.
fn is_text(b: &[u8]) -> bool {
    b.len() >= 6
        && std::str::from_utf8(b).is_ok()
        && b.iter()
            .all(|&c| c >= 0x20 && c != 0x7f || matches!(c, b'\t' | b'\n' | b'\r'))
}

/// The encoded spans of `buf` worth scanning again, in offset order, none inside another and
/// none overlapping `skip` (a region already scanned another way).
pub fn spans(buf: &[u8], skip: Option<(usize, usize)>) -> Vec<Span> {
    SpanMemo::new(buf, skip).spans
}

/// The encoded spans of one buffer ([`spans`]), kept for the buffers that are git deltas over
/// it: such a buffer copies most of its lines from this one, and every span lies within one
/// line (base64, hex and percent tokens end at whitespace; a string with escapes ends at its
/// line's end unless it is a template literal or a line ends with a backslash: the "hazard"
/// lines). So the spans of a line copied whole are this buffer's spans of that line, and only
/// the other lines and the hazard lines are searched again ([`SpanMemo::delta`]).
#[derive(Clone, Debug, Default)]
pub struct SpanMemo {
    spans: Vec<Span>,
    /// Start offsets of the lines whose strings may go on over the next line, sorted.
    hazards: Vec<usize>,
    len: usize,
    /// True when every string closed on its own line and the spans are far from the cap: only
    /// then can a delta's spans be derived line by line.
    local: bool,
}

/// What a search over part of a buffer found.
#[derive(Default)]
struct Found {
    spans: Vec<Span>,
    hazards: Vec<usize>,
    /// A string with escapes went on past its line.
    multiline: bool,
}

impl SpanMemo {
    /// The spans of `buf`, searched whole.
    pub fn new(buf: &[u8], skip: Option<(usize, usize)>) -> SpanMemo {
        let mut found = Found::default();
        search(buf, 0, buf.len(), &mut found);
        let local = skip.is_none() && !found.multiline && found.spans.len() < MAX_SPANS / 2;
        found.into_memo(buf.len(), skip, local)
    }

    /// The spans of `buf`, which copies the `copied` ranges of the buffer this memo is of and
    /// inserts the rest: the memo's spans of every line copied whole (with the newlines before
    /// and after it) that is not a hazard line, plus a search of the other lines. Exactly
    /// [`SpanMemo::new`]`(buf, None)`: when the memo is not line-local, a range does not fit,
    /// or the search meets a string over several lines, `buf` is searched whole.
    pub fn delta(&self, buf: &[u8], copied: &[Copied]) -> SpanMemo {
        if !self.local || !Copied::fit(copied, buf.len(), self.len) {
            return SpanMemo::new(buf, None);
        }
        // Lines copied whole: [a, b) of `buf`, found at `src` in the base.
        let mut clean: Vec<(usize, usize, usize)> = Vec::new();
        for c in copied {
            let seg = &buf[c.dst..c.dst + c.len];
            let (Some(first), Some(last)) =
                (memchr::memchr(b'\n', seg), memchr::memrchr(b'\n', seg))
            else {
                continue;
            };
            let (mut a, b) = (c.dst + first + 1, c.dst + last + 1);
            // Hazard lines are searched again: their strings may now close elsewhere.
            let from = self.hazards.partition_point(|&h| h < a - c.dst + c.src);
            for &h in self.hazards[from..]
                .iter()
                .take_while(|&&h| h < b - c.dst + c.src)
            {
                let t = h - c.src + c.dst;
                let end = memchr::memchr(b'\n', &buf[t..b]).map_or(b, |p| t + p + 1);
                if t > a {
                    clean.push((a, t, a - c.dst + c.src));
                }
                a = a.max(end);
            }
            if a < b {
                clean.push((a, b, a - c.dst + c.src));
            }
        }
        let mut found = Found::default();
        let mut reused: Vec<Span> = Vec::new();
        let mut cursor = 0;
        for &(a, b, src) in &clean {
            if a > cursor {
                search(buf, cursor, a, &mut found);
            }
            let end = src + (b - a);
            let from = self.spans.partition_point(|sp| sp.start < src);
            for sp in self.spans[from..].iter().take_while(|sp| sp.start < end) {
                reused.push(Span {
                    start: sp.start - src + a,
                    end: sp.end - src + a,
                    encoding: sp.encoding,
                    text: sp.text.clone(),
                });
            }
            cursor = b;
        }
        if cursor < buf.len() {
            search(buf, cursor, buf.len(), &mut found);
        }
        if found.multiline || found.spans.len() + reused.len() >= MAX_SPANS / 2 {
            return SpanMemo::new(buf, None);
        }
        found.spans.append(&mut reused);
        found.into_memo(buf.len(), None, true)
    }

    /// The spans, in offset order.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }
}

impl Found {
    /// The memo of a buffer of `len` bytes from what was found in it.
    fn into_memo(mut self, len: usize, skip: Option<(usize, usize)>, local: bool) -> SpanMemo {
        self.hazards.sort_unstable();
        self.hazards.dedup();
        SpanMemo {
            spans: finish(self.spans, skip),
            hazards: self.hazards,
            len,
            local,
        }
    }
}

/// Searches the lines `[from, to)` of `buf` (whole lines) for spans that start there.
fn search(buf: &[u8], from: usize, to: usize, found: &mut Found) {
    runs(buf, from, to, &mut found.spans);
    percent(buf, from, to, &mut found.spans);
    escapes(buf, from, to, found);
    for p in memchr::memchr_iter(b'`', &buf[from..to]) {
        found.hazards.push(line_start(buf, from, from + p));
    }
}

/// The start of the line holding `p`, at or after `from`.
fn line_start(buf: &[u8], from: usize, p: usize) -> usize {
    memchr::memrchr(b'\n', &buf[from..p]).map_or(from, |q| from + q + 1)
}

/// Sorts spans, drops those overlapping `skip` or inside another, and caps their number.
fn finish(mut out: Vec<Span>, skip: Option<(usize, usize)>) -> Vec<Span> {
    out.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Span> = Vec::with_capacity(out.len());
    for s in out {
        if skip.is_some_and(|(a, b)| s.start < b && a < s.end) {
            continue;
        }
        if kept.last().is_some_and(|k| s.end <= k.end) {
            continue;
        }
        kept.push(s);
        if kept.len() >= MAX_SPANS {
            break;
        }
    }
    kept
}

/// Base64 and hex runs of at least [`MIN_BASE64`] bytes starting in `[from, to)`.
///
/// Most of a source file is made of base64-alphabet bytes (letters, digits, `_`, `-`, `/`),
/// in short runs. Rather than classify every byte, the search probes the last byte of a
/// window of `MIN_BASE64` bytes and skips the whole window when it is outside the alphabet,
/// else scans back for the byte that breaks the window: about one byte in four is looked at
/// on code, which took this pass from a quarter of the scan time to a few percent (Linux
/// source tree, `perf`).
fn runs(buf: &[u8], from: usize, to: usize, out: &mut Vec<Span>) {
    let n = buf.len();
    let member = |i: usize| CLASS[buf[i] as usize] != 0;
    let mut i = from;
    while i + MIN_BASE64 <= to && out.len() < MAX_SPANS {
        let last = i + MIN_BASE64 - 1;
        if !member(last) {
            i = last + 1;
            continue;
        }
        if let Some(k) = (i..last).rev().find(|&k| !member(k)) {
            i = k + 1;
            continue;
        }
        // buf[i..=last] is in the alphabet: extend to the whole run.
        let mut s = i;
        while s > 0 && member(s - 1) {
            s -= 1;
        }
        let mut e = last + 1;
        while e < n && member(e) {
            e += 1;
        }
        i = run(buf, s, e, out);
    }
}

/// Decodes the run `buf[s..e]` if it looks encoded; returns where the search goes on.
fn run(buf: &[u8], s: usize, e: usize, out: &mut Vec<Span>) -> usize {
    let mut mask = 0u8;
    let mut all_hex = true;
    for &b in &buf[s..e] {
        let c = CLASS[b as usize];
        mask |= c;
        all_hex &= c == DIGIT || c & HEXLETTER != 0;
    }
    if all_hex {
        if e - s >= MIN_HEX && (e - s).is_multiple_of(2) {
            if let Ok(text) = hex::decode(&buf[s..e]) {
                if is_text(&text) {
                    out.push(Span {
                        start: s,
                        end: e,
                        encoding: "hex",
                        text,
                    });
                }
            }
        }
        return e;
    }
    // Base64 of text mixes upper and lower case; one alphabet only.
    if mask & UPPER == 0 || mask & LOWER == 0 || (mask & STD != 0 && mask & URL != 0) {
        return e;
    }
    let mut end = e;
    while end < buf.len() && end - e < 2 && buf[end] == b'=' {
        end += 1;
    }
    let engine = if mask & URL != 0 { &B64_URL } else { &B64_STD };
    let body = &buf[s..e];
    let body = if body.len() % 4 == 1 {
        &body[..body.len() - 1]
    } else {
        body
    };
    if let Ok(text) = engine.decode(body) {
        if is_text(&text) {
            out.push(Span {
                start: s,
                end,
                encoding: "base64",
                text,
            });
        }
    }
    end
}

fn hexval(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\''
                | b'`'
                | b'<'
                | b'>'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b','
                | b';'
        )
}

/// Tokens with at least two `%XX` escapes, found from the `%`s in `[from, to)`.
fn percent(buf: &[u8], from: usize, to: usize, out: &mut Vec<Span>) {
    let mut covered = 0;
    for p in memchr::memchr_iter(b'%', &buf[from..to]).map(|p| from + p) {
        if p < covered
            || p + 2 >= buf.len()
            || hexval(buf[p + 1]).is_none()
            || hexval(buf[p + 2]).is_none()
        {
            continue;
        }
        let mut s = p;
        while s > 0 && !is_delim(buf[s - 1]) && p - s < 4096 {
            s -= 1;
        }
        let mut e = p;
        while e < buf.len() && !is_delim(buf[e]) && e - p < 65536 {
            e += 1;
        }
        covered = e;
        let tok = &buf[s..e];
        let escapes = tok
            .windows(3)
            .filter(|w| w[0] == b'%' && hexval(w[1]).is_some() && hexval(w[2]).is_some())
            .count();
        if escapes < 2 {
            continue;
        }
        let text: Vec<u8> = percent_encoding::percent_decode(tok).collect();
        if is_text(&text) {
            out.push(Span {
                start: s,
                end: e,
                encoding: "percent",
                text,
            });
        }
    }
}

/// JSON and JavaScript string literals holding escapes that hide text: `\uXXXX`, `\xXX`,
/// escaped quotes (JSON inside JSON), or several `\n` in a long string (a key file in JSON);
/// from the backslashes in `[from, to)`. A backslash before a newline makes its line a hazard
/// (its string goes on over the next line).
fn escapes(buf: &[u8], from: usize, to: usize, found: &mut Found) {
    let mut covered = 0;
    for p in memchr::memchr_iter(b'\\', &buf[from..to]).map(|p| from + p) {
        if buf.get(p + 1) == Some(&b'\n') {
            found.hazards.push(line_start(buf, from, p));
        }
        if p < covered || p + 1 >= buf.len() {
            continue;
        }
        let strong = match buf[p + 1] {
            b'u' => {
                buf.get(p + 2..p + 6)
                    .is_some_and(|h| h.iter().all(|&c| hexval(c).is_some()))
                    || buf.get(p + 2) == Some(&b'{')
            }
            b'x' => buf
                .get(p + 2..p + 4)
                .is_some_and(|h| h.iter().all(|&c| hexval(c).is_some())),
            b'"' | b'\'' => true,
            b'n' => false,
            _ => continue,
        };
        let Some((q, s)) = open_quote(buf, p) else {
            continue;
        };
        let Some(e) = close_quote(buf, p, q) else {
            continue;
        };
        if memchr::memchr(b'\n', &buf[p..e]).is_some() {
            found.multiline = true;
        }
        covered = e;
        let body = &buf[s..e];
        let n_newlines = body.windows(2).filter(|w| w == b"\\n").count();
        if !(strong || n_newlines >= 2 && body.len() >= 64) {
            continue;
        }
        let text = unescape(body);
        if text.as_slice() != body && is_text(&text) {
            found.spans.push(Span {
                start: s,
                end: e,
                encoding: "escape",
                text,
            });
        }
    }
}

/// The quote that opens the string holding the backslash at `p`, and the string's start.
fn open_quote(buf: &[u8], p: usize) -> Option<(u8, usize)> {
    let lo = p.saturating_sub(MAX_STRING);
    // Not past the line's start: a string does not open on an earlier line.
    let lo = memchr::memrchr(b'\n', &buf[lo..p]).map_or(lo, |n| lo + n + 1);
    let mut i = p;
    while let Some(k) = memchr::memrchr3(b'"', b'\'', b'`', &buf[lo..i]) {
        i = lo + k;
        if !escaped(buf, i) {
            return Some((buf[i], i + 1));
        }
    }
    None
}

/// True when the byte at `i` is preceded by an odd number of backslashes.
fn escaped(buf: &[u8], i: usize) -> bool {
    buf[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// The end of the string (the closing quote's offset) that holds the backslash at `p`.
fn close_quote(buf: &[u8], p: usize, q: u8) -> Option<usize> {
    let hi = (p + MAX_STRING).min(buf.len());
    let mut i = p;
    while i < hi {
        // A newline ends the string unless it is a template literal.
        let next = if q == b'`' {
            memchr::memchr2(b'\\', q, &buf[i..hi])
        } else {
            memchr::memchr3(b'\\', b'\n', q, &buf[i..hi])
        };
        i += next?;
        match buf[i] {
            b'\\' => i += 2,
            b'\n' if q != b'`' => return None,
            _ => return Some(i),
        }
    }
    None
}

/// Decodes JSON and JavaScript escapes; unknown escapes keep their character.
pub fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        // The text up to the next backslash goes over in one piece.
        let plain = memchr::memchr(b'\\', &s[i..]).unwrap_or(s.len() - i);
        out.extend_from_slice(&s[i..i + plain]);
        i += plain;
        if i + 1 >= s.len() {
            out.extend_from_slice(&s[i..]);
            break;
        }
        let c = s[i + 1];
        i += 2;
        match c {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'0' => out.push(0),
            b'\n' => {}
            b'x' => match s
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
            {
                Some(v) => {
                    push_char(&mut out, v as u32);
                    i += 2;
                }
                None => out.push(b'x'),
            },
            b'u' => {
                let (cp, used) = unicode_escape(&s[i..]);
                match cp {
                    Some(cp) => {
                        push_char(&mut out, cp);
                        i += used;
                    }
                    None => out.push(b'u'),
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `XXXX` (with a following `\uXXXX` low surrogate) or `{X...}` after `\u`: code point and
/// bytes used.
fn unicode_escape(s: &[u8]) -> (Option<u32>, usize) {
    let hex4 = |b: &[u8]| {
        b.get(..4)
            .and_then(|h| u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
    };
    if s.first() == Some(&b'{') {
        let Some(close) = s.iter().take(9).position(|&b| b == b'}') else {
            return (None, 0);
        };
        let v = std::str::from_utf8(&s[1..close])
            .ok()
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        return (v, close + 1);
    }
    let Some(hi) = hex4(s) else { return (None, 0) };
    if (0xD800..0xDC00).contains(&hi) && s.get(4..6) == Some(b"\\u") {
        if let Some(lo) = hex4(&s[6..]).filter(|lo| (0xDC00..0xE000).contains(lo)) {
            return (Some(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)), 10);
        }
    }
    (Some(hi), 4)
}

fn push_char(out: &mut Vec<u8>, cp: u32) {
    let c = char::from_u32(cp).unwrap_or('\u{fffd}');
    let mut b = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

/// How a UTF-16 buffer is laid out: byte order and the length of its byte-order mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utf16 {
    /// Little-endian.
    pub le: bool,
    /// Bytes of byte-order mark before the text (0 or 2).
    pub bom: usize,
}

impl Utf16 {
    /// The encoding's name, as findings show it.
    pub fn name(self) -> &'static str {
        if self.le {
            "utf-16le"
        } else {
            "utf-16be"
        }
    }

    /// Decodes the complete code units of `raw` (after the mark) to UTF-8, appending to `out`.
    /// With `last` unset, a trailing odd byte and a trailing high surrogate are left undecoded
    /// and their count returned, so that a stream decodes exactly as its whole would.
    fn decode_into(self, raw: &[u8], last: bool, out: &mut Vec<u8>) -> usize {
        let unit = |p: &[u8]| {
            if self.le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        };
        let mut n = raw.len() & !1;
        if !last && n >= 2 && (0xD800..0xDC00).contains(&unit(&raw[n - 2..n])) {
            n -= 2;
        }
        let units = raw[..n].chunks_exact(2).map(unit);
        for c in char::decode_utf16(units) {
            let mut b = [0u8; 4];
            out.extend_from_slice(c.unwrap_or('\u{fffd}').encode_utf8(&mut b).as_bytes());
        }
        if last {
            0
        } else {
            raw.len() - n
        }
    }
}

/// Whether `buf` is UTF-16 text, decided from its first 4 KiB: it starts with a byte-order
/// mark and holds NUL bytes, or (no mark) nearly every other byte is NUL and the others are
/// not, as ASCII text in UTF-16 is.
pub fn utf16_layout(buf: &[u8]) -> Option<Utf16> {
    let (le, bom) = if let Some(rest) = buf.strip_prefix(b"\xff\xfe") {
        if rest.starts_with(b"\x00\x00") {
            return None; // UTF-32LE
        }
        (true, 2)
    } else if buf.starts_with(b"\xfe\xff") {
        (false, 2)
    } else {
        let head = &buf[..buf.len().min(4096) & !1];
        if head.len() < 16 || memchr::memchr(0, head).is_none() {
            return None;
        }
        let pairs = head.len() / 2;
        let zero_odd = head
            .chunks_exact(2)
            .filter(|p| p[1] == 0 && p[0] != 0)
            .count();
        let zero_even = head
            .chunks_exact(2)
            .filter(|p| p[0] == 0 && p[1] != 0)
            .count();
        if zero_odd * 10 >= pairs * 9 {
            (true, 0)
        } else if zero_even * 10 >= pairs * 9 {
            (false, 0)
        } else {
            return None;
        }
    };
    // A mark alone is not proof (Latin-1 text may start with 0xff 0xfe): UTF-16 text holds
    // NUL bytes, in the high half of every ASCII character, space and newline.
    let body = &buf[bom..];
    memchr::memchr(0, &body[..body.len().min(4096)])?;
    Some(Utf16 { le, bom })
}

/// UTF-16 text decoded to UTF-8, with the encoding's name, or `None` when `buf` is not
/// UTF-16 (see [`utf16_layout`]).
pub fn utf16(buf: &[u8]) -> Option<(Vec<u8>, &'static str)> {
    let layout = utf16_layout(buf)?;
    let mut text = Vec::with_capacity(buf.len());
    layout.decode_into(&buf[layout.bom..], true, &mut text);
    Some((text, layout.name()))
}

/// A UTF-16 stream decoded to UTF-8 as it is read (large files): the same text as [`utf16`]
/// gives for the whole.
pub struct Utf16Reader<R> {
    inner: R,
    layout: Utf16,
    /// Raw bytes still to skip (the mark), then raw bytes not decoded yet.
    skip: usize,
    raw: Vec<u8>,
    text: Vec<u8>,
    at: usize,
    eof: bool,
}

impl<R: std::io::Read> Utf16Reader<R> {
    /// Decodes `inner`, which starts at the beginning of the text (mark included).
    pub fn new(inner: R, layout: Utf16) -> Utf16Reader<R> {
        Utf16Reader {
            inner,
            layout,
            skip: layout.bom,
            raw: Vec::new(),
            text: Vec::new(),
            at: 0,
            eof: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for Utf16Reader<R> {
    fn read(&mut self, dst: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.text.len() {
            if self.eof || dst.is_empty() {
                return Ok(0);
            }
            self.text.clear();
            self.at = 0;
            let old = self.raw.len();
            self.raw.resize(old + (64 << 10), 0);
            let n = match self.inner.read(&mut self.raw[old..]) {
                Ok(n) => n,
                Err(e) => {
                    self.raw.truncate(old);
                    return Err(e);
                }
            };
            self.raw.truncate(old + n);
            let drop = self.skip.min(self.raw.len());
            self.raw.drain(..drop);
            self.skip -= drop;
            self.eof = n == 0;
            let left = self.layout.decode_into(&self.raw, self.eof, &mut self.text);
            let used = self.raw.len() - left;
            self.raw.drain(..used);
        }
        let n = dst.len().min(self.text.len() - self.at);
        dst[..n].copy_from_slice(&self.text[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// True for a file that may be a source map with embedded sources: a `.map` name and a
/// `sourcesContent` key.
pub fn is_source_map(name: &str, buf: &[u8]) -> bool {
    name.ends_with(".map") && memchr::memmem::find(buf, b"\"sourcesContent\"").is_some()
}

/// The embedded sources of a source map.
#[derive(Debug, Default)]
pub struct SourceMap {
    /// `(name, content)` per non-null `sourcesContent` entry, in order.
    pub sources: Vec<(String, String)>,
    /// The byte range of the `sourcesContent` array in the map: findings there are reported
    /// in the sources instead.
    pub region: Option<(usize, usize)>,
}

#[derive(Deserialize)]
struct MapJson<'a> {
    #[serde(default)]
    sources: Vec<Option<String>>,
    /// Kept raw: the borrowed text is the array's place in the map.
    #[serde(default, borrow, rename = "sourcesContent")]
    sources_content: Option<&'a serde_json::value::RawValue>,
}

/// Why a source map could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceMapError {
    /// Not UTF-8 (JSON is).
    #[error("source map: {0}")]
    Utf8(#[from] std::str::Utf8Error),
    /// Not JSON, or not a map; located.
    #[error("source map: {0}")]
    Json(#[from] serde_json::Error),
}

/// Parses a source map; the error is the JSON error, located.
pub fn source_map(buf: &[u8]) -> Result<SourceMap, SourceMapError> {
    let text = std::str::from_utf8(buf)?;
    let map: MapJson<'_> = serde_json::from_str(text)?;
    let mut out = SourceMap::default();
    let mut contents: Vec<Option<String>> = Vec::new();
    if let Some(raw) = map.sources_content {
        // The raw value borrows from `text`: its address is its offset.
        let start = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        out.region = Some((start, start + raw.get().len()));
        contents = serde_json::from_str(raw.get())?;
    }
    for (i, content) in contents.into_iter().enumerate() {
        let Some(content) = content else { continue };
        let name = map
            .sources
            .get(i)
            .cloned()
            .flatten()
            .map(|s| source_name(&s))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("sourcesContent[{i}]"));
        out.sources.push((name, content));
    }
    Ok(out)
}

/// `webpack:///./src/x.ts` -> `src/x.ts`; `../../src/x.ts` -> `src/x.ts`.
fn source_name(s: &str) -> String {
    let mut t = s;
    if let Some(p) = t.find("://") {
        t = &t[p + 3..];
    }
    loop {
        let before = t;
        t = t.trim_start_matches('/');
        t = t.strip_prefix("./").unwrap_or(t);
        t = t.strip_prefix("../").unwrap_or(t);
        if t == before {
            break;
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Lcg;

    /// Text made of pieces that start, end or break spans: base64 and hex of text,
    /// percent escapes, strings with escapes, backticks, backslashes before newlines.
    fn text(rng: &mut Lcg, pieces: usize) -> Vec<u8> {
        const PIECES: &[&str] = &[
            "Y29ubmVjdGlvbiBzdHJpbmcgZm9yIHRoZSBkYXRhYmFzZQ==",
            "aGVsbG8gd29ybGQgZnJvbSB0aGUgdGVzdHM",
            "68656c6c6f20776f726c642066726f6d2074686573652074657374",
            "a%3Db%26c%3Dd%20e",
            "x = \"line one\\nline two\\nline three that is long enough to count\\n\"",
            "s = '\\u0041\\u0042\\u0043 \\x41 text here'",
            "\"{\\\"key\\\": \\\"value value\\\"}\"",
            "`template ${x} \\u0041",
            "`",
            "\\",
            "\\\n",
            "\n",
            "\n",
            " ",
            "word",
            "\"",
            "'",
            "=",
            "%41",
        ];
        let mut out = Vec::new();
        for _ in 0..pieces {
            out.extend_from_slice(PIECES[rng.below(PIECES.len())].as_bytes());
        }
        out
    }

    #[test]
    fn delta_spans_equal_a_whole_search() {
        let mut rng = Lcg(7);
        let mut reused = 0;
        for _ in 0..3000 {
            let n = rng.below(60);
            let base = text(&mut rng, n);
            let memo = SpanMemo::new(&base, None);
            // A random delta: copies of base ranges and inserted pieces.
            let mut target = Vec::new();
            let mut copied: Vec<Copied> = Vec::new();
            for _ in 0..rng.below(8) {
                if !base.is_empty() && rng.below(3) > 0 {
                    let src = rng.below(base.len());
                    let len = 1 + rng.below(base.len() - src);
                    copied.push(Copied {
                        src,
                        dst: target.len(),
                        len,
                    });
                    target.extend_from_slice(&base[src..src + len]);
                } else {
                    let k = 1 + rng.below(3);
                    target.extend(text(&mut rng, k));
                }
            }
            let derived = memo.delta(&target, &copied);
            assert_eq!(
                derived.spans(),
                spans(&target, None).as_slice(),
                "base {:?}\ntarget {:?}\ncopies {copied:?}",
                String::from_utf8_lossy(&base),
                String::from_utf8_lossy(&target)
            );
            if memo.local && !derived.spans().is_empty() {
                reused += 1;
            }
        }
        // The derivation is not only ever the fallback.
        assert!(reused > 100, "{reused}");
    }

    fn found(text: &str) -> Vec<(String, &'static str)> {
        spans(text.as_bytes(), None)
            .into_iter()
            .map(|s| (String::from_utf8_lossy(&s.text).into_owned(), s.encoding))
            .collect()
    }

    #[test]
    fn base64_and_hex() {
        // "password: hunter2-Xq9" in standard and URL-safe base64, and in hex.
        assert_eq!(
            found("data:\n  pw: cGFzc3dvcmQ6IGh1bnRlcjItWHE5\n"),
            vec![("password: hunter2-Xq9".to_string(), "base64")]
        );
        assert_eq!(
            found("v=cGFzc3dvcmQ6IGh1bnRlcjItWHE5=="),
            vec![("password: hunter2-Xq9".to_string(), "base64")]
        );
        assert_eq!(
            found("x 70617373776f72643a2068756e746572322d587139 y"),
            vec![("password: hunter2-Xq9".to_string(), "hex")]
        );
        // Hashes, identifiers and paths are not text when decoded, or not tried.
        assert!(found("integrity sha512-Q0JoP8hYwK3aF1rUv4Lq6m9ZpXyN2tB7cD5eG8hJ0kL3mN6pQ9rS2tU5vW8xY1zA4bC7dE0fG3hI6jK9lM2nO5==").is_empty());
        assert!(
            found("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").is_empty()
        );
        assert!(
            found("CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS src/components/foo_bar/baz").is_empty()
        );
    }

    #[test]
    fn percent_and_escapes() {
        assert_eq!(
            found("u=%7B%22token%22%3A%22abc%22%7D&x=1"),
            vec![("u={\"token\":\"abc\"}&x=1".to_string(), "percent")]
        );
        assert!(found("printf(\"%d %s\\n\", a, b)").is_empty());
        assert_eq!(
            found(r#"{"cfg": "{\"password\": \"Xq9-hunter2\"}"}"#),
            vec![("{\"password\": \"Xq9-hunter2\"}".to_string(), "escape")]
        );
        assert_eq!(
            found(r#"k = "\u0067\u0068\u0070_abc\x2d1""#),
            vec![("ghp_abc-1".to_string(), "escape")]
        );
        assert!(found(r#"pr_info("hello %s\n", name);"#).is_empty());
        assert_eq!(
            unescape(br"a\nb\\c\u00e9\ud83d\ude00"),
            "a\nb\\c\u{e9}\u{1f600}".as_bytes()
        );
    }

    #[test]
    fn utf16_detection() {
        let text = "token = abc\nline two\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(utf16(&le), Some((text.as_bytes().to_vec(), "utf-16le")));
        assert_eq!(utf16(&be), Some((text.as_bytes().to_vec(), "utf-16be")));
        let mut bom = vec![0xff, 0xfe];
        bom.extend_from_slice(&le[..8]);
        assert_eq!(utf16(&bom), Some((b"toke".to_vec(), "utf-16le")));
        assert_eq!(utf16(b"plain ascii text, long enough to sniff"), None);
        assert_eq!(
            utf16(b"\xff\xfe\xc3( latin-1 text after bytes that look like a mark"),
            None
        );
        assert_eq!(
            utf16(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00"),
            None
        );
    }

    #[test]
    fn source_maps() {
        let map = br#"{"version":3,"sources":["webpack:///./src/a.ts",null,"../lib/b.js"],"sourcesContent":["const a = 1;\n","x",null],"mappings":"AAAA"}"#;
        let m = source_map(map).expect("parses");
        assert_eq!(
            m.sources,
            vec![
                ("src/a.ts".to_string(), "const a = 1;\n".to_string()),
                ("sourcesContent[1]".to_string(), "x".to_string())
            ]
        );
        let (s, e) = m.region.expect("region");
        assert_eq!(&map[s..e], br#"["const a = 1;\n","x",null]"#);
        assert!(source_map(b"{\"sourcesContent\": [").is_err());
    }
}
