//! The detail view of one history entry (Enter in History): outcome, job,
//! request body; copy the job id or links, load the request into the form,
//! download.

pub mod view;

use crate::export::{ExportRequest, Field, Format};
use crate::history::Entry;
use crate::jobs::fetch::job_dir;
use crate::tui::app::{App, Overlay, job_of, overlay};
use crate::tui::form::{Focus, FormState};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    /// Enter on a history entry: its detail, and a look for its job's
    /// manifest in the download folder (for the DuckDB command) unless
    /// this session knows it already.
    pub(crate) fn open_detail(&mut self, e: Entry) -> Vec<Effect> {
        let look = match (job_of(&e), &self.env.download_dir) {
            (Some(job), Some(dir)) if !self.ready.contains_key(job) => Some(Effect::FindManifest {
                job_id: job.to_owned(),
                dir: job_dir(dir, job),
            }),
            _ => None,
        };
        self.overlay = Some(Overlay::Detail {
            entry: Box::new(e),
            scroll: 0,
        });
        look.into_iter().collect()
    }

    pub(crate) fn detail_action(&mut self, a: Action) -> Vec<Effect> {
        let max_scroll = match &self.overlay {
            Some(Overlay::Detail { entry, .. }) => {
                view::max_scroll(self, entry, self.overlay_screen())
            }
            _ => return vec![],
        };
        let Some(Overlay::Detail { entry, scroll }) = self.overlay.as_mut() else {
            return vec![];
        };
        if overlay::scroll(scroll, a, max_scroll) {
            return vec![];
        }
        match a {
            Action::CopyJob => {
                let job = entry.created.as_ref().map(|c| c.job_id.clone());
                return match job {
                    Some(j) => vec![Effect::Copy {
                        text: j,
                        what: "job id",
                    }],
                    None => {
                        self.status = Some(Notice::new(
                            Level::Warning,
                            "this attempt created no job: nothing to copy",
                        ));
                        vec![]
                    }
                };
            }
            Action::CopyLinks => {
                // The files' links once there are any; before, the create
                // answer's `links` text (stale once the job ended).
                let mut links: Vec<String> = entry
                    .job
                    .iter()
                    .flat_map(|j| j.files.iter().map(|f| f.url.clone()))
                    .collect();
                if links.is_empty()
                    && !entry.job.as_ref().is_some_and(|j| j.is_finished())
                    && let Some(l) = entry
                        .created
                        .as_ref()
                        .and_then(|c| c.links.clone())
                        .filter(|l| !l.is_empty())
                {
                    links.push(l);
                }
                return if links.is_empty() {
                    self.status = Some(Notice::new(Level::Warning, "no links on this attempt yet"));
                    vec![]
                } else {
                    vec![Effect::Copy {
                        text: links.join("\n"),
                        what: "links",
                    }]
                };
            }
            Action::LoadIntoForm => return self.load_entry_into_form(),
            Action::Download => {
                let entry = entry.clone();
                return self.open_download(&entry);
            }
            _ => self.dirty = false,
        }
        vec![]
    }

    fn load_entry_into_form(&mut self) -> Vec<Effect> {
        let Some(Overlay::Detail { entry, .. }) = &self.overlay else {
            return vec![];
        };
        match serde_json::from_str::<ExportRequest>(&entry.request_json) {
            Ok(req) => {
                let mut input = req.to_form();
                if input.format.is_none() {
                    input.format = Some(Format::default());
                }
                let id = entry.id;
                self.form = FormState::from_input(&input, self.today());
                self.overlay = None;
                self.focus = Focus::Field(Field::From);
                self.status = Some(Notice::new(
                    Level::Info,
                    format!("request of #{id} loaded: edit it, then Ctrl-S to run it again"),
                ));
                vec![Effect::SaveDraft(input)]
            }
            Err(e) => {
                self.status = Some(Notice::new(
                    Level::Error,
                    format!("cannot read that request: {e}"),
                ));
                vec![]
            }
        }
    }
}
