//! `download --merge` (and `m` in the TUI's downloads view): the parts of
//! a CSV or NDJSON job joined into one file beside the job's folder,
//! `DIR/<job id>.csv` or `DIR/<job id>.ndjson` (outside it, so the
//! folder's DuckDB glob does not read every row twice). CSV keeps one
//! header: every part's header must be the first part's, else nothing is
//! merged. Parquet and Avro parts are kept apart, and the refusal says
//! why.
//!
//! It works from the folder's `manifest.json`: only a complete job is
//! merged, parts in the job's order, each part's SHA-256 checked while it
//! is read (a part changed since it was downloaded stops the merge). The
//! merged file is written under a temporary name and renamed into place
//! when whole; the manifest then records it (`merged`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::api::{Tallied, Tally};
use crate::export::Format;
use crate::jobs::manifest::{self, FileEntry, MergedEntry};

/// Why Parquet parts are not merged.
pub const PARQUET_KEPT: &str = "Parquet parts are kept as they are: each part is a whole Parquet file with its own footer (schema, row groups, statistics), so parts cannot be joined end to end, and analysis tools read the parts together as one table (the DuckDB command does)";
/// Why Avro parts are not merged.
pub const AVRO_KEPT: &str = "Avro parts are kept as they are: each part is a container file with its own header, schema and sync markers, so parts cannot be joined end to end (that would mean re-encoding every row), and analysis tools read the parts together as one table (the DuckDB command does)";

/// Longest CSV header read.
const MAX_HEADER: usize = 1 << 20;

/// The merged file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    pub path: PathBuf,
    pub parts: usize,
    pub size: u64,
    pub rows: Option<u64>,
    pub sha256: String,
    /// The DuckDB command that opens it, or why there is none.
    pub duckdb: Result<String, String>,
}

impl Merged {
    /// The lines the CLI prints and the TUI shows.
    pub fn lines(&self) -> Vec<String> {
        let rows = self.rows.map(|r| format!(", {r} rows")).unwrap_or_default();
        let mut out = vec![format!(
            "merged {} parts into {} ({}{rows})",
            self.parts,
            self.path.display(),
            crate::human::bytes(self.size)
        )];
        match &self.duckdb {
            Ok(l) => out.push(format!("open in DuckDB: {l}")),
            Err(why) => out.push(format!("  {why}")),
        }
        out
    }
}

/// Why nothing was merged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Parquet and Avro: parts stay apart, by design ([`PARQUET_KEPT`],
    /// [`AVRO_KEPT`]). Not a failure.
    #[error("{0}")]
    KeptApart(String),
    /// Could not or should not merge (nothing written), and why.
    #[error("{0}")]
    Refused(String),
}

