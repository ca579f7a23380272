//! Help pages and the main error messages, pinned as trycmd cases (`tests/cmd/*.toml`, each
//! with its `.stdout`/`.stderr`; a `.in` folder is the working directory). A deliberate change
//! is recorded with `TRYCMD=overwrite cargo test --locked cli_cases`, and shows in review.

use crate::util::program;

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("leakscan", program())
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}

/// docs/leakscan.1, which release archives ship (dist-workspace.toml `include`), is what
/// `leakscan man` prints: regenerate it with `leakscan man > docs/leakscan.1`.
#[test]
fn man_page_in_docs_is_current() {
    let dir = crate::util::Dir::new();
    let run = dir.run(&["man"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let committed = std::fs::read_to_string(crate::util::repo_root().join("docs/leakscan.1"))
        .expect("docs/leakscan.1");
    assert!(
        run.stdout() == committed,
        "docs/leakscan.1 is out of date: run `leakscan man > docs/leakscan.1`"
    );
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
        "Exit status",
    ] {
        assert!(committed.contains(section), "{section}");
    }
}

/// Completion scripts name the subcommands and options, for each shell.
#[test]
fn completions_for_each_shell() {
    let dir = crate::util::Dir::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef leakscan"),
        ("fish", "complete -c leakscan"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion"),
    ] {
        let run = dir.run(&["completions", shell]);
        assert_eq!(run.code(), 0, "{shell}: {}", run.stderr());
        let out = run.stdout();
        assert!(out.contains(marker), "{shell}");
        assert!(
            out.contains("only-rule") && out.contains("baseline"),
            "{shell}"
        );
    }
    let bad = dir.run(&["completions", "tcsh"]);
    assert_eq!(bad.code(), 2);
}
