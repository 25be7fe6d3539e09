//! Snapshots of the key screens at 80x24 and 120x40 (NO_COLOR theme, the
//! fixed clock, fabricated history with fixed times), and the screen at
//! every size and with any text does not panic.
//!
//! States the runtime would reach asynchronously (a request in flight, its
//! outcome, history pages) are injected with `update` so nothing depends on
//! timing or on the demo server's random job ids.

use crate::support::tui::*;
use chrono::Duration as Span;
use crossterm::event::KeyCode;
use upexport::api::CreatedJob;
use upexport::history::{Entry, EntryState, HistoryStore};
use upexport::tui::form::Focus;
use upexport::tui::msg::{Msg, SubmitError, SubmitOutcome};
use upexport::tui::testing::Harness;

use crate::support::WAIT_LIMIT;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// A harness over an empty in-memory store, no client, after the first
/// (empty) history page has arrived.
async fn ready(w: u16, h: u16) -> Harness {
    let store = HistoryStore::open_in_memory().expect("in-memory store");
    let mut hs = Harness::new(w, h, store, None, env(), &csv_draft());
    assert!(hs.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    hs
}

/// Build the scene at both sizes, hold each screen to the screen rules
/// (`screen_rules`), and compare it with its snapshot.
async fn both_sizes(name: &str, scene: impl Fn(&mut Harness)) {
    for (w, h) in SIZES {
        let mut hs = ready(w, h).await;
        scene(&mut hs);
        let screen = hs.screen();
        screen_rules(&format!("{name}_{w}x{h}"), &hs, &screen);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

/// The rules the tour test holds the real binary's screens to
/// (support::screen): no word cut at a pane's right edge, a footer with
/// its way out, a status line whole or ending "F6 more" (checked against
/// every message the app showed, and the focused field's own).
pub fn screen_rules(name: &str, hs: &Harness, screen: &str) {
    use crate::support::screen::{edge_cuts, footer_way_out, status_cut, status_rows};
    let width = usize::from(hs.app().size.width);
    let mut found = edge_cuts(screen, width);
    found.extend(footer_way_out(screen));
    let mut shown: Vec<String> = hs
        .app()
        .messages
        .items
        .iter()
        .map(|l| l.notice.text.clone())
        .collect();
    shown.extend(hs.app().field_message().map(|(_, t)| t));
    found.extend(status_cut(&status_rows(screen), &shown));
    assert!(found.is_empty(), "{name}: {found:#?}\n{screen}");
}

fn tab(h: &mut Harness, n: usize) {
    for _ in 0..n {
        h.key(KeyCode::Tab);
    }
}

/// Type a valid form: dates, two emails, event types, users, format.
fn fill_valid(h: &mut Harness) {
    h.type_text("2026-11-01");
    tab(h, 1);
    h.type_text("2026-11-26");
    tab(h, 1);
    h.type_text("ana@example.com, bo@example.org");
    tab(h, 1);
    h.type_text("track, page_view");
    tab(h, 1);
    h.type_text("u-1, u-2, u-3");
    tab(h, 2);
    h.type_text("101");
    tab(h, 1);
    h.key(KeyCode::Char('n'));
    // Back to From.
    for _ in 0..7 {
        h.shift_tab();
    }
}

/// Put fabricated entries in the pane (all of them: no page is asked for).
fn show_history(h: &mut Harness, entries: Vec<Entry>) {
    let total = entries.len() as u64;
    h.send(Msg::HistoryLoaded {
        offset: 0,
        entries,
        total,
        orphans: vec![],
    });
    assert!(!h.app().history.loading);
}

/// The body the form sends now.
fn sent_body(h: &Harness) -> String {
    h.app().preview_request().expect("valid form").to_json()
}

/// Ctrl-S on a valid form with the effects dropped: in flight, nothing sent.
fn start_submit(h: &mut Harness) -> u64 {
    fill_valid(h);
    let fx = h.session.app.update(ctrl('s'));
    assert!(h.app().in_flight.is_some(), "{fx:?}");
    h.app()
        .in_flight
        .as_ref()
        .map(|f| f.seq)
        .unwrap_or_default()
}

/// The outcome arrives (effects dropped) and the attempt is on top of the
/// history with the others.
fn finish_submit(h: &mut Harness, outcome: SubmitOutcome, mut top: Entry) {
    let seq = start_submit(h);
    top.request_json = sent_body(h);
    h.session.app.update(Msg::SubmitDone { seq, outcome });
    let mut all = vec![top];
    all.extend(entries(6));
    show_history(h, all);
}

// ---------------------------------------------------------------- screens

#[tokio::test]
async fn empty_form() {
    both_sizes("empty_form", |_| {}).await;
}

#[tokio::test]
async fn filled_form() {
    both_sizes("filled_form", fill_valid).await;
}

#[tokio::test]
async fn calendar_open() {
    both_sizes("calendar_open", |h| {
        h.type_text("2026-11-03");
        tab(h, 1);
        h.type_text("2026-11-20");
        h.key(KeyCode::Enter);
        h.key(KeyCode::Right);
    })
    .await;
}

#[tokio::test]
async fn picker_open() {
    both_sizes("picker_open", |h| {
        tab(h, 3);
        h.type_text("track");
        h.key(KeyCode::Enter);
        h.key(KeyCode::Down);
    })
    .await;
}

/// A footer offers only keys that act there: Ctrl-R refreshes a lookup,
/// so the segment picker offers it and the event-type picker (a fixed
/// list) does not.
#[tokio::test]
async fn the_pickers_footer_offers_refresh_only_over_a_lookup() {
    let mut hs = ready(120, 40).await;
    let footer = |hs: &mut Harness| {
        let screen = hs.screen();
        screen.lines().last().unwrap_or_default().to_owned()
    };
    tab(&mut hs, 3);
    hs.key(KeyCode::Enter);
    let events = footer(&mut hs);
    assert!(events.contains("Enter apply"), "{events}");
    assert!(!events.contains("Ctrl-R"), "the event types: {events}");
    hs.key(KeyCode::Esc);
    tab(&mut hs, 3);
    hs.key(KeyCode::Enter);
    let segments = footer(&mut hs);
    assert!(
        segments.contains("Ctrl-R refresh"),
        "the segments: {segments}"
    );
}

#[tokio::test]
async fn error_from_invalid_date() {
    both_sizes("error_from", |h| {
        h.type_text("2026-13-01");
        h.ctrl('s');
        assert!(h.app().form.error(upexport::export::Field::From).is_some());
    })
    .await;
}

#[tokio::test]
async fn error_to_before_from() {
    both_sizes("error_to", |h| {
        h.type_text("2026-11-20");
        tab(h, 1);
        h.type_text("2026-11-10");
        h.ctrl('s');
    })
    .await;
}

#[tokio::test]
async fn error_emails_invalid() {
    both_sizes("error_emails", |h| {
        tab(h, 2);
        h.type_text("ana@example.com, bob@, carl.example.com");
        h.ctrl('s');
    })
    .await;
}

#[tokio::test]
async fn error_segment_with_a_space() {
    both_sizes("error_segment", |h| {
        tab(h, 6);
        h.type_text("101 Active");
        h.ctrl('s');
    })
    .await;
}

#[tokio::test]
async fn errors_all_at_once() {
    both_sizes("errors_all", |h| {
        h.type_text("2026-11-20");
        tab(h, 1);
        h.type_text("2026-11-10");
        tab(h, 1);
        h.type_text("bob@");
        tab(h, 4);
        h.type_text("1 2");
        h.ctrl('s');
    })
    .await;
}

#[tokio::test]
async fn submitting() {
    both_sizes("submitting", |h| {
        let seq = start_submit(h);
        h.session
            .app
            .update(Msg::SubmitStarted { seq, attempt_id: 7 });
        let mut sending = created_entry(7, now());
        sending.request_json = sent_body(h);
        sending.state = EntryState::Sending;
        sending.created = None;
        sending.job = None;
        sending.finished_at = None;
        sending.pid = Some(std::process::id());
        let mut all = vec![sending];
        all.extend(entries(6));
        h.session.app.update(Msg::HistoryLoaded {
            offset: 0,
            entries: all,
            total: 7,
            orphans: vec![],
        });
        // 2.3 s later (the spinner and the elapsed time follow the clock).
        h.session.app.clock.now = now() + Span::milliseconds(2300);
        h.session.app.update(Msg::Tick);
        assert!(h.app().in_flight.is_some());
    })
    .await;
}

#[tokio::test]
async fn created() {
    both_sizes("created", |h| {
        let top = created_entry(7, now());
        let job = top.created.clone().map(|c| c.job_id).unwrap_or_default();
        finish_submit(
            h,
            SubmitOutcome::Created(Box::new(CreatedJob {
                job_id: Some(job),
                environment_name: Some("Demo".into()),
                environment_app_token: Some("NX-DEMO01".into()),
                ..Default::default()
            })),
            Entry { job: None, ..top },
        );
    })
    .await;
}

#[tokio::test]
async fn unauthorized() {
    both_sizes("error_401", |h| {
        let top = failed_entry(7, now(), 401);
        let f = top.failed.clone().expect("failed");
        finish_submit(
            h,
            SubmitOutcome::Failed(SubmitError {
                kind: upexport::api::ErrorKind::parse(&f.kind).expect("a known kind"),
                http_status: f.http_status,
                message: f.message,
            }),
            top,
        );
    })
    .await;
}

#[tokio::test]
async fn conflict() {
    both_sizes("error_409", |h| {
        let top = failed_entry(7, now(), 409);
        let f = top.failed.clone().expect("failed");
        finish_submit(
            h,
            SubmitOutcome::Failed(SubmitError {
                kind: upexport::api::ErrorKind::parse(&f.kind).expect("a known kind"),
                http_status: f.http_status,
                message: f.message,
            }),
            top,
        );
    })
    .await;
}

#[tokio::test]
async fn history_scrolled() {
    both_sizes("history_scrolled", |h| {
        show_history(h, entries(60));
        h.session.app.focus = Focus::History;
        h.key(KeyCode::PageDown);
        h.key(KeyCode::PageDown);
        h.key(KeyCode::Down);
        assert!(h.app().history.top > 0);
        assert!(!h.app().history.loading, "everything was cached");
    })
    .await;
}

#[tokio::test]
async fn detail_view() {
    both_sizes("detail", |h| {
        show_history(h, entries(10));
        h.session.app.focus = Focus::History;
        h.key(KeyCode::Down);
        h.key(KeyCode::Down); // id 8: created, with files
        h.key(KeyCode::Enter);
    })
    .await;
}

#[tokio::test]
async fn detail_of_a_failure() {
    both_sizes("detail_failed", |h| {
        show_history(h, entries(10));
        h.session.app.focus = Focus::History;
        h.key(KeyCode::Enter); // id 10: 401
    })
    .await;
}

#[tokio::test]
async fn help() {
    both_sizes("help", |h| h.key(KeyCode::F(1))).await;
}

#[tokio::test]
async fn help_scrolled_to_the_end() {
    both_sizes("help_end", |h| {
        h.key(KeyCode::F(1));
        for _ in 0..200 {
            h.key(KeyCode::Down);
        }
    })
    .await;
}

#[tokio::test]
async fn request_preview() {
    both_sizes("preview", |h| {
        fill_valid(h);
        h.ctrl('p');
    })
    .await;
}

#[tokio::test]
async fn request_preview_of_an_invalid_form() {
    both_sizes("preview_invalid", |h| {
        h.type_text("tomorrow");
        h.ctrl('p');
    })
    .await;
}

#[tokio::test]
async fn too_small() {
    for (w, h) in [(40, 10), (59, 20)] {
        let mut hs = ready(w, h).await;
        let screen = hs.screen();
        assert!(screen.contains("too small"), "{screen}");
        insta::assert_snapshot!(format!("too_small_{w}x{h}"), screen);
    }
}

// ---------------------------------------------------------------- robustness

type Scene = (&'static str, fn(&mut Harness));

/// Every overlay and pane state worth drawing at odd sizes.
fn scenes() -> Vec<Scene> {
    vec![
        ("form", |_| {}),
        ("calendar", |h| h.key(KeyCode::Enter)),
        ("calendar_to", |h| {
            tab(h, 1);
            h.key(KeyCode::Enter);
        }),
        ("picker", |h| {
            tab(h, 3);
            h.key(KeyCode::Enter);
        }),
        ("help", |h| h.key(KeyCode::F(1))),
        ("preview", |h| {
            fill_valid(h);
            h.ctrl('p');
        }),
        ("errors", |h| {
            h.type_text("2026-11-20");
            tab(h, 1);
            h.type_text("2026-11-10");
            tab(h, 1);
            h.type_text("bob@");
            h.ctrl('s');
        }),
        ("history", |h| {
            show_history(h, entries(40));
            h.session.app.focus = Focus::History;
            h.key(KeyCode::End);
        }),
        ("detail", |h| {
            show_history(h, entries(40));
            h.session.app.focus = Focus::History;
            h.key(KeyCode::Down);
            h.key(KeyCode::Enter);
        }),
        ("in_flight", |h| {
            start_submit(h);
        }),
    ]
}

const WIDTHS: [u16; 16] = [
    1, 2, 3, 5, 10, 20, 39, 50, 59, 60, 61, 80, 99, 100, 200, 400,
];
const HEIGHTS: [u16; 13] = [1, 2, 3, 5, 8, 13, 19, 20, 21, 24, 40, 80, 120];

#[tokio::test]
async fn any_size_draws_without_panic() {
    for (name, scene) in scenes() {
        let mut h = ready(120, 40).await;
        scene(&mut h);
        for w in WIDTHS {
            for ht in HEIGHTS {
                h.resize(w, ht);
                let screen = h.screen();
                assert_eq!(screen.lines().count(), usize::from(ht), "{name} {w}x{ht}");
            }
        }
        // And back: the state survived the tiny sizes.
        h.resize(120, 40);
        let screen = h.screen();
        assert!(screen.contains("Export"), "{name}:\n{screen}");
    }
}

/// Wide (CJK, emoji) and combining characters in every text field.
const WIDE: [&str; 4] = [
    "日本語のテキスト、中文字符",
    "e\u{301}\u{301}a\u{308}\u{20dd} Zalgo̸̢͇̳",
    "👩‍👩‍👧‍👦🇯🇵 ｆｕｌｌｗｉｄｔｈ",
    "한국어@예시.한국, 東京@例え.jp",
];

#[tokio::test]
async fn wide_and_combining_text_renders_in_every_field() {
    for (w, ht) in [(60, 20), (80, 24), (120, 40), (61, 21), (100, 30)] {
        let mut h = ready(w, ht).await;
        // Type into every text field (Format takes no text) and draw with
        // each one focused, the cursor at the end and in the middle.
        for i in 0..9 {
            if i != 7 {
                for s in WIDE {
                    h.type_text(s);
                    h.screen();
                    h.paste(s);
                }
                for _ in 0..7 {
                    h.key(KeyCode::Left);
                    h.screen();
                }
                h.key(KeyCode::Home);
                h.screen();
            }
            tab(&mut h, 1);
            h.screen();
        }
        let screen = h.screen();
        assert!(screen.contains("日本"), "{w}x{ht}:\n{screen}");
        // Submit (invalid emails and segment: messages with wide text),
        // preview, picker and calendar over wide text.
        h.ctrl('s');
        h.screen();
        h.ctrl('p');
        h.screen();
        h.key(KeyCode::Esc);
        for _ in 0..3 {
            h.shift_tab();
        }
        h.screen();
        // Wide text in history rows and the detail view.
        let mut wide = entries(8);
        for (e, s) in wide.iter_mut().zip(WIDE.iter().cycle()) {
            let mut req = request(e.id);
            req.event_type = vec![(*s).to_owned()];
            req.segment_id = Some((*s).to_owned());
            e.request_json = req.to_json();
            if let Some(f) = e.failed.as_mut() {
                f.message = format!("{s} {s} {s}");
            }
            e.profile = (*s).to_owned();
        }
        show_history(&mut h, wide);
        h.session.app.focus = Focus::History;
        for _ in 0..8 {
            h.key(KeyCode::Enter);
            h.screen();
            h.key(KeyCode::Esc);
            h.key(KeyCode::Down);
            h.screen();
        }
        for size in [(60, 20), (33, 7), (w, ht)] {
            h.resize(size.0, size.1);
            h.screen();
        }
    }
}

#[tokio::test]
async fn erased_wide_text_leaves_nothing_behind() {
    let mut h = ready(80, 24).await;
    tab(&mut h, 6);
    h.type_text("日本語のテキスト");
    let row = |s: &str| {
        s.lines()
            .find(|l| l.contains("Segment ID"))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    assert!(row(&h.screen()).contains("日本語のテキスト"));
    h.ctrl('u');
    h.type_text("abc");
    let screen = h.screen();
    assert!(
        row(&screen).trim_end_matches(['│', ' ']).ends_with("abc"),
        "{screen}"
    );
    assert!(!screen.contains('本') && !screen.contains('テ'), "{screen}");
}

// ---------------------------------------------------------------- scrolling

/// The rows of the popup's body (between its side borders) as trimmed text.
/// The popup is found by its top border: the `┌` that starts a title not
/// at column 0, and the `┐` that ends that border.
fn popup_rows(screen: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let Some((top, left, right)) = lines.iter().enumerate().find_map(|(y, l)| {
        let left = l.iter().skip(1).position(|c| *c == '┌')? + 1;
        let right = left + l[left..].iter().position(|c| *c == '┐')?;
        Some((y, left, right))
    }) else {
        return Vec::new();
    };
    lines[top + 1..]
        .iter()
        .take_while(|l| l.get(left) == Some(&'│'))
        .map(|l| {
            l[left + 1..right.min(l.len())]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}

/// A longer request body, so the detail needs more than one screen.
fn long_body(e: &mut Entry) {
    let mut req: upexport::export::ExportRequest = serde_json::from_str(&e.request_json).unwrap();
    req.user_id = (1..=8).map(|i| format!("user-{i}")).collect();
    e.request_json = req.to_json();
}

/// Detail of entry id 10 (a 401 whose message wraps at 80 columns, with
/// eight user ids in its body).
async fn failed_detail(w: u16, h: u16) -> Harness {
    let mut hs = ready(w, h).await;
    let mut all = entries(10);
    long_body(&mut all[0]);
    show_history(&mut hs, all);
    hs.session.app.focus = Focus::History;
    hs.key(KeyCode::Enter);
    hs
}

#[tokio::test]
async fn detail_scrolls_down_to_its_last_line() {
    // 20 rows: the detail does not fit and must scroll to its end.
    let mut h = failed_detail(80, 20).await;
    let top = popup_rows(&h.screen());
    assert!(
        !top.iter().any(|r| r == "}"),
        "fits without scrolling: {top:#?}"
    );
    for _ in 0..40 {
        h.key(KeyCode::Down);
    }
    let rows = popup_rows(&h.screen());
    let last = rows
        .iter()
        .position(|r| r == r#"  "format": "csv""#)
        .unwrap_or_else(|| panic!("no `format` line: {rows:#?}"));
    assert_eq!(
        rows.get(last + 1).map(String::as_str),
        Some("}"),
        "{rows:#?}"
    );
}

#[tokio::test]
async fn up_moves_at_once_after_scrolling_past_the_end() {
    type Open = fn(&mut Harness);
    let opens: [(&str, Open); 3] = [
        ("help", |h| h.key(KeyCode::F(1))),
        ("preview", |h| {
            fill_valid(h);
            h.ctrl('p');
        }),
        ("detail", |h| {
            let mut all = entries(10);
            long_body(&mut all[0]);
            show_history(h, all);
            h.session.app.focus = Focus::History;
            h.key(KeyCode::Enter);
        }),
    ];
    for (name, open) in opens {
        // 20 rows: none of the three fits, so each one scrolls.
        let mut h = ready(80, 20).await;
        open(&mut h);
        for _ in 0..100 {
            h.key(KeyCode::Down);
        }
        let bottom = h.screen();
        h.key(KeyCode::Up);
        assert_ne!(h.screen(), bottom, "{name}: one Up scrolls up");
    }
}

#[tokio::test]
async fn preview_does_not_scroll_past_its_end() {
    let mut h = ready(120, 40).await;
    fill_valid(&mut h);
    h.ctrl('p');
    for _ in 0..100 {
        h.key(KeyCode::Down);
    }
    let rows = popup_rows(&h.screen());
    assert!(
        rows.iter().any(|r| r.contains("--data-raw")),
        "the end of the curl command stays in view: {rows:#?}"
    );
}

// ---------------------------------------------------------------- NO_COLOR styles

/// The cell under the first occurrence of `needle` on the row holding `row`.
fn cell_at<'a>(h: &'a Harness, screen: &str, row: &str, needle: &str) -> &'a ratatui::buffer::Cell {
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(row))
        .unwrap_or_else(|| panic!("no row {row}:\n{screen}"));
    let byte = line
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle} in {line}"));
    // Every character on these rows is one column wide.
    let x = line[..byte].chars().count() as u16;
    &h.terminal.backend().buffer()[(x, y as u16)]
}

#[tokio::test]
async fn without_colour_focus_and_bad_items_show_by_modifiers() {
    use ratatui::style::{Color, Modifier};
    let mut h = ready(120, 40).await;
    tab(&mut h, 2);
    h.type_text("ana@example.com, bob@");
    tab(&mut h, 1); // leave Emails: its errors show; focus on Event types
    let screen = h.screen();
    let buf = h.terminal.backend().buffer();
    for cell in buf.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    let bad = cell_at(&h, &screen, "Emails", "bob@");
    assert!(bad.modifier.contains(Modifier::UNDERLINED), "{bad:?}");
    let good = cell_at(&h, &screen, "Emails", "ana@");
    assert!(!good.modifier.contains(Modifier::UNDERLINED), "{good:?}");
    let focused = cell_at(&h, &screen, "Event types", "all types");
    assert!(focused.modifier.contains(Modifier::REVERSED), "{focused:?}");
    let unfocused = cell_at(&h, &screen, "User IDs", "all users");
    assert!(!unfocused.modifier.contains(Modifier::REVERSED));
}

// ---------------------------------------------------------------- jobs (issue 4)

/// The newest entry's detail, with its job snapshot set by `job`.
async fn job_detail(name: &str, job: fn(&mut upexport::history::JobSnapshot)) {
    both_sizes(name, move |h| {
        let mut top = created_entry(9, now() - Span::minutes(14));
        if let Some(j) = top.job.as_mut() {
            job(j);
        }
        let mut all = vec![top];
        all.extend(entries(8));
        show_history(h, all);
        h.session.app.focus = Focus::History;
        h.key(KeyCode::Enter);
    })
    .await;
}

#[tokio::test]
async fn job_processing() {
    job_detail("job_processing", |j| {
        j.status = "processing".into();
        j.chunks_done = Some(2);
        j.chunks_total = Some(5);
        j.files.clear();
        j.ended_at = None;
    })
    .await;
}

#[tokio::test]
async fn job_completed_with_files() {
    job_detail("job_completed", |j| {
        j.ended_at = Some(now() - Span::minutes(10));
    })
    .await;
}

#[tokio::test]
async fn job_failed() {
    job_detail("job_failed", |j| {
        j.status = "failed".into();
        j.files.clear();
        j.error = Some("the range holds no data for these filters".into());
    })
    .await;
}

#[tokio::test]
async fn queue_view() {
    both_sizes("queue_view", |h| {
        let item = |id: i64, state, message: Option<&str>| upexport::history::QueuedExport {
            id,
            position: id,
            profile: "test".into(),
            base_url: "http://127.0.0.1:9/".into(),
            request_json: request(id).to_json(),
            added_at: now(),
            state,
            attempt_id: (state == upexport::history::QueueState::Submitted).then_some(40 + id),
            message: message.map(str::to_owned),
        };
        use upexport::history::QueueState as Q;
        h.key(KeyCode::F(3));
        h.key(KeyCode::Char('p')); // paused: nothing is sent
        h.send(Msg::QueueLoaded(vec![
            item(1, Q::Submitted, None),
            item(2, Q::Failed, Some("request refused (HTTP 422: bad range)")),
            item(
                3,
                Q::Waiting,
                Some("not submitted: could not connect to 127.0.0.1:9; put back"),
            ),
            item(4, Q::Waiting, None),
        ]));
        assert!(h.app().in_flight.is_none());
    })
    .await;
}

#[tokio::test]
async fn segment_picker() {
    both_sizes("segment_picker", |h| {
        tab(h, 6);
        h.key(KeyCode::Enter);
        let items = (0..30)
            .map(|i| {
                serde_json::json!({"id": 101 + i, "title": format!("Segment {i:02}"), "category": "user_id", "status": "published", "is_hidden": i == 3})
            })
            .collect();
        h.send(Msg::LookupLoaded {
            name: "segments".into(),
            result: Ok(upexport::tui::msg::LookupItems { items, fetched_at: now(), warning: None }),
        });
        h.type_text("segment 1");
    })
    .await;
}

#[tokio::test]
async fn download_setup_and_progress() {
    use std::path::PathBuf;
    use upexport::api::OnDisk;
    use upexport::jobs::fetch::{FetchEvent, FilePlan, How};
    let plan = |index: usize, exists: bool| {
        let job9 = created_entry(9, now())
            .created
            .map(|c| c.job_id)
            .unwrap_or_default();
        let target = PathBuf::from(format!("/exports/{job9}/part-000{}.csv", index + 1));
        FilePlan {
            index,
            job_id: job9.clone(),
            filename: format!("part-000{}.csv.gz", index + 1),
            url: format!("http://127.0.0.1:9/{index}"),
            on_disk: if exists {
                OnDisk::Other {
                    path: target.clone(),
                    why: "upexport has no record of saving it".into(),
                }
            } else {
                OnDisk::Nothing
            },
            target,
        }
    };
    for (name, progress) in [("download_setup", false), ("download_progress", true)] {
        both_sizes(name, move |h| {
            let top = created_entry(9, now());
            let job = top.created.clone().map(|c| c.job_id).unwrap_or_default();
            show_history(h, vec![top]);
            h.session.app.focus = Focus::History;
            h.key(KeyCode::Char('d'));
            h.send(Msg::DownloadPlanned {
                job_id: job.clone(),
                result: Ok(vec![plan(0, false), plan(1, true), plan(2, false)]),
            });
            if progress {
                h.key(KeyCode::Down);
                h.ctrl('o');
                h.key(KeyCode::Enter);
                for e in [
                    FetchEvent::Started {
                        index: 0,
                        resumed_from: 0,
                    },
                    FetchEvent::Done {
                        index: 0,
                        path: PathBuf::from("/exports/part-0001.csv"),
                        size: 48_213,
                        decompressed: true,
                        how: How::Fetched,
                        tally: None,
                    },
                    FetchEvent::Started {
                        index: 1,
                        resumed_from: 0,
                    },
                    FetchEvent::Progress {
                        index: 1,
                        received: 400_000,
                        total: Some(1_000_000),
                    },
                ] {
                    h.send(Msg::Fetch {
                        job_id: job.clone(),
                        event: e,
                    });
                }
            }
        })
        .await;
    }
}

#[tokio::test]
async fn first_run_without_a_key() {
    both_sizes("first_run", |h| {
        h.session.app.overlay = Some(upexport::tui::app::Overlay::FirstRun(
            upexport::tui::first_run::FirstRun::new(
                "default",
                "/home/ana/.config/upexport/config.toml".into(),
                "/home/ana/.config/upexport/default.key".into(),
            ),
        ));
        h.type_text("sentinel-first-run");
    })
    .await;
}

#[tokio::test]
async fn environment_switcher() {
    both_sizes("profiles", |h| {
        use upexport::tui::environments::ProfileInfo;
        h.key(KeyCode::F(5));
        let p = |name: &str, url: &str, env: Option<(&str, &str)>| ProfileInfo {
            name: name.into(),
            base_url: url.into(),
            environment: env.map(|e| e.0.to_owned()),
            app_token: env.map(|e| e.1.to_owned()),
        };
        h.send(Msg::ProfilesLoaded(Ok(vec![
            p(
                "eu",
                "https://appex-eu.example.com",
                Some(("EU production", "NX-EU0001")),
            ),
            p("staging", "https://appex.userpilot.io", None),
            p("test", "http://127.0.0.1:9", Some(("Demo", "NX-DEMO01"))),
        ])));
    })
    .await;
}
