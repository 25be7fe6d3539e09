//! Drives the real binary in tmux, as a person would: against
//! `upexport demo-server`, at 80x24 then 120x40, reading the screen with
//! `capture-pane`. Uses `$UPEXPORT_BIN` when set (e.g. the release build:
//! `UPEXPORT_BIN=target/release/upexport cargo test --test it tui::tmux`),
//! else the binary cargo built for the tests (the demo server is always
//! that one). Needs tmux: skipped, saying so, when it is missing, and
//! failed instead when `CI` is set (`.ci/run` installs it).

use crate::support::{Sandbox, Tmux, require_tool, signal};

/// The binary under test: `$UPEXPORT_BIN`, else the one cargo built.
fn bin() -> String {
    std::env::var("UPEXPORT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_upexport").to_owned())
}

/// The whole frame is on the screen: its last line, the footer, is there.
/// (A capture can land while the app is still writing a frame.)
fn drawn(screen: &str) -> bool {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.contains("Ctrl-C quit"))
}

#[test]
fn drive_the_contract_in_tmux() {
    if !require_tool("tmux") {
        return;
    }
    let sb = Sandbox::new();
    let server = sb.demo_server("normal", 2.0, &[]);
    let url = &server.url;

    let tmux = Tmux::new("drive");
    let cmd = format!(
        "env {} USERPILOT_API_KEY=upexport-demo-key TERM=xterm-256color {} --base-url {url}",
        sb.env_line(),
        bin()
    );
    tmux.start(80, 24, &cmd);

    // Focus starts on From; every field is visible at 80x24.
    let s = tmux.wait_for("the form", |s| {
        s.contains("Export") && s.contains("History") && drawn(s)
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
    // (The status line wraps at words: "28" may end one row.)
    tmux.wait_for("the date error", |s| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("28 days")
    });

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
            && drawn(s)
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
    tmux.wait_dead("upexport to exit on Ctrl-C");
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
    if !(require_tool("tmux") && require_tool("kill")) {
        return;
    }
    let sb = Sandbox::new();
    let tmux = Tmux::new("hup");
    let cmd = format!(
        "env {} USERPILOT_API_KEY=k TERM=xterm-256color {} --base-url http://127.0.0.1:9",
        sb.env_line(),
        bin()
    );
    // One tmux session for the whole test; each start respawns its pane
    // (killing the last session would stop the server, racing the next start).
    tmux.start(100, 30, "sleep 600");
    let start = || {
        tmux.cmd(&["respawn-pane", "-k", "-t", "t", &cmd]);
        tmux.wait_for("the form", |s| s.contains("Export"));
    };
    let wait_dead = || tmux.wait_dead("upexport to exit on the signal");
    for (sig, email) in [("HUP", "hup@example.com"), ("TERM", "term@example.com")] {
        start();
        tmux.keys(&["Tab", "Tab", "C-u", email]);
        tmux.wait_for("typed email", |s| s.contains(email));
        let pid = tmux.format("#{pane_pid}").parse().expect("a pane pid");
        signal(pid, sig);
        wait_dead();
        let s = tmux.screen();
        assert!(
            !s.contains("Company IDs"),
            "terminal not restored after SIG{sig}:\n{s}"
        );
        let draft = std::fs::read_to_string(sb.draft()).expect("draft written");
        assert!(draft.contains(email), "draft after SIG{sig}: {draft}");
        // It is back on the next start.
        start();
        tmux.wait_for("restored draft", |s| s.contains(email));
        tmux.keys(&["C-c"]);
        wait_dead();
    }
}
