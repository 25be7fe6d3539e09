//! The Sync view's effects: the config's syncs and their states (history
//! and locks, through `crate::sync::status`), a partition's manifest read
//! from its destination, a run in the background, and the view's refresh
//! timer.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;

use super::{Runner, Task, Ticker};
use crate::history::HistoryStore;
use crate::jobs::StoreAccess;
use crate::sync::defined::{Defined, defined_for};
use crate::sync::dest::Store as Destination;
use crate::sync::run::{RunOptions, SyncReport, run_sync};
use crate::tui::msg::Msg;
use crate::tui::sync::{REFRESH, SyncList, SyncRow};

/// Where the syncs come from in this session.
#[derive(Clone, Debug)]
pub struct SyncFiles {
    /// The config file holding the `[sync.NAME]` tables.
    pub config: PathBuf,
    /// Where the syncs' locks are (`Paths::sync_lock_dir`).
    pub lock_dir: PathBuf,
    /// `--demo`: syncs run against the demo server whatever their profile.
    pub demo: bool,
    /// `--demo`: the folder every sync writes into instead of its own
    /// destination ([`crate::sync::Sync::move_for_demo`]).
    pub demo_lake: Option<PathBuf>,
}

/// The most of a manifest shown (a manifest is a few KiB; anything bigger
/// is not one upexport wrote).
const MANIFEST_MAX: usize = 1 << 20;

/// One defined sync's row: its state, or why not.
fn row(store: &HistoryStore, d: Defined, until: NaiveDate, lock_dir: &std::path::Path) -> SyncRow {
    match d.sync {
        Err(e) => SyncRow {
            name: d.name,
            destination: None,
            status: Err(e),
        },
        Ok(sync) => SyncRow {
            name: d.name,
            destination: Some(sync.destination.clone()),
            status: crate::sync::status(store, &sync, until, lock_dir)
                .map(Box::new)
                .map_err(|e| e.to_string()),
        },
    }
}

/// A manifest's bytes as text to show: JSON pretty-printed, anything else
/// as it is; control characters (bar newlines) never reach the terminal.
fn manifest_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MANIFEST_MAX)];
    let text = match serde_json::from_slice::<serde_json::Value>(cut) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(cut).into_owned(),
    };
    text.chars()
        .map(|c| match c {
            '\n' => '\n',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

impl Runner {
    /// Keep the Sync view's refresh timer running exactly while it is open.
    pub fn sync_watch(&mut self, open: bool) {
        match (open, self.sync_timer.is_some()) {
            (true, false) => {
                let tx = self.tx.clone();
                self.sync_timer = Some(Ticker(tokio::spawn(async move {
                    let mut every = tokio::time::interval(REFRESH);
                    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    every.tick().await;
                    loop {
                        every.tick().await;
                        if tx.send(Msg::SyncTick).is_err() {
                            break;
                        }
                    }
                })));
            }
            (false, true) => self.sync_timer = None,
            _ => {}
        }
    }

    /// True while the Sync view's timer runs (tests check it stops).
    pub fn sync_watching(&self) -> bool {
        self.sync_timer.is_some()
    }

    pub(super) fn load_syncs(&self, until: NaiveDate) {
        let (files, store, tx) = (self.sync_files.clone(), self.store.clone(), self.tx.clone());
        tokio::spawn(async move {
            let Some(files) = files else {
                let _ = tx.send(Msg::SyncsLoaded(Ok(SyncList {
                    config: None,
                    rows: Vec::new(),
                })));
                return;
            };
            let (config, lake) = (files.config.clone(), files.demo_lake.clone());
            let defs = tokio::task::spawn_blocking(move || defined_for(&config, lake.as_deref()))
                .await
                .unwrap_or_else(|e| Err(format!("reading the config failed: {e}")));
            let defs = match defs {
                Ok(d) => d,
                Err(e) => {
                    let _ = tx.send(Msg::SyncsLoaded(Err(e)));
                    return;
                }
            };
            let rows = match store.get().await {
                Err(e) => Err(e),
                Ok(s) => {
                    let lock_dir = files.lock_dir.clone();
                    let defs = defs.clone();
                    s.with(move |s| {
                        Ok(defs
                            .into_iter()
                            .map(|d| row(s, d, until, &lock_dir))
                            .collect::<Vec<_>>())
                    })
                    .await
                    .map_err(|e| e.to_string())
                }
            };
            // No history: each sync says so on its row.
            let rows = rows.unwrap_or_else(|e| {
                defs.into_iter()
                    .map(|d| SyncRow {
                        name: d.name,
                        destination: d.sync.ok().map(|s| s.destination),
                        status: Err(format!("history not readable: {e}")),
                    })
                    .collect()
            });
            let _ = tx.send(Msg::SyncsLoaded(Ok(SyncList {
                config: Some(files.config),
                rows,
            })));
        });
    }

    pub(super) fn load_sync_manifest(
        &self,
        name: String,
        dt: String,
        destination: crate::sync::Destination,
        path: String,
    ) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let read = async {
                let store = Destination::open(&destination).map_err(|e| e.to_string())?;
                let bytes = store.get(&path).await.map_err(|e| e.to_string())?;
                Ok(bytes.map(|b| manifest_text(&b)))
            };
            let result = match tokio::time::timeout(Duration::from_secs(60), read).await {
                Ok(r) => r,
                Err(_) => Err(format!("{destination}: no answer in 60 s")),
            };
            let _ = tx.send(Msg::SyncManifestLoaded { name, dt, result });
        });
    }

    /// Run sync `name` (as the config file says it now) through
    /// `crate::sync::run`, as `upexport sync NAME` does: its events become
    /// messages; the lock refuses a second run, here or elsewhere. Quitting
    /// the app stops it like a killed run (the next run resumes).
    pub(super) fn run_sync(&mut self, name: String, until: NaiveDate) {
        let (files, client, store, tx) = (
            self.sync_files.clone(),
            self.client.clone(),
            self.store.clone(),
            self.tx.clone(),
        );
        let (profile, wait) = (self.profile.clone(), self.wait.clone());
        let key = name.clone();
        let task = tokio::spawn(async move {
            let result = run_one(files, client, store, &profile, wait, &name, until, &tx).await;
            let _ = tx.send(Msg::SyncFinished { name, result });
        });
        self.sync_runs.retain(|_, t| !t.0.is_finished());
        self.sync_runs.insert(key, Task(task));
    }
}

