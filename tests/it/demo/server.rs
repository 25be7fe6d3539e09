//! The demo server seen from the outside, through a plain HTTP client.
//! Everything runs on 127.0.0.1; waits are on conditions with hard limits.

use std::io::Read;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::{Client, Method, StatusCode, redirect};
use serde_json::{Value, json};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer, FaultMode, OVERSIZED_BYTES};

use crate::support::demo::{COLUMNS, CREATE, pending, start};
use crate::support::within;

const JOBS: &str = "/api/v1/analytics/exports/jobs/";

async fn server_with(mode: FaultMode, job_duration: Duration) -> DemoServer {
    start(DemoOptions {
        job_duration,
        slow_delay: Duration::from_millis(400),
        ..pending(mode, 50)
    })
    .await
}

/// Jobs that stay pending until a test finishes them.
async fn server(mode: FaultMode) -> DemoServer {
    server_with(mode, Duration::from_secs(600)).await
}

fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn api(c: &Client, s: &DemoServer, method: Method, path: &str) -> reqwest::RequestBuilder {
    c.request(method, format!("{}{path}", s.base_url()))
        .header("Authorization", format!("Token {DEMO_KEY}"))
        .header("Accept", "application/json")
}

async fn post(c: &Client, s: &DemoServer, body: Value) -> reqwest::Response {
    api(c, s, Method::POST, CREATE)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get_json(c: &Client, s: &DemoServer, path: &str) -> (StatusCode, Value) {
    let r = api(c, s, Method::GET, path).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

async fn create_job(c: &Client, s: &DemoServer, body: Value) -> String {
    let r = post(c, s, body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    v["job_id"].as_str().unwrap().to_owned()
}

/// A completed job's `presigned_urls` as (filename, url).
async fn finished_urls(c: &Client, s: &DemoServer, id: &str) -> Vec<(String, String)> {
    s.finish_running_jobs();
    let (status, v) = get_json(c, s, &format!("{JOBS}{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "completed");
    v["presigned_urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["filename"].as_str().unwrap().to_owned(),
                u["url"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn gunzip(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn assert_envelope(v: &Value, code: &str) {
    let e = &v["errors"][0];
    assert_eq!(e["error_code"], code, "{v}");
    for k in ["details", "error", "message"] {
        assert!(e[k].is_string(), "{k} in {v}");
    }
}

fn error_text(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        text.push_str(" / ");
        text.push_str(&s.to_string());
        src = s.source();
    }
    text
}

#[tokio::test]
async fn create_conflicts_while_running_and_works_again_after() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        let r = post(
            &c,
            &s,
            json!({"from": "2026-10-01", "to": "2026-10-31", "format": "ndjson"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["content-type"], "application/json");
        let created: Value = r.json().await.unwrap();
        let first = created["job_id"].as_str().unwrap().to_owned();
        assert_eq!(uuid::Uuid::parse_str(&first).unwrap().get_version_num(), 4);
        assert_eq!(created["environment_app_token"], "NX-DEMO001");
        assert_eq!(created["environment_name"], "demo");
        assert!(created["links"].as_str().unwrap().contains(&first));
        let start = created["start_time"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(start).is_ok() && start.ends_with('Z'));

        let r = post(&c, &s, json!({})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let v: Value = r.json().await.unwrap();
        assert_envelope(&v, "conflict");
        assert_eq!(
            v["errors"][0]["message"],
            "An export job is already in progress"
        );
        assert!(v["errors"][0]["details"].as_str().unwrap().contains(&first));

        let (_, v) = get_json(&c, &s, &format!("{JOBS}{first}")).await;
        assert_eq!(v["status"], "pending");
        assert_eq!(v["progress"], "0");
        assert_eq!(v["end_time"], "");
        assert_eq!(v["type"], "export");
        assert_eq!(
            v["all_chunks"].as_array().unwrap().len(),
            5,
            "weeks of October"
        );
        assert_eq!(v["completed_chunks"], json!([]));
        assert_eq!(v["presigned_urls"], json!([]));

        s.finish_running_jobs();
        let second = create_job(&c, &s, json!({"format": "csv"})).await;
        assert_ne!(first, second);
        let (status, list) = get_json(&c, &s, "/api/v1/analytics/exports/jobs").await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["job_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [second.as_str(), first.as_str()], "newest first");
        assert_eq!(list[1]["status"], "completed");
        assert_eq!(list[0]["status"], "pending");
        for j in list.as_array().unwrap() {
            for k in [
                "job_id",
                "status",
                "progress",
                "start_time",
                "end_time",
                "elapsed_time",
                "elapsed_time_seconds",
            ] {
                assert!(j[k].is_string(), "{k} in {j}");
            }
            assert_eq!(j["elapsed_time"].as_str().unwrap().len(), 8);
        }
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_job_runs_to_completion_on_its_own() {
    within(async {
        let s = server_with(FaultMode::Normal, Duration::from_millis(400)).await;
        let c = client();
        let id = create_job(&c, &s, json!({"from": "2026-08-15", "to": "2026-10-31"})).await;
        let order = ["pending", "processing", "completed"];
        let mut seen = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        let done = loop {
            tick.tick().await;
            let (status, v) = get_json(&c, &s, &format!("{JOBS}{id}")).await;
            assert_eq!(status, StatusCode::OK);
            let st = v["status"].as_str().unwrap().to_owned();
            let rank = order.iter().position(|o| *o == st).expect("known status");
            assert!(
                seen.last().is_none_or(|&r| r <= rank),
                "status went back to {st}"
            );
            seen.push(rank);
            if st == "processing" {
                let done = v["completed_chunks"].as_array().unwrap().len();
                assert_eq!(v["current_chunk"], v["all_chunks"][done]);
            }
            if st == "completed" {
                break v;
            }
        };
        assert_eq!(
            done["all_chunks"],
            json!([
                "2026-08-15..2026-08-31",
                "2026-09-01..2026-09-30",
                "2026-10-01..2026-10-31"
            ])
        );
        assert_eq!(done["completed_chunks"], done["all_chunks"]);
        assert_eq!(done["progress"], "100");
        assert!(chrono::DateTime::parse_from_rfc3339(done["end_time"].as_str().unwrap()).is_ok());
        let urls = done["presigned_urls"].as_array().unwrap();
        assert_eq!(urls.len(), 2);
        for (k, v) in done.as_object().unwrap() {
            assert!(v.is_string() || v.is_array(), "{k} is a string or list");
        }
        for u in urls {
            let url = u["url"].as_str().unwrap();
            assert!(url.starts_with(&format!("{}/demo-files/{id}/", s.base_url())));
            assert!(url.contains("X-Amz-Expires=172800") && url.contains("X-Amz-Signature="));
        }
    })
    .await;
}

#[tokio::test]
async fn failed_jobs_say_why() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        let id = create_job(&c, &s, json!({})).await;
        s.fail_running_jobs("warehouse unavailable");
        let (_, v) = get_json(&c, &s, &format!("{JOBS}{id}")).await;
        assert_eq!(v["status"], "failed");
        assert_eq!(v["error"], "warehouse unavailable");
        assert_ne!(v["end_time"], "");
        assert_eq!(v["presigned_urls"], json!([]));
        create_job(&c, &s, json!({})).await;
    })
    .await;
}

#[tokio::test]
async fn the_key_is_required_and_logged() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        let url = format!("{}{JOBS}", s.base_url());
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()["content-type"], "application/json");
        let v: Value = r.json().await.unwrap();
        assert_envelope(&v, "unauthorized");
        assert_eq!(v["errors"][0]["error"], "Unauthorized");
        assert_eq!(v["errors"][0]["message"], "Invalid API key");

        let r = c
            .post(format!("{}{CREATE}", s.base_url()))
            .header("Authorization", "Token wrong")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let (status, _) = get_json(&c, &s, JOBS).await;
        assert_eq!(status, StatusCode::OK);

        let log = s.requests();
        assert_eq!(log.len(), 3);
        assert_eq!(log[0].authorization, None);
        assert_eq!(log[1].authorization.as_deref(), Some("Token wrong"));
        assert_eq!(log[1].method, "POST");
        assert_eq!(log[1].body, "{}");
        assert_eq!(
            log[2].authorization.as_deref(),
            Some("Token upexport-demo-key")
        );
        assert_eq!(log[2].path, JOBS);
        let host = format!("127.0.0.1:{}", s.port());
        assert_eq!(log[2].host.as_deref(), Some(host.as_str()));
    })
    .await;
}

/// A known path asked with a wrong method: 405 with the error envelope.
#[tokio::test]
async fn a_wrong_method_gets_the_envelope() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        for (method, path) in [
            (Method::GET, CREATE),
            (Method::DELETE, "/api/v1/analytics/exports/jobs/x"),
            (Method::PUT, JOBS),
        ] {
            let r = api(&c, &s, method.clone(), path).send().await.unwrap();
            assert_eq!(
                r.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            let v: Value = r.json().await.unwrap();
            assert_envelope(&v, "method_not_allowed");
        }
    })
    .await;
}

#[tokio::test]
async fn bad_requests_get_the_envelope() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        for body in [
            json!({"format": "xml"}),
            json!({"from": "2026-02-30"}),
            json!({"to": "yesterday"}),
            json!([1, 2]),
            // Types the vendor's schema rules out: a strict server refuses
            // them, so a client that sent them fails here.
            json!({"segment_id": 101}),
            json!({"emails": "a@b.co"}),
            json!({"exclusions": ["internal"]}),
            json!({"user_id": ["u1", 7]}),
            json!({"event_type": [{"name": "track"}]}),
        ] {
            let r = post(&c, &s, body.clone()).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_envelope(&r.json().await.unwrap(), "invalid_request");
        }
        let r = api(&c, &s, Method::POST, CREATE)
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Trailing slash and RFC 3339 dates are accepted.
        let r = api(&c, &s, Method::POST, "/api/v1/analytics/exports/")
            .json(&json!({"from": "2026-10-01T08:00:00Z", "to": "2026-10-02T08:00:00+02:00"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let (status, v) = get_json(&c, &s, &format!("{JOBS}no-such-job")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_envelope(&v, "not_found");
        let (status, v) = get_json(&c, &s, "/api/v1/analytics/exports/lookups/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_envelope(&v, "not_found");
    })
    .await;
}

/// Microseconds since 1970 of October 2026 (UTC), the range asked for.
fn in_october_2026(micros: i64) -> bool {
    (1_790_812_800_000_000..1_793_491_200_000_000).contains(&micros)
}

/// Real files in all four formats: NDJSON and CSV gzip-compressed (as the
/// vendor's are found, and as guessed), Parquet and Avro as they are
/// (their own compression inside), each readable by its format's reader.
#[tokio::test]
async fn every_format_is_a_real_file_of_that_format() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        for format in ["ndjson", "csv", "avro", "parquet"] {
            let id = create_job(
                &c,
                &s,
                json!({"from": "2026-10-01", "to": "2026-10-31", "format": format,
                       "event_type": ["track", "page_view"], "user_id": ["alice", "bob"]}),
            )
            .await;
            let urls = finished_urls(&c, &s, &id).await;
            assert_eq!(urls.len(), 2);
            let gzipped = matches!(format, "ndjson" | "csv");
            for (i, (name, url)) in urls.iter().enumerate() {
                let gz = if gzipped { ".gz" } else { "" };
                assert_eq!(name, &format!("part-{:04}.{format}{gz}", i + 1));
                // Like S3: no Authorization header.
                let r = c.get(url).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                let kind = if gzipped {
                    "application/gzip"
                } else {
                    "application/octet-stream"
                };
                assert_eq!(r.headers()["content-type"], kind);
                let len: usize = r.headers()["content-length"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                let body = r.bytes().await.unwrap();
                assert_eq!(body.len(), len);
                assert_eq!(body.starts_with(&[0x1f, 0x8b]), gzipped, "{name}");
                let raw = if gzipped {
                    gunzip(&body)
                } else {
                    body.to_vec()
                };
                assert_eq!(Some(raw.clone()), s.part_content(&id, name));
                match format {
                    "csv" => {
                        let text = String::from_utf8(raw).unwrap();
                        assert!(text.starts_with(&COLUMNS.join(",")));
                        assert_eq!(text.matches("\r\n").count(), 51, "header and 50 rows");
                    }
                    "avro" => check_avro(&raw),
                    "parquet" => check_parquet(raw),
                    _ => {
                        let lines: Vec<Value> = raw
                            .split(|b| *b == b'\n')
                            .filter(|l| !l.is_empty())
                            .map(|l| serde_json::from_slice(l).unwrap())
                            .collect();
                        assert_eq!(lines.len(), 50);
                        for row in &lines {
                            assert!(
                                ["track", "page_view"]
                                    .contains(&row["event_type"].as_str().unwrap())
                            );
                            assert!(["alice", "bob"].contains(&row["user_id"].as_str().unwrap()));
                            assert!(row["inserted_at"].as_str().unwrap().starts_with("2026-10-"));
                            assert!(row["metadata"].is_object());
                            assert!(row["screen_width"].is_i64());
                        }
                    }
                }
            }
        }
        assert_eq!(s.part_content("no-such-job", "part-0001.ndjson.gz"), None);
    })
    .await;
}

/// An Avro object container file of 50 events, read by the apache-avro
/// crate: the schema's fields, timestamps as timestamp-micros.
fn check_avro(raw: &[u8]) {
    use apache_avro::types::Value as Avro;
    let reader = apache_avro::Reader::new(raw).expect("an Avro container file");
    let apache_avro::Schema::Record(schema) = reader.writer_schema().clone() else {
        panic!("a record schema");
    };
    let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, COLUMNS);
    let mut n = 0;
    for record in reader {
        let Avro::Record(fields) = record.expect("a record") else {
            panic!("a record");
        };
        let get = |k: &str| match &fields.iter().find(|(n, _)| n == k).unwrap().1 {
            Avro::Union(_, v) => (**v).clone(),
            v => v.clone(),
        };
        let Avro::String(t) = get("event_type") else {
            panic!("event_type is a string");
        };
        assert!(["track", "page_view"].contains(&t.as_str()), "{t}");
        let Avro::TimestampMicros(at) = get("inserted_at") else {
            panic!("inserted_at is timestamp-micros: {:?}", get("inserted_at"));
        };
        assert!(in_october_2026(at), "{at}");
        let Avro::String(meta) = get("metadata") else {
            panic!("metadata is JSON text");
        };
        assert!(serde_json::from_str::<Value>(&meta).unwrap().is_object());
        n += 1;
    }
    assert_eq!(n, 50);
}

/// A Parquet file of 50 events, read by the parquet crate: its footer's
/// row count and schema, timestamps as TIMESTAMP(MICROS, UTC).
fn check_parquet(raw: Vec<u8>) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(bytes::Bytes::from(raw)).expect("a Parquet file");
    let meta = reader.metadata().file_metadata();
    assert_eq!(meta.num_rows(), 50);
    let schema = meta.schema_descr();
    let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, COLUMNS);
    let at = schema.column(6);
    assert!(
        matches!(
            at.logical_type_ref(),
            Some(parquet::basic::LogicalType::Timestamp { .. })
        ),
        "{:?}",
        at.logical_type_ref()
    );
    let mut n = 0;
    for row in reader.get_row_iter(None).expect("rows") {
        let row = row.expect("a row");
        let get = |k: &str| {
            row.get_column_iter()
                .find(|(n, _)| *n == k)
                .unwrap()
                .1
                .clone()
        };
        let Field::Str(t) = get("event_type") else {
            panic!("event_type is a string");
        };
        assert!(["track", "page_view"].contains(&t.as_str()), "{t}");
        let Field::TimestampMicros(at) = get("inserted_at") else {
            panic!("inserted_at is a timestamp: {:?}", get("inserted_at"));
        };
        assert!(in_october_2026(at), "{at}");
        n += 1;
    }
    assert_eq!(n, 50);
}

