//! Shipping leakscan: the Action's install step (scripts/action/install.sh) against a web server
//! on 127.0.0.1 serving fake release assets, the pins a release names (README, pre-commit
//! hooks, dist's targets), and the repository's own configuration for its self-scan.
#![allow(clippy::print_stderr)] // tests say why they skip

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::action::tools_present;
use crate::util::{program, repo_root, Dir};

/// A web server on 127.0.0.1 serving fixed files (a fake GitHub release) and recording the
/// paths asked for. It lives as long as the test process.
struct Server {
    url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn serve(files: BTreeMap<String, Vec<u8>>) -> Server {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(match stream.try_clone() {
                Ok(s) => s,
                Err(_) => continue,
            });
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Skip the headers.
            let mut h = String::new();
            while reader.read_line(&mut h).map(|n| n > 2).unwrap_or(false) {
                h.clear();
            }
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            if let Ok(mut s) = seen.lock() {
                s.push(path.clone());
            }
            let (status, body) = match files.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"Not Found".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    Server { url, requests }
}

/// A release archive as the release workflow makes it: `leakscan-<target>/leakscan` in a
/// .tar.gz; the "binary" is a script that says its version.
fn release_archive(target: &str, version: &str) -> Vec<u8> {
    let script = format!("#!/bin/sh\necho \"leakscan {version}\"\n");
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(script.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    tar.append_data(
        &mut header,
        format!("leakscan-{target}/leakscan"),
        script.as_bytes(),
    )
    .expect("tar");
    let tar = tar.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar).expect("gzip");
    gz.finish().expect("gzip")
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

struct Install {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
    path_file: String,
    dir: Dir,
}

/// Runs scripts/action/install.sh (`plan` or the install) as the action does, with the action's
/// own source as GITHUB_ACTION_PATH and the releases served from `server`.
fn install(server: &str, plan: bool, env: &[(&str, &str)]) -> Install {
    let dir = Dir::new();
    let output = dir.write("github_output", "");
    let path_file = dir.write("github_path", "");
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts/action/install.sh"));
    if plan {
        cmd.arg("plan");
    }
    cmd.env("GITHUB_ACTION_PATH", repo_root())
        .env("GITHUB_SERVER_URL", server)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_PATH", &path_file)
        .env("RUNNER_TEMP", dir.path())
        .env("LEAKSCAN_INSTALL_DIR", dir.path().join("install"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("ACTION_REPOSITORY", "acme/leakscan")
        .env_remove("ACTION_REF")
        .env_remove("LEAKSCAN_VERSION")
        // No proxy may turn 127.0.0.1 into a request that leaves the machine.
        .env("NO_PROXY", "*")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("install.sh");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    Install {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs: read(&output)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        path_file: read(&path_file),
        dir,
    }
}

fn curl_present() -> bool {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("skipped: curl is not installed (GitHub runners have it)");
        return false;
    }
    tools_present()
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[test]
fn install_downloads_the_release_of_the_actions_tag_and_verifies_it() {
    if !curl_present() {
        return;
    }
    let mut files = BTreeMap::new();
    let mut add = |target: &str, tamper: bool| {
        let archive = release_archive(target, VERSION);
        let name = format!("leakscan-{target}.tar.gz");
        let mut sum = sha256_hex(&archive);
        if tamper {
            // The checksum of other bytes: what a swapped or corrupted download looks like.
            sum = sha256_hex(b"something else");
        }
        let base = format!("/acme/leakscan/releases/download/v{VERSION}/{name}");
        files.insert(
            format!("{base}.sha256"),
            format!("{sum} *{name}\n").into_bytes(),
        );
        files.insert(base, archive);
    };
    add("x86_64-unknown-linux-musl", false);
    add("aarch64-unknown-linux-musl", true);
    // Windows: a .zip holding leakscan.exe (here a script, so that it runs on this machine).
    let exe = format!("#!/bin/sh\necho \"leakscan {VERSION}\"\n");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "leakscan-x86_64-pc-windows-msvc/leakscan.exe",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("zip");
    std::io::Write::write_all(&mut zip, exe.as_bytes()).expect("zip");
    let zip = zip.finish().expect("zip").into_inner();
    let name = "leakscan-x86_64-pc-windows-msvc.zip";
    let base = format!("/acme/leakscan/releases/download/v{VERSION}/{name}");
    files.insert(
        format!("{base}.sha256"),
        format!("{} *{name}\n", sha256_hex(&zip)).into_bytes(),
    );
    files.insert(base, zip);
    let server = serve(files);
    let tag = format!("v{VERSION}");

    // The action's own release tag: the matching archive, checksum verified, on PATH.
    let i = install(&server.url, false, &[("ACTION_REF", &tag)]);
    assert_eq!(i.code, 0, "{}{}", i.stdout, i.stderr);
    assert!(i.stderr.contains("checksum verified"), "{}", i.stderr);
    assert!(
        i.stdout.contains(&format!(
            "installed leakscan {VERSION} from leakscan-x86_64-unknown-linux-musl.tar.gz"
        )),
        "{}",
        i.stdout
    );
    let bin = i.dir.path().join("install/bin/leakscan");
    assert!(bin.is_file());
    assert_eq!(
        i.path_file.trim(),
        i.dir.path().join("install/bin").display().to_string()
    );
    let asked = server
        .requests
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    assert!(
        asked.contains(&format!(
            "/acme/leakscan/releases/download/v{VERSION}/leakscan-x86_64-unknown-linux-musl.tar.gz"
        )),
        "{asked:?}"
    );

    // A wrong checksum: the job stops and nothing is installed or put on PATH.
    let i = install(
        &server.url,
        false,
        &[("ACTION_REF", &tag), ("RUNNER_ARCH", "ARM64")],
    );
    assert_eq!(i.code, 2, "{}{}", i.stdout, i.stderr);
    assert!(
        i.stderr.contains("::error title=leakscan::checksum mismatch for leakscan-aarch64-unknown-linux-musl.tar.gz")
            && i.stderr.contains("nothing was installed"),
        "{}",
        i.stderr
    );
    assert!(!i.dir.path().join("install/bin/leakscan").exists());
    assert!(i.path_file.is_empty(), "{}", i.path_file);

    // Windows runners get the .zip (unpacked with unzip, or 7z).
    if Command::new("unzip").arg("-v").output().is_ok() {
        let i = install(
            &server.url,
            false,
            &[("ACTION_REF", &tag), ("RUNNER_OS", "Windows")],
        );
        assert_eq!(i.code, 0, "{}{}", i.stdout, i.stderr);
        assert!(i.dir.path().join("install/bin/leakscan.exe").is_file());
        assert!(
            i.stdout
                .contains("from leakscan-x86_64-pc-windows-msvc.zip"),
            "{}",
            i.stdout
        );
    } else {
        eprintln!("skipped the Windows archive: unzip is not installed");
    }

    // A release that does not exist (or has no binary for this runner): a clear error.
    let i = install(&server.url, false, &[("LEAKSCAN_VERSION", "9.9.9")]);
    assert_eq!(i.code, 2);
    assert!(
        i.stderr.contains("could not download") && i.stderr.contains("v9.9.9"),
        "{}",
        i.stderr
    );
    let i = install(
        &server.url,
        false,
        &[("ACTION_REF", &tag), ("RUNNER_OS", "FreeBSD")],
    );
    assert_eq!(i.code, 2);
    assert!(
        i.stderr
            .contains("no leakscan release binary for FreeBSD/X64"),
        "{}",
        i.stderr
    );

    // The `version` input picks the release whatever the ref.
    let i = install(
        &server.url,
        false,
        &[("ACTION_REF", "main"), ("LEAKSCAN_VERSION", &tag)],
    );
    assert_eq!(i.code, 0, "{}", i.stderr);

    // verify-attestation: `gh attestation verify` on the archive, before it is unpacked.
    let gh = Dir::new();
    let stub = gh.write(
        "gh",
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$GH_ARGS\"\nexit \"${GH_EXIT:-0}\"\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!(
        "{}:{}",
        gh.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let args_file = gh.path().join("args");
    let args = args_file.to_str().unwrap_or_default();
    let env = [
        ("ACTION_REF", tag.as_str()),
        ("VERIFY_ATTESTATION", "true"),
        ("PATH", path.as_str()),
        ("GH_ARGS", args),
    ];
    let i = install(&server.url, false, &env);
    assert_eq!(i.code, 0, "{}", i.stderr);
    let called: Vec<String> = std::fs::read_to_string(&args_file)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(called.len(), 5, "{called:?}");
    assert_eq!(&called[..2], ["attestation", "verify"]);
    assert!(
        called[2].ends_with("/leakscan-x86_64-unknown-linux-musl.tar.gz"),
        "{called:?}"
    );
    assert_eq!(&called[3..], ["--repo", "acme/leakscan"]);
    assert!(
        i.stderr.contains("build provenance verified"),
        "{}",
        i.stderr
    );
    let mut env = env.to_vec();
    env.push(("GH_EXIT", "1"));
    let i = install(&server.url, false, &env);
    assert_eq!(i.code, 2, "{}", i.stderr);
    assert!(
        i.stderr.contains("could not be verified") && i.stderr.contains("nothing was installed"),
        "{}",
        i.stderr
    );
    assert!(!i.dir.path().join("install/bin/leakscan").exists());
}

#[test]
fn install_plans_a_release_for_tags_and_a_build_for_other_refs() {
    if !curl_present() {
        return;
    }
    let plan = |env: &[(&str, &str)]| {
        let i = install("http://127.0.0.1:9", true, env);
        (i.code, i.outputs, i.stderr)
    };
    let major = VERSION.split('.').next().unwrap_or("0").to_string();
    let minor = VERSION
        .rsplit_once('.')
        .map(|(a, _)| a.to_string())
        .unwrap_or_default();
    for tag in [
        format!("v{VERSION}"),
        format!("v{major}"),
        format!("v{minor}"),
    ] {
        let (code, out, err) = plan(&[("ACTION_REF", &tag)]);
        assert_eq!(code, 0, "{tag}: {err}");
        assert_eq!(
            out.get("mode").map(String::as_str),
            Some("release"),
            "{tag}"
        );
        assert_eq!(
            out.get("version").map(String::as_str),
            Some(VERSION),
            "{tag}"
        );
        assert!(
            !out.contains_key("hash"),
            "{tag}: no build cache for a release"
        );
    }
    // A branch, a commit id, a local `uses: ./` (no ref): built from the action's source, with
    // the source hash as the build cache's key.
    for r in ["main", "0123456789abcdef0123456789abcdef01234567", ""] {
        let (code, out, err) = plan(&[("ACTION_REF", r)]);
        assert_eq!(code, 0, "{r}: {err}");
        assert_eq!(out.get("mode").map(String::as_str), Some("source"), "{r}");
        assert_eq!(out.get("hash").map(String::len), Some(32), "{r}: {out:?}");
    }
    // A moving tag whose source is another series, and a version that is not one: errors.
    let (code, _, err) = plan(&[("ACTION_REF", "v99")]);
    assert_eq!(code, 2);
    assert!(err.contains("pin a release tag"), "{err}");
    let (code, _, err) = plan(&[("LEAKSCAN_VERSION", "latest")]);
    assert_eq!(code, 2);
    assert!(err.contains("not a release version"), "{err}");
}

/// What a release names must agree: the README's pinned action, container and pre-commit
/// `rev`, the docker_image hook's tag, and the targets dist builds with those install.sh asks for.
#[test]
fn release_pins_and_targets_agree_with_the_crate() {
    let read = |p: &str| std::fs::read_to_string(repo_root().join(p)).expect(p);
    let readme = read("README.md");
    let repo = env!("CARGO_PKG_REPOSITORY");
    let slug = repo.trim_start_matches("https://github.com/");
    for pin in [
        format!("uses: {slug}@v{VERSION}"),
        format!("ghcr.io/{slug}:{VERSION}"),
        format!("rev: v{VERSION}"),
        format!("repo: {repo}"),
    ] {
        assert!(readme.contains(&pin), "README.md does not say {pin}");
    }
    assert!(
        !readme.contains("your-org/"),
        "a placeholder is left in README.md"
    );
    let hooks = read(".pre-commit-hooks.yaml");
    assert!(
        hooks.contains(&format!("entry: ghcr.io/{slug}:{VERSION} scan --staged")),
        ".pre-commit-hooks.yaml's docker_image hook must run this version's image"
    );
    let dist = read("dist-workspace.toml");
    let install = read("scripts/action/install.sh");
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(
            dist.contains(&format!("\"{target}\"")),
            "dist does not build {target}"
        );
        assert!(
            install.contains(&format!("echo {target}")),
            "install.sh does not ask for {target}"
        );
    }
    assert!(dist.contains("unix-archive = \".tar.gz\"") && dist.contains("checksum = \"sha256\""));
    let release = read(".github/workflows/release.yml");
    assert!(
        release.contains("uses: ./.github/workflows/publish-image.yml")
            && !release.contains("uses: $/"),
        "release.yml must call the local publish job with ./ (see dist-workspace.toml)"
    );
}

// ---- dogfooding: the repository's .leakscan.toml scopes its own scan, not the tests' ----

/// `.leakscan.toml` is found at the scan root only: scans rooted in rules/ or the detection
/// corpus (as the tests run them) still report the fake secrets there, with the built-in pack.
#[test]
fn the_repository_configuration_does_not_hide_fixtures_from_scans_rooted_in_them() {
    for dir in ["rules", "fixtures/detection/corpus"] {
        let out = Command::new(program())
            .args([
                "scan",
                dir,
                "--no-history",
                "--no-progress",
                "--format",
                "json",
            ])
            .current_dir(repo_root())
            .env_remove("LEAKSCAN_CONFIG")
            .env_remove("GITLEAKS_CONFIG")
            .env_remove("GITLEAKS_CONFIG_TOML")
            .output()
            .expect("leakscan");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{dir}: {stderr}");
        assert!(!stderr.contains(".leakscan.toml"), "{dir}: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let n = report["findings"].as_array().map_or(0, Vec::len);
        assert!(n > 100, "{dir}: only {n} findings");
    }
}
