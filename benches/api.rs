//! Request building (validate the raw form, make the JSON body) and
//! response decoding (the create answer, a completed job's status, the
//! job list), small and large.

use divan::Bencher;
use upexport::api::{CreatedJob, JobStatus, JobSummary};
use upexport::export::{FormInput, Format, validate};

fn main() {
    divan::main();
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("day")
}

fn form(ids: usize) -> FormInput {
    FormInput {
        from: "2026-11-01".into(),
        to: "2026-11-26".into(),
        emails: "ana@example.com, bo@example.com".into(),
        event_type: "track, page_view".into(),
        user_id: (0..ids)
            .map(|i| format!("user-{i:06}"))
            .collect::<Vec<_>>()
            .join(", "),
        format: Some(Format::Csv),
        ..Default::default()
    }
}

/// Validate the form and serialise the body, as submit does.
#[divan::bench(args = [1, 100_000])]
fn build_request(bencher: Bencher, ids: usize) {
    let input = form(ids);
    bencher.bench_local(|| {
        let v = validate(&input, today()).expect("valid");
        divan::black_box(v.request.to_json())
    });
}

const CREATED: &str = r#"{"environment_app_token":"NX-DEMO0001","environment_name":"demo","job_id":"3f2b8c1e-9d4a-4c2e-8f1a-6b7c8d9e0f12","links":"Download links will be listed under presigned_urls once the job has completed.","start_time":"2026-11-27T09:14:00Z"}"#;

#[divan::bench]
fn decode_created() -> CreatedJob {
    serde_json::from_str(divan::black_box(CREATED)).expect("decode")
}

/// A completed job over a year of daily chunks with two download links.
fn completed_status() -> String {
    let chunks: Vec<String> = (0..365)
        .map(|d| format!("\"2025-{:02}-{:02}\"", d % 12 + 1, d % 28 + 1))
        .collect();
    let url = "https://bucket.s3.amazonaws.com/exports/part-0001.csv.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=172800&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    format!(
        r#"{{"app_token":"NX-DEMO0001","job_id":"3f2b8c1e","status":"completed","type":"csv","progress":"100","start_time":"2026-11-27T09:14:00Z","end_time":"2026-11-27T09:20:00Z","all_chunks":[{c}],"completed_chunks":[{c}],"current_chunk":"","presigned_urls":[{{"filename":"part-0001.csv.gz","url":"{url}"}},{{"filename":"part-0002.csv.gz","url":"{url}"}}]}}"#,
        c = chunks.join(",")
    )
}

#[divan::bench]
fn decode_completed_status(bencher: Bencher) {
    let body = completed_status();
    bencher.bench_local(|| {
        serde_json::from_str::<JobStatus>(divan::black_box(&body)).expect("decode")
    });
}

/// `GET jobs/`: 100 jobs.
#[divan::bench]
fn decode_job_list_100(bencher: Bencher) {
    let one = r#"{"app_token":"NX-DEMO0001","job_id":"3f2b8c1e-9d4a-4c2e-8f1a-6b7c8d9e0f12","status":"completed","type":"csv","progress":"100","start_time":"2026-11-27T09:14:00Z","end_time":"2026-11-27T09:20:00Z"}"#;
    let body = format!("[{}]", vec![one; 100].join(","));
    bencher.bench_local(|| {
        serde_json::from_str::<Vec<JobSummary>>(divan::black_box(&body)).expect("decode")
    });
}
