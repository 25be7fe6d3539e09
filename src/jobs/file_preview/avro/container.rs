//! The container's framing: zig-zag varints, the header (metadata map,
//! sync marker), the blocks' codecs and the count of a plain file's rows
//! from its block headers. Every size read from the file is checked
//! before anything is allocated for it.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};

use super::super::MAX_BLOCK;
use super::super::cells;

/// Most bytes of header metadata (the schema and codec) read.
const MAX_HEADER: u64 = 16 << 20;
/// Most blocks whose headers are read to count the rows.
pub const MAX_COUNTED_BLOCKS: u64 = 1_000_000;

/// A reader that knows how many bytes it has passed.
pub(super) struct Counted<R> {
    pub inner: R,
    pub pos: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// A zig-zag varint long; `Ok(None)` at a clean end before its first byte.
pub(super) fn read_long<R: Read>(r: &mut R) -> io::Result<Option<i64>> {
    let mut value: u64 = 0;
    for i in 0..10 {
        let mut b = [0u8; 1];
        match r.read(&mut b) {
            Ok(0) if i == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        value |= u64::from(b[0] & 0x7f) << (7 * i);
        if b[0] & 0x80 == 0 {
            return Ok(Some(((value >> 1) as i64) ^ -((value & 1) as i64)));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "a number longer than 10 bytes",
    ))
}

/// A zig-zag varint long at the start of `buf`, and its length.
pub(super) fn long_in(buf: &[u8]) -> Option<(i64, usize)> {
    let mut value: u64 = 0;
    for (i, b) in buf.iter().take(10).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((((value >> 1) as i64) ^ -((value & 1) as i64), i + 1));
        }
    }
    None
}

/// Exactly `len` bytes, allocating only as they arrive.
pub(super) fn read_exact_vec<R: Read>(r: &mut R, len: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(usize::try_from(len.min(1 << 20)).unwrap_or(0));
    r.take(len).read_to_end(&mut out)?;
    if (out.len() as u64) < len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(out)
}

/// What the header says: the schema (JSON text), the codec and the sync
/// marker that ends every block.
pub(super) struct Header {
    pub schema: String,
    pub codec: String,
    pub sync: [u8; 16],
}

/// Read the header: magic, metadata map (at most 16 MiB), sync marker.
pub(super) fn header<R: Read>(r: &mut R) -> Result<Header, String> {
    let cut = |e: io::Error| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            "an Avro file whose header is cut short (an interrupted download?)".to_owned()
        } else {
            format!("the Avro header cannot be read ({e})")
        }
    };
    let mut magic = [0u8; 4];
    r.read_exact(&mut magic).map_err(cut)?;
    let mut left = MAX_HEADER;
    let mut meta: HashMap<String, Vec<u8>> = HashMap::new();
    loop {
        let mut count = read_long(r)
            .map_err(cut)?
            .ok_or_else(|| cut(io::ErrorKind::UnexpectedEof.into()))?;
        if count == 0 {
            break;
        }
        if count < 0 {
            count = count.checked_neg().unwrap_or(i64::MAX);
            read_long(r).map_err(cut)?;
        }
        for _ in 0..count {
            let mut item = || -> Result<Vec<u8>, String> {
                let len = read_long(r)
                    .map_err(cut)?
                    .ok_or_else(|| cut(io::ErrorKind::UnexpectedEof.into()))?;
                let len = u64::try_from(len)
                    .ok()
                    .filter(|l| *l <= left)
                    .ok_or("the Avro header is damaged (a metadata entry of an impossible size)")?;
                left -= len;
                read_exact_vec(r, len).map_err(cut)
            };
            let key = item()?;
            let value = item()?;
            meta.insert(String::from_utf8_lossy(&key).into_owned(), value);
            if left == 0 {
                return Err("the Avro header is damaged (too much metadata)".into());
            }
        }
    }
    let mut sync = [0u8; 16];
    r.read_exact(&mut sync).map_err(cut)?;
    let schema = meta
        .remove("avro.schema")
        .ok_or("the Avro header has no schema (avro.schema)")?;
    let schema = String::from_utf8(schema).map_err(|_| "the Avro schema is not UTF-8 text")?;
    let codec = meta
        .remove("avro.codec")
        .map(|c| String::from_utf8_lossy(&c).into_owned())
        .unwrap_or_else(|| "null".into());
    Ok(Header {
        schema,
        codec,
        sync,
    })
}

#[derive(Clone, Copy)]
/// The block codecs the preview reads.
pub(super) enum Codec {
    Null,
    Deflate,
    Snappy,
}

