//! The embedded demo server: a stand-in for Userpilot's export API on
//! 127.0.0.1, so the product runs and is tested without an account.
//!
//! It serves the create, job status, job list and lookup endpoints with the
//! key [`DEMO_KEY`], runs each export job on a clock (`pending` for the
//! first tenth of [`DemoOptions::job_duration`], then `processing` chunk by
//! chunk, then `completed` with pre-signed download URLs back to itself),
//! and can misbehave on purpose ([`FaultMode`]).
//!
//! Choices where the real API is silent (the vendor documents only the
//! create call in detail); each is a guess the client must not rely on:
//! - `end_time` is `""` until a job has ended; every scalar is a string.
//! - A job has 2 parts of [`DemoOptions::rows_per_part`] rows; the default
//!   format is NDJSON; `segment_id`, `emails` and `exclusions` are accepted
//!   and ignored. An empty create body counts as `{}`.
//! - Every format is a real file of that format, from the same rows:
//!   NDJSON, CSV with a header, Avro (`apache-avro`, snappy) and Parquet
//!   (`parquet`, snappy). NDJSON and CSV parts are gzip, Parquet and Avro
//!   are not (`encode` says what is known and what is guessed; under
//!   `VendorDiffers` every part is gzip). Schemas: `rows::SCHEMA`.
//! - Rows' `inserted_at` is RFC 3339 UTC with microseconds.
//! - Every connection carries one request (`Connection: close`).
//! - `EmptyCreated` still creates the job; `Flaky` answers 503 to the first
//!   request after the mode is set (at start or by [`DemoServer::set_mode`]).
//! - Lookup items have the fields of the vendor's response examples; under
//!   `VendorDiffers` the lookups page, size and pad their answers as
//!   `vendor_lookups` says.

mod avro;
mod chunks;
mod conn;
mod encode;
mod envelope;
mod faults;
mod files;
mod lookups;
mod mode;
mod parquet;
mod rng;
mod routes;
mod rows;
mod spec;
mod state;
mod vendor_lookups;
mod views;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::{ERROR_PAGE, OVERSIZED_BYTES};
pub use lookups::{DEFAULT_LIMIT, LOOKUPS};
pub use mode::FaultMode;
pub use rows::APP_TOKEN;
pub use state::{EmptyDay, RecordedRequest};
pub use vendor_lookups::BIG_FEATURES;
pub use views::ENVIRONMENT_NAME;

use state::{Settings, Shared};

/// A part's content (before any gzip) of `rows` rows of October 2026 in
/// `format`, written as the demo server writes its parts: real files for
/// the readers' tests.
#[cfg(any(test, feature = "testing"))]
pub fn sample_part(format: crate::export::Format, rows: usize) -> Result<Vec<u8>, String> {
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.to_utc())
            .map_err(|e| e.to_string())
    };
    let spec = spec::JobSpec {
        from: at("2026-10-01T00:00:00Z")?,
        until: at("2026-11-01T00:00:00Z")?,
        format,
        event_types: vec![],
        user_ids: vec![],
        company_ids: vec![],
    };
    encode::encode(format, &rows::generate(&spec, 7, 0, 1, rows), 7)
}

/// The only API key the demo server accepts.
pub const DEMO_KEY: &str = "upexport-demo-key";

/// How to run the demo server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    /// Port on 127.0.0.1; 0 lets the system pick.
    pub port: u16,
    pub mode: FaultMode,
    /// Time from create to `completed` (6 s by default).
    pub job_duration: Duration,
    /// Delay of every API answer in [`FaultMode::Slow`] (3 s by default).
    pub slow_delay: Duration,
    /// Rows in each part (200 by default).
    pub rows_per_part: usize,
    /// Gzip bytes served as every part of every job instead of generated
    /// rows (benchmarks with large parts); `part_content` is then empty.
    pub part_gz: Option<bytes::Bytes>,
    /// Seeds the job ids (random by default). Tests that compare screens
    /// set it: the same ids give the same files, run after run.
    pub id_seed: Option<u64>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            port: 0,
            mode: FaultMode::Normal,
            job_duration: Duration::from_secs(6),
            slow_delay: Duration::from_secs(3),
            rows_per_part: 200,
            part_gz: None,
            id_seed: None,
        }
    }
}

