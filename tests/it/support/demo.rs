//! The embedded demo server in the test process, and API clients for it.

use std::time::Duration;

use chrono::NaiveDate;
use upexport::api::{ApiClient, ApiKey, JobState, JobStatus, Timeouts};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer, FaultMode};
use upexport::export::{FormInput, Format, validate};

/// The columns of every demo file, in order (API doc section 6).
pub const COLUMNS: [&str; 20] = [
    "app_token",
    "event_type",
    "event_name",
    "user_id",
    "company_id",
    "source",
    "inserted_at",
    "internal_event_id",
    "hostname",
    "pathname",
    "screen_width",
    "screen_height",
    "device_type",
    "user_agent",
    "operating_system",
    "browser",
    "browser_language",
    "session",
    "country_code",
    "metadata",
];

/// The path of the API call that creates an export.
pub const CREATE: &str = "/api/v1/analytics/exports";

/// A demo server in `mode` whose jobs stay pending until a test finishes
/// them (`finish_running_jobs()`), with `rows_per_part` rows in each part.
pub async fn server(mode: FaultMode, rows_per_part: usize) -> DemoServer {
    start(pending(mode, rows_per_part)).await
}

/// The options of [`server`], for a test that changes more of them.
pub fn pending(mode: FaultMode, rows_per_part: usize) -> DemoOptions {
    DemoOptions {
        mode,
        job_duration: Duration::from_secs(600),
        rows_per_part,
        ..DemoOptions::default()
    }
}

pub async fn start(options: DemoOptions) -> DemoServer {
    DemoServer::start(options)
        .await
        .expect("demo server starts")
}

/// Limits no answer of a healthy server on a loaded machine comes near;
/// a test of timeouts sets its own `request`.
pub fn timeouts(request: Duration) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(5),
        request,
        download_idle: Duration::from_secs(20),
    }
}

/// A client of `base` with `key`, giving up on an API call after `request`.
pub fn client_with(base: &str, key: &str, request: Duration) -> ApiClient {
    ApiClient::new(base, ApiKey::new(key).expect("key"), timeouts(request)).expect("client")
}

/// A client of `base` with the demo key.
pub fn client_for(base: &str) -> ApiClient {
    client_with(base, DEMO_KEY, Duration::from_secs(20))
}

pub fn client(s: &DemoServer) -> ApiClient {
    client_for(&s.base_url())
}

/// A completed job of `format` (forced complete, so no waiting).
pub async fn completed_job(s: &DemoServer, c: &ApiClient, format: Format) -> (String, JobStatus) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
    let form = FormInput {
        from: "2026-10-01".into(),
        to: "2026-10-31".into(),
        format: Some(format),
        ..FormInput::default()
    };
    let req = validate(&form, today).expect("valid form").request;
    let id = c
        .create_export(&req)
        .await
        .expect("created")
        .job_id
        .expect("job id");
    s.finish_running_jobs();
    let st = c.job(&id).await.expect("status");
    assert_eq!(st.state(), JobState::Completed);
    assert!(st.presigned_urls.len() >= 2, "{st:?}");
    (id, st)
}

/// Requests for download links so far.
pub fn file_requests(s: &DemoServer) -> usize {
    s.requests()
        .iter()
        .filter(|r| r.path.starts_with("/demo-files/"))
        .count()
}
