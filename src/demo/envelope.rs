//! Building answers: JSON bodies and the API's error envelope
//! `{"errors":[{"details","error","error_code","message"}]}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A JSON answer with `Content-Type: application/json`.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    raw_json(status, body.to_string().into_bytes())
}

/// Bytes labelled as JSON (whether or not they are).
pub(crate) fn raw_json(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// The error envelope body.
pub(crate) fn envelope_body(status: StatusCode, message: &str, details: &str) -> Value {
    let (error, code) = match status.as_u16() {
        400 => ("Bad Request", "bad_request"),
        401 => ("Unauthorized", "unauthorized"),
        403 => ("Forbidden", "forbidden"),
        404 => ("Not Found", "not_found"),
        405 => ("Method Not Allowed", "method_not_allowed"),
        409 => ("Conflict", "conflict"),
        422 => ("Unprocessable Entity", "invalid_request"),
        429 => ("Too Many Requests", "rate_limited"),
        _ => ("Internal Server Error", "internal_error"),
    };
    json!({"errors": [{
        "details": details,
        "error": error,
        "error_code": code,
        "message": message,
    }]})
}

/// An error answer in the envelope.
pub(crate) fn envelope(status: StatusCode, message: &str, details: &str) -> Response {
    json_response(status, &envelope_body(status, message, details))
}
