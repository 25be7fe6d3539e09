//! Following jobs, the 409 dialog, the queue, downloads and the lookup
//! pickers, driven through `App::update`: state and effects only.

use std::path::PathBuf;

use crate::support::tui::*;
use crossterm::event::KeyCode;
use upexport::api::{CreatedJob, JobStatus, JobSummary, PresignedUrl};
use upexport::export::Field;
use upexport::history::{Entry, QueueState, QueuedExport};
use upexport::jobs::fetch::{FetchEvent, FilePlan};
use upexport::tui::app::{App, Overlay};
use upexport::tui::form::Focus;
use upexport::tui::msg::{Effect, LookupItems, Msg, SubmitError, SubmitOutcome};

/// A valid form over three months.
fn three_months() -> App {
    let mut a = app();
    type_text(&mut a, "2026-01-15");
    a.update(key(KeyCode::Tab));
    type_text(&mut a, "2026-03-10");
    a
}

fn tracks(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::TrackJob { job_id } => Some(job_id.clone()),
            _ => None,
        })
        .collect()
}

fn submits(fx: &[Effect]) -> Vec<Option<i64>> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Submit { queue_id, .. } => Some(*queue_id),
            _ => None,
        })
        .collect()
}

fn status(s: &str, chunks: (usize, usize)) -> JobStatus {
    JobStatus {
        status: Some(s.into()),
        all_chunks: (0..chunks.1).map(|i| format!("c{i}")).collect(),
        completed_chunks: (0..chunks.0).map(|i| format!("c{i}")).collect(),
        presigned_urls: if s == "completed" {
            vec![PresignedUrl {
                filename: Some("part-1.ndjson.gz".into()),
                url: Some("http://127.0.0.1:9/f".into()),
            }]
        } else {
            vec![]
        },
        ..Default::default()
    }
}

fn created(job: &str) -> SubmitOutcome {
    SubmitOutcome::Created(Box::new(CreatedJob {
        job_id: Some(job.into()),
        environment_name: Some("demo".into()),
        ..Default::default()
    }))
}

fn submit_seq(a: &mut App) -> u64 {
    let fx = a.update(ctrl('s'));
    fx.iter()
        .find_map(|e| match e {
            Effect::Submit { seq, .. } => Some(*seq),
            _ => None,
        })
        .expect("submitted")
}

fn queued(id: i64, state: QueueState) -> QueuedExport {
    QueuedExport {
        id,
        position: id,
        profile: "test".into(),
        base_url: "http://127.0.0.1:9/".into(),
        request_json: r#"{"from":"2026-01-01","to":"2026-01-31","format":"csv"}"#.into(),
        added_at: now(),
        state,
        attempt_id: None,
        message: None,
    }
}

#[test]
fn a_created_job_is_followed_until_it_ends() {
    let mut a = three_months();
    let seq = submit_seq(&mut a);
    let fx = a.update(Msg::SubmitDone {
        seq,
        outcome: created("job-1"),
    });
    assert_eq!(tracks(&fx), ["job-1"]);
    assert_eq!(a.jobs.busy("test"), Some("job-1"));
    // Following twice polls once.
    assert!(tracks(&a.update(Msg::Unfinished(vec![]))).is_empty());
    a.update(Msg::JobUpdate {
        base_url: "http://127.0.0.1:9/".into(),
        job_id: "job-1".into(),
        result: Ok(status("processing", (1, 3))),
    });
    assert_eq!(a.jobs.busy("test"), Some("job-1"));
    a.update(Msg::JobUpdate {
        base_url: "http://127.0.0.1:9/".into(),
        job_id: "job-1".into(),
        result: Ok(status("completed", (3, 3))),
    });
    assert_eq!(a.jobs.busy("test"), None);
    let text = a
        .status
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(
        text.contains("completed") && text.contains("press d"),
        "{text}"
    );
}

