//! The `upexport` binary in a sandbox of its own: HOME and the XDG
//! directories in a temp dir, no proxy, no key unless given. Commands run
//! to their end under [`CMD_LIMIT`]; a running `upexport demo-server` is
//! read line by line under [`WAIT_LIMIT`] and killed when dropped.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Instant;

use super::{CMD_LIMIT, WAIT_LIMIT, write_private};

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

    /// `upexport` with this sandbox's directories, a clean environment,
    /// `key` as `USERPILOT_API_KEY` when given, a trace log and no stdin.
    pub fn command(&self, key: Option<&str>) -> Command {
        let mut c = Command::new(bin());
        self.prepare(&mut c, key);
        c
    }

    /// Apply what [`Sandbox::command`] sets to any command (e.g. a
    /// namespace wrapper around the binary).
    pub fn prepare(&self, c: &mut Command, key: Option<&str>) {
        self.isolate(c);
        if let Some(k) = key {
            c.env("USERPILOT_API_KEY", k);
        }
        c.env("UPEXPORT_LOG", "trace");
        c.stdin(Stdio::null());
    }

    /// `upexport` with this sandbox's directories and a clean environment
    /// only (no key, no log), as an `assert_cmd` command: its stdin can be
    /// written, and it is killed past [`CMD_LIMIT`].
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = Command::new(bin());
        self.isolate(&mut c);
        let mut c = assert_cmd::Command::from_std(c);
        c.timeout(CMD_LIMIT);
        c
    }

    /// [`Sandbox::cmd`] with `USERPILOT_API_KEY` set.
    pub fn with_key(&self, key: &str) -> assert_cmd::Command {
        let mut c = self.cmd();
        c.env("USERPILOT_API_KEY", key);
        c
    }

    /// The sandbox's directories, the scrubbed variables removed, run from
    /// the sandbox's root.
    fn isolate(&self, c: &mut Command) {
        for v in SCRUBBED {
            c.env_remove(v);
        }
        for (k, v) in self.envs() {
            c.env(k, v);
        }
        c.current_dir(self.root());
    }

    /// Write `text` to the default config file, mode 0600.
    pub fn write_config(&self, text: &str) -> PathBuf {
        std::fs::create_dir_all(self.config_dir()).expect("config dir");
        let p = self.config_dir().join("config.toml");
        write_private(&p, text);
        p
    }

    /// `upexport demo-server --mode MODE` as a child with this sandbox's
    /// directories, its jobs taking `job_seconds`. Its stderr goes to a file
    /// in the sandbox (so a scan of the sandbox for a key reads it too).
    pub fn demo_server(
        &self,
        mode: &str,
        job_seconds: f64,
        extra_env: &[(&str, &str)],
    ) -> DemoChild {
        let mut c = Command::new(bin());
        self.isolate(&mut c);
        for (k, v) in extra_env {
            c.env(k, v);
        }
        static SERVERS: AtomicUsize = AtomicUsize::new(0);
        let n = SERVERS.fetch_add(1, Ordering::Relaxed);
        let stderr = std::fs::File::create(self.root().join(format!("demo-{n}-{mode}.stderr")))
            .expect("stderr file");
        c.args([
            "demo-server",
            "--port",
            "0",
            "--mode",
            mode,
            "--job-seconds",
            &job_seconds.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);
        DemoChild::start(c)
    }
}

/// What a finished command said.
#[derive(Debug)]
pub struct Out {
    /// `None` when killed by a signal (or past [`CMD_LIMIT`]).
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
pub fn run(c: impl Into<assert_cmd::Command>) -> Out {
    let mut c = c.into();
    c.timeout(CMD_LIMIT);
    let out = c.output().expect("run the command");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// [`run`] `c` (with `stdin` fed, when given) on a blocking thread, so the
/// async runtime keeps serving an in-process demo server meanwhile.
pub async fn run_async(c: Command, stdin: Option<&str>) -> Out {
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut c = assert_cmd::Command::from_std(c);
        if let Some(s) = stdin {
            c.write_stdin(s);
        }
        run(c)
    })
    .await
    .expect("the command thread")
}

