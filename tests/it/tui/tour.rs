//! The README's tour, as a newcomer takes it: `upexport --demo` in tmux at
//! 80x24 and at 120x40, every step of "Try it", each screen read with
//! `capture-pane` and held to three rules (support::screen):
//! - no row ends mid-word at a pane's right edge or the screen's;
//! - the footer keeps its way out (Esc in an overlay, Ctrl-C quit);
//! - the status line shows a message whole, or its head and "F6 more";
//!   what it shows is checked against every message the app logged in
//!   full (`UPEXPORT_LOG=upexport::status=debug`).
//!
//! The binary is `$UPEXPORT_BIN` when set (`.ci/run` builds the release
//! binary first and sets it: the tour is the release build's), else the
//! one cargo built for the tests. The README's two screens are this tour's
//! captures: `UPEXPORT_WRITE_SCREENS=1 cargo test --test it tui::tour`
//! writes them into README.md; otherwise a README screen that no longer
//! matches (dates, times, ids and numbers aside) fails the test.
//!
//! Needs tmux: skipped, saying so, when it is missing, and failed instead
//! when `CI` is set.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::screen::{edge_cuts, footer_way_out, mask, status_cut, status_rows};
use crate::support::{Sandbox, Tmux, WAIT_LIMIT, require_tool};

/// The binary under test: `$UPEXPORT_BIN`, else the one cargo built.
fn bin() -> String {
    std::env::var("UPEXPORT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_upexport").to_owned())
}

fn readme_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// One run of the tour at one size, and what its screens broke.
struct Tour {
    tmux: Tmux,
    sb: Sandbox,
    width: usize,
    size: String,
    findings: Vec<String>,
}

impl Tour {
    /// `upexport ARGS` at `w`x`h` in a sandbox, started in its home.
    fn start(tag: &str, w: u16, h: u16, key: Option<&str>, args: &str) -> Tour {
        let sb = Sandbox::new();
        let tmux = Tmux::new(tag);
        let key = key.map_or(String::new(), |k| format!("USERPILOT_API_KEY={k}"));
        let cmd = format!(
            "cd {home} && env {env} {key} UPEXPORT_LOG=upexport=info,upexport::status=debug TERM=xterm-256color {bin} {args}",
            home = sb.root().join("home").display(),
            env = sb.env_line(),
            bin = bin(),
        );
        tmux.start(w, h, &cmd);
        Tour {
            tmux,
            sb,
            width: usize::from(w),
            size: format!("{w}x{h}"),
            findings: Vec::new(),
        }
    }

