//! The API client against the embedded demo server on 127.0.0.1: the body
//! on the wire, the key on API calls only, every fault mode's error kind,
//! polling, downloads (gzip, resume, no overwrite), lookups and secrets.
//! Waits are on conditions under hard limits; no test sleeps to synchronise.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{Value, json};
use upexport::api::{
    ApiClient, ApiError, ApiKey, DownloadOptions, DownloadProgress, Downloaded, JobState,
    JobStatus, Timeouts, check_base_url, decompressed_name, partial_path,
};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer, FaultMode, RecordedRequest};
use upexport::export::{ExportRequest, FormInput, Format, validate};

use crate::support::demo::{CREATE, client, client_with, pending, start, timeouts};
use crate::support::within;

const SENTINEL: &str = "sentinel-KEY-4f9a1c";

/// Parts of 40 rows; `Slow` answers after 5 s.
fn opts(mode: FaultMode) -> DemoOptions {
    DemoOptions {
        slow_delay: Duration::from_secs(5),
        ..pending(mode, 40)
    }
}

async fn server(mode: FaultMode) -> DemoServer {
    start(opts(mode)).await
}

/// A client that gives up on an API call after 300 ms.
fn impatient(s: &DemoServer) -> ApiClient {
    client_with(&s.base_url(), DEMO_KEY, Duration::from_millis(300))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
}

fn request(form: &FormInput) -> ExportRequest {
    validate(form, today()).expect("valid form").request
}

fn sparse() -> ExportRequest {
    request(&FormInput {
        from: "2026-10-01".into(),
        to: "2026-10-31".into(),
        ..FormInput::default()
    })
}

fn creates(log: &[RecordedRequest]) -> Vec<&RecordedRequest> {
    log.iter()
        .filter(|r| r.method == "POST" && r.path == CREATE)
        .collect()
}

/// Every error's text, for checks on what it says (and does not say).
fn texts(e: &ApiError) -> String {
    format!("{e} | {e:?}")
}

async fn create(c: &ApiClient) -> String {
    c.create_export(&sparse())
        .await
        .expect("created")
        .job_id
        .expect("job id")
}

/// A completed job's status (forced complete, so no waiting).
async fn completed(s: &DemoServer, c: &ApiClient, id: &str) -> JobStatus {
    s.finish_running_jobs();
    let st = c.job(id).await.expect("status");
    assert_eq!(st.state(), JobState::Completed);
    st
}

async fn download(
    c: &ApiClient,
    url: &str,
    dir: &Path,
    job: &str,
    name: &str,
    overwrite: bool,
) -> Result<Downloaded, ApiError> {
    c.download(
        url,
        dir,
        job,
        name,
        DownloadOptions {
            overwrite,
            ..DownloadOptions::default()
        },
        |_| {},
    )
    .await
}

// ---------------------------------------------------------------------------
// The body on the wire and the key

