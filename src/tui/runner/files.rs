//! Lookups (cached per profile), download plans, downloads and previews.

use std::path::PathBuf;

use super::Runner;
use super::Task;
use crate::jobs::fetch::{FetchOptions, FilePlan, fetch_job, plan};
use crate::jobs::manifest::{self, JobFacts};
use crate::jobs::merge::{MergeError, merge};
use crate::jobs::track::look_recorded;
use crate::tui::msg::{LookupItems, Msg};

impl Runner {
    pub(super) fn load_lookup(&self, name: String, refresh: bool) {
        let (client, tx, cache) = (
            self.client.clone(),
            self.tx.clone(),
            self.lookup_cache.clone(),
        );
        tokio::spawn(async move {
            let result = match client.get().await {
                Err(e) => Err(e),
                Ok(c) => {
                    let got = match &cache {
                        Some(cache) => crate::jobs::lookups::load(cache, &c, &name, refresh).await,
                        None => crate::jobs::lookups::fetch(None, &c, &name).await,
                    };
                    got.map(|got| LookupItems {
                        items: got.items,
                        fetched_at: got.fetched_at,
                        // Only a list that may be cut off is flagged; one
                        // that stopped early but is whole is just a list.
                        warning: got.short_warning.filter(|_| !got.complete),
                    })
                    .map_err(|e| e.to_string())
                }
            };
            let _ = tx.send(Msg::LookupLoaded { name, result });
        });
    }

    /// Fresh links (they expire) and what is already in `dir/<job id>/`.
    /// The answer is saved in history; a 404 is recorded as `expired`.
    pub(super) fn plan_download(&self, job_id: String, dir: PathBuf) {
        let (client, store, tx) = (self.client.clone(), self.store.clone(), self.tx.clone());
        let profile = self.profile.clone();
        tokio::spawn(async move {
            let looked = match (client.get().await, store.get().await) {
                (Err(e), _) | (_, Err(e)) => Err(e),
                (Ok(c), Ok(store)) => {
                    let looked = look_recorded(&store, &c, &profile, &job_id).await;
                    if looked.gone {
                        let _ = tx.send(Msg::JobGone {
                            base_url: c.base_url().as_str().to_owned(),
                            job_id: job_id.clone(),
                        });
                    }
                    Ok(looked.result)
                }
            };
            let result = match looked {
                Err(e) => Err(e),
                Ok(Ok(s)) if s.presigned_urls.is_empty() => Err(format!(
                    "the job is {} and lists no files",
                    s.status.as_deref().unwrap_or("in an unknown state")
                )),
                Ok(Ok(s)) => Ok(plan(&job_id, &s, &dir, None)),
                Ok(Err(e)) => Err(e.to_string()),
            };
            let _ = tx.send(Msg::DownloadPlanned { job_id, result });
        });
    }

    pub(super) fn download(&mut self, job_id: String, plans: Vec<FilePlan>, overwrite: bool) {
        let (client, store, tx) = (self.client.clone(), self.store.clone(), self.tx.clone());
        let id = job_id.clone();
        let task = tokio::spawn(async move {
            let Ok(c) = client.get().await else {
                return;
            };
            // What history knows of the job, for its manifest.
            let base = c.base_url().as_str().to_owned();
            let facts = match store.get().await {
                Ok(s) => manifest::facts(&s, &base, &id).await,
                Err(_) => JobFacts::unknown(&id, &base),
            };
            let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
            let opts = FetchOptions {
                overwrite,
                keep_compressed: false,
            };
            let run = fetch_job(&c, plans, opts, facts, etx);
            let forward = async {
                while let Some(event) = erx.recv().await {
                    let _ = tx.send(Msg::Fetch {
                        job_id: id.clone(),
                        event,
                    });
                }
            };
            tokio::join!(run, forward);
        });
        self.fetches.retain(|_, t| !t.0.is_finished());
        self.fetches.insert(job_id, Task(task));
    }

    /// The manifest in a job's folder, if any (for its detail view).
    pub(super) fn find_manifest(&self, job_id: String, dir: PathBuf) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let ready = manifest::ready_in(&dir);
            let _ = tx.send(Msg::ManifestFound { job_id, ready });
        });
    }

    /// `m` in the downloads view.
    pub(super) fn merge_parts(&self, job_id: String, dir: PathBuf) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = tokio::task::spawn_blocking(move || merge(&dir, false))
                .await
                .unwrap_or_else(|e| Err(MergeError::Refused(format!("merging failed: {e}"))))
                .map(|m| m.lines());
            let _ = tx.send(Msg::Merged { job_id, result });
        });
    }

    pub(super) fn load_file_preview(&self, path: PathBuf) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = crate::jobs::file_preview::preview(&path, 200).map(Box::new);
            let _ = tx.send(Msg::FilePreviewLoaded { path, result });
        });
    }
}
