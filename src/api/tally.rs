//! What a download learns about a file while writing it: its SHA-256 and
//! its lines, counted as the bytes go by, so the manifest of a job's
//! folder (`jobs::manifest`) need not read a large file again.
//!
//! Two line counts, because one pass serves both text formats: `lines`
//! (lines with something on them, as NDJSON counts rows) and `records`
//! (the same, but a line break inside a double-quoted field does not end
//! a record, as in RFC 4180 CSV). Neither means anything for binary
//! content; the manifest only uses them for NDJSON and CSV.

use std::io::{Read, Write};
use std::path::Path;

/// The running state over a file's bytes.
#[derive(Clone)]
pub struct Tally {
    sha: ring::digest::Context,
    size: u64,
    lines: u64,
    records: u64,
    /// The current line has a byte other than CR or LF.
    line_has_text: bool,
    /// The current record has a byte other than CR or LF.
    record_has_text: bool,
    in_quotes: bool,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            sha: ring::digest::Context::new(&ring::digest::SHA256),
            size: 0,
            lines: 0,
            records: 0,
            line_has_text: false,
            record_has_text: false,
            in_quotes: false,
        }
    }
}

impl std::fmt::Debug for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tally").field("size", &self.size).finish()
    }
}

/// A file's tally once all its bytes went by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileTally {
    /// Lowercase hex.
    pub sha256: String,
    pub size: u64,
    /// Lines with something on them (a last line without a line break
    /// counts).
    pub lines: u64,
    /// Like `lines`, but a line break inside double quotes does not end
    /// one (RFC 4180 records, the header included).
    pub records: u64,
}

impl Tally {
    pub fn update(&mut self, bytes: &[u8]) {
        self.sha.update(bytes);
        self.size += bytes.len() as u64;
        // Line by line, not byte by byte: memchr finds each line break and
        // the quotes of a line are counted in one vectorised pass. The
        // byte-at-a-time loop took a quarter of a sync's CPU, more than
        // the SHA-256 of the same bytes (perf: BENCHMARKS.md, "sync").
        let mut rest = bytes;
        while let Some(i) = memchr::memchr(b'\n', rest) {
            self.absorb(&rest[..i]);
            self.lines += u64::from(self.line_has_text);
            self.line_has_text = false;
            if !self.in_quotes {
                self.records += u64::from(self.record_has_text);
                self.record_has_text = false;
            }
            rest = &rest[i + 1..];
        }
        self.absorb(rest);
    }

    /// Bytes with no line break in them: text unless only CRs, and a
    /// quote state flipped by an odd number of double quotes.
    fn absorb(&mut self, seg: &[u8]) {
        if seg.iter().any(|&b| b != b'\r') {
            self.line_has_text = true;
            self.record_has_text = true;
        }
        let quotes = seg.iter().filter(|&&b| b == b'"').count();
        if quotes % 2 == 1 {
            self.in_quotes = !self.in_quotes;
        }
    }

    pub fn finish(self) -> FileTally {
        let digest = self.sha.finish();
        let sha256 = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        FileTally {
            sha256,
            size: self.size,
            lines: self.lines + u64::from(self.line_has_text),
            records: self.records + u64::from(self.record_has_text),
        }
    }

    /// Tally everything `r` gives.
    pub fn read_all(mut self, mut r: impl Read) -> std::io::Result<Tally> {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return Ok(self),
                Ok(n) => self.update(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Read a whole file for its tally (a file saved before, whose download
/// did not count it).
pub fn tally_file(path: &Path) -> std::io::Result<FileTally> {
    let f = std::fs::File::open(path)?;
    Ok(Tally::default().read_all(f)?.finish())
}

/// A writer that tallies what goes through it.
pub(crate) struct Tallied<W> {
    pub inner: W,
    pub tally: Tally,
}

impl<W: Write> Write for Tallied<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.tally.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(chunks: &[&[u8]]) -> FileTally {
        let mut t = Tally::default();
        for c in chunks {
            t.update(c);
        }
        t.finish()
    }

    #[test]
    fn sha256_of_known_inputs() {
        assert_eq!(
            of(&[]).sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // "abc", split anywhere, is FIPS 180-2's example.
        assert_eq!(
            of(&[b"a", b"bc"]).sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(of(&[b"a", b"bc"]).size, 3);
    }

    #[test]
    fn lines_and_records() {
        let t = of(&[b"{\"a\":1}\n{\"a\"", b":2}\n\n{\"a\":\"x\\\"y\"}"]);
        assert_eq!(t.lines, 3, "a blank line is no row; the last counts");
        let csv = b"a,b\r\n1,\"two\r\nlines\"\r\n\"x\"\"y\",3\r\n\r\n";
        // Split inside the quoted line break.
        let t = of(&[&csv[..12], &csv[12..]]);
        assert_eq!(t.records, 3, "header and two records");
        assert_eq!(t.lines, 4);
        assert_eq!(of(&[b"no newline"]).lines, 1);
        assert_eq!(of(&[b"\r\n\n"]).lines, 0);
    }

    /// The byte-at-a-time counting that `update` replaced, as the
    /// reference.
    fn counted_bytewise(chunks: &[Vec<u8>]) -> (u64, u64) {
        let (mut lines, mut records) = (0u64, 0u64);
        let (mut line_text, mut record_text, mut quoted) = (false, false, false);
        for &b in chunks.iter().flatten() {
            match b {
                b'\n' => {
                    lines += u64::from(line_text);
                    line_text = false;
                    if !quoted {
                        records += u64::from(record_text);
                        record_text = false;
                    }
                }
                b'\r' => {}
                b'"' => {
                    quoted = !quoted;
                    line_text = true;
                    record_text = true;
                }
                _ => {
                    line_text = true;
                    record_text = true;
                }
            }
        }
        (
            lines + u64::from(line_text),
            records + u64::from(record_text),
        )
    }

    proptest::proptest! {
        #[test]
        fn counts_as_byte_by_byte(
            chunks in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![b'\n', b'\r', b'"', b'a', b',']),
                    0..40,
                ),
                0..6,
            )
        ) {
            let mut t = Tally::default();
            for c in &chunks {
                t.update(c);
            }
            let t = t.finish();
            proptest::prop_assert_eq!((t.lines, t.records), counted_bytewise(&chunks));
        }
    }
}
