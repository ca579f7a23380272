//! `--validate` against a local server on 127.0.0.1 that impersonates every provider (the
//! test override maps `https://host/path` to `http://127.0.0.1:PORT/host/path`). No test
//! touches the network.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::Dir;

/// One request the fake provider received.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    /// The provider host (first path segment under the override).
    pub host: String,
    /// The path after the host.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub at: Instant,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Everything the request carried, for "is this secret in it" checks.
    pub fn text(&self) -> String {
        let mut s = format!("{} /{}{}\n", self.method, self.host, self.path);
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\n"));
        }
        s.push_str(&self.body);
        s
    }
}

/// An answer: status, headers, body, and how long to wait before sending it.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Resp {
    pub fn new(status: u16, body: &str) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Resp {
        self.delay = d;
        self
    }
}

type Handler = Arc<dyn Fn(&Req, usize) -> Resp + Send + Sync>;

/// The fake provider.
pub struct Server {
    pub base: String,
    pub log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    /// Starts a server on 127.0.0.1; `handler` gets each request and its 0-based number.
    pub fn start(handler: impl Fn(&Req, usize) -> Resp + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let log: Arc<Mutex<Vec<Req>>> = Arc::default();
        let handler: Handler = Arc::new(handler);
        let l2 = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (h, log) = (handler.clone(), l2.clone());
                std::thread::spawn(move || serve(stream, h, log));
            }
        });
        Server { base, log }
    }

    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Req>>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    let rest = target.trim_start_matches('/');
    let (host, path) = match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), String::new()),
    };
    let req = Req {
        method,
        host,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    };
    let n = {
        let mut l = log.lock().unwrap();
        l.push(req.clone());
        l.len() - 1
    };
    let resp = handler(&req, n);
    std::thread::sleep(resp.delay);
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        resp.body.len()
    );
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&resp.body);
    let mut s = stream;
    let _ = s.write_all(out.as_bytes());
}

