//! `App::update` driven by the key sequences of the TUI contract: no
//! terminal, runtime or server; state and effects are checked directly.

use crate::support::tui::*;
use crossterm::event::KeyCode;
use upexport::api::CreatedJob;
use upexport::export::{ExportRequest, Field, Format, KNOWN_EVENT_TYPES};
use upexport::tui::app::{App, Overlay};
use upexport::tui::form::{Focus, MAX_FIELD_BYTES};
use upexport::tui::msg::{Effect, Level, Msg, SubmitError, SubmitOutcome};

/// Tab until `target` has focus (at most once round the ring).
fn focus(app: &mut App, target: Focus) {
    for _ in 0..12 {
        if app.focus == target {
            return;
        }
        app.update(key(KeyCode::Tab));
    }
    panic!("{target:?} never got focus");
}

fn field(app: &mut App, f: Field) {
    focus(app, Focus::Field(f));
}

fn submits(effects: &[Effect]) -> Vec<&ExportRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Submit { request, .. } => Some(request),
            _ => None,
        })
        .collect()
}

fn loads(effects: &[Effect]) -> Vec<(u64, u32)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadHistory { offset, limit } => Some((*offset, *limit)),
            _ => None,
        })
        .collect()
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

/// A form that validates: dates typed into From and To.
fn valid_app() -> App {
    let mut a = app();
    type_text(&mut a, "2026-11-01");
    a.update(key(KeyCode::Tab));
    type_text(&mut a, "2026-11-26");
    a
}

fn seq_of(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Submit { seq, .. } => Some(*seq),
            _ => None,
        })
        .expect("a Submit effect")
}

// ---------------------------------------------------------------- focus

#[test]
fn focus_starts_on_from_and_tab_goes_round_in_contract_order() {
    let mut a = app();
    assert_eq!(a.focus, Focus::Field(Field::From));
    let order = [
        Focus::Field(Field::To),
        Focus::Field(Field::Emails),
        Focus::Field(Field::EventType),
        Focus::Field(Field::UserId),
        Focus::Field(Field::CompanyId),
        Focus::Field(Field::SegmentId),
        Focus::Field(Field::Format),
        Focus::Field(Field::Exclusions),
        Focus::Submit,
        Focus::History,
        Focus::Field(Field::From),
    ];
    for want in order {
        let fx = a.update(key(KeyCode::Tab));
        assert_eq!(a.focus, want);
        // Entering the history pane refreshes it; nothing else loads.
        assert_eq!(loads(&fx).len(), usize::from(want == Focus::History));
    }
    for want in order.iter().rev().skip(1) {
        a.update(shift_tab());
        assert_eq!(a.focus, *want);
    }
    a.update(shift_tab());
    assert_eq!(a.focus, Focus::Field(Field::From));
    a.update(shift_tab());
    assert_eq!(a.focus, Focus::History, "Shift-Tab from From wraps round");
}

#[test]
fn enter_in_plain_fields_and_format_moves_on() {
    let mut a = app();
    field(&mut a, Field::Emails);
    a.update(key(KeyCode::Enter));
    assert_eq!(a.focus, Focus::Field(Field::EventType));
    field(&mut a, Field::Format);
    a.update(key(KeyCode::Enter));
    assert_eq!(a.focus, Focus::Field(Field::Exclusions));
}

// ---------------------------------------------------------------- text editing

#[test]
fn text_editing_keys() {
    let mut a = app();
    field(&mut a, Field::Exclusions);
    type_text(&mut a, "abcd");
    a.update(key(KeyCode::Left));
    a.update(key(KeyCode::Left));
    a.update(key(KeyCode::Backspace)); // removes b
    assert_eq!(a.form.value(Field::Exclusions), "acd");
    a.update(key(KeyCode::Delete)); // removes c
    assert_eq!(a.form.value(Field::Exclusions), "ad");
    a.update(key(KeyCode::Home));
    type_text(&mut a, ">");
    a.update(key(KeyCode::End));
    type_text(&mut a, "<");
    assert_eq!(a.form.value(Field::Exclusions), ">ad<");
    a.update(key(KeyCode::Right)); // at the end: nothing
    let cursor = a.form.input(Field::Exclusions).map(|i| i.cursor());
    assert_eq!(cursor, Some(4));
}

#[test]
fn shifted_letters_type_capitals() {
    let mut a = app();
    field(&mut a, Field::Emails);
    for c in "Ana@X.com".chars() {
        let mods = if c.is_uppercase() {
            crossterm::event::KeyModifiers::SHIFT
        } else {
            crossterm::event::KeyModifiers::NONE
        };
        a.update(Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char(c),
            mods,
        )));
    }
    assert_eq!(a.form.value(Field::Emails), "Ana@X.com");
    assert!(a.form.bad_emails.is_empty());
}

#[test]
fn ctrl_u_deletes_to_start_and_ctrl_w_deletes_a_word() {
    let mut a = app();
    field(&mut a, Field::UserId);
    type_text(&mut a, "alpha beta gamma");
    let fx = a.update(ctrl('w'));
    assert_eq!(a.form.value(Field::UserId), "alpha beta ");
    assert!(matches!(fx.as_slice(), [Effect::SaveDraft(d)] if d.user_id == "alpha beta "));
    // Ctrl-U keeps what is after the cursor.
    type_text(&mut a, "x");
    a.update(key(KeyCode::Left));
    a.update(ctrl('u'));
    assert_eq!(a.form.value(Field::UserId), "x");
    assert_eq!(a.form.input(Field::UserId).map(|i| i.cursor()), Some(0));
    // Nothing left to delete: no effect.
    assert!(a.update(ctrl('u')).is_empty());
}

