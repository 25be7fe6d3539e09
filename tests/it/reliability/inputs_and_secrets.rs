//! Issue #5, bad input and secrets, beyond `reliability::props` (pure
//! parsers) and `tui::snapshots` (sizes, wide text):
//! - a 10 MB paste and 100,000 pasted ids through the TUI's whole loop;
//! - 100,000 awkward list items through the list parser;
//! - every endpoint's decoding through the real client and HTTP stack,
//!   against a 127.0.0.1 server answering arbitrary statuses, headers and
//!   bodies (some echoing the key);
//! - the TUI's real startup path (`tui::prepare`) with a key file and a
//!   config readable by others, and with `http://` to another host.
//!
//! Each test prints how many cases it ran.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{Sandbox, WAIT_LIMIT, files_containing, run_async, set_mode, write_private};
use crossterm::event::KeyCode;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use serde_json::{Value, json};
use upexport::api::{ApiClient, ApiKey, Timeouts};
use upexport::config::{EnvVars, Paths};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer};
use upexport::export::{ExportRequest, Field, list};
use upexport::frontend::Global;
use upexport::history::{EntryState, HistoryStore};
use upexport::tui::app::{App, EnvInfo};
use upexport::tui::event_loop::Session;
use upexport::tui::form::{Focus, MAX_FIELD_BYTES};
use upexport::tui::msg::Level;
use upexport::tui::runner::{RecordingSink, Runner};
use upexport::tui::testing::{Harness, fixed_clock};

// ---------------------------------------------------------------------------
// Huge pastes through the loop

/// 10 MB of everything a paste can hold: ids, separators of every kind,
/// controls, bidi overrides, wide and combining characters.
fn ten_megabytes() -> String {
    let piece = "user-42,\t日本語\u{202e}evil\u{202c}\r\ne\u{301}\u{1b}[31m👩‍👩‍👧 ;\u{0}";
    let mut s = String::with_capacity(10 << 20);
    while s.len() < 10 << 20 {
        s.push_str(piece);
    }
    s
}