#[test]
fn a_409_offers_to_wait_and_the_queue_sends_it_when_the_job_ends() {
    let mut a = three_months();
    let seq = submit_seq(&mut a);
    a.update(Msg::SubmitStarted {
        seq,
        attempt_id: 41,
    });
    let fx = a.update(Msg::SubmitDone {
        seq,
        outcome: SubmitOutcome::Failed(SubmitError {
            kind: upexport::api::ErrorKind::Conflict,
            http_status: Some(409),
            message: "an export is already running".into(),
        }),
    });
    assert!(fx.contains(&Effect::LookupRunning));
    assert!(matches!(&a.overlay, Some(Overlay::Conflict(c)) if c.looking));
    let fx = a.update(Msg::RunningJob(Ok(Some(JobSummary {
        job_id: Some("running-1".into()),
        status: Some("processing".into()),
        ..Default::default()
    }))));
    assert_eq!(tracks(&fx), ["running-1"]);
    let fx = a.update(ch('w'));
    assert!(a.overlay.is_none());
    // Queued with the refused row, to be sent again on it.
    let Some(Effect::QueueAdd {
        requests,
        front: true,
        resend: Some(41),
    }) = fx.first()
    else {
        panic!("queued at the head: {fx:?}");
    };
    assert_eq!(requests.len(), 1);
    // The queue has it, but the environment is busy: nothing is sent.
    let fx = a.update(Msg::QueueLoaded(vec![queued(7, QueueState::Waiting)]));
    assert!(submits(&fx).is_empty());
    // The running job ends: the queued export goes.
    let fx = a.update(Msg::JobUpdate {
        base_url: "http://127.0.0.1:9/".into(),
        job_id: "running-1".into(),
        result: Ok(status("completed", (2, 2))),
    });
    assert_eq!(submits(&fx), [Some(7)]);
    // Only once, while in flight.
    assert!(
        submits(&a.update(Msg::QueueLoaded(vec![queued(7, QueueState::Submitting)]))).is_empty()
    );
}