#[test]
fn q_and_question_mark_type_in_text_fields() {
    let mut a = app();
    field(&mut a, Field::SegmentId);
    let fx = a.update(ch('q'));
    assert!(!a.quit);
    assert_eq!(a.form.value(Field::SegmentId), "q");
    assert!(matches!(fx.as_slice(), [Effect::SaveDraft(_)]));
    a.update(ch('?'));
    assert_eq!(a.form.value(Field::SegmentId), "q?");
    assert!(a.overlay.is_none());
    // In the date fields too.
    field(&mut a, Field::From);
    a.update(ch('q'));
    assert!(!a.quit);
    assert_eq!(a.form.value(Field::From), "q");
}

#[test]
fn q_quits_outside_text_fields() {
    for target in [Focus::Field(Field::Format), Focus::Submit, Focus::History] {
        let mut a = app();
        focus(&mut a, target);
        let fx = a.update(ch('q'));
        assert!(a.quit, "q on {target:?}");
        assert!(matches!(fx.as_slice(), [Effect::SaveDraft(_)]));
    }
}

#[test]
fn question_mark_and_f1_show_help() {
    let mut a = app();
    field(&mut a, Field::Format);
    a.update(ch('?'));
    assert!(matches!(a.overlay, Some(Overlay::Help { .. })));
    a.update(ch('q'));
    assert!(
        a.overlay.is_none() && !a.quit,
        "q closes help, does not quit"
    );
    a.update(key(KeyCode::F(1)));
    assert!(matches!(a.overlay, Some(Overlay::Help { .. })));
    a.update(key(KeyCode::F(1)));
    assert!(a.overlay.is_none(), "F1 again closes help");
    // F1 works while typing.
    field(&mut a, Field::Emails);
    a.update(key(KeyCode::F(1)));
    assert!(matches!(a.overlay, Some(Overlay::Help { .. })));
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_none());
    assert_eq!(a.form.value(Field::Emails), "");
}

// ---------------------------------------------------------------- format

#[test]
fn format_defaults_to_csv_and_cycles_with_arrows() {
    let mut a = app();
    assert_eq!(a.form.format, Format::Csv);
    // A draft without a format also gets csv.
    let b = App::new(
        &Default::default(),
        env(),
        upexport::tui::testing::fixed_clock(),
        ratatui::layout::Rect::new(0, 0, 80, 24),
    );
    assert_eq!(b.form.format, Format::Csv);

    field(&mut a, Field::Format);
    let mut seen = Vec::new();
    for _ in 0..4 {
        let fx = a.update(key(KeyCode::Right));
        assert!(matches!(fx.as_slice(), [Effect::SaveDraft(d)] if d.format == Some(a.form.format)));
        seen.push(a.form.format);
    }
    assert_eq!(
        seen,
        [Format::Ndjson, Format::Parquet, Format::Avro, Format::Csv]
    );
    a.update(key(KeyCode::Left));
    assert_eq!(a.form.format, Format::Avro, "Left wraps back");
    a.update(key(KeyCode::Left));
    assert_eq!(a.form.format, Format::Parquet);
}

#[test]
fn format_initials_select() {
    let mut a = app();
    field(&mut a, Field::Format);
    for (c, want) in [
        ('a', Format::Avro),
        ('n', Format::Ndjson),
        ('p', Format::Parquet),
        ('c', Format::Csv),
        ('N', Format::Ndjson),
    ] {
        a.update(ch(c));
        assert_eq!(a.form.format, want, "key {c}");
    }
    // Other letters do nothing and ask for nothing.
    assert!(a.update(ch('x')).is_empty());
    assert_eq!(a.form.format, Format::Ndjson);
    // The request carries the chosen format.
    let mut v = valid_app();
    field(&mut v, Field::Format);
    v.update(ch('p'));
    let fx = v.update(ctrl('s'));
    assert_eq!(submits(&fx)[0].format, Some(Format::Parquet));
}

// ---------------------------------------------------------------- submit

#[test]
fn invalid_from_blocks_the_submit_and_says_why() {
    let mut a = app();
    type_text(&mut a, "2026-13-45");
    // Errors wait until the field is left or a submit is tried.
    assert_eq!(a.form.error(Field::From), None);
    focus(&mut a, Focus::Submit);
    let fx = a.update(key(KeyCode::Enter));
    assert!(submits(&fx).is_empty(), "{fx:?}");
    assert!(a.in_flight.is_none());
    assert!(a.form.error(Field::From).is_some());
    let st = a.status.clone().expect("a message");
    assert_eq!(st.level, Level::Error);
    assert!(st.text.starts_with("not sent: fix From"), "{}", st.text);
    assert_eq!(
        a.focus,
        Focus::Field(Field::From),
        "focus goes to the field"
    );
}