#[tokio::test]
async fn a_10_mb_paste_is_refused_with_a_message_and_the_field_keeps_its_text() {
    let mut h = Harness::new(
        120,
        40,
        HistoryStore::open_in_memory().expect("store"),
        None,
        crate::support::tui::env(),
        &crate::support::tui::csv_draft(),
    );
    let mut cases = 0;
    for field in [
        Field::From,
        Field::Emails,
        Field::UserId,
        Field::CompanyId,
        Field::SegmentId,
        Field::Exclusions,
    ] {
        h.session.app.focus = Focus::Field(field);
        h.type_text("keep");
        let before = h.app().form.value(field).to_owned();
        h.paste(&ten_megabytes());
        let st = h.app().status.clone().expect("a message");
        assert_eq!(st.level, Level::Error, "{field:?}: {}", st.text);
        assert!(
            st.text.contains("paste of 10.0 MiB refused")
                && st.text.contains("up to 1.0 MiB")
                && st.text.contains("--body-file"),
            "{field:?}: {}",
            st.text
        );
        assert_eq!(h.app().form.value(field), before, "{field:?} lost its text");
        assert!(!h.app().quit);
        let screen = h.screen();
        assert!(screen.contains("refused"), "{screen}");
        // Still edits as usual afterwards.
        h.key(KeyCode::Backspace);
        assert_eq!(h.app().form.value(field), &before[..before.len() - 1]);
        cases += 1;
    }
    // Just under the limit is taken whole, as one edit.
    h.session.app.focus = Focus::Field(Field::Exclusions);
    h.ctrl('u');
    h.paste(&"x".repeat(MAX_FIELD_BYTES));
    assert_eq!(h.app().form.value(Field::Exclusions).len(), MAX_FIELD_BYTES);
    h.screen();
    eprintln!("10 MB paste: {cases} fields, refused each time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_pasted_ids_are_counted_drawn_sent_and_recorded() {
    const N: usize = 100_000;
    let server = DemoServer::start(DemoOptions::default())
        .await
        .expect("demo server");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.sqlite3");
    let client = ApiClient::new(
        &server.base_url(),
        ApiKey::new(DEMO_KEY).expect("key"),
        Timeouts::default(),
    )
    .expect("client");
    let env = EnvInfo {
        profile: "test".into(),
        base_url: server.base_url(),
        ..Default::default()
    };
    let store = HistoryStore::open(&db).expect("history").store;
    let mut h = Harness::new(
        120,
        40,
        store,
        Some(client),
        env,
        &crate::support::tui::csv_draft(),
    );
    h.type_text("2026-11-01");
    h.session.app.focus = Focus::Field(Field::UserId);
    // One id a line, as pasted from a spreadsheet column; every tenth
    // one wide or with a bidi control (an item character, not a separator).
    let ids: Vec<String> = (0..N)
        .map(|i| match i % 10 {
            0 => format!("日{i}"),
            5 => format!("\u{202e}{i}"),
            _ => format!("u{i}"),
        })
        .collect();
    let paste: String = ids.iter().map(|i| format!("{i}\r\n")).collect();
    assert!(paste.len() < MAX_FIELD_BYTES, "{}", paste.len());
    h.paste(&paste);
    assert_eq!(h.app().form.count(Field::UserId), N);
    let screen = h.screen();
    assert!(screen.contains("User IDs 100000"), "{screen}");
    // (Drawing the focused 100,000-item field is slow in debug builds:
    // the other sizes are drawn with the focus elsewhere.)
    h.session.app.focus = Focus::Field(Field::From);
    for (w, ht) in [(400, 120), (1, 1), (120, 40)] {
        h.resize(w, ht);
        assert_eq!(h.screen().lines().count(), usize::from(ht));
    }
    h.ctrl('p');
    assert!(h.screen().contains("\"user_id\""));
    h.key(KeyCode::Esc);

    h.ctrl('s');
    let done = h
        .wait_until(WAIT_LIMIT, |a| {
            a.in_flight.is_none()
                && !a.history.loading
                && a.history.total == 1
                && a.history
                    .entries
                    .first()
                    .is_some_and(|e| e.state != EntryState::Sending)
        })
        .await;
    assert!(done, "{:?}", h.app().status);
    let st = h.app().status.clone().expect("message");
    assert_eq!(st.level, Level::Success, "{}", st.text);

    let sent = server
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .expect("sent");
    let req: ExportRequest = serde_json::from_str(&sent.body).expect("JSON body");
    assert_eq!(req.user_id, ids, "every id, in order, as pasted");
    let row = &HistoryStore::open(&db)
        .expect("reopen")
        .store
        .page(0, 1)
        .expect("page")[0];
    assert_eq!(row.request_json, sent.body);
    eprintln!("{N} pasted ids: counted, drawn at 3 sizes, sent and recorded");
}

#[test]
fn a_hundred_thousand_awkward_list_items_parse_in_order() {
    const N: usize = 100_000;
    let seps = [
        ",",
        ";",
        " , ",
        "\t",
        "\n",
        "\r\n",
        "\u{3000};",
        "\u{85}",
        ",,\u{0}",
    ];
    let items: Vec<String> = (0..N)
        .map(|i| match i % 5 {
            0 => format!("中{i}"),
            1 => format!("e\u{301}{i}"),
            2 => format!("\u{2067}{i}\u{2069}"),
            3 => format!("👩‍👧{i}"),
            _ => format!("id-{i}"),
        })
        .collect();
    let mut raw = String::new();
    for (i, item) in items.iter().enumerate() {
        raw.push_str(item);
        raw.push_str(seps[i % seps.len()]);
    }
    // Doubled: every item again (duplicates are dropped, order kept).
    let twice = format!("{raw}{raw}");
    assert_eq!(list::parse(&twice), items);
    assert_eq!(list::parse(&list::join(&items)), items);
    eprintln!("{} items parsed (with duplicates), {N} kept", 2 * N);
}

// ---------------------------------------------------------------------------
// Every endpoint's decoding, through the client, against any answer

/// One canned answer: status, extra headers, body.
#[derive(Clone, Debug)]
struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A 127.0.0.1 server that gives every request the current canned answer.
async fn canned_server(answer: Arc<Mutex<Canned>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", l.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = l.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                // Read the head and the announced body, then answer.
                let mut got = Vec::new();
                let mut buf = [0u8; 16 * 1024];
                let body_len = loop {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                    if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break end + 4 + len;
                    }
                };
                while got.len() < body_len {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let a = answer.lock().map(|a| a.clone()).expect("answer");
                let mut out = format!("HTTP/1.1 {} Whatever\r\n", a.status).into_bytes();
                for (k, v) in &a.headers {
                    out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
                }
                out.extend_from_slice(
                    format!(
                        "Content-Length: {}\r\nConnection: close\r\n\r\n",
                        a.body.len()
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(&a.body);
                let _ = conn.write_all(&out).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    base
}

/// The key the fuzzed client sends; some bodies echo it back.
const FUZZ_KEY: &str = "sentinel-fuzz-KEY-5e2d";

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::String),
        Just(json!("../../etc/passwd")),
        Just(json!(FUZZ_KEY)),
        Just(json!("\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}[2J")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "job_id",
                        "status",
                        "progress",
                        "links",
                        "presigned_urls",
                        "filename",
                        "url",
                        "data",
                        "metadata",
                        "cursor",
                        "after",
                        "errors",
                        "message",
                        "details",
                        "all_chunks",
                        "completed_chunks",
                        "start_time",
                        "x",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..300),
        4 => value().prop_map(|v| v.to_string().into_bytes()),
        2 => ("\\PC{0,60}", scalar()).prop_map(|(m, d)| json!({"errors": [{"message": m, "details": d, "error": FUZZ_KEY}]}).to_string().into_bytes()),
        1 => "\\PC{0,80}".prop_map(|t| format!("<!DOCTYPE html><html><head><title>{t}</title></head><body>Authorization: Token {FUZZ_KEY}</body></html>").into_bytes()),
        1 => (1usize..4).prop_map(|n| {
            // Valid JSON just over the 1 MiB cap.
            let pad = "x".repeat((1 << 20) + n * 1000);
            format!("{{\"job_id\":\"j\",\"links\":\"{pad}\"}}").into_bytes()
        }),
        1 => Just(Vec::new()),
    ]
}

