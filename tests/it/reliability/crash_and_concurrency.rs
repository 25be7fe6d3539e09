//! Issue #5, crash and concurrency: the real binary in a real
//! pseudo-terminal (tmux), killed, signalled and made to panic; broken
//! history and config files at startup; two processes writing one history.
//! A sentinel key goes through all of it and must end up nowhere: not on
//! the terminal (raw bytes included), not in any file.
//!
//! Needs tmux (and pgrep and kill, from procps): skipped, saying so, when
//! one is missing, and failed instead when `CI` is set (`.ci/run`
//! installs them).
//! Waits poll a condition under a hard limit; nothing sleeps to synchronise.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::{
    Sandbox, Tmux, WAIT_LIMIT, bin, files_containing, require_tool, run, signal, wait_for,
};
use crossterm::event::KeyCode;
use upexport::api::{ApiClient, ApiKey, Timeouts};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer, FaultMode};
use upexport::export::Field;
use upexport::history::{EntryState, HistoryStore};
use upexport::tui::app::EnvInfo;
use upexport::tui::form::Focus;
use upexport::tui::testing::Harness;

const SENTINEL: &str = "sentinel-KEY-c0ffee-71b3";

/// The shell line that runs the TUI in a clean environment with `extra`
/// variables and `--base-url base`. The key comes from a key file named in
/// the sandbox's config, as a user would keep it: not on the command line,
/// where a shell's "Killed" report would print it.
fn tui_line(sb: &Sandbox, base: &str, extra: &str) -> String {
    format!(
        "env -i PATH=/usr/bin:/bin {} UPEXPORT_LOG=trace TERM=xterm-256color {extra} {} --base-url {base}",
        sb.env_line(),
        bin().display()
    )
}

/// Put the sentinel in a private key file outside the sandbox (as a
/// password store would be) and name it in the sandbox's config.
fn key_file(sb: &Sandbox) -> tempfile::TempDir {
    let secrets = tempfile::tempdir().expect("tempdir");
    let key = secrets.path().join("key");
    crate::support::write_private(&key, &format!("{SENTINEL}\n"));
    sb.write_config(&format!(
        "default_profile = \"p\"\n[profiles.p]\napi_key_file = \"{}\"\n",
        key.display()
    ));
    secrets
}

