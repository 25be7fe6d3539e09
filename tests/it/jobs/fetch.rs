//! `upexport::jobs::fetch` against the demo server: every part, resume after a
//! cut, existing files, picking parts, a closed receiver.

use std::path::Path;
use upexport::api::ErrorKind;

use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use upexport::api::OnDisk;
use upexport::api::{ApiClient, JobStatus};
use upexport::demo::{DemoServer, FaultMode};
use upexport::export::Format;
use upexport::jobs::fetch::{
    FetchEvent, FetchOptions, FilePlan, How, Totals, fetch_all, job_dir, plan,
};

use crate::support::demo::{client, completed_job, file_requests, server};
use crate::support::within;

async fn run(c: &ApiClient, plans: Vec<FilePlan>, opts: FetchOptions) -> Vec<FetchEvent> {
    let (tx, mut rx) = unbounded_channel();
    fetch_all(c, plans, opts, tx).await;
    drain(&mut rx)
}

/// Every event sent (the sender is gone once `fetch_all` returned).
fn drain(rx: &mut UnboundedReceiver<FetchEvent>) -> Vec<FetchEvent> {
    let mut out = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(e) => out.push(e),
            Err(TryRecvError::Disconnected) => return out,
            Err(TryRecvError::Empty) => panic!("fetch_all returned but kept its sender"),
        }
    }
}

fn events_of(events: &[FetchEvent], index: usize) -> Vec<&FetchEvent> {
    events
        .iter()
        .filter(|e| match e {
            FetchEvent::Started { index: i, .. }
            | FetchEvent::Progress { index: i, .. }
            | FetchEvent::Done { index: i, .. }
            | FetchEvent::Failed { index: i, .. } => *i == index,
            FetchEvent::Manifest(_) | FetchEvent::Finished { .. } => false,
        })
        .collect()
}

fn content(s: &DemoServer, id: &str, st: &JobStatus, p: &FilePlan) -> Vec<u8> {
    assert_eq!(
        p.filename,
        st.presigned_urls[p.index].safe_filename(p.index)
    );
    s.part_content(id, &p.filename).expect("a demo part")
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn every_part_is_fetched_in_order_with_progress() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let (id, st) = completed_job(&s, &c, Format::Ndjson).await;
        let dir = tempfile::tempdir().unwrap();
        let plans = plan(&id, &st, dir.path(), None);
        assert_eq!(plans.len(), st.presigned_urls.len());
        assert!(plans.iter().all(|p| p.on_disk == OnDisk::Nothing));
        assert!(plans.iter().all(|p| p.dir() == job_dir(dir.path(), &id)));

        let events = run(&c, plans.clone(), FetchOptions::default()).await;
        let mut totals = Totals::new(plans.len());
        for e in &events {
            totals.apply(e);
        }
        assert_eq!(totals.fraction(), Some(1.0));
        assert_eq!(
            (totals.files_done(), totals.files_failed()),
            (plans.len(), 0)
        );
        assert_eq!(
            events.last(),
            Some(&FetchEvent::Finished {
                ok: plans.len(),
                failed: 0
            })
        );
        for p in &plans {
            let mine = events_of(&events, p.index);
            assert_eq!(
                mine[0],
                &FetchEvent::Started {
                    index: p.index,
                    resumed_from: 0
                }
            );
            let progress: Vec<(u64, Option<u64>)> = mine
                .iter()
                .filter_map(|e| match e {
                    FetchEvent::Progress {
                        received, total, ..
                    } => Some((*received, *total)),
                    _ => None,
                })
                .collect();
            assert_eq!(progress[0].0, 0, "first progress: not resumed");
            assert!(progress.windows(2).all(|w| w[0].0 < w[1].0), "{progress:?}");
            let (last, total) = *progress.last().unwrap();
            assert_eq!(Some(last), total, "the end is always reported");
            match mine.last().unwrap() {
                FetchEvent::Done {
                    path,
                    size,
                    decompressed,
                    ..
                } => {
                    assert_eq!(path, &p.target);
                    assert!(*decompressed);
                    let want = content(&s, &id, &st, p);
                    assert_eq!(*size, want.len() as u64);
                    assert_eq!(std::fs::read(path).unwrap(), want);
                }
                other => panic!("{other:?}"),
            }
        }
        // Files fetched one after another, in plan order.
        let order: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                FetchEvent::Started { index, .. } => Some(*index),
                _ => None,
            })
            .collect();
        assert_eq!(order, plans.iter().map(|p| p.index).collect::<Vec<_>>());
        // Hidden: only the records of what was saved (no .part, no .unzip).
        let job = job_dir(dir.path(), &id);
        let hidden: Vec<String> = names_in(&job)
            .into_iter()
            .filter(|n| n.starts_with('.'))
            .collect();
        assert_eq!(hidden.len(), plans.len(), "{hidden:?}");
        assert!(
            hidden.iter().all(|n| n.ends_with(".download.json")),
            "{hidden:?}"
        );

        // Again: this job's files, as saved: kept and counted, not fetched.
        let before = file_requests(&s);
        let again = run(
            &c,
            plan(&id, &st, dir.path(), None),
            FetchOptions::default(),
        )
        .await;
        for p in &plans {
            assert!(matches!(p.on_disk, OnDisk::Nothing));
            assert!(
                matches!(
                    events_of(&again, p.index)[..],
                    [FetchEvent::Done { how: How::AlreadyThere, path, .. }] if *path == p.target
                ),
                "{again:?}"
            );
        }
        assert_eq!(file_requests(&s), before);
    })
    .await;
}