#[test]
fn a_long_range_is_queued_by_month_in_one_action() {
    let mut a = three_months();
    a.update(ctrl('q'));
    let Some(Overlay::QueueAdd(q)) = &a.overlay else {
        panic!("queue dialog");
    };
    assert_eq!(q.monthly.len(), 3);
    let fx = a.update(ch('m'));
    let Some(Effect::QueueAdd {
        requests,
        front: false,
        resend: None,
    }) = fx.first()
    else {
        panic!("{fx:?}");
    };
    let ranges: Vec<(String, String)> = requests
        .iter()
        .map(|r| {
            (
                r.from.map(|d| d.to_wire()).unwrap_or_default(),
                r.to.map(|d| d.to_wire()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        ranges,
        [
            ("2026-01-15".into(), "2026-01-31".into()),
            ("2026-02-01".into(), "2026-02-28".into()),
            ("2026-03-01".into(), "2026-03-10".into())
        ]
    );
}

#[test]
fn the_queue_view_reorders_removes_and_pauses() {
    let mut a = app();
    let fx = a.update(key(KeyCode::F(3)));
    assert!(fx.contains(&Effect::LoadQueue));
    a.update(Msg::QueueLoaded(vec![]));
    assert!(matches!(a.overlay, Some(Overlay::Queue { .. })));
    // Pause before items arrive: nothing is sent.
    a.update(ch('p'));
    assert!(a.queue_paused);
    let fx = a.update(Msg::QueueLoaded(vec![
        queued(1, QueueState::Waiting),
        queued(2, QueueState::Waiting),
    ]));
    assert!(submits(&fx).is_empty());
    a.update(key(KeyCode::Down));
    assert_eq!(a.update(ch('K')), [Effect::QueueMove { id: 2, delta: -1 }]);
    assert_eq!(a.update(ch('x')), [Effect::QueueRemove { id: 2 }]);
    // Resume: the first waiting item goes.
    let fx = a.update(ch('p'));
    assert_eq!(submits(&fx), [Some(1)]);
}

#[test]
fn a_queued_export_finding_the_environment_busy_waits_for_that_job() {
    let mut a = app();
    let fx = a.update(Msg::QueueLoaded(vec![queued(3, QueueState::Waiting)]));
    assert_eq!(submits(&fx), [Some(3)]);
    let fx = a.update(Msg::EnvBusy {
        queue_id: 3,
        job: JobSummary {
            job_id: Some("other".into()),
            ..Default::default()
        },
    });
    assert!(a.in_flight.is_none());
    assert_eq!(tracks(&fx), ["other"]);
    assert_eq!(a.jobs.busy("test"), Some("other"));
}

fn plan(index: usize, exists: bool) -> FilePlan {
    let target = PathBuf::from(format!("/tmp/x/j/part-{index}.ndjson"));
    FilePlan {
        index,
        job_id: "j".into(),
        filename: format!("part-{index}.ndjson.gz"),
        url: format!("http://127.0.0.1:9/{index}"),
        on_disk: if exists {
            upexport::api::OnDisk::Other {
                path: target.clone(),
                why: "upexport has no record of saving it".into(),
            }
        } else {
            upexport::api::OnDisk::Nothing
        },
        target,
    }
}

#[test]
fn downloads_ask_before_overwriting_and_retry_what_failed() {
    let mut a = app();
    let entry = created_entry(5, now());
    let job = entry.created.clone().map(|c| c.job_id).unwrap_or_default();
    a.update(Msg::HistoryLoaded {
        offset: 0,
        entries: vec![entry],
        total: 1,
        orphans: vec![],
    });
    a.focus = Focus::History;
    let fx = a.update(ch('d'));
    assert!(
        matches!(fx.as_slice(), [Effect::PlanDownload { job_id, .. }] if *job_id == job),
        "{fx:?}"
    );
    a.update(Msg::DownloadPlanned {
        job_id: job.clone(),
        result: Ok(vec![plan(0, false), plan(1, true)]),
    });
    a.update(key(KeyCode::Down));
    // One target exists: refused until overwrite is on.
    assert!(a.update(key(KeyCode::Enter)).is_empty());
    let Some(Overlay::DownloadSetup(s)) = &a.overlay else {
        panic!("setup");
    };
    assert!(s.error.as_deref().unwrap_or("").contains("exist"));
    a.update(ctrl('o'));
    let fx = a.update(key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::Download { plans, overwrite: true, .. }] if plans.len() == 2),
        "{fx:?}"
    );
    assert!(matches!(&a.overlay, Some(Overlay::Downloads { .. })));
    for e in [
        FetchEvent::Started {
            index: 0,
            resumed_from: 0,
        },
        FetchEvent::Done {
            index: 0,
            path: PathBuf::from("/tmp/x/part-0.ndjson"),
            size: 10,
            decompressed: true,
            how: upexport::jobs::fetch::How::Fetched,
            tally: None,
        },
        FetchEvent::Failed {
            index: 1,
            message: "connection lost".into(),
            kind: upexport::api::ErrorKind::ConnectionLost,
        },
        FetchEvent::Finished { ok: 1, failed: 1 },
    ] {
        a.update(Msg::Fetch {
            job_id: job.clone(),
            event: e,
        });
    }
    let fx = a.update(ch('r'));
    assert!(
        matches!(fx.as_slice(), [Effect::Download { plans, .. }] if plans.len() == 1 && plans[0].index == 1),
        "{fx:?}"
    );
    // Preview of the file that is done.
    a.update(key(KeyCode::Up));
    a.update(key(KeyCode::Up));
    let fx = a.update(key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::LoadFilePreview { .. }]),
        "{fx:?}"
    );
}

