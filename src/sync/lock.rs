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
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path)
                .ok()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "another process".into());
            return Err(LockError::Busy {
                name: name.to_owned(),
                holder,
                path: path.display().to_string(),
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
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

#[cfg(test)]
mod tests {
    use super::*;

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
