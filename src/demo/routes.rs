//! The HTTP routes of the demo API (the fault layer in [`super::faults`]
//! wraps them all).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use super::envelope::{envelope, envelope_body, json_response, raw_json};
use super::faults;
use super::files;
use super::lookups::{LookupError, lookup};
use super::mode::FaultMode;
use super::spec;
use super::state::Shared;
use super::vendor_lookups;
use super::views;

/// The create path (the seed's form; a trailing slash is accepted too).
pub const CREATE_PATH: &str = "/api/v1/analytics/exports";
/// Prefix of every authenticated API path.
pub const API_PREFIX: &str = "/api/";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(index))
        .route(CREATE_PATH, post(create))
        .route("/api/v1/analytics/exports/", post(create))
        .route("/api/v1/analytics/exports/jobs", get(list_jobs))
        .route("/api/v1/analytics/exports/jobs/", get(list_jobs))
        .route("/api/v1/analytics/exports/jobs/{job_id}", get(job_status))
        .route(
            "/api/v1/analytics/exports/lookups/{name}",
            get(lookup_route),
        )
        .route("/demo-files/{job_id}/{file}", get(download))
        .fallback(fallback)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::layer,
        ))
        .with_state(shared)
}

async fn index(State(s): State<Arc<Shared>>) -> String {
    format!(
        "upexport demo server: a stand-in for Userpilot's export API.\n\
         Base URL: {}\nAPI key:  {}\nMode:     {} ({})\n",
        s.base_url,
        super::DEMO_KEY,
        s.mode(),
        s.mode().describe()
    )
}

async fn create(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    if s.mode() == FaultMode::Conflict {
        return envelope(
            StatusCode::CONFLICT,
            "An export job is already in progress",
            "Export job 00000000-0000-4000-8000-000000000409 is processing; wait for it to finish before starting another",
        );
    }
    let today = chrono::Utc::now().date_naive();
    let spec = match spec::parse(&body, today) {
        Ok(spec) => spec,
        Err(why) => {
            return envelope(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid export request",
                &why,
            );
        }
    };
    if s.holds(spec.from.date_naive()) {
        // A test knob: the client is killed while it waits for this.
        std::future::pending::<()>().await;
    }
    match s.create_job(spec) {
        Err(running) => envelope(
            StatusCode::CONFLICT,
            "An export job is already in progress",
            &format!(
                "Export job {} is {} (started {}); wait for it to finish before starting another",
                running.id,
                running.status,
                views::time(running.start_time)
            ),
        ),
        Ok(job) if s.mode() == FaultMode::EmptyCreated => {
            tracing::debug!(job = %job.id, "demo job created, answering with an empty body");
            raw_json(StatusCode::CREATED, Vec::new())
        }
        Ok(job) => json_response(StatusCode::CREATED, &views::created(&s, &job)),
    }
}

async fn list_jobs(State(s): State<Arc<Shared>>) -> Response {
    let mode = s.mode();
    let list: Vec<Value> =
        s.with_jobs(|jobs, now| jobs.map(|j| views::list_entry(j, now, mode)).collect());
    json_response(StatusCode::OK, &Value::Array(list))
}

async fn job_status(State(s): State<Arc<Shared>>, Path(job_id): Path<String>) -> Response {
    match s.with_job(&job_id, |j, now| views::status(&s, j, now)) {
        Some(v) => json_response(StatusCode::OK, &v),
        None => envelope(
            StatusCode::NOT_FOUND,
            "Export job not found",
            &format!(
                "No export job with id {job_id} in this environment (job status is kept for 3 days)"
            ),
        ),
    }
}

async fn lookup_route(
    State(s): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let differs = s.mode() == FaultMode::VendorDiffers;
    let answer = if differs {
        vendor_lookups::lookup(&name, &query)
    } else {
        lookup(&name, &query)
    };
    let (status, message, details) = match answer {
        Ok(v) => return json_response(StatusCode::OK, &v),
        Err(LookupError::Unknown) => (
            StatusCode::NOT_FOUND,
            "Lookup not found",
            format!("There is no lookup named '{name}'"),
        ),
        Err(LookupError::BadCursor(c)) => (
            StatusCode::BAD_REQUEST,
            "Invalid cursor",
            format!("'{c}' is not a cursor this lookup handed out"),
        ),
        Err(LookupError::BadLimit(l)) => (
            StatusCode::BAD_REQUEST,
            "Invalid limit",
            format!("limit '{l}' must be a number from 1 to 100"),
        ),
    };
    let body = envelope_body(status, message, &details);
    let body = if differs {
        vendor_lookups::pad_envelope(body)
    } else {
        body
    };
    json_response(status, &body)
}

async fn download(
    State(s): State<Arc<Shared>>,
    Path((job_id, file)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let ask = files::Ask {
        range: text(header::RANGE),
        if_range: text(header::IF_RANGE),
    };
    let reply = files::download(&s, &job_id, &file, uri.query(), ask);
    let mut resp = (
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK),
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        if let Ok(v) = value.parse() {
            resp.headers_mut().insert(name, v);
        }
    }
    resp
}

/// A known path asked with another method: 405 with the error envelope
/// (not axum's empty answer), as the vendor's other errors come.
async fn wrong_method(method: axum::http::Method, uri: Uri) -> Response {
    envelope(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        &format!("{method} is not allowed on {}", uri.path()),
    )
}

async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with(API_PREFIX) {
        envelope(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("No API endpoint at {}", uri.path()),
        )
    } else {
        (StatusCode::NOT_FOUND, "not found\n").into_response()
    }
}