/// A running demo server. Dropping it stops the server.
pub struct DemoServer {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoServer")
            .field("base_url", &self.shared.base_url)
            .field("mode", &self.shared.mode())
            .finish()
    }
}

impl DemoServer {
    /// Bind 127.0.0.1 (never any other address) and start serving.
    pub async fn start(opts: DemoOptions) -> std::io::Result<DemoServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).await?;
        let port = listener.local_addr()?.port();
        let settings = Settings {
            job_duration: opts.job_duration,
            slow_delay: opts.slow_delay,
            rows_per_part: opts.rows_per_part,
        };
        let mut shared = Shared::new(settings, port, opts.mode);
        if let Some(seed) = opts.id_seed {
            shared.ids = std::sync::Mutex::new(rng::Rng::new(seed));
        }
        shared.fixed_part = opts.part_gz.map(|gz| {
            Arc::new(state::Part {
                raw: Vec::new(),
                served: gz,
                gzip: true,
            })
        });
        let shared = Arc::new(shared);
        let router = routes::router(shared.clone());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(conn::accept_loop(listener, shared.clone(), router, stopped));
        tracing::info!(url = %shared.base_url, mode = %opts.mode, "demo server started");
        Ok(DemoServer {
            shared,
            stop,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The port bound on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.shared.port
    }

    /// The API key to use: [`DEMO_KEY`].
    pub fn key(&self) -> &'static str {
        DEMO_KEY
    }

    /// The current fault mode.
    pub fn mode(&self) -> FaultMode {
        self.shared.mode()
    }

    /// Switch the fault mode; the next request sees it.
    pub fn set_mode(&self, mode: FaultMode) {
        self.shared.set_mode(mode);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// Force every pending or processing job to `completed` now.
    pub fn finish_running_jobs(&self) {
        self.shared.force_running(None);
    }

    /// Force every pending or processing job to `failed` with `reason`
    /// (sent as the job's `error` field).
    pub fn fail_running_jobs(&self, reason: &str) {
        self.shared.force_running(Some(reason));
    }

    /// Test knob: exports whose `from` is one of `days` fail when they
    /// would have completed (other days go on as before).
    pub fn fail_days(&self, days: &[chrono::NaiveDate]) {
        self.shared
            .knobs(|k| k.fail_days = days.iter().copied().collect());
    }

    /// Test knob: exports whose `from` is one of `days` have no events,
    /// served as `how` says (the vendor does not say which it does).
    pub fn empty_days(&self, days: &[chrono::NaiveDate], how: EmptyDay) {
        self.shared.knobs(|k| {
            k.empty_days = days.iter().copied().collect();
            k.empty_as = how;
        });
    }

    /// Test knob: exports whose `from` is one of `days` run until
    /// [`DemoServer::finish_running_jobs`] (or a week).
    pub fn slow_days(&self, days: &[chrono::NaiveDate]) {
        self.shared
            .knobs(|k| k.slow_days = days.iter().copied().collect());
    }

    /// Test knob: export creates whose `from` is one of `days` are
    /// received (and logged) but never answered, and no job is made.
    pub fn hold_creates(&self, days: &[chrono::NaiveDate]) {
        self.shared
            .knobs(|k| k.hold_days = days.iter().copied().collect());
    }

    /// Test knob: the first create whose `from` is one of `days` loses a
    /// race to someone else's export (of the year before, made just
    /// before it and running until [`DemoServer::finish_running_jobs`]):
    /// it is answered 409 naming that job.
    pub fn race_days(&self, days: &[chrono::NaiveDate]) {
        self.shared
            .knobs(|k| k.race_days = days.iter().copied().collect());
    }

    /// The content of a part as written, before any gzip (what a download
    /// saves), or `None` for an unknown job or file name.
    pub fn part_content(&self, job_id: &str, filename: &str) -> Option<Vec<u8>> {
        self.shared.part(job_id, filename).map(|p| p.raw.clone())
    }

    /// Stop accepting, end open connections and wait for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
