//! Polling jobs: one task per followed job, with backoff, saving each
//! status in history; it ends when the job does, so nothing polls (and
//! nothing wakes up) once every job is finished.

use super::{Runner, Task, on_store};
use crate::api::{ApiError, JobStatus};
use crate::jobs::track::{Backoff, record_gone, running_job};
use crate::tui::msg::{Msg, SubmitError};

/// How far a job has got, to tell "changed" from "the same again".
fn progress_key(s: &JobStatus) -> (Option<String>, Option<(usize, usize)>, Option<String>) {
    (s.status.clone(), s.chunks(), s.progress.clone())
}

impl Runner {
    pub(super) fn track(&mut self, job_id: String) {
        self.trackers.retain(|_, t| !t.0.is_finished());
        if self.trackers.contains_key(&job_id) {
            return;
        }
        let (client, store, tx) = (self.client.clone(), self.store.clone(), self.tx.clone());
        let profile = self.profile.clone();
        let id = job_id.clone();
        let task = tokio::spawn(async move {
            let Ok(client) = client.get().await else {
                return;
            };
            let mut backoff = Backoff::new();
            let mut last = None;
            loop {
                let answer = client.job(&id).await;
                let (done, changed, msg) = match answer {
                    Ok(s) => {
                        let key = progress_key(&s);
                        let changed = last.as_ref() != Some(&key);
                        last = Some(key);
                        let snap = crate::jobs::submit::snapshot(&s);
                        let (job, done) = (id.clone(), s.state().is_final());
                        if let Ok(store) = store.get().await {
                            let _ =
                                on_store(&store, move |st| st.record_job_status(&job, &snap)).await;
                        }
                        (done, changed, Ok(s))
                    }
                    Err(e) => {
                        let gone = matches!(e, ApiError::NotFound { .. });
                        if gone && let Ok(store) = store.get().await {
                            let (job, c, p) = (id.clone(), client.clone(), profile.clone());
                            let _ = on_store(&store, move |st| record_gone(st, &c, &p, &job)).await;
                        }
                        let done = !e.is_transient();
                        (done, false, Err(SubmitError::from_api(&e)))
                    }
                };
                if tx
                    .send(Msg::JobUpdate {
                        job_id: id.clone(),
                        result: msg,
                    })
                    .is_err()
                    || done
                {
                    return;
                }
                tokio::time::sleep(backoff.next(changed)).await;
            }
        });
        self.trackers.insert(job_id, Task(task));
    }

    /// After a 409: which job is running?
    pub(super) fn lookup_running(&self) {
        let (client, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let result = match client.get().await {
                Ok(c) => running_job(&c).await.map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::RunningJob(result));
        });
    }
}
