//! Progress on stderr while the CLI waits for jobs: one redrawn line on a
//! terminal (status, chunks done/all, elapsed), one line per status change
//! otherwise. Messages (409, retries, …) are printed on their own lines.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::api::JobStatus;
use crate::human::duration;
use crate::jobs::queue::QueueEvent;
use crate::jobs::track::Event;

pub struct Progress {
    tty: bool,
    started: Instant,
    /// A progress line is on screen (terminal only).
    drawn: bool,
    /// (job, status) last reported, for the line-per-change mode.
    last: Option<(String, String)>,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
            started: Instant::now(),
            drawn: false,
            last: None,
        }
    }

    /// Clear the progress line (terminal only).
    pub fn clear(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
            self.drawn = false;
        }
    }

    /// A message on its own line.
    pub fn say(&mut self, msg: &str) {
        self.clear();
        eprintln!("upexport: {msg}");
    }

    /// A status answer for `job_id`; `label` prefixes it (e.g. a queue item).
    pub fn status(&mut self, label: &str, job_id: &str, s: &JobStatus) {
        let status = s.status.as_deref().unwrap_or("unknown");
        if self.tty {
            let chunks = s
                .progress_text()
                .map(|p| format!(" · {p}"))
                .unwrap_or_default();
            let elapsed = duration(self.started.elapsed().as_secs() as i64);
            eprint!("\r\x1b[2K{label}job {job_id}: {status}{chunks} · {elapsed}");
            let _ = std::io::stderr().flush();
            self.drawn = true;
        } else {
            let now = (job_id.to_owned(), status.to_owned());
            if self.last.as_ref() != Some(&now) {
                eprintln!("upexport: {label}job {job_id}: {status}");
                self.last = Some(now);
            }
        }
    }

    /// Report a tracking event of `submit --wait`.
    pub fn event(&mut self, ev: Event<'_>) {
        match ev {
            Event::Status { job_id, status } => self.status("", job_id, status),
            Event::Retrying { error, after, .. } => {
                self.say(&format!("{error}; trying again in {}", secs(after)))
            }
            Event::Busy { job_id } => self.say(&format!(
                "an export is already running in this environment ({}); waiting for it to finish, then submitting",
                job_id.map_or_else(|| "job unknown".into(), |j| format!("job {j}"))
            )),
            Event::Conflict {
                attempt_id,
                running,
            } => self.say(&match running {
                Some(j) => format!(
                    "409: job {j} is already running in this environment (history #{attempt_id}); waiting for it to finish, then submitting automatically"
                ),
                None => format!(
                    "409: an export is already running in this environment (history #{attempt_id}), but the job list shows none; trying again shortly"
                ),
            }),
            Event::Gone { job_id } => self.say(&format!(
                "job {job_id} is no longer known to the API (404; job status is kept 3 days); recorded as expired"
            )),
            Event::NotSaved(e) => self.say(&format!("warning: history not updated: {e}")),
        }
    }

    /// Report a queue event of `queue run`.
    pub fn queue_event(&mut self, ev: &QueueEvent) {
        match ev {
            QueueEvent::Claimed { item } => {
                self.last = None;
                let summary = serde_json::from_str::<crate::export::ExportRequest>(
                    &item.request_json,
                )
                .map(|r| r.summary())
                .unwrap_or_else(|_| "(request not readable)".into());
                self.say(&format!("queue #{}: {summary}", item.id));
            }
            QueueEvent::Busy { item_id, job_id } => self.say(&format!(
                "queue #{item_id}: waiting for {} to finish",
                job_id
                    .as_deref()
                    .map_or_else(|| "the running export".into(), |j| format!("job {j}"))
            )),
            QueueEvent::Conflict {
                item_id,
                attempt_id,
                running,
            } => self.say(&format!(
                "queue #{item_id}: 409 (history #{attempt_id}); waiting for {} to finish, then submitting automatically",
                running
                    .as_deref()
                    .map_or_else(|| "the running export".into(), |j| format!("job {j}"))
            )),
            QueueEvent::Status {
                item_id,
                job_id,
                status,
                ..
            } => self.status(&format!("queue #{item_id}: "), job_id, status),
            QueueEvent::Retrying {
                item_id,
                message,
                after,
            } => self.say(&format!(
                "queue #{item_id}: {message}; trying again in {}",
                secs(*after)
            )),
            QueueEvent::Submitted {
                item_id,
                attempt_id,
                job_id,
            } => self.say(&format!(
                "queue #{item_id}: submitted as job {job_id} (history #{attempt_id})"
            )),
            QueueEvent::Finished {
                item_id,
                job_id,
                status,
            } => {
                // Off a terminal the last status line already said it.
                if self.tty || status.is_none() {
                    let what = status
                        .as_ref()
                        .and_then(|s| s.status.clone())
                        .unwrap_or_else(|| "vanished (404)".into());
                    self.say(&format!("queue #{item_id}: job {job_id} {what}"));
                }
            }
            QueueEvent::Failed { item_id, message } => {
                self.say(&format!("queue #{item_id}: not submitted: {message}"))
            }
            QueueEvent::Warning(w) => self.say(&format!("warning: {w}")),
        }
    }
}

fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs().max(1))
}
