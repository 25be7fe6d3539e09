//! Every helper of the integration tests, in one place:
//! - here: the two time limits, waiting on a condition, the tools a test
//!   needs, closed ports, private files, scanning a tree for a secret;
//! - [`sandbox`]: the `upexport` binary in a sandbox of its own (HOME and
//!   XDG directories in a temp dir, no proxy, no key unless given), run to
//!   its end or kept running (`upexport demo-server`);
//! - [`served`]: a sandbox with an `upexport demo-server` child of its own;
//! - [`demo`]: the embedded demo server in the test process, API clients;
//! - [`tui`]: fixtures of the TUI tests (apps, keys, fabricated history).
//!   The harness that drives the whole TUI without a terminal is the
//!   library's `upexport::tui::testing` (feature `testing`);
//! - [`tmux`]: the real binary in a real pseudo-terminal;
//! - [`netns`]: a network namespace where no name resolves.
//!
//! Everything a test talks to is on 127.0.0.1.

pub mod demo;
pub mod netns;
pub mod s3;
pub mod s3proxy;
pub mod sandbox;
pub mod screen;
pub mod scripted;
pub mod served;
pub mod tmux;
pub mod tui;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use netns::NoDns;
pub use sandbox::{DemoChild, Kill, Out, SCRUBBED, Sandbox, bin, run, run_async, signal};
pub use tmux::Tmux;

/// The longest one `upexport` command may take to its end (a slow, shared
/// machine). Commands past it are killed and the test fails.
pub const CMD_LIMIT: Duration = Duration::from_secs(90);
/// The longest one wait may take: on a condition, a line from a child, a
/// screen, or a whole async test ([`within`]). A hard limit so that a
/// hang fails the test; no test waits this long when it passes.
pub const WAIT_LIMIT: Duration = Duration::from_secs(120);

/// Fail the test instead of hanging it: `f` must end within [`WAIT_LIMIT`].
pub async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(WAIT_LIMIT, f)
        .await
        .expect("test took too long")
}

/// Poll `cond` until it holds; panics naming `what` past `limit`.
/// (A wait on a condition with a hard limit, not a sleep to synchronise.)
pub fn wait_for<T>(what: &str, limit: Duration, mut cond: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = cond() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Whether `tool` (a program: `tmux`, `unshare`, `pgrep`) can be run. When
/// it is missing, a test that needs it fails if `CI` is set (`.ci/run`
/// installs tmux, procps and util-linux: a missing tool there is a broken
/// setup, and a skip would let CI pass having run nothing), and elsewhere
/// prints that it skipped and gets `false`:
///
/// ```ignore
/// if !require_tool("tmux") {
///     return;
/// }
/// ```
#[track_caller]
pub fn require_tool(tool: &str) -> bool {
    if on_path(tool) {
        return true;
    }
    assert!(
        !in_ci(),
        "{tool} is not installed and CI is set: the tests that need it must run here \
         (.ci/run installs it)"
    );
    eprintln!("skipped: {tool} not installed");
    false
}

/// `CI` is set to anything but empty, `0` or `false` (CI services set
/// `CI=true`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// An executable file named `tool` in a directory of `PATH`.
fn on_path(tool: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(tool))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Write a file readable by its owner only.
pub fn write_private(p: &Path, text: &str) {
    std::fs::write(p, text).expect("write");
    set_mode(p, 0o600);
}

pub fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Every file under `root` holding `needle`, and every file read.
pub fn files_containing(root: &Path, needle: &[u8]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut hits = Vec::new();
    let mut seen = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                let Ok(bytes) = std::fs::read(e.path()) else {
                    continue;
                };
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    hits.push(e.path());
                }
                seen.push(e.path());
            }
        }
    }
    (hits, seen)
}

/// `s` as JSON, or a panic showing it.
pub fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

pub fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid day")
}

/// Assert that the file at `path` holds exactly `want`; on a mismatch say
/// the sizes and the first differing byte (not the whole contents).
#[track_caller]
pub fn assert_file(path: &Path, want: &[u8]) {
    let got = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if got != want {
        let at = got.iter().zip(want).position(|(a, b)| a != b);
        panic!(
            "{}: {} bytes, wanted {}; first difference at {at:?}",
            path.display(),
            got.len(),
            want.len()
        );
    }
}

/// The entries `history --json` printed (its `{"version", "entries"}`).
pub fn entries(v: &serde_json::Value) -> Vec<serde_json::Value> {
    assert_eq!(v["version"], 1, "not history --json: {v}");
    v["entries"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no entries: {v}"))
}
