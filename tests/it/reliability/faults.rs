//! Issue #5, faults: every failure of the export API or the network under
//! it, through the TUI's whole loop (TestBackend, injected keys, the real
//! runner, a history file) and through the `upexport` binary. For each:
//! a specific message saying what to do, the app keeps running (the next
//! submit is handled: created once the server is well again), the attempt
//! is in history with its outcome and request, and the key reaches no
//! host but the one configured (nor any screen, output or file).
//!
//! Everything runs on 127.0.0.1: the embedded demo server's fault modes, a
//! closed port, a TLS server with a self-signed certificate. The name that
//! does not resolve runs in a network namespace of its own where no
//! resolver is reachable (skipped, saying why, where one cannot be made).
//! Waits are on conditions under hard limits; nothing sleeps.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::demo::{CREATE, server};
use crate::support::tui::{env_at, live_harness, settle};
use crate::support::{NoDns, Sandbox, closed_port, files_containing, require_tool, run_async};
use crossterm::event::KeyCode;
use upexport::api::{ApiClient, ApiKey, Timeouts};
use upexport::demo::{DEMO_KEY, DemoServer, FaultMode};
use upexport::export::Field;
use upexport::history::{Entry, EntryState, HistoryStore};
use upexport::tui::app::Overlay;
use upexport::tui::form::Focus;
use upexport::tui::msg::Level;
use upexport::tui::testing::Harness;

/// The key every case sends. The demo server accepts only its own key, so
/// that is the sentinel searched for on screens, in outputs and files.
const KEY: &str = DEMO_KEY;
/// The body the typed form (TUI) and the flags (CLI) produce.
const BODY: &str =
    r#"{"from":"2026-11-01","to":"2026-11-26","emails":["ops@example.com"],"format":"csv"}"#;
const CLI_ARGS: [&str; 9] = [
    "submit",
    "--from",
    "2026-11-01",
    "--to",
    "2026-11-26",
    "--email",
    "ops@example.com",
    "--format",
    "csv",
];
/// The unresolvable name (resolved only inside the namespace).
const NO_SUCH_HOST: &str = "upexport-test.invalid";

// ---------------------------------------------------------------------------
// The faults

/// Where a case sends its request.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// The demo server in this fault mode.
    Demo(FaultMode),
    /// A port on 127.0.0.1 with nothing listening.
    Refused,
    /// A TLS server on 127.0.0.1 with a self-signed certificate.
    Tls,
    /// `https://upexport-test.invalid`, only ever looked up inside a
    /// network namespace where no resolver is reachable.
    Unresolvable,
}

/// What a fault must produce.
#[derive(Clone, Copy, Debug)]
struct Expect {
    kind: &'static str,
    status: Option<u16>,
    /// Phrases the message must hold: what happened and what to do.
    says: &'static [&'static str],
    /// The CLI's exit code.
    exit: i32,
    /// The client must give up after a short timeout (1 s).
    short_timeout: bool,
}

const fn expect(
    kind: &'static str,
    status: Option<u16>,
    says: &'static [&'static str],
    exit: i32,
) -> Expect {
    Expect {
        kind,
        status,
        says,
        exit,
        short_timeout: false,
    }
}

// ---------------------------------------------------------------------------
// Servers

/// Port and base URL of a target, and the servers to keep alive meanwhile.
struct Running {
    base: String,
    demo: Option<DemoServer>,
    tls: Option<TlsTrap>,
}

async fn start(target: Target) -> Running {
    match target {
        Target::Demo(mode) => {
            let s = server(mode, 10).await;
            Running {
                base: s.base_url(),
                demo: Some(s),
                tls: None,
            }
        }
        Target::Refused => Running {
            base: format!("http://127.0.0.1:{}", closed_port()),
            demo: None,
            tls: None,
        },
        Target::Unresolvable => Running {
            base: format!("https://{NO_SUCH_HOST}"),
            demo: None,
            tls: None,
        },
        Target::Tls => {
            let t = TlsTrap::start().await;
            Running {
                base: t.base.clone(),
                demo: None,
                tls: Some(t),
            }
        }
    }
}

