//! What a download is a download *of*: a small hidden record beside it,
//! `.{filename}.download.json`, holding the job, the file name, the
//! server's size and validators (`ETag`, `Last-Modified`) and, once the
//! file is complete, the name and size it was saved under.
//!
//! It decides two things the bytes on disk cannot tell by themselves:
//! - whether a partial file (`.{filename}.part`) may be continued: only
//!   the same job's same file, and only when the server's answer says it
//!   continues exactly those bytes ([`decide`], [`check_partial`],
//!   [`check_whole`]); anything else starts over, saying why;
//! - whether a file already at the final name is this job's file as
//!   upexport saved it ([`on_disk`]): then it is kept as done; otherwise
//!   it is kept but not counted as downloaded.
//!
//! Where the vendor is silent (a guess, not documented): whether the file
//! host sends `ETag` or `Last-Modified`, honours `Range` or `If-Range`.
//! S3, which the pre-signed links look like, sends a strong `ETag` and
//! `Last-Modified` and honours both; with no validators at all a resume
//! needs the same job, file name and size on the server.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::download::decompressed_name;

/// The record of one download (one file of one job).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadRecord {
    pub job_id: String,
    /// The file's name as planned (the compressed name for gzip parts).
    pub filename: String,
    /// Bytes the server said the file has (`Content-Length` of the whole).
    pub size: Option<u64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Set once the file is complete and in place.
    pub saved: Option<Saved>,
}

/// Where a complete download was put.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// The file name in the same directory (decompressed or not).
    pub name: String,
    pub size: u64,
}

/// Where the record of `filename` lives in `dir`.
pub fn record_path(dir: &Path, filename: &str) -> PathBuf {
    dir.join(format!(".{filename}.download.json"))
}

/// The record of `filename` in `dir`; `None` when there is none or it
/// does not read (then nothing on disk is trusted).
pub fn read_record(dir: &Path, filename: &str) -> Option<DownloadRecord> {
    let text = std::fs::read(record_path(dir, filename)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Write the record (atomically, readable by the owner only).
pub fn write_record(dir: &Path, rec: &DownloadRecord) -> std::io::Result<()> {
    let body = serde_json::to_vec(rec).map_err(std::io::Error::other)?;
    crate::config::write_private(&record_path(dir, &rec.filename), &body)
}

/// How to ask for a file, given what is on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Ask for the rest: `Range: bytes={have}-`, with `If-Range` when
    /// there is a strong validator to send.
    From {
        have: u64,
        if_range: Option<String>,
        record: DownloadRecord,
    },
    /// Ask for the whole file; `why` says why bytes on disk are dropped.
    Fresh { why: Option<String> },
}

/// A strong validator for `If-Range`: the ETag unless weak (RFC 9110
/// forbids weak ones there), else the date.
fn if_range(rec: &DownloadRecord) -> Option<String> {
    rec.etag
        .clone()
        .filter(|e| !e.starts_with("W/"))
        .or_else(|| rec.last_modified.clone())
}

/// Whether the `have` bytes of the partial file may be continued as
/// `job_id`'s `filename`, by its record `rec`.
pub fn decide(rec: Option<&DownloadRecord>, job_id: &str, filename: &str, have: u64) -> Resume {
    let fresh = |why: String| Resume::Fresh { why: Some(why) };
    if have == 0 {
        return Resume::Fresh { why: None };
    }
    let Some(rec) = rec else {
        return fresh("the partial file has no record of what it is part of".into());
    };
    if rec.job_id != job_id {
        return fresh(format!(
            "the partial file was part of job {}, not this one",
            rec.job_id
        ));
    }
    if rec.filename != filename || rec.saved.is_some() {
        return fresh("the partial file's record is of another download".into());
    }
    if rec.size.is_some_and(|s| have > s) {
        return fresh(format!(
            "the partial file ({have} bytes) is larger than the file on the server"
        ));
    }
    let validator = if_range(rec);
    if validator.is_none() && rec.size.is_none() {
        return fresh(
            "the server gave neither a size nor a validator to check the partial file against"
                .into(),
        );
    }
    Resume::From {
        have,
        if_range: validator,
        record: rec.clone(),
    }
}

/// `bytes a-b/total` (`total` may be `*`): `(a, total)`.
fn content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.trim().split_once('-')?;
    let a: u64 = a.trim().parse().ok()?;
    let b: u64 = b.trim().parse().ok()?;
    if b < a {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((a, total))
}

/// The validators of an answer, to compare with a record's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Validators<'a> {
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// A validator the answer sent that differs from the record's.
fn changed(rec: &DownloadRecord, v: Validators<'_>) -> Option<String> {
    let differs = |had: &Option<String>, now: Option<&str>| matches!((had.as_deref(), now), (Some(a), Some(b)) if a != b.trim());
    if differs(&rec.etag, v.etag) {
        return Some("the file changed on the server (another ETag)".into());
    }
    if differs(&rec.last_modified, v.last_modified) {
        return Some("the file changed on the server (another Last-Modified)".into());
    }
    None
}

/// A 206 to `Range: bytes={have}-`: `Ok(total)` when it continues exactly
/// the bytes on disk of the same file; `Err(why)` otherwise.
pub fn check_partial(
    have: u64,
    rec: &DownloadRecord,
    range: Option<&str>,
    v: Validators<'_>,
) -> Result<Option<u64>, String> {
    let Some((start, total)) = range.and_then(content_range) else {
        return Err("the server's partial answer had no usable Content-Range".into());
    };
    if start != have {
        return Err(format!(
            "the server sent the file from byte {start}, but {have} bytes are on disk"
        ));
    }
    if let Some(size) = rec.size
        && total != Some(size)
    {
        let now = total.map_or_else(|| "not given".to_owned(), |t| format!("{t} bytes"));
        return Err(format!(
            "the file's size on the server is {now}, the partial file's record says {size} bytes"
        ));
    }
    if let Some(why) = changed(rec, v) {
        return Err(why);
    }
    Ok(total.or(rec.size))
}

/// A 416 to `Range: bytes={have}-`: `Ok` when the partial file is the
/// whole file already (`bytes */{have}`, the recorded size); `Err(why)`.
pub fn check_whole(have: u64, rec: &DownloadRecord, range: Option<&str>) -> Result<(), String> {
    let total = range
        .and_then(|v| v.trim().strip_prefix("bytes */"))
        .and_then(|t| t.trim().parse::<u64>().ok());
    if total == Some(have) && rec.size == Some(have) {
        Ok(())
    } else {
        Err("the server refused the range, and the partial file is not the whole file".into())
    }
}

/// What is at a download's final name already.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum OnDisk {
    /// Nothing: the file will be downloaded.
    #[default]
    Nothing,
    /// This job's file, as upexport saved it (same size): done already.
    Saved { path: PathBuf, size: u64 },
    /// Something else: kept, never passed off as this job's file.
    Other { path: PathBuf, why: String },
}