/// Whitespace runs as one space: status lines wrap at word boundaries.
fn flat(screen: &str) -> String {
    screen.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// Wait until the draft file holds `text` (the writer is asynchronous).
fn draft_holds(sb: &Sandbox, text: &str) {
    wait_for(&format!("the draft to hold {text}"), WAIT_LIMIT, || {
        read(&sb.draft()).contains(text).then_some(())
    });
}

/// `stty -a` flags as words (`icanon`, `-icanon`, …).
fn stty_flags(text: &str) -> Vec<String> {
    text.split([' ', ';', '\n'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Nothing in the sandbox, on the screen or in the terminal's raw bytes
/// holds the sentinel; returns how many files were read.
fn sentinel_nowhere(sb: &Sandbox, tmux: &Tmux, raw: &Path) -> usize {
    let (hits, seen) = files_containing(sb.root(), SENTINEL.as_bytes());
    assert!(hits.is_empty(), "the key is in {hits:?}");
    let screen = tmux.everything();
    assert!(
        !screen.contains(SENTINEL),
        "the key is on the terminal:\n{screen}"
    );
    let bytes = std::fs::read(raw).unwrap_or_default();
    assert!(
        !bytes
            .windows(SENTINEL.len())
            .any(|w| w == SENTINEL.as_bytes()),
        "the key is in the terminal output"
    );
    seen.len()
}

// ---------------------------------------------------------------------------
// SIGKILL while a request is in flight

#[test]
fn sigkill_in_flight_leaves_outcome_unknown_with_the_request_and_the_draft() {
    if !(require_tool("tmux") && require_tool("pgrep") && require_tool("kill")) {
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(DemoServer::start(DemoOptions {
            mode: FaultMode::Hang,
            ..DemoOptions::default()
        }))
        .expect("demo server");
    let sb = Sandbox::new();
    let _secrets = key_file(&sb);
    let tmux = Tmux::new("kill");
    let raw = sb.root().join("raw.out");
    let exit = sb.root().join("exit");
    let email = "kill@example.com";

    tmux.start_recorded(
        120,
        40,
        &format!(
            "{}; echo $? > {}",
            tui_line(&sb, &server.base_url(), ""),
            exit.display()
        ),
        &raw,
    );
    tmux.wait_for("the form", |s| {
        s.contains("Export") && s.contains("History")
    });
    tmux.type_text("2026-11-01");
    tmux.keys(&["Tab", "Tab"]);
    tmux.type_text(email);
    tmux.keys(&["C-s"]);
    tmux.wait_for("sending", |s| s.contains("Sending"));
    // The request reached the server (which never answers), the attempt
    // is committed, the draft written.
    wait_for("the request at the server", WAIT_LIMIT, || {
        server
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.body.contains(email))
            .then_some(())
    });
    draft_holds(&sb, email);
    let auth: Vec<Option<String>> = server
        .requests()
        .into_iter()
        .map(|r| r.authorization)
        .collect();
    assert_eq!(
        auth,
        [Some(format!("Token {SENTINEL}"))],
        "the key from the key file was sent"
    );
    let pid = tmux.upexport_pid();
    {
        let store = HistoryStore::open(&sb.db()).expect("history").store;
        let rows = store.page(0, 10).expect("page");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].state, EntryState::Sending);
        assert_eq!(rows[0].pid, Some(pid));
        assert!(!rows[0].outcome_unknown(), "its writer still runs");
    }

    signal(pid, "KILL");
    wait_for("the exit status", WAIT_LIMIT, || {
        let t = read(&exit);
        (!t.is_empty()).then_some(())
    });
    assert_eq!(read(&exit).trim(), "137", "killed by SIGKILL");

    // Restart: the row says outcome unknown, the form has the draft, and
    // the detail view shows the request.
    tmux.start_recorded(120, 40, &tui_line(&sb, &server.base_url(), ""), &raw);
    let s = tmux.wait_for("the restored app", |s| {
        s.contains("outcome unknown") && s.contains(email)
    });
    assert!(
        s.contains("? outcome unknown: interrupted while sending"),
        "{s}"
    );
    tmux.keys(&["BTab"]);
    tmux.keys(&["Enter"]);
    let detail = tmux.wait_for("the detail view", |s| s.contains("Request body (as sent)"));
    assert!(
        detail.contains("Attempt #1") && detail.contains(email),
        "{detail}"
    );
    // Close it (q), then quit (separate keys: Esc then Ctrl-C could read
    // as Alt-Ctrl-C).
    tmux.keys(&["q"]);
    tmux.wait_for("the detail view to close", |s| {
        !s.contains("Request body (as sent)")
    });
    tmux.keys(&["C-c"]);
    tmux.wait_dead("upexport to quit");

    let store = HistoryStore::open(&sb.db()).expect("history").store;
    assert_eq!(store.integrity_check().expect("integrity_check"), "ok");
    let rows = store.page(0, 10).expect("page");
    assert_eq!(rows.len(), 1, "the restart sent nothing");
    assert_eq!(rows[0].state, EntryState::Sending);
    assert!(rows[0].outcome_unknown());
    assert!(
        rows[0].request_json.contains(email),
        "{}",
        rows[0].request_json
    );
    drop(store);
    let mut c = sb.command(None);
    c.args(["history"]);
    let out = run(c);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout
            .contains("? outcome unknown (interrupted while sending)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        1
    );
    sentinel_nowhere(&sb, &tmux, &raw);
}

// ---------------------------------------------------------------------------
// SIGTERM, SIGHUP and a panic inside the loop

#[test]
fn sigterm_sighup_and_a_panic_give_the_terminal_back_and_keep_the_draft() {
    if !(require_tool("tmux") && require_tool("pgrep") && require_tool("kill")) {
        return;
    }
    let sb = Sandbox::new();
    let _secrets = key_file(&sb);
    let tmux = Tmux::new("modes");
    let base = format!("http://127.0.0.1:{}", crate::support::closed_port());
    for how in ["TERM", "HUP", "panic"] {
        let email = format!("{}@example.com", how.to_lowercase());
        let raw = sb.root().join(format!("raw-{how}.out"));
        let exit = sb.root().join(format!("exit-{how}"));
        let stty = sb.root().join(format!("stty-{how}"));
        // After upexport exits, the same shell records its exit status and
        // the terminal's modes as upexport left them, then waits for a line
        // (tmux hides the cursor of a dead pane, so the pane must live on
        // while its modes are read).
        tmux.start_recorded(
            100,
            30,
            &format!(
                "{}; echo $? > {}; stty -a > {}; read _",
                tui_line(&sb, &base, "UPEXPORT_CRASH_TEST=1"),
                exit.display(),
                stty.display()
            ),
            &raw,
        );
        tmux.wait_for("the form", |s| {
            s.contains("Export") && s.contains("History")
        });
        // The controls: while it runs, the alternate screen is on and the
        // terminal is raw.
        assert_eq!(tmux.format("#{alternate_on}"), "1", "{how}");
        let tty = tmux.format("#{pane_tty}");
        let live = Command::new("stty")
            .args(["-F", &tty, "-a"])
            .output()
            .expect("stty");
        let live = stty_flags(&String::from_utf8_lossy(&live.stdout));
        assert!(
            live.iter().any(|f| f == "-icanon") && live.iter().any(|f| f == "-echo"),
            "{how}: not raw while running: {live:?}"
        );

        tmux.keys(&["Tab", "Tab", "C-u"]);
        tmux.type_text(&email);
        draft_holds(&sb, &email);
        let pid = tmux.upexport_pid();
        if how == "panic" {
            tmux.keys(&["F12"]);
        } else {
            signal(pid, how);
        }
        wait_for(&format!("{how}: stty after exit"), WAIT_LIMIT, || {
            (!read(&stty).is_empty()).then_some(())
        });
        assert_eq!(tmux.format("#{pane_dead}"), "0", "the shell waits");

        let code = read(&exit).trim().to_owned();
        assert_eq!(code, if how == "panic" { "101" } else { "0" }, "{how}");
        // Alternate screen left, cursor shown, raw mode off.
        assert_eq!(tmux.format("#{alternate_on}"), "0", "{how}");
        assert_eq!(tmux.format("#{cursor_flag}"), "1", "{how}: cursor hidden");
        assert_eq!(tmux.format("#{mouse_any_flag}"), "0", "{how}");
        let after = stty_flags(&read(&stty));
        for f in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(after.iter().any(|x| x == f), "{how}: no {f} in {after:?}");
        }
        let bytes = std::fs::read(&raw).expect("raw output");
        let text = String::from_utf8_lossy(&bytes);
        let left = text
            .find("\x1b[?1049l")
            .unwrap_or_else(|| panic!("{how}: alternate screen never left"));
        assert!(text.contains("\x1b[?25h"), "{how}: cursor never shown");
        let screen = tmux.screen();
        assert!(
            !screen.contains("Company IDs"),
            "{how}: the form is still shown:\n{screen}"
        );
        if how == "panic" {
            // The hook restores the terminal first, then the message is
            // printed on the normal screen, where it stays readable.
            let said = text
                .find("UPEXPORT_CRASH_TEST: F12 pressed")
                .unwrap_or_else(|| panic!("no panic message in the output"));
            assert!(left < said, "the message was printed before the restore");
            assert!(
                flat(&screen).contains("UPEXPORT_CRASH_TEST: F12 pressed"),
                "{screen}"
            );
        }
        assert!(read(&sb.draft()).contains(&email), "{how}: draft lost");
        sentinel_nowhere(&sb, &tmux, &raw);
        tmux.keys(&["Enter"]);
        tmux.wait_dead(&format!("{how}: the pane"));

        // The draft is back on the next start.
        tmux.start_recorded(100, 30, &tui_line(&sb, &base, ""), &raw);
        tmux.wait_for(&format!("{how}: the restored draft"), |s| {
            s.contains(&email)
        });
        tmux.keys(&["C-c"]);
        tmux.wait_dead(&format!("{how}: quit"));
    }
    let raw = sb.root().join("raw-panic.out");
    let files = sentinel_nowhere(&sb, &tmux, &raw);
    assert!(files >= 5, "{files} files read");
}

// ---------------------------------------------------------------------------
// Broken files at startup

enum Broken {
    CorruptDb,
    TruncatedDb,
    NewerDb,
    MalformedConfig,
}

/// Make the broken file in `sb`; returns its path and its bytes.
fn break_files(sb: &Sandbox, how: &Broken) -> (PathBuf, Vec<u8>) {
    std::fs::create_dir_all(sb.state_dir()).expect("state dir");
    let db = sb.db();
    let full_db = || {
        let store = HistoryStore::open(&db).expect("history").store;
        store
            .fill_synthetic(3_000, r#"{"from":"2026-01-01","user_id":["u{n}"]}"#)
            .expect("rows");
    };
    match how {
        Broken::CorruptDb => {
            let bytes: Vec<u8> = (0..20_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect();
            std::fs::write(&db, &bytes).expect("write");
        }
        Broken::TruncatedDb => {
            full_db();
            let bytes = std::fs::read(&db).expect("db");
            assert!(bytes.len() > 100_000, "{}", bytes.len());
            std::fs::write(&db, &bytes[..bytes.len() / 2]).expect("cut");
        }
        Broken::NewerDb => {
            full_db();
            let c = rusqlite::Connection::open(&db).expect("open");
            c.pragma_update(None, "user_version", 99)
                .expect("user_version");
        }
        Broken::MalformedConfig => {
            let p = sb.write_config("download_dir = \"~/x\"\n[profiles.p]\nbase_url = https://x\n");
            let bytes = std::fs::read(&p).expect("config");
            return (p, bytes);
        }
    }
    let bytes = std::fs::read(&db).expect("db");
    (db, bytes)
}

#[test]
fn corrupt_truncated_history_and_a_malformed_config_still_start() {
    if !require_tool("tmux") {
        return;
    }
    let tmux = Tmux::new("broken");
    let base = format!("http://127.0.0.1:{}", crate::support::closed_port());
    let cases: [(Broken, &str, &[&str]); 3] = [
        (
            Broken::CorruptDb,
            "corrupt",
            &["was unreadable", "moved aside to", "starting a new one"],
        ),
        (
            Broken::TruncatedDb,
            "corrupt",
            &["was unreadable", "moved aside to", "starting a new one"],
        ),
        (
            Broken::MalformedConfig,
            "",
            &["config ignored:", "line 3, column 12"],
        ),
    ];
    for (how, tag, says) in cases {
        // The TUI: starts, says what happened, the old file is kept.
        let sb = Sandbox::new();
        let (file, bytes) = break_files(&sb, &how);
        let raw = sb.root().join("raw.out");
        tmux.start_recorded(220, 50, &tui_line(&sb, &base, ""), &raw);
        let s = tmux.wait_for(&format!("{tag}: the warning"), |s| {
            let f = flat(s);
            s.contains("Company IDs") && says.iter().all(|w| f.contains(w))
        });
        assert!(s.contains("History"), "{s}");
        tmux.keys(&["C-c"]);
        tmux.wait_dead("quit");
        if tag.is_empty() {
            assert_eq!(
                std::fs::read(&file).expect("config kept"),
                bytes,
                "the config is left as it was"
            );
        } else {
            let aside: Vec<PathBuf> = std::fs::read_dir(sb.state_dir())
                .expect("state dir")
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let n = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    n.starts_with(&format!("history.sqlite3.{tag}-"))
                        && !n.ends_with("-wal")
                        && !n.ends_with("-shm")
                })
                .collect();
            assert_eq!(aside.len(), 1, "{aside:?}");
            assert_eq!(
                std::fs::read(&aside[0]).expect("aside"),
                bytes,
                "kept untouched"
            );
            let store = HistoryStore::open(&sb.db()).expect("the new history").store;
            assert_eq!(store.integrity_check().expect("check"), "ok");
            assert_eq!(store.count().expect("count"), 0);
        }
        sentinel_nowhere(&sb, &tmux, &raw);

        // The CLI, on a fresh copy of the same breakage.
        let sb = Sandbox::new();
        let (file, bytes) = break_files(&sb, &how);
        let mut c = sb.command(None);
        c.args(["history"]);
        let out = run(c);
        if tag.is_empty() {
            // Refused with file, line and column (nothing to do without it).
            assert_eq!(out.code, Some(2), "{out:?}");
            assert!(
                out.stderr
                    .contains(&format!("{}, line 3, column 12", file.display())),
                "{}",
                out.stderr
            );
            assert_eq!(std::fs::read(&file).expect("kept"), bytes);
        } else {
            assert_eq!(out.code, Some(0), "{out:?}");
            let f = flat(&out.stderr);
            assert!(
                f.starts_with("upexport: warning: history database"),
                "{}",
                out.stderr
            );
            for w in says {
                assert!(f.contains(w), "no {w:?} in {}", out.stderr);
            }
            assert!(out.stdout.contains("no history yet"), "{}", out.stdout);
        }
    }
}

/// The files of the state directory other than the history, its WAL and
/// shared memory and its lock: anything moved aside would show here.
fn aside_files(sb: &Sandbox) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(sb.state_dir())
        .expect("state dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("history.sqlite3."))
        .filter(|n| n != "history.sqlite3.lock")
        .collect();
    v.sort();
    v
}

#[test]
fn a_newer_history_is_refused_with_exit_2_by_the_cli_the_tui_and_doctor_and_left_in_place() {
    // A downgrade must not split the history: the file of a newer upexport
    // is neither moved aside nor replaced by an empty one.
    let sb = Sandbox::new();
    let (file, bytes) = break_files(&sb, &Broken::NewerDb);
    let says = |text: &str| {
        let f = flat(text);
        for w in [
            "written by a newer upexport",
            "schema version 99",
            "nothing was moved",
            &file.display().to_string(),
        ] {
            assert!(f.contains(w), "no {w:?} in {text}");
        }
    };
    for args in [&["history"][..], &["history", "--json"], &["queue", "list"]] {
        let mut c = sb.command(None);
        c.args(args);
        let out = run(c);
        assert_eq!(out.code, Some(2), "{args:?}: {out:?}");
        if args.contains(&"--json") {
            // The error as JSON, nothing else.
            let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
            says(v["error"]["message"].as_str().unwrap_or_default());
        } else {
            assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        }
        says(&out.stderr);
    }
    // doctor says the same and exits 2 (a setup problem, not the network's).
    let server = sb.demo_server("normal", 1.0, &[]);
    let mut c = sb.command(Some(DEMO_KEY));
    c.args(["doctor", "--base-url", &server.url]);
    let out = run(c);
    drop(server);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stdout.contains("history        error:"),
        "{}",
        out.stdout
    );
    says(&out.stdout);
    assert_eq!(std::fs::read(&file).expect("kept"), bytes, "left as it was");
    assert!(aside_files(&sb).is_empty(), "{:?}", aside_files(&sb));

    // The TUI refuses before taking over the terminal: the message stays on
    // the screen and the exit status is 2.
    if !require_tool("tmux") {
        return;
    }
    let tmux = Tmux::new("newer");
    let base = format!("http://127.0.0.1:{}", crate::support::closed_port());
    let raw = sb.root().join("raw.out");
    let exit = sb.root().join("exit-status");
    // The shell records the exit status, then keeps the pane open (it
    // exits at once: tmux could close the pane before keeping it).
    tmux.start_recorded(
        160,
        40,
        &format!(
            "{}; echo $? > {}; read _",
            tui_line(&sb, &base, ""),
            exit.display()
        ),
        &raw,
    );
    wait_for("the exit status", WAIT_LIMIT, || {
        (!read(&exit).is_empty()).then_some(())
    });
    assert_eq!(read(&exit).trim(), "2");
    // -J: lines the terminal wrapped, joined again.
    let screen = tmux.cmd(&["capture-pane", "-p", "-J", "-S", "-", "-t", "t"]);
    says(&screen);
    assert!(
        !screen.contains("Company IDs"),
        "the form never showed: {screen}"
    );
    assert_eq!(std::fs::read(&file).expect("kept"), bytes, "left as it was");
    assert!(aside_files(&sb).is_empty(), "{:?}", aside_files(&sb));
}

