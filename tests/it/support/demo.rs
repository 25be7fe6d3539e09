//! The embedded demo server in the test process, and API clients for it.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use chrono::NaiveDate;
use upexport::api::{ApiClient, ApiKey, JobState, JobStatus, Timeouts};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer, FaultMode};
use upexport::export::{FormInput, Format, validate};

const LIMIT: Duration = Duration::from_secs(120);

/// Fail the test instead of hanging it.
pub async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("test took too long")
}

pub async fn server(mode: FaultMode) -> DemoServer {
    DemoServer::start(DemoOptions {
        mode,
        // Jobs stay pending until a test finishes them.
        job_duration: Duration::from_secs(600),
        rows_per_part: 300,
        ..DemoOptions::default()
    })
    .await
    .expect("demo server starts")
}

pub fn client_for(base: &str) -> ApiClient {
    ApiClient::new(
        base,
        ApiKey::new(DEMO_KEY).unwrap(),
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(20),
            download_idle: Duration::from_secs(20),
        },
    )
    .expect("client")
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
