//! `manifest.json`: what a job's download folder holds, for analysis tools
//! and people. Written by [`crate::jobs::fetch::fetch_job`] after a job's
//! files are downloaded, for every front end, atomically (a temporary
//! file renamed into place) and last, so a manifest never describes files
//! that are not all there as it says.
//!
//! It holds the job id, the server and environment, the exact request body
//! (from this computer's history, when the job was submitted here), the
//! format, the time range, each file (name, size, SHA-256, and the row
//! count where that is cheap: counted while downloading for NDJSON and
//! CSV, read from the footer or block headers for Parquet and Avro), the
//! schema (a simple column list) and the one DuckDB command that opens the
//! folder.
//!
//! Files of this job saved by an earlier run and not fetched now (a retry
//! of the failed ones, `download --only`) are carried over from the
//! previous manifest while they are unchanged (same size, not modified
//! since it was written); otherwise they are not listed, and `complete`
//! says whether every part the job has is there.

mod duckdb;
pub mod inspect;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::api::{FileTally, tally_file};
use crate::export::Format;
use crate::jobs::StoreAccess;

pub use duckdb::{AVRO_NOTE, dataset_line as duckdb_dataset_line, line as duckdb_line};
pub use inspect::Column;

/// The manifest's file name in a job's folder.
pub const MANIFEST_NAME: &str = "manifest.json";
/// Its layout's version (a reader checks it before trusting the fields).
pub const MANIFEST_VERSION: u32 = 1;

/// What is known of a job besides its files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFacts {
    pub job_id: String,
    /// The API server the job is on.
    pub base_url: String,
    pub environment_name: Option<String>,
    pub environment_app_token: Option<String>,
    /// The request body exactly as sent (history), when this computer
    /// sent it.
    pub request_json: Option<String>,
    /// How many parts the job lists, when known.
    pub parts: Option<usize>,
}

impl JobFacts {
    /// A job known by its id only.
    pub fn unknown(job_id: &str, base_url: &str) -> JobFacts {
        JobFacts {
            job_id: job_id.to_owned(),
            base_url: base_url.to_owned(),
            ..Default::default()
        }
    }
}

/// What history knows of `job_id` on `base_url`: its environment, the
/// request as sent and the parts of its last status. A store that cannot
/// be read gives what is known without it (logged).
pub async fn facts(store: &impl StoreAccess, base_url: &str, job_id: &str) -> JobFacts {
    let mut f = JobFacts::unknown(job_id, base_url);
    let (base, id) = (base_url.to_owned(), job_id.to_owned());
    match store.with(move |s| s.by_job(&base, &id)).await {
        Ok(Some(e)) => {
            f.request_json = Some(e.request_json);
            if let Some(c) = e.created {
                f.environment_name = c.environment_name;
                f.environment_app_token = c.environment_app_token;
            }
            f.parts = e.job.map(|j| j.files.len()).filter(|n| *n > 0);
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(job = job_id, "history not read for the manifest: {e}"),
    }
    f
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    pub name: Option<String>,
    pub app_token: Option<String>,
}

/// The request's `from` and `to`, as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One file in the folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The part's number in the job (1-based), as `status` lists it.
    pub part: usize,
    /// The file's name in the folder.
    pub name: String,
    pub size: u64,
    /// Lowercase hex, of the file as saved.
    pub sha256: String,
    /// Rows, where cheap to know (none for a still-compressed part).
    pub rows: Option<u64>,
    /// As its content says (never its name).
    pub format: Option<Format>,
    /// Still gzip-compressed (`--keep-gz`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gzip: bool,
    /// Its columns, when they differ from the manifest's `schema`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<Column>>,
    /// What could not be read in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The columns of the job's files (those of its first file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// The file they were read from.
    pub from: String,
    pub columns: Vec<Column>,
}

/// The file `download --merge` made of the parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedEntry {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub rows: Option<u64>,
}

/// `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub manifest_version: u32,
    pub written_by: String,
    pub written_at: DateTime<Utc>,
    pub job_id: String,
    pub server: Option<String>,
    pub environment: Option<Environment>,
    /// The request body exactly as sent; `null` when not in this
    /// computer's history.
    pub request: Option<Box<RawValue>>,
    /// As requested (else as the files are).
    pub format: Option<Format>,
    pub time_range: Option<TimeRange>,
    /// Parts the job has, when known.
    pub parts_expected: Option<usize>,
    /// Every part is here (as far as known) and none failed.
    pub complete: bool,
    pub files: Vec<FileEntry>,
    /// The sum of the files' rows, when every file's is known.
    pub rows: Option<u64>,
    pub schema: Option<Schema>,
    /// The command that opens the folder in DuckDB.
    pub duckdb: Option<String>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<MergedEntry>,
    /// The sync partition this folder is (`upexport sync`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<PartitionFacts>,
}

