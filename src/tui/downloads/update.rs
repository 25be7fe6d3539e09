//! Downloading a completed job's files: the setup dialog (directory, which
//! files, overwrite), progress, retry (resumes).

use super::{DownloadRun, DownloadSetup, FileState};
use crate::history::Entry;
use crate::jobs::fetch::{FetchEvent, job_dir};
use crate::jobs::manifest::Ready;
use crate::jobs::merge::MergeError;
use crate::tui::app::{App, Overlay, job_of};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    /// `d` on a history entry (or in its detail).
    pub(crate) fn open_download(&mut self, e: &Entry) -> Vec<Effect> {
        let Some(job_id) = job_of(e).map(str::to_owned) else {
            self.status = Some(Notice::new(
                Level::Warning,
                "this attempt created no job: nothing to download",
            ));
            return vec![];
        };
        let status = e.job.as_ref().map(|j| j.status.as_str()).unwrap_or("");
        if status == crate::jobs::track::EXPIRED {
            let short: String = job_id.chars().take(8).collect();
            self.status = Some(Notice::new(
                Level::Warning,
                format!(
                    "job {short}… has expired: its status and files are gone, nothing to download"
                ),
            ));
            return vec![];
        }
        let completed = e
            .job
            .as_ref()
            .is_some_and(|j| j.state() == crate::api::JobState::Completed);
        if !completed {
            let shown = if status.is_empty() {
                "not completed yet"
            } else {
                status
            };
            self.status = Some(Notice::new(
                Level::Warning,
                format!("job is {shown}: its files can be downloaded once it is completed"),
            ));
            return vec![];
        }
        let dir = self
            .env
            .download_dir
            .clone()
            .unwrap_or_else(crate::config::default_download_dir)
            .display()
            .to_string();
        let setup = DownloadSetup::new(&job_id, &dir);
        let dir_path = setup.dir_path();
        self.overlay = Some(Overlay::DownloadSetup(setup));
        vec![Effect::PlanDownload {
            job_id,
            dir: dir_path,
        }]
    }

    pub(crate) fn download_planned(
        &mut self,
        job_id: &str,
        result: Result<Vec<crate::jobs::fetch::FilePlan>, String>,
    ) -> Vec<Effect> {
        if let Some(Overlay::DownloadSetup(s)) = &mut self.overlay
            && s.job_id == job_id
        {
            match result {
                Ok(plans) => s.planned(plans),
                Err(e) => {
                    s.loading = false;
                    s.error = Some(e);
                }
            }
        }
        vec![]
    }

    /// Typing in the setup dialog's directory row.
    pub(crate) fn setup_typed(&mut self, k: crossterm::event::KeyEvent) -> bool {
        let Some(Overlay::DownloadSetup(s)) = &mut self.overlay else {
            return false;
        };
        if s.cursor != 0 {
            return false;
        }
        match tui_input::backend::crossterm::to_input_request(&crossterm::event::Event::Key(k)) {
            Some(req) => s.dir.handle(req).is_some(),
            None => false,
        }
    }

    pub(crate) fn setup_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(Overlay::DownloadSetup(s)) = &mut self.overlay else {
            return vec![];
        };
        match a {
            Action::Up => s.cursor = s.cursor.saturating_sub(1),
            Action::Down => s.cursor = (s.cursor + 1).min(s.plans.len()),
            Action::Toggle if s.cursor == 0 => {
                s.dir.handle(tui_input::InputRequest::InsertChar(' '));
            }
            Action::Toggle => {
                if let Some(on) = s.selected.get_mut(s.cursor - 1) {
                    *on = !*on;
                }
            }
            Action::SelectAll => s.selected.iter_mut().for_each(|on| *on = true),
            Action::ToggleOverwrite => s.overwrite = !s.overwrite,
            Action::Open => {
                let dir = s.dir_path();
                // A new directory (or none planned yet): look there first.
                if s.planned_dir.as_ref() != Some(&dir) {
                    s.loading = true;
                    return vec![Effect::PlanDownload {
                        job_id: s.job_id.clone(),
                        dir,
                    }];
                }
                let plans = s.chosen();
                if plans.is_empty() {
                    s.error = Some("no file selected (Space selects, Ctrl-A selects all)".into());
                    return vec![];
                }
                if s.clashes() > 0 && !s.overwrite {
                    s.error = Some(format!(
                        "{} file(s) exist there that are not this job's as upexport saved them: Ctrl-O to overwrite them, unselect them, or choose another directory",
                        s.clashes()
                    ));
                    return vec![];
                }
                let (job_id, overwrite) = (s.job_id.clone(), s.overwrite);
                let dir = job_dir(&dir, &job_id);
                self.downloads.retain(|d| d.job_id != job_id || !d.finished);
                self.downloads
                    .push(DownloadRun::new(&job_id, dir, plans.clone(), overwrite));
                self.overlay = Some(Overlay::Downloads {
                    job_id: job_id.clone(),
                });
                return vec![Effect::Download {
                    job_id,
                    plans,
                    overwrite,
                }];
            }
            _ => self.dirty = false,
        }
        vec![]
    }

    pub(crate) fn fetch_event(&mut self, job_id: &str, e: &FetchEvent) -> Vec<Effect> {
        let Some(run) = self.downloads.iter_mut().rev().find(|d| d.job_id == job_id) else {
            self.dirty = false;
            return vec![];
        };
        run.apply(e);
        if let FetchEvent::Manifest(Ok(ready)) = e {
            self.ready.insert(job_id.to_owned(), ready.clone());
        }
        if let FetchEvent::Finished { ok, failed } = e {
            let dir = run.dir.display().to_string();
            let ready = match &run.ready {
                Some(Ok(_)) => " with its manifest.json written",
                Some(Err(_)) => "; manifest.json NOT written (F4 says why)",
                None => "",
            };
            self.status = Some(if *failed == 0 {
                Notice::new(
                    Level::Success,
                    format!(
                        "downloaded {ok} file(s) to {dir}{ready}; F4: previews (Enter) and the DuckDB command"
                    ),
                )
            } else {
                Notice::new(
                    Level::Error,
                    format!(
                        "{failed} file(s) failed ({ok} done): F4, then r retries (partial files resume)"
                    ),
                )
            });
        }
        vec![]
    }

    /// F4: the latest download.
    pub(crate) fn open_downloads(&mut self) {
        match self.downloads.last() {
            Some(d) => {
                self.overlay = Some(Overlay::Downloads {
                    job_id: d.job_id.clone(),
                });
            }
            None => {
                self.status = Some(Notice::new(
                    Level::Info,
                    "no downloads yet: select a completed job in History and press d",
                ));
            }
        }
    }

    pub(crate) fn downloads_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(Overlay::Downloads { job_id }) = &self.overlay else {
            return vec![];
        };
        let job_id = job_id.clone();
        let Some(run) = self.downloads.iter_mut().rev().find(|d| d.job_id == job_id) else {
            return vec![];
        };
        match a {
            Action::Up => run.cursor = run.cursor.saturating_sub(1),
            Action::Down => run.cursor = (run.cursor + 1).min(run.files.len().saturating_sub(1)),
            Action::Retry => {
                let failed = run.failed_plans();
                if failed.is_empty() || !run.finished {
                    self.dirty = false;
                    return vec![];
                }
                let overwrite = run.overwrite;
                let dir = run.dir.clone();
                // The same rows, in the same order: done files stay done.
                let mut again = DownloadRun::new(&job_id, dir, Vec::new(), overwrite);
                again.files = run
                    .files
                    .iter()
                    .map(|(p, s)| match s {
                        FileState::Done { .. } => (p.clone(), s.clone()),
                        _ => (p.clone(), FileState::Waiting),
                    })
                    .collect();
                again.totals = crate::jobs::fetch::Totals::new(failed.len());
                again.cursor = run.cursor;
                *run = again;
                return vec![Effect::Download {
                    job_id,
                    plans: failed,
                    overwrite,
                }];
            }
            Action::Merge => {
                let why = if !run.finished {
                    Some("the download is still running: merge once it is done")
                } else if run.merging {
                    Some("already merging")
                } else if !matches!(&run.ready, Some(Ok(_))) {
                    Some("no manifest.json for this download: nothing to merge from")
                } else {
                    None
                };
                let dir = match (&run.ready, why) {
                    (Some(Ok(r)), None) => r.dir.clone(),
                    (_, why) => {
                        let why = why.unwrap_or("no manifest.json for this download");
                        self.status = Some(Notice::new(Level::Info, why));
                        return vec![];
                    }
                };
                run.merging = true;
                run.merged = None;
                // The folder the manifest describes.
                return vec![Effect::MergeParts { job_id, dir }];
            }
            Action::OpenFilePreview => match run.files.get(run.cursor) {
                Some((_, FileState::Done { path, .. })) => {
                    return vec![Effect::LoadFilePreview { path: path.clone() }];
                }
                _ => {
                    self.status = Some(Notice::new(
                        Level::Info,
                        "that file is not downloaded (yet)",
                    ));
                }
            },
            _ => self.dirty = false,
        }
        vec![]
    }
}

