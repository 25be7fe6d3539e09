//! Submitting: validation, the request in flight, its outcome.

use super::{App, InFlight, Overlay};
use crate::api::ErrorKind;
use crate::export::{ExportRequest, validate};
use crate::tui::conflict::Conflict;
use crate::tui::form::Focus;
use crate::tui::msg::{Effect, Level, Notice, SubmitOutcome};

impl App {
    /// The form as a request; on errors, say so, show every message and
    /// focus the first field in error.
    pub(crate) fn validated_or_report(&mut self) -> Option<ExportRequest> {
        match validate(&self.form.to_input(), self.today()) {
            Ok(v) => {
                let warn: Vec<String> = v.warnings.iter().map(ToString::to_string).collect();
                self.status = (!warn.is_empty())
                    .then(|| Notice::new(Level::Warning, format!("note: {}", warn.join("; "))));
                Some(v.request)
            }
            Err(issues) => {
                self.form.touch_all();
                let mut fields: Vec<&str> = issues.iter().map(|i| i.field.label()).collect();
                fields.dedup();
                if let Some(first) = issues.first() {
                    self.overlay = None;
                    self.focus = Focus::Field(first.field);
                }
                self.status = Some(
                    Notice::new(
                        Level::Error,
                        format!(
                            "not sent: fix {} ({})",
                            fields.join(", "),
                            issues.first().map(|i| i.message.as_str()).unwrap_or("")
                        ),
                    )
                    .transient(),
                );
                None
            }
        }
    }

    pub(crate) fn submit(&mut self) -> Vec<Effect> {
        if let Some(f) = &self.in_flight {
            let secs = (self.clock.now - f.started).num_milliseconds() as f64 / 1000.0;
            self.status = Some(Notice::new(
                Level::Warning,
                format!(
                    "a request is already in flight ({secs:.1} s); not sent twice. Esc cancels it"
                ),
            ));
            return vec![];
        }
        let Some(request) = self.validated_or_report() else {
            return vec![];
        };
        if let Some(why) = &self.env.blocked {
            self.status = Some(Notice::new(Level::Error, format!("not sent: {why}")));
            return vec![];
        }
        self.seq += 1;
        self.overlay = None;
        self.in_flight = Some(InFlight {
            seq: self.seq,
            queue_id: None,
            started: self.clock.now,
            attempt_id: None,
            summary: request.summary(),
            request: request.clone(),
        });
        vec![
            Effect::SaveDraft(self.form.to_input()),
            Effect::Submit {
                seq: self.seq,
                request,
                queue_id: None,
            },
        ]
    }

    pub(crate) fn submit_done(&mut self, seq: u64, outcome: SubmitOutcome) -> Vec<Effect> {
        let flight = self.in_flight.take_if(|f| f.seq == seq);
        let current = flight.is_some();
        let queued = flight.as_ref().and_then(|f| f.queue_id);
        let mut effects = self.reload_history();
        if queued.is_some() {
            effects.push(Effect::LoadQueue);
        }
        match outcome {
            SubmitOutcome::Created(c) => {
                if c.environment_name.is_some() {
                    self.env.environment = c.environment_name.clone();
                }
                if c.environment_app_token.is_some() {
                    self.env.app_token = c.environment_app_token.clone();
                }
                let job = c.job_id.clone().unwrap_or_default();
                if queued.is_some() {
                    self.queue_retry = Default::default();
                }
                if current {
                    let from = queued.map(|q| format!(" (queue #{q})")).unwrap_or_default();
                    self.status = Some(Notice::new(
                        Level::Success,
                        format!("created export job {job}{from}; following it"),
                    ));
                    if queued.is_none() {
                        effects.push(Effect::ClearDraft);
                    }
                }
                if !job.is_empty() {
                    effects.extend(self.follow(&job));
                }
            }
            SubmitOutcome::Failed(e) => {
                if current && e.kind == ErrorKind::Conflict && queued.is_none() {
                    // One export at a time: find the job in the way and offer
                    // to send this one when it ends.
                    if let Some(f) = flight {
                        self.overlay = Some(Overlay::Conflict(Conflict {
                            request: f.request,
                            attempt_id: f.attempt_id,
                            running: None,
                            looking: true,
                            error: None,
                        }));
                        effects.push(Effect::LookupRunning);
                    }
                    // Short, beside the dialog that says what to do; the
                    // server's words in the message log (F6).
                    self.status = Some(
                        Notice::new(
                            Level::Error,
                            "not created: another export is running in this environment (HTTP 409)",
                        )
                        .with_detail(e.message),
                    );
                } else if current && queued.is_some() && (self.queue_hold || self.queue_paused) {
                    // The queue's own word (put back, next try in N s; or
                    // paused) stays: it says what happens next, and the
                    // queue view (F3) shows the error beside the item.
                } else if current {
                    self.status = Some(Notice::new(Level::Error, e.message));
                }
            }
        }
        effects.extend(self.drive_queue());
        effects
    }
}
