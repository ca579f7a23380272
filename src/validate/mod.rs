//! `--validate`: asks each provider, once per distinct secret, whether a found secret still
//! works, with the lightest read-only call its rule's `[rules.validate]` table describes.
//!
//! What it owns: pairing (AWS key id and secret key, Twilio key and secret: a finding of the
//! paired rule in the same file and commit, nearest by line), rendering each request and
//! refusing any host the rule does not list ([`request`]), signing ([`sigv4`], [`gcp`]), the
//! worker pool with bounded concurrency, per-provider rate limits ([`limit`]) and retries with
//! back-off, reading the answer ([`judge`]), and the run and file caches ([`cache`]). It
//! never prints: a verdict's reason is a fixed phrase that never quotes a URL, header or
//! body, so no secret reaches a log line. Nothing here runs unless the user passed
//! `--validate`; the scan itself opens no socket.

pub mod cache;
pub mod gcp;
pub mod http;
pub mod judge;
pub mod limit;
pub mod request;
pub mod sigv4;
pub mod verdict;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::finding::Finding;
use crate::redact::Secret;
use crate::rules::{Check, Protocol, RuleSet};

/// The environment variable of the test override: an `http://` base URL on a loopback
/// address that every provider URL is mapped to. Refused for any other host.
pub const OVERRIDE_ENV: &str = "LEAKSCAN_VALIDATE_OVERRIDE";

pub use verdict::{Status, Validation};

/// How validation runs. Its `Debug` leaves the cache key out.
#[derive(Clone)]
pub struct Options {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Timeout of one request.
    pub timeout: Duration,
    /// Retries after a timeout, a connection failure, a 429 or a 5xx.
    pub retries: u32,
    /// Longest wait a `Retry-After` may impose before the verdict becomes unknown.
    pub max_retry_wait: Duration,
    /// First back-off; doubled at each retry.
    pub backoff: Duration,
    /// Requests per second to one provider, overriding the rules' `rate`.
    pub rate: Option<f64>,
    /// File cache and its key.
    pub cache: Option<(std::path::PathBuf, Vec<u8>)>,
    /// Test override: loopback base URL (see [`OVERRIDE_ENV`]).
    pub override_base: Option<String>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("rate", &self.rate)
            .field("cache", &self.cache.as_ref().map(|(p, _)| p))
            .field("override_base", &self.override_base)
            .finish_non_exhaustive()
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            concurrency: 32,
            timeout: Duration::from_secs(10),
            retries: 2,
            max_retry_wait: Duration::from_secs(30),
            backoff: Duration::from_millis(500),
            rate: None,
            cache: None,
            override_base: None,
        }
    }
}

/// Why validation could not run at all (a single request's failure is a verdict instead).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The test override names a host that is not a loopback address.
    #[error("{0}")]
    Override(String),
    /// The verdict cache could not be read or written.
    #[error("{}: {source}", path.display())]
    Cache {
        /// The cache file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl Options {
    /// Reads the test override from the environment; an override that is not a loopback
    /// `http://` URL is an error, never followed.
    pub fn with_env_override(mut self) -> Result<Options, ValidateError> {
        if let Some(v) = std::env::var_os(OVERRIDE_ENV).filter(|v| !v.is_empty()) {
            let v = v.to_string_lossy().into_owned();
            if !request::is_loopback_base(&v) {
                return Err(ValidateError::Override(format!(
                    "{OVERRIDE_ENV} must be an http:// URL on a loopback address (it is for tests)"
                )));
            }
            self.override_base = Some(v);
        }
        Ok(self)
    }
}

/// Counters of a validation run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings per verdict.
    pub by_status: BTreeMap<&'static str, usize>,
    /// Distinct secrets asked about (cache hits excluded).
    pub asked: usize,
    /// Verdicts taken from the file cache.
    pub cached: usize,
    /// HTTP requests sent (retries included).
    pub requests: usize,
}

struct Job<'a> {
    check: &'a Check,
    secret: Secret,
    pair: Option<Secret>,
}

/// The finding among `candidates` (findings of the paired rule) that pairs with `f`: same
/// file, members and commit, within `within` lines, nearest first.
fn find_pair(
    findings: &[Finding],
    candidates: &[usize],
    f: &Finding,
    within: usize,
) -> Option<usize> {
    let commit = |x: &Finding| x.origin.commit().map(|c| c.id.clone());
    candidates
        .iter()
        .map(|&i| (i, &findings[i]))
        .filter(|(_, o)| {
            o.secret.is_some()
                && o.origin.path() == f.origin.path()
                && o.origin.members() == f.origin.members()
                && commit(o) == commit(f)
                && o.line.abs_diff(f.line) <= within
        })
        .min_by_key(|(_, o)| (o.line.abs_diff(f.line), o.offset.abs_diff(f.offset)))
        .map(|(i, _)| i)
}

/// The distinct requests of a run and which findings they answer.
struct Plan<'a> {
    jobs: Vec<Job<'a>>,
    /// Finding index -> its job.
    assigned: Vec<Option<usize>>,
    /// Finding index -> the job it is the other half of (pairs).
    partner: Vec<Option<usize>>,
}