/// A block's data unpacked, at most [`MAX_BLOCK`] of it.
pub(super) fn decompress(codec: Codec, data: Vec<u8>) -> Result<Vec<u8>, String> {
    match codec {
        Codec::Null => Ok(data),
        Codec::Deflate => {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(&data[..])
                .take(MAX_BLOCK + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("its deflate data is damaged ({e})"))?;
            if out.len() as u64 > MAX_BLOCK {
                return Err(too_big(MAX_BLOCK + 1));
            }
            Ok(out)
        }
        Codec::Snappy => {
            // Raw snappy (starting with the unpacked length) and a CRC-32.
            let unpacked = data
                .get(..data.len().saturating_sub(4))
                .and_then(|raw| {
                    let mut v: u64 = 0;
                    for (i, b) in raw.iter().take(5).enumerate() {
                        v |= u64::from(b & 0x7f) << (7 * i);
                        if b & 0x80 == 0 {
                            return Some(v);
                        }
                    }
                    None
                })
                .ok_or("its snappy data is damaged (no length)")?;
            if unpacked > MAX_BLOCK {
                return Err(too_big(unpacked));
            }
            let mut data = data;
            match super::super::contain::contained(|| {
                apache_avro::Codec::Snappy.decompress(&mut data)
            }) {
                Ok(Ok(())) => Ok(data),
                Ok(Err(e)) => Err(format!("its snappy data is damaged ({e})")),
                Err(panic) => Err(format!("its snappy data is damaged ({panic})")),
            }
        }
    }
}

pub(super) fn too_big(n: u64) -> String {
    format!(
        "it holds {} of data, more than the preview reads at once ({})",
        crate::human::bytes(n),
        crate::human::bytes(MAX_BLOCK)
    )
}

/// Bytes read by position: a plain file, or a file held whole in memory.
pub trait At {
    fn len(&self) -> u64;
    /// Up to `n` bytes at `pos` (fewer at the end or on a read error).
    fn read_at(&self, pos: u64, n: usize) -> Vec<u8>;
}

impl At for File {
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }

    fn read_at(&self, pos: u64, n: usize) -> Vec<u8> {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0u8; n];
        let mut got = 0;
        while got < n {
            match FileExt::read_at(self, &mut buf[got..], pos + got as u64) {
                Ok(0) | Err(_) => break,
                Ok(k) => got += k,
            }
        }
        buf.truncate(got);
        buf
    }
}

impl At for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, pos: u64, n: usize) -> Vec<u8> {
        let from = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(<[u8]>::len(self));
        let to = from.saturating_add(n).min(<[u8]>::len(self));
        self[from..to].to_vec()
    }
}

/// Count the objects of a plain file's blocks from their headers, one
/// small read per block (checking each sync marker), from `start` (the
/// first block). `None` with a note when the count stops early.
pub(super) fn count_blocks(file: &dyn At, start: u64, sync: &[u8; 16]) -> (u64, Option<String>) {
    let len = file.len();
    let read_at = |pos: u64, n: usize| file.read_at(pos, n);
    let mut total: u64 = 0;
    let mut pos = start;
    let mut block: u64 = 0;
    let mut head = read_at(pos, 20);
    loop {
        if pos >= len {
            return (total, None);
        }
        if block == MAX_COUNTED_BLOCKS {
            return (
                total,
                Some(format!(
                    "row count: the first {} blocks counted; the file has more",
                    cells::thousands(block)
                )),
            );
        }
        block += 1;
        let damaged = |what: &str| {
            Some(format!(
                "row count: block {block} (at byte {pos}) {what}: the rows before it are counted"
            ))
        };
        let Some((count, a)) = long_in(&head) else {
            return (total, damaged("is cut short"));
        };
        let Some((size, b)) = head.get(a..).and_then(long_in) else {
            return (total, damaged("is cut short"));
        };
        let (Ok(count), Ok(size)) = (u64::try_from(count), u64::try_from(size)) else {
            return (total, damaged("is damaged (a negative count or size)"));
        };
        let Some(sync_at) = pos.checked_add((a + b) as u64 + size) else {
            return (total, damaged("is damaged (an impossible size)"));
        };
        let next = read_at(sync_at, 16 + 20);
        if next.len() < 16 {
            return (total, damaged("is cut short"));
        }
        if next[..16] != sync[..] {
            return (total, damaged("is damaged (its sync marker is wrong)"));
        }
        total = total.saturating_add(count);
        pos = sync_at + 16;
        head = next[16..].to_vec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longs_are_zig_zag_varints() {
        for (bytes, want) in [
            (&[0x00][..], 0i64),
            (&[0x01], -1),
            (&[0x02], 1),
            (&[0xAC, 0x02], 150),
            (
                &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
                i64::MIN,
            ),
        ] {
            assert_eq!(read_long(&mut &bytes[..]).unwrap(), Some(want));
            assert_eq!(long_in(bytes), Some((want, bytes.len())));
        }
        assert_eq!(read_long(&mut &[][..]).unwrap(), None);
        assert!(read_long(&mut &[0x80][..]).is_err());
        assert!(read_long(&mut &[0xFF; 11][..]).is_err());
        assert_eq!(long_in(&[0x80]), None);
    }
}
