//! A network namespace where no name resolves (needs `unshare`, from
//! util-linux; a test first checks `require_tool("unshare")`).

use std::path::Path;
use std::process::Command;

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