impl App {
    /// A job folder's manifest read from disk (when its detail opened).
    pub(crate) fn manifest_found(&mut self, job_id: String, ready: Option<Ready>) -> Vec<Effect> {
        match ready {
            Some(r) => {
                self.ready.insert(job_id, r);
            }
            None => self.dirty = false,
        }
        vec![]
    }

    /// What merging a job's parts did.
    pub(crate) fn merged(
        &mut self,
        job_id: &str,
        result: Result<Vec<String>, MergeError>,
    ) -> Vec<Effect> {
        let (notice, shown) = match result {
            Ok(lines) => (
                Notice::new(
                    Level::Success,
                    lines.first().cloned().unwrap_or_else(|| "merged".into()),
                ),
                Ok(lines),
            ),
            Err(MergeError::KeptApart(why)) => (
                Notice::new(
                    Level::Info,
                    "not merged: Parquet and Avro parts are kept apart (F4 says why)",
                ),
                Err(format!("not merged: {why}")),
            ),
            Err(MergeError::Refused(why)) => (
                Notice::new(Level::Error, format!("not merged: {why}")),
                Err(format!("not merged: {why}")),
            ),
        };
        self.status = Some(notice);
        if let Some(run) = self.downloads.iter_mut().rev().find(|d| d.job_id == job_id) {
            run.merging = false;
            run.merged = Some(shown);
        }
        vec![]
    }
}
