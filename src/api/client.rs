//! The export API client: one method per endpoint.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER,
};
use reqwest::{Method, StatusCode, Url, redirect};
use serde::de::DeserializeOwned;

use super::body::{MAX_JSON_BODY, MAX_LIST_BODY, envelope_message, excerpt, read_capped};
use super::error::{ApiError, host_port};
use super::key::ApiKey;
use super::paging::{Lookup, MAX_LOOKUP_PAGES, Pager};
use super::types::{CreatedJob, JobStatus, JobSummary, LookupPage};
use crate::export::ExportRequest;

/// The documented API host.
pub const DEFAULT_BASE_URL: &str = "https://appex.userpilot.io";
/// Path of the create-export endpoint (the seed's form, no trailing slash).
pub const EXPORTS_PATH: &str = "api/v1/analytics/exports";

/// How long to wait for the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP + TLS connection.
    pub connect: Duration,
    /// A whole API call, from sending to the last byte of the answer.
    pub request: Duration,
    /// A download: the longest silence between two chunks.
    pub download_idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(30),
            download_idle: Duration::from_secs(60),
        }
    }
}

const USER_AGENT: &str = concat!("upexport/", env!("CARGO_PKG_VERSION"));

/// Keys shorter than this are scrubbed only where they stand alone
/// ([`ApiClient::scrub`]).
const SHORT_KEY: usize = 8;

/// A client for one environment (one base URL and key).
#[derive(Clone)]
pub struct ApiClient {
    pub(crate) http: reqwest::Client,
    /// For pre-signed links; made on the first download (its CA roots
    /// are loaded then, not at start).
    files: Arc<OnceLock<reqwest::Client>>,
    base: Url,
    key: ApiKey,
    pub(crate) timeouts: Timeouts,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base.as_str())
            .field("key", &self.key)
            .finish()
    }
}