/// `m` in the downloads view: not before the download is done and its
/// manifest written; then the merge effect; a Parquet job's refusal says
/// why its parts are kept, in the view and on the status line.
#[test]
fn m_merges_a_finished_download_and_shows_why_parquet_parts_stay_apart() {
    use upexport::jobs::manifest::Ready;
    use upexport::jobs::merge::{MergeError, PARQUET_KEPT};
    use upexport::tui::msg::Level;
    let mut a = app();
    let entry = created_entry(5, now());
    let job = entry.created.clone().map(|c| c.job_id).unwrap_or_default();
    a.update(Msg::HistoryLoaded {
        offset: 0,
        entries: vec![entry],
        total: 1,
        orphans: vec![],
    });
    a.focus = Focus::History;
    a.update(ch('d'));
    a.update(Msg::DownloadPlanned {
        job_id: job.clone(),
        result: Ok(vec![plan(0, false)]),
    });
    let fx = a.update(key(KeyCode::Enter));
    assert!(matches!(fx.as_slice(), [Effect::Download { .. }]), "{fx:?}");
    assert!(a.update(ch('m')).is_empty(), "still running");
    assert!(a.status.as_ref().unwrap().text.contains("still running"));
    let ready = Ready {
        job_id: job.clone(),
        dir: PathBuf::from("/tmp/x/j"),
        manifest: PathBuf::from("/tmp/x/j/manifest.json"),
        files: 1,
        rows: Some(10),
        format: Some(upexport::export::Format::Parquet),
        complete: true,
        duckdb: Ok(
            "duckdb -c \"SELECT * FROM read_parquet('/tmp/x/j/*.parquet') LIMIT 10\"".into(),
        ),
        problems: vec![],
    };
    for e in [
        FetchEvent::Manifest(Ok(ready)),
        FetchEvent::Finished { ok: 1, failed: 0 },
    ] {
        a.update(Msg::Fetch {
            job_id: job.clone(),
            event: e,
        });
    }
    assert!(a.ready.contains_key(&job), "the detail view can show it");
    assert!(
        a.status
            .as_ref()
            .unwrap()
            .text
            .contains("manifest.json written"),
        "{:?}",
        a.status
    );
    let fx = a.update(ch('m'));
    assert!(
        matches!(fx.as_slice(), [Effect::MergeParts { job_id, dir }] if *job_id == job && dir == &PathBuf::from("/tmp/x/j")),
        "{fx:?}"
    );
    a.update(Msg::Merged {
        job_id: job.clone(),
        result: Err(MergeError::KeptApart(PARQUET_KEPT.into())),
    });
    let run = a.downloads.last().unwrap();
    assert!(!run.merging);
    assert_eq!(run.merged, Some(Err(format!("not merged: {PARQUET_KEPT}"))));
    let n = a.status.as_ref().unwrap();
    assert_eq!(n.level, Level::Info);
    assert!(n.text.contains("kept apart"), "{}", n.text);
}

#[test]
fn the_segment_picker_fills_the_field_from_the_lookup() {
    let mut a = app();
    for _ in 0..6 {
        a.update(key(KeyCode::Tab));
    }
    assert_eq!(a.focus, Focus::Field(Field::SegmentId));
    let fx = a.update(key(KeyCode::Enter));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadLookup { name, .. } if name == "segments"))
    );
    a.update(Msg::LookupLoaded {
        name: "segments".into(),
        result: Ok(LookupItems {
            items: vec![
                serde_json::json!({"id": 101, "title": "Active Users"}),
                serde_json::json!({"id": 102, "title": "Trial accounts"}),
            ],
            fetched_at: now(),
            warning: None,
        }),
    });
    type_text(&mut a, "trial");
    a.update(key(KeyCode::Enter));
    assert!(a.overlay.is_none());
    assert_eq!(a.form.value(Field::SegmentId), "102");
}

/// A segment list that may be cut off says so when it arrives and again
/// each time the picker opens on it this session.
#[test]
fn the_segment_picker_says_a_list_is_incomplete_each_time_it_opens() {
    let mut a = app();
    for _ in 0..6 {
        a.update(key(KeyCode::Tab));
    }
    a.update(key(KeyCode::Enter));
    a.update(Msg::LookupLoaded {
        name: "segments".into(),
        result: Ok(LookupItems {
            items: vec![serde_json::json!({"id": 101, "title": "Active Users"})],
            fetched_at: now(),
            warning: Some("incomplete: paging stopped at page 2, 1 of 120".into()),
        }),
    });
    let note = |a: &App| match &a.overlay {
        Some(Overlay::Picker(p)) => p.note.clone().unwrap_or_default(),
        other => panic!("no picker: {other:?}"),
    };
    assert_eq!(
        note(&a),
        "segments incomplete: paging stopped at page 2, 1 of 120"
    );
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_none());
    let fx = a.update(key(KeyCode::Enter));
    assert!(fx.is_empty(), "loaded this session: {fx:?}");
    assert_eq!(
        note(&a),
        "segments incomplete: paging stopped at page 2, 1 of 120"
    );
}

