//! Runs the effects `update` asks for: spawned tasks that send a `Msg`
//! back. Owns the I/O resources (history store, API client, draft writer,
//! the terminal's side channel for clipboard and mouse).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::draft::DraftWriter;
use super::lazy::Lazy;
use super::msg::{Effect, Level, Msg, Notice, SubmitError, SubmitOutcome};
use crate::api::ApiClient;
use crate::export::ExportRequest;
use crate::history::{Failed, HistoryStore, NewAttempt};
use crate::record;

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

/// The shared history store (rusqlite connections are not `Sync`).
pub type Store = Arc<Mutex<HistoryStore>>;

struct Flight {
    seq: u64,
    task: JoinHandle<()>,
    attempt: Arc<Mutex<Option<i64>>>,
}

/// Stops its task when dropped: the spinner clock exists only while needed.
struct Ticker(JoinHandle<()>);

impl Drop for Ticker {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub struct Runner {
    pub store: Lazy<Store>,
    pub client: Lazy<ApiClient>,
    pub profile: String,
    pub draft: Option<DraftWriter>,
    pub sink: Box<dyn TermSink>,
    tx: UnboundedSender<Msg>,
    flight: Option<Flight>,
    ticker: Option<Ticker>,
}

impl Runner {
    pub fn new(
        store: Lazy<Store>,
        client: Lazy<ApiClient>,
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
            tx,
            flight: None,
            ticker: None,
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
            Effect::Submit { seq, request } => self.submit(seq, request),
            Effect::CancelSubmit { seq } => self.cancel(seq),
            Effect::LoadHistory { offset, limit } => {
                let store = self.store.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let store = match store.get().await {
                        Ok(s) => s,
                        Err(e) => {
                            let _ = tx.send(Msg::HistoryFailed(e));
                            return;
                        }
                    };
                    let result = tokio::task::spawn_blocking(move || {
                        let s = store.lock().map_err(|_| "history store lock poisoned".to_owned())?;
                        let total = s.count().map_err(|e| e.to_string())?;
                        let entries = s.page(offset, limit).map_err(|e| e.to_string())?;
                        let orphans = entries.iter().filter(|e| e.outcome_unknown()).map(|e| e.id).collect();
                        Ok::<_, String>((entries, total, orphans))
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = tx.send(match result {
                        Ok((entries, total, orphans)) => Msg::HistoryLoaded {
                            offset,
                            entries,
                            total,
                            orphans,
                        },
                        Err(e) => Msg::HistoryFailed(e),
                    });
                });
            }
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

    fn submit(&mut self, seq: u64, request: ExportRequest) {
        let tx = self.tx.clone();
        let client = self.client.clone();
        let store = self.store.clone();
        let profile = self.profile.clone();
        let attempt = Arc::new(Mutex::new(None));
        let slot = attempt.clone();
        let task = tokio::spawn(async move {
            let not_sent = |message: String| Msg::SubmitDone {
                seq,
                outcome: SubmitOutcome::Failed(SubmitError {
                    kind: "not_sent".into(),
                    http_status: None,
                    message,
                }),
            };
            let client = match client.get().await {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(not_sent(format!("not sent: {e}")));
                    return;
                }
            };
            let store = match store.get().await {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(not_sent(format!("not sent: history is unavailable ({e})")));
                    return;
                }
            };
            let body = request.to_json();
            let base = client.base_url().to_string();
            let st = store.clone();
            let begun = tokio::task::spawn_blocking(move || {
                let s = st
                    .lock()
                    .map_err(|_| "history store lock poisoned".to_owned())?;
                s.begin_attempt(&NewAttempt {
                    source: "tui",
                    profile: &profile,
                    base_url: &base,
                    request_json: &body,
                })
                .map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            let id = match begun {
                Ok(id) => id,
                Err(e) => {
                    let _ = tx.send(Msg::SubmitDone {
                        seq,
                        outcome: SubmitOutcome::Failed(SubmitError {
                            kind: "not_sent".into(),
                            http_status: None,
                            message: format!(
                                "not sent: the attempt could not be recorded in history ({e})"
                            ),
                        }),
                    });
                    return;
                }
            };
            if let Ok(mut s) = slot.lock() {
                *s = Some(id);
            }
            let _ = tx.send(Msg::SubmitStarted {
                seq,
                attempt_id: id,
            });
            let result = client.create_export(&request).await;
            let outcome = match &result {
                Ok(c) => SubmitOutcome::Created(Box::new(c.clone())),
                Err(e) => SubmitOutcome::Failed(SubmitError::from_api(e)),
            };
            let rec = match &result {
                Ok(c) => Ok(record::created(c)),
                Err(e) => Err(record::failed(e)),
            };
            let _ = tokio::task::spawn_blocking(move || {
                if let Ok(s) = store.lock() {
                    let saved = match &rec {
                        Ok(c) => s.record_created(id, c),
                        Err(f) => s.record_failed(id, f),
                    };
                    if let Err(e) = saved {
                        tracing::error!("history #{id}: {e}");
                    }
                }
            })
            .await;
            let _ = tx.send(Msg::SubmitDone { seq, outcome });
        });
        self.flight = Some(Flight { seq, task, attempt });
    }

    fn cancel(&mut self, seq: u64) {
        let Some(f) = self.flight.take_if(|f| f.seq == seq) else {
            return;
        };
        f.task.abort();
        let id = f.attempt.lock().ok().and_then(|g| *g);
        let store = self.store.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let store = store.get().await;
            let _ = tokio::task::spawn_blocking(move || cancelled(id, store, seq, tx)).await;
        });
    }

    /// Flush the draft and stop background work.
    pub fn finish(&mut self) {
        self.ticker = None;
        if let Some(w) = self.draft.as_mut() {
            w.finish();
        }
    }
}

/// Record a cancelled attempt (unless its answer was already recorded)
/// and tell the app.
fn cancelled(id: Option<i64>, store: Result<Store, String>, seq: u64, tx: UnboundedSender<Msg>) {
    let failed = Failed {
                kind: "cancelled".into(),
                http_status: None,
                message: "cancelled while waiting for the answer; the job may still have been created server-side".into(),
            };
    if let (Some(id), Ok(store)) = (id, store)
        && let Ok(s) = store.lock()
        && let Err(e) = s.record_failed(id, &failed)
    {
        // AlreadyFinished: the answer arrived first and is kept.
        tracing::info!("history #{id}: {e}");
    }
    let _ = tx.send(Msg::SubmitDone {
        seq,
        outcome: SubmitOutcome::Failed(SubmitError {
            kind: failed.kind,
            http_status: None,
            message: failed.message,
        }),
    });
}
