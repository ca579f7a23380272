//! `leakscan hook pre-push` and `leakscan hook install`.
//!
//! The pre-push check runs where git runs hooks (the work-tree root, or the git dir of a bare
//! repository), scans the blobs introduced by the commits that the remote does not have, and
//! exits non-zero on findings, which makes git abort the whole push.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::cli::{
    Format, HookCommand, HookFormat, InstallArgs, KindArg, PrePushArgs, ScanArgs, UninstallArgs,
};
use crate::error::{Error, ExitStatus};
use crate::hook::{self, Existing, HookKind, Installed, Uninstalled};
use crate::settings::Settings;
use crate::source::git::{hooks::hooks_dir, PushUpdate, Repo};

/// Runs a `hook` subcommand.
pub fn run(cmd: HookCommand) -> Result<u8, Error> {
    match cmd {
        HookCommand::PrePush(args) => pre_push(&args),
        HookCommand::Install(args) => install(&args),
        HookCommand::Uninstall(args) => uninstall(&args),
    }
}

/// Scan options for a hook: `scan`'s defaults (`ScanArgs::default`), the current folder, no
/// progress, no history walk of its own, and `LEAKSCAN_FAIL_ON` as `scan` reads it.
fn hook_settings(args: &PrePushArgs) -> Result<Settings, Error> {
    let mut scan = ScanArgs {
        paths: vec![PathBuf::from(".")],
        no_progress: true,
        format: match args.format {
            HookFormat::Json => Format::Json,
            HookFormat::Text => Format::Text,
        },
        config: args.config.clone(),
        no_redact: args.no_redact,
        baseline: args.baseline.clone(),
        ..ScanArgs::default()
    };
    scan.git.no_history = true;
    scan.git.all_new = args.all_new;
    if let Some(list) = std::env::var_os("LEAKSCAN_FAIL_ON") {
        let list = list.to_string_lossy();
        scan.fail_on = KindArg::parse_list(&list)
            .map_err(|e| Error::Usage(format!("LEAKSCAN_FAIL_ON={list}: {e}")))?;
    }
    Settings::from_args(&scan)
}

fn pre_push(args: &PrePushArgs) -> Result<u8, Error> {
    let settings = hook_settings(args)?;
    let repo = Repo::open(Path::new("."))?;
    let updates = if args.from_env {
        from_env(&repo)?
    } else {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .map_err(|e| Error::Io {
                path: PathBuf::from("-"),
                source: e,
            })?;
        hook::parse_pre_push(&input)?
    };
    let pushed = repo.pushed(args.remote.as_deref(), &updates);
    if pushed.commit_count == 0 && pushed.blob_count() == 0 && pushed.skips.is_empty() {
        return Ok(ExitStatus::Clean.code());
    }
    let code = super::scan::run_with(settings, move |s, scanner, _notes| {
        Ok(crate::drive::history::scan_history(
            s, scanner, &repo, &pushed,
        ))
    })?;
    if code != ExitStatus::Clean.code() {
        eprintln!(
            "leakscan: push blocked: the commits being pushed hold what is reported above. Rewrite them (git rebase -i, git commit --amend) so the secret never leaves, rotate it if it already has, or push with --no-verify to override."
        );
    }
    Ok(code)
}

/// The update described by the pre-commit framework's environment.
fn from_env(repo: &Repo) -> Result<Vec<PushUpdate>, Error> {
    let from = std::env::var("PRE_COMMIT_FROM_REF").ok();
    let to = std::env::var("PRE_COMMIT_TO_REF").ok();
    let resolve = |spec: &str| repo.rev_hex(spec).map_err(|e| Error::Usage(e.to_string()));
    let zeros = "0".repeat(40);
    let (local, remote) = match hook::pre_commit_update(from.as_deref(), to.as_deref()) {
        Some((to, from)) => (
            resolve(&to)?,
            from.as_deref().map(resolve).transpose()?.unwrap_or(zeros),
        ),
        // No range: what HEAD holds that no remote-tracking ref has.
        None => (resolve("HEAD")?, zeros),
    };
    Ok(vec![PushUpdate {
        local_ref: "HEAD".into(),
        local_oid: local,
        remote_ref: std::env::var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default(),
        remote_oid: remote,
    }])
}

fn install(args: &InstallArgs) -> Result<u8, Error> {
    let dir = hooks_dir(Path::new("."))?;
    let existing = if args.chain {
        Existing::Chain
    } else if args.force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    let mut kinds = vec![HookKind::PrePush];
    if args.pre_commit {
        kinds.push(HookKind::PreCommit);
    }
    for kind in kinds {
        match hook::install(&dir, kind, existing)? {
            Installed::New(p) => println!("installed {}", p.display()),
            Installed::Updated(p) => println!("updated {}", p.display()),
            Installed::Replaced(p, backup) => println!(
                "installed {} (the previous hook is kept as {}; `leakscan hook uninstall` puts it back)",
                p.display(),
                backup.display()
            ),
            Installed::Chained(p, chained) => println!(
                "installed {} (the previous hook, now {}, runs first)",
                p.display(),
                chained.display()
            ),
        }
    }
    // The hook runs the leakscan it finds when git runs it: say so when there is none.
    if find_on_path("leakscan").is_none() {
        eprintln!(
            "warning: leakscan is not on PATH, so the hook will stop every {} until it is: put it there (cargo install --locked leakscan, or a release binary), or set LEAKSCAN=/path/to/leakscan",
            if args.pre_commit { "push and commit" } else { "push" }
        );
    }
    Ok(ExitStatus::Clean.code())
}

fn uninstall(_args: &UninstallArgs) -> Result<u8, Error> {
    let dir = hooks_dir(Path::new("."))?;
    for kind in HookKind::ALL {
        match hook::uninstall(&dir, kind)? {
            Uninstalled::Absent => {}
            Uninstalled::NotOurs(p) => {
                println!("left {} as it is: leakscan did not write it", p.display())
            }
            Uninstalled::Removed(p) => println!("removed {}", p.display()),
            Uninstalled::Restored(p, from) => println!(
                "removed leakscan's hook and put back {} (from {})",
                p.display(),
                from.display()
            ),
        }
    }
    Ok(ExitStatus::Clean.code())
}

/// The first executable `name` in `PATH` (with Windows' extensions there).
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let names: Vec<String> = if cfg!(windows) {
        vec![format!("{name}.exe"), name.to_string()]
    } else {
        vec![name.to_string()]
    };
    std::env::split_paths(&path)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}