fn canned() -> impl Strategy<Value = Canned> {
    let statuses = vec![
        200u16, 201, 202, 203, 204, 206, 300, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405,
        409, 410, 413, 418, 422, 429, 451, 500, 501, 502, 503, 504, 599,
    ];
    let headers = prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                "2",
                "0",
                "-1",
                "99999999999",
                "Wed, 21 Oct 2015 07:28:00 GMT",
                "soon"
            ])
            .prop_map(|v| ("Retry-After".to_owned(), v.to_owned())),
            prop::sample::select(vec![
                "/elsewhere",
                "http://localhost:1/x",
                "https://other.invalid/",
                "::"
            ])
            .prop_map(|v| ("Location".to_owned(), v.to_owned())),
            prop::sample::select(vec![
                "application/json",
                "text/html",
                "text/plain",
                "application/octet-stream"
            ])
            .prop_map(|v| ("Content-Type".to_owned(), v.to_owned())),
        ],
        0..3,
    );
    (prop::sample::select(statuses), headers, body()).prop_map(|(status, headers, body)| Canned {
        status,
        headers,
        body,
    })
}

/// What a person may be shown: one line, no escape sequences, bounded,
/// never the key.
fn check_message(endpoint: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert!(!text.contains(FUZZ_KEY), "{endpoint}: the key in {text:?}");
    prop_assert!(
        !text.chars().any(|c| c.is_control()),
        "{endpoint}: a control character in {text:?}"
    );
    prop_assert!(
        text.chars().count() <= 1_000,
        "{endpoint}: {} chars",
        text.chars().count()
    );
    Ok(())
}