#[test]
fn every_invalid_field_is_reported_and_nothing_is_sent() {
    let mut a = app();
    type_text(&mut a, "2026-11-20");
    a.update(key(KeyCode::Tab));
    type_text(&mut a, "2026-11-10"); // To before From
    a.update(key(KeyCode::Tab));
    type_text(&mut a, "ana@x.com, bad@");
    field(&mut a, Field::SegmentId);
    type_text(&mut a, "10 1");
    let fx = a.update(ctrl('s'));
    assert!(submits(&fx).is_empty());
    assert!(fx.is_empty(), "not even a draft save: {fx:?}");
    for f in [Field::To, Field::Emails, Field::SegmentId] {
        assert!(a.form.error(f).is_some(), "{f:?} shows its error");
    }
    assert_eq!(a.form.error(Field::From), None);
    let text = status(&a);
    assert!(
        text.contains("To") && text.contains("Emails") && text.contains("Segment ID"),
        "{text}"
    );
    assert_eq!(a.focus, Focus::Field(Field::To));
    // The bad address is marked where it is.
    assert_eq!(a.form.bad_emails, vec![11..15]);
    assert_eq!(a.form.count(Field::Emails), 2);
}

#[test]
fn valid_submit_sends_exactly_once_and_in_flight_refuses_another() {
    let mut a = valid_app();
    let fx = a.update(ctrl('s'));
    let sent = submits(&fx);
    assert_eq!(sent.len(), 1, "{fx:?}");
    assert_eq!(
        sent[0].to_json(),
        r#"{"from":"2026-11-01","to":"2026-11-26","format":"csv"}"#
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveDraft(_))));
    let flight = a.in_flight.clone().expect("in flight");
    assert_eq!(flight.started, now());

    // Ctrl-S and Enter on Submit while in flight: nothing more is sent.
    let fx = a.update(ctrl('s'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(status(&a).contains("already in flight"), "{}", status(&a));
    focus(&mut a, Focus::Submit);
    assert!(submits(&a.update(key(KeyCode::Enter))).is_empty());
    assert_eq!(a.in_flight.as_ref().map(|f| f.seq), Some(flight.seq));
}

#[test]
fn enter_on_submit_and_ctrl_s_from_anywhere_submit() {
    let mut a = valid_app();
    focus(&mut a, Focus::Submit);
    assert_eq!(submits(&a.update(key(KeyCode::Enter))).len(), 1);

    // From the history pane.
    let mut a = valid_app();
    focus(&mut a, Focus::History);
    assert_eq!(submits(&a.update(ctrl('s'))).len(), 1);

    // From inside the open calendar: it closes and the form is sent.
    let mut a = valid_app();
    a.update(key(KeyCode::Enter));
    assert!(matches!(a.overlay, Some(Overlay::Calendar(_))));
    assert_eq!(submits(&a.update(ctrl('s'))).len(), 1);
    assert!(a.overlay.is_none());
}

#[test]
fn esc_cancels_the_request_in_flight_with_a_warning() {
    let mut a = valid_app();
    let seq = seq_of(&a.update(ctrl('s')));
    let fx = a.update(key(KeyCode::Esc));
    assert_eq!(fx, vec![Effect::CancelSubmit { seq }]);
    assert!(a.in_flight.is_none());
    let st = a.status.clone().expect("message");
    assert_eq!(st.level, Level::Warning);
    assert!(st.text.contains("may still"), "{}", st.text);
    // The runner's late answer for the cancelled request keeps the message.
    a.update(Msg::SubmitDone {
        seq,
        outcome: SubmitOutcome::Failed(SubmitError {
            kind: upexport::api::ErrorKind::Cancelled,
            http_status: None,
            message: "cancelled".into(),
        }),
    });
    assert_eq!(a.status.as_ref(), Some(&st));
    // And a new submit is possible.
    assert_eq!(submits(&a.update(ctrl('s'))).len(), 1);
}

#[test]
fn esc_closes_a_popup_before_cancelling() {
    let mut a = valid_app();
    a.update(ctrl('s'));
    a.update(ctrl('p'));
    assert!(matches!(a.overlay, Some(Overlay::RequestPreview { .. })));
    assert!(a.update(key(KeyCode::Esc)).is_empty());
    assert!(a.overlay.is_none());
    assert!(a.in_flight.is_some(), "first Esc only closed the preview");
    assert!(matches!(
        a.update(key(KeyCode::Esc)).as_slice(),
        [Effect::CancelSubmit { .. }]
    ));
}

#[test]
fn created_and_failed_outcomes() {
    let mut a = valid_app();
    let seq = seq_of(&a.update(ctrl('s')));
    a.update(Msg::SubmitStarted { seq, attempt_id: 7 });
    assert_eq!(a.in_flight.as_ref().and_then(|f| f.attempt_id), Some(7));
    let fx = a.update(Msg::SubmitDone {
        seq,
        outcome: SubmitOutcome::Created(Box::new(CreatedJob {
            job_id: Some("job-1".into()),
            environment_name: Some("Production".into()),
            environment_app_token: Some("NX-1".into()),
            ..Default::default()
        })),
    });
    assert!(a.in_flight.is_none());
    assert_eq!(status(&a), "created export job job-1; following it");
    assert!(
        fx.contains(&Effect::TrackJob {
            job_id: "job-1".into()
        }),
        "the new job is polled"
    );
    assert_eq!(a.status.as_ref().map(|s| s.level), Some(Level::Success));
    assert!(fx.contains(&Effect::ClearDraft));
    assert_eq!(loads(&fx).len(), 1, "history is refreshed");
    assert_eq!(a.env.environment.as_deref(), Some("Production"));
    assert_eq!(a.env.app_token.as_deref(), Some("NX-1"));

    let seq = seq_of(&a.update(ctrl('s')));
    let fx = a.update(Msg::SubmitDone {
        seq,
        outcome: SubmitOutcome::Failed(SubmitError {
            kind: upexport::api::ErrorKind::Conflict,
            http_status: Some(409),
            message: "an export is already running".into(),
        }),
    });
    assert!(!fx.contains(&Effect::ClearDraft), "the form is kept");
    assert_eq!(a.status.as_ref().map(|s| s.level), Some(Level::Error));
    // Short beside the 409 dialog; the server's words in the log (F6).
    assert!(status(&a).starts_with("not created"), "{}", status(&a));
    assert_eq!(
        a.status.as_ref().and_then(|s| s.detail.as_deref()),
        Some("an export is already running")
    );
}

#[test]
fn a_blocked_environment_sends_nothing() {
    let mut a = valid_app();
    a.env.blocked = Some("no API key".into());
    let fx = a.update(ctrl('s'));
    assert!(submits(&fx).is_empty());
    assert!(a.in_flight.is_none());
    assert_eq!(status(&a), "not sent: no API key");
}

// ---------------------------------------------------------------- quitting

#[test]
fn ctrl_c_quits_at_once_when_idle() {
    let mut a = app();
    let fx = a.update(ctrl('c'));
    assert!(a.quit);
    assert!(matches!(fx.as_slice(), [Effect::SaveDraft(_)]));
}

#[test]
fn ctrl_c_asks_again_while_a_request_is_in_flight() {
    let mut a = valid_app();
    a.update(ctrl('s'));
    assert!(a.update(ctrl('c')).is_empty());
    assert!(!a.quit && a.quit_armed);
    assert!(status(&a).contains("Ctrl-C again"), "{}", status(&a));
    // Another key in between disarms it.
    a.update(key(KeyCode::Tab));
    a.update(ctrl('c'));
    assert!(!a.quit);
    a.update(ctrl('c'));
    assert!(a.quit);
}

// ---------------------------------------------------------------- dates & calendar

#[test]
fn typed_dates_validate_once_left() {
    let mut a = app();
    type_text(&mut a, "2026-02-30");
    assert_eq!(a.form.error(Field::From), None);
    a.update(key(KeyCode::Tab));
    assert!(a.form.error(Field::From).is_some());
    a.update(shift_tab());
    a.update(ctrl('u'));
    type_text(&mut a, "2026-02-28");
    assert_eq!(a.form.error(Field::From), None);
    assert!(a.preview_request().is_ok());
}

#[test]
fn calendar_moves_by_day_week_month_and_picks() {
    let mut a = app();
    let fx = a.update(key(KeyCode::Enter));
    assert!(fx.is_empty());
    let cursor = |a: &App| match &a.overlay {
        Some(Overlay::Calendar(c)) => c.cursor,
        other => panic!("no calendar: {other:?}"),
    };
    assert_eq!(cursor(&a), day(2026, 11, 27), "empty field: opens on today");
    let steps = [
        (key(KeyCode::Right), day(2026, 11, 28)),
        (key(KeyCode::Left), day(2026, 11, 27)),
        (key(KeyCode::Down), day(2026, 12, 4)),
        (key(KeyCode::Up), day(2026, 11, 27)),
        (ch('l'), day(2026, 11, 28)),
        (ch('h'), day(2026, 11, 27)),
        (ch('j'), day(2026, 12, 4)),
        (ch('k'), day(2026, 11, 27)),
        (key(KeyCode::PageUp), day(2026, 10, 27)),
        (key(KeyCode::PageUp), day(2026, 9, 27)),
        (key(KeyCode::PageDown), day(2026, 10, 27)),
        (ch('t'), day(2026, 11, 27)),
        (key(KeyCode::PageUp), day(2026, 10, 27)),
        (ch('k'), day(2026, 10, 20)),
    ];
    for (i, (k, want)) in steps.into_iter().enumerate() {
        a.update(k);
        assert_eq!(cursor(&a), want, "step {i}");
    }
    // Keys that mean nothing here change nothing (q does not quit).
    a.update(ch('q'));
    assert!(!a.quit);
    assert_eq!(cursor(&a), day(2026, 10, 20));
    let fx = a.update(key(KeyCode::Enter));
    assert!(a.overlay.is_none());
    assert_eq!(a.form.value(Field::From), "2026-10-20");
    assert!(matches!(fx.as_slice(), [Effect::SaveDraft(d)] if d.from == "2026-10-20"));

    // To opens on From's day when empty.
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Enter));
    assert_eq!(cursor(&a), day(2026, 10, 20));
    a.update(key(KeyCode::Right));
    a.update(key(KeyCode::Enter));
    assert_eq!(a.form.value(Field::To), "2026-10-21");
    // Reopening From starts on its own value.
    a.update(shift_tab());
    a.update(key(KeyCode::Enter));
    assert_eq!(cursor(&a), day(2026, 10, 20));
}