/// Kills the child however the test ends.
pub struct Kill(pub Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Send `signal` (`KILL`, `TERM`, `HUP`, `INT`) to `pid`.
pub fn signal(pid: u32, signal: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(ok.success(), "kill -{signal} {pid} failed");
}

/// Lines of a pipe, read on a thread to its end (also once nobody listens:
/// a writer must never meet a closed pipe). The channel disconnects at the
/// end of the pipe.
pub fn lines(r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// Receive lines until one contains `needle` (hard limit); returns all read.
pub fn until(rx: &Receiver<String>, needle: &str) -> Vec<String> {
    let deadline = Instant::now() + WAIT_LIMIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => {
                let hit = l.contains(needle);
                seen.push(l);
                if hit {
                    return seen;
                }
            }
            Err(_) => panic!("no line with {needle:?} within {WAIT_LIMIT:?}; got {seen:?}"),
        }
    }
}

/// Wait (hard limit) until the pipe behind `rx` closes: its writer exited.
pub fn until_closed(rx: &Receiver<String>, what: &str) {
    let deadline = Instant::now() + WAIT_LIMIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(_) => {}
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => panic!("{what}: no exit within {WAIT_LIMIT:?}"),
        }
    }
}

/// A running `upexport demo-server`; killed when dropped (also on panic).
pub struct DemoChild {
    child: Option<Child>,
    lines: Receiver<String>,
    /// Its base URL, from its first line (always on 127.0.0.1).
    pub url: String,
    stdout: Vec<String>,
}

impl DemoChild {
    /// Spawn `cmd` (stdout piped) and read up to its URL line.
    pub fn start(mut cmd: Command) -> DemoChild {
        let mut child = cmd.spawn().expect("spawn demo-server");
        // Drained to its end, so the server never blocks on a full pipe and
        // its exit shows up as the end of the lines.
        let lines = lines(child.stdout.take().expect("piped stdout"));
        let mut me = DemoChild {
            child: Some(child),
            lines,
            url: String::new(),
            stdout: Vec::new(),
        };
        let deadline = Instant::now() + WAIT_LIMIT;
        const PREFIX: &str = "upexport demo server listening on ";
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match me.lines.recv_timeout(left) {
                Ok(l) => {
                    let url = l.strip_prefix(PREFIX).map(|u| u.trim().to_owned());
                    me.stdout.push(l);
                    if let Some(url) = url {
                        assert!(
                            url.starts_with("http://127.0.0.1:"),
                            "the demo server must listen on 127.0.0.1: {url}"
                        );
                        me.url = url;
                        break;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("demo-server exited early; said {:?}", me.stdout)
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no URL line from demo-server within {WAIT_LIMIT:?}")
                }
            }
        }
        me
    }

    /// Read stdout up to the `key:` line (printed after the URL line).
    pub fn key_line(&mut self) -> String {
        let deadline = Instant::now() + WAIT_LIMIT;
        loop {
            if let Some(k) = self.stdout.iter().find_map(|l| l.strip_prefix("key: ")) {
                return k.to_owned();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.stdout.push(l),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("demo-server exited before its key line")
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no key line from demo-server within {WAIT_LIMIT:?}")
                }
            }
        }
    }

    /// Ask the server to stop with SIGTERM and wait (hard limit) for it to
    /// exit; returns whether it exited successfully and all it printed.
    pub fn terminate(mut self) -> (bool, Vec<String>) {
        let mut child = self.child.take().expect("running");
        signal(child.id(), "TERM");
        let deadline = Instant::now() + WAIT_LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.stdout.push(l),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("demo-server did not stop within {WAIT_LIMIT:?} of SIGTERM");
                }
            }
        }
        // Stdout is closed: the process has exited (or is about to).
        let status = child.wait().expect("wait for demo-server");
        (status.success(), std::mem::take(&mut self.stdout))
    }
}

impl Drop for DemoChild {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
