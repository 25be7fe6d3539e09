//! Sending an export: the history row first, then the request, then the
//! outcome; from the queue, the item is claimed and the environment checked
//! first. Cancelling keeps the row honest.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;

use super::{Flight, Runner, Store, on_store};
use crate::api::{ApiClient, ApiError, ErrorKind};
use crate::export::ExportRequest;
use crate::history::{Failed, NewAttempt};
use crate::jobs::submit;
use crate::tui::msg::{Msg, SubmitError, SubmitOutcome};

fn failed(seq: u64, kind: ErrorKind, message: String) -> Msg {
    Msg::SubmitDone {
        seq,
        outcome: SubmitOutcome::Failed(SubmitError {
            kind,
            http_status: None,
            message,
        }),
    }
}

impl Runner {
    pub(super) fn submit(&mut self, seq: u64, request: ExportRequest, queue_id: Option<i64>) {
        let tx = self.tx.clone();
        let client = self.client.clone();
        let store = self.store.clone();
        let profile = self.profile.clone();
        let attempt = Arc::new(Mutex::new(None));
        let slot = attempt.clone();
        let task = tokio::spawn(async move {
            let (client, store) = match (client.get().await, store.get().await) {
                (Ok(c), Ok(s)) => (c, s),
                (Err(e), _) => {
                    return drop(tx.send(failed(
                        seq,
                        ErrorKind::NotSent,
                        format!("not sent: {e}"),
                    )));
                }
                (_, Err(e)) => {
                    return drop(tx.send(failed(
                        seq,
                        ErrorKind::NotSent,
                        format!("not sent: history is unavailable ({e})"),
                    )));
                }
            };
            if let Some(q) = queue_id
                && !claim(&client, &store, q, &tx, seq).await
            {
                return;
            }
            let body = request.to_json();
            let base = client.base_url().to_string();
            let begun = on_store(&store, move |s| {
                s.begin_attempt(&NewAttempt {
                    source: "tui",
                    profile: &profile,
                    base_url: &base,
                    request_json: &body,
                })
            })
            .await;
            let id = match begun {
                Ok(id) => id,
                Err(e) => {
                    if let Some(q) = queue_id {
                        let _ = on_store(&store, move |s| s.queue_release(q, None)).await;
                    }
                    let msg =
                        format!("not sent: the attempt could not be recorded in history ({e})");
                    return drop(tx.send(failed(seq, ErrorKind::NotSent, msg)));
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
            let rec = match &result {
                Ok(c) => Ok(submit::created(c)),
                Err(e) => Err(submit::failed(e)),
            };
            let saved = on_store(&store, move |s| match &rec {
                Ok(c) => s.record_created(id, c),
                Err(f) => s.record_failed(id, f),
            })
            .await;
            if let Err(e) = saved {
                tracing::error!("history #{id}: {e}");
            }
            let outcome = match &result {
                Ok(c) => SubmitOutcome::Created(Box::new(c.clone())),
                Err(e) => SubmitOutcome::Failed(SubmitError::from_api(e)),
            };
            if let Some(q) = queue_id {
                let conflict = matches!(&result, Err(ApiError::Conflict { .. }));
                let message = result.as_ref().err().map(ToString::to_string);
                let _ = on_store(&store, move |s| match (conflict, message) {
                    (true, _) => {
                        s.queue_release(q, Some("waiting: another export was running (409)"))
                    }
                    (false, None) => s.queue_submitted(q, id),
                    (false, Some(m)) => s.queue_failed(q, &m),
                })
                .await;
                // A 409 from the queue: wait for the job in the way.
                if conflict
                    && let Ok(Some(job)) = crate::jobs::track::running_job(&client).await
                    && job.job_id.is_some()
                {
                    return drop(tx.send(Msg::EnvBusy { queue_id: q, job }));
                }
            }
            let _ = tx.send(Msg::SubmitDone { seq, outcome });
        });
        self.flight = Some(Flight { seq, task, attempt });
    }

    pub(super) fn cancel(&mut self, seq: u64) {
        let Some(f) = self.flight.take_if(|f| f.seq == seq) else {
            return;
        };
        f.task.abort();
        let id = f.attempt.lock().ok().and_then(|g| *g);
        let store = self.store.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let failed_row = Failed {
                kind: ErrorKind::Cancelled.as_str().into(),
                http_status: None,
                message: "cancelled while waiting for the answer; the job may still have been created server-side".into(),
            };
            if let (Some(id), Ok(store)) = (id, store.get().await) {
                let row = failed_row.clone();
                // AlreadyFinished: the answer arrived first and is kept.
                if let Err(e) = on_store(&store, move |s| s.record_failed(id, &row)).await {
                    tracing::info!("history #{id}: {e}");
                }
            }
            let _ = tx.send(failed(seq, ErrorKind::Cancelled, failed_row.message));
        });
    }
}

/// Take queue item `q` for sending; false (and the app told) when another
/// window took it or a job is running.
async fn claim(
    client: &ApiClient,
    store: &Store,
    q: i64,
    tx: &UnboundedSender<Msg>,
    seq: u64,
) -> bool {
    match on_store(store, move |s| s.queue_claim(q)).await {
        Ok(true) => {}
        Ok(false) => {
            let _ = tx.send(failed(
                seq,
                ErrorKind::NotSent,
                format!("queue #{q} was taken by another upexport window"),
            ));
            return false;
        }
        Err(e) => {
            let _ = tx.send(failed(
                seq,
                ErrorKind::NotSent,
                format!("not sent: the queue could not be read ({e})"),
            ));
            return false;
        }
    }
    // One export at a time: look before sending (a 409 is still handled).
    if let Ok(Some(job)) = crate::jobs::track::running_job(client).await
        && job.job_id.is_some()
    {
        let _ = on_store(store, move |s| s.queue_release(q, None)).await;
        let _ = tx.send(Msg::EnvBusy { queue_id: q, job });
        return false;
    }
    true
}