/// vendor-differs: every part gzip, whatever its format (a vendor that
/// compresses everything it stores); the bytes inside are the same file.
#[tokio::test]
async fn vendor_differs_gzips_parquet_and_avro_parts_too() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        for format in ["parquet", "avro"] {
            // Created under vendor-differs; read back under normal (whose
            // status words `finished_urls` knows).
            s.set_mode(FaultMode::VendorDiffers);
            let body = json!({"from": "2026-10-01", "to": "2026-10-31", "format": format,
                              "event_type": ["track", "page_view"]});
            let id = create_job(&c, &s, body).await;
            s.set_mode(FaultMode::Normal);
            for (i, (name, url)) in finished_urls(&c, &s, &id).await.iter().enumerate() {
                assert_eq!(name, &format!("part-{:04}.{format}.gz", i + 1));
                let body = c.get(url).send().await.unwrap().bytes().await.unwrap();
                let raw = gunzip(&body);
                assert_eq!(Some(raw.clone()), s.part_content(&id, name));
                match format {
                    "parquet" => check_parquet(raw),
                    _ => check_avro(&raw),
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn ranges_resume_and_signatures_are_checked() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        let id = create_job(&c, &s, json!({})).await;
        let (name, url) = finished_urls(&c, &s, &id).await.remove(0);
        let full = c.get(&url).send().await.unwrap().bytes().await.unwrap();
        let from = full.len() / 3;
        let r = c
            .get(&url)
            .header("Range", format!("bytes={from}-"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            r.headers()["content-range"],
            format!("bytes {from}-{}/{}", full.len() - 1, full.len()).as_str()
        );
        let tail = r.bytes().await.unwrap();
        assert_eq!(&tail[..], &full[from..]);
        assert_eq!(
            gunzip(&[&full[..from], &tail[..]].concat()),
            s.part_content(&id, &name).unwrap()
        );

        let r = c
            .get(&url)
            .header("Range", format!("bytes={}-", full.len()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);

        let (base, _) = url.split_once("X-Amz-Signature=").unwrap();
        for bad in [
            format!("{base}X-Amz-Signature=00ff"),
            url.split_once('?').unwrap().0.to_owned(),
        ] {
            let r = c.get(&bad).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            let body = r.text().await.unwrap();
            assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
        }
    })
    .await;
}

#[tokio::test]
async fn files_carry_validators_and_if_range_is_honoured_and_vendor_differs_sends_none() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        let id = create_job(&c, &s, json!({})).await;
        let (_, url) = finished_urls(&c, &s, &id).await.remove(0);
        let r = c.get(&url).send().await.unwrap();
        let h = r.headers().clone();
        let full = r.bytes().await.unwrap();
        let etag = h["etag"].to_str().unwrap().to_owned();
        let date = h["last-modified"].to_str().unwrap().to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong: {etag}"
        );
        assert!(date.ends_with(" GMT"), "{date}");
        assert_eq!(h["accept-ranges"], "bytes");
        let from = full.len() / 2;
        let ranged = |if_range: &str| {
            c.get(&url)
                .header("Range", format!("bytes={from}-"))
                .header("If-Range", if_range)
                .send()
        };
        // A matching ETag or date: the range. Anything else: the whole file.
        for (v, want) in [
            (etag.as_str(), StatusCode::PARTIAL_CONTENT),
            (date.as_str(), StatusCode::PARTIAL_CONTENT),
            ("\"someone-else\"", StatusCode::OK),
            ("Tue, 01 Jan 2019 00:00:00 GMT", StatusCode::OK),
        ] {
            let r = ranged(v).await.unwrap();
            assert_eq!(r.status(), want, "If-Range: {v}");
            let body = r.bytes().await.unwrap();
            let expected = if want == StatusCode::OK {
                &full[..]
            } else {
                &full[from..]
            };
            assert!(body == expected, "If-Range: {v}");
        }

        // vendor-differs: no validators, no Accept-Ranges, ranges still work.
        s.set_mode(FaultMode::VendorDiffers);
        let r = c
            .get(&url)
            .header("Range", format!("bytes={from}-"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        for name in ["etag", "last-modified", "accept-ranges"] {
            assert!(r.headers().get(name).is_none(), "{name}: {:?}", r.headers());
        }
        assert!(r.bytes().await.unwrap() == full[from..]);
    })
    .await;
}