/// Which partition of which sync a manifest describes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionFacts {
    pub sync: String,
    /// The folder's `dt=` value.
    pub dt: String,
    /// The days it covers, both included (UTC).
    pub first: String,
    pub last: String,
}

/// A file saved by this run.
#[derive(Clone, Debug)]
pub struct SavedFile {
    /// 0-based, as in the job's `presigned_urls`.
    pub index: usize,
    pub path: PathBuf,
    /// Counted while downloading; `None` for a file saved before (read
    /// again now).
    pub tally: Option<FileTally>,
}

/// What a front end shows once a job's folder is ready.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ready {
    pub job_id: String,
    pub dir: PathBuf,
    pub manifest: PathBuf,
    pub files: usize,
    pub rows: Option<u64>,
    /// As the files are.
    pub format: Option<Format>,
    pub complete: bool,
    /// The DuckDB command, or why there is none.
    pub duckdb: Result<String, String>,
    /// Problems reading files, each naming its file.
    pub problems: Vec<String>,
}

impl Ready {
    fn of(m: &Manifest, dir: &Path) -> Ready {
        Ready {
            job_id: m.job_id.clone(),
            dir: dir.to_owned(),
            manifest: dir.join(MANIFEST_NAME),
            files: m.files.len(),
            rows: m.rows,
            format: files_format(&m.files).map(|(f, _)| f),
            complete: m.complete,
            duckdb: m.duckdb.clone().ok_or_else(|| {
                m.notes
                    .iter()
                    .find(|n| n.starts_with("no DuckDB command"))
                    .cloned()
                    .unwrap_or_else(|| "no DuckDB command".into())
            }),
            problems: m.files.iter().filter_map(|f| f.problem.clone()).collect(),
        }
    }

    /// The lines the CLI prints and the TUI shows.
    pub fn lines(&self) -> Vec<String> {
        let rows = self.rows.map(|r| format!(", {r} rows")).unwrap_or_default();
        let s = if self.files == 1 { "" } else { "s" };
        let mut out = vec![format!(
            "manifest: {} ({} file{s}{rows}, SHA-256 of each)",
            self.manifest.display(),
            self.files
        )];
        if !self.complete {
            out.push("  not every part of the job is here: the manifest lists what is".into());
        }
        for p in &self.problems {
            out.push(format!("  {p}"));
        }
        match &self.duckdb {
            Ok(l) => {
                out.push(format!("open in DuckDB: {l}"));
                if self.format == Some(Format::Avro) {
                    out.push(format!("  ({AVRO_NOTE})"));
                }
            }
            Err(why) => out.push(format!("  {why}")),
        }
        out
    }
}

/// The format all `files` share (and whether any is gzip), if they do.
fn files_format(files: &[FileEntry]) -> Option<(Format, bool)> {
    let first = files.first()?.format?;
    files
        .iter()
        .all(|f| f.format == Some(first))
        .then(|| (first, files.iter().any(|f| f.gzip)))
}

/// Read `dir`'s manifest.
pub fn read(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join(MANIFEST_NAME);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let m: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not a manifest upexport can read: {e}", path.display()))?;
    if m.manifest_version > MANIFEST_VERSION {
        return Err(format!(
            "{}: written by a newer upexport (manifest version {})",
            path.display(),
            m.manifest_version
        ));
    }
    Ok(m)
}

/// The folder's manifest as a [`Ready`], if there is one upexport reads.
pub fn ready_in(dir: &Path) -> Option<Ready> {
    read(dir).ok().map(|m| Ready::of(&m, dir))
}

/// Write `dir/manifest.json` for the files saved now (`saved`) and those
/// of the previous manifest still unchanged; `failed` files of this run
/// make it incomplete. Blocking (reads files saved before, headers and
/// footers).
pub fn write(
    dir: &Path,
    facts: &JobFacts,
    saved: &[SavedFile],
    failed: usize,
) -> Result<Ready, String> {
    let notes = Vec::new();
    let mut files: Vec<(FileEntry, Option<Vec<Column>>)> = Vec::new();
    for s in saved {
        let name = file_name(&s.path);
        let tally = match &s.tally {
            Some(t) => t.clone(),
            None => tally_file(&s.path).map_err(|e| format!("{}: {e}", s.path.display()))?,
        };
        let found = inspect::inspect(&s.path, &tally);
        files.push((
            FileEntry {
                part: s.index + 1,
                name,
                size: tally.size,
                sha256: tally.sha256,
                rows: found.rows,
                format: found.format,
                gzip: found.gzip,
                columns: None,
                problem: found.problem,
            },
            found.columns,
        ));
    }
    // Files of the job saved before and not fetched now.
    let previous = read(dir).ok();
    let written_before = std::fs::metadata(dir.join(MANIFEST_NAME))
        .and_then(|m| m.modified())
        .ok();
    if let Some(prev) = &previous
        && prev.job_id == facts.job_id
    {
        for e in &prev.files {
            if files
                .iter()
                .any(|(f, _)| f.name == e.name || f.part == e.part)
            {
                continue;
            }
            let unchanged = std::fs::metadata(dir.join(&e.name)).is_ok_and(|m| {
                m.is_file()
                    && m.len() == e.size
                    && written_before.is_some_and(|w| m.modified().is_ok_and(|t| t <= w))
            });
            if unchanged {
                let cols = e
                    .columns
                    .clone()
                    .or_else(|| prev.schema.as_ref().map(|s| s.columns.clone()));
                files.push((
                    FileEntry {
                        columns: None,
                        ..e.clone()
                    },
                    cols,
                ));
            }
        }
    }
    let manifest = assemble(dir, facts, files, failed, notes);
    save(dir, &manifest)?;
    Ok(Ready::of(&manifest, dir))
}

