//! Messages that fit and stay true (issue 14): the status line is never
//! hidden by a popup and never cut without saying where the rest is ("F6
//! more", the message log); a field's message follows its text; a "!"
//! says why while its field has focus; progress has units; a completed
//! job's details say what is true; narrow footers keep the way out and
//! rows are cut after a whole word. At 80x24 and 120x40, through the
//! harness; the tour test (`tour.rs`) takes the real binary through the
//! README's tour under the same rules.

use crossterm::event::KeyCode;
use upexport::api::{ErrorKind, JobSummary};
use upexport::history::HistoryStore;
use upexport::tui::msg::{LookupItems, Msg, SubmitError, SubmitOutcome};
use upexport::tui::testing::Harness;

use crate::support::WAIT_LIMIT;
use crate::support::screen::{edge_cuts, status_cut, status_rows};
use crate::support::tui::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The demo's 409 words, long as a real server's may be.
const CONFLICT: &str = "an export is already running in this environment (HTTP 409): Export job 3f2b8c1e-9d4a-4c2e-8f1a-6b7c8d9e0f12 is processing (started 2026-11-27T09:00:00Z); wait for it to finish before starting another";

async fn ready(w: u16, h: u16) -> Harness {
    let store = HistoryStore::open_in_memory().expect("in-memory store");
    let mut hs = Harness::new(w, h, store, None, env(), &csv_draft());
    assert!(hs.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    hs
}

fn tab(h: &mut Harness, n: usize) {
    for _ in 0..n {
        h.key(KeyCode::Tab);
    }
}

/// The status line as one string ("" when empty).
fn status(screen: &str) -> String {
    status_rows(screen).join(" ")
}

/// The status line is readable: not covered, whole (one of `full`) or
/// ending "F6 more", no word cut at any edge of the screen.
fn readable(name: &str, screen: &str, width: u16, full: &[&str]) {
    let rows = status_rows(screen);
    assert!(!rows.is_empty(), "{name}: no status line:\n{screen}");
    let full: Vec<String> = full.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(status_cut(&rows, &full), None, "{name}:\n{screen}");
    let cuts = edge_cuts(screen, usize::from(width));
    assert!(cuts.is_empty(), "{name}: {cuts:#?}\n{screen}");
}

/// A valid form, and Ctrl-S with its effects dropped: in flight.
fn start_submit(h: &mut Harness) -> u64 {
    h.type_text("2026-11-01");
    tab(h, 1);
    h.type_text("2026-11-26");
    for _ in 0..1 {
        h.shift_tab();
    }
    let fx = h.session.app.update(ctrl('s'));
    let f = h.app().in_flight.as_ref().map(|f| f.seq);
    assert!(f.is_some(), "not in flight: {fx:?}");
    f.unwrap_or_default()
}

// ------------------------------------------------------------- item 1

/// An email typed into To (one Tab short of Emails) is "not a date", not
/// a date missing its time zone; the field says so while it has focus.
#[tokio::test]
async fn text_that_is_no_date_is_called_so() {
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        h.key(KeyCode::Enter);
        h.key(KeyCode::Char('3'));
        tab(&mut h, 1);
        h.type_text("you@example.com");
        let s = h.screen();
        // (At 120x40 under the field, wrapped; at 80x24 on the status line.)
        assert!(
            s.contains("expected YYYY-MM-DD"),
            "{w}x{hh}: To's message while it has focus:\n{s}"
        );
        assert!(!s.contains("time zone"), "{w}x{hh}:\n{s}");
    }
}

// ------------------------------------------------------------- item 2

/// A 409: the status line under the dialog, short, "F6 more"; F6 shows the
/// server's words in full.
#[tokio::test]
async fn the_409_message_fits_beside_its_dialog() {
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        let seq = start_submit(&mut h);
        h.session.app.update(Msg::SubmitDone {
            seq,
            outcome: SubmitOutcome::Failed(SubmitError {
                kind: ErrorKind::Conflict,
                http_status: Some(409),
                message: CONFLICT.into(),
            }),
        });
        let s = h.screen();
        assert!(s.contains("already running (409)"), "the dialog:\n{s}");
        readable(
            &format!("409 {w}x{hh}"),
            &s,
            w,
            &[
                CONFLICT,
                "not created: another export is running in this environment (HTTP 409)",
            ],
        );
        assert!(status(&s).contains("409"), "{w}x{hh}:\n{s}");
        h.key(KeyCode::Esc);
        h.key(KeyCode::F(6));
        let s = h.screen();
        assert!(
            s.contains("Messages") && s.contains("before starting another"),
            "{w}x{hh}: F6 shows the whole 409:\n{s}"
        );
    }
}

