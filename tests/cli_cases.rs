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