#[test]
fn the_first_run_screen_takes_a_masked_key_for_the_session_or_saves_it() {
    use upexport::tui::first_run::FirstRun;
    for (key, save) in [(KeyCode::Enter, false), (KeyCode::Char('s'), true)] {
        let mut a = app();
        a.env.blocked = Some("no API key".into());
        a.overlay = Some(Overlay::FirstRun(FirstRun::new(
            "p",
            "/c/config.toml".into(),
            "/c/p.key".into(),
        )));
        // Nothing typed: refused with a message.
        let none = if save {
            a.update(ctrl('s'))
        } else {
            a.update(crate::support::tui::key(KeyCode::Enter))
        };
        assert!(none.is_empty());
        a.update(Msg::Paste("sentinel-key-77\n".into()));
        type_text(&mut a, "8");
        let fx = if save {
            a.update(ctrl('s'))
        } else {
            a.update(crate::support::tui::key(key))
        };
        let [Effect::UseKey { key, save: path }] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        assert_eq!(key.expose(), "sentinel-key-778");
        assert_eq!(path.is_some(), save);
        assert!(
            !format!("{fx:?}").contains("sentinel"),
            "the key is not in Debug"
        );
        assert!(a.overlay.is_none() && a.env.blocked.is_none());
    }
}

#[test]
fn switching_environment_reloads_queue_history_and_jobs_and_filter_follows() {
    use upexport::tui::environments::ProfileInfo;
    let mut a = app();
    let fx = a.update(key(KeyCode::F(5)));
    assert_eq!(fx, [Effect::LoadProfiles]);
    let info = |name: &str| ProfileInfo {
        name: name.into(),
        base_url: format!("https://{name}.example.com"),
        environment: None,
        app_token: None,
    };
    a.update(Msg::ProfilesLoaded(Ok(vec![info("eu"), info("test")])));
    // The cursor starts on the current environment.
    assert!(matches!(
        a.overlay,
        Some(Overlay::Environments { cursor: 1 })
    ));
    a.update(key(KeyCode::Up));
    let fx = a.update(key(KeyCode::Enter));
    assert_eq!(fx, [Effect::SwitchProfile { name: "eu".into() }]);
    // History shows only this environment after `f`.
    a.focus = Focus::History;
    let fx = a.update(ch('f'));
    assert!(fx.contains(&Effect::SetHistoryFilter(Some("test".into()))));
    assert!(a.history_mine);
    let mut env = env();
    env.profile = "eu".into();
    let fx = a.update(Msg::ProfileSwitched {
        env,
        first_run: None,
    });
    assert_eq!(a.env.profile, "eu");
    for want in [
        Effect::LoadQueue,
        Effect::LoadUnfinished,
        Effect::SetHistoryFilter(Some("eu".into())),
    ] {
        assert!(fx.contains(&want), "{want:?} in {fx:?}");
    }
    // A job of another environment does not hold this one's queue.
    a.jobs.follow("prod-job", "test", now());
    assert_eq!(a.jobs.busy("eu"), None);
    let fx = a.update(Msg::QueueLoaded(vec![queued(9, QueueState::Waiting)]));
    assert_eq!(submits(&fx), [Some(9)]);
}

