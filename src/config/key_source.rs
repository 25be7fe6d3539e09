//! Where the API key comes from, and fetching it: the environment, a key
//! file, or a command such as `pass show userpilot/prod`.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ConfigError;
use super::file::mode_warning;
use crate::api::ApiKey;

/// The environment variable holding the key.
pub const KEY_ENV: &str = "USERPILOT_API_KEY";

/// Where the key of the resolved profile comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `USERPILOT_API_KEY`.
    Env,
    /// A file holding only the key.
    File(PathBuf),
    /// A shell command printing the key on stdout.
    Command { command: String, timeout: Duration },
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Env => write!(f, "${KEY_ENV}"),
            KeySource::File(p) => write!(f, "key file {}", p.display()),
            KeySource::Command { command, .. } => write!(f, "command `{command}`"),
        }
    }
}

impl KeySource {
    /// Fetch the key. Warnings (a key file readable by others) go to `warn`.
    pub fn load(
        &self,
        env_value: Option<&ApiKey>,
        warn: &mut Vec<String>,
    ) -> Result<ApiKey, ConfigError> {
        match self {
            KeySource::Env => env_value.cloned().ok_or_else(|| ConfigError::NoKey {
                detail: format!("no API key: ${KEY_ENV} is empty"),
            }),
            KeySource::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
                    path: path.clone(),
                    what: "key file",
                    source,
                })?;
                if let Some(w) = mode_warning(path, "key file") {
                    warn.push(w);
                }
                ApiKey::new(text).ok_or_else(|| ConfigError::NoKey {
                    detail: format!("no API key: key file {} is empty", path.display()),
                })
            }
            KeySource::Command { command, timeout } => run_key_command(command, *timeout),
        }
    }
}

/// Run `command` with `sh -c`, give it `timeout`, and take its first line.
fn run_key_command(command: &str, timeout: Duration) -> Result<ApiKey, ConfigError> {
    let fail = |detail: String| ConfigError::KeyCommand {
        command: command.to_owned(),
        detail,
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("could not start it: {e}")))?;
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.take(64 * 1024).read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.take(64 * 1024).read_to_string(&mut s);
        }
        s
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "no answer within {} s (does it wait for a passphrase? unlock the password manager first)",
                    timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(fail(e.to_string())),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        let said = crate::api::sanitise(&stderr, 300);
        let code = status
            .code()
            .map_or_else(|| "a signal".to_owned(), |c| format!("code {c}"));
        return Err(fail(if said.is_empty() {
            format!("it exited with {code}")
        } else {
            format!("it exited with {code}: {said}")
        }));
    }
    ApiKey::new(stdout.lines().next().unwrap_or(""))
        .ok_or_else(|| fail("it printed nothing".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(c: &str, ms: u64) -> KeySource {
        KeySource::Command {
            command: c.into(),
            timeout: Duration::from_millis(ms),
        }
    }

    #[test]
    fn command_success_takes_the_first_line() {
        let k = cmd("printf 'k-123\\nsecond\\n'", 5000)
            .load(None, &mut vec![])
            .unwrap();
        assert_eq!(k.expose(), "k-123");
    }

    #[test]
    fn command_failure_shows_its_stderr() {
        let e = cmd("echo 'gpg: decryption failed' >&2; exit 2", 5000)
            .load(None, &mut vec![])
            .unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("code 2") && s.contains("gpg: decryption failed"),
            "{s}"
        );
    }

    #[test]
    fn command_timeout_is_reported() {
        let e = cmd("exec sleep 30", 200)
            .load(None, &mut vec![])
            .unwrap_err();
        assert!(e.to_string().contains("no answer within"), "{e}");
    }

    #[test]
    fn empty_output_is_an_error() {
        assert!(cmd("true", 5000).load(None, &mut vec![]).is_err());
    }
}
