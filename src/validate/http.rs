//! The transport: one HTTPS request with ureq over rustls, a global timeout, no redirects
//! (a redirect could carry a credential to another host) and a bounded body. Failures become
//! fixed reasons that never quote the URL, which may hold the secret.

use std::time::Duration;

use super::request::Request;

/// Bodies larger than this are cut (a provider's identity answer is a few KiB).
const BODY_LIMIT: u64 = 1 << 20;

/// A provider's answer.
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Body (at most 1 MiB).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no answer; the text never holds the URL or a header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The timeout passed.
    Timeout,
    /// The host did not resolve.
    HostNotFound,
    /// TCP connection refused or reset.
    Connection,
    /// TLS handshake or certificate failure.
    Tls,
    /// The answer was not valid HTTP.
    Protocol,
}

impl Failure {
    /// The reason shown in reports.
    pub fn reason(self) -> &'static str {
        match self {
            Failure::Timeout => "timeout",
            Failure::HostNotFound => "host not found",
            Failure::Connection => "connection failed",
            Failure::Tls => "tls error",
            Failure::Protocol => "malformed http answer",
        }
    }
}

/// An HTTP client shared by the workers.
pub struct Client {
    agent: ureq::Agent,
}

impl Client {
    /// A client with a global timeout per request. `proxy_from_env` honours HTTPS_PROXY and
    /// friends (off for the loopback test override).
    pub fn new(timeout: Duration, proxy_from_env: bool) -> Client {
        let mut cfg = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!(
                "leakscan/",
                env!("CARGO_PKG_VERSION"),
                " (--validate)"
            ));
        if !proxy_from_env {
            cfg = cfg.proxy(None);
        }
        Client {
            agent: cfg.build().into(),
        }
    }

    /// Sends one request.
    pub fn send(&self, req: &Request) -> Result<Response, Failure> {
        let mut b = ureq::http::Request::builder()
            .method(req.method.as_str())
            .uri(req.url.as_str());
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let http_req = b
            .body(req.body.clone().unwrap_or_default())
            .map_err(|_| Failure::Protocol)?;
        let mut resp = self.agent.run(http_req).map_err(failure)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = match resp
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
        {
            Ok(b) => b,
            Err(ureq::Error::BodyExceedsLimit(_)) => Vec::new(),
            Err(e) => return Err(failure(e)),
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn failure(e: ureq::Error) -> Failure {
    match e {
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::HostNotFound => Failure::HostNotFound,
        ureq::Error::ConnectionFailed => Failure::Connection,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Failure::Timeout,
        ureq::Error::Io(_) => Failure::Connection,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => Failure::Tls,
        _ => Failure::Protocol,
    }
}