#[test]
fn calendar_esc_cancels_without_changing_the_field() {
    let mut a = app();
    type_text(&mut a, "2026-11-03");
    a.update(key(KeyCode::Enter));
    a.update(key(KeyCode::PageUp));
    a.update(key(KeyCode::Right));
    let fx = a.update(key(KeyCode::Esc));
    assert!(fx.is_empty());
    assert!(a.overlay.is_none());
    assert_eq!(a.form.value(Field::From), "2026-11-03");
    assert_eq!(a.focus, Focus::Field(Field::From));
}

#[test]
fn calendar_presets_set_both_ends() {
    let cases = [
        ('1', "2026-11-27", "2026-11-27"),
        ('2', "2026-11-26", "2026-11-26"),
        ('3', "2026-11-21", "2026-11-27"),
        ('4', "2026-10-29", "2026-11-27"),
        ('5', "2026-08-30", "2026-11-27"),
        ('6', "2026-11-01", "2026-11-27"),
        ('7', "2026-10-01", "2026-10-31"),
    ];
    for (n, from, to) in cases {
        // From either date field.
        for start in [Field::From, Field::To] {
            let mut a = app();
            field(&mut a, start);
            a.update(key(KeyCode::Enter));
            let fx = a.update(ch(n));
            assert!(a.overlay.is_none(), "preset {n} closes the calendar");
            assert_eq!(
                (a.form.value(Field::From), a.form.value(Field::To)),
                (from, to),
                "preset {n} from {start:?}"
            );
            assert!(matches!(fx.as_slice(), [Effect::SaveDraft(_)]));
            assert!(
                status(&a).contains(&format!("{from} → {to}")),
                "{}",
                status(&a)
            );
        }
    }
    // 8, 9 and 0 are no presets.
    let mut a = app();
    a.update(key(KeyCode::Enter));
    assert!(a.update(ch('8')).is_empty());
    assert!(matches!(a.overlay, Some(Overlay::Calendar(_))));
}