// ---------------------------------------------------------------------------
// Two processes writing one history

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cli_processes_and_the_tui_write_one_history_at_once() {
    const PER_CLI: usize = 20;
    const TUI_SUBMITS: u64 = 20;
    let server = DemoServer::start(DemoOptions {
        job_duration: Duration::from_secs(600),
        ..DemoOptions::default()
    })
    .await
    .expect("demo server");
    let base = server.base_url();
    let sb = std::sync::Arc::new(Sandbox::new());
    std::fs::create_dir_all(sb.state_dir()).expect("state dir");

    // Two shells' worth of `upexport submit`, one after another in each.
    let clis: Vec<_> = (0..2)
        .map(|n| {
            let (sb, base) = (sb.clone(), base.clone());
            std::thread::spawn(move || {
                let mut codes = Vec::new();
                for i in 0..PER_CLI {
                    let mut c = sb.command(Some(DEMO_KEY));
                    c.args(["submit", "--from", "2026-11-01", "--user-id"])
                        .arg(format!("cli{n}-{i}"))
                        .args(["--base-url", &base]);
                    codes.push(run(c).code);
                }
                codes
            })
        })
        .collect();

    // Meanwhile the TUI (the real runner) submits over the same file.
    let client = ApiClient::new(
        &base,
        ApiKey::new(DEMO_KEY).expect("key"),
        Timeouts::default(),
    )
    .expect("client");
    let store = HistoryStore::open(&sb.db()).expect("history").store;
    let env = EnvInfo {
        profile: "test".into(),
        base_url: base.clone(),
        ..Default::default()
    };
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
    h.type_text("tui");
    for n in 1..=TUI_SUBMITS {
        // A 409 opens the "already running" dialog: close it first.
        if h.app().overlay.is_some() {
            h.key(KeyCode::Esc);
        }
        // Each submit a different body: user ids tuis, tuiss, …
        h.key(KeyCode::Char('s'));
        h.ctrl('s');
        let done = h
            .wait_until(WAIT_LIMIT, |a| {
                a.in_flight.is_none() && a.status.as_ref().is_some_and(|s| !s.text.is_empty())
            })
            .await;
        assert!(done, "TUI submit {n} never finished");
        assert!(!h.app().quit);
    }
    let codes: Vec<Option<i32>> = clis
        .into_iter()
        .flat_map(|t| t.join().expect("cli thread"))
        .collect();
    // Created (0) for the first, 409 (4) while that job runs: never a
    // history error (5) or a crash.
    assert!(
        codes.iter().all(|c| matches!(c, Some(0) | Some(4))),
        "{codes:?}"
    );

    let store = HistoryStore::open(&sb.db()).expect("history").store;
    assert_eq!(store.integrity_check().expect("integrity_check"), "ok");
    let total = 2 * PER_CLI as u64 + TUI_SUBMITS;
    assert_eq!(store.count().expect("count"), total, "a row was lost");
    let rows = store.page(0, 1_000).expect("page");
    assert!(
        rows.iter().all(|e| e.state != EntryState::Sending),
        "an outcome was lost"
    );
    let from = |s: &str| rows.iter().filter(|e| e.source == s).count();
    assert_eq!(
        (from("cli"), from("tui")),
        (2 * PER_CLI, TUI_SUBMITS as usize)
    );
    let mut tui_bodies: Vec<&str> = rows
        .iter()
        .filter(|e| e.source == "tui")
        .map(|e| e.request_json.as_str())
        .collect();
    tui_bodies.sort_unstable();
    tui_bodies.dedup();
    assert_eq!(
        tui_bodies.len(),
        TUI_SUBMITS as usize,
        "every TUI submit is its own row"
    );
    for n in 0..2 {
        for i in 0..PER_CLI {
            let id = format!("\"cli{n}-{i}\"");
            assert_eq!(
                rows.iter().filter(|e| e.request_json.contains(&id)).count(),
                1,
                "{id}"
            );
        }
    }
    let creates = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count() as u64;
    assert_eq!(creates, total, "every attempt was sent once");
}
