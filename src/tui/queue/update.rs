//! The queue: exports sent one after another as the environment frees up
//! (the API runs one export at a time), stored so it survives restarts.

use super::QueueAdd;
use crate::export::ExportRequest;
use crate::history::{QueueState, QueuedExport};
use crate::jobs::queue::Disposition;
use crate::jobs::queue::{Split, split_request};
use crate::tui::app::{App, InFlight, Overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    /// Send the next waiting item when nothing runs and nothing is in flight.
    pub(crate) fn drive_queue(&mut self) -> Vec<Effect> {
        if self.queue_paused
            || self.queue_hold
            || self.in_flight.is_some()
            || self.jobs.busy(&self.env.profile).is_some()
            || self.env.blocked.is_some()
        {
            return vec![];
        }
        let Some((id, request)) = self
            .queue
            .iter()
            .filter(|q| q.state == QueueState::Waiting)
            .find_map(|q| {
                Some((
                    q.id,
                    serde_json::from_str::<ExportRequest>(&q.request_json).ok()?,
                ))
            })
        else {
            return vec![];
        };
        self.seq += 1;
        self.in_flight = Some(InFlight {
            seq: self.seq,
            queue_id: Some(id),
            started: self.clock.now,
            attempt_id: None,
            summary: format!("queue #{id}: {}", request.summary()),
            request: request.clone(),
        });
        vec![Effect::Submit {
            seq: self.seq,
            request,
            queue_id: Some(id),
        }]
    }

    /// A queued export's create failed: the library decided what it became
    /// ([`Disposition`]); here the queue pauses, waits or goes on.
    pub(crate) fn queue_settled(&mut self, id: i64, d: Disposition) -> Vec<Effect> {
        match d {
            // The next item goes (from submit_done).
            Disposition::Refused => vec![],
            Disposition::MaybeCreated => {
                self.queue_paused = true;
                self.status = Some(Notice::new(
                    Level::Error,
                    format!(
                        "queue paused: queue #{id} got no answer and may have created a job; check History, then resume with p in the queue view (F3)"
                    ),
                ));
                vec![]
            }
            // Put back (409 with no job found to wait for, or not sent):
            // tried again after a growing delay, up to the poller's cap.
            Disposition::WaitForRunning | Disposition::PutBack => {
                let max = crate::jobs::track::WaitOptions::default().max_errors;
                let (backoff, tries) = &mut self.queue_retry;
                *tries += 1;
                if *tries > max {
                    let n = *tries - 1;
                    self.queue_retry = Default::default();
                    self.queue_paused = true;
                    self.status = Some(Notice::new(
                        Level::Error,
                        format!(
                            "queue paused: queue #{id} was put back {n} times in a row; resume with p in the queue view (F3)"
                        ),
                    ));
                    return vec![];
                }
                let after = backoff.next(false);
                self.queue_hold = true;
                self.status = Some(Notice::new(
                    Level::Warning,
                    format!(
                        "queue #{id} not sent; put back, next try in {} s (F3 shows why)",
                        after.as_secs().max(1)
                    ),
                ));
                vec![Effect::QueueRetryAfter(after)]
            }
        }
    }

    /// Ctrl-Q: the form, valid, into the queue dialog.
    pub(crate) fn open_queue_add(&mut self) -> Vec<Effect> {
        let Some(request) = self.validated_or_report() else {
            return vec![];
        };
        let monthly = split_request(&request, Split::Monthly).unwrap_or_default();
        let weekly = split_request(&request, Split::Days(7)).unwrap_or_default();
        self.overlay = Some(Overlay::QueueAdd(QueueAdd {
            request,
            monthly,
            weekly,
        }));
        vec![]
    }

    /// The queue as stored; the next item goes if it can.
    pub(crate) fn queue_loaded(&mut self, items: Vec<QueuedExport>) -> Vec<Effect> {
        self.queue = items;
        if let Some(Overlay::Queue { cursor }) = &mut self.overlay {
            *cursor = (*cursor).min(self.queue.len().saturating_sub(1));
        }
        self.drive_queue()
    }

    /// F3: the queue, read again.
    pub(crate) fn open_queue(&mut self) -> Vec<Effect> {
        self.overlay = Some(Overlay::Queue { cursor: 0 });
        vec![Effect::LoadQueue]
    }

    pub(crate) fn queue_add_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(Overlay::QueueAdd(q)) = &self.overlay else {
            return vec![];
        };
        let requests = match a {
            Action::QueueOne => vec![q.request.clone()],
            Action::QueueMonthly if q.monthly.len() > 1 => q.monthly.clone(),
            Action::QueueWeekly if q.weekly.len() > 1 => q.weekly.clone(),
            _ => {
                self.dirty = false;
                return vec![];
            }
        };
        let n = requests.len();
        self.overlay = None;
        self.status = Some(Notice::new(
            Level::Success,
            format!(
                "queued {n} export{}: each is sent when the environment is free (F3 shows the queue)",
                if n == 1 { "" } else { "s" }
            ),
        ));
        vec![Effect::QueueAdd {
            requests,
            front: false,
            resend: None,
        }]
    }

    /// The queue view's keys.
    pub(crate) fn queue_view_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(Overlay::Queue { cursor }) = &mut self.overlay else {
            return vec![];
        };
        let n = self.queue.len();
        let selected = self.queue.get(*cursor).map(|q| (q.id, q.state));
        match a {
            Action::Up => *cursor = cursor.saturating_sub(1),
            Action::Down => *cursor = (*cursor + 1).min(n.saturating_sub(1)),
            Action::MoveItemUp | Action::MoveItemDown => {
                let delta = if a == Action::MoveItemUp { -1 } else { 1 };
                if let Some((id, QueueState::Waiting)) = selected {
                    // Move it here at once; the stored order follows.
                    let from = *cursor;
                    let to = (from as i64 + delta).clamp(0, n.saturating_sub(1) as i64) as usize;
                    *cursor = to;
                    self.queue.swap(from, to);
                    return vec![Effect::QueueMove { id, delta }];
                }
                self.dirty = false;
            }
            Action::Remove => match selected {
                Some((_, QueueState::Submitting)) => {
                    self.status = Some(Notice::new(
                        Level::Warning,
                        "that item is being sent right now",
                    ));
                }
                Some((id, _)) => {
                    // Gone at once; the stored queue follows.
                    self.queue.retain(|q| q.id != id);
                    *cursor = (*cursor).min(self.queue.len().saturating_sub(1));
                    return vec![Effect::QueueRemove { id }];
                }
                None => self.dirty = false,
            },
            Action::ClearDone => return vec![Effect::QueueClearDone],
            Action::Pause => {
                self.queue_paused = !self.queue_paused;
                self.queue_hold = false;
                self.queue_retry = Default::default();
                self.status = Some(Notice::new(
                    Level::Info,
                    if self.queue_paused {
                        "queue paused: nothing more is sent until you resume (p)"
                    } else {
                        "queue resumed"
                    },
                ));
                return self.drive_queue();
            }
            _ => self.dirty = false,
        }
        vec![]
    }
}