impl Running {
    /// Check that nothing carried the key anywhere but the configured host:
    /// the demo server saw every request with the key on its own address
    /// (never on `localhost`, where its redirect points) and `expected`
    /// creates; the TLS server completed no handshake (so read no header).
    fn key_stayed_home(&self, creates: usize) {
        if let Some(s) = &self.demo {
            let home = format!("127.0.0.1:{}", s.port());
            let log = s.requests();
            for r in &log {
                assert_eq!(
                    r.host.as_deref(),
                    Some(home.as_str()),
                    "a request reached another host name: {r:?}"
                );
                assert_eq!(
                    r.authorization.as_deref(),
                    Some(&*format!("Token {KEY}")),
                    "{r:?}"
                );
            }
            let sent = log
                .iter()
                .filter(|r| r.method == "POST" && r.path == CREATE)
                .count();
            assert_eq!(sent, creates, "creates seen by the server: {log:?}");
            assert!(log.iter().all(|r| r.body == BODY || r.method != "POST"));
        }
        if let Some(t) = &self.tls {
            assert!(
                t.failed.load(Ordering::SeqCst) >= 1,
                "the client never reached the TLS server, so this proves nothing"
            );
            assert_eq!(
                t.completed.load(Ordering::SeqCst),
                0,
                "a handshake completed; failures: {:?}",
                t.errors.lock().map(|v| v.clone()).unwrap_or_default()
            );
        }
    }

    /// Make the server well again (and free its one job slot).
    fn heal(&self) -> bool {
        match &self.demo {
            Some(s) => {
                s.finish_running_jobs();
                if s.mode() != FaultMode::Flaky {
                    s.set_mode(FaultMode::Normal);
                }
                true
            }
            None => false,
        }
    }
}

/// A self-signed (end-entity, not CA) certificate for `localhost` and
/// 127.0.0.1, valid from 2000 to 2126, made for these tests only and
/// trusted by nothing: the client must refuse it as `UnknownIssuer`.
const TLS_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBwDCCAWWgAwIBAgIUD0rh3+fs3pcIo9fV0Qrp4x2Jex8wCgYIKoZIzj0EAwIw
NTEzMDEGA1UEAwwqdXBleHBvcnQgdGVzdCAoc2VsZi1zaWduZWQsIGxvb3BiYWNr
IG9ubHkpMCAXDTAwMDEwMTAwMDAwMFoYDzIxMjYwMTAxMDAwMDAwWjA1MTMwMQYD
VQQDDCp1cGV4cG9ydCB0ZXN0IChzZWxmLXNpZ25lZCwgbG9vcGJhY2sgb25seSkw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASJAB6kJXVFtm9Oi5lxVv8YTYE/d5Jq
D3pVqB5ek+cgHCQN0zTE0w0qjTCIj/OsEkZ+4w9LLA3ifL9bZbhT6DYXo1EwTzAa
BgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwDAYDVR0TAQH/BAIwADAOBgNVHQ8B
Af8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwCgYIKoZIzj0EAwIDSQAwRgIh
AJt38ipSPhkUJ4HsiO6IeSAyItPU0eEYmYI8B3IbfEhoAiEAiKTNKH5V+FA2usMk
AMfzjN63oqoVsGetEQP2b4I0WAM=
-----END CERTIFICATE-----
";
const TLS_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgzRzFZfH77Io/TC68
RGz3aaHk3zG/h2SWbOQFXUEssJKhRANCAASJAB6kJXVFtm9Oi5lxVv8YTYE/d5Jq
D3pVqB5ek+cgHCQN0zTE0w0qjTCIj/OsEkZ+4w9LLA3ifL9bZbhT6DYX
-----END PRIVATE KEY-----
";

/// A TLS server on 127.0.0.1 that counts failed and completed handshakes.
struct TlsTrap {
    base: String,
    failed: Arc<AtomicUsize>,
    completed: Arc<AtomicUsize>,
    errors: Arc<Mutex<Vec<String>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl TlsTrap {
    async fn start() -> TlsTrap {
        use tokio_rustls::rustls::ServerConfig;
        use tokio_rustls::rustls::crypto::ring::default_provider;
        use tokio_rustls::rustls::pki_types::pem::PemObject;
        use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(TLS_CERT.as_bytes())
                .collect::<Result<_, _>>()
                .expect("test certificate");
        let key = PrivateKeyDer::from_pem_slice(TLS_KEY.as_bytes()).expect("test key");
        let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("https://{}", listener.local_addr().expect("addr"));
        let failed = Arc::new(AtomicUsize::new(0));
        let completed = Arc::new(AtomicUsize::new(0));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let (f, c, e) = (failed.clone(), completed.clone(), errors.clone());
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                match acceptor.accept(tcp).await {
                    Ok(_) => {
                        c.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(err) => {
                        if let Ok(mut v) = e.lock() {
                            v.push(err.to_string());
                        }
                        f.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        });
        TlsTrap {
            base,
            failed,
            completed,
            errors,
            _task: task,
        }
    }
}

fn timeouts(e: &Expect) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(10),
        request: if e.short_timeout {
            Duration::from_secs(1)
        } else {
            Duration::from_secs(20)
        },
        download_idle: Duration::from_secs(10),
    }
}