#[tokio::test]
async fn the_body_on_the_wire_is_normalised_and_omits_empty_fields() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client(&s);
        let full = FormInput {
            from: " 2026-10-01 ".into(),
            to: "2026-10-31T23:30:00+02:00".into(),
            emails: " ana@x.com,bo@y.io;\n ana@x.com\tcy@z.de , ".into(),
            event_type: "track\npage_view, track ,,identify_user".into(),
            user_id: "u1 , Jane Doe\r\nu1;u3\n".into(),
            company_id: "c1,,c2, c1".into(),
            segment_id: " 101 ".into(),
            format: Some(Format::Csv),
            exclusions: "  internal users  ".into(),
        };
        let want_full = concat!(
            r#"{"from":"2026-10-01","to":"2026-10-31T21:30:00Z","#,
            r#""emails":["ana@x.com","bo@y.io","cy@z.de"],"#,
            r#""event_type":["track","page_view","identify_user"],"#,
            r#""user_id":["u1","Jane Doe","u3"],"company_id":["c1","c2"],"#,
            r#""segment_id":"101","format":"csv","exclusions":"internal users"}"#
        );
        // Blank and separator-only fields count as not given.
        let blank = FormInput {
            from: "2026-10-01".into(),
            to: "2026-10-31".into(),
            emails: " ,; \n".into(),
            event_type: "\t".into(),
            user_id: String::new(),
            company_id: ",".into(),
            segment_id: "   ".into(),
            format: None,
            exclusions: " \n ".into(),
        };
        let want_sparse = r#"{"from":"2026-10-01","to":"2026-10-31"}"#;
        let cases = [
            (full, want_full),
            (blank, want_sparse),
            (sparse().to_form(), want_sparse),
            (FormInput::default(), "{}"),
        ];
        for (i, (form, want)) in cases.iter().enumerate() {
            let created = c.create_export(&request(form)).await.expect("created");
            assert!(created.job_id.is_some());
            s.finish_running_jobs();
            let log = s.requests();
            let sent = creates(&log);
            assert_eq!(sent.len(), i + 1);
            let body = &sent[i].body;
            assert_eq!(body, want, "case {i}");
            let parsed: Value = serde_json::from_str(body).unwrap();
            assert_eq!(parsed, serde_json::from_str::<Value>(want).unwrap());
            for empty in ["\"\"", "[]", "null"] {
                assert!(!body.contains(empty), "{empty} in {body}");
            }
        }
        let parsed: Value = serde_json::from_str(want_full).unwrap();
        assert_eq!(
            parsed,
            json!({
                "from": "2026-10-01",
                "to": "2026-10-31T21:30:00Z",
                "emails": ["ana@x.com", "bo@y.io", "cy@z.de"],
                "event_type": ["track", "page_view", "identify_user"],
                "user_id": ["u1", "Jane Doe", "u3"],
                "company_id": ["c1", "c2"],
                "segment_id": "101",
                "format": "csv",
                "exclusions": "internal users",
            })
        );
    })
    .await;
}

#[tokio::test]
async fn conflict_while_a_job_runs_then_created_after_it_finishes() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client(&s);
        let first = create(&c).await;
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "conflict", "{e}");
        assert_eq!(e.http_status(), Some(409));
        assert!(matches!(e, ApiError::Conflict { .. }));
        let msg = e.server_message().unwrap();
        assert!(
            msg.starts_with("An export job is already in progress (Export job "),
            "{msg}"
        );
        assert!(msg.contains(&first), "names the running job: {msg}");
        // Said once: the server's details, without the envelope's
        // headline again (api::error's conflict text).
        let details = msg
            .trim_start_matches("An export job is already in progress (")
            .trim_end_matches(')');
        assert!(e.to_string().contains(details), "{e}");
        assert_eq!(e.to_string().matches("wait for it").count(), 1, "{e}");

        s.finish_running_jobs();
        let second = create(&c).await;
        assert_ne!(first, second);
        let jobs = c.jobs().await.unwrap();
        let ids: Vec<_> = jobs.iter().filter_map(|j| j.job_id.as_deref()).collect();
        assert_eq!(ids, [second.as_str(), first.as_str()]);
        assert_eq!(creates(&s.requests()).len(), 3);
    })
    .await;
}

// ---------------------------------------------------------------------------
// Polling and downloads

