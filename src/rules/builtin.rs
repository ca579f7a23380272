//! The built-in pack: one `include_str!` per `rules/*.toml`, listed explicitly so that an edited
//! or added file always rebuilds the binary (a directory include can miss new files).

/// `(name, TOML text)` of every file of the built-in pack, in load order.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/bootstrap.toml",
        include_str!("../../rules/bootstrap.toml"),
    ),
    (
        "rules/internal.toml",
        include_str!("../../rules/internal.toml"),
    ),
];