// ---------------------------------------------------------------------------
// The TUI, through the whole loop

/// The history as a fresh process reads it.
fn stored(db: &Path) -> Vec<Entry> {
    let store = HistoryStore::open(db).expect("reopen").store;
    assert_eq!(store.integrity_check().expect("integrity_check"), "ok");
    store.page(0, 50).expect("page")
}

/// Draw the screen and check the key is not on it.
fn screen_without_key(h: &mut Harness, what: &str) -> String {
    let s = h.screen();
    assert!(!s.contains(KEY), "{what}: the key is on screen:\n{s}");
    s
}

/// Every screen of the app, each checked for the key: the form, the
/// detail of the newest entry, the preview, help, calendar and picker.
fn every_screen(h: &mut Harness, name: &str) -> usize {
    let mut seen = 0;
    let mut look = |h: &mut Harness, what: &str| {
        screen_without_key(h, &format!("{name}: {what}"));
        seen += 1;
    };
    look(h, "form");
    // A 409 leaves its dialog open: look at it, then close it.
    if h.app().overlay.is_some() {
        look(h, "dialog");
        h.key(KeyCode::Esc);
    }
    h.session.app.focus = Focus::History;
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.app().overlay, Some(Overlay::Detail { .. })),
        "{name}: no detail view"
    );
    look(h, "detail");
    h.key(KeyCode::Esc);
    h.ctrl('p');
    assert!(matches!(
        h.app().overlay,
        Some(Overlay::RequestPreview { .. })
    ));
    look(h, "preview");
    h.key(KeyCode::Esc);
    h.key(KeyCode::F(1));
    look(h, "help");
    h.key(KeyCode::Esc);
    h.session.app.focus = Focus::Field(Field::From);
    h.key(KeyCode::Enter);
    look(h, "calendar");
    h.key(KeyCode::Esc);
    h.session.app.focus = Focus::Field(Field::EventType);
    h.key(KeyCode::Enter);
    look(h, "picker");
    h.key(KeyCode::Esc);
    assert!(h.app().overlay.is_none());
    h.session.app.focus = Focus::Field(Field::From);
    seen
}

/// A harness over a fresh history file, client for `base`, form typed.
async fn typed_harness(base: &str, e: &Expect, db: &Path) -> Harness {
    let client = ApiClient::new(base, ApiKey::new(KEY).expect("key"), timeouts(e)).expect("client");
    let store = HistoryStore::open(db).expect("history file").store;
    let mut h = live_harness(store, client, env_at(base, None)).await;
    assert_eq!(h.app().focus, Focus::Field(Field::From));
    h.type_text("2026-11-01");
    h.key(KeyCode::Tab);
    h.type_text("2026-11-26");
    h.key(KeyCode::Tab);
    h.type_text("ops@example.com");
    assert_eq!(
        h.app().preview_request().map(|r| r.to_json()).as_deref(),
        Ok(BODY)
    );
    h
}