/// One run: the sync read again from the config file, its profile
/// checked against this session's, then `run_sync`. Its summary, or why it
/// stopped.
#[allow(clippy::too_many_arguments)]
async fn run_one(
    files: Option<SyncFiles>,
    client: super::deferred::Deferred<crate::api::ApiClient>,
    store: super::deferred::Deferred<super::Store>,
    profile: &str,
    wait: crate::jobs::track::WaitOptions,
    name: &str,
    until: NaiveDate,
    tx: &tokio::sync::mpsc::UnboundedSender<Msg>,
) -> Result<String, String> {
    let files = files.ok_or("this session has no config file to read syncs from")?;
    let (config, lake) = (files.config.clone(), files.demo_lake.clone());
    let defs = tokio::task::spawn_blocking(move || defined_for(&config, lake.as_deref()))
        .await
        .map_err(|e| format!("reading the config failed: {e}"))??;
    let sync = defs
        .into_iter()
        .find(|d| d.name == name)
        .ok_or_else(|| format!("no sync named {name} in {}", files.config.display()))?
        .sync?;
    // A sync of another profile needs that profile's key and server: the
    // CLI resolves them; here the session's environment is the one there is.
    if let Some(p) = sync.def.profile.as_deref().filter(|p| *p != profile)
        && !files.demo
    {
        return Err(format!(
            "it exports with profile {p} and this session uses {profile}: switch to {p} (F5), or run `{}`",
            crate::suggest::cmd(&format!("sync {name}"))
        ));
    }
    let client = client.get().await?;
    let store = store.get().await?;
    let opts = RunOptions {
        until,
        wait,
        source: "tui-sync",
    };
    let report = run_sync(
        &store,
        &client,
        profile,
        &sync,
        &files.lock_dir,
        &opts,
        |event| {
            let _ = tx.send(Msg::SyncEvent {
                name: name.to_owned(),
                event,
            });
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(summary(&report))
}

/// What a run did, in a line.
fn summary(r: &SyncReport) -> String {
    if r.up_to_date {
        return "up to date, nothing to export".into();
    }
    let mut s = format!("{} partition(s) exported", r.done.len());
    if !r.failed.is_empty() {
        s.push_str(&format!(", {} failed", r.failed.len()));
    }
    let left = r.missing.len();
    if left > 0 {
        s.push_str(&format!(", {left} still missing"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_pretty_and_harmless() {
        let t = manifest_text(br#"{"rows":3,"files":[{"name":"part-0000.csv"}]}"#);
        assert!(
            t.starts_with("{\n  \"files\"") || t.starts_with("{\n  \"rows\""),
            "{t}"
        );
        assert_eq!(manifest_text(b"not json\x1b[2J\n"), "not json [2J\n");
    }
}