/// What each impersonated provider answers for a live secret.
pub fn valid_answer(req: &Req) -> Resp {
    let json = |b: &str| Resp::new(200, b).header("Content-Type", "application/json");
    match req.host.as_str() {
        "api.github.com" => json(r#"{"login":"octo","total_count":3}"#).header("X-OAuth-Scopes", "repo, read:org"),
        "gitlab.com" | "gitlab.example.com" => {
            json(r#"{"active":true,"name":"ci","scopes":["read_api"],"user_id":7}"#)
        }
        "slack.com" => json(r#"{"ok":true,"team":"Acme","user":"deploybot","url":"https://acme.slack.com/"}"#),
        "hooks.slack.com" => Resp::new(400, "no_text"),
        "api.stripe.com" => json(r#"{"livemode":true,"available":[]}"#),
        "api.openai.com" | "api.anthropic.com" => json(r#"{"data":[]}"#),
        "registry.npmjs.org" => json(r#"{"username":"npm-user"}"#),
        "huggingface.co" => json(r#"{"name":"hf-user","type":"user"}"#),
        "api.sendgrid.com" => json(r#"{"scopes":["mail.send"]}"#),
        "api.twilio.com" => json(r#"{"accounts":[{"friendly_name":"Acme Twilio"}]}"#),
        "sts.amazonaws.com" => Resp::new(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"),
        "api.mailgun.net" => json(r#"{"items":[]}"#),
        h if h.ends_with(".api.mailchimp.com") => json(r#"{"account_name":"Acme Mail"}"#),
        "api.digitalocean.com" => json(r#"{"account":{"email":"ops@acme.test","status":"active"}}"#),
        "api.datadoghq.com" => json(r#"{"valid":true}"#),
        "discord.com" => json(r#"{"username":"acme-bot","id":"42"}"#),
        "api.telegram.org" => json(r#"{"ok":true,"result":{"username":"acme_bot"}}"#),
        "api.getpostman.com" => json(r#"{"user":{"username":"pm-user"}}"#),
        "api.heroku.com" => json(r#"{"email":"heroku@acme.test"}"#),
        "oauth2.googleapis.com" => json(r#"{"access_token":"ya29.should-never-be-shown","expires_in":3599}"#),
        _ => Resp::new(599, "unexpected host"),
    }
}

/// What each impersonated provider answers for a dead secret.
pub fn invalid_answer(req: &Req) -> Resp {
    match req.host.as_str() {
        "slack.com" => Resp::new(200, r#"{"ok":false,"error":"invalid_auth"}"#),
        "hooks.slack.com" => Resp::new(404, "no_service"),
        "sts.amazonaws.com" => Resp::new(
            403,
            "<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>",
        ),
        "gitlab.com" => Resp::new(401, r#"{"message":"401 Unauthorized"}"#),
        "api.telegram.org" => Resp::new(401, r#"{"ok":false,"error_code":401}"#),
        "api.datadoghq.com" => Resp::new(403, r#"{"errors":["Forbidden"]}"#),
        "oauth2.googleapis.com" => Resp::new(400, r#"{"error":"invalid_grant"}"#),
        _ => Resp::new(401, r#"{"message":"Bad credentials"}"#),
    }
}

/// One example of every built-in rule with a live check, plus the other halves of pairs on
/// the next line: a file where every checked provider has one finding.
pub fn provider_file() -> (String, Vec<String>) {
    let rules = leakscan::rules::load::builtin_rules().expect("builtin rules");
    let mut text = String::new();
    let mut ids = Vec::new();
    // Service-account keys need a real RSA key: their own test makes one.
    for r in rules
        .iter()
        .filter(|r| r.validate.is_some() && r.id != "gcp-service-account-json")
    {
        // An example whose secret has the shape the check needs (AWS: a long-term key id).
        let parts = r
            .validate
            .as_ref()
            .unwrap()
            .secret_parts
            .as_ref()
            .map(|re| regex::Regex::new(&re.as_str().replace(['^', '$'], "")).unwrap());
        let example = r
            .examples
            .iter()
            .find(|e| parts.as_ref().is_none_or(|re| re.is_match(e)))
            .unwrap();
        text.push_str(example);
        text.push('\n');
        if let Some(p) = &r.validate.as_ref().unwrap().pair {
            let other = rules.iter().find(|o| o.id == p.rule).unwrap();
            text.push_str(&other.examples[0]);
            text.push('\n');
        }
        text.push_str("\n\n\n\n\n\n\n\n\n\n\n\n");
        ids.push(r.id.clone());
    }
    (text, ids)
}

fn run_validate(dir: &Dir, server: &Server, extra: &[&str]) -> crate::util::Run {
    let mut args = vec![
        "scan",
        ".",
        "--format",
        "json",
        "--validate",
        "--validate-timeout",
        "2",
    ];
    args.extend_from_slice(extra);
    dir.run_env(&args, &[("LEAKSCAN_VALIDATE_OVERRIDE", &server.base)])
}

/// rule id -> validation object of each finding.
fn verdicts(run: &crate::util::Run) -> BTreeMap<String, serde_json::Value> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["validation"].clone(),
            )
        })
        .collect()
}

#[test]
fn every_provider_is_checked_and_valid_on_its_own_host() {
    let (text, ids) = provider_file();
    assert!(ids.len() >= 30, "{ids:?}");
    let providers: std::collections::BTreeSet<String> = leakscan::rules::load::builtin_rules()
        .unwrap()
        .iter()
        .filter_map(|r| r.validate.as_ref().map(|c| c.provider.clone()))
        .collect();
    assert!(providers.len() >= 20, "{providers:?}");
    let dir = Dir::new();
    dir.write("config/all.txt", &text);
    let server = Server::start(|r, _| valid_answer(r));
    let run = run_validate(&dir, &server, &["--no-redact"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let doc = run.json();
    let findings = doc["findings"].as_array().unwrap();
    let v = verdicts(&run);
    for id in &ids {
        assert_eq!(v[id]["status"], "valid", "{id}: {}", v[id]);
    }
    // Identity the providers returned, and never the access token a provider handed out.
    assert_eq!(v["github-pat-classic"]["identity"]["login"], "octo");
    assert_eq!(
        v["github-pat-classic"]["identity"]["scopes"],
        "repo, read:org"
    );
    assert_eq!(v["slack-bot-token"]["identity"]["team"], "Acme");
    assert_eq!(
        v["aws-access-key-id"]["identity"]["arn"],
        "arn:aws:iam::123456789012:user/ci"
    );
    assert_eq!(v["gitlab-pat"]["identity"]["scopes"], "[\"read_api\"]");
    assert_eq!(v["mailchimp-api-key"]["identity"]["account"], "Acme Mail");
    // The other half of a pair shares the verdict.
    assert_eq!(v["aws-secret-access-key"]["status"], "valid");
    assert_eq!(v["twilio-api-secret"]["status"], "valid");
    // Each request went to its provider's host, carrying its own secret and no other.
    let reqs = server.requests();
    let secrets: Vec<(String, String)> = findings
        .iter()
        .filter_map(|f| {
            Some((
                f["rule_id"].as_str()?.to_string(),
                f["match"].as_str()?.to_string(),
            ))
        })
        .filter(|(_, s)| s.len() >= 16)
        .collect();
    let rules = leakscan::rules::load::builtin_rules().unwrap();
    for req in &reqs {
        let text = req.text();
        let carried: Vec<&String> = secrets
            .iter()
            .filter(|(_, s)| text.contains(s.as_str()))
            .map(|(id, _)| id)
            .collect();
        for id in &carried {
            let rule = rules.iter().find(|r| &r.id == *id).unwrap();
            let check = rule.validate.as_ref().or_else(|| {
                rules.iter().find_map(|o| {
                    o.validate
                        .as_ref()
                        .filter(|c| c.pair.as_ref().is_some_and(|p| &p.rule == *id))
                })
            });
            let check = check.unwrap_or_else(|| panic!("{id} sent to {}", req.host));
            let host_ok = check.hosts.iter().any(|h| {
                h == &req.host || h.strip_prefix('*').is_some_and(|s| req.host.ends_with(s))
            });
            assert!(host_ok, "{id} sent to {}", req.host);
        }
    }
    // SigV4: the key id is named in the signature's credential; the secret key never travels.
    let sts = reqs.iter().find(|r| r.host == "sts.amazonaws.com").unwrap();
    let auth = sts.header("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIA"),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/sts/aws4_request"));
    let aws_secret = &secrets
        .iter()
        .find(|(id, _)| id == "aws-secret-access-key")
        .unwrap()
        .1;
    assert!(!sts.text().contains(aws_secret.as_str()));
    // The Slack webhook got an empty JSON object: nothing is posted.
    let hook = reqs.iter().find(|r| r.host == "hooks.slack.com").unwrap();
    assert_eq!((hook.method.as_str(), hook.body.as_str()), ("POST", "{}"));
    // One request per distinct secret.
    assert_eq!(
        reqs.len(),
        ids.len(),
        "{:?}",
        reqs.iter().map(|r| &r.host).collect::<Vec<_>>()
    );
    // Redacted by default in every format, verdicts and identities included.
    for format in [
        "text", "json", "sarif", "junit", "gitlab", "html", "markdown", "csv", "jsonl",
    ] {
        let run = dir.run_env(
            &["scan", ".", "--validate", "--format", format],
            &[("LEAKSCAN_VALIDATE_OVERRIDE", server.base.as_str())],
        );
        assert_eq!(run.code(), 1, "{format}");
        for (id, s) in &secrets {
            assert!(!run.stdout().contains(s.as_str()), "{format} shows {id}");
            assert!(
                !run.stderr().contains(s.as_str()),
                "{format} shows {id} on stderr"
            );
        }
    }
}

#[test]
fn dead_secrets_are_invalid_and_fail_on_valid_passes() {
    let (text, ids) = provider_file();
    let dir = Dir::new();
    dir.write("all.env", &text);
    let server = Server::start(|r, _| invalid_answer(r));
    let run = run_validate(&dir, &server, &["--fail-on-valid"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let v = verdicts(&run);
    for id in &ids {
        assert_eq!(v[id]["status"], "invalid", "{id}: {}", v[id]);
        assert!(v[id].get("identity").is_none());
    }
    let only = run_validate(&dir, &server, &["--only-valid"]);
    assert_eq!(only.code(), 0);
    assert!(only.json()["findings"].as_array().unwrap().is_empty());
}

const GITHUB: &str = "GITHUB_TOKEN=";

fn github_dir(n: usize) -> (Dir, Vec<String>) {
    let dir = Dir::new();
    let tokens: Vec<String> = (0..n)
        .map(|i| crate::util::github_token("ghp", &format!("Xq7Lm2Np9Rt4Vw8Yz3Bc6Df1Gh5J{i:02}")))
        .collect();
    let text: String = tokens.iter().map(|t| format!("{GITHUB}{t}\n")).collect();
    dir.write("tokens.txt", text);
    (dir, tokens)
}

#[test]
fn valid_findings_come_first_in_text_and_fail_on_valid_fails() {
    let (dir, tokens) = github_dir(3);
    let live = tokens[2].clone();
    let server = Server::start(move |r, _| {
        if r.header("authorization") == Some(&format!("Bearer {live}")) {
            valid_answer(r)
        } else {
            invalid_answer(r)
        }
    });
    let env = [("LEAKSCAN_VALIDATE_OVERRIDE", server.base.as_str())];
    let run = dir.run_env(&["scan", ".", "--validate", "--fail-on-valid"], &env);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let out = run.stdout();
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("tokens.txt:"))
        .collect();
    assert!(lines[0].starts_with("tokens.txt:3:"), "{out}");
    assert!(
        out.contains("checked     valid: login=octo, scopes=repo, read:org"),
        "{out}"
    );
    assert_eq!(out.matches("checked     invalid").count(), 2, "{out}");
    for t in &tokens {
        assert!(!out.contains(t.as_str()) && !run.stderr().contains(t.as_str()));
    }
    let only = dir.run_env(&["scan", ".", "--only-valid", "--format", "json"], &env);
    let f = only.findings();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].1, 3);
}

#[test]
fn rate_limited_answers_are_retried_after_retry_after() {
    let (dir, _) = github_dir(1);
    let server = Server::start(|r, n| {
        if n == 0 {
            Resp::new(429, "slow down").header("Retry-After", "1")
        } else {
            valid_answer(r)
        }
    });
    let run = run_validate(&dir, &server, &[]);
    assert_eq!(
        verdicts(&run)["github-pat-classic"]["status"],
        "valid",
        "{}",
        run.stdout()
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1].at - reqs[0].at >= Duration::from_millis(950));

    let always = Server::start(|_, _| Resp::new(429, "").header("Retry-After", "0"));
    let run = run_validate(&dir, &always, &[]);
    let v = &verdicts(&run)["github-pat-classic"];
    assert_eq!(
        (v["status"].as_str(), v["reason"].as_str()),
        (Some("unknown"), Some("rate limited"))
    );
    assert_eq!(always.requests().len(), 3, "one try and two retries");
}

#[test]
fn timeouts_and_malformed_answers_are_unknown() {
    let (dir, _) = github_dir(1);
    let slow = Server::start(|r, _| valid_answer(r).delay(Duration::from_secs(3)));
    let run = dir.run_env(
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--validate",
            "--validate-timeout",
            "0.3",
        ],
        &[("LEAKSCAN_VALIDATE_OVERRIDE", slow.base.as_str())],
    );
    let v = &verdicts(&run)["github-pat-classic"];
    assert_eq!(
        (v["status"].as_str(), v["reason"].as_str()),
        (Some("unknown"), Some("timeout"))
    );

    let odd = Server::start(|_, _| Resp::new(302, "").header("Location", "https://evil.test/"));
    let run = run_validate(&dir, &odd, &[]);
    let v = &verdicts(&run)["github-pat-classic"];
    assert_eq!(v["status"], "unknown");
    assert_eq!(v["reason"], "unexpected answer (status 302)");
    assert_eq!(odd.requests().len(), 1, "redirects are not followed");

    let dd = Dir::new();
    dd.write(
        "dd.env",
        "DATADOG_API_KEY=3f9c2a7b1e8d4c6a9b0f5e2d7c1a8b4e\n",
    );
    let garbled = Server::start(|_, _| Resp::new(200, "<html>maintenance</html>"));
    let run = run_validate(&dd, &garbled, &[]);
    let v = &verdicts(&run)["datadog-api-key"];
    assert_eq!(v["status"], "unknown", "{}", run.stdout());
    assert_eq!(v["reason"], "malformed answer (not JSON)");
}

#[test]
fn a_pair_without_its_other_half_is_unknown_and_sends_nothing() {
    let dir = Dir::new();
    dir.write("a.env", "AWS_ACCESS_KEY_ID=AKIAQ7XG4ZK2MRT5WN3B\n");
    let server = Server::start(|r, _| valid_answer(r));
    let run = run_validate(&dir, &server, &[]);
    let v = &verdicts(&run)["aws-access-key-id"];
    assert_eq!(v["status"], "unknown");
    assert_eq!(
        v["reason"],
        "no aws-secret-access-key finding within 10 lines to pair with"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn without_validate_no_connection_is_made() {
    let (text, _) = provider_file();
    let dir = Dir::new();
    dir.write("all.env", &text);
    let server = Server::start(|r, _| valid_answer(r));
    let env = [("LEAKSCAN_VALIDATE_OVERRIDE", server.base.as_str())];
    for format in [
        "text", "json", "sarif", "junit", "gitlab", "html", "markdown", "csv", "jsonl",
    ] {
        let run = dir.run_env(&["scan", ".", "--format", format], &env);
        assert_eq!(run.code(), 1);
        // CSV's header names a validation column; its rows hold nothing in it.
        let out = run.stdout();
        let body = match format {
            "csv" => out.split_once("\r\n").map_or("", |(_, rows)| rows),
            _ => out.as_str(),
        };
        assert!(!body.contains("validation"), "{format}");
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(server.requests().is_empty());
    // And in a network namespace without interfaces, where any socket would fail, the scan is
    // complete and identical (where the machine lets us make one).
    let probe = std::process::Command::new("unshare")
        .args(["-n", "true"])
        .status();
    if probe.is_ok_and(|s| s.success()) {
        let out = std::process::Command::new("unshare")
            .args(["-n"])
            .arg(crate::util::program())
            .args(["scan", ".", "--format", "json"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!doc["findings"].as_array().unwrap().is_empty());
        assert_eq!(doc["summary"]["incomplete"], false);
    }
}

#[test]
fn the_override_must_be_loopback() {
    let (dir, _) = github_dir(1);
    for bad in [
        "http://10.1.2.3:80",
        "https://127.0.0.1:1",
        "http://example.com:80",
    ] {
        let run = dir.run_env(
            &["scan", ".", "--validate"],
            &[("LEAKSCAN_VALIDATE_OVERRIDE", bad)],
        );
        assert_eq!(run.code(), 2, "{bad}");
        assert!(run.stderr().contains("loopback"), "{}", run.stderr());
    }
}

#[test]
fn every_format_carries_the_verdict_and_no_secret() {
    let (dir, tokens) = github_dir(2);
    let server = Server::start(|r, _| valid_answer(r));
    let env = [("LEAKSCAN_VALIDATE_OVERRIDE", server.base.as_str())];
    for format in [
        "text", "json", "sarif", "junit", "gitlab", "html", "markdown", "csv", "jsonl",
    ] {
        let run = dir.run_env(&["scan", ".", "--validate", "--format", format], &env);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        let out = run.stdout();
        assert!(out.contains("valid"), "{format}: {out}");
        assert!(out.contains("octo"), "{format}: identity missing: {out}");
        for t in &tokens {
            assert!(!out.contains(t.as_str()), "{format} leaks");
            assert!(
                !run.stderr().contains(t.as_str()),
                "{format} leaks on stderr"
            );
        }
        if format == "sarif" {
            let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
            crate::sarif::assert_schema_valid(&doc);
            let p = &doc["runs"][0]["results"][0]["properties"];
            assert_eq!(p["validation"], "valid");
            assert_eq!(p["validationIdentity"]["login"], "octo");
        }
    }
    assert_eq!(
        server.requests().len(),
        2 * 9,
        "one request per distinct secret per run"
    );
}

#[test]
fn the_file_cache_is_keyed_by_hmac_and_saves_requests() {
    let (dir, tokens) = github_dir(2);
    let server = Server::start(|r, _| valid_answer(r));
    let cache = dir.path().join("verdicts.jsonl");
    let cache_s = cache.to_str().unwrap().to_string();
    let env = [
        ("LEAKSCAN_VALIDATE_OVERRIDE", server.base.as_str()),
        ("LEAKSCAN_VALIDATE_CACHE_KEY", "a-long-enough-test-key"),
    ];
    let args = [
        "scan",
        "tokens.txt",
        "--format",
        "json",
        "--validate",
        "--validate-cache",
        &cache_s,
    ];
    let first = dir.run_env(&args, &env);
    assert_eq!(first.code(), 1, "{}", first.stderr());
    assert_eq!(server.requests().len(), 2);
    let second = dir.run_env(&args, &env);
    assert_eq!(
        server.requests().len(),
        2,
        "second run answered from the cache"
    );
    let v = verdicts(&second);
    assert_eq!(v["github-pat-classic"]["status"], "valid");
    assert_eq!(v["github-pat-classic"]["cached"], true);
    let stored = std::fs::read_to_string(&cache).unwrap();
    for t in &tokens {
        assert!(!stored.contains(t.as_str()));
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(t.as_bytes()))
        };
        assert!(!stored.contains(&sha), "no unkeyed hash of the secret");
    }
    let no_key = dir.run_env(&args, &env[..1]);
    assert_eq!(no_key.code(), 2);
}

#[test]
fn self_hosted_instances_replace_the_public_host() {
    let dir = Dir::new();
    dir.write(
        ".leakscan.toml",
        "[validate.self-hosted]\ngitlab = [\"https://gitlab.example.com\"]\n",
    );
    dir.write("ci.env", "GITLAB_TOKEN=glpat-Rk3vT9wQ2mZ7xN4pL8sB\n");
    let server = Server::start(|r, _| valid_answer(r));
    let run = run_validate(&dir, &server, &[]);
    assert_eq!(
        verdicts(&run)["gitlab-pat"]["status"],
        "valid",
        "{}",
        run.stderr()
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].host, "gitlab.example.com");
    assert_eq!(reqs[0].path, "/api/v4/personal_access_tokens/self");
}

#[test]
fn a_host_taken_from_the_secret_is_refused() {
    let dir = Dir::new();
    dir.write(
        "rules.toml",
        r#"[extend]
builtin = false

[[rules]]
id = "svc-url"
description = "Service URL with token"
regex = '''(svc://[a-z.]+/[A-Za-z0-9]{20})'''
keywords = ["svc://"]
examples = ["svc://api.svc.test/Ab3dEf6hIj9kLm2nOp5q"]

[rules.validate]
provider = "svc"
url = "https://{host}/check?t={token}"
hosts = ["api.svc.test"]
secret-parts = '''^svc://(?P<host>[a-z.]+)/(?P<token>.+)$'''
valid-status = [200]
"#,
    );
    dir.write(
        "a.txt",
        "svc://api.svc.test/Ab3dEf6hIj9kLm2nOp5q\nsvc://evil.test/Zy3xWv6uTs9rQp2oNm5l\n",
    );
    let server = Server::start(|_, _| Resp::new(200, "{}"));
    let run = run_validate(&dir, &server, &["--config", "rules.toml"]);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert_eq!(
        findings[0]["validation"]["status"],
        "valid",
        "{}",
        run.stderr()
    );
    assert_eq!(findings[1]["validation"]["status"], "unknown");
    assert_eq!(
        findings[1]["validation"]["reason"],
        "refused: the URL's host is not one the svc check may contact"
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].host, "api.svc.test");
}

#[test]
fn bad_validate_tables_are_located() {
    let dir = Dir::new();
    dir.write(
        "rules.toml",
        r#"[[rules]]
id = "x-token"
description = "X"
regex = '''(xt_[a-z0-9]{20})'''

[rules.validate]
provider = "x"
url = "http://api.x.test/{secrets}"
valid-status = []
identity = { user = "login" }
"#,
    );
    let run = dir.run(&["rules", "check", "rules.toml"]);
    assert_eq!(run.code(), 2);
    let err = run.stderr();
    assert!(
        err.contains("rules.toml:8:7: rule 'x-token': validate: the url must start with https://"),
        "{err}"
    );
    assert!(
        err.contains("unknown template variable '{secrets}'"),
        "{err}"
    );
    assert!(err.contains("valid-status lists no status"), "{err}");
    assert!(
        err.contains("rules.toml:10:21: rule 'x-token': validate: identity 'user'"),
        "{err}"
    );
}

#[test]
fn gcp_service_account_keys_are_exchanged_for_a_token() {
    let dir = Dir::new();
    let key = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .output()
        .expect("openssl makes the test key");
    assert!(key.status.success());
    let pem = String::from_utf8(key.stdout).unwrap().replace('\n', "\\n");
    let json = format!(
        "{{\n  \"type\": \"service_account\",\n  \"private_key\": \"{pem}\",\n  \"client_email\": \"ci@acme-prod.iam.gserviceaccount.com\"\n}}\n"
    );
    dir.write("sa.json", json);
    let server = Server::start(|r, _| valid_answer(r));
    let run = run_validate(&dir, &server, &[]);
    let v = &verdicts(&run)["gcp-service-account-json"];
    assert_eq!(v["status"], "valid", "{} {}", run.stdout(), run.stderr());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let body = &reqs[0].body;
    assert!(
        body.starts_with(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey"
        ),
        "{body}"
    );
    assert!(!body.contains("PRIVATE KEY"));
    // The JWT names the service account and the token endpoint.
    let jwt = body.rsplit('=').next().unwrap();
    let claims = jwt.split('.').nth(1).unwrap();
    use base64::Engine as _;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
    assert_eq!(claims["iss"], "ci@acme-prod.iam.gserviceaccount.com");
    assert_eq!(claims["aud"], "https://oauth2.googleapis.com/token");
    assert!(
        !run.stdout().contains("ya29"),
        "the access token is never reported"
    );

    let dead = Server::start(|r, _| invalid_answer(r));
    let run = run_validate(&dir, &dead, &[]);
    assert_eq!(
        verdicts(&run)["gcp-service-account-json"]["status"],
        "invalid"
    );
}
