//! The TUI against a demo server in `vendor-differs` mode: status words it
//! does not know are shown as they come, an end time ends a job, and
//! following stops at the wait limit with a key to look again.

use std::time::Duration;

use crate::support::WAIT_LIMIT;
use crate::support::demo::start;
use crate::support::tui::settle;
use crossterm::event::KeyCode;
use upexport::demo::{DemoOptions, FaultMode};
use upexport::tui::form::Focus;

use super::event_loop::harness;

#[tokio::test]
async fn an_unknown_status_is_shown_following_stops_at_the_limit_and_r_looks_again() {
    // An hour-long job: it never ends by itself during the test.
    let server = start(DemoOptions {
        mode: FaultMode::VendorDiffers,
        job_duration: Duration::from_secs(3600),
        rows_per_part: 10,
        ..DemoOptions::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(&server, &dir.path().join("history.db")).await;
    h.session.runner.wait.max_wait = Duration::from_millis(300);
    h.session.runner.wait.backoff =
        upexport::jobs::track::Backoff::with_delays(vec![Duration::from_millis(20)]);

    h.type_text("2026-11-01");
    h.ctrl('s');
    settle(&mut h, 1).await;
    // The poller gives up at the limit and says so, naming the raw word.
    let stopped = h
        .wait_until(WAIT_LIMIT, |a| {
            a.status
                .as_ref()
                .is_some_and(|n| n.text.contains("stopped following job"))
        })
        .await;
    let text = h.app().status.as_ref().map(|n| n.text.clone());
    assert!(stopped, "{text:?}\n{}", h.screen());
    let text = text.unwrap_or_default();
    assert!(text.contains("(unknown to upexport)"), "{text}");
    assert!(text.contains("r on it in History looks again"), "{text}");
    // The row shows the word as the API sent it.
    let screen = h.screen();
    assert!(
        screen.contains("warming_up") || screen.contains("crunching"),
        "{screen}"
    );
    // Not polled any more, and not keeping the environment busy.
    assert!(h.app().jobs.busy("test").is_none());

    // The job ends (an unknown word beside end_time and links); `r` on the
    // row follows it again, and the end time ends it: completed.
    server.finish_running_jobs();
    h.session.runner.wait.max_wait = WAIT_LIMIT;
    h.shift_tab();
    assert_eq!(h.app().focus, Focus::History);
    h.key(KeyCode::Char('r'));
    let done = h
        .wait_until(WAIT_LIMIT, |a| {
            a.history
                .entries
                .first()
                .and_then(|e| e.job.as_ref())
                .is_some_and(|j| j.status == "ready_for_download" && j.ended_at.is_some())
        })
        .await;
    assert!(done, "{}", h.screen());
    let screen = h.screen();
    assert!(screen.contains("completed · 2 files"), "{screen}");
    let status = h
        .app()
        .status
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(status.contains("completed: 2 file(s)"), "{status}");
}
