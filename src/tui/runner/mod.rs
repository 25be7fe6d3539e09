//! Runs the effects `update` asks for: spawned tasks that send a `Msg`
//! back. Owns the I/O resources (history store, API client, draft writer,
//! the terminal's side channel for clipboard and mouse).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use self::deferred::Deferred;
use self::draft::DraftWriter;
use super::msg::{Effect, Level, Msg, Notice};
use crate::api::ApiClient;
use crate::history::{HistoryError, HistoryStore};
use crate::jobs::StoreAccess;
use crate::jobs::lookups::LookupCache;

pub mod deferred;
pub mod draft;
pub mod environments;
mod files;
pub mod history;
mod submit;
pub mod sync;
mod track;

/// What the app writes to the terminal outside the frame: OSC 52 and mouse
/// mode. Tests record it instead.
pub trait TermSink: Send {
    fn copy(&mut self, text: &str) -> std::io::Result<()>;
    fn set_mouse(&mut self, on: bool) -> std::io::Result<()>;
}

/// A sink that remembers what it was asked (tests, headless runs).
#[derive(Clone, Default)]
pub struct RecordingSink(pub Arc<Mutex<Vec<String>>>);

impl TermSink for RecordingSink {
    fn copy(&mut self, text: &str) -> std::io::Result<()> {
        if let Ok(mut v) = self.0.lock() {
            v.push(format!("copy:{text}"));
        }
        Ok(())
    }
    fn set_mouse(&mut self, on: bool) -> std::io::Result<()> {
        if let Ok(mut v) = self.0.lock() {
            v.push(format!("mouse:{on}"));
        }
        Ok(())
    }
}

/// Write a key file readable by its owner only, atomically.
fn save_key(path: &std::path::Path, key: &crate::api::ApiKey) -> std::io::Result<()> {
    let mut text = key.expose().as_bytes().to_vec();
    text.push(b'\n');
    crate::config::write_private(path, &text)
}

/// The shared history store (rusqlite connections are not `Sync`).
pub use crate::jobs::SharedStore as Store;

/// Run `work` with the store on a blocking thread; errors as text for the
/// screen.
async fn on_store<T: Send + 'static>(
    store: &Store,
    work: impl FnOnce(&HistoryStore) -> Result<T, HistoryError> + Send + 'static,
) -> Result<T, String> {
    store.with(work).await.map_err(|e| e.to_string())
}

struct Flight {
    seq: u64,
    task: JoinHandle<()>,
    attempt: Arc<Mutex<Option<i64>>>,
}

