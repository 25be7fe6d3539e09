//! Downloading a part from its pre-signed URL: streamed to a temporary
//! file, resumable (only with the same job's same file, checked against
//! its record and the server's answer: `download_record`), gzip detected
//! by magic bytes and decompressed, renamed to the final name only when
//! complete, never over an existing file.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE};

use super::client::ApiClient;
use super::download_record::{
    DownloadRecord, Resume, Saved, Validators, check_partial, check_whole, decide, read_record,
    record_path, write_record,
};
use super::error::ApiError;
use super::tally::{FileTally, Tallied, Tally};

/// Where the bytes of an answer go.
enum Start {
    /// After the `from` bytes of `.part` (a checked 206).
    Append {
        from: u64,
        total: Option<u64>,
        record: DownloadRecord,
    },
    /// `.part` is the whole file already (a checked 416).
    Whole { have: u64, record: DownloadRecord },
    /// From the start (a 200).
    Fresh,
}

/// How a download should treat what is already on disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DownloadOptions {
    /// Replace an existing file of the final name.
    pub overwrite: bool,
    /// Keep gzip parts compressed (default: decompress).
    pub keep_compressed: bool,
}

/// Progress of one file, reported as chunks arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DownloadProgress {
    /// Bytes of the file on disk so far (including a resumed prefix).
    pub received: u64,
    /// The whole file's size when the server said it.
    pub total: Option<u64>,
}

/// A finished download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Downloaded {
    pub path: PathBuf,
    /// Bytes transferred in this call (less than the file when resumed).
    pub transferred: u64,
    /// Size of the final file.
    pub size: u64,
    pub decompressed: bool,
    pub resumed: bool,
    /// Why a partial file was not resumed, when there was one.
    pub started_over: Option<String>,
    /// The saved file's SHA-256 and lines, counted while writing it.
    pub tally: FileTally,
}

/// The temporary name a part is downloaded under (hidden, same directory).
pub fn partial_path(dir: &Path, filename: &str) -> PathBuf {
    dir.join(format!(".{filename}.part"))
}

/// The name a gzip part is saved under once decompressed.
pub fn decompressed_name(filename: &str) -> String {
    filename
        .strip_suffix(".gz")
        .or_else(|| filename.strip_suffix(".gzip"))
        .filter(|s| !s.is_empty())
        .unwrap_or(filename)
        .to_owned()
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ApiError + '_ {
    move |source| ApiError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn exists_error(path: &Path) -> ApiError {
    ApiError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "already exists; not overwritten (use --overwrite, or another directory)",
        ),
    }
}

