//! One run of a sync at a time: an advisory lock (`flock`) on
//! `STATE/sync/NAME.lock`. The kernel drops it when its process ends,
//! however it ends (kill -9 included), so a killed run never leaves it
//! behind; the file itself stays, harmless, and says who held it last.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
    pub path: PathBuf,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("sync {name} is already running ({holder}); wait for it to end (its lock is {path})")]
    Busy {
        name: String,
        holder: String,
        path: String,
    },
    #[error("cannot lock {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// How many times [`lock`] tries again (10 ms apart) when the lock is
/// held: a probe lets go within microseconds, a run holds it for minutes.
const PROBE_RETRIES: u32 = 5;

/// Take the lock of sync `name` under `dir`, without waiting.
pub fn lock(dir: &Path, name: &str) -> Result<SyncLock, LockError> {
    let path = dir.join(format!("{name}.lock"));
    let io = |source| LockError::Io {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(io)?;
    // A status probe ([`holder`], from the TUI or `sync --json`) holds
    // the lock for an instant: a run that meets it tries again a few
    // times before it calls the sync busy.
    let mut tries = 0;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if tries < PROBE_RETRIES => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    name: name.to_owned(),
                    holder: holder_text(&path),
                    path: path.display().to_string(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    }
    // Who holds it, for the message a second run prints.
    let _ = file.set_len(0);
    let _ = write!(
        file,
        "pid {} since {}",
        std::process::id(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    );
    Ok(SyncLock { _file: file, path })
}

/// Who holds the lock of sync `name` under `dir`, if anyone: `Some(what
/// its file says)` while a run holds it, `None` when it is free (or was
/// never taken). Tries the lock without keeping it: the lock is the truth
/// about a run going, whatever the history's rows say.
pub fn holder(dir: &Path, name: &str) -> Option<String> {
    let path = dir.join(format!("{name}.lock"));
    // Read-only, never created: a sync never run has no lock to hold.
    let file = File::open(&path).ok()?;
    match file.try_lock() {
        // Free: let go at once (dropping the file unlocks it too).
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(TryLockError::WouldBlock) => Some(holder_text(&path)),
        // A lock that cannot be tried (a file system without flock) says
        // nothing about a run.
        Err(TryLockError::Error(_)) => None,
    }
}

/// What the lock file says about its holder.
fn holder_text(path: &Path) -> String {
    std::fs::read_to_string(path)
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "another process".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_says_who_runs_and_leaves_the_lock_free() {
        let dir = tempfile::tempdir().unwrap();
        // Never taken: nobody, and no file made by looking.
        assert_eq!(holder(dir.path(), "events"), None);
        assert!(!dir.path().join("events.lock").exists());
        let held = lock(dir.path(), "events").unwrap();
        let who = holder(dir.path(), "events").expect("a holder while locked");
        assert!(
            who.contains(&format!("pid {}", std::process::id())),
            "{who}"
        );
        drop(held);
        // Released: free again, and looking did not keep it.
        assert_eq!(holder(dir.path(), "events"), None);
        let again = lock(dir.path(), "events").expect("the look kept the lock");
        drop(again);
        assert_eq!(holder(dir.path(), "pages"), None);
    }

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path(), "events").unwrap();
        match lock(dir.path(), "events") {
            Err(LockError::Busy { holder, .. }) => {
                assert!(
                    holder.contains(&format!("pid {}", std::process::id())),
                    "{holder}"
                )
            }
            other => panic!("a second lock was taken: {other:?}"),
        }
        // Another sync's lock is another file.
        let other = lock(dir.path(), "pages").unwrap();
        drop(first);
        let again = lock(dir.path(), "events").unwrap();
        drop((other, again));
    }
}