// ---------------------------------------------------------------- picker

#[test]
fn event_type_picker_toggles_filters_and_applies() {
    let mut a = app();
    field(&mut a, Field::EventType);
    let fx = a.update(key(KeyCode::Enter));
    assert!(fx.is_empty(), "the event types need no lookup: {fx:?}");
    let picker = |a: &App| match &a.overlay {
        Some(Overlay::Picker(p)) => p.clone(),
        other => panic!("no picker: {other:?}"),
    };
    let ids: Vec<String> = picker(&a).choices.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, KNOWN_EVENT_TYPES.map(String::from));
    assert!(picker(&a).chosen.is_empty());
    a.update(ch(' ')); // identify_user
    a.update(key(KeyCode::Down));
    a.update(key(KeyCode::Down)); // interaction
    a.update(ch(' '));
    a.update(key(KeyCode::Down)); // track
    a.update(ch(' '));
    a.update(ch(' ')); // and off again
    for _ in 0..5 {
        a.update(key(KeyCode::Up)); // clamps at the top
    }
    assert_eq!(picker(&a).cursor, 0);
    // Typing filters: "page" leaves page_view only.
    type_text(&mut a, "page");
    let shown: Vec<String> = picker(&a).visible().iter().map(|c| c.id.clone()).collect();
    assert_eq!(shown, ["page_view"]);
    a.update(ch(' '));
    let fx = a.update(key(KeyCode::Enter));
    assert!(a.overlay.is_none());
    assert_eq!(
        a.form.value(Field::EventType),
        "identify_user, interaction, page_view"
    );
    assert_eq!(a.form.count(Field::EventType), 3);
    assert!(matches!(fx.as_slice(), [Effect::SaveDraft(_)]));
    assert_eq!(a.focus, Focus::Field(Field::EventType));
}

/// `event_type` takes event types; the keys of `features_events` are not
/// event types (a feature's events are exported as `track_feature`), so
/// they are never offered there, even when that lookup is loaded or
/// arrives while the picker is open.
#[test]
fn the_event_type_picker_never_offers_feature_keys() {
    use upexport::tui::msg::LookupItems;
    let features = || LookupItems {
        items: vec![
            serde_json::json!({"display_name": "Feature A", "key": "feature_a", "data_type": "string"}),
            serde_json::json!({"display_name": "Report Shared", "key": "report_shared", "data_type": "string"}),
        ],
        fetched_at: now(),
        warning: None,
    };
    let mut a = app();
    a.lookups.insert("features_events".into(), features());
    field(&mut a, Field::EventType);
    a.update(key(KeyCode::Enter));
    let ids = |a: &App| match &a.overlay {
        Some(Overlay::Picker(p)) => p.choices.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        other => panic!("no picker: {other:?}"),
    };
    assert_eq!(ids(&a), KNOWN_EVENT_TYPES.map(String::from));
    a.update(Msg::LookupLoaded {
        name: "features_events".into(),
        result: Ok(features()),
    });
    assert_eq!(ids(&a), KNOWN_EVENT_TYPES.map(String::from));
    let Some(Overlay::Picker(p)) = &a.overlay else {
        panic!("no picker")
    };
    assert!(
        p.note
            .as_deref()
            .is_some_and(|n| n.contains("track_feature")),
        "{:?}",
        p.note
    );
    // Ctrl-R has nothing to refresh here.
    assert!(a.update(ctrl('r')).is_empty());
    type_text(&mut a, "feature");
    a.update(ch(' '));
    a.update(key(KeyCode::Enter));
    assert_eq!(a.form.value(Field::EventType), "track_feature");
}

