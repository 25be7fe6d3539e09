//! Tests of the history store; helpers shared by the test files live here.

mod api;
mod jobs;
mod paging;
mod schema;

use super::*;

pub(super) const BASE_URL: &str = "https://appex.userpilot.io";

pub(super) fn body(n: usize) -> String {
    format!(r#"{{"from":"2026-11-01","to":"2026-11-02","format":"csv","n":{n}}}"#)
}

pub(super) fn attempt(json: &str) -> NewAttempt<'_> {
    NewAttempt {
        source: SOURCE_CLI,
        profile: "default",
        base_url: BASE_URL,
        request_json: json,
    }
}

pub(super) fn created(job_id: &str) -> Created {
    Created {
        job_id: job_id.to_owned(),
        environment_name: Some("production".into()),
        environment_app_token: Some("NX-RE213S2".into()),
        start_time: Some("2026-11-27T10:15:00Z".into()),
        links: Some("https://example.invalid/links".into()),
    }
}

pub(super) fn failed(kind: &str, status: Option<u16>) -> Failed {
    Failed {
        kind: kind.to_owned(),
        http_status: status,
        message: format!("{kind} happened"),
    }
}