#[tokio::test]
async fn a_cut_download_keeps_its_part_and_the_next_run_resumes() {
    within(async {
        let s = server(FaultMode::DownloadCut, 300).await;
        let c = client(&s);
        let (id, st) = completed_job(&s, &c, Format::Csv).await;
        let dir = tempfile::tempdir().unwrap();
        let plans = plan(&id, &st, dir.path(), None);
        let n = plans.len();

        let first = run(&c, plans.clone(), FetchOptions::default()).await;
        assert_eq!(
            first.last(),
            Some(&FetchEvent::Finished { ok: 0, failed: n })
        );
        let mut kept = Vec::new();
        for p in &plans {
            let mine = events_of(&first, p.index);
            match mine.last().unwrap() {
                FetchEvent::Failed { kind, message, .. } => {
                    assert_eq!(kind.as_str(), "connection_lost", "{message}");
                    assert!(message.contains("resumes"), "{message}");
                }
                other => panic!("{other:?}"),
            }
            assert!(!p.target.exists(), "no final file");
            assert!(!p.dir().join(&p.filename).exists());
            let len = std::fs::metadata(p.partial()).expect(".part kept").len();
            assert!(len > 0);
            kept.push(len);
        }
        assert_eq!(
            file_requests(&s),
            n,
            "a failed file did not stop the others"
        );

        // A fresh plan of the same job: the parts resume.
        let plans = plan(&id, &st, dir.path(), None);
        let second = run(&c, plans.clone(), FetchOptions::default()).await;
        assert_eq!(
            second.last(),
            Some(&FetchEvent::Finished { ok: n, failed: 0 })
        );
        for (p, kept) in plans.iter().zip(kept) {
            let mine = events_of(&second, p.index);
            assert_eq!(
                mine[0],
                &FetchEvent::Started {
                    index: p.index,
                    resumed_from: kept
                }
            );
            assert!(
                matches!(mine[1], FetchEvent::Progress { received, .. } if *received == kept),
                "the first progress starts at the kept bytes: {:?}",
                mine[1]
            );
            assert!(matches!(mine.last().unwrap(), FetchEvent::Done { .. }));
            assert_eq!(std::fs::read(&p.target).unwrap(), content(&s, &id, &st, p));
            assert!(!p.partial().exists());
        }
        assert_eq!(file_requests(&s), 2 * n);
    })
    .await;
}

