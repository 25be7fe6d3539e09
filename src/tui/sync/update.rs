//! The Sync view's transitions: opening it, moving, the partitions and a
//! manifest, running a sync, and what the runner reads and reports.

use super::{ManifestLevel, PartitionsLevel, SyncList, SyncOverlay, SyncRun};
use crate::sync::run::SyncEvent;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    /// The Sync view is open (the runner keeps its refresh timer exactly
    /// while it is).
    pub fn sync_view_open(&self) -> bool {
        matches!(self.overlay, Some(Overlay::Sync(_)))
    }

    /// The last complete UTC day: what the statuses count up to.
    fn sync_until(&self) -> chrono::NaiveDate {
        crate::sync::last_complete_day(self.clock.now)
    }

    /// F7: open the view (closing it when open) and read the statuses.
    pub(crate) fn toggle_sync(&mut self) -> Vec<Effect> {
        if self.sync_view_open() {
            self.overlay = None;
            return vec![];
        }
        self.overlay = Some(Overlay::Sync(SyncOverlay::default()));
        self.load_syncs()
    }

    fn load_syncs(&mut self) -> Vec<Effect> {
        self.syncs.loading = true;
        vec![Effect::LoadSyncs {
            until: self.sync_until(),
        }]
    }

    /// The view's timer: read again, unless a read is on its way. Nothing
    /// on screen changes until the answer does.
    pub(crate) fn sync_tick(&mut self) -> Vec<Effect> {
        self.dirty = false;
        if !self.sync_view_open() || self.syncs.loading {
            return vec![];
        }
        self.load_syncs()
    }

    /// The statuses read; the screen is drawn again only if they changed.
    pub(crate) fn syncs_loaded(&mut self, result: Result<SyncList, String>) -> Vec<Effect> {
        self.syncs.loading = false;
        let (list, error) = match result {
            Ok(list) => (Some(list), None),
            Err(e) => (self.syncs.list.clone(), Some(e)),
        };
        if self.syncs.list == list && self.syncs.error == error {
            self.dirty = false;
            return vec![];
        }
        // The selection stays on its sync when others come or go.
        let selected = match &self.overlay {
            Some(Overlay::Sync(o)) => self.syncs.rows().get(o.cursor).map(|r| r.name.clone()),
            _ => None,
        };
        self.syncs.list = list;
        self.syncs.error = error;
        let rows = self.syncs.rows();
        let found = selected.and_then(|name| rows.iter().position(|r| r.name == name));
        let n = rows.len();
        if let Some(Overlay::Sync(o)) = &mut self.overlay {
            o.cursor = found.unwrap_or(o.cursor).min(n.saturating_sub(1));
        }
        vec![]
    }

    /// The selected sync's name, in the list or the partitions.
    fn sync_selected(&self) -> Option<String> {
        let Some(Overlay::Sync(o)) = &self.overlay else {
            return None;
        };
        match &o.partitions {
            Some(p) => Some(p.name.clone()),
            None => self.syncs.rows().get(o.cursor).map(|r| r.name.clone()),
        }
    }

    pub(crate) fn sync_action(&mut self, a: Action) -> Vec<Effect> {
        if a == Action::RunNow {
            return match self.sync_selected() {
                Some(name) => self.run_sync_now(&name),
                None => {
                    self.dirty = false;
                    vec![]
                }
            };
        }
        let rows = self.syncs.rows().to_vec();
        let Some(Overlay::Sync(o)) = &mut self.overlay else {
            return vec![];
        };
        if let Some(m) = &mut o.manifest {
            let max = match &m.text {
                Some(Ok(Some(t))) => t.lines().count().saturating_sub(1),
                _ => 0,
            };
            let max = u16::try_from(max).unwrap_or(u16::MAX);
            if a == Action::Back {
                o.manifest = None;
            } else if !crate::tui::app::overlay::scroll(&mut m.scroll, a, max) {
                self.dirty = false;
            }
            return vec![];
        }
        if let Some(p) = &mut o.partitions {
            let parts = rows
                .iter()
                .find(|r| r.name == p.name)
                .map(|r| r.partitions().to_vec())
                .unwrap_or_default();
            match a {
                Action::Up => p.cursor = p.cursor.saturating_sub(1),
                Action::Down => p.cursor = (p.cursor + 1).min(parts.len().saturating_sub(1)),
                Action::Back => o.partitions = None,
                Action::Open => {
                    // Newest first on screen.
                    let Some(part) = parts.iter().rev().nth(p.cursor) else {
                        self.dirty = false;
                        return vec![];
                    };
                    let row = rows.iter().find(|r| r.name == p.name);
                    let Some(dest) = row.and_then(|r| r.destination.clone()) else {
                        self.dirty = false;
                        return vec![];
                    };
                    let path = format!(
                        "{}/dt={}/{}",
                        p.name,
                        part.dt,
                        crate::sync::run::PARTITION_MANIFEST
                    );
                    o.manifest = Some(ManifestLevel {
                        name: p.name.clone(),
                        dt: part.dt.clone(),
                        shown: format!("{}/{path}", dest.to_string().trim_end_matches('/')),
                        text: None,
                        scroll: 0,
                    });
                    return vec![Effect::LoadSyncManifest {
                        name: p.name.clone(),
                        dt: part.dt.clone(),
                        destination: dest,
                        path,
                    }];
                }
                _ => self.dirty = false,
            }
            return vec![];
        }
        match a {
            Action::Up => o.cursor = o.cursor.saturating_sub(1),
            Action::Down => o.cursor = (o.cursor + 1).min(rows.len().saturating_sub(1)),
            Action::Open => match rows.get(o.cursor) {
                Some(r) if r.status.is_ok() => {
                    o.partitions = Some(PartitionsLevel {
                        name: r.name.clone(),
                        cursor: 0,
                    });
                }
                Some(r) => {
                    let why = r.status.as_ref().err().cloned().unwrap_or_default();
                    self.status = Some(Notice::new(
                        Level::Warning,
                        format!("sync {} has no partitions to show: {why}", r.name),
                    ));
                }
                None => self.dirty = false,
            },
            // Esc closes (Back is the list's way out too).
            Action::Back => self.overlay = None,
            _ => self.dirty = false,
        }
        vec![]
    }

    /// `r`: run `name` now in the background, unless it cannot or runs
    /// already (the lock, held by this app or another process, says so;
    /// the run itself takes it, so a run started meanwhile refuses too).
    fn run_sync_now(&mut self, name: &str) -> Vec<Effect> {
        let refusal = if self.syncs.running_here(name) {
            Some(format!(
                "sync {name} is already running here: its progress is on its row"
            ))
        } else {
            match self.syncs.row(name).map(|r| &r.status) {
                None => Some(format!("no sync named {name} in the config file")),
                Some(Err(e)) => Some(format!("sync {name} cannot run: {e}")),
                Some(Ok(s)) => s.running.as_ref().map(|who| {
                    format!("sync {name} is already running ({who}); wait for it to end")
                }),
            }
        };
        if let Some(why) = refusal {
            self.status = Some(Notice::new(Level::Warning, why));
            return vec![];
        }
        self.syncs.runs.insert(name.to_owned(), SyncRun::default());
        self.status = Some(Notice::new(
            Level::Info,
            format!("sync {name}: running in the background; F7 shows its progress"),
        ));
        vec![Effect::RunSync {
            name: name.to_owned(),
            until: self.sync_until(),
        }]
    }

    /// A partition's manifest, read from the destination.
    pub(crate) fn sync_manifest_loaded(
        &mut self,
        name: &str,
        dt: &str,
        result: Result<Option<String>, String>,
    ) -> Vec<Effect> {
        match &mut self.overlay {
            Some(Overlay::Sync(SyncOverlay {
                manifest: Some(m), ..
            })) if m.name == name && m.dt == dt => m.text = Some(result),
            _ => self.dirty = false,
        }
        vec![]
    }

    /// An event of a run started here: its progress line; a partition
    /// done or failed reads the statuses again (the row's last complete,
    /// gaps and errors follow).
    pub(crate) fn sync_event(&mut self, name: &str, e: &SyncEvent) -> Vec<Effect> {
        let run = self.syncs.runs.entry(name.to_owned()).or_default();
        run.apply(e);
        // Only the Sync view shows a run's progress.
        self.dirty = self.sync_view_open();
        let settled = matches!(e, SyncEvent::Done { .. } | SyncEvent::Failed { .. });
        if settled && self.sync_view_open() && !self.syncs.loading {
            return self.load_syncs();
        }
        vec![]
    }

    /// A run started here ended: how, and the statuses read again.
    pub(crate) fn sync_finished(
        &mut self,
        name: &str,
        result: Result<String, String>,
    ) -> Vec<Effect> {
        let run = self.syncs.runs.entry(name.to_owned()).or_default();
        self.status = Some(match &result {
            Ok(summary) if run.failed == 0 => {
                Notice::new(Level::Success, format!("sync {name}: {summary}"))
            }
            Ok(summary) => Notice::new(
                Level::Warning,
                format!("sync {name}: {summary}; F7 shows the errors, r tries again"),
            ),
            Err(e) => Notice::new(Level::Error, format!("sync {name} stopped: {e}")),
        });
        run.finished = Some(result);
        if self.sync_view_open() && !self.syncs.loading {
            return self.load_syncs();
        }
        vec![]
    }
}