/// Check a base URL: absolute http(s), no credentials, and plain `http://`
/// only for loopback hosts (the demo server, an SSH tunnel).
pub fn check_base_url(raw: &str) -> Result<Url, ApiError> {
    let refuse = |reason: &str| ApiError::InvalidBaseUrl {
        url: raw.chars().take(200).collect(),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(raw.trim())
        .map_err(|e| refuse(&format!("{e}; expected e.g. {DEFAULT_BASE_URL}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::InvalidBaseUrl {
            url: "(a URL with credentials, not shown)".into(),
            reason: "credentials in the URL are not allowed; the key comes from USERPILOT_API_KEY, a key file or a command".into(),
        });
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(refuse(
                "http:// would send the API key unencrypted; use https:// (plain http is allowed only for 127.0.0.1/localhost)",
            ));
        }
        _ => return Err(refuse("use an https:// URL")),
    }
    match url.host() {
        None => return Err(refuse("no host")),
        Some(url::Host::Domain(d)) => {
            let labels_ok = d
                .strip_suffix('.')
                .unwrap_or(d)
                .split('.')
                .all(|l| !l.is_empty() && l.len() <= 63);
            if d.len() > 253 || !labels_ok {
                return Err(refuse(
                    "not a valid host name (labels of 1-63 characters, 253 in all)",
                ));
            }
        }
        Some(_) => {}
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

/// The base URL is the host only: upexport adds `/api/v1/analytics/…`
/// itself. A pasted URL whose path holds `/api/v1` (the documented
/// endpoint copied whole) is cut before it; returns the URL to use and a
/// note saying so, or the input unchanged and `None`.
pub fn normalise_base_url(raw: &str) -> (String, Option<String>) {
    let t = raw.trim();
    let Ok(mut url) = Url::parse(t) else {
        return (raw.to_owned(), None);
    };
    let path = url.path().to_owned();
    let Some(at) = path.find("/api/v1").filter(|at| {
        let rest = &path[at + "/api/v1".len()..];
        rest.is_empty() || rest.starts_with('/')
    }) else {
        return (raw.to_owned(), None);
    };
    url.set_path(&path[..at]);
    url.set_query(None);
    url.set_fragment(None);
    let fixed = url.as_str().trim_end_matches('/').to_owned();
    let note = format!(
        "base URL {t} holds the API path; using {fixed} (the base URL is the host only: upexport adds /api/v1/… itself)"
    );
    (fixed, Some(note))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

impl ApiClient {
    /// A client for `base_url` with `key`. Refuses unsafe base URLs.
    pub fn new(base_url: &str, key: ApiKey, timeouts: Timeouts) -> Result<ApiClient, ApiError> {
        let base = check_base_url(base_url)?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        // Follow a redirect only within the same origin: the Authorization
        // header must never reach another host.
        let policy = redirect::Policy::custom(|attempt| {
            let first = attempt.previous().first().cloned();
            if attempt.previous().len() > 5 {
                attempt.error("more than 5 redirects")
            } else if first.is_some_and(|f| same_origin(&f, attempt.url())) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let mut http = reqwest::Client::builder();
        // $HTTPS_PROXY is honoured for real hosts; a loopback base URL (the
        // demo server, an SSH tunnel) is never sent through a proxy.
        if is_loopback(&base) {
            http = http.no_proxy();
        }
        // An http:// base URL is loopback only (see `check_base_url`) and
        // redirects stay on its origin: no TLS, so no CA roots to load.
        if base.scheme() == "http" {
            http = http.tls_built_in_root_certs(false);
        }
        let http = http
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .redirect(policy)
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .https_only(base.scheme() == "https")
            .build()
            .map_err(|e| ApiError::Other(format!("could not set up HTTP: {e}")))?;
        Ok(ApiClient {
            http,
            files: Arc::default(),
            base,
            key,
            timeouts,
        })
    }

    /// The client for pre-signed links: no key, any host, made on first use.
    pub(crate) fn files(&self) -> Result<&reqwest::Client, ApiError> {
        if let Some(c) = self.files.get() {
            return Ok(c);
        }
        let c = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(redirect::Policy::limited(10))
            .connect_timeout(self.timeouts.connect)
            .read_timeout(self.timeouts.download_idle)
            .build()
            .map_err(|e| ApiError::Other(format!("could not set up HTTP: {e}")))?;
        // Two first downloads at once may both build one; either is fine.
        Ok(self.files.get_or_init(|| c))
    }

    /// The checked base URL (always ends with `/`).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<Url, ApiError> {
        self.base
            .join(path)
            .map_err(|e| ApiError::Other(format!("bad path {path}: {e}")))
    }

    /// Send one API call and map its status to an error when it failed.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        maybe_sent: bool,
    ) -> Result<reqwest::Response, ApiError> {
        let url = self.url(path)?;
        let mut auth =
            HeaderValue::from_str(&format!("Token {}", self.key.expose())).map_err(|_| {
                ApiError::Other("the API key holds characters not allowed in a header".into())
            })?;
        auth.set_sensitive(true);
        let mut req = self
            .http
            .request(method, url.clone())
            .header(AUTHORIZATION, auth);
        if let Some(b) = body {
            req = req.header(CONTENT_TYPE, "application/json").body(b);
        }
        tracing::debug!(url = %url, "request");
        let resp = req
            .send()
            .await
            .map_err(|e| ApiError::from_transport(e, self.timeouts.request, maybe_sent))?;
        let status = resp.status();
        tracing::debug!(url = %url, status = status.as_u16(), "answer");
        if status.is_success() {
            return Ok(resp);
        }
        Err(self.status_error(&url, resp).await)
    }

    async fn status_error(&self, url: &Url, resp: reqwest::Response) -> ApiError {
        let status = resp.status();
        if status.is_redirection() {
            let to = resp
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .map(|u| host_port(&u))
                .unwrap_or_else(|| "an unknown location".into());
            return ApiError::Redirected {
                from_host: host_port(url),
                to,
            };
        }
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // Error bodies are read under a smaller cap: only a message is wanted.
        let body = self.scrub(
            read_capped(resp, 64 * 1024, self.timeouts.request)
                .await
                .unwrap_or_default(),
        );
        let message = envelope_message(&body).or_else(|| {
            let e = excerpt(&body);
            (!e.is_empty()).then_some(e)
        });
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ApiError::Unauthorized {
                status: status.as_u16(),
                message,
            },
            StatusCode::NOT_FOUND => ApiError::NotFound { message },
            StatusCode::CONFLICT => ApiError::Conflict {
                message: message.unwrap_or_else(|| "an export job is already in progress".into()),
            },
            StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited {
                retry_after,
                message,
            },
            s if s.is_server_error() => ApiError::Server {
                status: s.as_u16(),
                excerpt: message
                    .unwrap_or_else(|| s.canonical_reason().unwrap_or("no body").into()),
            },
            s => ApiError::Http {
                status: s.as_u16(),
                excerpt: message
                    .unwrap_or_else(|| s.canonical_reason().unwrap_or("no body").into()),
            },
        }
    }

    /// Replace the key wherever a server echoes it back (some proxies and
    /// frameworks quote request headers in error pages), so it cannot
    /// reach a message, the history or the screen. A key shorter than
    /// [`SHORT_KEY`] bytes is replaced only where it stands alone (not
    /// between letters or digits): an echoed key is a header value or a
    /// quoted string, and a one-letter key would otherwise take every such
    /// letter out of the message ("Invalid API [redacted]ey").
    fn scrub(&self, body: Vec<u8>) -> Vec<u8> {
        let key = self.key.expose().as_bytes();
        if key.is_empty() || body.len() < key.len() {
            return body;
        }
        let alone = |at: usize| {
            let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
            !word(at.checked_sub(1).and_then(|p| body.get(p))) && !word(body.get(at + key.len()))
        };
        let mut out = Vec::with_capacity(body.len());
        let mut i = 0;
        while i < body.len() {
            if body[i..].starts_with(key) && (key.len() >= SHORT_KEY || alone(i)) {
                out.extend_from_slice(b"[redacted]");
                i += key.len();
            } else {
                out.push(body[i]);
                i += 1;
            }
        }
        out
    }

    /// Read a JSON answer of at most `limit` bytes: into one buffer,
    /// parsed from it in place (no text copy beside the bytes).
    async fn json<T: DeserializeOwned>(
        &self,
        resp: reqwest::Response,
        what: &'static str,
        limit: usize,
    ) -> Result<T, ApiError> {
        let body = self.scrub(read_capped(resp, limit, self.timeouts.request).await?);
        serde_json::from_slice(&body).map_err(|e| ApiError::Decode {
            what,
            detail: super::body::sanitise(&e.to_string(), 120),
            excerpt: if body.is_empty() {
                "(empty body)".into()
            } else {
                excerpt(&body)
            },
        })
    }

    /// POST the export request (the seed endpoint).
    pub async fn create_export(&self, req: &ExportRequest) -> Result<CreatedJob, ApiError> {
        let resp = self
            .send(Method::POST, EXPORTS_PATH, Some(req.to_json()), true)
            .await?;
        let status = resp.status();
        let created: CreatedJob = self
            .json(resp, "job confirmation", MAX_JSON_BODY)
            .await
            .map_err(|e| match e {
                ApiError::Decode {
                    detail, excerpt, ..
                } => ApiError::Decode {
                    what: "job confirmation",
                    detail: format!(
                        "HTTP {}, so the export was probably created: see `{}`; {detail}",
                        status.as_u16(),
                        crate::suggest::cmd("jobs")
                    ),
                    excerpt,
                },
                // The 2xx head arrived before the body broke off or stalled:
                // the export was most likely created.
                ApiError::ConnectionLost { host, detail, .. } => ApiError::ConnectionLost {
                    host,
                    detail,
                    maybe_sent: true,
                },
                ApiError::Timeout { host, after, .. } => ApiError::Timeout {
                    host,
                    after,
                    maybe_sent: true,
                },
                ApiError::TooLarge { limit, .. } => ApiError::TooLarge {
                    limit,
                    maybe_sent: true,
                },
                other => other,
            })?;
        if created
            .job_id
            .as_deref()
            .is_none_or(|j| j.trim().is_empty())
        {
            return Err(ApiError::Decode {
                what: "job confirmation",
                detail: format!(
                    "HTTP {} without a job_id, so the export was probably created: see `{}`",
                    status.as_u16(),
                    crate::suggest::cmd("jobs")
                ),
                excerpt: "(no job_id)".into(),
            });
        }
        Ok(created)
    }

    /// GET one job's status.
    pub async fn job(&self, job_id: &str) -> Result<JobStatus, ApiError> {
        let id: String = url::form_urlencoded::byte_serialize(job_id.trim().as_bytes()).collect();
        let resp = self
            .send(
                Method::GET,
                &format!("{EXPORTS_PATH}/jobs/{id}"),
                None,
                false,
            )
            .await?;
        self.json(resp, "job status", MAX_JSON_BODY).await
    }

    /// GET the recent jobs (newest first as the server sends them).
    pub async fn jobs(&self) -> Result<Vec<JobSummary>, ApiError> {
        let resp = self
            .send(Method::GET, &format!("{EXPORTS_PATH}/jobs/"), None, false)
            .await?;
        self.json(resp, "job list", MAX_LIST_BODY).await
    }

    /// GET one page of a lookup. Bare-array lookups come back as one page
    /// with no cursor.
    pub async fn lookup_page(
        &self,
        name: &str,
        after: Option<&str>,
    ) -> Result<LookupPage, ApiError> {
        let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        let mut path = format!("{EXPORTS_PATH}/lookups/{name}");
        if let Some(a) = after {
            let a: String = url::form_urlencoded::byte_serialize(a.as_bytes()).collect();
            path.push_str(&format!("?after_cursor={a}"));
        }
        let resp = self.send(Method::GET, &path, None, false).await?;
        let value: serde_json::Value = self.json(resp, "lookup", MAX_LIST_BODY).await?;
        match value {
            serde_json::Value::Array(data) => Ok(LookupPage {
                data,
                ..Default::default()
            }),
            obj @ serde_json::Value::Object(_) => {
                serde_json::from_value(obj).map_err(|e| ApiError::Decode {
                    what: "lookup page",
                    detail: e.to_string(),
                    excerpt: String::new(),
                })
            }
            other => Err(ApiError::Decode {
                what: "lookup",
                detail: "neither a list nor a page".into(),
                excerpt: super::body::sanitise(&other.to_string(), 80),
            }),
        }
    }

    /// Every item of a lookup, each once, following the cursor through
    /// the pages until they end or go wrong (see [`super::paging`]): the
    /// result says whether it stopped early and whether the list is
    /// complete.
    pub async fn lookup(&self, name: &str) -> Result<Lookup, ApiError> {
        let mut pager = Pager::new(MAX_LOOKUP_PAGES);
        let mut after: Option<String> = None;
        loop {
            let page = self.lookup_page(name, after.as_deref()).await?;
            match pager.take(page) {
                Some(next) => after = Some(next),
                None => return Ok(pager.finish()),
            }
        }
    }
}

impl ApiClient {
    /// GET `path` (under the base URL) for `doctor --api`: the status and
    /// the body (read up to `cap` bytes, the key scrubbed from it). Errors
    /// as every other call's; nothing is retried.
    pub async fn get_for_probe(&self, path: &str, cap: usize) -> Result<(u16, Vec<u8>), ApiError> {
        let resp = self.send(Method::GET, path, None, false).await?;
        let status = resp.status().as_u16();
        let body = self.scrub(read_capped(resp, cap, self.timeouts.request).await?);
        Ok((status, body))
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<Duration> {
    if let Ok(secs) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs.min(3600)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(Duration::from_secs(secs.clamp(0, 3600) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert!(check_base_url("https://appex.userpilot.io").is_ok());
        assert_eq!(
            check_base_url("https://eu.example.com/proxy")
                .unwrap()
                .as_str(),
            "https://eu.example.com/proxy/"
        );
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://localhost:1").is_ok());
        assert!(check_base_url("http://[::1]:1").is_ok());
        let e = check_base_url("http://appex.userpilot.io").unwrap_err();
        assert!(e.to_string().contains("unencrypted"), "{e}");
        let e = check_base_url("https://user:hunter2@x.io").unwrap_err();
        assert!(!e.to_string().contains("hunter2"));
        assert!(check_base_url("ftp://x.io").is_err());
        assert!(check_base_url("appex.userpilot.io").is_err());
    }

    /// A client of 127.0.0.1:9 with API key `key`.
    fn keyed(key: &str) -> ApiClient {
        ApiClient::new(
            "http://127.0.0.1:9",
            ApiKey::new(key).unwrap(),
            Timeouts::default(),
        )
        .unwrap()
    }

    #[test]
    fn an_echoed_key_is_scrubbed() {
        let c = keyed("sek-123");
        let out = c.scrub(b"authorization: Token sek-123; again sek-123!".to_vec());
        assert_eq!(out, b"authorization: Token [redacted]; again [redacted]!");
        let long = keyed("k3y-long-enough");
        let out = long.scrub(b"xk3y-long-enoughx and k3y-long-enough".to_vec());
        assert_eq!(out, b"x[redacted]x and [redacted]");
    }

    /// A very short key is taken out where it stands alone, not from the
    /// middle of the message's words.
    #[test]
    fn a_one_letter_key_is_scrubbed_without_garbling_the_message() {
        let c = keyed("k");
        let out = c.scrub(br#"{"error":"Invalid API key","key":"k"} Token k"#.to_vec());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"error":"Invalid API key","key":"[redacted]"} Token [redacted]"#
        );
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