#[test]
fn picker_keeps_typed_types_and_esc_cancels() {
    let mut a = app();
    field(&mut a, Field::EventType);
    type_text(&mut a, "track, my_custom");
    a.update(key(KeyCode::Enter));
    let Some(Overlay::Picker(p)) = &a.overlay else {
        panic!("no picker")
    };
    assert_eq!(p.chosen, ["track", "my_custom"]);
    assert!(p.choices.iter().any(|c| c.id == "my_custom"));
    // Move down to the last item; it does not run off the end.
    for _ in 0..20 {
        a.update(key(KeyCode::Down));
    }
    let Some(Overlay::Picker(p)) = &a.overlay else {
        panic!("no picker")
    };
    assert_eq!(p.cursor, p.choices.len() - 1);
    a.update(ch(' ')); // my_custom off
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_none());
    assert_eq!(a.form.value(Field::EventType), "track, my_custom");
}

// ---------------------------------------------------------------- paste

#[test]
fn a_paste_of_1000_lines_is_one_edit() {
    let mut a = app();
    field(&mut a, Field::UserId);
    let text: String = (0..1000).map(|i| format!("user-{i}\n")).collect();
    let fx = a.update(Msg::Paste(text));
    assert_eq!(fx.len(), 1, "one edit, one draft save");
    assert!(matches!(&fx[0], Effect::SaveDraft(d) if d.user_id.starts_with("user-0, user-1, ")));
    assert_eq!(a.form.count(Field::UserId), 1000);
    assert!(a.form.value(Field::UserId).ends_with("user-999"));
    // Backspace takes one character, not the paste ("user-99" is then a
    // duplicate, so the count of distinct ids drops by one).
    a.update(key(KeyCode::Backspace));
    assert!(a.form.value(Field::UserId).ends_with(", user-99"));
    assert_eq!(a.form.count(Field::UserId), 999);
}

#[test]
fn a_paste_lands_at_the_cursor() {
    let mut a = app();
    field(&mut a, Field::CompanyId);
    type_text(&mut a, "c1c9");
    a.update(key(KeyCode::Left));
    a.update(key(KeyCode::Left));
    a.update(Msg::Paste(",c2\nc3,".into()));
    assert_eq!(a.form.value(Field::CompanyId), "c1,c2, c3,c9");
    assert_eq!(a.form.count(Field::CompanyId), 4);
}

#[test]
fn a_paste_over_1_mib_is_refused_and_keeps_the_text() {
    let mut a = app();
    field(&mut a, Field::UserId);
    type_text(&mut a, "keep");
    let fx = a.update(Msg::Paste("x".repeat(MAX_FIELD_BYTES)));
    assert!(fx.is_empty(), "{:?}", fx.len());
    assert_eq!(a.form.value(Field::UserId), "keep");
    let st = a.status.clone().expect("message");
    assert_eq!(st.level, Level::Error);
    assert!(st.text.contains("refused"), "{}", st.text);
    // Exactly the limit fits.
    let mut b = app();
    field(&mut b, Field::UserId);
    assert_eq!(b.update(Msg::Paste("y".repeat(MAX_FIELD_BYTES))).len(), 1);
    assert_eq!(b.form.value(Field::UserId).len(), MAX_FIELD_BYTES);
}

#[test]
fn paste_outside_a_text_field_is_ignored() {
    let mut a = app();
    field(&mut a, Field::Format);
    assert!(a.update(Msg::Paste("parquet".into())).is_empty());
    assert_eq!(a.form.format, Format::Csv);
    assert!(status(&a).contains("paste ignored"));
}

// ---------------------------------------------------------------- history

/// 120x40: 17 entries visible, pages of 117.
const VISIBLE: u64 = 17;
const LIMIT: u32 = 117;

/// An app whose history pane has focus over `total` entries, with the
/// first page loaded.
fn history_app(total: i64) -> App {
    let mut a = app();
    let fx = a.update(shift_tab());
    assert_eq!(a.focus, Focus::History);
    assert_eq!(loads(&fx), [(0, LIMIT)]);
    let fx = a.update(Msg::HistoryLoaded {
        offset: 0,
        entries: page(total, 0, LIMIT),
        total: total as u64,
        orphans: vec![],
    });
    assert!(fx.is_empty(), "the first page covers the screen: {fx:?}");
    a
}

#[test]
fn init_asks_for_the_first_page_the_unfinished_jobs_and_the_queue() {
    let mut a = app();
    assert_eq!(
        a.init(),
        vec![
            Effect::LoadHistory {
                offset: 0,
                limit: LIMIT
            },
            Effect::LoadUnfinished,
            Effect::LoadQueue
        ]
    );
    assert!(a.history.loading);
}

#[test]
fn a_first_run_still_reads_the_history_but_need_not_wait_for_it() {
    let mut a = app();
    a.history.known_empty = true;
    let fx = a.init();
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadHistory { offset: 0, .. })),
        "{fx:?}"
    );
    assert!(!a.history.loading, "no store file: empty, not loading");
}