#[tokio::test]
async fn a_job_polls_to_completed_and_every_part_downloads_decompressed() {
    within(async {
        let s = DemoServer::start(DemoOptions {
            job_duration: Duration::from_millis(300),
            ..opts(FaultMode::Normal)
        })
        .await
        .unwrap();
        let c = client(&s);
        let id = create(&c).await;
        // Wait on the job's own state, polling under the test's limit.
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        let done = loop {
            tick.tick().await;
            let st = c.job(&id).await.expect("status");
            assert!(
                matches!(st.state(), JobState::Pending | JobState::Processing)
                    || st.state() == JobState::Completed,
                "{:?}",
                st.state()
            );
            if st.state().is_final() {
                break st;
            }
        };
        assert_eq!(done.state(), JobState::Completed);
        assert_eq!(done.job_id.as_deref(), Some(id.as_str()));
        assert_eq!(done.fraction(), Some(1.0));
        let (chunks_done, all) = done.chunks().unwrap();
        assert_eq!(chunks_done, all);
        assert_eq!(done.presigned_urls.len(), 2);

        let dir = tempfile::tempdir().unwrap();
        for (i, p) in done.presigned_urls.iter().enumerate() {
            let name = p.safe_filename(i);
            assert!(name.ends_with(".ndjson.gz"), "{name}");
            let url = p.url.as_deref().unwrap();
            let mut seen: Vec<DownloadProgress> = Vec::new();
            let got = c
                .download(
                    url,
                    dir.path(),
                    &id,
                    &name,
                    DownloadOptions::default(),
                    |p| seen.push(p),
                )
                .await
                .expect("download");
            let want = s.part_content(&id, &name).expect("part");
            assert!(got.decompressed && !got.resumed);
            assert_eq!(got.path, dir.path().join(decompressed_name(&name)));
            assert!(!got.path.to_string_lossy().ends_with(".gz"));
            assert_eq!(std::fs::read(&got.path).unwrap(), want);
            assert_eq!(got.size, want.len() as u64);
            assert!(!dir.path().join(&name).exists(), "no .gz copy kept");
            assert!(!partial_path(dir.path(), &name).exists(), "no .part left");
            // Progress only grows and ends at the announced size.
            let last = seen.last().unwrap();
            assert_eq!(Some(last.received), last.total);
            assert_eq!(last.received, got.transferred);
            assert!(seen.windows(2).all(|w| w[0].received <= w[1].received));
        }

        // API calls carry the key; pre-signed downloads never do.
        let log = s.requests();
        let (api, files): (Vec<_>, Vec<_>) = log.iter().partition(|r| r.path.starts_with("/api/"));
        assert!(api.len() >= 3 && files.len() == 2, "{log:?}");
        for r in api {
            assert_eq!(
                r.authorization.as_deref(),
                Some("Token upexport-demo-key"),
                "{r:?}"
            );
        }
        for r in files {
            assert!(r.path.starts_with("/demo-files/"), "{r:?}");
            assert_eq!(r.authorization, None, "{r:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn every_format_saves_the_part_content() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        for format in Format::ALL {
            let req = ExportRequest {
                format: Some(format),
                ..sparse()
            };
            let id = c.create_export(&req).await.unwrap().job_id.unwrap();
            let st = completed(&s, &c, &id).await;
            for (i, p) in st.presigned_urls.iter().enumerate() {
                let name = p.safe_filename(i);
                let got = download(&c, p.url.as_deref().unwrap(), dir.path(), &id, &name, false)
                    .await
                    .unwrap_or_else(|e| panic!("{format} {name}: {e}"));
                // The demo gzips NDJSON and CSV parts only (Parquet and
                // Avro compress inside): gzip is told by its bytes.
                let gzip = matches!(format, Format::Ndjson | Format::Csv);
                assert_eq!(got.decompressed, gzip, "{format}: gzip told by its bytes");
                assert_eq!(
                    got.path.file_name().unwrap().to_str().unwrap(),
                    decompressed_name(&name)
                );
                assert_eq!(
                    std::fs::read(&got.path).unwrap(),
                    s.part_content(&id, &name).unwrap(),
                    "{format} {name}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn an_existing_file_is_not_overwritten_unless_asked() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client(&s);
        let id = create(&c).await;
        let st = completed(&s, &c, &id).await;
        let p = &st.presigned_urls[0];
        let name = p.safe_filename(0);
        let url = p.url.as_deref().unwrap();
        let want = s.part_content(&id, &name).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join(decompressed_name(&name));

        std::fs::write(&target, b"mine, keep me").unwrap();
        let before = s.requests().len();
        let e = download(&c, url, dir.path(), &id, &name, false)
            .await
            .unwrap_err();
        assert_eq!(e.kind().as_str(), "io", "{e}");
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"mine, keep me");
        assert_eq!(s.requests().len(), before, "refused before downloading");

        // The compressed name counts too.
        std::fs::remove_file(&target).unwrap();
        std::fs::write(dir.path().join(&name), b"gz name taken").unwrap();
        let e = download(&c, url, dir.path(), &id, &name, false)
            .await
            .unwrap_err();
        assert_eq!(e.kind().as_str(), "io", "{e}");
        assert!(!target.exists());
        std::fs::remove_file(dir.path().join(&name)).unwrap();

        let got = download(&c, url, dir.path(), &id, &name, false)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&got.path).unwrap(), want);
        let e = download(&c, url, dir.path(), &id, &name, false)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");

        std::fs::write(&target, b"stale").unwrap();
        let got = download(&c, url, dir.path(), &id, &name, true)
            .await
            .unwrap();
        assert_eq!(got.path, target);
        assert_eq!(std::fs::read(&target).unwrap(), want);
    })
    .await;
}

#[tokio::test]
async fn download_cut_keeps_the_part_and_the_retry_resumes() {
    within(async {
        let s = server(FaultMode::DownloadCut).await;
        let c = client(&s);
        let id = create(&c).await;
        let st = completed(&s, &c, &id).await;
        let dir = tempfile::tempdir().unwrap();
        for (i, p) in st.presigned_urls.iter().enumerate() {
            let name = p.safe_filename(i);
            let url = p.url.as_deref().unwrap();
            let target = dir.path().join(decompressed_name(&name));
            let part = partial_path(dir.path(), &name);

            let e = download(&c, url, dir.path(), &id, &name, false)
                .await
                .unwrap_err();
            assert_eq!(e.kind().as_str(), "connection_lost", "{e}");
            assert!(!e.maybe_sent());
            assert!(e.to_string().contains("next try resumes"), "{e}");
            assert!(!target.exists() && !dir.path().join(&name).exists());
            let kept = std::fs::metadata(&part).expect(".part kept").len();
            assert!(kept > 0);

            let got = download(&c, url, dir.path(), &id, &name, false)
                .await
                .expect("resumed");
            assert!(got.resumed && got.decompressed);
            assert!(got.transferred > 0, "the rest was fetched");
            assert_eq!(got.path, target);
            assert_eq!(
                std::fs::read(&target).unwrap(),
                s.part_content(&id, &name).unwrap()
            );
            assert!(!part.exists());
        }
        let files: Vec<_> = s
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/demo-files/"))
            .collect();
        assert_eq!(files.len(), 4, "one cut and one resume per part");
        assert!(files.iter().all(|r| r.authorization.is_none()));
    })
    .await;
}

// ---------------------------------------------------------------------------
// Lookups

#[tokio::test]
async fn lookups_page_through_and_bare_arrays_work() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client(&s);
        let segments = c.lookup("segments").await.unwrap();
        assert!(segments.is_complete() && segments.warning().is_none());
        assert_eq!((segments.pages, segments.repeats), (3, 0));
        let segments = segments.items;
        let ids: Vec<u64> = segments.iter().map(|v| v["id"].as_u64().unwrap()).collect();
        assert_eq!(ids.len(), 120);
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "no duplicate ids");
        assert_eq!(unique, (101..=220).collect::<Vec<_>>());

        let pages: Vec<String> = s
            .requests()
            .into_iter()
            .map(|r| r.path)
            .filter(|p| p.contains("/lookups/segments"))
            .collect();
        assert_eq!(pages.len(), 3, "{pages:?}");
        assert!(!pages[0].contains('?'));
        assert!(pages[1..].iter().all(|p| p.contains("?after_cursor=")));
        assert_ne!(pages[1], pages[2]);

        let first = c.lookup_page("segments", None).await.unwrap();
        assert_eq!(first.data.len(), 50);
        assert!(first.metadata.cursor.after.is_some());
        assert_eq!(first.metadata.total_count.as_deref(), Some("120"));

        let flows = c.lookup("flows").await.unwrap().items;
        assert_eq!(flows.len(), 8);
        assert_eq!(flows[0], json!({"id": 120, "title": "Onboarding Flow"}));
        let page = c.lookup_page("flows", None).await.unwrap();
        assert_eq!(page.metadata.cursor.after, None);

        let e = c.lookup("no_such_lookup").await.unwrap_err();
        assert_eq!(e.kind().as_str(), "not_found", "{e}");
        assert!(e.server_message().unwrap().contains("no_such_lookup"));
    })
    .await;
}

