//! One part of a job, from its download link straight into the
//! destination: no local copy. Gzip content (told by its magic bytes, never
//! the name: which parts the vendor compresses is not documented) is
//! inflated on the way; the bytes written are tallied (SHA-256, lines) and
//! their first and last bytes kept for the manifest (columns, the Parquet
//! footer). The object appears only when the upload completes.
//!
//! Memory is bounded whatever the part's size: the upload holds at most
//! four 8 MiB part buffers ([`super::upload::Upload`]), the head is at most
//! [`HEAD_MAX`], and the tail ([`TAIL_MAX`]) is kept only for Parquet,
//! whose footer is at the end. Measured: 47 to 55 MiB peak for the
//! whole `upexport sync` of two 2 GiB parts (BENCHMARKS.md, "sync").

use std::collections::VecDeque;
use std::io::Write;

use crate::api::{ApiClient, ApiError, FileTally, Tally};

use super::dest::{Store, StoreError};
use super::upload::{Sealed, Upload};

/// The first bytes of a part kept for the manifest.
pub const HEAD_MAX: usize = 1 << 20;
/// The last bytes of a Parquet part kept for its footer.
pub const TAIL_MAX: usize = 8 << 20;

/// What a streamed part left behind besides the object.
#[derive(Debug)]
pub struct PartSeen {
    /// The first bytes written (up to [`HEAD_MAX`]).
    pub head: Vec<u8>,
    /// The last bytes written (up to [`TAIL_MAX`]), for Parquet only.
    pub tail: Vec<u8>,
    pub tally: FileTally,
    /// The link's content was gzip and was inflated.
    pub inflated: bool,
}

/// Why a part did not arrive.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// The link or the connection to it.
    #[error(transparent)]
    Link(#[from] ApiError),
    /// The destination.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The gzip content does not inflate.
    #[error("the part's gzip content is damaged: {0}")]
    Damaged(String),
}

impl PartError {
    /// Worth trying the part again from the start: the connection broke,
    /// timed out, or the link's server failed.
    pub fn is_transient(&self) -> bool {
        match self {
            PartError::Link(ApiError::Http { status, .. }) => *status >= 500,
            PartError::Link(e) => e.is_transient(),
            PartError::Store(_) | PartError::Damaged(_) => false,
        }
    }
}

/// Where the bytes of a part go: the upload, the tally, head and tail.
struct Sink {
    up: Upload,
    tally: Tally,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    /// Decided once 4 bytes are in the head: Parquet starts with `PAR1`.
    keep_tail: Option<bool>,
}

impl Sink {
    async fn write(&mut self, buf: &[u8], store: &Store) -> Result<(), PartError> {
        if buf.is_empty() {
            return Ok(());
        }
        self.tally.update(buf);
        if self.head.len() < HEAD_MAX {
            let n = (HEAD_MAX - self.head.len()).min(buf.len());
            self.head.extend_from_slice(&buf[..n]);
        }
        if self.keep_tail.is_none() && self.head.len() >= 4 {
            self.keep_tail = Some(self.head.starts_with(b"PAR1"));
        }
        if self.keep_tail != Some(false) {
            // A ring of the last TAIL_MAX bytes: dropping its front moves
            // nothing, so it never holds more (a Vec cut now and then held
            // up to twice as much, and moved TAIL_MAX bytes at each cut).
            let keep = &buf[buf.len().saturating_sub(TAIL_MAX)..];
            let over = (self.tail.len() + keep.len()).saturating_sub(TAIL_MAX);
            self.tail.drain(..over);
            self.tail.extend(keep);
        }
        self.up.write(buf).await.map_err(|e| store.error(e).into())
    }
}

/// Stream the file at download link `url` into `rel` of `store`;
/// `on_bytes(received, total)` as the link's bytes arrive. Returns what
/// was seen and the upload with all its bytes at the store: the object
/// appears at `rel` when the caller completes it ([`Sealed::complete`]),
/// which can go on while the next part streams. On any error the upload
/// is abandoned: nothing appears at `rel`.
pub async fn stream_part(
    client: &ApiClient,
    url: &str,
    store: &Store,
    rel: &str,
    mut on_bytes: impl FnMut(u64, Option<u64>),
) -> Result<(PartSeen, Sealed), PartError> {
    let mut resp = client.open_link(url).await?;
    let total = resp.content_length();
    let mut sink = Sink {
        up: store.upload(rel).await?,
        tally: Tally::default(),
        head: Vec::new(),
        tail: VecDeque::new(),
        keep_tail: None,
    };
    let result = pump(&mut resp, &mut sink, store, total, &mut on_bytes).await;
    let inflated = match result {
        Ok(inflated) => inflated,
        Err(e) => {
            if let Err(a) = sink.up.abort().await {
                tracing::warn!(part = rel, "abandoning the upload: {a}");
            }
            return Err(e);
        }
    };
    let sealed = sink.up.seal().await.map_err(|e| store.error(e))?;
    let seen = PartSeen {
        head: sink.head,
        tail: Vec::from(sink.tail),
        tally: sink.tally.finish(),
        inflated,
    };
    Ok((seen, sealed))
}