/// A download link, checked: http(s) only.
fn link_url(url: &str) -> Result<reqwest::Url, ApiError> {
    let url =
        reqwest::Url::parse(url).map_err(|e| ApiError::Other(format!("bad download link: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(ApiError::Other("download links must be http(s)".into()));
    }
    Ok(url)
}

impl ApiClient {
    /// The error of a download link's answer that is not a success.
    async fn link_refused(&self, resp: reqwest::Response) -> ApiError {
        let s = resp.status();
        let body = super::body::read_capped(resp, 64 * 1024, self.timeouts.download_idle)
            .await
            .unwrap_or_default();
        let text = super::body::excerpt(&body);
        let hint = if s == StatusCode::FORBIDDEN {
            "; download links expire 2 days after the job: fetch the job status again for fresh ones"
        } else {
            ""
        };
        ApiError::Http {
            status: s.as_u16(),
            excerpt: format!("{text}{hint}"),
        }
    }

    /// GET download link `url` (without the API key, as every download),
    /// for a caller that streams the body elsewhere (`upexport sync`):
    /// the answer once it is a success, else why not.
    pub async fn open_link(&self, url: &str) -> Result<reqwest::Response, ApiError> {
        let url = link_url(url)?;
        let resp = self
            .files()?
            .get(url)
            .send()
            .await
            .map_err(|e| ApiError::from_transport(e, self.timeouts.connect, false))?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(self.link_refused(resp).await)
        }
    }

    /// Download `url`, file `filename` of job `job_id`, into
    /// `dir/filename` (decompressed and without `.gz` when the content is
    /// gzip). A `.part` file left by an interrupted attempt is resumed
    /// with a Range request only when its record says it is this job's
    /// file and the server's answer continues exactly its bytes (see
    /// [`super::download_record`]); otherwise the file is downloaded
    /// from the start and [`Downloaded::started_over`] says why.
    pub async fn download(
        &self,
        url: &str,
        dir: &Path,
        job_id: &str,
        filename: &str,
        opts: DownloadOptions,
        mut on_progress: impl FnMut(DownloadProgress),
    ) -> Result<Downloaded, ApiError> {
        let url = link_url(url)?;
        for candidate in [filename.to_owned(), decompressed_name(filename)] {
            let p = dir.join(&candidate);
            if !opts.overwrite && p.exists() {
                return Err(exists_error(&p));
            }
        }
        tokio::fs::create_dir_all(dir).await.map_err(io_err(dir))?;
        let part = partial_path(dir, filename);
        let have = tokio::fs::metadata(&part)
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        let record = read_record(dir, filename);
        let mut plan = decide(record.as_ref(), job_id, filename, have);
        let mut started_over = match &plan {
            Resume::Fresh { why } => why.clone(),
            Resume::From { .. } => None,
        };
        // At most two requests: a resume the answer does not bear out is
        // asked for again from the start.
        let (mut resp, start) = loop {
            let mut req = self.files()?.get(url.clone());
            if let Resume::From { have, if_range, .. } = &plan {
                req = req.header(RANGE, format!("bytes={have}-"));
                if let Some(v) = if_range {
                    req = req.header(IF_RANGE, v);
                }
            }
            let resp = req
                .send()
                .await
                .map_err(|e| ApiError::from_transport(e, self.timeouts.connect, false))?;
            let status = resp.status();
            let header = |name| resp.headers().get(name).and_then(|v| v.to_str().ok());
            let checked = match (&plan, status) {
                (Resume::From { have, record, .. }, StatusCode::PARTIAL_CONTENT) => {
                    let v = Validators {
                        etag: header(ETAG),
                        last_modified: header(LAST_MODIFIED),
                    };
                    check_partial(*have, record, header(CONTENT_RANGE), v).map(|total| {
                        Start::Append {
                            from: *have,
                            total,
                            record: record.clone(),
                        }
                    })
                }
                (Resume::From { have, record, .. }, StatusCode::RANGE_NOT_SATISFIABLE) => {
                    check_whole(*have, record, header(CONTENT_RANGE)).map(|()| Start::Whole {
                        have: *have,
                        record: record.clone(),
                    })
                }
                (Resume::From { .. }, s) if s.is_success() => {
                    started_over = Some(
                        "the server sent the whole file instead of the rest (the file changed, or the server does not resume)"
                            .into(),
                    );
                    Ok(Start::Fresh)
                }
                (_, s) if s.is_success() => Ok(Start::Fresh),
                (_, _) => return Err(self.link_refused(resp).await),
            };
            match checked {
                Ok(start) => break (resp, start),
                Err(why) => {
                    tracing::info!(file = filename, "not resuming: {why}");
                    started_over = Some(why);
                    plan = Resume::Fresh { why: None };
                }
            }
        };
        let status = resp.status();
        let (resumed, mut received, total, mut record) = match start {
            Start::Append {
                from,
                total,
                record,
            } => (true, from, total, record),
            Start::Whole { have, record } => (true, have, Some(have), record),
            Start::Fresh => {
                // Nothing of another download may stay under this name:
                // the old bytes go first, then the record of the new ones.
                match tokio::fs::remove_file(&part).await {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(io_err(&part)(e));
                    }
                    _ => {}
                }
                let text = |name| {
                    resp.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| v.trim().to_owned())
                        .filter(|v| !v.is_empty())
                };
                let record = DownloadRecord {
                    job_id: job_id.to_owned(),
                    filename: filename.to_owned(),
                    size: resp.content_length(),
                    etag: text(ETAG),
                    last_modified: text(LAST_MODIFIED),
                    saved: None,
                };
                write_record(dir, &record).map_err(io_err(&record_path(dir, filename)))?;
                (false, 0, resp.content_length(), record)
            }
        };

        // The bytes go to a writer thread: it appends them to `.part` (kept
        // for resuming) and, for gzip, inflates them into the final file as
        // they arrive, so a download is not read twice and network and
        // inflate run side by side (like `curl | gunzip`).
        let (chunks, rx) = std::sync::mpsc::sync_channel::<bytes::Bytes>(WRITER_QUEUE);
        let job = WriteJob {
            dir: dir.to_owned(),
            part: part.clone(),
            filename: filename.to_owned(),
            append: resumed,
            inflate: !opts.keep_compressed,
        };
        let writer = tokio::task::spawn_blocking(move || job.run(rx));
        on_progress(DownloadProgress { received, total });
        let mut transferred = 0u64;
        let mut broke_off = None;
        if status != StatusCode::RANGE_NOT_SATISFIABLE {
            loop {
                let chunk = match resp.chunk().await {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(e) => {
                        broke_off = Some(e);
                        break;
                    }
                };
                let n = chunk.len() as u64;
                if chunks.send(chunk).is_err() {
                    // The writer stopped (disk error, damaged gzip): its
                    // result says why.
                    break;
                }
                received += n;
                transferred += n;
                on_progress(DownloadProgress { received, total });
            }
        }
        drop(chunks);
        let complete = broke_off.is_none() && total.is_none_or(|t| received >= t);
        let written = writer
            .await
            .map_err(|e| ApiError::Other(format!("writing the download failed: {e}")))?;
        let written = match written {
            Ok(w) => w,
            Err(WriteError::Io(e)) => return Err(io_err(&part)(e)),
            Err(WriteError::Damaged(e)) => return Err(damaged(&part, e)),
        };
        if let Some(e) = broke_off {
            written.abandon();
            return Err(interrupted(e, received, total));
        }
        if !complete {
            written.abandon();
            return Err(ApiError::ConnectionLost {
                host: super::error::host_port(&url),
                detail: format!(
                    "got {received} of {} bytes; the partial file is kept and the next try resumes",
                    total.unwrap_or_default()
                ),
                maybe_sent: false,
            });
        }

        let overwrite = opts.overwrite;
        let (path, size, decompressed, tally) =
            tokio::task::spawn_blocking(move || written.finish(overwrite))
                .await
                .map_err(|e| ApiError::Other(format!("finishing the download failed: {e}")))??;
        // Say what was saved, so a later run knows this file for this
        // job's (and its size). The file is whole either way.
        record.saved = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .map(|name| Saved { name, size });
        if let Err(e) = write_record(dir, &record) {
            tracing::warn!(file = filename, "could not record the saved file: {e}");
        }
        Ok(Downloaded {
            path,
            transferred,
            size,
            decompressed,
            resumed,
            started_over,
            tally,
        })
    }
}

