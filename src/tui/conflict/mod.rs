//! The 409 dialog: a submit found an export running in this environment;
//! show that job, and offer to send this one as soon as it ends.

pub mod view;

use crate::api::JobSummary;
use crate::export::ExportRequest;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

/// After a 409: the request that was refused and the job in the way.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub request: ExportRequest,
    /// The refused attempt's history row: "wait & submit" sends it again
    /// on that row.
    pub attempt_id: Option<i64>,
    pub running: Option<JobSummary>,
    /// The running job is being looked up.
    pub looking: bool,
    pub error: Option<String>,
}

impl App {
    pub(crate) fn conflict_action(&mut self, a: Action) -> Vec<Effect> {
        match a {
            Action::Wait => self.conflict_wait(),
            _ => {
                self.dirty = false;
                vec![]
            }
        }
    }

    /// 409 dialog: queue the refused request at the head, to go as soon as
    /// the running job ends.
    fn conflict_wait(&mut self) -> Vec<Effect> {
        let Some(Overlay::Conflict(c)) = self.overlay.take() else {
            return vec![];
        };
        let running = c
            .running
            .as_ref()
            .and_then(|j| j.job_id.clone())
            .map(|id| format!("job {}…", id.chars().take(8).collect::<String>()))
            .unwrap_or_else(|| "the running job".into());
        self.status = Some(Notice::new(
            Level::Info,
            format!("queued: sent automatically when {running} ends (F3 shows the queue)"),
        ));
        vec![Effect::QueueAdd {
            requests: vec![c.request],
            front: true,
            resend: c.attempt_id,
        }]
    }
}