#[test]
fn history_scrolls_within_the_cache_without_loading() {
    let mut a = history_app(1000);
    for (k, want) in [
        (key(KeyCode::Down), 1),
        (ch('j'), 2),
        (ch('k'), 1),
        (key(KeyCode::Up), 0),
        (key(KeyCode::Up), 0),
        (key(KeyCode::PageDown), VISIBLE),
        (key(KeyCode::PageDown), 2 * VISIBLE),
        (key(KeyCode::PageUp), VISIBLE),
    ] {
        let fx = a.update(k);
        assert!(fx.is_empty(), "{fx:?}");
        assert_eq!(a.history.selected, want);
    }
    assert_eq!(a.history.top, VISIBLE, "selection kept on screen");
    // Down to the last cached entry: still no load.
    for _ in 0..(LIMIT as u64 - VISIBLE - 1) {
        assert!(a.update(key(KeyCode::Down)).is_empty());
    }
    assert_eq!(a.history.selected, LIMIT as u64 - 1);
    assert_eq!(a.history.top + VISIBLE, LIMIT as u64);
    assert!(!a.history.loading);
}

#[test]
fn history_asks_for_a_page_only_when_needed() {
    let mut a = history_app(1000);
    // Down past the cache: exactly one page around the new view.
    for _ in 0..(LIMIT - 1) {
        assert!(a.update(ch('j')).is_empty());
    }
    let fx = a.update(ch('j'));
    // Selected 117 (uncached), top 101: a page from 50 above the top.
    assert_eq!((a.history.selected, a.history.top), (117, 101));
    assert_eq!(loads(&fx), [(51, LIMIT)]);
    assert!(a.history.loading);
    // More moves while the page is on its way ask for nothing more.
    assert!(a.update(ch('j')).is_empty());
    assert!(a.update(key(KeyCode::PageDown)).is_empty());

    // End: the oldest entry.
    let mut a = history_app(1000);
    let fx = a.update(key(KeyCode::End));
    assert_eq!(a.history.selected, 999);
    assert_eq!(a.history.top, 1000 - VISIBLE);
    assert_eq!(loads(&fx), [(1000 - VISIBLE - 50, LIMIT)]);
    // Home before that page arrives: nothing yet (one read at a time)...
    assert!(a.update(key(KeyCode::Home)).is_empty());
    assert_eq!(a.history.selected, 0);
    // ...and when the stale page arrives, the page for the view is asked.
    let fx = a.update(Msg::HistoryLoaded {
        offset: 933,
        entries: page(1000, 933, LIMIT),
        total: 1000,
        orphans: vec![],
    });
    assert_eq!(loads(&fx), [(0, LIMIT)]);
    let fx = a.update(Msg::HistoryLoaded {
        offset: 0,
        entries: page(1000, 0, LIMIT),
        total: 1000,
        orphans: vec![],
    });
    assert!(fx.is_empty());
    assert_eq!(a.history.selected_entry().map(|e| e.id), Some(1000));

    // g / G are Home / End.
    let fx = a.update(ch('G'));
    assert_eq!(a.history.selected, 999);
    assert_eq!(loads(&fx).len(), 1);
    a.update(Msg::HistoryLoaded {
        offset: 933,
        entries: page(1000, 933, LIMIT),
        total: 1000,
        orphans: vec![],
    });
    assert_eq!(a.history.selected_entry().map(|e| e.id), Some(1));
    assert!(a.update(key(KeyCode::Up)).is_empty(), "cached");
}

#[test]
fn a_short_history_never_loads_more() {
    let mut a = history_app(5);
    for k in [
        key(KeyCode::End),
        key(KeyCode::PageDown),
        key(KeyCode::Down),
        key(KeyCode::Home),
        key(KeyCode::PageUp),
    ] {
        assert!(a.update(k).is_empty());
    }
    assert_eq!(a.history.selected, 0);
    a.update(key(KeyCode::End));
    assert_eq!(a.history.selected, 4);
}

#[test]
fn scrolling_an_empty_history_does_nothing() {
    let mut a = history_app(0);
    assert!(a.update(key(KeyCode::Down)).is_empty());
    assert!(a.update(key(KeyCode::Enter)).is_empty());
    assert!(a.overlay.is_none());
}

#[test]
fn a_resize_loads_what_becomes_visible() {
    let mut a = app_sized(80, 24);
    a.update(shift_tab());
    let fx = a.update(Msg::HistoryLoaded {
        offset: 0,
        entries: page(1000, 0, 103),
        total: 1000,
        orphans: vec![],
    });
    assert!(fx.is_empty());
    // Taller: 17 visible still fit in the 103 cached.
    assert!(a.update(Msg::Resize(120, 40)).is_empty());
    // Much taller: the cache no longer covers the view.
    let fx = a.update(Msg::Resize(120, 400));
    assert_eq!(loads(&fx).len(), 1);
}

/// Open the detail view of the entry with absolute index `i`.
fn detail_of(a: &mut App, i: u64) {
    a.update(key(KeyCode::Home));
    for _ in 0..i {
        a.update(key(KeyCode::Down));
    }
    let fx = a.update(key(KeyCode::Enter));
    assert!(fx.is_empty());
}