/// Chunks (of up to a few tens of KB) waiting for the writer thread.
const WRITER_QUEUE: usize = 64;
/// Buffer of the inflated output and of re-reading a `.part` on resume.
const FILE_BUFFER: usize = 256 * 1024;

/// What the writer thread is given.
struct WriteJob {
    dir: PathBuf,
    part: PathBuf,
    filename: String,
    /// Resuming: `.part` already holds the start of the file.
    append: bool,
    /// Inflate gzip content (told by its magic bytes) into the final file.
    inflate: bool,
}

/// Why the writer stopped.
enum WriteError {
    Io(std::io::Error),
    /// The gzip content does not inflate.
    Damaged(std::io::Error),
}

/// Inflates into the final file, tallying what it writes there.
type Inflater = flate2::write::MultiGzDecoder<Tallied<std::io::BufWriter<std::fs::File>>>;

/// The writer's state once the bytes stopped coming.
struct Written {
    dir: PathBuf,
    part: PathBuf,
    filename: String,
    /// The `.part` file, flushed.
    file: std::fs::File,
    /// The inflater and its temporary output, for gzip content.
    inflated: Option<(Inflater, PathBuf)>,
    /// The bytes of `.part`, all of them (a resumed prefix too).
    raw: Tally,
}

impl WriteJob {
    fn run(self, rx: std::sync::mpsc::Receiver<bytes::Bytes>) -> Result<Written, WriteError> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(self.append)
            .write(true)
            .truncate(!self.append)
            .open(&self.part)
            .map_err(WriteError::Io)?;
        let mut inflated: Option<(Inflater, PathBuf)> = None;
        // Until two bytes are known, it is not known whether this is gzip.
        let mut head: Vec<u8> = Vec::new();
        let mut decided = !self.inflate;
        let start = |head: &[u8]| -> Result<Option<(Inflater, PathBuf)>, WriteError> {
            if head[..2] != [0x1f, 0x8b] {
                return Ok(None);
            }
            let tmp = self
                .dir
                .join(format!(".{}.unzip", decompressed_name(&self.filename)));
            let out = std::fs::File::create(&tmp).map_err(WriteError::Io)?;
            let mut inf = flate2::write::MultiGzDecoder::new(Tallied {
                inner: std::io::BufWriter::with_capacity(FILE_BUFFER, out),
                tally: Tally::default(),
            });
            inf.write_all(head).map_err(WriteError::Damaged)?;
            Ok(Some((inf, tmp)))
        };
        let feed = |bytes: &[u8],
                    head: &mut Vec<u8>,
                    decided: &mut bool,
                    inflated: &mut Option<(Inflater, PathBuf)>|
         -> Result<(), WriteError> {
            if let Some((inf, _)) = inflated.as_mut() {
                return inf.write_all(bytes).map_err(WriteError::Damaged);
            }
            if !*decided {
                head.extend_from_slice(bytes);
                if head.len() >= 2 {
                    *decided = true;
                    *inflated = start(head)?;
                    head.clear();
                }
            }
            Ok(())
        };
        let mut raw = Tally::default();
        let result = (|| {
            if self.append {
                // Resuming: what is already there is tallied (and
                // inflated) first; only this prefix is read again.
                let mut old = std::io::BufReader::with_capacity(
                    FILE_BUFFER,
                    std::fs::File::open(&self.part).map_err(WriteError::Io)?,
                );
                loop {
                    let buf = old.fill_buf().map_err(WriteError::Io)?;
                    if buf.is_empty() {
                        break;
                    }
                    let n = buf.len();
                    raw.update(buf);
                    feed(buf, &mut head, &mut decided, &mut inflated)?;
                    old.consume(n);
                }
            }
            for chunk in rx {
                file.write_all(&chunk).map_err(WriteError::Io)?;
                raw.update(&chunk);
                feed(&chunk, &mut head, &mut decided, &mut inflated)?;
            }
            file.flush().map_err(WriteError::Io)
        })();
        if let Err(e) = result {
            if let Some((_, tmp)) = inflated {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(e);
        }
        Ok(Written {
            dir: self.dir,
            part: self.part,
            filename: self.filename,
            file,
            inflated,
            raw,
        })
    }
}