/// Gives each finding its job (one per distinct check, secret and pair), or its verdict now:
/// skipped without a check, unknown without the other half of a pair.
fn plan<'a>(findings: &mut [Finding], rules: &'a RuleSet) -> Plan<'a> {
    let mut p = Plan {
        jobs: Vec::new(),
        assigned: vec![None; findings.len()],
        partner: vec![None; findings.len()],
    };
    let mut job_of: HashMap<(usize, Secret, Option<Secret>), usize> = HashMap::new();
    let mut by_rule: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_rule.entry(f.rule_id.clone()).or_default().push(i);
    }
    for i in 0..findings.len() {
        let f = &findings[i];
        let check = rules.get(&f.rule_id).and_then(|r| r.validate.as_deref());
        let (Some(check), Some(secret)) = (check, f.secret.clone()) else {
            findings[i].validation = Some(Box::new(Validation::new(
                Status::Skipped,
                "",
                Some("no check for this rule".into()),
            )));
            continue;
        };
        let mut pair = None;
        if let Some(want) = &check.pair {
            let candidates = by_rule.get(&want.rule).map_or(&[][..], Vec::as_slice);
            match find_pair(findings, candidates, f, want.within_lines) {
                Some(j) => pair = Some((j, findings[j].secret.clone())),
                None => {
                    findings[i].validation = Some(Box::new(Validation::unknown(
                        &check.provider,
                        &format!(
                            "no {} finding within {} lines to pair with",
                            want.rule, want.within_lines
                        ),
                    )));
                    continue;
                }
            }
        }
        let pair_secret = pair.as_ref().and_then(|(_, s)| s.clone());
        let key = (
            check as *const Check as usize,
            secret.clone(),
            pair_secret.clone(),
        );
        let n = p.jobs.len();
        let j = *job_of.entry(key).or_insert(n);
        if j == n {
            p.jobs.push(Job {
                check,
                secret,
                pair: pair_secret,
            });
        }
        p.assigned[i] = Some(j);
        if let Some((pj, _)) = pair {
            p.partner[pj].get_or_insert(j);
        }
    }
    p
}

/// Runs `todo` (indices into `jobs`) on at most `opts.concurrency` threads; returns each
/// job's verdict and the number of requests sent.
fn run_jobs(jobs: &[Job<'_>], todo: &[usize], opts: &Options) -> (Vec<(usize, Validation)>, usize) {
    let engine = Engine {
        client: http::Client::new(opts.timeout, opts.override_base.is_none()),
        limiter: limit::Limiter::default(),
        opts,
        requests: AtomicUsize::new(0),
    };
    let next = AtomicUsize::new(0);
    let out = Mutex::new(Vec::new());
    let workers = opts.concurrency.clamp(1, 256).min(todo.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let t = next.fetch_add(1, Ordering::Relaxed);
                let Some(&k) = todo.get(t) else { break };
                let v = engine.run(&jobs[k]);
                out.lock().unwrap_or_else(|p| p.into_inner()).push((k, v));
            });
        }
    });
    let results = out.into_inner().unwrap_or_else(|p| p.into_inner());
    (results, engine.requests.load(Ordering::Relaxed))
}

/// Validates every finding in place and returns the counters.
pub fn validate(
    findings: &mut [Finding],
    rules: &RuleSet,
    opts: &Options,
) -> Result<Summary, ValidateError> {
    let mut cache = match &opts.cache {
        Some((path, key)) => Some(cache::FileCache::open(path, key.clone())?),
        None => None,
    };
    let plan = plan(findings, rules);
    let jobs = &plan.jobs;
    let mut results: Vec<Option<Validation>> = vec![None; jobs.len()];
    let mut digests: Vec<Option<String>> = vec![None; jobs.len()];
    let mut summary = Summary::default();
    if let Some(c) = &cache {
        for (k, job) in jobs.iter().enumerate() {
            let d = c.digest(
                &job.check.provider,
                job.secret.as_bytes(),
                job.pair.as_ref().map(Secret::as_bytes),
            );
            if let Some(v) = c.get(&d) {
                results[k] = Some(v);
                summary.cached += 1;
            }
            digests[k] = Some(d);
        }
    }
    let todo: Vec<usize> = (0..jobs.len()).filter(|&k| results[k].is_none()).collect();
    summary.asked = todo.len();
    let (answers, requests) = run_jobs(jobs, &todo, opts);
    summary.requests = requests;
    for (k, v) in answers {
        if let (Some(c), Some(d)) = (cache.as_mut(), digests[k].clone()) {
            c.put(d, &v);
        }
        results[k] = Some(v);
    }
    for (i, f) in findings.iter_mut().enumerate() {
        // A finding that is the other half of a checked pair shares its verdict.
        let skipped = f
            .validation
            .as_ref()
            .is_some_and(|v| v.status == Status::Skipped);
        let from_job = plan.assigned[i].or(if skipped { plan.partner[i] } else { None });
        if let Some(j) = from_job {
            f.validation = results[j].clone().map(Box::new);
        }
        if let Some(v) = &f.validation {
            *summary.by_status.entry(v.status.as_str()).or_insert(0) += 1;
        }
    }
    if let Some(c) = &cache {
        c.save()?;
    }
    Ok(summary)
}