/// Move the answer's bytes into `sink`, inflating gzip. Returns whether
/// the content was gzip.
async fn pump(
    resp: &mut reqwest::Response,
    sink: &mut Sink,
    store: &Store,
    total: Option<u64>,
    on_bytes: &mut impl FnMut(u64, Option<u64>),
) -> Result<bool, PartError> {
    let mut received = 0u64;
    // Until two bytes are here it is not known whether this is gzip.
    let mut pending: Vec<u8> = Vec::new();
    let mut inflater: Option<flate2::write::MultiGzDecoder<Vec<u8>>> = None;
    let mut decided = false;
    on_bytes(0, total);
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                let host = e
                    .url()
                    .map(crate::api::host_port_of)
                    .unwrap_or_else(|| "the server".into());
                return Err(ApiError::ConnectionLost {
                    host,
                    detail: format!("the part stopped after {received} bytes"),
                    maybe_sent: false,
                }
                .into());
            }
        };
        received += chunk.len() as u64;
        on_bytes(received, total);
        let bytes: &[u8] = if decided {
            &chunk
        } else {
            pending.extend_from_slice(&chunk);
            if pending.len() < 2 {
                continue;
            }
            decided = true;
            if pending[..2] == [0x1f, 0x8b] {
                inflater = Some(flate2::write::MultiGzDecoder::new(Vec::new()));
            }
            &pending
        };
        match inflater.as_mut() {
            Some(inf) => inflate_into(inf, bytes, sink, store).await?,
            None => sink.write(bytes, store).await?,
        }
        pending = Vec::new();
    }
    if let Some(t) = total
        && received < t
    {
        return Err(ApiError::ConnectionLost {
            host: "the download link's server".into(),
            detail: format!("the part ended after {received} of {t} bytes"),
            maybe_sent: false,
        }
        .into());
    }
    if !decided {
        // A part of fewer than two bytes.
        sink.write(&pending, store).await?;
    }
    match inflater {
        Some(mut inf) => {
            inf.try_finish()
                .map_err(|e| PartError::Damaged(e.to_string()))?;
            let out = inf.get_mut();
            sink.write(out, store).await?;
            out.clear();
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Gzip input fed to the inflater at a time: its output, at most about
/// 1,000 times as much for the most compressible input, is written out
/// before the next slice goes in.
const INFLATE_SLICE: usize = 4 << 10;
/// Inflated bytes gathered before they go to the sink.
const INFLATED_BATCH: usize = 256 << 10;

/// Inflate `input` into `sink` through the inflater's output buffer,
/// which is emptied and reused, never grown by more than one slice's
/// output. (The whole of a network chunk, up to 400 KiB of gzip, used to
/// inflate into a new buffer of several MiB each time: BENCHMARKS.md,
/// "sync".)
async fn inflate_into(
    inf: &mut flate2::write::MultiGzDecoder<Vec<u8>>,
    input: &[u8],
    sink: &mut Sink,
    store: &Store,
) -> Result<(), PartError> {
    for slice in input.chunks(INFLATE_SLICE) {
        inf.write_all(slice)
            .map_err(|e| PartError::Damaged(e.to_string()))?;
        if inf.get_ref().len() >= INFLATED_BATCH {
            let out = inf.get_mut();
            sink.write(out, store).await?;
            out.clear();
        }
    }
    let out = inf.get_mut();
    sink.write(out, store).await?;
    out.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::Destination;

    /// A Parquet part's tail never holds more than its last TAIL_MAX
    /// bytes, however long the part, and those are the last bytes.
    #[tokio::test]
    async fn the_tail_holds_the_last_bytes_and_no_more() {
        let dir = tempfile::tempdir().unwrap();
        let dest = Destination::parse(&dir.path().display().to_string()).unwrap();
        let store = Store::open(&dest).unwrap();
        let mut sink = Sink {
            up: store.upload("part.parquet").await.unwrap(),
            tally: Tally::default(),
            head: Vec::new(),
            tail: Default::default(),
            keep_tail: None,
        };
        let mut data = b"PAR1".to_vec();
        data.extend((0..3 * TAIL_MAX as u32).map(|i| (i % 253) as u8));
        let mut most = 0;
        for chunk in data.chunks(100 * 1024 + 7) {
            sink.write(chunk, &store).await.unwrap();
            most = most.max(sink.tail.len());
        }
        assert!(most <= TAIL_MAX, "the tail held {most} bytes");
        let tail = Vec::from(std::mem::take(&mut sink.tail));
        assert!(tail == data[data.len() - TAIL_MAX..], "not the last bytes");
        sink.up.abort().await.unwrap();
    }

    /// A chunk of gzip that inflates a thousandfold (64 MiB of zeros in
    /// about 64 KiB, one network read) never needs more than a few MiB of
    /// output buffer.
    #[tokio::test]
    async fn a_very_compressible_chunk_inflates_through_a_small_buffer() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![0u8; 64 << 20]).unwrap();
        let gz = gz.finish().unwrap();
        assert!(gz.len() < 1 << 20, "{} bytes of gzip", gz.len());
        let dir = tempfile::tempdir().unwrap();
        let dest = Destination::parse(&dir.path().display().to_string()).unwrap();
        let store = Store::open(&dest).unwrap();
        let mut sink = Sink {
            up: store.upload("zeros.ndjson").await.unwrap(),
            tally: Tally::default(),
            head: Vec::new(),
            tail: VecDeque::new(),
            keep_tail: None,
        };
        let mut inf = flate2::write::MultiGzDecoder::new(Vec::new());
        inflate_into(&mut inf, &gz, &mut sink, &store)
            .await
            .unwrap();
        inf.try_finish().unwrap();
        let most = inf.get_ref().capacity();
        sink.write(inf.get_ref(), &store).await.unwrap();
        assert!(most <= 8 << 20, "the output buffer grew to {most} bytes");
        assert_eq!(sink.tally.clone().finish().size, 64 << 20);
        sink.up.abort().await.unwrap();
    }
}