/// What is at `dir`'s final names for `job_id`'s `filename` (the
/// decompressed name, then the compressed one).
pub fn on_disk(dir: &Path, job_id: &str, filename: &str) -> OnDisk {
    let mut names = vec![decompressed_name(filename)];
    if names[0] != filename {
        names.push(filename.to_owned());
    }
    let Some((name, len)) = names.into_iter().find_map(|n| {
        let m = std::fs::metadata(dir.join(&n)).ok()?;
        Some((n, m.len()))
    }) else {
        return OnDisk::Nothing;
    };
    let path = dir.join(&name);
    let rec = read_record(dir, filename);
    let why = match rec.as_ref() {
        None => "upexport has no record of saving it".to_owned(),
        Some(r) if r.job_id != job_id => format!("its record says it is of job {}", r.job_id),
        Some(r) => match &r.saved {
            None => "its download was not finished".to_owned(),
            Some(s) if s.name != name => "its record is of another file".to_owned(),
            Some(s) if s.size != len => {
                format!("it is {len} bytes; upexport saved {}", s.size)
            }
            Some(_) => return OnDisk::Saved { path, size: len },
        },
    };
    OnDisk::Other { path, why }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(job: &str, size: Option<u64>, etag: Option<&str>, lm: Option<&str>) -> DownloadRecord {
        DownloadRecord {
            job_id: job.into(),
            filename: "f.csv.gz".into(),
            size,
            etag: etag.map(Into::into),
            last_modified: lm.map(Into::into),
            saved: None,
        }
    }

    fn why(r: Resume) -> String {
        match r {
            Resume::Fresh { why } => why.unwrap_or_default(),
            Resume::From { .. } => panic!("resumed: {r:?}"),
        }
    }

    #[test]
    fn decide_resumes_only_the_same_jobs_file_with_something_to_check() {
        let r = rec("A", Some(100), Some("\"e\""), Some("d"));
        assert_eq!(
            decide(Some(&r), "A", "f.csv.gz", 0),
            Resume::Fresh { why: None }
        );
        assert!(matches!(
            decide(Some(&r), "A", "f.csv.gz", 40),
            Resume::From { have: 40, if_range: Some(v), .. } if v == "\"e\""
        ));
        assert!(why(decide(None, "A", "f.csv.gz", 40)).contains("no record"));
        assert!(why(decide(Some(&r), "B", "f.csv.gz", 40)).contains("job A"));
        assert!(why(decide(Some(&r), "A", "g.csv.gz", 40)).contains("another download"));
        assert!(why(decide(Some(&r), "A", "f.csv.gz", 101)).contains("larger"));
        let done = DownloadRecord {
            saved: Some(Saved {
                name: "f.csv".into(),
                size: 9,
            }),
            ..r.clone()
        };
        assert!(matches!(
            decide(Some(&done), "A", "f.csv.gz", 40),
            Resume::Fresh { .. }
        ));
        // A weak ETag is not sent; the date is.
        let weak = rec("A", Some(100), Some("W/\"e\""), Some("d"));
        assert!(matches!(
            decide(Some(&weak), "A", "f.csv.gz", 40),
            Resume::From { if_range: Some(v), .. } if v == "d"
        ));
        // No validator: the size is enough; neither: start over.
        let bare = rec("A", Some(100), None, None);
        assert!(matches!(
            decide(Some(&bare), "A", "f.csv.gz", 40),
            Resume::From { if_range: None, .. }
        ));
        let nothing = rec("A", None, None, None);
        assert!(why(decide(Some(&nothing), "A", "f.csv.gz", 40)).contains("neither"));
    }

    #[test]
    fn a_206_must_continue_the_bytes_on_disk_of_the_same_file() {
        let r = rec("A", Some(100), Some("\"e\""), None);
        let none = Validators::default();
        assert_eq!(
            check_partial(40, &r, Some("bytes 40-99/100"), none),
            Ok(Some(100))
        );
        assert_eq!(
            check_partial(40, &r, Some("bytes 40-99/*"), none).map_err(|e| e.contains("not given")),
            Err(true)
        );
        let e = check_partial(40, &r, Some("bytes 0-99/100"), none).unwrap_err();
        assert!(e.contains("from byte 0") && e.contains("40 bytes"), "{e}");
        let e = check_partial(40, &r, Some("bytes 40-119/120"), none).unwrap_err();
        assert!(e.contains("size"), "{e}");
        for bad in [
            None,
            Some("bytes 40-"),
            Some("items 40-99/100"),
            Some("bytes 9-3/100"),
        ] {
            assert!(check_partial(40, &r, bad, none).is_err(), "{bad:?}");
        }
        let other = Validators {
            etag: Some("\"x\""),
            last_modified: None,
        };
        assert!(
            check_partial(40, &r, Some("bytes 40-99/100"), other)
                .unwrap_err()
                .contains("ETag")
        );
        // No recorded size: the validator stood for it (If-Range).
        let r = rec("A", None, Some("\"e\""), None);
        assert_eq!(check_partial(40, &r, Some("bytes 40-99/*"), none), Ok(None));

        let r = rec("A", Some(100), None, None);
        assert_eq!(check_whole(100, &r, Some("bytes */100")), Ok(()));
        assert!(check_whole(100, &r, Some("bytes */120")).is_err());
        assert!(check_whole(100, &rec("A", None, None, None), Some("bytes */100")).is_err());
    }

    #[test]
    fn files_on_disk_count_only_when_saved_by_this_job_at_that_size() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(on_disk(d, "A", "f.csv.gz"), OnDisk::Nothing);
        std::fs::write(d.join("f.csv"), b"12345").unwrap();
        let other = |o: OnDisk| match o {
            OnDisk::Other { why, .. } => why,
            o => panic!("{o:?}"),
        };
        assert!(other(on_disk(d, "A", "f.csv.gz")).contains("no record"));
        let mut r = rec("A", Some(3), None, None);
        write_record(d, &r).unwrap();
        assert!(other(on_disk(d, "A", "f.csv.gz")).contains("not finished"));
        r.saved = Some(Saved {
            name: "f.csv".into(),
            size: 5,
        });
        write_record(d, &r).unwrap();
        assert_eq!(
            on_disk(d, "A", "f.csv.gz"),
            OnDisk::Saved {
                path: d.join("f.csv"),
                size: 5
            }
        );
        assert!(other(on_disk(d, "B", "f.csv.gz")).contains("job A"));
        std::fs::write(d.join("f.csv"), b"123456").unwrap();
        assert!(other(on_disk(d, "A", "f.csv.gz")).contains("6 bytes"));
        // A record that does not parse is no record.
        std::fs::write(record_path(d, "f.csv.gz"), b"{not json").unwrap();
        assert!(other(on_disk(d, "A", "f.csv.gz")).contains("no record"));
        assert_eq!(read_record(d, "f.csv.gz"), None);
    }
}
