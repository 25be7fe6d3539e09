//! Downloads: choosing a job's files and a directory, then the progress of
//! each file and of the whole job.

mod update;
pub mod view;

use std::path::PathBuf;

use tui_input::Input;

use crate::api::OnDisk;
use crate::jobs::fetch::{FetchEvent, FilePlan, How, Totals};
use crate::jobs::manifest::Ready;

/// The "download this job" dialog.
#[derive(Clone, Debug)]
pub struct DownloadSetup {
    pub job_id: String,
    /// Where the files go (editable): they land in its `<job id>/`.
    pub dir: Input,
    /// The directory `plans` were made for.
    pub planned_dir: Option<PathBuf>,
    pub plans: Vec<FilePlan>,
    pub selected: Vec<bool>,
    pub overwrite: bool,
    /// 0: the directory field; 1..: the files.
    pub cursor: usize,
    pub loading: bool,
    pub error: Option<String>,
}

impl PartialEq for DownloadSetup {
    fn eq(&self, o: &Self) -> bool {
        self.job_id == o.job_id
            && self.dir.value() == o.dir.value()
            && self.plans == o.plans
            && self.selected == o.selected
            && self.overwrite == o.overwrite
            && self.cursor == o.cursor
    }
}

impl DownloadSetup {
    pub fn new(job_id: &str, dir: &str) -> DownloadSetup {
        DownloadSetup {
            job_id: job_id.to_owned(),
            dir: Input::new(dir.to_owned()).with_cursor(dir.chars().count()),
            planned_dir: None,
            plans: Vec::new(),
            selected: Vec::new(),
            overwrite: false,
            cursor: 0,
            loading: true,
            error: None,
        }
    }

    /// The directory as typed (`~` expanded).
    pub fn dir_path(&self) -> PathBuf {
        let raw = self.dir.value().trim();
        let raw = if raw.is_empty() { "." } else { raw };
        crate::config::expand_home(std::path::Path::new(raw))
    }

    pub fn planned(&mut self, plans: Vec<FilePlan>) {
        self.selected = vec![true; plans.len()];
        self.plans = plans;
        self.planned_dir = Some(self.dir_path());
        self.loading = false;
        self.error = None;
        self.cursor = self.cursor.min(self.plans.len());
    }

    /// The plans chosen to fetch.
    pub fn chosen(&self) -> Vec<FilePlan> {
        self.plans
            .iter()
            .zip(&self.selected)
            .filter(|(_, on)| **on)
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Chosen files whose name holds something that is not this job's
    /// file as upexport saved it (refused unless overwrite).
    pub fn clashes(&self) -> usize {
        self.plans
            .iter()
            .zip(&self.selected)
            .filter(|(p, on)| **on && matches!(p.on_disk, OnDisk::Other { .. }))
            .count()
    }
}

/// One file's state during a download.
#[derive(Clone, Debug, PartialEq)]
pub enum FileState {
    Waiting,
    Running {
        received: u64,
        total: Option<u64>,
    },
    Done {
        path: PathBuf,
        size: u64,
        decompressed: bool,
        how: How,
    },
    Failed {
        message: String,
    },
}

/// A job's download in progress (or finished).
#[derive(Clone, Debug)]
pub struct DownloadRun {
    pub job_id: String,
    /// The job's directory (`<chosen directory>/<job id>/`).
    pub dir: PathBuf,
    pub files: Vec<(FilePlan, FileState)>,
    pub totals: Totals,
    pub finished: bool,
    pub overwrite: bool,
    /// The selected file in the downloads view.
    pub cursor: usize,
    /// The folder's manifest once written (what opens it in DuckDB), or
    /// why it was not.
    pub ready: Option<Result<Ready, String>>,
    /// `m`: merging the parts.
    pub merging: bool,
    /// What the merge did (its lines), or why it did not.
    pub merged: Option<Result<Vec<String>, String>>,
}

impl DownloadRun {
    pub fn new(job_id: &str, dir: PathBuf, plans: Vec<FilePlan>, overwrite: bool) -> DownloadRun {
        let n = plans.len();
        DownloadRun {
            job_id: job_id.to_owned(),
            dir,
            files: plans.into_iter().map(|p| (p, FileState::Waiting)).collect(),
            totals: Totals::new(n),
            finished: false,
            overwrite,
            cursor: 0,
            ready: None,
            merging: false,
            merged: None,
        }
    }

    /// Apply an event from the fetcher.
    pub fn apply(&mut self, e: &FetchEvent) {
        self.totals.apply(e);
        let slot = |index: usize, files: &mut Vec<(FilePlan, FileState)>| {
            files.iter().position(|(p, _)| p.index == index)
        };
        match e {
            FetchEvent::Started {
                index,
                resumed_from,
            } => {
                if let Some(i) = slot(*index, &mut self.files) {
                    self.files[i].1 = FileState::Running {
                        received: *resumed_from,
                        total: None,
                    };
                }
            }
            FetchEvent::Progress {
                index,
                received,
                total,
            } => {
                if let Some(i) = slot(*index, &mut self.files) {
                    self.files[i].1 = FileState::Running {
                        received: *received,
                        total: *total,
                    };
                }
            }
            FetchEvent::Done {
                index,
                path,
                size,
                decompressed,
                how,
                ..
            } => {
                if let Some(i) = slot(*index, &mut self.files) {
                    self.files[i].1 = FileState::Done {
                        path: path.clone(),
                        size: *size,
                        decompressed: *decompressed,
                        how: how.clone(),
                    };
                }
            }
            FetchEvent::Failed { index, message, .. } => {
                if let Some(i) = slot(*index, &mut self.files) {
                    self.files[i].1 = FileState::Failed {
                        message: message.clone(),
                    };
                }
            }
            FetchEvent::Manifest(r) => self.ready = Some(r.clone()),
            FetchEvent::Finished { .. } => self.finished = true,
        }
    }

    /// The plans of the files that failed (for a retry, which resumes).
    pub fn failed_plans(&self) -> Vec<FilePlan> {
        self.files
            .iter()
            .filter(|(_, s)| matches!(s, FileState::Failed { .. }))
            .map(|(p, _)| p.clone())
            .collect()
    }

    pub fn counts(&self) -> (usize, usize, usize) {
        let done = self
            .files
            .iter()
            .filter(|(_, s)| matches!(s, FileState::Done { .. }))
            .count();
        let failed = self
            .files
            .iter()
            .filter(|(_, s)| matches!(s, FileState::Failed { .. }))
            .count();
        (done, failed, self.files.len())
    }
}
