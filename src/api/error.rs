//! Errors a person can act on. Every variant says what happened and what
//! to do next; none carries the API key (the client never puts it in one).

use std::error::Error as _;
use std::time::Duration;

use super::ErrorKind;

/// What went wrong talking to the export API or downloading a file.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{}", unauthorized_text(*status, message.as_deref()))]
    Unauthorized {
        status: u16,
        message: Option<String>,
    },

    #[error("{}", conflict_text(message))]
    Conflict { message: String },

    #[error("not found (HTTP 404{}); check the base URL (a job's status is also kept 3 days only)", colon(message.as_deref()))]
    NotFound { message: Option<String> },

    #[error("rate limited (HTTP 429{}); {}", colon(message.as_deref()), retry_text(*retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        message: Option<String>,
    },

    #[error("server error (HTTP {status}: {excerpt}); try again in a minute")]
    Server { status: u16, excerpt: String },

    #[error("request refused (HTTP {status}: {excerpt})")]
    Http { status: u16, excerpt: String },

    #[error("the server's answer is not the expected {what} ({detail}); it began: {excerpt}")]
    Decode {
        what: &'static str,
        detail: String,
        excerpt: String,
    },

    #[error("the server's answer is over {} KiB; refused to read it{}", limit / 1024, if *maybe_sent { "; the export was probably created: see `upexport jobs`" } else { "" })]
    TooLarge { limit: usize, maybe_sent: bool },

    #[error("no answer from {host} within {} s (timeout){}", after.as_secs_f32().round(), if *maybe_sent { "; the export may still have been created: check History or `upexport jobs` before submitting again" } else { "" })]
    Timeout {
        host: String,
        after: Duration,
        maybe_sent: bool,
    },

    #[error(
        "could not connect to {host} ({detail}); check the base URL and that the host is reachable"
    )]
    Connect { host: String, detail: String },

    #[error("could not resolve host {host}; check the base URL and your DNS")]
    Dns { host: String },

    #[error(
        "TLS handshake with {host} failed ({detail}); check the base URL (https:// and the port), and if a proxy re-signs traffic, point SSL_CERT_FILE at its CA"
    )]
    Tls { host: String, detail: String },

    #[error("the connection to {host} broke before the answer was complete ({detail}){}", if *maybe_sent { "; the export may still have been created: check History or `upexport jobs`" } else { "" })]
    ConnectionLost {
        host: String,
        detail: String,
        maybe_sent: bool,
    },

    #[error(
        "{from_host} redirected to {to}; not followed, so the API key is not sent to another host; check the base URL"
    )]
    Redirected { from_host: String, to: String },

    #[error("base URL {url:?} refused: {reason}")]
    InvalidBaseUrl { url: String, reason: String },

    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{}", wait_limit_text(job_id, status, *known, *waited))]
    WaitLimit {
        job_id: String,
        /// The last status word, as the API sent it.
        status: String,
        /// Whether upexport knows the word (else it says so).
        known: bool,
        waited: Duration,
    },

    #[error("{0}")]
    Other(String),
}

fn wait_limit_text(job_id: &str, status: &str, known: bool, waited: Duration) -> String {
    let word = match (status.is_empty(), known) {
        (true, _) => "no status".to_owned(),
        (false, true) => format!("status '{status}'"),
        (false, false) => format!("status '{status}' (a word upexport does not know)"),
    };
    format!(
        "stopped waiting for job {job_id} after {}: it still reports {word}; it may yet finish: look again with `upexport status {job_id}`, or wait longer with --max-wait",
        crate::human::duration(waited.as_secs() as i64)
    )
}

