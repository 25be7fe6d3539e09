//! Resuming a download only when the partial file on disk is the start of
//! the very file asked for: same job, same name, same size on the server,
//! the same validators (`If-Range`), and a 206 that starts at the bytes on
//! disk. Anything else starts over and says why. Against a scripted server
//! on 127.0.0.1 (the demo server never answers wrongly on purpose).

use std::path::Path;

use upexport::api::{ApiClient, ApiError, DownloadOptions, Downloaded, partial_path};

use crate::support::demo::client_for;
use crate::support::scripted::{Answer, Scripted, Seen};
use crate::support::{assert_file, within};

/// Plain CSV (not gzip, so the bytes are kept as sent): `n` rows tagged `tag`.
fn csv(tag: &str, n: usize) -> Vec<u8> {
    let mut s = String::from("id,job\n");
    for i in 0..n {
        s.push_str(&format!("{i:06},{tag}\n"));
    }
    s.into_bytes()
}

async fn dl(
    c: &ApiClient,
    url: &str,
    dir: &Path,
    job: &str,
    name: &str,
) -> Result<Downloaded, ApiError> {
    c.download(url, dir, job, name, DownloadOptions::default(), |_| {})
        .await
}

/// The `bytes a-b/total` a correct 206 for `range` of `body` carries.
fn ranged(req: &Seen, body: &[u8]) -> Answer {
    let start: usize = req
        .header("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer::new(206, body[start..].to_vec()).header(
        "Content-Range",
        format!("bytes {start}-{}/{}", body.len() - 1, body.len()),
    )
}

#[tokio::test]
async fn a_partial_file_of_another_job_is_never_resumed() {
    within(async {
        // Two jobs, one file name, the same size; the server resumes
        // anything it is asked to (and sends no validators).
        let a = csv("A", 4000);
        let b = csv("B", 4000);
        assert_eq!(a.len(), b.len());
        let (sa, sb) = (a.clone(), b.clone());
        let server = Scripted::start(move |req, _| {
            let body = if req.path.starts_with("/a/") {
                &sa
            } else {
                &sb
            };
            if req.header("range").is_some() {
                ranged(req, body)
            } else if req.path.starts_with("/a/") {
                Answer::new(200, body.clone()).cut_at(body.len() / 2)
            } else {
                Answer::new(200, body.clone())
            }
        })
        .await;
        let c = client_for(&server.url);
        let dir = tempfile::tempdir().unwrap();
        let e = dl(
            &c,
            &format!("{}/a/big.csv", server.url),
            dir.path(),
            "job-a",
            "big.csv",
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind().as_str(), "connection_lost", "{e}");
        assert!(partial_path(dir.path(), "big.csv").exists());

        let got = dl(
            &c,
            &format!("{}/b/big.csv", server.url),
            dir.path(),
            "job-b",
            "big.csv",
        )
        .await
        .expect("job B's file");
        assert_file(&got.path, &b);
        assert!(!got.resumed);
        let why = got.started_over.as_deref().unwrap_or("");
        assert!(
            why.contains("job-a"),
            "says whose partial file it was: {why}"
        );
        // The request for B asked for the whole file.
        let last = server.requests().pop().unwrap();
        assert_eq!(last.header("range"), None, "{last:?}");
    })
    .await;
}

#[tokio::test]
async fn a_206_that_starts_elsewhere_than_the_bytes_on_disk_starts_over() {
    within(async {
        let body = csv("X", 4000);
        let served = body.clone();
        let server = Scripted::start(move |req, n| {
            if n == 0 {
                return Answer::new(200, served.clone())
                    .header("ETag", "\"v1\"")
                    .cut_at(served.len() / 2);
            }
            if req.header("range").is_some() {
                // Whole file, labelled as a range from byte 0.
                Answer::new(206, served.clone())
                    .header("ETag", "\"v1\"")
                    .header(
                        "Content-Range",
                        format!("bytes 0-{}/{}", served.len() - 1, served.len()),
                    )
            } else {
                Answer::new(200, served.clone()).header("ETag", "\"v1\"")
            }
        })
        .await;
        let c = client_for(&server.url);
        let dir = tempfile::tempdir().unwrap();
        let url = format!("{}/f/big.csv", server.url);
        dl(&c, &url, dir.path(), "job-1", "big.csv")
            .await
            .unwrap_err();
        let got = dl(&c, &url, dir.path(), "job-1", "big.csv")
            .await
            .expect("downloaded");
        assert_file(&got.path, &body);
        let why = got.started_over.as_deref().unwrap_or("");
        assert!(why.contains("byte 0"), "{why}");
        let seen = server.requests();
        assert_eq!(seen.len(), 3, "cut, the bad 206, the whole file again");
        assert!(seen[1].header("range").is_some());
        assert_eq!(seen[1].header("if-range"), Some("\"v1\""));
        assert_eq!(seen[2].header("range"), None);
    })
    .await;
}

