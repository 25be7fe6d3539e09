//! Drives the real binary in tmux, as a person would: against
//! `upexport demo-server`, at 80x24 then 120x40, reading the screen with
//! `capture-pane`. Uses `$UPEXPORT_BIN` when set (e.g. the release build:
//! `UPEXPORT_BIN=target/release/upexport cargo test --test it tui::tmux`),
//! else the binary cargo built for the tests. Skipped when tmux is missing
//! (`.ci/run` installs it).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }
    fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "t"])
    }
    /// Poll the screen until `pred` holds (hard timeout).
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn bin() -> String {
    std::env::var("UPEXPORT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_upexport").to_owned())
}

#[test]
fn drive_the_contract_in_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux not installed: skipped");
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path().display().to_string();

    let mut server = Command::new(bin())
        .args(["demo-server", "--port", "0", "--job-seconds", "2"])
        .env("HOME", &h)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo-server starts");
    let out = server.stdout.take().expect("stdout");
    let server = Kill(server);
    let mut lines = BufReader::new(out).lines();
    let mut url = String::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(u) = line.strip_prefix("upexport demo server listening on ") {
            url = u.trim().to_owned();
            break;
        }
    }
    // Keep draining its stdout so it never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "no URL from demo-server"
    );

    let tmux = Tmux {
        socket: format!("upx-{}", std::process::id()),
    };
    let cmd = format!(
        "env HOME={h} XDG_CONFIG_HOME={h}/config XDG_STATE_HOME={h}/state XDG_CACHE_HOME={h}/cache USERPILOT_API_KEY=upexport-demo-key TERM=xterm-256color {} --base-url {url}",
        bin()
    );
    let _ = Command::new("tmux")
        .args([
            "-L",
            &tmux.socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "80",
            "-y",
            "24",
            &cmd,
        ])
        .status()
        .expect("tmux session");
    tmux.cmd(&["set-option", "-t", "t", "remain-on-exit", "on"]);

    // Focus starts on From; every field is visible at 80x24.
    let s = tmux.wait_for("the form", |s| {
        s.contains("Export") && s.contains("History")
    });
    for label in [
        "From",
        "To",
        "Emails",
        "Event types",
        "User IDs",
        "Company IDs",
        "Segment ID",
        "Format",
        "Exclusions",
        "Submit",
    ] {
        assert!(s.contains(label), "{label} missing at 80x24:\n{s}");
    }
    assert!(
        s.contains("Enter calendar"),
        "footer shows the date field's keys:\n{s}"
    );

    // An invalid date blocks the submit and says why.
    tmux.keys(&["2026-02-30", "C-s"]);
    tmux.wait_for("the date error", |s| s.contains("28 days"));

    // Fix it through the calendar: Enter, then preset 3 (last 7 days).
    tmux.keys(&["C-u", "Enter"]);
    tmux.wait_for("the calendar", |s| s.contains("Presets"));
    tmux.keys(&["3"]);
    tmux.wait_for("the preset", |s| s.contains("last 7 days"));

    // Emails with a bad one, then fixed with Ctrl-W.
    tmux.keys(&["Tab", "Tab", "ana@example.com, nope"]);
    tmux.keys(&["C-s"]);
    tmux.wait_for("the email error", |s| s.contains("nope"));
    tmux.keys(&["C-w", "BSpace", "BSpace"]);
    // Format: n selects ndjson.
    for _ in 0..5 {
        tmux.keys(&["Tab"]);
    }
    tmux.keys(&["n"]);
    tmux.wait_for("ndjson selected", |s| s.contains("‹ndjson›"));

    // Submit: created, listed in history.
    tmux.keys(&["C-s"]);
    tmux.wait_for("created", |s| s.contains("created export job"));
    tmux.wait_for("history row", |s| s.contains("History 1"));

    // Again at once: the demo allows one running job → 409: the dialog
    // shows the running job and offers to wait; Esc cancels. In history too.
    tmux.keys(&["C-s"]);
    tmux.wait_for("409 dialog", |s| {
        s.contains("already running (409)") && s.contains("Running job")
    });
    tmux.keys(&["Escape"]);
    let s = tmux.wait_for("409 in history", |s| {
        s.contains("History 2") && s.contains("409")
    });
    assert!(!s.contains("Running job"), "the dialog closed:\n{s}");

    // 120x40: side by side.
    tmux.cmd(&["resize-window", "-t", "t", "-x", "120", "-y", "40"]);
    let s = tmux.wait_for("side by side", |s| {
        s.lines()
            .any(|l| l.contains("Export") && l.contains("History"))
    });
    assert!(
        s.contains("Body"),
        "the live body preview shows at 120x40:\n{s}"
    );

    // Help, then quit with Ctrl-C: the process ends and the terminal is back.
    tmux.keys(&["F1"]);
    tmux.wait_for("help", |s| s.contains("Keys"));
    // Esc then Ctrl-C sent together would read as Alt-Ctrl-C: wait between.
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("Keys ·"));
    tmux.keys(&["C-c"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let dead = tmux.cmd(&["display-message", "-p", "-t", "t", "#{pane_dead}"]);
        if dead.trim() == "1" {
            break;
        }
        assert!(Instant::now() < deadline, "upexport did not exit on Ctrl-C");
        std::thread::sleep(Duration::from_millis(40));
    }
    // The alternate screen was left: the pane shows the shell's screen again.
    let s = tmux.screen();
    assert!(
        !s.contains("Company IDs"),
        "alternate screen not left:\n{s}"
    );
    drop(server);
}