#[tokio::test]
async fn lookups_answer_and_segments_page_through() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        for name in upexport::demo::LOOKUPS
            .iter()
            .filter(|n| !["segments", "events_properties"].contains(n))
        {
            let (status, v) =
                get_json(&c, &s, &format!("/api/v1/analytics/exports/lookups/{name}")).await;
            assert_eq!(status, StatusCode::OK);
            assert!(!v.as_array().unwrap().is_empty(), "{name}");
        }
        let (_, flows) = get_json(&c, &s, "/api/v1/analytics/exports/lookups/flows").await;
        assert!(flows[0]["id"].is_u64() && flows[0]["title"].is_string());

        let mut path = "/api/v1/analytics/exports/lookups/segments".to_owned();
        let (mut ids, mut pages) = (Vec::new(), 0);
        loop {
            let (status, v) = get_json(&c, &s, &path).await;
            assert_eq!(status, StatusCode::OK);
            pages += 1;
            assert_eq!(v["metadata"]["limit"], 50);
            assert_eq!(v["metadata"]["total_count"], 120);
            assert_eq!(v["metadata"]["cursor"]["before"].is_null(), pages == 1);
            for seg in v["data"].as_array().unwrap() {
                for k in ["title", "usage", "category", "status"] {
                    assert!(seg[k].is_string(), "{k}");
                }
                assert!(seg["is_hidden"].is_boolean() && seg["is_protected"].is_boolean());
                ids.push(seg["id"].as_u64().unwrap());
            }
            match v["metadata"]["cursor"]["after"].as_str() {
                Some(after) => {
                    path =
                        format!("/api/v1/analytics/exports/lookups/segments?after_cursor={after}")
                }
                None => break,
            }
        }
        assert_eq!(pages, 3);
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!((ids.len(), unique.len()), (120, 120));
        let (_, v) = get_json(
            &c,
            &s,
            "/api/v1/analytics/exports/lookups/events_properties",
        )
        .await;
        assert!(v["metadata"]["cursor"]["after"].is_string());
    })
    .await;
}