impl Written {
    /// The download stopped early: keep `.part` for the next try, drop the
    /// half-inflated output.
    fn abandon(self) {
        if let Some((inf, tmp)) = self.inflated {
            drop(inf);
            let _ = std::fs::remove_file(tmp);
        }
    }

    /// Complete: finish inflating (checking the gzip trailer) or keep the
    /// bytes as they are, and move the file into place.
    fn finish(self, overwrite: bool) -> Result<(PathBuf, u64, bool, FileTally), ApiError> {
        let Some((mut inf, tmp)) = self.inflated else {
            self.file.sync_all().map_err(io_err(&self.part))?;
            drop(self.file);
            let target = self.dir.join(&self.filename);
            let size = std::fs::metadata(&self.part)
                .map(|m| m.len())
                .map_err(io_err(&self.part))?;
            place(&self.part, &target, overwrite)?;
            return Ok((target, size, false, self.raw.finish()));
        };
        drop(self.file);
        let result = inf.try_finish().and_then(|()| {
            let out = &mut inf.get_mut().inner;
            out.flush()?;
            out.get_ref().sync_all()?;
            out.get_ref().metadata().map(|m| m.len())
        });
        let tally = std::mem::take(&mut inf.get_mut().tally).finish();
        drop(inf);
        let size = match result {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(damaged(&self.part, e));
            }
        };
        let target = self.dir.join(decompressed_name(&self.filename));
        place(&tmp, &target, overwrite)?;
        let _ = std::fs::remove_file(&self.part);
        Ok((target, size, true, tally))
    }
}