/// SIGHUP (an SSH link dropping) and SIGTERM: the terminal is given back
/// and the unsent form comes back on the next start.
#[test]
fn hangup_and_terminate_keep_the_draft() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux not installed: skipped");
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path().display().to_string();
    let tmux = Tmux {
        socket: format!("upx-hup-{}", std::process::id()),
    };
    let cmd = format!(
        "env HOME={h} XDG_CONFIG_HOME={h}/config XDG_STATE_HOME={h}/state USERPILOT_API_KEY=k TERM=xterm-256color {} --base-url http://127.0.0.1:9",
        bin()
    );
    // One tmux session for the whole test; each start respawns its pane
    // (killing the last session would stop the server, racing the next start).
    let _ = Command::new("tmux")
        .args([
            "-L",
            &tmux.socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "100",
            "-y",
            "30",
            "sleep 600",
        ])
        .status();
    tmux.cmd(&["set-option", "-t", "t", "remain-on-exit", "on"]);
    let start = || {
        tmux.cmd(&["respawn-pane", "-k", "-t", "t", &cmd]);
        tmux.wait_for("the form", |s| s.contains("Export"));
    };
    let wait_dead = || {
        let deadline = Instant::now() + Duration::from_secs(10);
        while tmux
            .cmd(&["display-message", "-p", "-t", "t", "#{pane_dead}"])
            .trim()
            != "1"
        {
            assert!(
                Instant::now() < deadline,
                "upexport did not exit on the signal"
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    };
    for (signal, email) in [("HUP", "hup@example.com"), ("TERM", "term@example.com")] {
        start();
        tmux.keys(&["Tab", "Tab", "C-u", email]);
        tmux.wait_for("typed email", |s| s.contains(email));
        let pid = tmux.cmd(&["display-message", "-p", "-t", "t", "#{pane_pid}"]);
        let ok = Command::new("kill")
            .args([&format!("-{signal}"), pid.trim()])
            .status()
            .expect("kill");
        assert!(ok.success());
        wait_dead();
        let s = tmux.screen();
        assert!(
            !s.contains("Company IDs"),
            "terminal not restored after SIG{signal}:\n{s}"
        );
        let draft = std::fs::read_to_string(format!("{h}/state/upexport/draft.json"))
            .expect("draft written");
        assert!(draft.contains(email), "draft after SIG{signal}: {draft}");
        // It is back on the next start.
        start();
        tmux.wait_for("restored draft", |s| s.contains(email));
        tmux.keys(&["C-c"]);
        wait_dead();
    }
}
