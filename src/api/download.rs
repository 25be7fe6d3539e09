//! Downloading a part from its pre-signed URL: streamed to a temporary
//! file, resumable, gzip detected by magic bytes and decompressed, renamed
//! to the final name only when complete, never over an existing file.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};
use tokio::io::AsyncWriteExt;

use super::client::ApiClient;
use super::error::ApiError;

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

impl ApiClient {
    /// Download `url` into `dir/filename` (decompressed and without `.gz`
    /// when the content is gzip). A `.part` file left by an interrupted
    /// attempt is resumed with a Range request when the server allows it.
    pub async fn download(
        &self,
        url: &str,
        dir: &Path,
        filename: &str,
        opts: DownloadOptions,
        mut on_progress: impl FnMut(DownloadProgress),
    ) -> Result<Downloaded, ApiError> {
        let url = reqwest::Url::parse(url)
            .map_err(|e| ApiError::Other(format!("bad download link: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(ApiError::Other("download links must be http(s)".into()));
        }
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

        let mut req = self.files.get(url.clone());
        if have > 0 {
            req = req.header(RANGE, format!("bytes={have}-"));
        }
        let mut resp = req
            .send()
            .await
            .map_err(|e| ApiError::from_transport(e, self.timeouts.connect, false))?;
        let status = resp.status();
        let (resumed, mut received, total) = match status {
            StatusCode::PARTIAL_CONTENT if have > 0 => {
                let total = resp
                    .headers()
                    .get(CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit('/').next())
                    .and_then(|t| t.parse::<u64>().ok());
                (true, have, total)
            }
            StatusCode::RANGE_NOT_SATISFIABLE if have > 0 => {
                // Usually: the partial file is already whole. Verify below.
                (true, have, Some(have))
            }
            s if s.is_success() => (false, 0, resp.content_length()),
            s => {
                let body = super::body::read_capped(resp, 64 * 1024, self.timeouts.download_idle)
                    .await
                    .unwrap_or_default();
                let text = super::body::excerpt(&body);
                let hint = if s == StatusCode::FORBIDDEN {
                    "; download links expire 2 days after the job: fetch the job status again for fresh ones"
                } else {
                    ""
                };
                return Err(ApiError::Http {
                    status: s.as_u16(),
                    excerpt: format!("{text}{hint}"),
                });
            }
        };

        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(resumed)
            .truncate(!resumed)
            .open(&part)
            .await
            .map_err(io_err(&part))?;
        on_progress(DownloadProgress { received, total });
        let mut transferred = 0u64;
        if status != StatusCode::RANGE_NOT_SATISFIABLE {
            loop {
                let chunk = match resp.chunk().await {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(e) => {
                        let _ = file.flush().await;
                        return Err(interrupted(e, received, total));
                    }
                };
                file.write_all(&chunk).await.map_err(io_err(&part))?;
                received += chunk.len() as u64;
                transferred += chunk.len() as u64;
                on_progress(DownloadProgress { received, total });
            }
        }
        file.flush().await.map_err(io_err(&part))?;
        file.sync_all().await.map_err(io_err(&part))?;
        drop(file);
        if let Some(t) = total
            && received < t
        {
            return Err(ApiError::ConnectionLost {
                host: super::error::host_port(&url),
                detail: format!(
                    "got {received} of {t} bytes; the partial file is kept and the next try resumes"
                ),
                maybe_sent: false,
            });
        }

        let dir = dir.to_owned();
        let filename = filename.to_owned();
        let keep = opts.keep_compressed;
        let overwrite = opts.overwrite;
        let (path, size, decompressed) =
            tokio::task::spawn_blocking(move || finish(&dir, &part, &filename, keep, overwrite))
                .await
                .map_err(|e| ApiError::Other(format!("finishing the download failed: {e}")))??;
        Ok(Downloaded {
            path,
            transferred,
            size,
            decompressed,
            resumed,
        })
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

/// Decompress (if gzip) and move the complete `.part` into place.
fn finish(
    dir: &Path,
    part: &Path,
    filename: &str,
    keep_compressed: bool,
    overwrite: bool,
) -> Result<(PathBuf, u64, bool), ApiError> {
    let mut magic = [0u8; 2];
    let is_gzip = std::fs::File::open(part)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [0x1f, 0x8b];
    if is_gzip && !keep_compressed {
        let name = decompressed_name(filename);
        let target = dir.join(&name);
        let tmp = dir.join(format!(".{name}.unzip"));
        let result = (|| -> std::io::Result<u64> {
            let input = std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(part)?);
            let mut decoder = flate2::read::MultiGzDecoder::new(input);
            let mut out =
                std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(&tmp)?);
            let n = std::io::copy(&mut decoder, &mut out)?;
            out.flush()?;
            out.get_ref().sync_all()?;
            Ok(n)
        })();
        let size = match result {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                let _ = std::fs::remove_file(part);
                return Err(ApiError::Io {
                    path: part.display().to_string(),
                    source: std::io::Error::new(
                        e.kind(),
                        format!(
                            "the gzip part is damaged ({e}); it was removed, download it again"
                        ),
                    ),
                });
            }
        };
        place(&tmp, &target, overwrite)?;
        let _ = std::fs::remove_file(part);
        Ok((target, size, true))
    } else {
        let target = dir.join(filename);
        let size = std::fs::metadata(part)
            .map(|m| m.len())
            .map_err(io_err(part))?;
        place(part, &target, overwrite)?;
        Ok((target, size, false))
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

    #[test]
    fn finish_decompresses_gzip_by_magic_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let part = partial_path(dir.path(), "p.csv");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"a,b\n1,2\n").unwrap();
        std::fs::write(&part, enc.finish().unwrap()).unwrap();
        // The name says csv, the bytes say gzip: the bytes win.
        let (path, size, unzipped) = finish(dir.path(), &part, "p.csv", false, false).unwrap();
        assert!(unzipped);
        assert_eq!(size, 8);
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n1,2\n");
        assert!(!part.exists());

        std::fs::write(&part, b"plain").unwrap();
        let e = finish(dir.path(), &part, "p.csv", false, false).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n1,2\n");
    }
}
