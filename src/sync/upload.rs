//! A streamed upload to a destination: parts fill reused buffers and go
//! up a few at a time ([`Upload`]); sealed, every byte is at the store and
//! no buffer is held ([`Sealed`]); completed, the object appears. Parts
//! complete while the next part streams ([`Completions`]).

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use object_store::PutPayload;

/// The size of each part of a multipart upload. S3 takes parts of 5 MiB
/// to 5 GiB (the last one smaller) and at most 10,000 of them: 8 MiB parts
/// carry objects up to 78 GiB.
pub const PART_SIZE: usize = 8 << 20;
/// Parts uploading at once. With the part being filled, an upload holds at
/// most `(PARTS_IN_FLIGHT + 1) * PART_SIZE` bytes (32 MiB).
pub const PARTS_IN_FLIGHT: usize = 3;

/// A streamed upload: parts go up as they fill ([`PART_SIZE`] each, at
/// most [`PARTS_IN_FLIGHT`] at once, so memory stays bounded); the object
/// appears when the [`Sealed`] upload that [`Upload::seal`] returns
/// completes; dropping either without completing leaves nothing visible.
///
/// Each part is filled in one buffer and handed to the store whole (one
/// piece of request body, no copy on the way to the socket), and the
/// buffer of a part the store is done with fills the next one: a few
/// buffers for the whole upload instead of a part's worth of small blocks
/// allocated and freed per part (`WriteMultipart::write`), whose churn kept
/// about 10 MiB more resident (BENCHMARKS.md, "sync").
pub struct Upload {
    up: Box<dyn object_store::MultipartUpload>,
    /// The parts uploading.
    tasks: tokio::task::JoinSet<Result<(), object_store::Error>>,
    /// The part being filled (without capacity between parts).
    part: BytesMut,
    /// The parts handed to the store, oldest first, kept to take their
    /// buffers back once the store has let go of them.
    sent: VecDeque<Bytes>,
    part_size: usize,
    in_flight: usize,
    bytes: u64,
}

impl Upload {
    pub(super) fn new(
        up: Box<dyn object_store::MultipartUpload>,
        part_size: usize,
        in_flight: usize,
    ) -> Self {
        Upload {
            up,
            tasks: tokio::task::JoinSet::new(),
            part: BytesMut::new(),
            sent: VecDeque::new(),
            part_size,
            in_flight: in_flight.max(1),
            bytes: 0,
        }
    }

    /// An empty buffer for the next part: the oldest part's, when its
    /// upload is over (only this holds it still), else a new one.
    fn next_buffer(&mut self) -> BytesMut {
        if let Some(Ok(mut done)) = self.sent.pop_front().map(Bytes::try_into_mut) {
            done.clear();
            done.reserve(self.part_size);
            return done;
        }
        BytesMut::with_capacity(self.part_size)
    }

    /// Wait until fewer than `most` parts are uploading; the first part
    /// that failed fails the upload.
    async fn wait_below(&mut self, most: usize) -> Result<(), object_store::Error> {
        while self.tasks.len() >= most {
            match self.tasks.join_next().await {
                Some(done) => joined(done)?,
                None => break,
            }
        }
        Ok(())
    }

    /// Start uploading `part` (the store numbers parts in this order).
    fn send(&mut self, part: Bytes) {
        let upload = self.up.put_part(PutPayload::from(part));
        self.tasks.spawn(upload);
    }

    /// Add `buf`; a part that fills goes up once fewer than
    /// [`PARTS_IN_FLIGHT`] are uploading (waiting here until then).
    pub async fn write(&mut self, mut buf: &[u8]) -> Result<(), object_store::Error> {
        while !buf.is_empty() {
            if self.part.capacity() == 0 {
                self.part = self.next_buffer();
            }
            let n = (self.part_size - self.part.len()).min(buf.len());
            self.part.extend_from_slice(&buf[..n]);
            self.bytes += n as u64;
            buf = &buf[n..];
            if self.part.len() == self.part_size {
                self.wait_below(self.in_flight).await?;
                let full = std::mem::take(&mut self.part).freeze();
                // This part and the `in_flight` before it: the oldest has
                // most likely finished by the time the next part needs a
                // buffer (at most `in_flight - 1` others were uploading).
                self.sent.push_back(full.clone());
                if self.sent.len() > self.in_flight + 1 {
                    self.sent.pop_front();
                }
                self.send(full);
            }
        }
        Ok(())
    }

    /// Send the last part and wait until every part is uploaded: all the
    /// bytes are at the store and no buffer is held any more. What is left
    /// is the store's assembly of the object ([`Sealed::complete`]), which
    /// can take seconds for a large object and needs none of this
    /// process's memory, so the next part can stream meanwhile.
    pub async fn seal(mut self) -> Result<Sealed, object_store::Error> {
        if !self.part.is_empty() {
            let last = std::mem::take(&mut self.part).freeze();
            self.send(last);
        }
        self.sent.clear();
        if let Err(e) = self.wait_below(1).await {
            self.tasks.shutdown().await;
            let _ = self.up.abort().await;
            return Err(e);
        }
        Ok(Sealed {
            up: self.up,
            bytes: self.bytes,
        })
    }

