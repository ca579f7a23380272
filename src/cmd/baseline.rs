//! `leakscan baseline create`: scan like `leakscan scan` and record every finding in a baseline
//! file (see `crate::baseline` for the format), so that later scans report only new leaks.
#![allow(clippy::print_stderr)]

use crate::baseline::Baseline;
use crate::cli::{BaselineArgs, BaselineCommand};
use crate::cmd::scan;
use crate::error::{Error, ExitStatus};

/// Runs a `baseline` subcommand and returns the exit code.
pub fn run(cmd: BaselineCommand) -> Result<u8, Error> {
    match cmd {
        BaselineCommand::Create(args) => create(&args.to_scan_args()),
        BaselineCommand::Import(args) => import(&args),
    }
}

/// Scans with the `.gitleaksignore` entries applied and records the findings they list.
fn import(args: &BaselineArgs) -> Result<u8, Error> {
    let path = args.output.clone();
    let mut scan_args = args.to_scan_args();
    scan_args.explain = true;
    scan_args.output = None;
    let s = scan::collect(&scan_args)?;
    if s.settings.gitleaks_ignore.is_empty() {
        return Err(Error::Usage(format!(
            "no {} at the scan root or in the current folder (name one with --gitleaks-ignore-path)",
            crate::gitleaksignore::FILE_NAME
        )));
    }
    let mut b = Baseline::new();
    let listed: Vec<_> = s
        .out
        .dropped
        .iter()
        .filter(|f| f.dropped.as_deref() == Some(crate::gitleaksignore::DROPPED))
        .collect();
    for f in &listed {
        b.insert(b.entry_for(f));
    }
    b.write(&path)?;
    if !args.quiet {
        let u = s.gitleaks_ignore.usage();
        eprintln!(
            "leakscan: {} of {} entries in {} matched {} finding(s), recorded in {} ({} baseline entries)",
            u.applied,
            u.entries,
            s.settings.gitleaks_ignore.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
            listed.len(),
            path.display(),
            b.len()
        );
        if let Some(w) = u.warning() {
            eprintln!("leakscan: warning: {w}; they are not carried over");
        }
    }
    Ok(ExitStatus::Clean.code())
}

/// Scans, writes the baseline, says how many entries it holds. Exits 3 when something could not
/// be scanned (the baseline is written, but may miss findings), else 0.
fn create(args: &crate::cli::ScanArgs) -> Result<u8, Error> {
    let Some(path) = args.output.clone() else {
        return Err(Error::Usage(
            "baseline create needs the file to write: -o FILE".into(),
        ));
    };
    let mut s = scan::collect(args)?;
    // Fingerprints in .leakscanignore stay out; an older baseline given with --baseline does
    // not: the new file records everything found today.
    scan::suppress(&mut s, false)?;
    let mut b = Baseline::new();
    for f in &s.out.findings {
        b.insert(b.entry_for(f));
        // The same secret at the other paths of a history finding (copies of the file).
        let copies = f.origin.members().is_empty() && f.secret.is_some();
        for other in f
            .spread
            .iter()
            .filter(|_| copies)
            .flat_map(|s| s.also_at.iter())
        {
            let mut e = b.entry_for(f);
            e.path = other.clone();
            b.insert(e);
        }
    }
    b.write(&path)?;
    let incomplete = s.out.skips.iter().any(|k| !k.allowed);
    if !args.quiet {
        eprintln!(
            "leakscan: {} finding(s) recorded in {} ({} entries)",
            s.out.findings.len(),
            path.display(),
            b.len()
        );
        for n in &s.notes {
            eprintln!("note: {n}");
        }
        if incomplete {
            eprintln!("leakscan: some inputs could not be scanned; the baseline may miss their findings (leakscan scan lists them)");
        }
    }
    Ok(if incomplete {
        ExitStatus::Incomplete.code()
    } else {
        ExitStatus::Clean.code()
    })
}