    /// Every status-line message the app logged, in full.
    fn logged(&self) -> Vec<String> {
        let dir = self.sb.state_dir().join("logs");
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            for l in text.lines() {
                if let Some((_, m)) = l.split_once(" upexport::status: ") {
                    out.push(m.to_owned());
                }
            }
        }
        out
    }

    /// Wait (bounded) until `pred` holds on a screen that stays the same
    /// for two captures in a row (no frame half written), then hold it to
    /// the rules, naming `step` in what it finds.
    fn screen(&mut self, step: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT_LIMIT;
        let mut last = String::new();
        let s = loop {
            let s = self.tmux.screen();
            if pred(&s) && s == last {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "{}: timed out waiting for: {step}; screen:\n{s}",
                self.size
            );
            last = s;
            std::thread::sleep(Duration::from_millis(60));
        };
        self.check(step, &s);
        s
    }

    fn check(&mut self, step: &str, s: &str) {
        let mut found = edge_cuts(s, self.width);
        found.extend(footer_way_out(s));
        let rows = status_rows(s);
        if !rows.is_empty() {
            // The app logs a message as it shows it; the log is written
            // by a background thread: wait for it (bounded).
            let deadline = Instant::now() + WAIT_LIMIT;
            let cut = loop {
                let cut = status_cut(&rows, &self.logged());
                if cut.is_none() || Instant::now() > deadline {
                    break cut;
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            found.extend(cut);
        }
        for f in found {
            self.findings
                .push(format!("{} · {step}: {f}\n{s}", self.size));
        }
    }

    fn keys(&self, keys: &[&str]) {
        self.tmux.keys(keys);
    }

    fn type_text(&self, text: &str) {
        self.tmux.type_text(text);
    }

    /// Esc until the main screen is back (its footer offers Ctrl-C quit).
    fn back_to_main(&mut self) {
        let deadline = Instant::now() + WAIT_LIMIT;
        while !self
            .tmux
            .screen()
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.contains("Ctrl-C quit"))
        {
            assert!(
                Instant::now() < deadline,
                "{}: Esc does not lead back",
                self.size
            );
            self.keys(&["Escape"]);
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    /// Ctrl-C (twice when a queued export is on its way) until it exits.
    fn quit(&mut self) {
        self.back_to_main();
        let deadline = Instant::now() + WAIT_LIMIT;
        while self.tmux.format("#{pane_dead}") != "1" {
            assert!(
                Instant::now() < deadline,
                "{}: Ctrl-C does not quit",
                self.size
            );
            self.keys(&["C-c"]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn assert_clean(&self) {
        assert!(
            self.findings.is_empty(),
            "the tour at {} broke the screen rules {} time(s):\n\n{}",
            self.size,
            self.findings.len(),
            self.findings.join("\n\n")
        );
    }
}

/// The footer is the main screen's.
fn main_screen(s: &str) -> bool {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.contains("Ctrl-C quit"))
}

/// The README's "Try it" at `w`x`h`; returns the screen the README shows.
fn tour(tag: &str, w: u16, h: u16) -> String {
    let mut t = Tour::start(tag, w, h, None, "--demo");
    t.screen("start", |s| {
        main_screen(s) && s.contains("Export") && s.contains("History")
    });

    // 1. Enter for the calendar, 3: last 7 days.
    t.keys(&["Enter"]);
    t.screen("1. calendar", |s| s.contains("Presets"));
    t.keys(&["3"]);
    t.screen("1. last 7 days", |s| {
        main_screen(s) && s.contains("last 7 days")
    });

    // 2. Tab twice to Emails, type; Tab to Event types, Enter, type to
    // filter, Space picks track, Enter.
    t.keys(&["Tab", "Tab"]);
    t.type_text("you@example.com");
    t.screen("2. email typed", |s| s.contains("you@example.com"));
    t.keys(&["Tab", "Enter"]);
    t.screen("2. event type picker", |s| s.contains("pick any"));
    t.type_text("track");
    t.screen("2. filtered", |s| s.contains("filter track"));
    t.keys(&["Space"]);
    t.screen("2. track picked", |s| s.contains("[x] track"));
    t.keys(&["Enter"]);
    let s = t.screen("2. applied", |s| {
        main_screen(s) && s.contains("Event types 1")
    });
    assert!(
        !s.contains("✘"),
        "{}: the form has an error after step 2:\n{s}",
        t.size
    );

    // 3. Ctrl-P: the body and curl; c copies curl (said under the popup);
    // Esc closes.
    t.keys(&["C-p"]);
    t.screen("3. request preview", |s| s.contains("Request preview"));
    t.keys(&["c"]);
    t.screen("3. curl copied", |s| {
        s.contains("Request preview") && s.contains("copied the curl command")
    });
    t.keys(&["Escape"]);
    t.screen("3. preview closed", main_screen);

    // 4. Ctrl-S submits; again at once: 409, the running job; w queues.
    t.keys(&["C-s"]);
    t.screen("4. created", |s| s.contains("created export job"));
    t.keys(&["C-s"]);
    t.screen("4. 409 dialog", |s| {
        s.contains("already running (409)") && s.contains("Running job") && s.contains("%")
    });
    t.keys(&["w"]);
    t.screen("4. queued", |s| main_screen(s) && s.contains("queue"));

    // The README's screen: a Tab past Submit into the history, both jobs
    // completed.
    for _ in 0..7 {
        t.keys(&["Tab"]);
    }
    let readme_screen = t.screen("4. both completed, history focused", |s| {
        s.contains("Enter details")
            && s.matches("completed ·").count() >= 2
            && !s.contains("processing")
            && !s.contains("pending")
            && !s.contains("sending")
    });

    // 5. d downloads the job's files: the dialog, Enter starts; Enter on
    // a file shows its first rows.
    t.keys(&["d"]);
    t.screen("5. download dialog", |s| s.contains("Download job"));
    t.keys(&["Enter"]);
    t.screen("5. downloaded", |s| s.contains("downloaded 2 file"));
    t.keys(&["Enter"]);
    t.screen("5. file preview", |s| {
        s.contains("200 rows (read to the end)") && s.contains("showing 1–200")
    });
    t.back_to_main();

    // 6. Enter: the details; c copies the job id; e loads the request.
    t.keys(&["Enter"]);
    // (At 80x24 the request body is further down, past the manifest.)
    t.screen("6. details", |s| {
        s.contains("Attempt #") && s.contains("Job id")
    });
    t.keys(&["c"]);
    t.screen("6. id copied", |s| s.contains("copied the job id"));
    t.keys(&["e"]);
    t.screen("6. loaded", |s| main_screen(s) && s.contains("loaded"));

    // 7. From/To over three months (the 90-day preset), Ctrl-Q, m: the
    // monthly exports; F3 shows the queue.
    t.keys(&["Enter"]);
    t.screen("7. calendar", |s| s.contains("Presets"));
    t.keys(&["5"]);
    t.screen("7. last 90 days", |s| {
        main_screen(s) && s.contains("last 90 days")
    });
    t.keys(&["C-q"]);
    t.screen("7. add to the queue", |s| s.contains("monthly exports"));
    t.keys(&["m"]);
    t.screen("7. queued by month", main_screen);
    t.keys(&["F3"]);
    t.screen("7. the queue", |s| s.contains("Queue ·"));
    t.back_to_main();

    // 8. F1 lists every key; F6 the messages; Ctrl-C quits.
    t.keys(&["F1"]);
    t.screen("8. help", |s| s.contains("Keys"));
    t.back_to_main();
    t.keys(&["F6"]);
    t.screen("8. messages", |s| s.contains("Messages"));
    t.back_to_main();
    t.quit();
    t.assert_clean();
    readme_screen
}

/// The README's copy of the screen `name` (between its markers), and
/// where it is.
fn readme_block(text: &str, name: &str) -> Option<(usize, usize)> {
    let start_marker = format!("<!-- tour-screen:{name} -->\n```text\n");
    let start = text.find(&start_marker)? + start_marker.len();
    let end = start + text[start..].find("```\n<!-- /tour-screen -->")?;
    Some((start, end))
}

/// The README shows `screen` as `name`: rewritten with
/// `UPEXPORT_WRITE_SCREENS=1`, else compared (masked).
fn readme_shows(name: &str, screen: &str) {
    let path = readme_path();
    let text = std::fs::read_to_string(&path).expect("README.md");
    let (start, end) = readme_block(&text, name)
        .unwrap_or_else(|| panic!("README.md has no <!-- tour-screen:{name} --> block"));
    let screen = screen.trim_end_matches('\n').to_owned() + "\n";
    if std::env::var("UPEXPORT_WRITE_SCREENS").is_ok_and(|v| v == "1") {
        let new = format!("{}{screen}{}", &text[..start], &text[end..]);
        std::fs::write(&path, new).expect("write README.md");
        eprintln!("README.md: screen {name} rewritten");
        return;
    }
    assert_eq!(
        mask(&text[start..end]),
        mask(&screen),
        "README.md's {name} screen is stale: remake it with \
         `UPEXPORT_WRITE_SCREENS=1 cargo test --test it tui::tour` (with the \
         release binary: UPEXPORT_BIN=target/release/upexport)"
    );
}

#[test]
fn the_readme_tour_at_80x24() {
    if !require_tool("tmux") {
        return;
    }
    let s = tour("tour80", 80, 24);
    readme_shows("80x24", &s);
}

#[test]
fn the_readme_tour_at_120x40() {
    if !require_tool("tmux") {
        return;
    }
    let s = tour("tour120", 120, 40);
    readme_shows("120x40", &s);
}

/// Without a key: the welcome, the header and the status line at both
/// sizes, before and after skipping the welcome.
#[test]
fn without_a_key_every_screen_fits() {
    if !require_tool("tmux") {
        return;
    }
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Tour::start(
            &format!("nokey{w}"),
            w,
            h,
            None,
            "--base-url http://127.0.0.1:9",
        );
        t.screen("welcome", |s| s.contains("Welcome to upexport"));
        t.keys(&["Escape"]);
        let s = t.screen("skipped", |s| {
            main_screen(s) && s.contains("submitting will not work")
        });
        assert!(
            s.lines().next().is_some_and(|l| l.contains("⚠ no API key")),
            "{w}x{h}: the header says why submitting will not work:\n{s}"
        );
        t.keys(&["C-s"]);
        t.screen("submit refused", |s| {
            main_screen(s) && s.contains("not sent")
        });
        t.quit();
        t.assert_clean();
    }
}