/// One item of each lookup as the vendor's OpenAPI document shows it
/// (its response examples), with each field's JSON type.
fn vendor_example(name: &str) -> Value {
    match name {
        "segments" => {
            json!({"id": 101, "title": "Active Users", "usage": "all", "category": "user_id", "is_hidden": false, "is_protected": false, "status": "published"})
        }
        "events_properties" => {
            json!({"id": 12, "key": "url", "display_name": "URL", "is_auto_property": true, "is_mobile_auto_property": false, "data_type": "string", "category": "css_attribute", "description": "Page URL", "is_archived": false, "event": {"id": 33, "display_name": "page_view"}, "inserted_at": "2025-01-01T00:00:00Z", "last_seen": "2025-01-10T00:00:00Z"})
        }
        "user_properties" => {
            json!({"id": 1, "type": "user_property", "key": "email", "display_name": "Email", "data_type": "string", "is_auto_property": false})
        }
        "company_properties" => {
            json!({"id": 10, "type": "company_property", "key": "company_name", "display_name": "Company Name", "data_type": "string", "is_auto_property": false})
        }
        "features_events" | "resource_center_modules" | "checklists" => {
            json!({"display_name": "Feature A", "key": "feature_a", "data_type": "string"})
        }
        "flows" | "banners" | "spotlights" => json!({"id": 123, "title": "Onboarding Flow"}),
        "embeds" => json!({"id": 77, "title": "Promo Banner", "type": "banner"}),
        "surveys" => {
            json!({"id": 45, "title": "CSAT Survey", "platform": "web", "modules": [{"id": 1, "order": 1, "type": "open_text", "question": "How was it?"}]})
        }
        other => panic!("no example for {other}"),
    }
}