/// The 409 text: what happened, the server's words without what they
/// repeat, and what to do, said once. The vendor documents the envelope of
/// a 409 ("An export job is already in progress") but not its details;
/// those seen (the demo's) already say to wait, so the advice is added only
/// when the server's words do not give it (a guess at the vendor's words).
fn conflict_text(message: &str) -> String {
    const LEAD: &str = "an export job is already in progress";
    let m = message.trim();
    // "An export job is already in progress (details)": the details only.
    let words = match m.get(..LEAD.len()) {
        Some(head) if head.eq_ignore_ascii_case(LEAD) => {
            let rest = m[LEAD.len()..].trim();
            rest.strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .unwrap_or(rest)
                .trim()
        }
        _ => m,
    };
    let mut out = String::from("an export is already running in this environment (HTTP 409)");
    if !words.is_empty() {
        out.push_str(": ");
        out.push_str(words);
    }
    if !words.to_ascii_lowercase().contains("wait") {
        out.push_str("; wait for it to finish, then submit again");
    }
    out
}

fn unauthorized_text(status: u16, message: Option<&str>) -> String {
    if status == 403 {
        format!(
            "the API key may not do this (HTTP 403{}); the export API needs the Enterprise plan or the Growth add-on: use a key with export rights",
            colon(message)
        )
    } else {
        format!(
            "the API key was refused (HTTP 401{}); check it is this environment's key (Userpilot → Environment settings)",
            colon(message)
        )
    }
}

fn colon(message: Option<&str>) -> String {
    message.map(|m| format!(": {m}")).unwrap_or_default()
}

fn retry_text(after: Option<Duration>) -> String {
    match after {
        Some(d) => format!("retry in {} s", d.as_secs().max(1)),
        None => "retry in a little while".into(),
    }
}

impl ApiError {
    /// A stable, short name for the kind of failure (stored in history,
    /// printed with `--json`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Unauthorized { status: 403, .. } => ErrorKind::Forbidden,
            ApiError::Unauthorized { .. } => ErrorKind::Unauthorized,
            ApiError::Conflict { .. } => ErrorKind::Conflict,
            ApiError::NotFound { .. } => ErrorKind::NotFound,
            ApiError::RateLimited { .. } => ErrorKind::RateLimited,
            ApiError::Server { .. } => ErrorKind::ServerError,
            ApiError::Http { .. } => ErrorKind::HttpError,
            ApiError::Decode { .. } => ErrorKind::BadResponse,
            ApiError::TooLarge { .. } => ErrorKind::TooLarge,
            ApiError::Timeout { .. } => ErrorKind::Timeout,
            ApiError::Connect { .. } => ErrorKind::Connect,
            ApiError::Dns { .. } => ErrorKind::Dns,
            ApiError::Tls { .. } => ErrorKind::Tls,
            ApiError::ConnectionLost { .. } => ErrorKind::ConnectionLost,
            ApiError::Redirected { .. } => ErrorKind::Redirect,
            ApiError::InvalidBaseUrl { .. } => ErrorKind::InvalidBaseUrl,
            ApiError::Io { .. } => ErrorKind::Io,
            ApiError::WaitLimit { .. } => ErrorKind::WaitLimit,
            ApiError::Other(_) => ErrorKind::Other,
        }
    }

    /// The HTTP status the server answered, when it answered.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { status, .. }
            | ApiError::Server { status, .. }
            | ApiError::Http { status, .. } => Some(*status),
            ApiError::Conflict { .. } => Some(409),
            ApiError::NotFound { .. } => Some(404),
            ApiError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The server's own message, when it sent one.
    pub fn server_message(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized { message, .. }
            | ApiError::NotFound { message }
            | ApiError::RateLimited { message, .. } => message.as_deref(),
            ApiError::Conflict { message } => Some(message),
            ApiError::Server { excerpt, .. } | ApiError::Http { excerpt, .. } => Some(excerpt),
            _ => None,
        }
    }

    /// True when the request may have reached the server and done its work
    /// even though no answer arrived.
    pub fn maybe_sent(&self) -> bool {
        matches!(
            self,
            ApiError::Timeout {
                maybe_sent: true,
                ..
            } | ApiError::ConnectionLost {
                maybe_sent: true,
                ..
            } | ApiError::TooLarge {
                maybe_sent: true,
                ..
            }
        )
    }

    /// True when trying again later can help (server trouble, network).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Timeout { .. }
                | ApiError::Connect { .. }
                | ApiError::ConnectionLost { .. }
        )
    }

    /// Classify a transport-level reqwest error. `maybe_sent` marks
    /// requests whose effect on the server is unknown when they fail late.
    pub(crate) fn from_transport(
        e: reqwest::Error,
        timeout: Duration,
        maybe_sent: bool,
    ) -> ApiError {
        let host = e
            .url()
            .map(host_port)
            .unwrap_or_else(|| "the server".into());
        let chain = source_chain(&e);
        let lower = chain.to_ascii_lowercase();
        if e.is_timeout() {
            return ApiError::Timeout {
                host,
                after: timeout,
                maybe_sent,
            };
        }
        if e.is_redirect() {
            return ApiError::Other(format!("too many redirects from {host}"));
        }
        if lower.contains("dns error")
            || lower.contains("failed to lookup address")
            || lower.contains("name or service not known")
        {
            return ApiError::Dns {
                host: e.url().and_then(|u| u.host_str()).unwrap_or("?").to_owned(),
            };
        }
        if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
            || lower.contains("invalidcontenttype")
        {
            return ApiError::Tls {
                host,
                detail: deepest(&e),
            };
        }
        if e.is_connect() {
            return ApiError::Connect {
                host,
                detail: deepest(&e),
            };
        }
        ApiError::ConnectionLost {
            host,
            detail: deepest(&e),
            maybe_sent,
        }
    }

    /// For errors met while reading the body of an answer from `url`
    /// (which took longer than `timeout` if it timed out).
    pub(crate) fn from_body(e: reqwest::Error, url: &reqwest::Url, timeout: Duration) -> ApiError {
        let host = host_port(url);
        if e.is_timeout() {
            return ApiError::Timeout {
                host,
                after: timeout,
                maybe_sent: false,
            };
        }
        ApiError::ConnectionLost {
            host,
            detail: deepest(&e),
            maybe_sent: false,
        }
    }
}

