//! How much of an answer the client reads: lookups and the job list up to
//! 64 MiB (a 20,000-item `features_events` is 2.3 MB), a job's status and
//! a create answer up to 1 MiB. Against a 127.0.0.1 axum server.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use upexport::api::{ApiError, MAX_JSON_BODY, MAX_LIST_BODY};

use crate::support::demo::client_for;
use crate::support::within;

/// 20,000 features of about 115 bytes each: 2.3 MB.
fn features() -> Value {
    (0..20_000)
        .map(|i| {
            json!({
                "display_name": format!("Feature {i:05} of the reporting dashboard"),
                "key": format!("feature_{i:05}_reporting_dashboard"),
                "data_type": "string",
            })
        })
        .collect()
}

/// About 2 MiB of job summaries.
fn job_list() -> Value {
    (0..15_000)
        .map(|i| {
            json!({
                "job_id": format!("00000000-0000-4000-8000-{i:012}"),
                "status": "completed",
                "progress": "100",
                "start_time": "2026-11-01T00:00:00Z",
                "end_time": "2026-11-01T00:10:00Z",
            })
        })
        .collect()
}

/// `n` bytes of a JSON array, streamed in chunks without a Content-Length
/// (so only counting while reading can refuse it).
fn streamed_array(n: usize) -> Response {
    const CHUNK: usize = 1 << 20;
    let chunks = (0..n.div_ceil(CHUNK)).map(move |i| {
        let len = CHUNK.min(n - i * CHUNK);
        let mut c = vec![b' '; len];
        if i == 0 {
            c[0] = b'[';
        }
        Ok::<_, std::convert::Infallible>(Bytes::from(c))
    });
    Body::from_stream(futures_util::stream::iter(chunks)).into_response()
}

async fn server() -> String {
    let app = Router::new()
        .route(
            "/api/v1/analytics/exports/lookups/features_events",
            get(|| async { axum::Json(features()) }),
        )
        .route(
            "/api/v1/analytics/exports/lookups/huge",
            get(|| async { streamed_array(MAX_LIST_BODY + 1) }),
        )
        .route(
            "/api/v1/analytics/exports/jobs/",
            get(|| async { axum::Json(job_list()) }),
        )
        .route(
            "/api/v1/analytics/exports/jobs/{id}",
            get(|| async {
                axum::Json(json!({"job_id": "j", "status": "completed", "links": "x".repeat(MAX_JSON_BODY)}))
            }),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", l.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    base
}

#[tokio::test]
async fn lookups_and_the_job_list_are_read_past_1_mib() {
    within(async {
        let base = server().await;
        let c = client_for(&base);
        assert!(features().to_string().len() > 2_300_000);
        let got = c.lookup("features_events").await.unwrap();
        assert_eq!(got.items.len(), 20_000);
        assert_eq!(
            got.items[19_999]["key"],
            "feature_19999_reporting_dashboard"
        );
        assert!(got.is_complete());

        assert!(job_list().to_string().len() > 2 << 20);
        let jobs = c.jobs().await.unwrap();
        assert_eq!(jobs.len(), 15_000);

        // A job's status keeps the 1 MiB cap.
        let e = c.job("j").await.unwrap_err();
        assert!(
            matches!(e, ApiError::TooLarge { limit, .. } if limit == MAX_JSON_BODY),
            "{e:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_lookup_over_64_mib_is_refused_while_reading() {
    within(async {
        let base = server().await;
        let e = client_for(&base).lookup("huge").await.unwrap_err();
        assert_eq!(MAX_LIST_BODY, 64 << 20);
        assert!(
            matches!(e, ApiError::TooLarge { limit, .. } if limit == MAX_LIST_BODY),
            "{e:?}"
        );
        assert!(e.to_string().contains("over 65536 KiB"), "{e}");
    })
    .await;
}
