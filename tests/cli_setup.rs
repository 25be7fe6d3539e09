//! `upexport doctor` from a
//! shell. Every test has its own HOME and XDG directories; the server is
//! the embedded demo server on 127.0.0.1 (started in the test, so what it
//! received can be checked), a closed port, or nothing.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{Out, Sandbox, closed_port, files_containing, write_private};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer};

const SENTINEL: &str = "sentinel-3f9a0c-DOCTOR-KEY";

/// Run `c` (with `stdin` fed) off the async runtime, which serves the
/// demo server meanwhile.
async fn run_with(mut c: Command, stdin: Option<&str>) -> Out {
    let stdin = stdin.map(str::to_owned);
    if stdin.is_some() {
        c.stdin(std::process::Stdio::piped());
    }
    tokio::task::spawn_blocking(move || {
        let mut c = assert_cmd::Command::from_std(c);
        c.timeout(support::CMD_LIMIT);
        if let Some(s) = stdin {
            c.write_stdin(s);
        }
        let out = c.output().expect("run upexport");
        Out {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("the command thread")
}

async fn up(sb: &Sandbox, key: Option<&str>, args: &[&str]) -> Out {
    let mut c = sb.command(key);
    c.args(args);
    run_with(c, None).await
}

#[track_caller]
fn expect(out: &Out, code: i32, what: &str) {
    assert_eq!(
        out.code,
        Some(code),
        "{what}: exit {:?} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
}

fn json(s: &str) -> Value {
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

async fn demo() -> DemoServer {
    DemoServer::start(DemoOptions::default())
        .await
        .expect("demo server")
}

// ---------------------------------------------------------------- doctor

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_is_happy_with_the_demo_server_and_reports_everything() {
    let sb = Sandbox::new();
    let server = demo().await;
    let url = server.base_url();
    // An entry in history, so the store is opened and checked.
    let r = up(&sb, Some(DEMO_KEY), &["submit", "--base-url", &url]).await;
    expect(&r, 0, "submit");

    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 0, "doctor");
    for want in [
        format!("upexport       {}", upexport::version::VERSION),
        format!(
            "config file    {} (not found)",
            sb.config_dir().join("config.toml").display()
        ),
        format!("state dir      {}", sb.state_dir().display()),
        format!("history db     {}", sb.db().display()),
        format!("logs dir       {}", sb.state_dir().join("logs").display()),
        "cache dir".to_owned(),
        format!("base URL       {url} (from flag --base-url)"),
        "timeouts       connect 10 s, request 30 s".into(),
        "key source     $USERPILOT_API_KEY".into(),
        "key            ok: loaded from $USERPILOT_API_KEY".into(),
        "connectivity   ok:".into(),
        "(1 job)".into(),
        format!(
            "schema version {}, 1 entry, integrity ok",
            upexport::history::LATEST_VERSION
        ),
        "result: everything is fine".into(),
    ] {
        assert!(r.stdout.contains(&want), "no {want:?} in\n{}", r.stdout);
    }
    assert!(!r.all().contains(DEMO_KEY), "the key was printed");

    let r = up(
        &sb,
        Some(DEMO_KEY),
        &["doctor", "--json", "--base-url", &url],
    )
    .await;
    expect(&r, 0, "doctor --json");
    let v = json(&r.stdout);
    assert_eq!(v["exit_code"], 0);
    for check in ["config", "key", "connectivity", "history"] {
        assert_eq!(v[check]["status"], "ok", "{check}: {v}");
    }
    assert_eq!(v["history"]["entries"], 1);
    assert_eq!(v["history"]["integrity"], "ok");
    assert_eq!(v["profile"]["base_url_from"], "flag --base-url");
    assert_eq!(v["paths"]["config_found"], false);
    assert_eq!(v["version"]["cargo"], env!("CARGO_PKG_VERSION"));
    // Two list calls reached the server, with the key; nothing else.
    let lists = server
        .requests()
        .into_iter()
        .filter(|q| q.method == "GET" && q.path.ends_with("/jobs/"))
        .count();
    assert_eq!(lists, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_says_key_refused_exits_3_and_never_prints_the_key() {
    let sb = Sandbox::new();
    let server = demo().await;
    let url = server.base_url();
    let r = up(&sb, Some(SENTINEL), &["doctor", "--base-url", &url]).await;
    expect(&r, 3, "a wrong key");
    assert!(
        r.stdout.contains(&format!(
            "connectivity   error: {url} reachable, key refused"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("result: problems found (exit 3)"));
    assert!(r.stderr.contains("key refused"), "{}", r.stderr);
    let r2 = up(
        &sb,
        Some(SENTINEL),
        &["doctor", "--json", "--base-url", &url],
    )
    .await;
    expect(&r2, 3, "a wrong key, JSON");
    let v = json(&r2.stdout);
    assert_eq!(v["connectivity"]["status"], "error");
    assert_eq!(v["exit_code"], 3);
    // The key was sent (so not printing it means something)…
    assert!(
        server
            .requests()
            .iter()
            .any(|q| q.authorization.as_deref() == Some(&format!("Token {SENTINEL}")))
    );
    // …and appears in no output and no file (logs at trace included).
    for out in [&r, &r2] {
        assert!(!out.all().contains(SENTINEL), "{}", out.all());
    }

    // The key from a file and from a command: the source is named, the key
    // is not.
    let secrets = tempfile::tempdir().expect("temp dir");
    let key_file = secrets.path().join("key");
    write_private(&key_file, &format!("{SENTINEL}\n"));
    // Outside the scanned tree, as a user's password store would be.
    let cfg = secrets.path().join("config.toml");
    write_private(
        &cfg,
        &format!(
            "[profiles.file]\napi_key_file = \"{}\"\n[profiles.cmd]\napi_key_command = \"printf {SENTINEL}\"\n\
         [profiles.broken]\napi_key_command = \"echo 'gpg: decryption failed' >&2; exit 2\"\n",
            key_file.display()
        ),
    );
    let cfg = cfg.to_str().expect("UTF-8 path");
    let r = up(
        &sb,
        None,
        &[
            "--config",
            cfg,
            "--profile",
            "file",
            "doctor",
            "--base-url",
            &url,
        ],
    )
    .await;
    expect(&r, 3, "key file");
    assert!(
        r.stdout
            .contains(&format!("key source     key file {}", key_file.display())),
        "{}",
        r.stdout
    );
    assert!(!r.all().contains(SENTINEL), "{}", r.all());
    let r = up(
        &sb,
        None,
        &[
            "--config",
            cfg,
            "--profile",
            "cmd",
            "doctor",
            "--base-url",
            &url,
        ],
    )
    .await;
    expect(&r, 3, "key command");
    assert!(
        r.stdout.contains("key source     command `printf "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("key            ok: loaded from command"));
    // The command's text holds the key here, as a command line may; its
    // output (the key) is never shown, but the command line is.
    let shown: String = r
        .all()
        .replace(&format!("`printf {SENTINEL}`"), "`printf …`");
    assert!(!shown.contains(SENTINEL), "{shown}");

    let r = up(
        &sb,
        None,
        &[
            "--config",
            cfg,
            "--profile",
            "broken",
            "doctor",
            "--base-url",
            &url,
        ],
    )
    .await;
    expect(&r, 3, "a failing key command");
    assert!(
        r.stdout.contains("gpg: decryption failed") && r.stdout.contains("code 2"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("connectivity   not checked"),
        "{}",
        r.stdout
    );

    let (hits, seen) = files_containing(sb.root(), SENTINEL.as_bytes());
    assert!(hits.is_empty(), "the key is in {hits:?}");
    assert!(
        seen.iter()
            .any(|p| p.starts_with(sb.state_dir().join("logs"))),
        "no log files were written, so the scan proves little: {seen:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_exits_5_without_a_server_and_3_without_a_key() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 5, "no server");
    assert!(
        r.stdout
            .contains("connectivity   error: could not connect to 127.0.0.1"),
        "{}",
        r.stdout
    );
    let r = up(&sb, None, &["doctor", "--base-url", &url]).await;
    expect(&r, 3, "no key");
    assert!(r.stdout.contains("key source     none"), "{}", r.stdout);
    assert!(r.stdout.contains("USERPILOT_API_KEY"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_a_broken_configs_line_and_column_and_exits_2() {
    let sb = Sandbox::new();
    let server = demo().await;
    let url = server.base_url();
    let cfg = sb.write_config("[profiles.p]\n\n  base_ulr = \"https://x\"\n");
    // Config errors come first even when the key and the server are fine.
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 2, "a broken config");
    let want = format!("config         error: {}, line 3, column 3", cfg.display());
    assert!(r.stdout.contains(&want), "no {want:?} in\n{}", r.stdout);
    assert!(r.stdout.contains("base_ulr"), "{}", r.stdout);
    assert!(r.stdout.contains("connectivity   ok"), "{}", r.stdout);
    let v = json(
        &up(
            &sb,
            Some(DEMO_KEY),
            &["doctor", "--json", "--base-url", &url],
        )
        .await
        .stdout,
    );
    assert_eq!(v["config"]["status"], "error");
    assert_eq!(v["exit_code"], 2);

    // A config readable by others: a warning, with the fix; not a failure.
    write_private(&cfg, "[profiles.p]\nrequest_timeout_secs = 42\n");
    support::set_mode(&cfg, 0o644);
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 0, "a readable config");
    assert!(r.stdout.contains("config         warning:"), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("chmod 600 {}", cfg.display())));
    assert!(r.stdout.contains("request 42 s"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reports_a_damaged_history_file_and_exits_5() {
    let sb = Sandbox::new();
    let server = demo().await;
    let url = server.base_url();
    std::fs::create_dir_all(sb.state_dir()).expect("state dir");
    std::fs::write(sb.db(), vec![0x5a; 8192]).expect("garbage");
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 5, "a damaged history");
    assert!(r.stdout.contains("history        error:"), "{}", r.stdout);
    assert!(
        r.stdout.contains("moved"),
        "says where it went: {}",
        r.stdout
    );
    // The next run finds the new store healthy.
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 0, "after the move");
}
