//! `demo-server --part-file`: a given gzip file served as every part (the
//! download benchmark's 200 MB part), and a multi-member gzip part (as
//! `cat a.gz b.gz` makes) decompressed whole by `upexport download`.

use std::io::Write;

use crate::support::{Out, Sandbox, run_async};
use flate2::Compression;
use flate2::write::GzEncoder;
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).expect("gzip in memory");
    e.finish().expect("gzip in memory")
}

async fn up(sb: &Sandbox, args: &[&str]) -> Out {
    let mut c = sb.command(Some(DEMO_KEY));
    c.args(args);
    run_async(c, None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_part_is_the_given_gzip_and_both_members_are_inflated() {
    let first: Vec<u8> = (0..5000)
        .flat_map(|i| format!("{{\"row\":{i}}}\n").into_bytes())
        .collect();
    let second = b"{\"row\":\"after the member boundary\"}\n".to_vec();
    let mut gz = gzip(&first);
    gz.extend(gzip(&second));
    let server = DemoServer::start(DemoOptions {
        job_duration: std::time::Duration::from_millis(50),
        part_gz: Some(gz.into()),
        ..DemoOptions::default()
    })
    .await
    .expect("demo server");
    let url = server.base_url();
    let sb = Sandbox::new();
    let out = sb.root().join("out");
    let out_s = out.to_str().expect("UTF-8 path");
    let r = up(
        &sb,
        &[
            "submit",
            "--base-url",
            &url,
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
            "--wait",
            "--download",
            out_s,
        ],
    )
    .await;
    assert_eq!(r.code, Some(0), "{}", r.all());
    // The files are in out/<job id>/, the only folder there.
    let jobs: Vec<_> = std::fs::read_dir(&out)
        .expect("the download directory")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let out = jobs[0].clone();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("the job's directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["manifest.json", "part-0001.ndjson", "part-0002.ndjson"]
    );
    names.remove(0);
    let mut want = first.clone();
    want.extend(&second);
    for n in names {
        let got = std::fs::read(out.join(&n)).expect("a downloaded part");
        assert!(
            got == want,
            "{n}: {} bytes, wanted {}",
            got.len(),
            want.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_file_that_is_not_gzip_is_refused_before_listening() {
    let sb = Sandbox::new();
    let plain = sb.root().join("rows.ndjson");
    std::fs::write(&plain, "{}\n").expect("write");
    let r = up(
        &sb,
        &[
            "demo-server",
            "--part-file",
            plain.to_str().expect("UTF-8 path"),
        ],
    )
    .await;
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("not a gzip file"), "{}", r.stderr);
    assert!(!r.stdout.contains("listening"), "{}", r.stdout);
    let r = up(&sb, &["demo-server", "--part-file", "/nonexistent/part.gz"]).await;
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("/nonexistent/part.gz"), "{}", r.stderr);
}
