//! A sync's destination through `object_store`: a local folder, and S3 as
//! served by `moto_server` on 127.0.0.1. Streamed uploads appear only when
//! completed (not when sealed), an aborted one leaves nothing, a partition
//! can be cleared, and a missing bucket is told apart from other failures.

use upexport::sync::Destination;
use upexport::sync::dest::{Store, StoreError};

use crate::support::s3::S3Server;
use crate::support::within;

/// 12 MiB of a pattern: more than two 5 MiB parts.
fn payload() -> Vec<u8> {
    (0..12 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect()
}

/// Whether there is an object at `rel`.
async fn there(store: &Store, rel: &str) -> bool {
    store.get(rel).await.unwrap().is_some()
}

async fn exercise(store: &Store) {
    store.check_writable().await.expect("writable");
    let data = payload();
    let mut up = store
        .upload("events/dt=2026-11-01/part-0001.ndjson")
        .await
        .unwrap();
    for chunk in data.chunks(1 << 20) {
        up.write(chunk).await.unwrap();
    }
    // Not visible before it is complete, nor once sealed (every byte at
    // the store, nothing held here).
    assert!(!there(store, "events/dt=2026-11-01/part-0001.ndjson").await);
    let sealed = up.seal().await.unwrap();
    assert!(!there(store, "events/dt=2026-11-01/part-0001.ndjson").await);
    assert_eq!(sealed.complete().await.unwrap(), data.len() as u64);
    let back = store
        .get("events/dt=2026-11-01/part-0001.ndjson")
        .await
        .unwrap()
        .unwrap();
    assert!(
        back.as_ref() == data.as_slice(),
        "the bytes came back changed"
    );

    // An aborted upload leaves nothing.
    let mut up = store
        .upload("events/dt=2026-11-01/part-0002.ndjson")
        .await
        .unwrap();
    up.write(&data[..1024]).await.unwrap();
    up.abort().await.unwrap();
    assert!(!there(store, "events/dt=2026-11-01/part-0002.ndjson").await);

    store
        .put("events/dt=2026-11-01/manifest.json", b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(store.clear("events/dt=2026-11-01").await.unwrap(), 2);
    assert!(!there(store, "events/dt=2026-11-01/manifest.json").await);
}

#[tokio::test]
async fn a_local_folder_takes_streamed_files_whole_or_not_at_all() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let dest = Destination::parse(&dir.path().join("lake").display().to_string()).unwrap();
        let store = Store::open(&dest).unwrap();
        exercise(&store).await;
        // Nothing but the folders is left (no marker, no temporary file).
        let left: Vec<_> = walk(&dir.path().join("lake"));
        assert!(left.is_empty(), "{left:?}");
    })
    .await;
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn s3_over_the_real_protocol_takes_streamed_files_whole_or_not_at_all() {
    let Some(s3) = S3Server::start() else { return };
    within(async {
        s3.create_bucket("lake");
        let dest = Destination::parse("s3://lake/userpilot").unwrap();
        let store = Store::open_with(&dest, s3.env()).unwrap();
        exercise(&store).await;

        // A bucket that is not there: told apart, so sync can exit 2.
        let dest = Destination::parse("s3://no-such-bucket/x").unwrap();
        let store = Store::open_with(&dest, s3.env()).unwrap();
        match store.check_writable().await {
            Err(StoreError::Missing { detail, .. }) => {
                assert!(detail.contains("does not exist"), "{detail}")
            }
            other => panic!("expected a missing bucket: {other:?}"),
        }
    })
    .await;
}

/// Each part goes to S3 with its SHA-256, which the store checks and keeps
/// (a composite checksum of the object); `AWS_CHECKSUM_ALGORITHM=none`
/// leaves them out, for a server that refuses checksums.
#[tokio::test]
async fn s3_parts_carry_their_sha256_unless_turned_off() {
    let Some(s3) = S3Server::start() else { return };
    within(async {
        s3.create_bucket("sums");
        let data = payload();
        for (setting, sent) in [(None, true), (Some("none"), false)] {
            let mut env = s3.env();
            if let Some(v) = setting {
                env.push(("AWS_CHECKSUM_ALGORITHM".into(), v.into()));
            }
            let dest = Destination::parse("s3://sums/x").unwrap();
            let store = Store::open_with(&dest, env).unwrap();
            let mut up = store.upload("obj").await.unwrap();
            for chunk in data.chunks(1 << 20) {
                up.write(chunk).await.unwrap();
            }
            up.seal().await.unwrap().complete().await.unwrap();
            let head = s3
                .head("/sums/x/obj", &[("x-amz-checksum-mode", "ENABLED")])
                .expect("HEAD the object");
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            let has = head
                .to_ascii_lowercase()
                .contains("\nx-amz-checksum-sha256:");
            assert_eq!(has, sent, "checksum setting {setting:?}:\n{head}");
        }
    })
    .await;
}

/// An upload of many parts reuses the buffers of parts already sent: no
/// part's bytes are overwritten while it is still going up. 41 MiB in
/// chunks that straddle the parts' edges, every byte depending on where
/// it is.
#[tokio::test]
async fn a_long_upload_reuses_part_buffers_without_mixing_parts() {
    let Some(s3) = S3Server::start() else { return };
    within(async {
        s3.create_bucket("long");
        let data: Vec<u8> = (0..41 * 1024 * 1024 + 123u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let dest = Destination::parse("s3://long/p").unwrap();
        let store = Store::open_with(&dest, s3.env()).unwrap();
        let mut up = store.upload("big").await.unwrap();
        for chunk in data.chunks(700 * 1024 + 3) {
            up.write(chunk).await.unwrap();
        }
        assert_eq!(
            up.seal().await.unwrap().complete().await.unwrap(),
            data.len() as u64
        );
        let back = store.get("big").await.unwrap().expect("the object");
        assert_eq!(back.len(), data.len());
        assert!(
            back.as_ref() == data.as_slice(),
            "the bytes came back changed"
        );
    })
    .await;
}

/// A run killed with -9 leaves no lock behind: the kernel drops an `flock`
/// with its process. (`flock(1)` holds the same kind of lock as
/// `upexport sync`, on the same file.)
#[test]
fn a_killed_holder_leaves_no_lock_behind() {
    use std::process::{Command, Stdio};
    if !crate::support::require_tool("flock") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.lock");
    // -o: the lock stays with flock itself, not with the `sleep` it runs.
    let mut child = Command::new("flock")
        .arg("-o")
        .arg(&path)
        .args(["sleep", "600"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    // Busy while it lives (the file appears when flock has it open; wait
    // until the lock is really held).
    crate::support::wait_for("flock to hold the lock", crate::support::WAIT_LIMIT, || {
        matches!(
            upexport::sync::lock::lock(dir.path(), "events"),
            Err(upexport::sync::lock::LockError::Busy { .. })
        )
        .then_some(())
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let held = upexport::sync::lock::lock(dir.path(), "events");
    assert!(held.is_ok(), "{held:?}");
}
