//! The JSON bodies describing jobs. Every scalar is a string, as the real
//! API sends them; `end_time` is `""` until a job has ended.

use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::mode::FaultMode;
use super::rows::APP_TOKEN;
use super::state::{Job, JobInfo, Phase, Shared};

/// The status word of `phase`: the documented ones, or in
/// [`FaultMode::VendorDiffers`] words no client knows (the vendor
/// documents no enum), the final one beside an `end_time`.
fn status_word(phase: &Phase, mode: FaultMode) -> &'static str {
    if mode != FaultMode::VendorDiffers {
        return phase.status();
    }
    match phase {
        Phase::Pending => "warming_up",
        Phase::Processing { .. } => "crunching",
        Phase::Completed { .. } => "ready_for_download",
        Phase::Failed { .. } => "kaput",
    }
}

/// In [`FaultMode::VendorDiffers`]: fields no client knows, added to every
/// object, and the documented `type` left out.
fn differ(v: &mut Value, mode: FaultMode) {
    if mode != FaultMode::VendorDiffers {
        return;
    }
    if let Value::Object(m) = v {
        m.remove("type");
        m.insert("region".into(), json!("eu-central-1"));
        m.insert("schema_version".into(), json!(3));
        m.insert(
            "owner".into(),
            json!({"kind": "api", "email": "ops@example.com", "tags": ["bulk", "nightly"]}),
        );
    }
}

/// The environment name the demo reports.
pub const ENVIRONMENT_NAME: &str = "demo";

/// RFC 3339 in UTC, whole seconds: `2026-11-01T12:00:00Z`.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The 201 answer to a create.
pub(crate) fn created(shared: &Shared, job: &JobInfo) -> Value {
    let mut v = json!({
        "environment_app_token": APP_TOKEN,
        "environment_name": ENVIRONMENT_NAME,
        "job_id": job.id,
        "links": format!(
            "Download links will be listed under presigned_urls at {}/api/v1/analytics/exports/jobs/{} once the job has completed, and sent to the requested emails.",
            shared.base_url, job.id
        ),
        "start_time": time(job.start_time),
    });
    differ(&mut v, shared.mode());
    v
}

/// `GET /api/v1/analytics/exports/jobs/{id}`.
pub(crate) fn status(shared: &Shared, job: &Job, now: Instant) -> Value {
    let phase = job.phase(now);
    let n = job.chunks.len();
    let (done, progress, current, end) = match &phase {
        Phase::Pending => (0, 0, String::new(), String::new()),
        Phase::Processing { done, progress } => {
            (*done, *progress, job.chunks[*done].clone(), String::new())
        }
        Phase::Completed { end } => (n, 100, String::new(), time(*end)),
        Phase::Failed { end, done, .. } => {
            let progress = (*done * 100 / n.max(1)) as u32;
            (*done, progress, String::new(), time(*end))
        }
    };
    let urls: Vec<Value> = if matches!(phase, Phase::Completed { .. }) {
        job.files
            .iter()
            .map(|f| json!({"filename": f, "url": shared.presigned_url(&job.id, f)}))
            .collect()
    } else {
        Vec::new()
    };
    let mut v = json!({
        "app_token": APP_TOKEN,
        "job_id": job.id,
        "status": status_word(&phase, shared.mode()),
        "type": "export",
        "progress": progress.to_string(),
        "start_time": time(job.start_time),
        "end_time": end,
        "all_chunks": job.chunks,
        "completed_chunks": job.chunks[..done],
        "current_chunk": current,
        "presigned_urls": urls,
    });
    if let Phase::Failed { reason, .. } = &phase {
        v["error"] = Value::String(reason.clone());
    }
    differ(&mut v, shared.mode());
    v
}

/// One entry of `GET /api/v1/analytics/exports/jobs/`.
pub(crate) fn list_entry(job: &Job, now: Instant, mode: FaultMode) -> Value {
    let phase = job.phase(now);
    let (progress, end) = match &phase {
        Phase::Pending => (0, None),
        Phase::Processing { progress, .. } => (*progress, None),
        Phase::Completed { end } => (100, Some(*end)),
        Phase::Failed { end, done, .. } => {
            ((*done * 100 / job.chunks.len().max(1)) as u32, Some(*end))
        }
    };
    let secs = (end.unwrap_or_else(Utc::now) - job.start_time)
        .num_seconds()
        .max(0);
    let mut v = json!({
        "job_id": job.id,
        "status": status_word(&phase, mode),
        "progress": progress.to_string(),
        "start_time": time(job.start_time),
        "end_time": end.map(time).unwrap_or_default(),
        "elapsed_time": format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60),
        "elapsed_time_seconds": secs.to_string(),
    });
    differ(&mut v, mode);
    v
}
