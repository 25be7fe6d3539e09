//! The unsent form, kept between runs in `$XDG_STATE_HOME/upexport/draft.json`.
//! Written off the UI thread, coalesced (only the latest form is written),
//! atomically (temp file + rename), readable by the owner only.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::export::FormInput;

/// Read the draft. A missing file is no draft; an unreadable one is moved
/// aside (never deleted) and reported.
pub fn load(path: &Path) -> (Option<FormInput>, Option<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (None, None),
        Err(e) => {
            return (
                None,
                Some(format!("draft {} unreadable: {e}", path.display())),
            );
        }
    };
    match serde_json::from_str::<FormInput>(&text) {
        Ok(d) => (Some(d), None),
        Err(e) => {
            let aside = path.with_extension(format!(
                "json.broken-{}",
                chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
            ));
            let moved = std::fs::rename(path, &aside).is_ok();
            let where_ = if moved {
                format!("moved aside to {}", aside.display())
            } else {
                "left in place".into()
            };
            (
                None,
                Some(format!(
                    "draft {} was not readable ({e}); {where_}",
                    path.display()
                )),
            )
        }
    }
}

/// Write `draft` atomically.
pub fn save(path: &Path, draft: &FormInput) -> std::io::Result<()> {
    let text = serde_json::to_vec(draft).map_err(std::io::Error::other)?;
    crate::config::write_private(path, &text)
}

/// Remove the draft (after a successful submit).
pub fn clear(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// A background writer: `send` never blocks the UI; `finish` waits for the
/// last write.
pub struct DraftWriter {
    tx: Option<mpsc::Sender<Option<FormInput>>>,
    thread: Option<JoinHandle<()>>,
}

impl DraftWriter {
    pub fn spawn(path: PathBuf) -> DraftWriter {
        let (tx, rx) = mpsc::channel::<Option<FormInput>>();
        let thread = std::thread::Builder::new()
            .name("draft-writer".into())
            .spawn(move || {
                while let Ok(mut latest) = rx.recv() {
                    while let Ok(newer) = rx.try_recv() {
                        latest = newer;
                    }
                    let result = match &latest {
                        Some(d) => save(&path, d),
                        None => clear(&path),
                    };
                    if let Err(e) = result {
                        tracing::warn!("draft {}: {e}", path.display());
                    }
                }
            })
            .ok();
        DraftWriter {
            tx: Some(tx),
            thread,
        }
    }

    /// Queue a write (`None` clears the draft).
    pub fn send(&self, draft: Option<FormInput>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(draft);
        }
    }

    /// Write what is queued and stop.
    pub fn finish(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for DraftWriter {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_broken_file_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("draft.json");
        assert_eq!(load(&p), (None, None));
        let d = FormInput {
            emails: "a@x.com".into(),
            ..Default::default()
        };
        let mut w = DraftWriter::spawn(p.clone());
        w.send(Some(FormInput::default()));
        w.send(Some(d.clone()));
        w.finish();
        assert_eq!(load(&p).0, Some(d));
        std::fs::write(&p, "{not json").unwrap();
        let (got, warn) = load(&p);
        assert!(got.is_none());
        assert!(warn.unwrap().contains("moved aside"));
        let kept = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| {
                e.file_name().to_string_lossy().contains("broken")
                    && std::fs::read_to_string(e.path()).unwrap() == "{not json"
            });
        assert!(kept);
    }
}
