//! The lookup cache against the embedded demo server on 127.0.0.1. Waits
//! are on conditions under hard limits; no test sleeps to synchronise or
//! asserts timings.

mod lookups;

use std::future::Future;
use std::time::Duration;

use upexport::api::{ApiClient, ApiKey, Timeouts};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer, FaultMode};

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