    /// Give up: the parts uploaded so far are discarded.
    pub async fn abort(mut self) -> Result<(), object_store::Error> {
        self.tasks.shutdown().await;
        self.up.abort().await
    }
}

/// An upload whose bytes are all at the store, waiting for its completion.
#[derive(Debug)]
pub struct Sealed {
    up: Box<dyn object_store::MultipartUpload>,
    bytes: u64,
}

impl Sealed {
    /// Complete the upload: the object becomes visible. Returns its size.
    pub async fn complete(mut self) -> Result<u64, object_store::Error> {
        match self.up.complete().await {
            Ok(_) => Ok(self.bytes),
            Err(e) => {
                let _ = self.up.abort().await;
                Err(e)
            }
        }
    }
}

/// Uploads completing while the next part streams: the store's assembly
/// of a large object can take seconds (moto: about 6 s for 2 GiB), time
/// the next part's bytes can use. At most [`COMPLETING`] at once; the
/// caller waits for all before it writes the manifest. Dropped, the
/// completions still going are cancelled (their uploads never appear).
pub struct Completions {
    set: tokio::task::JoinSet<Result<u64, object_store::Error>>,
}

/// Completions going on at once (each holds no buffer, only the upload's
/// id and its parts' ids).
pub const COMPLETING: usize = 2;

impl Completions {
    pub fn new() -> Self {
        Completions {
            set: tokio::task::JoinSet::new(),
        }
    }

    /// Start completing `sealed`, once fewer than [`COMPLETING`] are.
    pub async fn push(&mut self, sealed: Sealed) -> Result<(), object_store::Error> {
        while self.set.len() >= COMPLETING {
            self.next().await?;
        }
        self.set.spawn(sealed.complete());
        Ok(())
    }

    /// Wait for every completion; the first that failed is the answer
    /// (after all have ended, so none is left half-done).
    pub async fn finish(&mut self) -> Result<(), object_store::Error> {
        let mut first = Ok(());
        while !self.set.is_empty() {
            if let Err(e) = self.next().await
                && first.is_ok()
            {
                first = Err(e);
            }
        }
        first
    }

    async fn next(&mut self) -> Result<(), object_store::Error> {
        match self.set.join_next().await {
            Some(done) => joined(done).map(|_| ()),
            None => Ok(()),
        }
    }
}

/// A finished upload task's answer; a task that panicked or was cancelled
/// is an error of the upload.
fn joined<T>(
    done: Result<Result<T, object_store::Error>, tokio::task::JoinError>,
) -> Result<T, object_store::Error> {
    done.map_err(|e| object_store::Error::Generic {
        store: "upload",
        source: Box::new(e),
    })?
}

impl Default for Completions {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::Destination;
    use crate::sync::dest::Store;

    fn local() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let dest = Destination::parse(&dir.path().display().to_string()).unwrap();
        let store = Store::open(&dest).unwrap();
        (dir, store)
    }

    async fn sealed(store: &Store, rel: &str, bytes: &[u8]) -> Sealed {
        let mut up = store.upload(rel).await.unwrap();
        up.write(bytes).await.unwrap();
        up.seal().await.unwrap()
    }

    /// More sealed uploads than complete at once: each appears, whole,
    /// once `finish` returns.
    #[tokio::test]
    async fn every_pushed_upload_is_complete_when_finish_returns() {
        let (_dir, store) = local();
        let mut completing = Completions::new();
        for i in 0..COMPLETING + 3 {
            let body = format!("part {i}\n").repeat(1000);
            completing
                .push(sealed(&store, &format!("p/{i}"), body.as_bytes()).await)
                .await
                .unwrap();
            assert!(completing.set.len() <= COMPLETING);
        }
        completing.finish().await.unwrap();
        for i in 0..COMPLETING + 3 {
            let back = store
                .get(&format!("p/{i}"))
                .await
                .unwrap()
                .expect("complete");
            assert_eq!(back.as_ref(), format!("part {i}\n").repeat(1000).as_bytes());
        }
    }

    /// A completion that fails is the answer of `finish`, given only once
    /// the others have ended (completed, not cut off).
    #[tokio::test]
    async fn finish_reports_a_failed_completion_after_the_others_complete() {
        let (dir, store) = local();
        let mut completing = Completions::new();
        let doomed = sealed(&store, "p/doomed", b"bytes").await;
        // A folder where the file should go: the rename that completes a
        // local upload fails.
        std::fs::create_dir_all(dir.path().join("p/doomed/x")).unwrap();
        completing.push(doomed).await.unwrap();
        completing
            .push(sealed(&store, "p/fine", b"fine").await)
            .await
            .unwrap();
        assert!(completing.finish().await.is_err());
        assert!(completing.set.is_empty(), "every completion ended");
        assert_eq!(
            store.get("p/fine").await.unwrap().unwrap().as_ref(),
            b"fine"
        );
    }
}
