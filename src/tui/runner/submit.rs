//! Sending an export through the library's one submit path
//! ([`crate::jobs::submit`]): the history row first, then the request, then
//! the outcome. A queued item is claimed and the environment checked
//! first, and what it becomes after a failure is the library's
//! [`disposition`], the same as in `upexport queue run`. Cancelling keeps
//! the row honest.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;

use super::{Flight, Runner, Store, on_store};
use crate::api::{ApiClient, ErrorKind};
use crate::export::ExportRequest;
use crate::history::SOURCE_TUI;
use crate::jobs::queue::{self, Disposition, disposition};
use crate::jobs::submit::{self as jobs_submit, Origin, submit_recorded_with};
use crate::jobs::track::{running_before_submit, running_job};
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
            // A queued item refused with 409 before is sent again on that row.
            let resend = match queue_id {
                Some(q) => match claim(&client, &store, q, &tx, seq).await {
                    Some(resend) => resend,
                    None => return,
                },
                None => None,
            };
            let origin = Origin {
                source: SOURCE_TUI,
                profile: &profile,
            };
            let started = |id| {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(id);
                }
                let _ = tx.send(Msg::SubmitStarted {
                    seq,
                    attempt_id: id,
                });
            };
            let (id, result, not_saved) = match submit_recorded_with(
                &store, &client, origin, &request, resend, started,
            )
            .await
            {
                Ok(r) => r,
                Err(e) => {
                    if let Some(q) = queue_id {
                        let _ = on_store(&store, move |s| s.queue_release(q, None)).await;
                    }
                    let msg =
                        format!("not sent: the attempt could not be recorded in history ({e})");
                    return drop(tx.send(failed(seq, ErrorKind::NotSent, msg)));
                }
            };
            if let Some(e) = not_saved {
                tracing::error!("history #{id}: {e}");
            }
            if let Some(q) = queue_id {
                let settled = match &result {
                    Ok(_) => None,
                    Err(e) => Some((disposition(e), e.to_string())),
                };
                let d = settled.as_ref().map(|(d, _)| *d);
                let stored = on_store(&store, move |s| match &settled {
                    None => s.queue_submitted(q, id),
                    Some((d, message)) => queue::settle(s, q, *d, message, Some(id)),
                })
                .await;
                if let Err(e) = stored {
                    tracing::error!("queue #{q}: {e}");
                }
                if let Some(d) = d {
                    let _ = tx.send(Msg::QueueSettled {
                        queue_id: q,
                        disposition: d,
                    });
                }
                // A 409 from the queue: wait for the job in the way.
                if d == Some(Disposition::WaitForRunning)
                    && let Ok(Some(job)) = running_job(&client).await
                    && job.job_id.is_some()
                {
                    return drop(tx.send(Msg::EnvBusy { queue_id: q, job }));
                }
            }
            let outcome = match &result {
                Ok(c) => SubmitOutcome::Created(Box::new(c.clone())),
                Err(e) => SubmitOutcome::Failed(SubmitError::from_api(e)),
            };
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
            if let (Some(id), Ok(store)) = (id, store.get().await) {
                // AlreadyFinished: the answer arrived first and is kept.
                if let Err(e) = on_store(&store, move |s| jobs_submit::cancel(s, id)).await {
                    tracing::info!("history #{id}: {e}");
                }
            }
            let _ = tx.send(failed(
                seq,
                ErrorKind::Cancelled,
                jobs_submit::CANCELLED.into(),
            ));
        });
    }
}

/// Take queue item `q` for sending: `Some` with the attempt it was
/// refused with 409 before, if any (sent again on that row); `None` (and
/// the app told) when another window took it or a job is running.
async fn claim(
    client: &ApiClient,
    store: &Store,
    q: i64,
    tx: &UnboundedSender<Msg>,
    seq: u64,
) -> Option<Option<i64>> {
    let claimed = on_store(store, move |s| {
        Ok(match queue::claim(s, q)? {
            true => Some(queue::refused_attempt(s, q)?),
            false => None,
        })
    })
    .await;
    let resend = match claimed {
        Ok(Some(resend)) => resend,
        Ok(None) => {
            let _ = tx.send(failed(
                seq,
                ErrorKind::NotSent,
                format!("queue #{q} was taken by another upexport window"),
            ));
            return None;
        }
        Err(e) => {
            let _ = tx.send(failed(
                seq,
                ErrorKind::NotSent,
                format!("not sent: the queue could not be read ({e})"),
            ));
            return None;
        }
    };
    // One export at a time: look before sending (a 409 is still handled).
    match running_before_submit(client).await {
        Ok(Some(job)) if job.job_id.is_some() => {
            let note = queue::waiting_note(job.job_id.as_deref(), false);
            let _ = on_store(store, move |s| s.queue_release(q, Some(&note))).await;
            let _ = tx.send(Msg::EnvBusy { queue_id: q, job });
            None
        }
        Ok(_) => Some(resend),
        // Refused before sending (401…): settled as `queue run` does.
        Err(e) => {
            let (d, message) = (disposition(&e), e.to_string());
            let _ = on_store(store, move |s| queue::settle(s, q, d, &message, None)).await;
            let _ = tx.send(Msg::QueueSettled {
                queue_id: q,
                disposition: d,
            });
            let _ = tx.send(Msg::SubmitDone {
                seq,
                outcome: SubmitOutcome::Failed(SubmitError::from_api(&e)),
            });
            None
        }
    }
}
