//! The HTTP-level fault layer around every route: records each request,
//! then applies the current [`FaultMode`] and the API key check. (Modes
//! that break the connection itself live in [`super::conn`].)

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::DEMO_KEY;
use super::envelope::{envelope, raw_json};
use super::mode::FaultMode;
use super::routes::API_PREFIX;
use super::state::{RecordedRequest, Shared};

/// Largest request body read (bigger ones get 413).
const MAX_BODY: usize = 16 << 20;
/// Size of the padding string in `Oversized` answers.
pub const OVERSIZED_BYTES: usize = 2 << 20;
/// The body of `GarbageJson` answers: labelled JSON, not JSON.
pub const GARBAGE: &[u8] = b"{\"job_id\": \"3f2b8c1e\", \"status\": completed, <<not json>>";
/// The page `ServerErrorHtml` answers with.
pub const ERROR_PAGE: &str = "<!DOCTYPE html>\n<html>\n<head><title>500 Internal Server Error</title></head>\n<body>\n<center><h1>500 Internal Server Error</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n";

/// The header's text, if present and readable.
pub(crate) fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// True when `host` (a `Host` header) names `localhost`.
pub(crate) fn is_localhost(host: Option<&str>) -> bool {
    host.and_then(|h| h.rsplit_once(':').map(|(name, _)| name).or(Some(h)))
        .is_some_and(|name| name.eq_ignore_ascii_case("localhost"))
}

/// True when `value` is `Token <DEMO_KEY>` (scheme case-insensitive).
pub(crate) fn key_ok(value: Option<&str>) -> bool {
    value
        .and_then(|v| v.trim().split_once(' '))
        .is_some_and(|(scheme, key)| scheme.eq_ignore_ascii_case("token") && key.trim() == DEMO_KEY)
}

pub(crate) async fn layer(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, MAX_BODY).await;
    let host = header_text(&parts.headers, header::HOST);
    let authorization = header_text(&parts.headers, header::AUTHORIZATION);
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    s.record(RecordedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        host: host.clone(),
        authorization: authorization.clone(),
        body: body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default(),
    });
    let Ok(body) = body else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response();
    };

    if s.take_flaky() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "503 Service Unavailable: upstream is restarting, try again shortly\n",
        )
            .into_response();
    }
    if !parts.uri.path().starts_with(API_PREFIX) {
        return next.run(Request::from_parts(parts, Body::from(body))).await;
    }

    let mode = s.mode();
    if mode == FaultMode::RedirectOffHost && !is_localhost(host.as_deref()) {
        let location = format!("http://localhost:{}{path}", s.port);
        return (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location.clone())],
            format!("Moved to {location}\n"),
        )
            .into_response();
    }
    if mode == FaultMode::Slow {
        tokio::time::sleep(s.settings.slow_delay).await;
    }
    let fault = match mode {
        FaultMode::Unauthorized => Some((
            StatusCode::UNAUTHORIZED,
            "Invalid API key",
            "The API key was revoked or belongs to no environment",
        )),
        FaultMode::Forbidden => Some((
            StatusCode::FORBIDDEN,
            "Insufficient permissions",
            "This API key may not export data from this environment",
        )),
        FaultMode::NotFound => Some((
            StatusCode::NOT_FOUND,
            "Not found",
            "The requested resource does not exist",
        )),
        FaultMode::RateLimited => Some((
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            "Rate limit exceeded; retry after 2 seconds",
        )),
        _ => None,
    };
    if let Some((status, message, details)) = fault {
        let mut resp = envelope(status, message, details);
        if status == StatusCode::TOO_MANY_REQUESTS {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        return resp;
    }
    if mode == FaultMode::ServerErrorHtml {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html")],
            ERROR_PAGE,
        )
            .into_response();
    }
    if !key_ok(authorization.as_deref()) {
        let details = if authorization.is_none() {
            "Missing Authorization header: send 'Authorization: Token <API key>'"
        } else {
            "The API key in the Authorization header is not valid for any environment"
        };
        return envelope(StatusCode::UNAUTHORIZED, "Invalid API key", details);
    }

    let resp = next.run(Request::from_parts(parts, Body::from(body))).await;
    if !resp.status().is_success() {
        return resp;
    }
    match mode {
        FaultMode::GarbageJson => raw_json(resp.status(), GARBAGE.to_vec()),
        FaultMode::Oversized => oversize(resp).await,
        _ => resp,
    }
}

/// The same answer, padded to over 2 MiB of valid JSON: a huge `links`
/// string on objects, one more `{"links": ...}` item on arrays.
async fn oversize(resp: Response) -> Response {
    let status = resp.status();
    let Ok(bytes) = to_bytes(resp.into_body(), MAX_BODY).await else {
        return raw_json(StatusCode::INTERNAL_SERVER_ERROR, b"{}".to_vec());
    };
    let padding = Value::String("x".repeat(OVERSIZED_BYTES));
    let value = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut map)) => {
            map.insert("links".into(), padding);
            Value::Object(map)
        }
        Ok(Value::Array(mut items)) => {
            items.push(serde_json::json!({ "links": padding }));
            Value::Array(items)
        }
        _ => serde_json::json!({ "links": padding }),
    };
    raw_json(status, value.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_names() {
        assert!(is_localhost(Some("localhost:8080")));
        assert!(is_localhost(Some("LOCALHOST")));
        assert!(!is_localhost(Some("127.0.0.1:8080")));
        assert!(!is_localhost(None));
    }

    #[test]
    fn keys() {
        assert!(key_ok(Some("Token upexport-demo-key")));
        assert!(key_ok(Some("token  upexport-demo-key ")));
        assert!(!key_ok(Some("Bearer upexport-demo-key")));
        assert!(!key_ok(Some("Token nope")));
        assert!(!key_ok(None));
        assert!(serde_json::from_slice::<Value>(GARBAGE).is_err());
    }
}