/// `host:port` of a URL (port only when not the scheme's default).
pub fn host_port(u: &reqwest::Url) -> String {
    let host = u.host_str().unwrap_or("?");
    match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    }
}

fn source_chain(e: &reqwest::Error) -> String {
    let mut out = String::new();
    let mut cur: Option<&dyn std::error::Error> = e.source();
    while let Some(s) = cur {
        out.push_str(&s.to_string());
        out.push_str(" / ");
        cur = s.source();
    }
    out
}

/// The innermost cause, which is the one that says what really happened
/// ("Connection refused (os error 111)", "invalid peer certificate: …").
fn deepest(e: &reqwest::Error) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    super::body::sanitise(&cur.to_string(), 160)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses() {
        let e = ApiError::Unauthorized {
            status: 403,
            message: None,
        };
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert_eq!(e.http_status(), Some(403));
        let e = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            message: None,
        };
        assert!(e.to_string().contains("retry in 7 s"));
        assert!(e.is_transient());
    }

    /// The 409 text says to wait once, and not the envelope's headline
    /// again after its own.
    #[test]
    fn conflict_says_what_to_do_once() {
        let e = ApiError::Conflict {
            message: "An export job is already in progress (Export job 42 is processing (started 2026-11-27T09:00:00Z); wait for it to finish before starting another)".into(),
        };
        assert_eq!(
            e.to_string(),
            "an export is already running in this environment (HTTP 409): Export job 42 is processing (started 2026-11-27T09:00:00Z); wait for it to finish before starting another"
        );
        let e = ApiError::Conflict {
            message: "An export job is already in progress".into(),
        };
        assert_eq!(
            e.to_string(),
            "an export is already running in this environment (HTTP 409); wait for it to finish, then submit again"
        );
        let e = ApiError::Conflict {
            message: "job 42 is running".into(),
        };
        let text = e.to_string();
        assert!(
            text.contains(": job 42 is running; wait for it to finish, then submit again"),
            "{text}"
        );
        assert_eq!(text.matches("wait").count(), 1, "{text}");
    }
}