/// The checks every fault must pass in the TUI.
async fn tui_fault(name: &str, target: Target, e: Expect) {
    let running = start(target).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.sqlite3");
    let mut h = typed_harness(&running.base, &e, &db).await;

    h.ctrl('s');
    settle(&mut h, 1).await;

    // A specific message that says what to do, as an error: on the status
    // line, or in what it has more of (F6, the message log; the 409's
    // status line is short, beside the dialog that says what to do).
    let st = h.app().status.clone().expect("a message");
    let said = st.detail.clone().unwrap_or_else(|| st.text.clone());
    eprintln!("{name}: {} / {said}", st.text);
    assert_eq!(st.level, Level::Error, "{name}: {}", st.text);
    for phrase in e.says {
        assert!(said.contains(phrase), "{name}: no {phrase:?} in {said:?}");
    }
    for tag in ["<html", "<title", "<body", "</"] {
        assert!(!said.contains(tag), "{name}: markup in {said:?}");
        assert!(!st.text.contains(tag), "{name}: markup in {:?}", st.text);
    }
    // Still running, and the row is on screen.
    assert!(!h.app().quit, "{name}: the app quit");
    let row = format!(
        "✘ {}{}",
        e.status.map(|s| format!("{s} ")).unwrap_or_default(),
        e.kind
    );
    let screen = screen_without_key(&mut h, name);
    assert!(screen.contains(&row), "{name}: no {row:?} on\n{screen}");
    assert!(screen.contains("History 1"), "{screen}");

    // In history, as a new process reads it: the request and the outcome.
    let rows = stored(&db);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, EntryState::Failed, "{name}");
    assert_eq!(rows[0].request_json, BODY);
    assert_eq!(rows[0].source, "tui");
    let failed = rows[0].failed.clone().expect("outcome recorded");
    assert_eq!(
        (failed.kind.as_str(), failed.http_status),
        (e.kind, e.status),
        "{name}"
    );
    assert_eq!(
        failed.message, said,
        "{name}: history keeps the message in full"
    );

    // Every screen, without the key (a 409 adds its dialog).
    let dialog = usize::from(name.contains("409"));
    assert_eq!(every_screen(&mut h, name), 6 + dialog);
    running.key_stayed_home(1);

    // Keeps running: the next submit is handled. Once the demo server is
    // well again it creates the job (503 then success: flaky stays flaky,
    // its second answer is the success); elsewhere it fails the same way
    // and is recorded again.
    let healed = running.heal();
    h.ctrl('s');
    settle(&mut h, 2).await;
    let rows = stored(&db);
    assert_eq!(rows.len(), 2);
    if healed {
        let st = h.app().status.clone().expect("a message");
        assert_eq!(st.level, Level::Success, "{name}: {}", st.text);
        assert_eq!(rows[0].state, EntryState::Created, "{name}");
        running.key_stayed_home(2);
    } else {
        assert_eq!(
            rows[0].failed.as_ref().map(|f| f.kind.as_str()),
            Some(e.kind),
            "{name}"
        );
        running.key_stayed_home(2);
    }
    assert_eq!(
        rows[1].failed.as_ref().map(|f| f.kind.as_str()),
        Some(e.kind)
    );
    let (hits, _) = files_containing(dir.path(), KEY.as_bytes());
    assert!(hits.is_empty(), "{name}: the key is in {hits:?}");
}

// ---------------------------------------------------------------------------
// The CLI

/// The checks every fault must pass through `upexport submit`.
async fn cli_fault(name: &str, target: Target, e: Expect) {
    cli_fault_in(name, target, e, None).await;
}

/// [`cli_fault`], the command run inside `ns` when given.
async fn cli_fault_in(name: &str, target: Target, e: Expect, ns: Option<&NoDns>) {
    let running = start(target).await;
    let sb = Sandbox::new();
    if e.short_timeout {
        sb.write_config("request_timeout_secs = 1\n");
    }
    let base = running.base.clone();
    let mut c = match ns {
        Some(ns) => {
            let mut c = ns.command(&crate::support::bin());
            sb.prepare(&mut c, Some(KEY));
            c
        }
        None => sb.command(Some(KEY)),
    };
    c.args(CLI_ARGS).args(["--base-url", &base]);
    let out = run_async(c, None).await;
    assert_eq!(out.code, Some(e.exit), "{name}: {out:?}");
    for phrase in e.says {
        assert!(
            out.stderr.contains(phrase),
            "{name}: no {phrase:?} in {}",
            out.stderr
        );
    }
    assert!(
        out.stderr.starts_with("upexport: error: "),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains("panicked"), "{}", out.all());
    assert!(!out.all().contains(KEY), "{name}: the key was printed");

    let rows = stored(&sb.db());
    assert_eq!(rows.len(), 1, "{name}");
    assert_eq!(rows[0].state, EntryState::Failed);
    assert_eq!(rows[0].source, "cli");
    assert_eq!(rows[0].request_json, BODY);
    let failed = rows[0].failed.clone().expect("outcome recorded");
    assert_eq!(
        (failed.kind.as_str(), failed.http_status),
        (e.kind, e.status),
        "{name}"
    );
    running.key_stayed_home(1);

    // History, logs, config: nowhere on disk.
    let (hits, seen) = files_containing(sb.root(), KEY.as_bytes());
    assert!(hits.is_empty(), "{name}: the key is in {hits:?}");
    assert!(
        seen.iter()
            .any(|p| p.starts_with(sb.state_dir().join("logs"))),
        "{name}: no log written, so the scan proves less: {seen:?}"
    );
}