/// No key: the header says why without a word cut at its edge, and the
/// status line says it whole or with "F6 more".
#[tokio::test]
async fn without_a_key_the_header_and_status_fit() {
    let why = "no API key for profile 'default': set USERPILOT_API_KEY, or add api_key_file / api_key_command to the profile in /home/someone/.config/upexport/config.toml";
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        h.send(Msg::ClientStatus(Err(why.into())));
        let s = h.screen();
        let header = s.lines().next().unwrap_or("");
        assert!(header.contains("⚠ no API key"), "{w}x{hh}:\n{s}");
        assert!(header.ends_with("F1 help"), "{w}x{hh}: {header}");
        readable(
            &format!("no key {w}x{hh}"),
            &s,
            w,
            &[&format!("submitting will not work: {why}")],
        );
    }
}

/// "✔ copied" shows under the request preview at both sizes.
#[tokio::test]
async fn copied_shows_under_the_popup() {
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        h.ctrl('p');
        h.key(KeyCode::Char('c'));
        let s = h.screen();
        assert!(s.contains("Request preview"), "{w}x{hh}:\n{s}");
        assert!(
            status(&s).contains("copied the curl command"),
            "{w}x{hh}: the popup hides the status line:\n{s}"
        );
        readable(
            &format!("copied {w}x{hh}"),
            &s,
            w,
            &[
                "copied the curl command to the clipboard (OSC 52; over tmux needs set-clipboard on)",
            ],
        );
    }
}

// ------------------------------------------------------------- item 5

/// "not sent: fix Emails (…)" goes when Emails is fixed, and a different
/// bad paste says what is wrong now, not what was.
#[tokio::test]
async fn a_fields_message_follows_its_text() {
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        tab(&mut h, 2);
        h.type_text("ana@example.com, not-an-email");
        h.ctrl('s');
        let s = h.screen();
        assert!(
            status(&s).contains("not sent: fix Emails"),
            "{w}x{hh}:\n{s}"
        );
        h.ctrl('u');
        h.type_text("ana@example.com");
        let s = h.screen();
        assert!(
            !s.contains("not-an-email") && !status(&s).contains("not sent"),
            "{w}x{hh}: fixed, the message stayed:\n{s}"
        );
        h.paste(", bob@");
        let s = h.screen();
        assert!(
            !s.contains("not-an-email"),
            "{w}x{hh}: a stale message:\n{s}"
        );
        assert!(
            s.contains("bob@ (nothing"),
            "{w}x{hh}: the paste's own error:\n{s}"
        );
    }
}

// ------------------------------------------------------------- item 6

/// A future To shows "!" and why while To has focus, after a preset said
/// its own word.
#[tokio::test]
async fn a_warning_says_why_while_its_field_has_focus() {
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        h.key(KeyCode::Enter);
        h.key(KeyCode::Char('3'));
        tab(&mut h, 1);
        h.ctrl('u');
        h.type_text("2026-12-05");
        let s = h.screen();
        assert!(s.contains("!To"), "{w}x{hh}: the marker:\n{s}");
        assert!(
            status(&s).contains("To: ends in the future"),
            "{w}x{hh}: why, while To has focus:\n{s}"
        );
    }
}

// ------------------------------------------------------------- item 7

/// The 409 dialog words progress with its unit, as rows and the CLI do.
#[tokio::test]
async fn the_running_jobs_progress_has_its_unit() {
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        let seq = start_submit(&mut h);
        h.session.app.update(Msg::SubmitDone {
            seq,
            outcome: SubmitOutcome::Failed(SubmitError {
                kind: ErrorKind::Conflict,
                http_status: Some(409),
                message: CONFLICT.into(),
            }),
        });
        h.session.app.update(Msg::RunningJob(Ok(Some(JobSummary {
            job_id: Some("3f2b8c1e-9d4a-4c2e-8f1a-6b7c8d9e0f12".into()),
            status: Some("processing".into()),
            progress: Some("13".into()),
            ..Default::default()
        }))));
        let s = h.screen();
        assert!(s.contains("processing · 13%"), "{w}x{hh}:\n{s}");
        assert!(!s.contains("progress 13"), "{w}x{hh}:\n{s}");
    }
}

// ------------------------------------------------------------- item 8

