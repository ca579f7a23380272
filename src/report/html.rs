//! The HTML audit report: one self-contained file to hand to people.
//!
//! - Nothing is loaded from anywhere: no network, no external script, font or image. The
//!   styles and the small script (filtering and sorting the findings table) are inline, and a
//!   Content-Security-Policy meta tag allows exactly those two blocks (by their SHA-256) and
//!   nothing else: no request can leave the page, and a script that got in by mistake would
//!   not run.
//! - Every value from the scan (paths, rule text, authors, commit messages, snippets, notes)
//!   goes through [`esc`]; secrets are shown only through [`Report::secret_text`], redacted
//!   unless `--no-redact`.
//! - The summary comes first ([`Overview`]): findings by kind, severity and rule; when they
//!   entered the history, as a bar chart drawn here as inline SVG; paths and authors; what is
//!   in the working tree and what only in the history. Then the findings table with their
//!   fingerprints.

use std::fmt::Write as _;
use std::io::{self, Write};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::overview::{
    kind_name, severity_name, CountRow, Granularity, Overview, Presence, PresenceIndex, Timeline,
};
use super::{Report, Reporter};
use crate::finding::Finding;
use crate::rules::{Kind, Severity};

/// The HTML reporter.
pub struct Html;

/// Rows of the rule, path and author tables in the summary (the findings table has all).
const TOP: usize = 15;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters (other than tab and newline) are not allowed in HTML text.
            c if c.is_control() && c != '\t' && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root{--fg:#1d2330;--muted:#5d6678;--line:#dde1e8;--bg:#f6f7f9;--card:#fff;--crit:#8e1b2c;--high:#c9302c;--med:#d98a00;--low:#2b7bb9;--info:#6b7785;--sec:#c9302c;--int:#7b5cc4;--ok:#2e8540}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px;font-size:22px;font-weight:600}
header p{margin:0;color:#c4cad6}
main{padding:20px 32px 40px;max-width:1500px}
h2{font-size:17px;margin:0 0 10px;font-weight:600}
h3{font-size:14px;margin:0 0 8px;font-weight:600}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:0 0 16px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;background:none;border:0;padding:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card b{display:block;font-size:26px;font-weight:650}
.card span{color:var(--muted)}
.card.bad b{color:var(--sec)}.card.int b{color:var(--int)}.card.ok b{color:var(--ok)}.card.warn b{color:var(--med)}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px;align-items:start;margin:0 0 16px}
.grid2>section{margin:0}
@media (max-width:1000px){.grid2{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
.wrap{word-break:break-all}
.nowrap{white-space:nowrap}
.muted{color:var(--muted)}
.pill{display:inline-block;padding:1px 7px;border-radius:9px;font-size:11px;font-weight:600;color:#fff;white-space:nowrap}
.sev-critical{background:var(--crit)}.sev-high{background:var(--high)}.sev-medium{background:var(--med)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.val-valid{background:var(--crit)}.val-invalid{background:var(--ok)}.val-unknown,.val-skipped{background:var(--info)}
.k-secret{background:var(--sec)}.k-internal{background:var(--int)}
.bar rect{fill:#c9302c}.bar rect.i{fill:#7b5cc4}
.chart text{font:11px system-ui,sans-serif;fill:#5d6678}
.chart .s{fill:#c9302c}.chart .i{fill:#7b5cc4}.chart .grid{stroke:#e4e7ec}
.legend{display:flex;gap:14px;color:var(--muted);font-size:12px;margin:4px 0 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.legend .s{background:#c9302c}.legend .i{background:#7b5cc4}
.presence{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}
.presence div{border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.presence b{font-size:22px;display:block}
.note{color:var(--muted);font-size:13px;margin:8px 0 0}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:0 0 10px}
.filters input{flex:1 1 280px;padding:6px 9px;border:1px solid #bfc6d2;border-radius:6px;font:inherit}
.filters select{padding:5px 6px;border:1px solid #bfc6d2;border-radius:6px;font:inherit;background:#fff}
#findings th{cursor:pointer;user-select:none;position:sticky;top:0;background:#fff}
#findings th[aria-sort=ascending]::after{content:" \25B2"}
#findings th[aria-sort=descending]::after{content:" \25BC"}
#findings td{font-size:13px}
#findings tr.hide{display:none}
.snip{max-width:520px}
footer{color:var(--muted);font-size:12px;padding:0 32px 30px}
"#;

const SCRIPT: &str = r#"
(function(){
  var table=document.getElementById('findings');
  if(!table)return;
  var body=table.tBodies[0];
  var rows=Array.prototype.slice.call(body.rows);
  var text=rows.map(function(r){return r.textContent.toLowerCase();});
  var q=document.getElementById('q'),fk=document.getElementById('fk'),fs=document.getElementById('fs'),fp=document.getElementById('fp'),shown=document.getElementById('shown');
  function apply(){
    var s=q.value.trim().toLowerCase(),k=fk.value,v=fs.value,p=fp.value,n=0;
    for(var i=0;i<rows.length;i++){
      var r=rows[i],ok=(!s||text[i].indexOf(s)>=0)&&(!k||r.getAttribute('data-kind')===k)&&(!v||r.getAttribute('data-sev')===v)&&(!p||r.getAttribute('data-presence')===p);
      r.className=ok?'':'hide';
      if(ok)n++;
    }
    shown.textContent=n===rows.length?('all '+n):(n+' of '+rows.length);
  }
  [q,fk,fs,fp].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
  var heads=table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads,function(th,col){
    th.addEventListener('click',function(){
      var asc=th.getAttribute('aria-sort')!=='ascending';
      Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      var num=th.getAttribute('data-type')==='num';
      var idx=rows.map(function(r,i){var c=r.cells[col];var key=c.getAttribute('data-sort');if(key===null)key=c.textContent;return {k:num?parseFloat(key)||0:key.toLowerCase(),i:i};});
      idx.sort(function(a,b){var d=a.k<b.k?-1:a.k>b.k?1:0;if(!asc)d=-d;return d||a.i-b.i;});
      var fr=document.createDocumentFragment();
      var nr=[],nt=[];
      idx.forEach(function(e){fr.appendChild(rows[e.i]);nr.push(rows[e.i]);nt.push(text[e.i]);});
      rows=nr;text=nt;
      body.appendChild(fr);
    });
  });
  var h=location.hash;
  if(h.indexOf('#q=')===0){try{q.value=decodeURIComponent(h.slice(3));}catch(e){}}
  apply();
  document.documentElement.setAttribute('data-script','ready');
})();
"#;

/// `'sha256-…'` of a block, for the Content-Security-Policy.
fn csp_hash(block: &str) -> String {
    let digest = Sha256::digest(block.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 5,
        Severity::High => 4,
        Severity::Medium => 3,
        Severity::Low => 2,
        Severity::Info => 1,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn sev_pill(s: Severity) -> String {
    let n = severity_name(s);
    format!(r#"<span class="pill sev-{n}">{n}</span>"#)
}

fn kind_pill(k: Kind) -> String {
    let n = kind_name(k);
    let label = match k {
        Kind::Secret => "secret",
        Kind::Internal => "internal marker",
    };
    format!(r#"<span class="pill k-{n}">{label}</span>"#)
}

/// A horizontal bar as a tiny inline SVG (no style attributes: the CSP forbids them).
fn hbar(value: usize, max: usize, width: u32, class: &str) -> String {
    let w = if max == 0 {
        0.0
    } else {
        (value as f64 / max as f64) * f64::from(width)
    };
    let w = if value > 0 { w.max(1.5) } else { 0.0 };
    format!(
        r#"<svg class="bar" width="{width}" height="10" aria-hidden="true"><rect class="{class}" width="{w:.1}" height="10" rx="2"/></svg>"#
    )
}

fn header(report: &Report<'_>, out: &mut String) {
    let _ = write!(
        out,
        r#"<header><h1>leakscan audit report</h1><p>leakscan {} · {}{} ({}) scanned in {:.2} s · secrets {}</p></header>"#,
        env!("CARGO_PKG_VERSION"),
        match report.part {
            Some(p) if report.per_repository() => format!(
                "{} · ",
                esc(&plural(p.repositories.len(), "repository", "repositories"))
            ),
            _ => String::new(),
        },
        plural(
            report.stats.files as usize,
            "file or blob",
            "files and blobs"
        ),
        esc(&super::text::human_bytes(report.stats.bytes)),
        report.elapsed.as_secs_f64(),
        if report.redact {
            "redacted"
        } else {
            "SHOWN IN FULL (--no-redact): handle this file as a secret"
        }
    );
}

fn cards(o: &Overview, out: &mut String) {
    let card = |out: &mut String, class: &str, n: usize, label: &str| {
        let _ = write!(
            out,
            r#"<div class="card {class}"><b>{n}</b><span>{}</span></div>"#,
            esc(label)
        );
    };
    out.push_str(r#"<section class="cards" aria-label="Totals">"#);
    card(
        out,
        if o.total > 0 { "bad" } else { "ok" },
        o.total,
        "findings",
    );
    card(out, "bad", o.secrets, "secrets");
    card(out, "int", o.internal, "internal markers");
    card(out, "", o.distinct, "distinct (rule, path, secret)");
    card(out, "", o.by_rule.len(), "rules fired");
    card(out, "", o.by_path.len(), "paths");
    card(out, "", o.by_author.len(), "commit authors");
    card(
        out,
        if o.not_scanned > 0 { "warn" } else { "ok" },
        o.not_scanned,
        "inputs not scanned",
    );
    out.push_str("</section>");
}

fn severity_and_rules(o: &Overview, out: &mut String) {
    out.push_str(r#"<div class="grid2"><section><h2>By severity and kind</h2><table><tbody>"#);
    let max = o.by_severity.iter().map(|s| s.1).max().unwrap_or(0);
    for (s, n) in &o.by_severity {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="n">{n}</td><td>{}</td></tr>"#,
            sev_pill(*s),
            hbar(*n, max, 260, "")
        );
    }
    let kmax = o.secrets.max(o.internal);
    for (k, class) in [(Kind::Secret, ""), (Kind::Internal, "i")] {
        let n = o.of_kind(k);
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="n">{n}</td><td>{}</td></tr>"#,
            kind_pill(k),
            hbar(n, kmax, 260, class)
        );
    }
    out.push_str("</tbody></table></section>");
    out.push_str(r#"<section><h2>By rule</h2><table><thead><tr><th>Rule</th><th>Severity</th><th class="n">Findings</th><th class="n">Distinct</th><th></th></tr></thead><tbody>"#);
    let max = o.by_rule.first().map_or(0, |r| r.findings);
    for r in o.by_rule.iter().take(TOP) {
        let _ = write!(
            out,
            r#"<tr><td><code title="{}">{}</code></td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            esc(&r.description),
            esc(&r.id),
            sev_pill(r.severity),
            r.findings,
            r.distinct,
            hbar(
                r.findings,
                max,
                140,
                if r.kind == Kind::Internal { "i" } else { "" }
            )
        );
    }
    out.push_str("</tbody></table>");
    if o.by_rule.len() > TOP {
        let rest = &o.by_rule[TOP..];
        let _ = write!(
            out,
            r#"<p class="note">… and {} more with {} (filter the table below).</p>"#,
            plural(rest.len(), "rule", "rules"),
            plural(rest.iter().map(|r| r.findings).sum(), "finding", "findings")
        );
    }
    out.push_str("</section></div>");
}

/// The timeline as an inline SVG bar chart: stacked bars of distinct secrets and internal
/// markers per period, by the date of the earliest commit holding them.
fn timeline_svg(t: &Timeline) -> String {
    const W: f64 = 1100.0;
    const H: f64 = 240.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 40.0;
    const TOP_PAD: f64 = 12.0;
    let n = t.buckets.len().max(1);
    let max = t
        .buckets
        .iter()
        .map(|b| b.secrets + b.internal)
        .max()
        .unwrap_or(0)
        .max(1);
    // A round axis maximum: 1, 2, 5 × 10^k.
    let mut top = 1usize;
    'outer: for mag in [1usize, 10, 100, 1_000, 10_000, 100_000, 1_000_000] {
        for m in [1, 2, 5] {
            if m * mag >= max {
                top = m * mag;
                break 'outer;
            }
        }
        top = 10 * mag;
    }
    let plot_w = W - LEFT - 8.0;
    let plot_h = H - BOTTOM - TOP_PAD;
    let slot = plot_w / n as f64;
    let bar = (slot * 0.72).max(1.0);
    let y = |v: usize| TOP_PAD + plot_h - (v as f64 / top as f64) * plot_h;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="Distinct findings by the date they entered the history">"#
    );
    for i in 0..=4 {
        let v = top * i / 4;
        let yy = y(v);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"#,
            W - 8.0,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    // Label every k-th bar so that labels (about 52 px wide) do not overlap.
    let every = ((58.0 / slot).ceil() as usize).max(1);
    for (i, b) in t.buckets.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let total = b.secrets + b.internal;
        if total > 0 {
            let title = esc(&format!(
                "{}: {} secret(s), {} internal marker(s) first seen",
                b.label, b.secrets, b.internal
            ));
            let ys = y(b.secrets);
            let _ = write!(
                s,
                r#"<g><title>{title}</title><rect class="s" x="{x:.1}" y="{ys:.1}" width="{bar:.1}" height="{:.1}"/>"#,
                (TOP_PAD + plot_h - ys).max(0.0)
            );
            if b.internal > 0 {
                let yi = y(total);
                let _ = write!(
                    s,
                    r#"<rect class="i" x="{x:.1}" y="{yi:.1}" width="{bar:.1}" height="{:.1}"/>"#,
                    (ys - yi).max(0.0)
                );
            }
            s.push_str("</g>");
        }
        if i % every == 0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                LEFT + slot * i as f64 + slot / 2.0,
                H - BOTTOM + 16.0,
                esc(&b.label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn timeline(o: &Overview, out: &mut String) {
    out.push_str("<section><h2>When they entered the history</h2>");
    match &o.timeline {
        Some(t) => {
            let per = match t.granularity {
                Granularity::Month => "month",
                Granularity::Quarter => "quarter",
                Granularity::Year => "year",
            };
            let _ = write!(
                out,
                r#"<p class="note">Distinct findings (rule, path, secret) per {per}, each counted once at the date of the earliest commit that holds it ({} to {}).</p>"#,
                esc(t.buckets.first().map_or("", |b| b.label.as_str())),
                esc(t.buckets.last().map_or("", |b| b.label.as_str()))
            );
            out.push_str(&timeline_svg(t));
            out.push_str(r#"<div class="legend"><span><i class="s"></i>secrets</span><span><i class="i"></i>internal markers</span></div>"#);
        }
        None => out.push_str(
            r#"<p class="note">No history findings: the scan found nothing in commits (or did not read a history).</p>"#,
        ),
    }
    out.push_str("</section>");
}

fn count_table(title: &str, first: &str, rows: &[CountRow], dates: bool, out: &mut String) {
    let _ = write!(
        out,
        r#"<section><h2>{}</h2><table><thead><tr><th>{}</th><th class="n">Secrets</th><th class="n">Internal</th>"#,
        esc(title),
        esc(first)
    );
    if dates {
        out.push_str("<th>First</th><th>Last</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows.iter().take(TOP) {
        let _ = write!(
            out,
            r#"<tr><td class="wrap"><code>{}</code></td><td class="n">{}</td><td class="n">{}</td>"#,
            esc(&r.name),
            r.secrets,
            r.internal
        );
        if dates {
            let _ = write!(
                out,
                r#"<td class="mono nowrap">{}</td><td class="mono nowrap">{}</td>"#,
                esc(r.first.as_deref().unwrap_or("")),
                esc(r.last.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if rows.is_empty() {
        out.push_str(r#"<p class="note">None.</p>"#);
    } else if rows.len() > TOP {
        let rest = &rows[TOP..];
        let _ = write!(
            out,
            r#"<p class="note">… and {} more with {}.</p>"#,
            rest.len(),
            plural(
                rest.iter().map(CountRow::total).sum(),
                "finding",
                "findings"
            )
        );
    }
    out.push_str("</section>");
}

fn presence(o: &Overview, out: &mut String) {
    out.push_str(r#"<section><h2>On disk now, or in the history</h2><div class="presence">"#);
    let explain = |p: Presence| {
        match p {
        Presence::WorkingTree => "found in files on disk: uncommitted changes of the working tree, or the folders and files scanned",
        Presence::HistoryAndTree => "found in commits, and the same secret is still on disk at that path (an uncommitted file holds it too)",
        Presence::AtTip => "found in commits, and the tip of a branch (or HEAD) still holds it at that path: remove it there, rotate it, and purge it from history",
        Presence::History => "found in commits, dated by the commit that introduced it; removing it from the files does not remove it from the history",
    }
    };
    for ((p, distinct), (_, n)) in o.distinct_by_presence.iter().zip(&o.by_presence) {
        let _ = write!(
            out,
            r#"<div><b>{distinct}</b>{} <span class="muted">({})</span><p class="note">{}</p></div>"#,
            esc(p.label()),
            plural(*n, "finding", "findings"),
            esc(explain(*p))
        );
    }
    out.push_str("</div>");
    out.push_str(r#"<p class="note">Counts are distinct findings (rule, path, secret). A secret that ever reached a commit must be rotated: whoever has a clone has it.</p></section>"#);
}

fn skips_and_notes(report: &Report<'_>, out: &mut String) {
    let missed: Vec<_> = report.skips.iter().filter(|s| !s.allowed).collect();
    if missed.is_empty() && report.notes.is_empty() {
        return;
    }
    out.push_str("<section>");
    if !missed.is_empty() {
        let _ = write!(
            out,
            r#"<h2>Not scanned ({})</h2><table><thead><tr><th>Input</th><th>Reason</th><th>Detail</th></tr></thead><tbody>"#,
            missed.len()
        );
        for s in &missed {
            let _ = write!(
                out,
                r#"<tr><td class="wrap"><code>{}</code></td><td>{}</td><td>{}</td></tr>"#,
                esc(&s.path),
                esc(&s.reason.to_string()),
                esc(&s.detail)
            );
        }
        out.push_str("</tbody></table>");
    }
    if !report.notes.is_empty() {
        out.push_str("<h3>Notes</h3><ul>");
        for n in report.notes {
            let _ = write!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn location(f: &Finding) -> String {
    let path = f.origin.display_path();
    if f.binary {
        format!("{path}@{}", f.offset)
    } else {
        format!("{path}:{}:{}", f.line, f.column)
    }
}

fn finding_row(report: &Report<'_>, index: &PresenceIndex<'_>, f: &Finding, out: &mut String) {
    let p = index.presence(f);
    let _ = write!(
        out,
        r#"<tr data-kind="{}" data-sev="{}" data-presence="{}"><td data-sort="{}">{}</td><td class="nowrap"><code title="{}">{}</code></td><td>{}</td><td class="wrap">{}<code>{}</code></td>"#,
        kind_name(f.kind),
        severity_name(f.severity),
        esc(p.label()),
        severity_rank(f.severity),
        sev_pill(f.severity),
        esc(&f.description),
        esc(&f.rule_id),
        esc(p.label()),
        f.repository.as_ref().map_or(String::new(), |r| format!(
            r#"<span class="muted" title="repository">{}</span><br>"#,
            esc(r)
        )),
        esc(&location(f)),
    );
    let secret = report.secret_text(f).unwrap_or_default();
    // A redacted match is short: kept on one line. A full secret may be long: wrapped.
    let _ = write!(
        out,
        r#"<td class="{}"><code>{}</code>"#,
        if report.redact { "nowrap" } else { "wrap" },
        esc(&secret)
    );
    if let Some(v) = &f.validation {
        // The provider's verdict (`--validate`) and the identity it returned.
        let status = v.status.as_str();
        let _ = write!(
            out,
            r#"<br><span class="pill val-{}" title="{}">{}</span>"#,
            esc(status),
            esc(&v.describe()),
            esc(status)
        );
        if !v.identity.is_empty() {
            let ids: Vec<String> = v
                .identity
                .iter()
                .map(|(k, x)| format!("{k}: {x}"))
                .collect();
            let _ = write!(
                out,
                r#" <span class="muted">{}</span>"#,
                esc(&ids.join(", "))
            );
        }
    }
    let _ = write!(
        out,
        r#"</td><td class="wrap snip"><code>{}</code></td>"#,
        esc(&f.snippet)
    );
    match f.origin.commit() {
        Some(c) => {
            let _ = write!(
                out,
                r#"<td class="nowrap" data-sort="{}"><code title="{}">{}</code> <span class="mono">{}</span><br><span class="muted" title="{}">{}</span></td>"#,
                esc(&c.date),
                esc(&format!("{} — {}", c.id, c.summary)),
                esc(&c.id[..c.id.len().min(10)]),
                esc(super::overview::day(&c.date).unwrap_or("")),
                esc(&c.author_email),
                esc(&c.author_name)
            );
        }
        None => out.push_str(r#"<td data-sort=""></td>"#),
    }
    let _ = write!(out, r#"<td><code>{}</code></td></tr>"#, esc(&f.fingerprint));
}

const TABLE_HEAD: &str = r#"<thead><tr><th data-type="num">Severity</th><th>Rule</th><th>Where</th><th>Location</th><th>Match</th><th>Line</th><th>Commit</th><th>Fingerprint</th></tr></thead>"#;

fn findings(report: &Report<'_>, o: &Overview, out: &mut String) {
    let index = PresenceIndex::new(report.findings);
    let _ = write!(
        out,
        r#"<section><h2>Findings ({})</h2><div class="filters"><input id="q" type="search" placeholder="Filter: rule, path, author, commit, fingerprint…" aria-label="Filter findings"><select id="fk" aria-label="Kind"><option value="">every kind</option><option value="secret">secrets</option><option value="internal">internal markers</option></select><select id="fs" aria-label="Severity"><option value="">every severity</option>"#,
        o.total
    );
    for (s, n) in &o.by_severity {
        if *n > 0 {
            let name = severity_name(*s);
            let _ = write!(out, r#"<option value="{name}">{name} ({n})</option>"#);
        }
    }
    out.push_str(
        r#"</select><select id="fp" aria-label="Where"><option value="">anywhere</option>"#,
    );
    for (p, n) in &o.by_presence {
        if *n > 0 {
            let _ = write!(
                out,
                r#"<option value="{0}">{0} ({n})</option>"#,
                esc(p.label())
            );
        }
    }
    let _ = write!(
        out,
        r#"</select><span class="muted">showing <span id="shown">all {}</span> · click a column to sort</span></div>"#,
        o.total
    );
    let _ = write!(out, r#"<table id="findings">{TABLE_HEAD}<tbody>"#);
    for f in report.findings {
        finding_row(report, &index, f, out);
    }
    out.push_str("</tbody></table>");
    if report.findings.is_empty() {
        out.push_str(r#"<p class="note">No findings.</p>"#);
    }
    out.push_str("</section>");
    if !report.dropped.is_empty() {
        let _ = write!(
            out,
            r#"<section><h2>Dropped by filters (--explain): {}</h2><table>{TABLE_HEAD}<tbody>"#,
            report.dropped.len()
        );
        let dindex = PresenceIndex::new(report.dropped);
        for f in report.dropped {
            finding_row(report, &dindex, f, out);
        }
        out.push_str("</tbody></table></section>");
    }
}

/// Renders the whole document.
pub fn render(report: &Report<'_>) -> String {
    let o = Overview::new(report);
    let mut body = String::with_capacity(4096 + report.findings.len() * 900);
    header(report, &mut body);
    body.push_str("<main>");
    cards(&o, &mut body);
    severity_and_rules(&o, &mut body);
    timeline(&o, &mut body);
    body.push_str(r#"<div class="grid2">"#);
    count_table("Paths", "Path", &o.by_path, true, &mut body);
    count_table("Commit authors", "Author", &o.by_author, true, &mut body);
    body.push_str("</div>");
    presence(&o, &mut body);
    skips_and_notes(report, &mut body);
    findings(report, &o, &mut body);
    body.push_str("</main>");
    let _ = write!(
        body,
        r#"<footer>Generated by leakscan {}. Fingerprints are leakscan/v1 (rule, path, SHA-256 of the secret); list one in .leakscanignore to accept a finding. This file loads nothing from the network.</footer>"#,
        env!("CARGO_PKG_VERSION")
    );
    let csp = format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(SCRIPT)
    );
    let mut doc = String::with_capacity(body.len() + CSS.len() + SCRIPT.len() + 512);
    let _ = write!(
        doc,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>leakscan audit report: {}</title>\n<style>{CSS}</style>\n</head><body>\n{body}\n<script>{SCRIPT}</script>\n</body></html>\n",
        esc(&plural(o.total, "finding", "findings"))
    );
    doc
}

impl Reporter for Html {
    fn write(&self, report: &Report<'_>, w: &mut dyn Write) -> io::Result<()> {
        w.write_all(render(report).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::{csp_hash, esc};

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("a\u{0}b\tc"), "a\u{FFFD}b\tc");
    }

    #[test]
    fn csp_hash_is_base64_sha256() {
        // SHA-256 of the empty string.
        assert_eq!(
            csp_hash(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }
}