#[test]
fn detail_copies_the_job_id_and_links() {
    let mut a = history_app(30);
    // Index 1 is id 29: created (29 % 3 == 2).
    detail_of(&mut a, 1);
    let Some(Overlay::Detail { entry, .. }) = &a.overlay else {
        panic!("no detail: {:?}", a.overlay)
    };
    assert_eq!(entry.id, 29);
    let job = entry
        .created
        .as_ref()
        .map(|c| c.job_id.clone())
        .expect("job");
    let fx = a.update(ch('c'));
    assert_eq!(
        fx,
        vec![Effect::Copy {
            text: job.clone(),
            what: "job id"
        }]
    );
    let fx = a.update(ch('l'));
    let [
        Effect::Copy {
            text,
            what: "links",
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    // The job completed: its files' links (the create answer's `links`
    // text said where they would be, and is stale now).
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].ends_with("part-0.csv.gz") && lines[1].ends_with("part-1.csv.gz"));
    // The detail stays open after copying; q closes it without quitting.
    assert!(matches!(a.overlay, Some(Overlay::Detail { .. })));
    a.update(ch('q'));
    assert!(a.overlay.is_none() && !a.quit);
}

#[test]
fn detail_of_a_failed_attempt_has_nothing_to_copy() {
    let mut a = history_app(30);
    detail_of(&mut a, 0); // id 30: 409
    assert!(a.update(ch('c')).is_empty());
    assert!(status(&a).contains("no job"), "{}", status(&a));
    assert!(a.update(ch('l')).is_empty());
    assert!(status(&a).contains("no links"), "{}", status(&a));
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_none());
}

#[test]
fn detail_e_loads_the_request_into_the_form() {
    let mut a = history_app(30);
    detail_of(&mut a, 2); // id 28: 401, with 3 user ids
    let fx = a.update(ch('e'));
    assert!(a.overlay.is_none());
    assert_eq!(a.focus, Focus::Field(Field::From));
    assert_eq!(a.form.value(Field::From), "2026-11-01");
    assert_eq!(a.form.value(Field::To), "2026-11-26");
    assert_eq!(a.form.value(Field::EventType), "track, page_view");
    assert_eq!(a.form.value(Field::UserId), "u0, u1, u2");
    assert_eq!(a.form.format, Format::Csv);
    assert!(matches!(fx.as_slice(), [Effect::SaveDraft(d)] if d.user_id == "u0, u1, u2"));
    assert!(status(&a).contains("#28"), "{}", status(&a));
    // And it submits the same body again.
    let fx = a.update(ctrl('s'));
    assert_eq!(submits(&fx)[0], &request(28));
}

#[test]
fn enter_on_an_uncached_entry_opens_nothing() {
    let mut a = history_app(1000);
    a.update(key(KeyCode::End));
    assert!(a.history.loading);
    assert!(a.update(key(KeyCode::Enter)).is_empty());
    assert!(a.overlay.is_none());
}

// ---------------------------------------------------------------- preview, mouse

#[test]
fn ctrl_p_previews_and_c_copies_curl_without_the_key() {
    let mut a = valid_app();
    a.update(ctrl('p'));
    assert!(matches!(a.overlay, Some(Overlay::RequestPreview { .. })));
    let fx = a.update(ch('c'));
    let [Effect::Copy { text, what }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(*what, "curl command");
    assert!(text.contains("$USERPILOT_API_KEY"), "{text}");
    assert!(
        text.contains("http://127.0.0.1:9/api/v1/analytics/exports"),
        "{text}"
    );
    assert!(text.contains(r#""from":"2026-11-01""#), "{text}");

    // An invalid form has nothing to copy.
    let mut b = app();
    type_text(&mut b, "nope");
    b.update(ctrl('p'));
    assert!(b.update(ch('c')).is_empty());
    assert!(status(&b).contains("fix the form"));
}

#[test]
fn f2_toggles_the_mouse() {
    let mut a = app();
    assert_eq!(a.update(key(KeyCode::F(2))), vec![Effect::SetMouse(true)]);
    assert!(a.mouse);
    assert_eq!(a.update(key(KeyCode::F(2))), vec![Effect::SetMouse(false)]);
    assert!(!a.mouse);
}

#[test]
fn esc_clears_a_message() {
    let mut a = app();
    a.update(key(KeyCode::F(2)));
    assert!(a.status.is_some());
    assert!(a.update(key(KeyCode::Esc)).is_empty());
    assert!(a.status.is_none());
    assert!(a.form.value(Field::From).is_empty());
}

#[test]
fn loading_an_unreadable_request_says_so() {
    let mut a = history_app(3);
    let mut broken = entries(3);
    broken[0].request_json = "{not json".into();
    a.update(Msg::HistoryLoaded {
        offset: 0,
        entries: broken,
        total: 3,
        orphans: vec![],
    });
    detail_of(&mut a, 0);
    assert!(a.update(ch('e')).is_empty());
    assert_eq!(a.status.as_ref().map(|s| s.level), Some(Level::Error));
    assert!(matches!(a.overlay, Some(Overlay::Detail { .. })));
}

/// Ids with spaces typed (or pasted) into the form stay whole: the form
/// splits at commas, semicolons, tabs and newlines only.
#[test]
fn ids_with_inner_spaces_stay_whole_in_the_form() {
    let mut a = app();
    for _ in 0..4 {
        a.update(key(KeyCode::Tab));
    }
    type_text(&mut a, " Jane Doe , x y;Acme");
    a.update(Msg::Paste("\tmore ids\n".into()));
    let req = a.preview_request().expect("valid");
    assert_eq!(req.user_id, ["Jane Doe", "x y", "Acme", "more ids"]);
}
