//! Helpers of the reliability tests (issue #5, `docs/reliability.md`): the
//! `upexport` binary in a sandbox of its own (HOME and XDG directories in a
//! temp dir, no proxy, no key unless given), scanning a tree for a secret,
//! and waiting on conditions under hard limits.
#![allow(dead_code)]

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