#[tokio::test]
async fn an_existing_file_fails_with_io_unless_overwrite_and_the_rest_go_on() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let (id, st) = completed_job(&s, &c, Format::Ndjson).await;
        let dir = tempfile::tempdir().unwrap();
        let all = plan(&id, &st, dir.path(), None);
        std::fs::create_dir_all(all[0].dir()).unwrap();
        std::fs::write(&all[0].target, b"mine").unwrap();

        let plans = plan(&id, &st, dir.path(), None);
        assert!(matches!(plans[0].on_disk, OnDisk::Other { .. }));
        assert_eq!(plans[1].on_disk, OnDisk::Nothing);
        let events = run(&c, plans.clone(), FetchOptions::default()).await;
        match events_of(&events, plans[0].index).last().unwrap() {
            FetchEvent::Failed { kind, message, .. } => {
                assert_eq!(*kind, ErrorKind::Io);
                assert!(message.contains("not this job's file"), "{message}");
                assert!(message.contains("no record"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            std::fs::read(&plans[0].target).unwrap(),
            b"mine",
            "untouched"
        );
        assert_eq!(
            std::fs::read(&plans[1].target).unwrap(),
            content(&s, &id, &st, &plans[1])
        );
        let ok = plans.len() - 1;
        assert_eq!(events.last(), Some(&FetchEvent::Finished { ok, failed: 1 }));
        let mut totals = Totals::new(plans.len());
        events.iter().for_each(|e| totals.apply(e));
        assert_eq!((totals.files_done(), totals.files_failed()), (ok, 1));

        let events = run(
            &c,
            plan(&id, &st, dir.path(), None),
            FetchOptions {
                overwrite: true,
                keep_compressed: false,
            },
        )
        .await;
        let n = plans.len();
        assert_eq!(
            events.last(),
            Some(&FetchEvent::Finished { ok: n, failed: 0 })
        );
        for p in &plans {
            assert_eq!(std::fs::read(&p.target).unwrap(), content(&s, &id, &st, p));
        }
    })
    .await;
}

#[tokio::test]
async fn only_the_chosen_parts_are_fetched() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let (id, st) = completed_job(&s, &c, Format::Ndjson).await;
        let dir = tempfile::tempdir().unwrap();
        let all = plan(&id, &st, dir.path(), None);
        let last = all.len() - 1;
        let picked = plan(&id, &st, dir.path(), Some(&[last]));
        assert_eq!(picked, vec![all[last].clone()]);

        let events = run(&c, picked, FetchOptions::default()).await;
        assert_eq!(
            events.last(),
            Some(&FetchEvent::Finished { ok: 1, failed: 0 })
        );
        assert_eq!(
            names_in(all[last].dir())
                .into_iter()
                .filter(|n| !n.starts_with('.'))
                .collect::<Vec<_>>(),
            [all[last].target.file_name().unwrap().to_string_lossy()]
        );
        assert_eq!(file_requests(&s), 1);
        assert!(plan(&id, &st, dir.path(), Some(&[])).is_empty());
    })
    .await;
}

#[tokio::test]
async fn gzip_is_kept_when_asked_and_a_closed_receiver_does_not_stop_the_fetch() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let (id, st) = completed_job(&s, &c, Format::Ndjson).await;
        let dir = tempfile::tempdir().unwrap();
        let plans = plan(&id, &st, dir.path(), None);
        let (tx, rx) = unbounded_channel();
        drop(rx);
        let opts = FetchOptions {
            overwrite: false,
            keep_compressed: true,
        };
        fetch_all(&c, plans.clone(), opts, tx).await;
        for p in &plans {
            let gz = std::fs::read(p.dir().join(&p.filename)).unwrap();
            assert_eq!(&gz[..2], &[0x1f, 0x8b]);
        }
    })
    .await;
}

#[tokio::test]
async fn a_bad_signature_fails_with_the_expiry_hint() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let (id, st) = completed_job(&s, &c, Format::Ndjson).await;
        let dir = tempfile::tempdir().unwrap();
        let mut plans = plan(&id, &st, dir.path(), Some(&[0]));
        plans[0].url = plans[0]
            .url
            .replace("X-Amz-Signature=", "X-Amz-Signature=0");
        let events = run(&c, plans, FetchOptions::default()).await;
        match &events[events.len() - 2] {
            FetchEvent::Failed { kind, message, .. } => {
                assert_eq!(*kind, ErrorKind::HttpError);
                assert!(
                    message.contains("403") && message.contains("expire"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        let job = job_dir(dir.path(), &id);
        assert!(names_in(&job).is_empty(), "{:?}", names_in(&job));
    })
    .await;
}
