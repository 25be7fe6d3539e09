//! tmux: the real binary in a real pseudo-terminal. A test that uses it
//! first checks `require_tool("tmux")`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{WAIT_LIMIT, bin, wait_for};

/// A tmux server of our own (its own socket), killed when dropped. All
/// tests share one process: each gives its own `tag`.
pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn new(tag: &str) -> Tmux {
        Tmux {
            socket: format!("upx-{tag}-{}", std::process::id()),
        }
    }

    pub fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A detached session `t` of `w`x`h` running `shell_line`; the pane
    /// stays after its process exits.
    pub fn start(&self, w: u16, h: u16, shell_line: &str) {
        // A fresh server each time. One that is still shutting down makes
        // new-session fail ("server exited unexpectedly"): try again until
        // it is gone (hard limit).
        let _ = self.cmd(&["kill-server"]);
        let mut tried = Vec::new();
        wait_for("tmux new-session", WAIT_LIMIT, || {
            let out = Command::new("tmux")
                .args(["-L", &self.socket, "-f", "/dev/null", "new-session", "-d"])
                .args(["-s", "t", "-x", &w.to_string(), "-y", &h.to_string()])
                .arg(shell_line)
                .output()
                .expect("tmux runs");
            tried.push(String::from_utf8_lossy(&out.stderr).into_owned());
            assert!(
                tried.len() < 200,
                "tmux new-session keeps failing: {tried:?}"
            );
            out.status.success().then_some(())
        });
        self.cmd(&["set-option", "-t", "t", "remain-on-exit", "on"]);
    }

    /// [`Tmux::start`], and everything the program writes to the terminal
    /// is appended to `raw` (escape sequences included).
    pub fn start_recorded(&self, w: u16, h: u16, shell_line: &str, raw: &Path) {
        self.start(w, h, shell_line);
        self.cmd(&[
            "pipe-pane",
            "-o",
            "-t",
            "t",
            &format!("cat >> '{}'", raw.display()),
        ]);
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    /// Type text literally (no key names).
    pub fn type_text(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "t", "-l", text]);
    }

    pub fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "t"])
    }

    /// The screen and the whole scrollback.
    pub fn everything(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-S", "-", "-t", "t"])
    }

    pub fn format(&self, f: &str) -> String {
        self.cmd(&["display-message", "-p", "-t", "t", f])
            .trim()
            .to_owned()
    }

    /// Poll the screen until `pred` holds (hard limit).
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT_LIMIT;
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

    /// Wait until the pane's process has exited.
    pub fn wait_dead(&self, what: &str) {
        wait_for(what, WAIT_LIMIT, || {
            (self.format("#{pane_dead}") == "1").then_some(())
        });
    }

    /// The pid of the `upexport` process in the pane (the pane's shell or
    /// one of its descendants). Needs `pgrep`.
    pub fn upexport_pid(&self) -> u32 {
        let root: u32 = self.format("#{pane_pid}").parse().expect("a pane pid");
        let want = std::fs::canonicalize(bin()).expect("binary path");
        wait_for("the upexport process", WAIT_LIMIT, || {
            let mut todo = vec![root];
            while let Some(pid) = todo.pop() {
                let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
                if exe.as_deref() == Some(want.as_path()) {
                    return Some(pid);
                }
                let kids = Command::new("pgrep")
                    .args(["-P", &pid.to_string()])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap_or_default();
                todo.extend(
                    kids.split_whitespace()
                        .filter_map(|p| p.parse::<u32>().ok()),
                );
            }
            None
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}