/// Merge the parts in the job folder `dir` into `DIR/<job id>.<ext>`
/// (`overwrite`: replace a merged file already there). Blocking.
pub fn merge(dir: &Path, overwrite: bool) -> Result<Merged, MergeError> {
    let refuse = |s: String| MergeError::Refused(s);
    let mut m = manifest::read(dir).map_err(|e| {
        refuse(format!(
            "{e}; merging needs the job's downloaded files and their manifest (download the job first)"
        ))
    })?;
    if !m.complete {
        let have = m.files.len();
        let of = m
            .parts_expected
            .map(|n| format!(" of {n}"))
            .unwrap_or_default();
        return Err(refuse(format!(
            "not every part of job {} is here ({have}{of} downloaded, or one failed): merging would leave rows out; download the rest first",
            m.job_id
        )));
    }
    let first = m
        .files
        .first()
        .ok_or_else(|| refuse("the manifest lists no files".into()))?;
    let format = first.format;
    if m.files.iter().any(|f| f.format != format) {
        return Err(refuse(
            "the parts are not all of one format: nothing merged".into(),
        ));
    }
    let ext = match format {
        Some(Format::Parquet) => return Err(MergeError::KeptApart(PARQUET_KEPT.into())),
        Some(Format::Avro) => return Err(MergeError::KeptApart(AVRO_KEPT.into())),
        Some(Format::Csv) => "csv",
        Some(Format::Ndjson) => "ndjson",
        None => {
            return Err(refuse(
                "the parts' format is not known (neither CSV nor NDJSON): nothing merged".into(),
            ));
        }
    };
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stem = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| m.job_id.clone());
    let name = format!("{stem}.{ext}");
    let target = parent.join(&name);
    if target.exists() && !overwrite {
        return Err(refuse(format!(
            "{} exists; not overwritten (--overwrite replaces it)",
            target.display()
        )));
    }
    let tmp = parent.join(format!(".{name}.merging"));
    let written = write_parts(dir, &m.files, format == Some(Format::Csv), &tmp);
    let tally = match written {
        Ok(t) => t.finish(),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    if target.exists() && !overwrite {
        let _ = std::fs::remove_file(&tmp);
        return Err(refuse(format!(
            "{} appeared meanwhile; not overwritten",
            target.display()
        )));
    }
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        refuse(format!("{}: {e}", target.display()))
    })?;
    let rows = match format {
        Some(Format::Csv) => Some(tally.records.saturating_sub(1)),
        _ => Some(tally.lines),
    };
    let merged = Merged {
        path: target.clone(),
        parts: m.files.len(),
        size: tally.size,
        rows,
        sha256: tally.sha256.clone(),
        duckdb: manifest::duckdb_line(parent, &[name], format.unwrap_or_default(), false),
    };
    m.merged = Some(MergedEntry {
        path: target,
        size: tally.size,
        sha256: tally.sha256,
        rows,
    });
    if let Err(e) = manifest::save(dir, &m) {
        tracing::warn!("the merge is not recorded in the manifest: {e}");
    }
    Ok(merged)
}

/// Write every part to `out`, in order; each part's bytes checked against
/// its manifest entry as they are read. The tally is the output's.
fn write_parts(
    dir: &Path,
    files: &[FileEntry],
    csv: bool,
    out: &Path,
) -> Result<Tally, MergeError> {
    let refuse = |s: String| MergeError::Refused(s);
    fn io(p: &Path) -> impl FnOnce(std::io::Error) -> MergeError + '_ {
        move |e| MergeError::Refused(format!("{}: {e}", p.display()))
    }
    let file = std::fs::File::create(out).map_err(io(out))?;
    let mut w = Tallied {
        inner: std::io::BufWriter::with_capacity(256 << 10, file),
        tally: Tally::default(),
    };
    let mut header: Option<(Vec<u8>, &'static [u8])> = None;
    for f in files {
        let path = dir.join(&f.name);
        let raw = std::fs::File::open(&path).map_err(io(&path))?;
        let mut src = Checked {
            inner: raw,
            tally: Tally::default(),
        };
        let mut magic = [0u8; 2];
        let n = read_up_to(&mut src, &mut magic).map_err(io(&path))?;
        let head = std::io::Cursor::new(magic[..n].to_vec());
        let chained = head.chain(&mut src);
        let mut reader: Box<dyn BufRead + '_> = if magic[..n] == [0x1f, 0x8b] {
            Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(chained)))
        } else {
            Box::new(BufReader::new(chained))
        };
        if csv {
            let this = first_record(&mut reader).map_err(io(&path))?;
            let trimmed = trim_end(&this);
            match &header {
                None => {
                    let ending: &'static [u8] = if this.ends_with(b"\r\n") {
                        b"\r\n"
                    } else {
                        b"\n"
                    };
                    w.write_all(trimmed).map_err(io(out))?;
                    w.write_all(ending).map_err(io(out))?;
                    header = Some((trimmed.to_vec(), ending));
                }
                Some((h, _)) if h.as_slice() == trimmed => {}
                Some(_) => {
                    return Err(refuse(format!(
                        "{} has other columns than {} (its header differs): nothing merged",
                        f.name, files[0].name
                    )));
                }
            }
        }
        let ending: &[u8] = header.as_ref().map_or(b"\n", |(_, e)| e);
        let last = copy(&mut reader, &mut w).map_err(io(&path))?;
        if last.is_some_and(|b| b != b'\n') {
            w.write_all(ending).map_err(io(out))?;
        }
        drop(reader);
        // Whatever the reader left unread (a gzip stream's end) counts.
        std::io::copy(&mut src, &mut std::io::sink()).map_err(io(&path))?;
        let t = std::mem::take(&mut src.tally).finish();
        if t.sha256 != f.sha256 || t.size != f.size {
            return Err(refuse(format!(
                "{} changed since it was downloaded (its SHA-256 is not the manifest's): nothing merged; download the job again",
                f.name
            )));
        }
    }
    let Tallied { inner, tally } = w;
    let file = inner
        .into_inner()
        .map_err(|e| refuse(format!("{}: {}", out.display(), e.error())))?;
    file.sync_all().map_err(io(out))?;
    Ok(tally)
}