/// The manifest of `files` (each with its columns, when read) of the job
/// `facts` tells of, in folder `dir` (a local path or a store's URL, for
/// the DuckDB command); `failed` parts make it incomplete; `notes` so far.
pub fn assemble(
    dir: &Path,
    facts: &JobFacts,
    mut files: Vec<(FileEntry, Option<Vec<Column>>)>,
    failed: usize,
    mut notes: Vec<String>,
) -> Manifest {
    files.sort_by_key(|(f, _)| f.part);

    let schema = files.iter().find_map(|(f, c)| {
        c.clone().map(|columns| Schema {
            from: f.name.clone(),
            columns,
        })
    });
    let mut differ = Vec::new();
    let files: Vec<FileEntry> = files
        .into_iter()
        .map(|(mut f, cols)| {
            if cols.is_some() && cols.as_ref() != schema.as_ref().map(|s| &s.columns) {
                differ.push(f.name.clone());
                f.columns = cols;
            }
            f
        })
        .collect();
    if !differ.is_empty() {
        notes.push(format!(
            "these files have other columns than {}: {} (each lists its own)",
            schema
                .as_ref()
                .map(|s| s.from.as_str())
                .unwrap_or("the first"),
            differ.join(", ")
        ));
    }

    let request: Option<serde_json::Value> = facts
        .request_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let asked = request
        .as_ref()
        .and_then(|r| r.get("format"))
        .and_then(|f| f.as_str())
        .and_then(|f| f.parse::<Format>().ok());
    let on_disk = files_format(&files);
    match (asked, on_disk) {
        (Some(a), Some((d, _))) if a != d => notes.push(format!(
            "the request asked for {a}, the files are {d} (told by their content)"
        )),
        (_, None) if files.len() > 1 && files.iter().any(|f| f.format.is_some()) => {
            notes.push("the files are not all of one format".into())
        }
        _ => {}
    }
    if facts.request_json.is_none() {
        notes.push(
            "the request body is not in this computer's history (the job was submitted elsewhere or the history was cleared)".into(),
        );
    }
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let duckdb = match on_disk {
        Some((format, gzip)) => duckdb::line(dir, &names, format, gzip),
        None => Err("the files' format is not known".into()),
    };
    let duckdb = match duckdb {
        Ok(l) => Some(l),
        Err(why) => {
            notes.push(format!("no DuckDB command: {why}"));
            None
        }
    };
    let time_range = request.as_ref().map(|r| TimeRange {
        from: r.get("from").and_then(|v| v.as_str()).map(str::to_owned),
        to: r.get("to").and_then(|v| v.as_str()).map(str::to_owned),
    });
    let rows = files.iter().map(|f| f.rows).sum::<Option<u64>>();
    let complete = failed == 0 && facts.parts.is_none_or(|n| files.len() >= n);
    let environment = (facts.environment_name.is_some() || facts.environment_app_token.is_some())
        .then(|| Environment {
            name: facts.environment_name.clone(),
            app_token: facts.environment_app_token.clone(),
        });
    Manifest {
        manifest_version: MANIFEST_VERSION,
        written_by: format!("upexport {}", env!("CARGO_PKG_VERSION")),
        written_at: Utc::now(),
        job_id: facts.job_id.clone(),
        server: Some(facts.base_url.clone()).filter(|b| !b.is_empty()),
        environment,
        request: facts
            .request_json
            .clone()
            .and_then(|r| RawValue::from_string(r).ok()),
        format: asked.or(on_disk.map(|(f, _)| f)),
        time_range,
        parts_expected: facts.parts,
        complete,
        files,
        rows,
        schema,
        duckdb,
        notes,
        merged: None,
        partition: None,
    }
}

/// Write the manifest atomically: a temporary file in the same folder,
/// flushed to disk, renamed over `manifest.json`.
pub(crate) fn save(dir: &Path, m: &Manifest) -> Result<(), String> {
    let path = dir.join(MANIFEST_NAME);
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut text = serde_json::to_vec_pretty(m).map_err(|e| e.to_string())?;
    text.push(b'\n');
    let tmp = dir.join(format!(".{MANIFEST_NAME}.{}.tmp", std::process::id()));
    let written = (|| {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
