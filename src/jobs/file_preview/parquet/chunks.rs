//! The file under the Parquet reader, every read bounded, and the two
//! checks before the footer is parsed.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};

use bytes::Bytes;
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

use super::super::MAX_BLOCK;
use super::super::cells;

/// A file whose every read is bounded.
pub(super) struct Capped {
    pub file: File,
    pub len: u64,
}

impl Length for Capped {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Capped {
    type T = std::io::Take<BufReader<File>>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        Ok(BufReader::with_capacity(16 * 1024, f).take(MAX_BLOCK))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        use std::os::unix::fs::FileExt;
        if length as u64 > MAX_BLOCK {
            return Err(ParquetError::General(format!(
                "a read of {} at byte {start}, more than the preview reads at once ({})",
                crate::human::bytes(length as u64),
                crate::human::bytes(MAX_BLOCK)
            )));
        }
        if start.saturating_add(length as u64) > self.len {
            return Err(ParquetError::EOF(format!(
                "a read of {length} bytes at byte {start} passes the end of the file ({} bytes)",
                self.len
            )));
        }
        let mut buf = vec![0u8; length];
        self.file.read_exact_at(&mut buf, start)?;
        Ok(buf.into())
    }
}

/// The last bytes of a file of `size` bytes: reads outside them fail.
pub(super) struct Tail {
    pub bytes: Bytes,
    pub size: u64,
}

impl Tail {
    fn slice(&self, start: u64, length: u64) -> parquet::errors::Result<Bytes> {
        let from = self.size - self.bytes.len() as u64;
        if start < from || start.saturating_add(length) > self.size {
            return Err(ParquetError::EOF(format!(
                "a read of {length} bytes at byte {start}, outside the last {} bytes kept",
                self.bytes.len()
            )));
        }
        let at = (start - from) as usize;
        Ok(self.bytes.slice(at..at + length as usize))
    }
}

impl Length for Tail {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for Tail {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        use bytes::Buf;
        Ok(self.slice(start, self.size.saturating_sub(start))?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.slice(start, length as u64)
    }
}

/// A Parquet file ends with the footer's length and `PAR1`: without them
/// it was cut short.
pub(super) fn check_ends(len: u64, read_at: impl Fn(&mut [u8], u64) -> bool) -> Result<(), String> {
    let mut tail = [0u8; 4];
    if len < 12 || !read_at(&mut tail, len - 4) || &tail != b"PAR1" {
        return Err(format!(
            "a Parquet file without its footer: it does not end with PAR1 ({} bytes; cut short, an interrupted download?). Nothing can be shown: the schema and the row groups' places are in the footer",
            cells::thousands(len)
        ));
    }
    Ok(())
}

pub(super) fn footer_error(e: ParquetError) -> String {
    format!(
        "the Parquet footer cannot be read ({}): the file is damaged",
        crate::api::sanitise(&e.to_string(), 200)
    )
}