// ---------------------------------------------------------------------------
// Fault modes: each gives its own error kind

#[tokio::test]
async fn unauthorized_and_forbidden() {
    within(async {
        let s = server(FaultMode::Unauthorized).await;
        let c = client(&s);
        for e in [
            c.jobs().await.unwrap_err(),
            c.create_export(&sparse()).await.unwrap_err(),
        ] {
            assert_eq!(e.kind().as_str(), "unauthorized", "{e}");
            assert_eq!(e.http_status(), Some(401));
            assert!(e.server_message().unwrap().contains("Invalid API key"));
            assert!(!e.is_transient());
        }
        s.set_mode(FaultMode::Forbidden);
        let e = c.job("any").await.unwrap_err();
        assert_eq!(e.kind().as_str(), "forbidden", "{e}");
        assert_eq!(e.http_status(), Some(403));
        assert!(e.to_string().contains("Insufficient permissions"), "{e}");

        // A wrong key against a normal server is a 401 too.
        s.set_mode(FaultMode::Normal);
        let wrong = client_with(&s.base_url(), "not-the-key", Duration::from_secs(10));
        assert_eq!(
            wrong.jobs().await.unwrap_err().kind().as_str(),
            "unauthorized"
        );
    })
    .await;
}

#[tokio::test]
async fn not_found() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client(&s);
        let e = c.job("no-such-job").await.unwrap_err();
        assert_eq!(e.kind().as_str(), "not_found", "{e}");
        assert_eq!(e.http_status(), Some(404));
        assert!(e.server_message().unwrap().contains("no-such-job"), "{e}");

        let id = create(&c).await;
        s.set_mode(FaultMode::NotFound);
        let e = c.job(&id).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "not_found", "{e}");
        assert!(e.to_string().contains("kept 3 days"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn conflict_mode() {
    within(async {
        let s = server(FaultMode::Conflict).await;
        let c = client(&s);
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "conflict", "{e}");
        assert_eq!(e.http_status(), Some(409));
        assert!(
            e.server_message()
                .unwrap()
                .contains("00000000-0000-4000-8000-000000000409"),
            "{e}"
        );
        assert!(c.jobs().await.unwrap().is_empty(), "other calls work");
    })
    .await;
}

#[tokio::test]
async fn rate_limited() {
    within(async {
        let s = server(FaultMode::RateLimited).await;
        let c = client(&s);
        let e = c.jobs().await.unwrap_err();
        assert_eq!(e.kind().as_str(), "rate_limited", "{e}");
        assert_eq!(e.http_status(), Some(429));
        let ApiError::RateLimited { retry_after, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(*retry_after, Some(Duration::from_secs(2)));
        assert!(e.to_string().contains("retry in 2 s"), "{e}");
        assert!(e.is_transient());
    })
    .await;
}

#[tokio::test]
async fn server_error_html_becomes_its_title() {
    within(async {
        let s = server(FaultMode::ServerErrorHtml).await;
        let c = client(&s);
        let e = c.job("x").await.unwrap_err();
        assert_eq!(e.kind().as_str(), "server_error", "{e}");
        assert_eq!(e.http_status(), Some(500));
        assert_eq!(
            e.server_message(),
            Some("HTML page: 500 Internal Server Error")
        );
        let text = e.to_string();
        assert!(text.contains("500 Internal Server Error"), "{text}");
        for tag in ['<', '>', '\n'] {
            assert!(!text.contains(tag), "{tag:?} in {text}");
        }
        assert!(!text.contains("nginx"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn flaky_fails_once_then_works() {
    within(async {
        let s = server(FaultMode::Flaky).await;
        let c = client(&s);
        let e = c.jobs().await.unwrap_err();
        assert_eq!(e.kind().as_str(), "server_error", "{e}");
        assert_eq!(e.http_status(), Some(503));
        assert!(e.to_string().contains("upstream is restarting"), "{e}");
        assert!(e.is_transient());
        assert_eq!(c.jobs().await.unwrap(), vec![]);
        create(&c).await;
    })
    .await;
}

#[tokio::test]
async fn slow_answers_time_out_a_short_timeout() {
    within(async {
        let s = server(FaultMode::Slow).await;
        let c = impatient(&s);
        let e = c.jobs().await.unwrap_err();
        assert_eq!(e.kind().as_str(), "timeout", "{e}");
        assert!(!e.maybe_sent());
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "timeout", "{e}");
        assert!(e.maybe_sent(), "a create that timed out may have worked");
        assert!(e.to_string().contains("may still have been created"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn hang_times_out() {
    within(async {
        let s = server(FaultMode::Hang).await;
        let c = impatient(&s);
        let e = c.job("x").await.unwrap_err();
        assert_eq!(e.kind().as_str(), "timeout", "{e}");
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "timeout", "{e}");
        assert!(e.maybe_sent());
        // The server did read both requests (it logs them as it reads).
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        while s.requests().len() < 2 {
            tick.tick().await;
        }
        let log = s.requests();
        assert_eq!(log.len(), 2);
        assert_eq!(log[1].method, "POST");
        assert_eq!(log[1].body, sparse().to_json());
    })
    .await;
}

#[tokio::test]
async fn garbage_json_is_a_bad_response() {
    within(async {
        let s = server(FaultMode::GarbageJson).await;
        let c = client(&s);
        let e = c.jobs().await.unwrap_err();
        assert_eq!(e.kind().as_str(), "bad_response", "{e}");
        assert!(e.to_string().contains("job list"), "{e}");
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "bad_response", "{e}");
        assert!(e.to_string().contains("probably created"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn empty_created_is_a_bad_response_that_says_the_job_exists() {
    within(async {
        let s = server(FaultMode::EmptyCreated).await;
        let c = client(&s);
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "bad_response", "{e}");
        let text = e.to_string();
        assert!(
            text.contains("HTTP 201, so the export was probably created"),
            "{text}"
        );
        assert!(text.contains("(empty body)"), "{text}");
        // It was.
        s.set_mode(FaultMode::Normal);
        assert_eq!(c.jobs().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn truncated_answers_are_a_lost_connection() {
    within(async {
        let s = server(FaultMode::Truncated).await;
        let c = client(&s);
        // The head arrives whole (200, Content-Length 4096), the body does
        // not: the body read fails, so it is a lost connection, never a
        // decode error on the partial JSON.
        let e = c.job("x").await.unwrap_err();
        assert_eq!(e.kind().as_str(), "connection_lost", "{e}");
        assert!(!e.maybe_sent());
        let e = c.jobs().await.unwrap_err();
        assert_eq!(e.kind().as_str(), "connection_lost", "{e}");
        // A 201 whose body broke off: the export was created.
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "connection_lost", "{e}");
        assert!(e.maybe_sent(), "{e:?}");
        assert!(e.to_string().contains("may still have been created"), "{e}");
    })
    .await;
}

/// A one-connection server on 127.0.0.1 that answers `201 Created` with
/// the start of a body, then says nothing more until the client hangs up.
async fn stalling_201() -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut conn, _) = l.accept().await.unwrap();
        let mut buf = [0u8; 8192];
        let mut head = Vec::new();
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        conn.write_all(
            b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"job_id\":",
        )
        .await
        .unwrap();
        while matches!(conn.read(&mut buf).await, Ok(n) if n > 0) {}
    });
    (base, task)
}

#[tokio::test]
async fn a_created_answer_that_stalls_is_a_timeout_that_may_have_created() {
    within(async {
        let (base, server) = stalling_201().await;
        let c = client_with(&base, DEMO_KEY, Duration::from_secs(1));
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "timeout", "{e}");
        assert!(e.maybe_sent(), "{e:?}");
        let text = e.to_string();
        assert!(text.contains("within 1 s"), "{text}");
        assert!(text.contains("may still have been created"), "{text}");
        drop(c);
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn connection_reset_is_a_lost_connection() {
    within(async {
        let s = server(FaultMode::ConnectionReset).await;
        let c = client(&s);
        let e = c.jobs().await.unwrap_err();
        assert_eq!(e.kind().as_str(), "connection_lost", "{e}");
        assert!(!e.maybe_sent());
        let e = c.create_export(&sparse()).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "connection_lost", "{e}");
        assert!(e.maybe_sent());
        assert!(e.is_transient());
    })
    .await;
}

#[tokio::test]
async fn oversized_answers_are_refused_for_one_object_read_for_lists() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client(&s);
        let id = create(&c).await;
        s.set_mode(FaultMode::Oversized);
        let e = c.job(&id).await.unwrap_err();
        assert_eq!(e.kind().as_str(), "too_large", "{e}");
        assert!(matches!(e, ApiError::TooLarge { limit, .. } if limit == 1 << 20));
        // Lists are read up to 64 MiB: the 2 MiB answers are read whole.
        let jobs = c.jobs().await.map_err(|e| e.to_string()).unwrap();
        assert_eq!(jobs.len(), 2, "the job and the padding item");
        let flows = c.lookup("flows").await.map_err(|e| e.to_string()).unwrap();
        assert_eq!(flows.items.len(), 9);
        assert!(
            flows.items[8]["links"]
                .as_str()
                .is_some_and(|l| l.len() >= 2 << 20)
        );
    })
    .await;
}

#[tokio::test]
async fn a_redirect_off_host_is_not_followed_and_the_key_stays_home() {
    within(async {
        let s = server(FaultMode::RedirectOffHost).await;
        let c = client(&s);
        let to = format!("localhost:{}", s.port());
        for e in [
            c.jobs().await.unwrap_err(),
            c.create_export(&sparse()).await.unwrap_err(),
            c.lookup("segments").await.unwrap_err(),
        ] {
            assert_eq!(e.kind().as_str(), "redirect", "{e}");
            let ApiError::Redirected { from_host, to: got } = &e else {
                panic!("{e:?}")
            };
            assert_eq!(from_host, &format!("127.0.0.1:{}", s.port()));
            assert_eq!(got, &to);
        }
        let log = s.requests();
        assert_eq!(log.len(), 3, "{log:?}");
        for r in &log {
            let host = r.host.as_deref().unwrap_or("");
            assert!(!host.to_ascii_lowercase().starts_with("localhost"), "{r:?}");
        }
        assert!(
            !log.iter().any(|r| r
                .host
                .as_deref()
                .is_some_and(|h| h.to_ascii_lowercase().starts_with("localhost"))
                && r.authorization.is_some()),
            "the key reached localhost"
        );
    })
    .await;
}

#[tokio::test]
async fn a_refused_connection_is_connect() {
    within(async {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let c = client_with(
            &format!("http://127.0.0.1:{port}"),
            DEMO_KEY,
            Duration::from_secs(10),
        );
        let e = c.jobs().await.unwrap_err();
        assert_eq!(e.kind().as_str(), "connect", "{e}");
        assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
        assert!(e.is_transient());
    })
    .await;
}

/// No test here gives the "dns" kind. `https://nonexistent.invalid` is not
/// used: glibc does not short-cut the `.invalid` TLD, so looking it up sends
/// a query to the configured name server (not on 127.0.0.1), which is
/// network; and `check_base_url` allows plain http only for loopback, so no
/// other name can reach the resolver without TLS name checks first.
/// What is checked instead: a host name with a label over 63 bytes is
/// refused by the TLS layer before any lookup (under strace this test opens
/// no socket at all), quickly, as a connect error naming the host.
#[test]
fn an_impossible_host_name_fails_before_any_lookup() {
    // A 64-character label can never resolve: refused up front, as a bad
    // base URL, with no lookup and no connection.
    let host = format!("{}.invalid", "x".repeat(64));
    let e = ApiClient::new(
        &format!("https://{host}"),
        ApiKey::new(DEMO_KEY).unwrap(),
        timeouts(Duration::from_secs(5)),
    )
    .unwrap_err();
    assert_eq!(e.kind().as_str(), "invalid_base_url", "{e}");
    assert!(e.to_string().contains("not a valid host name"), "{e}");
}

#[test]
fn base_urls_are_checked() {
    let e = check_base_url("http://example.com").unwrap_err();
    assert_eq!(e.kind().as_str(), "invalid_base_url");
    assert!(e.to_string().contains("unencrypted"), "{e}");
    let key = || ApiKey::new(DEMO_KEY).unwrap();
    let e = ApiClient::new("http://example.com", key(), Timeouts::default()).unwrap_err();
    assert_eq!(e.kind().as_str(), "invalid_base_url");

    let ok = check_base_url("http://127.0.0.1:8123").unwrap();
    assert_eq!(ok.as_str(), "http://127.0.0.1:8123/");
    let c = ApiClient::new("http://127.0.0.1:8123", key(), Timeouts::default()).unwrap();
    assert_eq!(c.base_url().as_str(), "http://127.0.0.1:8123/");
    assert!(check_base_url("https://example.com").is_ok());
}

// ---------------------------------------------------------------------------
// Secrets

#[tokio::test]
async fn the_key_never_shows_in_errors_or_debug() {
    within(async {
        let s = server(FaultMode::Normal).await;
        // Short timeouts everywhere, downloads included (Hang holds them too).
        let quick = Duration::from_millis(300);
        let c = ApiClient::new(
            &s.base_url(),
            ApiKey::new(SENTINEL).unwrap(),
            Timeouts {
                connect: Duration::from_secs(5),
                request: quick,
                download_idle: quick,
            },
        )
        .unwrap();
        for shown in [format!("{c:?}"), format!("{c:#?}")] {
            assert!(!shown.contains(SENTINEL), "{shown}");
            assert!(!shown.contains("4f9a1c"), "{shown}");
        }
        let dir = tempfile::tempdir().unwrap();
        let mut errors = Vec::new();
        for mode in FaultMode::ALL {
            s.set_mode(mode);
            errors.push(c.jobs().await.err());
            errors.push(c.job("job-1").await.err());
            errors.push(c.create_export(&sparse()).await.err());
            errors.push(c.lookup("segments").await.err());
            let bad = format!(
                "{}/demo-files/x/part-0001.ndjson.gz?X-Amz-Signature=0",
                s.base_url()
            );
            errors.push(
                download(&c, &bad, dir.path(), "x", "part-0001.ndjson.gz", false)
                    .await
                    .err(),
            );
        }
        let errors: Vec<ApiError> = errors.into_iter().flatten().collect();
        assert!(errors.len() >= FaultMode::ALL.len() * 4, "{}", errors.len());
        let mut kinds: Vec<&str> = errors.iter().map(|e| e.kind().as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for k in [
            "unauthorized",
            "forbidden",
            "not_found",
            "rate_limited",
            "server_error",
            "timeout",
            "connection_lost",
            "redirect",
            "http_error",
        ] {
            assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
        }
        for e in &errors {
            let t = texts(e);
            assert!(!t.contains(SENTINEL) && !t.contains("4f9a1c"), "{t}");
        }
        // The key did go out, on API calls only.
        let log = s.requests();
        let sent = format!("Token {SENTINEL}");
        assert!(
            log.iter()
                .any(|r| r.authorization.as_deref() == Some(&sent))
        );
        assert!(
            log.iter()
                .filter(|r| r.path.starts_with("/demo-files/"))
                .all(|r| r.authorization.is_none())
        );
    })
    .await;
}