/// Aborts its task when dropped.
struct Task(JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Stops its task when dropped: the spinner clock exists only while needed.
struct Ticker(JoinHandle<()>);

impl Drop for Ticker {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub struct Runner {
    pub store: Deferred<Store>,
    pub client: Deferred<ApiClient>,
    pub profile: String,
    pub draft: Option<DraftWriter>,
    pub sink: Box<dyn TermSink>,
    /// Lookups cached per profile (none: always ask the API).
    pub lookup_cache: Option<Arc<LookupCache>>,
    /// The base URL queued items are recorded with (and a key typed on the
    /// first-run screen is used with).
    pub base_url: String,
    /// Timeouts for a client made from a typed key.
    pub timeouts: crate::api::Timeouts,
    /// Switching environments (none in tests: one profile only).
    pub switcher: Option<Arc<environments::Switcher>>,
    /// Show this profile's history only.
    history_filter: Option<String>,
    /// The newest history read (older ones' pages are dropped).
    history_reads: history::NewestRead,
    tx: UnboundedSender<Msg>,
    flight: Option<Flight>,
    ticker: Option<Ticker>,
    /// One poller per followed job; each ends when its job does.
    trackers: std::collections::HashMap<String, Task>,
    /// Downloads running, by job.
    fetches: std::collections::HashMap<String, Task>,
    /// The wait before a put-back queued export is tried again.
    queue_timer: Option<Task>,
    /// How jobs are followed (the CLI's defaults, `max_wait` included).
    pub wait: crate::jobs::track::WaitOptions,
    /// Where the Sync view's syncs come from (none: no config file).
    pub sync_files: Option<sync::SyncFiles>,
    /// The Sync view's refresh timer, while it is open.
    sync_timer: Option<Ticker>,
    /// Sync runs started here, by name.
    sync_runs: std::collections::HashMap<String, Task>,
}

impl Runner {
    pub fn new(
        store: Deferred<Store>,
        client: Deferred<ApiClient>,
        profile: String,
        draft: Option<DraftWriter>,
        sink: Box<dyn TermSink>,
        tx: UnboundedSender<Msg>,
    ) -> Runner {
        Runner {
            store,
            client,
            profile,
            draft,
            sink,
            lookup_cache: None,
            base_url: String::new(),
            timeouts: crate::api::Timeouts::default(),
            switcher: None,
            history_filter: None,
            history_reads: Default::default(),
            tx,
            flight: None,
            ticker: None,
            trackers: Default::default(),
            fetches: Default::default(),
            queue_timer: None,
            wait: Default::default(),
            sync_files: None,
            sync_timer: None,
            sync_runs: Default::default(),
        }
    }

    /// Make the store and the client in the background right after the
    /// first frame, so the first submit does not wait for them. The app
    /// learns whether requests can be sent.
    pub fn warm_up(&self) {
        let client = self.client.clone();
        let store = self.store.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let ready = client.get().await.map(|_| ());
            let _ = tx.send(Msg::ClientStatus(ready));
            if let Err(e) = store.get().await {
                let _ = tx.send(Msg::HistoryFailed(e));
            }
        });
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.run_one(e);
        }
    }

    /// Keep the 10 Hz clock running exactly while a request is in flight.
    pub fn sync_ticker(&mut self, needed: bool) {
        match (needed, self.ticker.is_some()) {
            (true, false) => {
                let tx = self.tx.clone();
                self.ticker = Some(Ticker(tokio::spawn(async move {
                    let mut every = tokio::time::interval(Duration::from_millis(100));
                    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                    every.tick().await;
                    loop {
                        every.tick().await;
                        if tx.send(Msg::Tick).is_err() {
                            break;
                        }
                    }
                })));
            }
            (false, true) => self.ticker = None,
            _ => {}
        }
    }

    /// True while the spinner clock runs (tests check it stops).
    pub fn ticking(&self) -> bool {
        self.ticker.is_some()
    }

    fn notice(&self, level: Level, text: impl Into<String>) {
        let _ = self.tx.send(Msg::Notice(Notice::new(level, text)));
    }

    fn run_one(&mut self, e: Effect) {
        match e {
            Effect::Submit { seq, request, queue_id } => self.submit(seq, request, queue_id),
            Effect::CancelSubmit { seq } => self.cancel(seq),
            Effect::LoadHistory { offset, limit } => self.load_history(offset, limit),
            Effect::SetHistoryFilter(f) => self.history_filter = f,
            Effect::LoadProfiles => self.load_profiles(),
            Effect::SwitchProfile { name } => self.switch_profile(name),
            Effect::LoadUnfinished => self.store_task(|s| s.unfinished_jobs(), |r| Msg::Unfinished(r.unwrap_or_default())),
            Effect::LoadQueue => self.queue_task(|_| Ok(())),
            Effect::QueueRetryAfter(after) => self.queue_retry_after(after),
            Effect::QueueAdd { requests, front, resend } => {
                let (profile, base) = (self.profile.clone(), self.client_base());
                self.queue_task(move |s| {
                    for r in requests.iter().rev().filter(|_| front).chain(requests.iter().filter(|_| !front)) {
                        let id = s.queue_add(&profile, &base, &r.to_json())?;
                        if front {
                            s.queue_move(id, -1_000_000)?;
                        }
                        if let Some(a) = resend {
                            s.queue_note_conflict(id, a, &crate::jobs::queue::waiting_note(None, true))?;
                        }
                    }
                    Ok(())
                });
            }
            Effect::QueueRemove { id } => self.queue_task(move |s| s.queue_remove(id)),
            Effect::QueueMove { id, delta } => self.queue_task(move |s| s.queue_move(id, delta)),
            Effect::QueueClearDone => {
                let profile = self.profile.clone();
                self.queue_task(move |s| s.queue_clear_done(Some(&profile)).map(|_| ()));
            }
            Effect::TrackJob { job_id } => self.track(job_id),
            Effect::LookupRunning => self.lookup_running(),
            Effect::LoadLookup { name, refresh } => self.load_lookup(name, refresh),
            Effect::PlanDownload { job_id, dir } => self.plan_download(job_id, dir),
            Effect::Download { job_id, plans, overwrite } => self.download(job_id, plans, overwrite),
            Effect::LoadFilePreview { path } => self.load_file_preview(path),
            Effect::FindManifest { job_id, dir } => self.find_manifest(job_id, dir),
            Effect::MergeParts { job_id, dir } => self.merge_parts(job_id, dir),
            Effect::UseKey { key, save } => self.use_key(key, save),
            Effect::LoadSyncs { until } => self.load_syncs(until),
            Effect::LoadSyncManifest { name, dt, destination, path } => self.load_sync_manifest(name, dt, destination, path),
            Effect::RunSync { name, until } => self.run_sync(name, until),
            Effect::SaveDraft(d) => {
                if let Some(w) = &self.draft {
                    w.send(Some(d));
                }
            }
            Effect::ClearDraft => {
                if let Some(w) = &self.draft {
                    w.send(None);
                }
            }
            Effect::Copy { text, what } => match self.sink.copy(&text) {
                Ok(()) => self.notice(
                    Level::Success,
                    format!("copied the {what} to the clipboard (OSC 52; over tmux needs set-clipboard on)"),
                ),
                Err(e) => self.notice(Level::Error, format!("could not copy: {e}")),
            },
            Effect::SetMouse(on) => {
                if let Err(e) = self.sink.set_mouse(on) {
                    self.notice(Level::Error, format!("could not switch the mouse: {e}"));
                }
            }
        }
    }

    /// A key from the first-run screen: saved (0600) if asked, then used.
    fn use_key(&mut self, key: crate::api::ApiKey, save: Option<std::path::PathBuf>) {
        if let Some(path) = &save
            && let Err(e) = save_key(path, &key)
        {
            self.notice(
                Level::Error,
                format!(
                    "could not save the key to {}: {e}; it is used for this session only",
                    path.display()
                ),
            );
        }
        let client = ApiClient::new(&self.base_url, key, self.timeouts).map_err(|e| e.to_string());
        let ready = client.as_ref().map(|_| ()).map_err(Clone::clone);
        self.client = Deferred::ready(client);
        let _ = self.tx.send(Msg::ClientStatus(ready));
    }

    /// The base URL queued items are recorded with.
    fn client_base(&self) -> String {
        self.base_url.clone()
    }

    /// Run `work` on the history store off the UI thread; send `reply`'s
    /// message with its result.
    fn store_task<T: Send + 'static>(
        &self,
        work: impl FnOnce(&HistoryStore) -> Result<T, HistoryError> + Send + 'static,
        reply: impl FnOnce(Result<T, String>) -> Msg + Send + 'static,
    ) {
        let store = self.store.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match store.get().await {
                Ok(s) => on_store(&s, work).await,
                Err(e) => Err(e),
            };
            let _ = tx.send(reply(result));
        });
    }

    /// A queue change, then the queue as it is now.
    fn queue_task(
        &self,
        work: impl FnOnce(&HistoryStore) -> Result<(), HistoryError> + Send + 'static,
    ) {
        let profile = self.profile.clone();
        self.store_task(
            move |s| {
                work(s)?;
                s.queue_list(Some(&profile))
            },
            |r| match r {
                Ok(items) => Msg::QueueLoaded(items),
                Err(e) => Msg::Notice(Notice::new(Level::Error, format!("queue: {e}"))),
            },
        );
    }

    /// Flush the draft and stop background work.
    pub fn finish(&mut self) {
        self.ticker = None;
        self.trackers.clear();
        self.fetches.clear();
        self.queue_timer = None;
        self.sync_timer = None;
        self.sync_runs.clear();
        if let Some(w) = self.draft.as_mut() {
            w.finish();
        }
    }
}