/// A reader that tallies the bytes it gives (a part's own bytes, to check
/// them against the manifest).
struct Checked<R> {
    inner: R,
    tally: Tally,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.tally.update(&buf[..n]);
        Ok(n)
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The first CSV record with its line ending (a line break inside double
/// quotes does not end it).
fn first_record(r: &mut dyn BufRead) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut quoted = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(out);
        }
        let mut used = buf.len();
        let mut done = false;
        for (i, b) in buf.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    used = i + 1;
                    done = true;
                    break;
                }
                _ => {}
            }
        }
        out.extend_from_slice(&buf[..used]);
        r.consume(used);
        if done {
            return Ok(out);
        }
        if out.len() > MAX_HEADER {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "a CSV header of over 1 MiB",
            ));
        }
    }
}

fn trim_end(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Copy all of `r` to `w`; the last byte copied.
fn copy(r: &mut dyn BufRead, w: &mut impl Write) -> std::io::Result<Option<u8>> {
    let mut last = None;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(last);
        }
        w.write_all(buf)?;
        last = buf.last().copied();
        let n = buf.len();
        r.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_record_ends_outside_quotes() {
        let mut r: &[u8] = b"a,\"b\nc\"\r\n1,2\r\n";
        assert_eq!(first_record(&mut r).unwrap(), b"a,\"b\nc\"\r\n");
        assert_eq!(r, b"1,2\r\n");
        assert_eq!(trim_end(b"a,b\r\n"), b"a,b");
    }

    /// A job folder of CSV parts (`gzip`: that part kept compressed) and
    /// its manifest.
    fn job(parts: &[(&[u8], bool)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("job-1");
        std::fs::create_dir(&dir).unwrap();
        let saved: Vec<manifest::SavedFile> = parts
            .iter()
            .enumerate()
            .map(|(i, (text, gzip))| {
                let path = dir.join(format!("part-{:04}.csv", i + 1));
                let bytes = if *gzip {
                    let mut e =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                    e.write_all(text).unwrap();
                    e.finish().unwrap()
                } else {
                    text.to_vec()
                };
                std::fs::write(&path, bytes).unwrap();
                manifest::SavedFile {
                    index: i,
                    path,
                    tally: None,
                }
            })
            .collect();
        let facts = manifest::JobFacts::unknown("job-1", "http://127.0.0.1:9");
        manifest::write(&dir, &facts, &saved, 0).unwrap();
        root
    }

    /// CSV parts each start with a header row (a guess: the vendor shows
    /// no CSV): the merge keeps the first, told by content whether a part
    /// is gzip or not, and refuses parts whose headers differ.
    #[test]
    fn csv_parts_keep_one_header_and_differing_headers_are_refused() {
        let root = job(&[
            (b"id,name\r\n1,a\r\n", false),
            (b"id,name\r\n2,b\r\n", true),
        ]);
        let m = merge(&root.path().join("job-1"), false).unwrap();
        assert_eq!(m.rows, Some(2));
        let text = std::fs::read_to_string(root.path().join("job-1.csv")).unwrap();
        assert_eq!(text, "id,name\r\n1,a\r\n2,b\r\n");

        let root = job(&[(b"id,name\n1,a\n", false), (b"id,email\n2,b\n", false)]);
        let e = merge(&root.path().join("job-1"), false).unwrap_err();
        assert!(e.to_string().contains("its header differs"), "{e}");
        assert!(!root.path().join("job-1.csv").exists(), "nothing written");
    }
}
