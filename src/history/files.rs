//! The files around the database: a private parent directory, a private
//! database file, and the advisory lock file that keeps one process from
//! moving aside a database another one is using.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use super::error::HistoryError;

/// Create the parent directory of `db` (mode 0700 on unix) when missing.
/// Existing directories are left as they are.
pub(crate) fn ensure_parent_dir(db: &Path) -> Result<(), HistoryError> {
    let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|source| HistoryError::CreateDir {
            path: dir.to_owned(),
            source,
        })
}

/// Create `path` empty with mode 0600 when missing; narrow an existing file
/// that others may read to 0600, saying so in `warnings`.
pub(crate) fn ensure_private_file(
    path: &Path,
    warnings: &mut Vec<String>,
) -> Result<(), HistoryError> {
    let perm_err = |source| HistoryError::Permissions {
        path: path.to_owned(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(perm_err(e)),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).map_err(perm_err)?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(perm_err)?;
            warnings.push(format!(
                "history database {} could be read by other users (mode {:o}); made it private (600)",
                path.display(),
                mode & 0o777
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = warnings;
    Ok(())
}

/// `<db>-wal`, `<db>-shm`, … : SQLite's companion files of `db`.
pub(crate) fn companion(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// An advisory lock on `<db>.lock`, held shared by every open store and
/// exclusively only while a damaged database is being moved aside.
#[derive(Debug)]
pub(crate) struct DbLock {
    file: File,
    path: PathBuf,
}

impl DbLock {
    /// Open the lock file and take the shared lock, waiting while another
    /// process moves a damaged database aside (a short operation).
    pub(crate) fn shared(db: &Path) -> Result<Self, HistoryError> {
        let path = companion(db, ".lock");
        let err = |source| HistoryError::Lock {
            path: path.clone(),
            source,
        };
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(err)?;
        file.lock_shared().map_err(err)?;
        Ok(DbLock { file, path })
    }

    /// Try to become the only user. `Ok(false)` when another process holds
    /// the lock; the shared lock is then gone too (drop this value).
    pub(crate) fn try_exclusive(&self) -> Result<bool, HistoryError> {
        // Release first: converting in place is not portable (Windows).
        self.file.unlock().map_err(|e| self.err(e))?;
        match self.file.try_lock() {
            Ok(()) => Ok(true),
            Err(fs::TryLockError::WouldBlock) => Ok(false),
            Err(fs::TryLockError::Error(e)) => Err(self.err(e)),
        }
    }

    /// Back from exclusive to shared.
    pub(crate) fn back_to_shared(&self) -> Result<(), HistoryError> {
        self.file.unlock().map_err(|e| self.err(e))?;
        self.file.lock_shared().map_err(|e| self.err(e))
    }

    fn err(&self, source: io::Error) -> HistoryError {
        HistoryError::Lock {
            path: self.path.clone(),
            source,
        }
    }
}
