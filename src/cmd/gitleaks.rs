//! gitleaks' commands (`detect`, `git`, `dir`, `protect`, `stdin`) turned into the `leakscan
//! scan` they mean, so that a CI line or hook written for gitleaks works with `gitleaks`
//! replaced by `leakscan`. The README's "Switching from gitleaks" table lists each mapping, and
//! tests/gitleaks_cli.rs runs each line of it against the native command.

use std::path::{Path, PathBuf};

use crate::cli::{
    DetectArgs, DirArgs, Format, GitCompatArgs, GitleaksArgs, ProtectArgs, RuleSelectArgs,
    ScanArgs, StdinArgs,
};
use crate::error::Error;

/// gitleaks' report format for a report path without `--report-format`: by extension, else
/// JSON (gitleaks' default).
pub fn format_for(path: &Path) -> Format {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("sarif") => Format::Sarif,
        Some("xml") => Format::Junit,
        Some("csv") => Format::Csv,
        _ => Format::Json,
    }
}

/// The scan options gitleaks' common flags describe, for `paths`.
fn common(c: &GitleaksArgs, paths: Vec<PathBuf>) -> ScanArgs {
    let to_stdout = c
        .report_path
        .as_deref()
        .is_some_and(|p| p.as_os_str() == "-");
    let format = match (c.report_format, &c.report_path) {
        (Some(f), _) => f,
        (None, Some(p)) if !to_stdout => format_for(p),
        _ => Format::Text,
    };
    ScanArgs {
        paths,
        format,
        output: c.report_path.clone().filter(|_| !to_stdout),
        no_redact: c.no_redact,
        exit_code: c.exit_code,
        config: c.config.clone(),
        artifacts: crate::cli::ArtifactArgs {
            max_archive_depth: c.max_archive_depth,
            max_decode_depth: c.max_decode_depth,
            ..Default::default()
        },
        baseline: c.baseline_path.clone(),
        gitleaks_ignore_path: c.gitleaks_ignore_path.clone(),
        ignore_gitleaks_allow: c.ignore_gitleaks_allow,
        // gitleaks' --enable-rule runs only the rules named.
        select: RuleSelectArgs {
            only_rule: c.enable_rule.clone(),
            ..RuleSelectArgs::default()
        },
        compat: c.compat.clone(),
        ..ScanArgs::default()
    }
}

/// `detect [--source P] [--no-git] [--pipe] [--log-opts ..]`: history, files, or standard input.
pub fn detect(a: &DetectArgs) -> Result<ScanArgs, Error> {
    let paths = if a.pipe {
        vec![PathBuf::from("-")]
    } else {
        vec![a.source.clone()]
    };
    let mut s = common(&a.common, paths);
    if a.no_git {
        if a.log_opts.is_some() {
            return Err(Error::Usage(
                "--log-opts has no effect with --no-git (gitleaks ignores it; leakscan says so)"
                    .into(),
            ));
        }
        s.git.no_history = true;
    } else if !a.pipe {
        s.git.no_worktree = true;
        s.log_opts = a.log_opts.clone();
    }
    Ok(s)
}

/// `git [REPO] [--staged] [--pre-commit] [--log-opts ..]`.
pub fn git(a: &GitCompatArgs) -> Result<ScanArgs, Error> {
    let repo = a.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut s = common(&a.common, vec![repo]);
    if a.staged {
        s.git.staged = true;
    } else if a.pre_commit {
        // gitleaks diffs the working tree against the index; leakscan scans the working
        // tree's files, a superset.
        s.git.no_history = true;
    } else {
        s.git.no_worktree = true;
        s.log_opts = a.log_opts.clone();
    }
    Ok(s)
}

/// `dir [PATH]`: files and folders, no history.
pub fn dir(a: &DirArgs) -> Result<ScanArgs, Error> {
    let path = a.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut s = common(&a.common, vec![path]);
    s.git.no_history = true;
    Ok(s)
}

/// `protect [--staged] [--source P]`: the uncommitted changes.
pub fn protect(a: &ProtectArgs) -> Result<ScanArgs, Error> {
    let mut s = common(&a.common, vec![a.source.clone()]);
    if a.staged {
        s.git.staged = true;
    } else {
        s.git.no_history = true;
    }
    Ok(s)
}

/// `stdin`: standard input.
pub fn stdin(a: &StdinArgs) -> Result<ScanArgs, Error> {
    Ok(common(&a.common, vec![PathBuf::from("-")]))
}

#[cfg(test)]
mod tests {
    use super::format_for;
    use crate::cli::Format;
    use std::path::Path;

    #[test]
    fn report_format_follows_the_extension() {
        assert_eq!(format_for(Path::new("r.sarif")), Format::Sarif);
        assert_eq!(format_for(Path::new("r.XML")), Format::Junit);
        assert_eq!(format_for(Path::new("r.json")), Format::Json);
        assert_eq!(format_for(Path::new("report")), Format::Json);
    }
}