// ---------------------------------------------------------------------------
// One test per fault and front end

macro_rules! faults {
    ($($name:ident: $target:expr => $expect:expr;)*) => {
        mod tui {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    tui_fault(stringify!($name), $target, $expect).await;
                }
            )*
        }
        mod cli {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    cli_fault(stringify!($name), $target, $expect).await;
                }
            )*
        }
    };
}

faults! {
    unauthorized_401: Target::Demo(FaultMode::Unauthorized) =>
        expect("unauthorized", Some(401), &["HTTP 401", "Invalid API key", "this environment's key"], 3);
    forbidden_403: Target::Demo(FaultMode::Forbidden) =>
        expect("forbidden", Some(403), &["HTTP 403", "Insufficient permissions", "Enterprise plan or the Growth add-on", "use a key with export rights"], 3);
    not_found_404: Target::Demo(FaultMode::NotFound) =>
        expect("not_found", Some(404), &["HTTP 404", "check the base URL"], 5);
    conflict_409: Target::Demo(FaultMode::Conflict) =>
        expect("conflict", Some(409), &["HTTP 409", "already running", "wait for it to finish"], 4);
    rate_limited_429_with_retry_after: Target::Demo(FaultMode::RateLimited) =>
        expect("rate_limited", Some(429), &["HTTP 429", "retry in 2 s"], 5);
    server_error_500_html: Target::Demo(FaultMode::ServerErrorHtml) =>
        expect("server_error", Some(500), &["HTTP 500", "500 Internal Server Error", "try again"], 5);
    unavailable_503_then_success: Target::Demo(FaultMode::Flaky) =>
        expect("server_error", Some(503), &["HTTP 503", "upstream is restarting", "try again"], 5);
    empty_201: Target::Demo(FaultMode::EmptyCreated) =>
        expect("bad_response", None, &["HTTP 201", "probably created", "`upexport ", " jobs`", "(empty body)"], 5);
    not_json_201: Target::Demo(FaultMode::GarbageJson) =>
        expect("bad_response", None, &["HTTP 201", "probably created", "`upexport ", " jobs`", "not json"], 5);
    truncated_body: Target::Demo(FaultMode::Truncated) =>
        expect("connection_lost", None, &["broke before the answer was complete", "may still have been created"], 5);
    connection_reset: Target::Demo(FaultMode::ConnectionReset) =>
        expect("connection_lost", None, &["broke before the answer was complete", "may still have been created"], 5);
    no_answer_timeout: Target::Demo(FaultMode::Hang) =>
        Expect { short_timeout: true, ..expect("timeout", None, &["no answer from 127.0.0.1:", "within 1 s", "may still have been created"], 5) };
    body_over_the_cap: Target::Demo(FaultMode::Oversized) =>
        expect("too_large", None, &["over 1024 KiB", "refused to read it", "probably created"], 5);
    redirect_to_another_host: Target::Demo(FaultMode::RedirectOffHost) =>
        expect("redirect", None, &["redirected to localhost:", "not followed", "key is not sent", "check the base URL"], 5);
    refused_connection: Target::Refused =>
        expect("connect", None, &["could not connect to 127.0.0.1:", "check the base URL"], 5);
    tls_self_signed: Target::Tls =>
        expect("tls", None, &["TLS handshake with 127.0.0.1:", "failed", "invalid peer certificate: UnknownIssuer", "check the base URL"], 5);
}

// ---------------------------------------------------------------------------
// A name that does not resolve: in a network namespace of its own

/// What an unresolvable name must produce.
const DNS: Expect = expect(
    "dns",
    None,
    &[
        "could not resolve host upexport-test.invalid",
        "check the base URL",
    ],
    5,
);
/// Set (to a temp dir) only for the helper run inside the namespace.
const DNS_HELPER_ENV: &str = "UPEXPORT_TEST_DNS_HELPER_DIR";
const DNS_HELPER_OK: &str = "upexport-dns-helper-passed";

/// The TUI case of the unresolvable name. Runs only inside the namespace
/// (started by `unresolvable_name_tui`); does nothing on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "helper of unresolvable_name_tui: runs inside a network namespace"]
async fn dns_tui_helper() {
    if std::env::var_os(DNS_HELPER_ENV).is_none() {
        return;
    }
    tui_fault("unresolvable_name", Target::Unresolvable, DNS).await;
    println!("{DNS_HELPER_OK}");
}