/// A queued export put back by the library's disposition (no connection,
/// 5xx…) waits for the retry timer, with the delay on the status line, then
/// goes again; ten put-backs in a row pause the queue. An unknown outcome
/// (the export may exist) pauses it at once.
#[test]
fn a_put_back_queued_export_is_retried_later_and_paused_after_ten_tries() {
    use upexport::api::ErrorKind;
    use upexport::jobs::queue::Disposition;
    let mut a = app();
    let fx = a.update(Msg::QueueLoaded(vec![queued(7, QueueState::Waiting)]));
    let mut seq = submit_seq_of(&fx);
    let mut delays = Vec::new();
    for _ in 0..10 {
        let fx = a.update(Msg::QueueSettled {
            queue_id: 7,
            disposition: Disposition::PutBack,
        });
        let after = fx
            .iter()
            .find_map(|e| match e {
                Effect::QueueRetryAfter(d) => Some(d.as_secs()),
                _ => None,
            })
            .expect("a retry is scheduled");
        delays.push(after);
        assert!(a.queue_hold);
        let text = &a.status.as_ref().expect("a note").text;
        assert!(
            text.contains("put back") && text.contains(&format!("{after} s")),
            "{text}"
        );
        // The failed submit ends; the item is waiting again, but held.
        let fx = a.update(Msg::SubmitDone {
            seq,
            outcome: SubmitOutcome::Failed(SubmitError {
                kind: ErrorKind::Connect,
                http_status: None,
                message: "could not connect".into(),
            }),
        });
        assert!(submits(&fx).is_empty(), "held until the timer");
        let text = &a.status.as_ref().expect("a note").text;
        assert!(
            text.contains("next try in"),
            "the queue's word stays: {text}"
        );
        assert!(
            submits(&a.update(Msg::QueueLoaded(vec![queued(7, QueueState::Waiting)]))).is_empty()
        );
        // The timer: sent again.
        let fx = a.update(Msg::QueueRetryDue);
        assert_eq!(submits(&fx), [Some(7)]);
        seq = submit_seq_of(&fx);
    }
    assert_eq!(delays, [2, 3, 5, 8, 13, 20, 30, 30, 30, 30]);
    // The eleventh put-back in a row pauses the queue.
    let fx = a.update(Msg::QueueSettled {
        queue_id: 7,
        disposition: Disposition::PutBack,
    });
    assert!(fx.is_empty(), "{fx:?}");
    assert!(a.queue_paused && !a.queue_hold);
    assert!(
        a.status
            .as_ref()
            .expect("why")
            .text
            .contains("queue paused")
    );

    // An unknown outcome pauses at once.
    let mut b = app();
    b.update(Msg::QueueLoaded(vec![queued(8, QueueState::Waiting)]));
    b.update(Msg::QueueSettled {
        queue_id: 8,
        disposition: Disposition::MaybeCreated,
    });
    assert!(b.queue_paused);
    assert!(submits(&b.update(Msg::QueueLoaded(vec![queued(9, QueueState::Waiting)]))).is_empty());
}

fn submit_seq_of(fx: &[Effect]) -> u64 {
    fx.iter()
        .find_map(|e| match e {
            Effect::Submit { seq, .. } => Some(*seq),
            _ => None,
        })
        .expect("submitted")
}

/// A page read before a job's final answer was saved can arrive after that
/// answer was shown: the row keeps the final status (nothing polls any
/// more to correct it), while other rows take the page's values.
#[test]
fn a_stale_page_never_takes_a_job_back_from_its_final_status() {
    let mut a = app();
    let mut running = created_entry(7, now());
    if let Some(j) = running.job.as_mut() {
        j.status = "processing".into();
        j.files.clear();
    }
    let job = running
        .created
        .clone()
        .map(|c| c.job_id)
        .unwrap_or_default();
    let page = |e: Entry| Msg::HistoryLoaded {
        offset: 0,
        entries: vec![e],
        total: 1,
        orphans: vec![],
    };
    a.update(page(running.clone()));
    a.update(Msg::JobUpdate {
        base_url: running.base_url.clone(),
        job_id: job.clone(),
        result: Ok(status("completed", (2, 2))),
    });
    let shown = |a: &App| a.history.entries[0].job.as_ref().map(|j| j.status.clone());
    assert_eq!(shown(&a).as_deref(), Some("completed"));
    // The stale page: still "processing" in it.
    a.update(page(running.clone()));
    assert_eq!(shown(&a).as_deref(), Some("completed"), "slipped back");
    // A page with news of another kind is taken (the final status stays).
    let mut renamed = running;
    renamed.source = "cli".into();
    a.update(page(renamed));
    assert_eq!(a.history.entries[0].source, "cli");
    assert_eq!(shown(&a).as_deref(), Some("completed"));
}