/// A completed job's details do not repeat the create answer's "links
/// will be listed once the job has completed".
#[tokio::test]
async fn a_completed_jobs_details_say_what_is_true() {
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        let mut e = created_entry(9, now());
        if let Some(c) = e.created.as_mut() {
            c.links = Some("Download links will be listed under presigned_urls at http://127.0.0.1:9/api/v1/analytics/exports/jobs/x once the job has completed, and sent to the requested emails.".into());
        }
        h.send(Msg::HistoryLoaded {
            offset: 0,
            entries: vec![e],
            total: 1,
            orphans: vec![],
        });
        h.session.app.focus = upexport::tui::form::Focus::History;
        h.key(KeyCode::Enter);
        let s = h.screen();
        assert!(s.contains("Attempt #9"), "{w}x{hh}:\n{s}");
        assert!(
            !s.contains("once the job has completed"),
            "{w}x{hh}: stale links text:\n{s}"
        );
        assert!(s.contains("part-0.csv.gz"), "{w}x{hh}:\n{s}");
    }
}

// ------------------------------------------------------------- item 9

/// 80x24: the details footer keeps "Esc close", the calendar's keeps "t
/// today"; queue and picker rows are cut after a whole word, and the
/// selected one shows whole.
#[tokio::test]
async fn narrow_footers_and_rows() {
    for (w, hh) in SIZES {
        let mut h = ready(w, hh).await;
        h.send(Msg::HistoryLoaded {
            offset: 0,
            entries: vec![created_entry(9, now())],
            total: 1,
            orphans: vec![],
        });
        h.session.app.focus = upexport::tui::form::Focus::History;
        h.key(KeyCode::Enter);
        let s = h.screen();
        let footer = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert!(footer.contains("Esc close"), "{w}x{hh} details: {footer}");
        h.key(KeyCode::Esc);
        h.session.app.focus = upexport::tui::form::Focus::Field(upexport::export::Field::From);
        h.key(KeyCode::Enter);
        let s = h.screen();
        let footer = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert!(
            footer.contains("t today") && footer.contains("Esc cancel"),
            "{w}x{hh} calendar: {footer}"
        );
        h.key(KeyCode::Esc);

        // The queue: a long row cut after a word; selected, it shows whole.
        let item = |id: i64, message: &str| upexport::history::QueuedExport {
            id,
            position: id,
            profile: "test".into(),
            base_url: "http://127.0.0.1:9/".into(),
            request_json: request(4).to_json(),
            added_at: now(),
            state: upexport::history::QueueState::Failed,
            attempt_id: None,
            message: Some(message.into()),
        };
        let long = "request refused (HTTP 422: the range is longer than the environment allows for one export) · see history #12";
        h.key(KeyCode::F(3));
        h.key(KeyCode::Char('p'));
        h.send(Msg::QueueLoaded(vec![item(1, long), item(2, long)]));
        let s = h.screen();
        let cuts = edge_cuts(&s, usize::from(w));
        assert!(cuts.is_empty(), "{w}x{hh} queue: {cuts:#?}\n{s}");
        assert!(
            s.contains("history #12"),
            "{w}x{hh}: the selected row whole:\n{s}"
        );
        let row2 = s.lines().find(|l| l.contains("#2 ")).unwrap_or("");
        assert!(row2.contains('…'), "{w}x{hh}: row 2 cut with …: {row2}");
        h.key(KeyCode::Esc);

        // The segment picker with long titles: cut after a word, the
        // selected one whole.
        tab(&mut h, 6);
        h.key(KeyCode::Enter);
        let items = (0..3)
            .map(|i| {
                serde_json::json!({"id": 101 + i, "title": format!("Dashboard Filter Used by the onboarding team in the last quarter {i}"), "category": "user_id", "status": "published"})
            })
            .collect();
        h.send(Msg::LookupLoaded {
            name: "segments".into(),
            result: Ok(LookupItems {
                items,
                fetched_at: now(),
                warning: None,
            }),
        });
        let s = h.screen();
        let cuts = edge_cuts(&s, usize::from(w));
        assert!(cuts.is_empty(), "{w}x{hh} picker: {cuts:#?}\n{s}");
        assert!(
            s.contains("last quarter 0"),
            "{w}x{hh}: the selected choice whole:\n{s}"
        );
        let cut = s
            .lines()
            .filter(|l| l.contains("Dashboard Filter") && l.contains('…'))
            .count();
        if w == 80 {
            assert_eq!(cut, 2, "{w}x{hh}: the other choices cut with …:\n{s}");
        }
    }
}