#[test]
fn every_endpoint_decodes_any_answer_into_a_value_or_a_clean_message() {
    const CASES: u32 = 256;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let answer = Arc::new(Mutex::new(Canned {
        status: 200,
        headers: vec![],
        body: vec![],
    }));
    let base = rt.block_on(canned_server(answer.clone()));
    let client = ApiClient::new(
        &base,
        ApiKey::new(FUZZ_KEY).expect("key"),
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(20),
            download_idle: Duration::from_secs(10),
        },
    )
    .expect("client");
    let request: ExportRequest =
        serde_json::from_str(r#"{"from":"2026-11-01","format":"csv"}"#).expect("request");
    let calls = AtomicUsize::new(0);
    let kinds = Mutex::new(std::collections::BTreeSet::new());
    let config = ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    // A fixed seed: the check below that the interesting failures were
    // reached must not depend on luck (a random seed missed `too_large`
    // about once in a hundred runs: it needs a 2xx status and the rare
    // oversized body together).
    let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(config, rng);
    runner
        .run(&canned(), |c| {
            *answer.lock().expect("answer") = c;
            rt.block_on(async {
                let results = [
                    (
                        "create",
                        client.create_export(&request).await.map(|j| {
                            assert!(j.job_id.is_some_and(|id| !id.trim().is_empty()));
                        }),
                    ),
                    ("job", client.job("j-1").await.map(|_| ())),
                    ("jobs", client.jobs().await.map(|_| ())),
                    (
                        "lookup",
                        client.lookup_page("segments", None).await.map(|_| ()),
                    ),
                ];
                for (endpoint, r) in results {
                    calls.fetch_add(1, Ordering::Relaxed);
                    if let Err(e) = r {
                        check_message(endpoint, &e.to_string())?;
                        if let Ok(mut k) = kinds.lock() {
                            k.insert(e.kind().as_str());
                        }
                    }
                }
                Ok(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let calls = calls.load(Ordering::Relaxed);
    assert_eq!(calls, 4 * CASES as usize);
    let kinds = kinds.into_inner().expect("kinds");
    // The generator reached the interesting failures (else it proves less).
    for k in [
        "bad_response",
        "too_large",
        "server_error",
        "unauthorized",
        "redirect",
        "rate_limited",
    ] {
        assert!(kinds.contains(k), "{k} never produced: {kinds:?}");
    }
    eprintln!("{CASES} random answers × 4 endpoints = {calls} decodes; error kinds {kinds:?}");
}

// ---------------------------------------------------------------------------
// The TUI's real startup path: warnings and refusals

/// A harness over what `tui::prepare` made (config, key source, history
/// file, draft), wired as `tui::run` wires it, without a terminal.
async fn prepared_harness(sb: &Sandbox, global: &Global, env: EnvVars) -> Harness {
    let paths = Paths {
        config_dir: sb.config_dir(),
        state_dir: sb.state_dir(),
        cache_dir: sb.root().join("cache").join("upexport"),
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let p = upexport::tui::prepare(global, &paths, env, tx.clone()).await;
    let mut app = App::new(
        &p.draft,
        p.env.clone(),
        fixed_clock(),
        Rect::new(0, 0, 120, 40),
    );
    app.status = p.notices.into_iter().next();
    let sink = RecordingSink::default();
    let runner = Runner::new(
        p.store,
        p.client,
        p.env.profile.clone(),
        None,
        Box::new(sink.clone()),
        tx,
    );
    let mut session = Session {
        app,
        runner,
        rx,
        live_clock: false,
        logged: 0,
        field_logged: None,
    };
    let effects = session.app.init();
    session.runner.run(effects);
    session.runner.warm_up();
    let terminal = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    Harness {
        session,
        terminal,
        sink,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readable_key_file_and_config_warn_and_plain_http_elsewhere_is_refused() {
    const SENTINEL: &str = "sentinel-KEY-startup-9a4e";
    let sb = Sandbox::new();
    let secrets = tempfile::tempdir().expect("tempdir");
    let key = secrets.path().join("key");
    write_private(&key, SENTINEL);
    set_mode(&key, 0o644);
    let cfg = sb.write_config(&format!(
        "default_profile = \"p\"\n[profiles.p]\napi_key_file = \"{}\"\n",
        key.display()
    ));
    set_mode(&cfg, 0o644);

    // Readable key file and config: both named, with the chmod to run.
    let server = DemoServer::start(DemoOptions::default())
        .await
        .expect("demo server");
    let global = Global {
        base_url: Some(server.base_url()),
        ..Default::default()
    };
    let mut h = prepared_harness(&sb, &global, EnvVars::default()).await;
    let first = h.app().status.clone().expect("startup notice");
    assert_eq!(first.level, Level::Warning);
    assert!(
        first.text.contains(&format!("chmod 600 {}", cfg.display())),
        "{}",
        first.text
    );
    let warned = h
        .wait_until(WAIT_LIMIT, |a| {
            a.status
                .as_ref()
                .is_some_and(|s| s.text.contains(&format!("chmod 600 {}", key.display())))
        })
        .await;
    assert!(warned, "no key file warning: {:?}", h.app().status);
    assert!(!h.screen().contains(SENTINEL));
    // The key from the file is the one sent (so the scans below mean something).
    h.type_text("2026-11-01");
    h.ctrl('s');
    let done = h
        .wait_until(WAIT_LIMIT, |a| {
            a.in_flight.is_none() && a.history.total == 1 && !a.history.loading
        })
        .await;
    assert!(done);
    let auth: Vec<Option<String>> = server
        .requests()
        .into_iter()
        .map(|r| r.authorization)
        .collect();
    assert_eq!(auth, [Some(format!("Token {SENTINEL}"))]);
    assert!(!h.screen().contains(SENTINEL));

    // The CLI says the same two things.
    let mut c = sb.command(None);
    c.args(["jobs", "--base-url", &server.base_url()]);
    let out = run_async(c, None).await;
    assert_eq!(
        out.code,
        Some(3),
        "the sentinel is not the demo key: {out:?}"
    );
    for f in [&cfg, &key] {
        assert!(
            out.stderr.contains(&format!("chmod 600 {}", f.display())),
            "{}",
            out.stderr
        );
    }
    assert!(!out.all().contains(SENTINEL));

    // http:// to another host: said at startup, nothing sent or recorded.
    let global = Global {
        base_url: Some("http://example.com".into()),
        ..Default::default()
    };
    let mut h = prepared_harness(&sb, &global, EnvVars::default()).await;
    let blocked = h.wait_until(WAIT_LIMIT, |a| a.env.blocked.is_some()).await;
    assert!(blocked, "{:?}", h.app().status);
    h.type_text("2026-11-01");
    h.ctrl('s');
    let said = h
        .wait_until(WAIT_LIMIT, |a| {
            a.in_flight.is_none()
                && a.status
                    .as_ref()
                    .is_some_and(|s| s.text.contains("unencrypted"))
        })
        .await;
    assert!(said, "{:?}", h.app().status);
    let st = h.app().status.clone().expect("message");
    assert_eq!(st.level, Level::Error, "{}", st.text);
    assert!(st.text.starts_with("not sent"), "{}", st.text);
    assert!(!h.screen().contains(SENTINEL));
    drop(h);
    let rows = HistoryStore::open(&sb.db())
        .expect("history")
        .store
        .page(0, 10)
        .expect("page");
    assert_eq!(rows.len(), 1, "only the demo attempt: {rows:?}");

    let (hits, seen) = files_containing(sb.root(), SENTINEL.as_bytes());
    assert!(hits.is_empty(), "the key is in {hits:?}");
    assert!(seen.contains(&sb.db()), "{seen:?}");
}

/// The saved key and the draft are written through one atomic writer that
/// makes a fresh temp file, mode 0600, every time: a leftover
/// world-readable `.tmp` (of an older upexport's fixed names, or planted)
/// is never renamed over them, nor written through.
/// The config's `max_wait` reaches the TUI (how long it follows a job
/// before saying it stopped); a bad one is the config's error, named.
#[tokio::test]
async fn the_tuis_max_wait_comes_from_the_config() {
    let sb = Sandbox::new();
    let paths = Paths {
        config_dir: sb.config_dir(),
        state_dir: sb.state_dir(),
        cache_dir: sb.root().join("cache").join("upexport"),
    };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let global = Global::default();
    let p = upexport::tui::prepare(&global, &paths, EnvVars::default(), tx.clone()).await;
    assert_eq!(p.max_wait, upexport::jobs::track::DEFAULT_MAX_WAIT);
    sb.write_config("max_wait = \"45m\"\n");
    let p = upexport::tui::prepare(&global, &paths, EnvVars::default(), tx.clone()).await;
    assert_eq!(p.max_wait, std::time::Duration::from_secs(45 * 60));
    sb.write_config("max_wait = \"forever\"\n");
    let p = upexport::tui::prepare(&global, &paths, EnvVars::default(), tx).await;
    assert_eq!(p.max_wait, upexport::jobs::track::DEFAULT_MAX_WAIT);
    let notice = p.notices.first().expect("a notice").text.clone();
    assert!(
        notice.contains("config ignored") && notice.contains("line 1"),
        "{notice}"
    );
}

#[tokio::test]
async fn a_leftover_world_readable_tmp_is_never_renamed_over_the_key_or_the_draft() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let key = dir.path().join("default.key");
    let draft = dir.path().join("draft.json");
    let mode = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
    let mut leftovers = Vec::new();
    for target in [&key, &draft] {
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        for tmp in [format!("{name}.tmp"), format!(".{name}.tmp")] {
            let p = dir.path().join(tmp);
            std::fs::write(&p, "LEFTOVER, readable by all").expect("write");
            set_mode(&p, 0o644);
            leftovers.push(p);
        }
    }
    // The key, as the first-run screen saves it (Ctrl-S).
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut runner = Runner::new(
        upexport::tui::runner::deferred::Deferred::ready(Err("none".into())),
        upexport::tui::runner::deferred::Deferred::ready(Err("none".into())),
        "default".into(),
        None,
        Box::new(RecordingSink::default()),
        tx,
    );
    runner.run(vec![upexport::tui::msg::Effect::UseKey {
        key: ApiKey::new("fresh-key").expect("a key"),
        save: Some(key.clone()),
    }]);
    assert_eq!(
        std::fs::read_to_string(&key).ok().as_deref(),
        Some("fresh-key\n")
    );
    assert_eq!(mode(&key).ok(), Some(0o600), "the key file's mode");
    // The draft.
    let form = upexport::export::FormInput {
        emails: "ana@x.com".into(),
        ..Default::default()
    };
    upexport::tui::runner::draft::save(&draft, &form).expect("the draft is saved");
    assert_eq!(mode(&draft).ok(), Some(0o600), "the draft's mode");
    assert!(
        std::fs::read_to_string(&draft)
            .unwrap_or_default()
            .contains("ana@x.com")
    );
    // Saved again (a fresh temp file each time), still 0600.
    upexport::tui::runner::draft::save(&draft, &form).expect("saved again");
    assert_eq!(mode(&draft).ok(), Some(0o600));
    // The leftovers were neither used nor moved.
    for p in &leftovers {
        assert_eq!(
            std::fs::read_to_string(p).ok().as_deref(),
            Some("LEFTOVER, readable by all"),
            "{}",
            p.display()
        );
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert_eq!(
        names.len(),
        leftovers.len(),
        "no temp file of ours is left: {names:?}"
    );
}
