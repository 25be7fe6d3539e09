//! Helpers of the reliability tests (issue #5, `docs/reliability.md`): the
//! `upexport` binary in a sandbox of its own (HOME and XDG directories in a
//! temp dir, no proxy, no key unless given), scanning a tree for a secret,
//! and waiting on conditions under hard limits.
#![allow(dead_code)]

pub mod demo;
pub mod tui;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The longest one `upexport` command may take (slow, shared machine).
pub const CMD_LIMIT: Duration = Duration::from_secs(90);
/// The longest a wait on a condition may take.
pub const WAIT_LIMIT: Duration = Duration::from_secs(60);

/// Variables that would change what the binary does; removed from every
/// command unless a test sets them. Proxies are removed so 127.0.0.1 is
/// reached directly.
pub const SCRUBBED: [&str; 16] = [
    "USERPILOT_API_KEY",
    "USERPILOT_BASE_URL",
    "UPEXPORT_PROFILE",
    "UPEXPORT_LOG",
    "UPEXPORT_CRASH_TEST",
    "RUST_LOG",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// The `upexport` binary cargo built for the tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_upexport"))
}

/// HOME and the three XDG directories under one temp dir.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        for d in ["home", "config", "state", "cache"] {
            std::fs::create_dir_all(dir.path().join(d)).expect("sandbox dir");
        }
        Sandbox { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_dir(&self) -> PathBuf {
        self.root().join("config").join("upexport")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.root().join("state").join("upexport")
    }

    pub fn db(&self) -> PathBuf {
        self.state_dir().join("history.sqlite3")
    }

    pub fn draft(&self) -> PathBuf {
        self.state_dir().join("draft.json")
    }

    pub fn envs(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", self.root().join("home")),
            ("XDG_CONFIG_HOME", self.root().join("config")),
            ("XDG_STATE_HOME", self.root().join("state")),
            ("XDG_CACHE_HOME", self.root().join("cache")),
        ]
    }

    /// `VAR=value …` for a shell line (tmux panes).
    pub fn env_line(&self) -> String {
        self.envs()
            .iter()
            .map(|(k, v)| format!("{k}={}", v.display()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `upexport` (through `program` when given, e.g. a namespace wrapper)
    /// with this sandbox's directories and a clean environment.
    pub fn command(&self, key: Option<&str>) -> Command {
        let mut c = Command::new(bin());
        self.prepare(&mut c, key);
        c
    }

    /// Apply the sandbox environment to any command.
    pub fn prepare(&self, c: &mut Command, key: Option<&str>) {
        for v in SCRUBBED {
            c.env_remove(v);
        }
        for (k, v) in self.envs() {
            c.env(k, v);
        }
        if let Some(k) = key {
            c.env("USERPILOT_API_KEY", k);
        }
        c.env("UPEXPORT_LOG", "trace");
        c.current_dir(self.root());
        c.stdin(std::process::Stdio::null());
    }

    /// Write `text` to the default config file, mode 0600.
    pub fn write_config(&self, text: &str) -> PathBuf {
        std::fs::create_dir_all(self.config_dir()).expect("config dir");
        let p = self.config_dir().join("config.toml");
        write_private(&p, text);
        p
    }
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

/// What a finished command said.
#[derive(Debug)]
pub struct Out {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Run `c` to its end, killing it past [`CMD_LIMIT`].
pub fn run(c: Command) -> Out {
    let mut c = assert_cmd::Command::from_std(c);
    c.timeout(CMD_LIMIT);
    let out = c.output().expect("run the command");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

// ---------------------------------------------------------------------------
// A network namespace with no resolver reachable

/// Binds private resolver files over the system's inside a new mount and
/// network namespace, then runs the command: `resolv.conf` names
/// 127.0.0.1 (and the namespace's loopback is down, so even that is
/// unreachable), `nsswitch.conf` says `files dns`, nscd's socket
/// directory is hidden. No query can leave the machine.
const NETNS_SCRIPT: &str = r#"set -e
mount --bind "$1" /etc/resolv.conf
mount --bind "$2" /etc/nsswitch.conf
for d in /run/nscd /var/run/nscd; do
  if [ -d "$d" ]; then mount -t tmpfs none "$d"; fi
done
shift 2
exec "$@"
"#;

/// A command that runs `program args…` in a fresh network namespace
/// where no name resolves, or why such a namespace cannot be made here.
pub struct NoDns {
    dir: tempfile::TempDir,
    unshare: Vec<&'static str>,
}

impl NoDns {
    pub fn new() -> Result<NoDns, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        std::fs::write(
            dir.path().join("resolv.conf"),
            "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(dir.path().join("nsswitch.conf"), "hosts: files dns\n")
            .map_err(|e| e.to_string())?;
        // As root, a network and mount namespace; otherwise in a user
        // namespace of our own too.
        let mut me = NoDns {
            dir,
            unshare: Vec::new(),
        };
        let mut why = Vec::new();
        for unshare in [vec!["--net", "--mount"], vec!["-r", "--net", "--mount"]] {
            me.unshare = unshare;
            // The probe: the namespace can be made, and a name lookup in it
            // fails (getent exits non-zero).
            let mut probe = me.command(Path::new("sh"));
            probe.args(["-c", "! getent hosts upexport-probe.invalid"]);
            match probe.output() {
                Ok(o) if o.status.success() => return Ok(me),
                Ok(o) => why.push(format!(
                    "unshare {:?}: {}",
                    me.unshare,
                    String::from_utf8_lossy(&o.stderr).trim()
                )),
                Err(e) => why.push(format!("unshare {:?}: {e}", me.unshare)),
            }
        }
        Err(why.join("; "))
    }

    /// `program` inside the namespace (add its arguments to the result).
    pub fn command(&self, program: &Path) -> Command {
        let mut c = Command::new("unshare");
        c.args(&self.unshare)
            .args(["sh", "-c", NETNS_SCRIPT, "sh"])
            .arg(self.dir.path().join("resolv.conf"))
            .arg(self.dir.path().join("nsswitch.conf"))
            .arg(program);
        c
    }
}

// ---------------------------------------------------------------------------
// tmux: the real binary in a real pseudo-terminal

/// True when tmux can be run (`.ci/run` installs it); tests print why
/// they are skipped otherwise.
pub fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A tmux server of our own (its own socket), killed when dropped.
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
    /// stays after its process exits, and everything the program writes
    /// to the terminal is appended to `raw` (escape sequences included).
    pub fn start(&self, w: u16, h: u16, shell_line: &str, raw: &Path) {
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
    /// one of its descendants).
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

/// Send `signal` (`KILL`, `TERM`, `HUP`) to `pid`.
pub fn signal(pid: u32, signal: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(ok.success(), "kill -{signal} {pid} failed");
}