/// The namespace, or `None` (skipped, saying why) where it cannot be made.
/// A missing `unshare` fails the test under CI instead.
fn no_dns() -> Option<NoDns> {
    if !require_tool("unshare") {
        return None;
    }
    match NoDns::new() {
        Ok(ns) => Some(ns),
        Err(why) => {
            eprintln!("skipped: cannot make a network namespace without DNS here: {why}");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_name_tui() {
    let Some(ns) = no_dns() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = ns.command(&std::env::current_exe().expect("test binary"));
    // The helper's name as the test binary lists it: its module path
    // without the crate's name.
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    c.args([
        "--exact",
        &format!("{module}::dns_tui_helper"),
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(DNS_HELPER_ENV, dir.path());
    for v in crate::support::SCRUBBED {
        c.env_remove(v);
    }
    let out = run_async(c, None).await;
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(
        out.stdout.contains(DNS_HELPER_OK),
        "the helper did not run its checks:\n{}",
        out.all()
    );
    assert!(!out.all().contains(KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_name_cli() {
    let Some(ns) = no_dns() else { return };
    cli_fault_in("unresolvable_name", Target::Unresolvable, DNS, Some(&ns)).await;
}

// ---------------------------------------------------------------------------
// A download cut off halfway, through the CLI

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_cut_cli_says_resume_and_the_retry_resumes() {
    let running = start(Target::Demo(FaultMode::Normal)).await;
    let server = running.demo.as_ref().expect("demo");
    let sb = Sandbox::new();
    let base = running.base.clone();
    let out_dir = sb.root().join("home").join("exports");
    let cmd = |args: &[&str]| {
        let mut c = sb.command(Some(KEY));
        c.args(args).args(["--base-url", &base]);
        c
    };
    let c = cmd(&CLI_ARGS);
    let out = run_async(c, None).await;
    assert_eq!(out.code, Some(0), "{out:?}");
    let job = stored(&sb.db())[0]
        .created
        .as_ref()
        .expect("created")
        .job_id
        .clone();
    server.finish_running_jobs();
    server.set_mode(FaultMode::DownloadCut);

    let parts = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".part"))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The first run has both parts cut (exit 5, "next try resumes", both
    // .part files kept); the second resumes both; a third finds both
    // files there and keeps them.
    let dl = ["download", &job, "--out", out_dir.to_str().expect("utf-8")];
    // The files go into DIR/<job id>/.
    let job_dir = out_dir.join(&job);
    let mut outs = Vec::new();
    for (round, want_code) in [(1, 5), (2, 0), (3, 0)] {
        let c = cmd(&dl);
        let out = run_async(c, None).await;
        assert_eq!(out.code, Some(want_code), "round {round}: {out:?}");
        match round {
            1 => {
                for phrase in ["broke before the answer was complete", "next try resumes"] {
                    assert!(
                        out.stderr.contains(phrase),
                        "no {phrase:?} in {}",
                        out.stderr
                    );
                }
                assert_eq!(parts(&job_dir).len(), 2, "the cut parts are kept to resume");
            }
            2 => {
                for part in ["part-0001.csv", "part-0002.csv"] {
                    assert!(
                        out.stdout
                            .lines()
                            .any(|l| l.contains(part) && l.contains("(resumed, decompressed)")),
                        "{part} resumed: {}",
                        out.stdout
                    );
                }
                assert!(parts(&job_dir).is_empty());
            }
            _ => {
                assert_eq!(
                    out.stdout.matches("(already downloaded)").count(),
                    2,
                    "{}",
                    out.stdout
                );
            }
        }
        outs.push(out);
    }
    for o in &outs {
        assert!(!o.all().contains(KEY));
    }
    let want = server
        .part_content(&job, "part-0002.csv.gz")
        .expect("the demo's name of part 2");
    assert_eq!(
        std::fs::read(job_dir.join("part-0002.csv")).expect("part 2"),
        want
    );

    // The job row carries the completed status; the key went to the API
    // only, never with a file.
    let row = &stored(&sb.db())[0];
    assert_eq!(
        row.job.as_ref().map(|j| j.status.as_str()),
        Some("completed")
    );
    for r in server.requests() {
        if r.path.starts_with("/demo-files/") {
            assert!(r.authorization.is_none(), "{r:?}");
        } else {
            assert_eq!(r.authorization.as_deref(), Some(&*format!("Token {KEY}")));
        }
    }
    let (hits, _) = files_containing(sb.root(), KEY.as_bytes());
    assert!(hits.is_empty(), "the key is in {hits:?}");
}
