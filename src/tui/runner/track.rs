//! Following jobs: one task per followed job, each running the library's
//! one poller ([`wait_recorded`]: backoff, Retry-After, error cap, every
//! answer saved in history, a 404 recorded as expired). The task ends when
//! its job does, so nothing polls (and nothing wakes up) once every job
//! is finished.

use super::{Runner, Task};
use crate::jobs::track::{Event, conflicting_job, wait_recorded};
use crate::tui::msg::{Level, Msg, Notice, SubmitError};

impl Runner {
    pub(super) fn track(&mut self, job_id: String) {
        self.trackers.retain(|_, t| !t.0.is_finished());
        if self.trackers.contains_key(&job_id) {
            return;
        }
        let (client, store, tx) = (self.client.clone(), self.store.clone(), self.tx.clone());
        let profile = self.profile.clone();
        let opts = self.wait.clone();
        let id = job_id.clone();
        let task = tokio::spawn(async move {
            let (Ok(client), Ok(store)) = (client.get().await, store.get().await) else {
                return;
            };
            // The answers are this server's: the app shows them on its rows.
            let base = client.base_url().as_str().to_owned();
            let relay = |ev: Event<'_>| {
                let msg = match ev {
                    Event::Status { job_id, status } => Msg::JobUpdate {
                        base_url: base.clone(),
                        job_id: job_id.to_owned(),
                        result: Ok(status.clone()),
                    },
                    Event::Retrying { error, .. } => Msg::JobUpdate {
                        base_url: base.clone(),
                        job_id: id.clone(),
                        result: Err(SubmitError::from_api(error)),
                    },
                    Event::NotSaved(e) => Msg::Notice(Notice::new(
                        Level::Warning,
                        format!("history not updated: {e}"),
                    )),
                    Event::Gone { .. } | Event::Busy { .. } | Event::Conflict { .. } => return,
                };
                let _ = tx.send(msg);
            };
            if let Err(e) = wait_recorded(&store, &client, &profile, &id, &opts, relay).await {
                let _ = tx.send(Msg::JobFollowStopped {
                    base_url: base.clone(),
                    job_id: id.clone(),
                    error: SubmitError::from_api(&e),
                });
            }
        });
        self.trackers.insert(job_id, Task(task));
    }

    /// After a 409: which job is running?
    pub(super) fn lookup_running(&self) {
        let (client, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let result = match client.get().await {
                Ok(c) => conflicting_job(&c).await.map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::RunningJob(result));
        });
    }

    /// Tell the app when a put-back queued export may be tried again.
    pub(super) fn queue_retry_after(&mut self, after: std::time::Duration) {
        let tx = self.tx.clone();
        self.queue_timer = Some(Task(tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let _ = tx.send(Msg::QueueRetryDue);
        })));
    }
}