#[tokio::test]
async fn if_range_carries_the_strong_validator_and_a_200_starts_over() {
    within(async {
        // The file changes between the cut and the resume: the server
        // answers the If-Range with the whole new file.
        let old = csv("old", 3000);
        let new = csv("new", 3500);
        let (o, n2) = (old.clone(), new.clone());
        let server = Scripted::start(move |req, n| match n {
            0 => Answer::new(200, o.clone())
                .header("ETag", "\"v1\"")
                .header("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT")
                .cut_at(o.len() / 3),
            _ => {
                assert!(req.header("range").is_some());
                Answer::new(200, n2.clone()).header("ETag", "\"v2\"")
            }
        })
        .await;
        let c = client_for(&server.url);
        let dir = tempfile::tempdir().unwrap();
        let url = format!("{}/f/big.csv", server.url);
        dl(&c, &url, dir.path(), "j", "big.csv").await.unwrap_err();
        let got = dl(&c, &url, dir.path(), "j", "big.csv").await.unwrap();
        assert_file(&got.path, &new);
        assert!(!got.resumed);
        assert!(got.started_over.is_some());
        assert_eq!(server.requests()[1].header("if-range"), Some("\"v1\""));

        // A weak ETag cannot go in If-Range: the date does.
        let body = csv("w", 3000);
        let b2 = body.clone();
        let server = Scripted::start(move |req, n| {
            let a = match n {
                0 => Answer::new(200, b2.clone()).cut_at(1000),
                _ => ranged(req, &b2),
            };
            a.header("ETag", "W/\"weak\"")
                .header("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT")
        })
        .await;
        let c = client_for(&server.url);
        let dir = tempfile::tempdir().unwrap();
        let url = format!("{}/f/w.csv", server.url);
        dl(&c, &url, dir.path(), "j", "w.csv").await.unwrap_err();
        let got = dl(&c, &url, dir.path(), "j", "w.csv").await.unwrap();
        assert!(got.resumed && got.started_over.is_none(), "{got:?}");
        assert_file(&got.path, &body);
        assert_eq!(
            server.requests()[1].header("if-range"),
            Some("Tue, 01 Dec 2026 10:00:00 GMT")
        );
    })
    .await;
}

#[tokio::test]
async fn without_validators_a_resume_needs_the_same_job_name_and_size() {
    within(async {
        // No ETag, no Last-Modified: the size is all there is to compare.
        let body = csv("nv", 3000);
        let grown = csv("nv", 3100);
        let (b, g) = (body.clone(), grown.clone());
        let server = Scripted::start(move |req, n| match (req.path.as_str(), n) {
            ("/same.csv", _) if req.header("range").is_some() => ranged(req, &b),
            ("/same.csv", _) => Answer::new(200, b.clone()).cut_at(b.len() / 2),
            // Cut at first; then the file on the server is larger.
            (_, _) if req.header("range").is_some() => ranged(req, &g),
            (_, _) if n <= 2 => Answer::new(200, b.clone()).cut_at(b.len() / 2),
            (_, _) => Answer::new(200, g.clone()),
        })
        .await;
        let c = client_for(&server.url);
        let dir = tempfile::tempdir().unwrap();
        let url = format!("{}/same.csv", server.url);
        dl(&c, &url, dir.path(), "j", "same.csv").await.unwrap_err();
        let got = dl(&c, &url, dir.path(), "j", "same.csv").await.unwrap();
        assert!(got.resumed && got.started_over.is_none(), "{got:?}");
        assert_file(&got.path, &body);
        assert_eq!(server.requests()[1].header("if-range"), None);

        let url = format!("{}/grown.csv", server.url);
        dl(&c, &url, dir.path(), "j", "grown.csv")
            .await
            .unwrap_err();
        let got = dl(&c, &url, dir.path(), "j", "grown.csv").await.unwrap();
        assert!(!got.resumed, "{got:?}");
        let why = got.started_over.as_deref().unwrap_or("");
        assert!(why.contains("size"), "{why}");
        assert_file(&got.path, &grown);
    })
    .await;
}

#[tokio::test]
async fn a_partial_file_with_no_record_is_started_over() {
    within(async {
        // A `.part` nobody can vouch for (an older upexport, a copy): its
        // bytes are not trusted.
        let body = csv("r", 2000);
        let b = body.clone();
        let server = Scripted::start(move |req, _| {
            if req.header("range").is_some() {
                ranged(req, &b)
            } else {
                Answer::new(200, b.clone())
            }
        })
        .await;
        let c = client_for(&server.url);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(partial_path(dir.path(), "r.csv"), b"garbage,garbage\n").unwrap();
        let url = format!("{}/r.csv", server.url);
        let got = dl(&c, &url, dir.path(), "j", "r.csv").await.unwrap();
        assert_file(&got.path, &body);
        assert!(got.started_over.is_some());
        assert_eq!(server.requests()[0].header("range"), None);
    })
    .await;
}