/// The shape of a JSON value: its kind, and for objects and arrays the
/// shapes inside (an array's first element).
fn shape(v: &Value) -> Value {
    match v {
        Value::Null => json!("null"),
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(a) => json!([a.first().map(shape)]),
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), shape(v))).collect(),
    }
}

/// Every lookup's items are shaped as the vendor's example (the same
/// fields with the same JSON types, nested ones too), in normal mode.
#[tokio::test]
async fn lookup_items_are_shaped_as_the_vendors_examples() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        for name in upexport::demo::LOOKUPS {
            let (status, v) =
                get_json(&c, &s, &format!("/api/v1/analytics/exports/lookups/{name}")).await;
            assert_eq!(status, StatusCode::OK, "{name}");
            let items = if upexport::api::is_paginated(name) {
                v["data"].clone()
            } else {
                v.clone()
            };
            let items = items.as_array().expect("a list").clone();
            assert!(!items.is_empty(), "{name}");
            let want = shape(&vendor_example(name));
            for item in &items {
                assert_eq!(shape(item), want, "{name}: {item}");
            }
        }
    })
    .await;
}

/// Under `vendor-differs` a lookup's error envelope carries fields the
/// vendor never documented; the client still reads its message.
#[tokio::test]
async fn vendor_differs_pads_lookup_error_envelopes_and_the_client_reads_them() {
    within(async {
        let s = server(FaultMode::VendorDiffers).await;
        let (status, v) = get_json(&client(), &s, "/api/v1/analytics/exports/lookups/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(v["request_id"].is_string(), "{v}");
        assert!(v["errors"][0]["trace_id"].is_string(), "{v}");
        assert_eq!(v["errors"][0]["message"], "Lookup not found");
        let e = crate::support::demo::client(&s)
            .lookup("nope")
            .await
            .unwrap_err();
        assert_eq!(e.kind().as_str(), "not_found");
        assert!(e.to_string().contains("no lookup named 'nope'"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn status_code_faults() {
    within(async {
        let s = server(FaultMode::Normal).await;
        let c = client();
        for (mode, code, error_code) in [
            (FaultMode::Unauthorized, 401, "unauthorized"),
            (FaultMode::Forbidden, 403, "forbidden"),
            (FaultMode::NotFound, 404, "not_found"),
            (FaultMode::RateLimited, 429, "rate_limited"),
        ] {
            s.set_mode(mode);
            for method in [Method::GET, Method::POST] {
                let path = if method == Method::GET { JOBS } else { CREATE };
                let r = api(&c, &s, method, path)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), code, "{mode}");
                if code == 429 {
                    assert_eq!(r.headers()["retry-after"], "2");
                }
                assert_envelope(&r.json().await.unwrap(), error_code);
            }
        }
        s.set_mode(FaultMode::ServerErrorHtml);
        let r = api(&c, &s, Method::GET, JOBS).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(r.text().await.unwrap().contains("<html>"));

        s.set_mode(FaultMode::Conflict);
        let r = post(&c, &s, json!({})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["errors"][0]["message"],
            "An export job is already in progress"
        );
        assert_eq!(get_json(&c, &s, JOBS).await, (StatusCode::OK, json!([])));
    })
    .await;
}

#[tokio::test]
async fn flaky_fails_once() {
    within(async {
        let s = server(FaultMode::Flaky).await;
        let c = client();
        let r = api(&c, &s, Method::GET, JOBS).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert_eq!(get_json(&c, &s, JOBS).await.0, StatusCode::OK);
        assert_eq!(post(&c, &s, json!({})).await.status(), StatusCode::CREATED);
        s.set_mode(FaultMode::Flaky);
        assert_eq!(
            post(&c, &s, json!({})).await.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(s.requests().len(), 4);
    })
    .await;
}

#[tokio::test]
async fn slow_answers_late_and_hang_never() {
    within(async {
        let s = server(FaultMode::Slow).await;
        let c = client();
        let t = Instant::now();
        assert_eq!(get_json(&c, &s, JOBS).await.0, StatusCode::OK);
        assert!(t.elapsed() >= Duration::from_millis(400));
        let e = api(&c, &s, Method::GET, JOBS)
            .timeout(Duration::from_millis(100))
            .send()
            .await
            .unwrap_err();
        assert!(e.is_timeout(), "{e}");

        s.set_mode(FaultMode::Hang);
        let e = api(&c, &s, Method::POST, CREATE)
            .json(&json!({"format": "csv"}))
            .timeout(Duration::from_millis(300))
            .send()
            .await
            .unwrap_err();
        assert!(e.is_timeout(), "{e}");
        let last = s.requests().pop().unwrap();
        assert_eq!((last.method.as_str(), last.path.as_str()), ("POST", CREATE));
        assert_eq!(
            last.authorization.as_deref(),
            Some("Token upexport-demo-key")
        );
        assert_eq!(last.body, r#"{"format":"csv"}"#);
    })
    .await;
}

#[tokio::test]
async fn broken_bodies() {
    within(async {
        let s = server(FaultMode::GarbageJson).await;
        let c = client();
        let r = post(&c, &s, json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).is_err());
        let r = api(&c, &s, Method::GET, JOBS).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).is_err());

        s.finish_running_jobs();
        s.set_mode(FaultMode::EmptyCreated);
        let r = post(&c, &s, json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert!(r.bytes().await.unwrap().is_empty());
        let (_, list) = get_json(&c, &s, JOBS).await;
        assert_eq!(
            list.as_array().unwrap().len(),
            2,
            "the job exists all the same"
        );

        s.finish_running_jobs();
        s.set_mode(FaultMode::Oversized);
        let r = post(&c, &s, json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body = r.bytes().await.unwrap();
        assert!(body.len() >= OVERSIZED_BYTES);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert!(v["job_id"].is_string());

        s.set_mode(FaultMode::Truncated);
        let r = api(&c, &s, Method::GET, JOBS).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-length"], "4096");
        assert!(r.bytes().await.is_err(), "body ends early");
        assert_eq!(s.requests().last().unwrap().path, JOBS);
    })
    .await;
}

#[tokio::test]
async fn connection_reset() {
    within(async {
        let s = server(FaultMode::ConnectionReset).await;
        let c = client();
        let e = api(&c, &s, Method::GET, JOBS).send().await.unwrap_err();
        assert!(!e.is_timeout() && e.status().is_none(), "{e}");
        let text = error_text(&e).to_lowercase();
        assert!(text.contains("reset"), "{text}");
        assert_eq!(s.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn redirect_off_host() {
    within(async {
        let s = server(FaultMode::RedirectOffHost).await;
        let r = api(&client(), &s, Method::GET, JOBS).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
        let location = reqwest::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        assert_eq!(location.host_str(), Some("localhost"));
        assert_eq!(location.port(), Some(s.port()));
        assert_eq!(location.path(), JOBS);

        // A client that follows ends up on the other host name, where the
        // request is served normally; reqwest drops the key on the way.
        let following = Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let r = api(&following, &s, Method::GET, JOBS).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let log = s.requests();
        let last = log.last().unwrap();
        assert_eq!(
            last.host.as_deref(),
            Some(format!("localhost:{}", s.port()).as_str())
        );
        assert_eq!(last.authorization, None);

        let r = following
            .get(location.as_str())
            .header("Authorization", format!("Token {DEMO_KEY}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn download_cut_then_resume_then_whole() {
    within(async {
        let s = server(FaultMode::DownloadCut).await;
        let c = client();
        let id = create_job(&c, &s, json!({"format": "ndjson"})).await;
        let (name, url) = finished_urls(&c, &s, &id).await.remove(0);

        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let total: usize = r.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let mut got = Vec::new();
        let mut stream = r.bytes_stream();
        let mut failed = false;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(b) => got.extend_from_slice(&b),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed, "the cut download ends in an error");
        assert_eq!(got.len(), total / 2);

        let r = c
            .get(&url)
            .header("Range", format!("bytes={}-", got.len()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        got.extend_from_slice(&r.bytes().await.unwrap());
        assert_eq!(got.len(), total);
        assert_eq!(gunzip(&got), s.part_content(&id, &name).unwrap());

        let whole = c.get(&url).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(&whole[..], &got[..]);
    })
    .await;
}

#[tokio::test]
async fn stops_when_shut_down_or_dropped() {
    within(async {
        let c = client();
        let s = server(FaultMode::Normal).await;
        assert!(s.base_url().starts_with("http://127.0.0.1:"));
        let url = format!("{}/", s.base_url());
        assert!(
            c.get(&url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
                .contains(DEMO_KEY)
        );
        s.shutdown().await;
        assert!(c.get(&url).send().await.unwrap_err().is_connect());

        let s = server(FaultMode::Hang).await;
        let url = format!("{}/", s.base_url());
        drop(s);
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        loop {
            tick.tick().await;
            let r = c.get(&url).timeout(Duration::from_secs(2)).send().await;
            if r.as_ref().is_err_and(|e| e.is_connect()) {
                break;
            }
        }
    })
    .await;
}