/// A gzip part that does not inflate: removed, to be downloaded again.
fn damaged(part: &Path, e: std::io::Error) -> ApiError {
    let _ = std::fs::remove_file(part);
    ApiError::Io {
        path: part.display().to_string(),
        source: std::io::Error::new(
            e.kind(),
            format!("the gzip part is damaged ({e}); it was removed, download it again"),
        ),
    }
}

fn interrupted(e: reqwest::Error, received: u64, total: Option<u64>) -> ApiError {
    let host = e
        .url()
        .map(super::error::host_port)
        .unwrap_or_else(|| "the server".into());
    let of = total.map(|t| format!(" of {t}")).unwrap_or_default();
    ApiError::ConnectionLost {
        host,
        detail: format!(
            "download stopped after {received}{of} bytes; the partial file is kept and the next try resumes"
        ),
        maybe_sent: false,
    }
}

/// Move `from` to `to`; without `overwrite`, atomically refuse an existing
/// `to` (a hard link fails if the name exists) so a file that appeared
/// meanwhile is still never replaced.
fn place(from: &Path, to: &Path, overwrite: bool) -> Result<(), ApiError> {
    if overwrite {
        return std::fs::rename(from, to).map_err(io_err(to));
    }
    match std::fs::hard_link(from, to) {
        Ok(()) => std::fs::remove_file(from).map_err(io_err(from)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(from);
            Err(exists_error(to))
        }
        // Filesystems without hard links: check, then rename.
        Err(_) if !to.exists() => std::fs::rename(from, to).map_err(io_err(to)),
        Err(_) => Err(exists_error(to)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(decompressed_name("part-1.ndjson.gz"), "part-1.ndjson");
        assert_eq!(decompressed_name("part-1.csv"), "part-1.csv");
        assert_eq!(decompressed_name(".gz"), ".gz");
    }

    /// Run the writer over `chunks` (after `.part` held `prefix`, if any).
    fn write(
        dir: &Path,
        prefix: Option<&[u8]>,
        chunks: &[&[u8]],
        inflate: bool,
    ) -> Result<Written, WriteError> {
        let part = partial_path(dir, "p.csv");
        if let Some(p) = prefix {
            std::fs::write(&part, p).unwrap();
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(chunks.len() + 1);
        for c in chunks {
            tx.send(bytes::Bytes::copy_from_slice(c)).unwrap();
        }
        drop(tx);
        WriteJob {
            dir: dir.to_owned(),
            part,
            filename: "p.csv".into(),
            append: prefix.is_some(),
            inflate,
        }
        .run(rx)
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gzip_is_told_by_magic_inflated_as_it_streams_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let part = partial_path(dir.path(), "p.csv");
        let data = b"a,b\n1,2\n".repeat(1000);
        let z = gz(&data);
        // Split so the magic bytes arrive one at a time.
        let chunks: Vec<&[u8]> = vec![&z[..1], &z[1..2], &z[2..20], &z[20..]];
        let w = write(dir.path(), None, &chunks, true).ok().unwrap();
        // The name says csv, the bytes say gzip: the bytes win.
        let (path, size, unzipped, tally) = w.finish(false).unwrap();
        assert!(unzipped);
        assert_eq!(size, data.len() as u64);
        assert_eq!(
            tally,
            crate::api::tally_file(&path).unwrap(),
            "of the saved file"
        );
        assert_eq!((tally.size, tally.lines, tally.records), (size, 2000, 2000));
        assert_eq!(std::fs::read(&path).unwrap(), data);
        assert!(!part.exists());

        let w = write(dir.path(), None, &[b"plain"], true).ok().unwrap();
        let e = w.finish(false).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), data);
        assert!(!part.exists(), "the refused file is not left behind");
    }

    #[test]
    fn a_resumed_part_is_inflated_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let z = gz(&data);
        let (have, rest) = z.split_at(z.len() / 3);
        let w = write(dir.path(), Some(have), &[rest], true).ok().unwrap();
        let (path, _, unzipped, tally) = w.finish(false).unwrap();
        assert!(unzipped);
        assert_eq!(
            tally,
            crate::api::tally_file(&path).unwrap(),
            "prefix counted"
        );
        assert_eq!(std::fs::read(path).unwrap(), data);
    }

    #[test]
    fn kept_compressed_parts_and_cut_downloads_stay_as_part() {
        let dir = tempfile::tempdir().unwrap();
        let part = partial_path(dir.path(), "p.csv");
        let z = gz(b"hello");
        let w = write(dir.path(), None, &[&z], false).ok().unwrap();
        let (path, _, unzipped, tally) = w.finish(false).unwrap();
        assert!(!unzipped);
        assert_eq!(tally, crate::api::tally_file(&path).unwrap());
        assert_eq!(std::fs::read(path).unwrap(), z);

        // Cut after half: .part keeps the bytes, no inflated leftovers.
        let w = write(dir.path(), None, &[&z[..z.len() / 2]], true)
            .ok()
            .unwrap();
        w.abandon();
        assert_eq!(std::fs::read(&part).unwrap(), &z[..z.len() / 2]);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".unzip"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_resumed_plain_part_is_tallied_whole() {
        let dir = tempfile::tempdir().unwrap();
        let data = b"a,b\n1,2\n".repeat(500);
        let (have, rest) = data.split_at(1001);
        let w = write(dir.path(), Some(have), &[rest], true).ok().unwrap();
        let (path, _, unzipped, tally) = w.finish(false).unwrap();
        assert!(!unzipped);
        assert_eq!(std::fs::read(&path).unwrap(), data);
        assert_eq!(tally, crate::api::tally_file(&path).unwrap());
        assert_eq!(tally.records, 1000);
    }

    #[test]
    fn damaged_gzip_is_reported_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let part = partial_path(dir.path(), "p.csv");
        let mut z = gz(&b"x".repeat(10_000));
        let n = z.len();
        z[n - 6] ^= 0xff; // the CRC trailer
        let w = write(dir.path(), None, &[&z], true).ok().unwrap();
        let e = w.finish(false).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        assert!(!part.exists());
        // Garbage after a valid header fails while streaming.
        let mut bad = gz(b"y").to_vec();
        bad.truncate(10);
        bad.extend_from_slice(&[0xff; 64]);
        match write(dir.path(), None, &[&bad], true) {
            Err(WriteError::Damaged(_)) => {}
            Ok(w) => assert!(w.finish(false).is_err()),
            Err(WriteError::Io(e)) => panic!("{e}"),
        }
    }
}