struct Engine<'a> {
    client: http::Client,
    limiter: limit::Limiter,
    opts: &'a Options,
    requests: AtomicUsize,
}

/// One attempt's outcome.
enum Attempt {
    Done(Validation),
    Retry(Option<Duration>, &'static str),
}

impl Engine<'_> {
    fn rate(&self, check: &Check) -> f64 {
        self.opts.rate.unwrap_or(check.rate)
    }

    /// Runs one job: tries each URL (self-hosted bases in order) until one gives a verdict
    /// other than invalid.
    fn run(&self, job: &Job<'_>) -> Validation {
        let check = job.check;
        let secret = job.secret.expose();
        let pair = job.pair.as_ref().map(Secret::expose);
        let vars = match request::Vars::new(check, &secret, pair.as_deref()) {
            Ok(v) => v,
            Err(e) => return Validation::unknown(&check.provider, &e.0),
        };
        let urls = match request::urls(check, &vars) {
            Ok(u) => u,
            Err(e) => return Validation::unknown(&check.provider, &e.0),
        };
        let mut last = Validation::unknown(&check.provider, "no url to ask");
        for url in urls {
            let req = match self.build(check, &vars, url) {
                Ok(r) => r,
                Err(e) => return Validation::unknown(&check.provider, &e.0),
            };
            last = self.send_with_retries(check, &req, &[&secret, pair.as_deref().unwrap_or("")]);
            if last.status != Status::Invalid {
                break;
            }
        }
        last
    }

    fn build(
        &self,
        check: &Check,
        vars: &request::Vars,
        url: String,
    ) -> Result<request::Request, request::BuildError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut req = match check.protocol {
            Protocol::Http => request::render(check, vars, url)?,
            Protocol::AwsSigv4 => {
                let host = crate::rules::validate::url_host(&url).unwrap_or_default();
                let path_start = url.find("://").map_or(0, |i| i + 3);
                let path = url[path_start..]
                    .find('/')
                    .map_or("/", |i| &url[path_start + i..]);
                let body = check
                    .body
                    .as_ref()
                    .map(|b| vars.fill(b))
                    .unwrap_or_default();
                let mut headers = sigv4::sign(&sigv4::Signed {
                    method: &check.method,
                    host: &host,
                    path,
                    body: body.as_bytes(),
                    key_id: vars.get("secret").unwrap_or(""),
                    secret: vars.get("pair").unwrap_or(""),
                    region: &check.aws_region,
                    service: &check.aws_service,
                    amz_date: &sigv4::amz_date(now),
                });
                headers.retain(|(k, _)| k != "Host");
                request::Request {
                    method: check.method.clone(),
                    url,
                    headers,
                    body: Some(body.into_bytes()),
                }
            }
            Protocol::GcpServiceAccount => {
                let email = vars.get("email").unwrap_or("");
                let key = vars.get("key").unwrap_or("");
                let jwt = gcp::assertion(email, key, &url, &check.scope, now)?;
                request::Request {
                    method: "POST".into(),
                    url,
                    headers: vec![(
                        "Content-Type".into(),
                        "application/x-www-form-urlencoded".into(),
                    )],
                    body: Some(gcp::token_form(&jwt).into_bytes()),
                }
            }
        };
        req.url = request::apply_override(&req.url, self.opts.override_base.as_deref());
        Ok(req)
    }

    fn send_with_retries(
        &self,
        check: &Check,
        req: &request::Request,
        secrets: &[&str],
    ) -> Validation {
        let mut backoff = self.opts.backoff;
        let mut reason = "no answer";
        for attempt in 0..=self.opts.retries {
            self.limiter.acquire(&check.provider, self.rate(check));
            self.requests.fetch_add(1, Ordering::Relaxed);
            match self.attempt(check, req, secrets) {
                Attempt::Done(v) => return v,
                Attempt::Retry(after, why) => {
                    reason = why;
                    if attempt == self.opts.retries {
                        break;
                    }
                    let wait = after.unwrap_or(backoff);
                    if wait > self.opts.max_retry_wait {
                        break;
                    }
                    if after.is_some() {
                        self.limiter.back_off(&check.provider, wait);
                    } else {
                        std::thread::sleep(wait);
                    }
                    backoff = backoff.saturating_mul(2);
                }
            }
        }
        Validation::unknown(&check.provider, reason)
    }

    fn attempt(&self, check: &Check, req: &request::Request, secrets: &[&str]) -> Attempt {
        match self.client.send(req) {
            Err(f) => Attempt::Retry(None, f.reason()),
            Ok(resp) if resp.status == 429 => {
                let after = resp
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                Attempt::Retry(Some(after.unwrap_or(self.opts.backoff)), "rate limited")
            }
            Ok(resp) if resp.status >= 500 && !check.valid_status.contains(&resp.status) => {
                Attempt::Retry(None, "provider error (5xx)")
            }
            Ok(resp) => Attempt::Done(judge::judge(check, &resp, secrets)),
        }
    }
}
