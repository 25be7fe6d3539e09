//! `upexport download` from a shell against servers in the test process
//! (the embedded demo server, whose mode a test switches, and a scripted
//! one for answers the demo never gives): what a partial file may be
//! resumed with, where files go, and Ctrl-C. Waits are on conditions
//! under hard limits; nothing sleeps.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use upexport::demo::{DEMO_KEY, FaultMode};
use upexport::export::Format;

use crate::support::demo::{client, completed_job, server};
use crate::support::sandbox::{lines, until, until_closed};
use crate::support::scripted::{Answer, Scripted, Seen};
use crate::support::{
    Kill, Out, Sandbox, WAIT_LIMIT, assert_file, run_async, signal, wait_for, within,
};

/// `upexport --base-url BASE ARGS…` with the demo key, run to its end.
async fn upexport(sb: &Sandbox, base: &str, args: &[&str]) -> Out {
    let mut c = sb.command(Some(DEMO_KEY));
    c.args(args).args(["--base-url", base]);
    run_async(c, None).await
}

#[track_caller]
fn code(out: &Out, want: i32) {
    assert_eq!(
        out.code,
        Some(want),
        "exit {:?} (wanted {want})\n--- stdout\n{}\n--- stderr\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_file_of_one_job_never_resumes_into_another_jobs_file() {
    within(async {
        let s = server(FaultMode::Normal, 2000).await;
        let c = client(&s);
        let base = s.base_url();
        let sb = Sandbox::new();
        let dir = sb.root().join("exports");
        let out = dir.to_str().unwrap();
        let file = "part-0001.csv.gz";

        // Job A's first file is cut halfway: its partial file stays.
        let (a, _) = completed_job(&s, &c, Format::Csv).await;
        s.set_mode(FaultMode::DownloadCut);
        let r = upexport(&sb, &base, &["download", &a, "--out", out, "--only", "1"]).await;
        code(&r, 5);
        assert!(r.stderr.contains("next try resumes"), "{}", r.stderr);

        // Job B, a file of the same name, the same folder given.
        s.set_mode(FaultMode::Normal);
        let (b, _) = completed_job(&s, &c, Format::Csv).await;
        let r = upexport(
            &sb,
            &base,
            &["download", &b, "--out", out, "--only", "1", "--json"],
        )
        .await;
        code(&r, 0);
        let v: Value = serde_json::from_str(&r.stdout).expect("one JSON summary");
        let path = PathBuf::from(v["files"][0]["path"].as_str().unwrap());
        assert_file(&path, &s.part_content(&b, file).unwrap());
        assert_eq!(v["files"][0]["resumed"], false, "{v}");

        // Job A's partial file was left alone: A resumes it.
        let r = upexport(
            &sb,
            &base,
            &["download", &a, "--out", out, "--only", "1", "--json"],
        )
        .await;
        code(&r, 0);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["files"][0]["resumed"], true, "{v}");
        let path_a = PathBuf::from(v["files"][0]["path"].as_str().unwrap());
        assert_file(&path_a, &s.part_content(&a, file).unwrap());
        assert_ne!(path_a, path);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_saves_under_dir_slash_job_id_and_keeps_only_what_it_saved() {
    within(async {
        let s = server(FaultMode::Normal, 50).await;
        let c = client(&s);
        let base = s.base_url();
        let sb = Sandbox::new();
        let dir = sb.root().join("exports");
        let out = dir.to_str().unwrap();
        let (a, _) = completed_job(&s, &c, Format::Csv).await;
        let (b, _) = completed_job(&s, &c, Format::Csv).await;
        for job in [&a, &b] {
            let r = upexport(&sb, &base, &["download", job, "--out", out]).await;
            code(&r, 0);
            for n in ["part-0001.csv", "part-0002.csv"] {
                let p = dir.join(job).join(n);
                assert_file(&p, &s.part_content(job, &format!("{n}.gz")).unwrap());
                assert!(r.stdout.contains(&p.display().to_string()), "{}", r.stdout);
            }
        }
        // Again: the files it saved are this job's, so kept and counted.
        let r = upexport(&sb, &base, &["download", &a, "--out", out, "--json"]).await;
        code(&r, 0);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["files"].as_array().map(Vec::len), Some(2), "{v}");
        assert_eq!(v["files"][0]["skipped"], "already downloaded", "{v}");

        // A file changed since (or put there by someone else) is not
        // passed off as downloaded: said, kept, and the command fails.
        let p = dir.join(&a).join("part-0002.csv");
        std::fs::write(&p, b"not what was downloaded\n").unwrap();
        let r = upexport(&sb, &base, &["download", &a, "--out", out]).await;
        code(&r, 5);
        assert!(r.stderr.contains("part-0002.csv"), "{}", r.stderr);
        assert!(r.stderr.contains("--overwrite"), "{}", r.stderr);
        assert_file(&p, b"not what was downloaded\n");
        let r = upexport(&sb, &base, &["download", &a, "--out", out, "--overwrite"]).await;
        code(&r, 0);
        assert_file(&p, &s.part_content(&a, "part-0002.csv.gz").unwrap());
    })
    .await;
}

/// A scripted export API with one completed job `J1` whose one file,
/// `big.csv` (`body`), is answered by `file(request, n)`.
async fn one_file_api(
    file: impl Fn(&Seen, usize, &[u8]) -> Answer + Send + Sync + 'static,
    body: Vec<u8>,
) -> Scripted {
    Scripted::start(move |req, n| {
        if req.path.starts_with("/api/v1/analytics/exports/jobs/J1") {
            let host = req.header("host").unwrap_or_default();
            let status = json!({
                "job_id": "J1",
                "status": "completed",
                "presigned_urls": [{"filename": "big.csv", "url": format!("http://{host}/files/big.csv")}],
            });
            return Answer::new(200, status.to_string())
                .header("Content-Type", "application/json");
        }
        file(req, n, &body)
    })
    .await
}

fn csv(tag: &str, n: usize) -> Vec<u8> {
    let mut s = String::from("id,tag\n");
    for i in 0..n {
        s.push_str(&format!("{i:07},{tag}\n"));
    }
    s.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_changed_since_the_cut_is_started_over_and_the_cli_says_so() {
    within(async {
        let old = csv("old", 20_000);
        let new = csv("new", 21_000);
        let new2 = new.clone();
        let server = one_file_api(
            move |req, _, old| {
                if req.header("range").is_some() {
                    // If-Range names the old ETag: the whole new file.
                    Answer::new(200, new2.clone()).header("ETag", "\"v2\"")
                } else {
                    Answer::new(200, old.to_vec())
                        .header("ETag", "\"v1\"")
                        .cut_at(old.len() / 2)
                }
            },
            old,
        )
        .await;
        let sb = Sandbox::new();
        let dir = sb.root().join("x");
        let out = dir.to_str().unwrap();
        let r = upexport(&sb, &server.url, &["download", "J1", "--out", out]).await;
        code(&r, 5);
        let r = upexport(&sb, &server.url, &["download", "J1", "--out", out]).await;
        code(&r, 0);
        assert_file(&dir.join("J1").join("big.csv"), &new);
        assert!(r.stdout.contains("started over"), "{}", r.stdout);
        let asked = server.requests();
        let resume = asked.iter().rfind(|q| q.path == "/files/big.csv").unwrap();
        assert_eq!(resume.header("if-range"), Some("\"v1\""), "{resume:?}");
    })
    .await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_download_keeps_the_part_and_says_how_to_resume() {
    within(async {
        let body = csv("c", 50_000);
        // Half the file, then the connection stays open: the download is
        // in progress when the signal comes.
        let server = one_file_api(
            |_, _, body| {
                Answer::new(200, body.to_vec())
                    .cut_at(body.len() / 2)
                    .hold()
            },
            body,
        )
        .await;
        let sb = Sandbox::new();
        let dir = sb.root().join("dl");
        let mut c: Command = sb.command(Some(DEMO_KEY));
        c.args(["download", "J1", "--out", dir.to_str().unwrap()])
            .args(["--base-url", &server.url])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = Kill(c.spawn().expect("spawn"));
        let err = lines(child.0.stderr.take().expect("stderr"));
        let part = dir.join("J1").join(".big.csv.part");
        let any_part = dir.clone();
        let pid = child.0.id();
        let (said, status) = tokio::task::spawn_blocking(move || {
            // Bytes on disk: the download is under way.
            let bytes_in = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            // (Wherever it is: the signal is what this test is about.)
            wait_for("a partial file", WAIT_LIMIT, || {
                walk(&any_part)
                    .iter()
                    .any(|p| p.to_string_lossy().ends_with(".part") && bytes_in(p) > 0)
                    .then_some(())
            });
            signal(pid, "INT");
            let said = until(&err, "stopped downloading");
            until_closed(&err, "SIGINT");
            let status = child.0.wait().expect("wait");
            assert!(bytes_in(&part) > 0, "the partial file is kept");
            (said, status)
        })
        .await
        .expect("the waiting thread");
        assert_eq!(status.code(), Some(130), "{said:?}");
        let said = said.join("\n");
        // With the flag that reaches the same server.
        let hint = format!(
            "upexport --base-url {} download J1 --out {}",
            server.url,
            dir.display()
        );
        assert!(said.contains(&hint), "{said}");
        assert!(said.contains("to resume"), "{said}");
    })
    .await;
}

/// Every file under `dir` (none when it does not exist).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Without `--out` or a configured `download_dir`, files go to the
/// downloads folder (`$XDG_DOWNLOAD_DIR`, else the user-dirs one, else
/// `~/Downloads`), in `upexport/<job id>/`: never into the directory the
/// command was started in (a git checkout would list them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_default_to_the_downloads_folder_never_the_current_directory() {
    within(async {
        let server = one_file_api(|_, _, body| Answer::new(200, body.to_vec()), csv("d", 10)).await;
        let sb = Sandbox::new();
        let home_dl = sb
            .root()
            .join("home")
            .join("Downloads")
            .join("upexport")
            .join("J1");
        let out = upexport(&sb, &server.url, &["download", "J1"]).await;
        code(&out, 0);
        assert!(home_dl.join("big.csv").is_file(), "{}", out.stdout);
        assert!(
            !sb.root().join("J1").exists(),
            "saved in the current directory"
        );
        assert!(
            out.stdout.contains(&home_dl.display().to_string()),
            "the full path is said: {}",
            out.stdout
        );

        // $XDG_DOWNLOAD_DIR when set.
        let xdg = sb.root().join("dl-xdg");
        let mut c = sb.command(Some(DEMO_KEY));
        c.args(["download", "J1", "--base-url", &server.url])
            .env("XDG_DOWNLOAD_DIR", &xdg);
        let out = run_async(c, None).await;
        code(&out, 0);
        assert!(xdg.join("upexport").join("J1").join("big.csv").is_file());

        // The config's download_dir wins over both.
        let mine = sb.root().join("mine");
        sb.write_config(&format!("download_dir = \"{}\"\n", mine.display()));
        let out = upexport(&sb, &server.url, &["download", "J1"]).await;
        code(&out, 0);
        assert!(mine.join("J1").join("big.csv").is_file());
    })
    .await;
}
