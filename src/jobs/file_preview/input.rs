//! The bytes under every reader: the first bytes of a file, gzip unpacked
//! on the fly, a budget of bytes read, a cap on the length of a line, and
//! what a read error means in words.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::rc::Rc;

use super::{MAX_BYTES, MAX_LINE};

/// Bytes of content looked at to tell the format.
const SNIFF: u64 = 8 * 1024;

/// The first (up to) 4 bytes of a file, read without moving its cursor.
pub fn head(file: &File) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut buf = [0u8; 4];
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(buf[..got].to_vec())
}

/// A gzip file's content (every member, as `gzip -d` does).
pub fn gunzip(file: File) -> Box<dyn Read> {
    Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
        64 * 1024,
        file,
    )))
}

/// A reader that stops after a budget of bytes and remembers running out.
pub struct Budget<R> {
    inner: R,
    left: u64,
    hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            if !buf.is_empty() {
                self.hit.set(true);
            }
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// The error a line longer than [`MAX_LINE`] gives.
#[derive(Debug)]
struct LineTooLong {
    line: u64,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is longer than {}: the preview reads lines up to that length and stops there",
            self.line,
            crate::human::bytes(MAX_LINE)
        )
    }
}

impl std::error::Error for LineTooLong {}

/// Fails a read once a line (bytes since the last `\n`) passes
/// [`MAX_LINE`]: a 2 GiB line is never held in memory.
pub struct LineCap<R> {
    inner: R,
    run: u64,
    line: u64,
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut rest = &buf[..n];
        loop {
            match rest.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    if self.run + i as u64 > MAX_LINE {
                        return Err(self.too_long());
                    }
                    self.run = 0;
                    self.line += 1;
                    rest = &rest[i + 1..];
                }
                None => {
                    self.run += rest.len() as u64;
                    if self.run > MAX_LINE {
                        return Err(self.too_long());
                    }
                    return Ok(n);
                }
            }
        }
    }
}

impl<R> LineCap<R> {
    fn too_long(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            LineTooLong {
                line: self.line + 1,
            },
        )
    }
}

/// The content of a file (unpacked if gzip), read within [`MAX_BYTES`].
pub struct Content {
    inner: Budget<Box<dyn Read>>,
    prefix: Vec<u8>,
    sniffed: bool,
    gzip: bool,
    hit: Rc<Cell<bool>>,
}

impl Content {
    pub fn new(inner: Box<dyn Read>, gzip: bool) -> Self {
        let hit = Rc::new(Cell::new(false));
        Content {
            inner: Budget {
                inner,
                left: MAX_BYTES,
                hit: hit.clone(),
            },
            prefix: Vec::new(),
            sniffed: false,
            gzip,
            hit,
        }
    }

    /// The first bytes (up to 8 KiB; a UTF-8 byte order mark taken off).
    pub fn prefix(&mut self) -> Result<&[u8], String> {
        if !self.sniffed {
            self.sniffed = true;
            let gzip = self.gzip;
            (&mut self.inner)
                .take(SNIFF)
                .read_to_end(&mut self.prefix)
                .map_err(|e| describe(e, gzip))?;
            if self.prefix.starts_with(b"\xEF\xBB\xBF") {
                self.prefix.drain(..3);
            }
        }
        Ok(&self.prefix)
    }

    /// Set once the read budget has run out.
    pub fn hit(&self) -> Rc<Cell<bool>> {
        self.hit.clone()
    }

    /// The whole content as a reader (the prefix first).
    pub fn into_reader(self) -> impl Read {
        Cursor::new(self.prefix).chain(self.inner)
    }

    /// The whole content in memory, or why not: more than [`MAX_BYTES`].
    pub fn read_all(self, what: &str) -> Result<Vec<u8>, String> {
        let gzip = self.gzip;
        let hit = self.hit.clone();
        let mut all = Vec::new();
        self.into_reader()
            .read_to_end(&mut all)
            .map_err(|e| describe(e, gzip))?;
        if hit.get() {
            return Err(format!(
                "{what} larger than {} once unpacked: too large to unpack in memory for a preview; unpack it first (gunzip)",
                crate::human::bytes(MAX_BYTES)
            ));
        }
        Ok(all)
    }

    /// The content as lines of text of at most [`MAX_LINE`].
    pub fn into_text(self) -> TextInput {
        let hit = self.hit.clone();
        let gzip = self.gzip;
        TextInput {
            reader: BufReader::with_capacity(
                64 * 1024,
                LineCap {
                    inner: Box::new(self.into_reader()),
                    run: 0,
                    line: 0,
                },
            ),
            hit,
            gzip,
        }
    }
}

/// Text content for the CSV and NDJSON readers.
pub struct TextInput {
    pub reader: BufReader<LineCap<Box<dyn Read>>>,
    hit: Rc<Cell<bool>>,
    gzip: bool,
}

impl TextInput {
    /// The read budget ran out: what follows was not read (the last line
    /// may be cut).
    pub fn budget_hit(&self) -> bool {
        self.hit.get()
    }

    /// A read error in words.
    pub fn describe(&self, e: io::Error) -> String {
        describe(e, self.gzip)
    }
}

/// What a read error means: a line too long, gzip cut short or damaged,
/// or the file itself.
pub fn describe(e: io::Error, gzip: bool) -> String {
    if let Some(long) = e.get_ref().and_then(|i| i.downcast_ref::<LineTooLong>()) {
        return long.to_string();
    }
    if gzip {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            return "the gzip stream ends early: the file is cut short (an interrupted download?)"
                .into();
        }
        return format!(
            "the gzip data is damaged ({})",
            crate::api::sanitise(&e.to_string(), 120)
        );
    }
    format!("cannot read: {}", crate::api::sanitise(&e.to_string(), 120))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_longer_than_the_cap_fails_the_read() {
        let mut ok = LineCap {
            inner: Cursor::new(b"ab\ncd\n".to_vec()),
            run: 0,
            line: 0,
        };
        let mut s = String::new();
        ok.read_to_string(&mut s).unwrap();
        assert_eq!(s, "ab\ncd\n");

        let mut long = LineCap {
            inner: Cursor::new(b"ok\nok\n".to_vec()).chain(io::repeat(b'x')),
            run: 0,
            line: 0,
        };
        let e = io::copy(&mut long, &mut io::sink()).unwrap_err();
        let text = describe(e, false);
        assert!(text.starts_with("line 3 is longer than 4.0 MiB"), "{text}");
    }
}
