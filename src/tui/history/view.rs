//! The history pane: every attempt, newest first, two rows each.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

use crate::api::JobState;
use crate::history::{Entry, EntryState};
use crate::human::{duration, parse_api_time};
use crate::jobs::track::{Tracking, links_expire_at, tracking};
use crate::tui::app::App;
use crate::tui::form::Focus;
use crate::tui::view::layout::ENTRY_ROWS;
use crate::tui::view::spinner;
use crate::tui::view::wrap::clip;

/// The outcome part of an entry's first row, and its style class.
/// The headline of an entry without the error message (the detail view
/// shows the message on its own row).
pub fn outcome_kind(app: &App, e: &Entry) -> (String, Kind) {
    match (&e.state, &e.failed) {
        (EntryState::Failed, Some(f)) => {
            let status = f
                .http_status
                .map(|s| format!("HTTP {s} · "))
                .unwrap_or_default();
            (format!("✘ {status}{}", f.kind), Kind::Error)
        }
        _ => outcome(app, e),
    }
}

/// The first row of an entry: what happened, with the message on failure.
pub fn outcome(app: &App, e: &Entry) -> (String, Kind) {
    match e.state {
        EntryState::Sending => {
            let mine = app
                .in_flight
                .as_ref()
                .is_some_and(|f| f.attempt_id == Some(e.id));
            if mine {
                let f = app.in_flight.as_ref();
                let started = f.map_or(app.clock.now, |f| f.started);
                (
                    format!("{} sending…", spinner(app.clock.now, started)),
                    Kind::Pending,
                )
            } else if app.history.is_orphan(e.id) {
                (
                    "? outcome unknown: interrupted while sending".into(),
                    Kind::Warning,
                )
            } else {
                ("… sending (another window)".into(), Kind::Pending)
            }
        }
        EntryState::Created => created_line(app, e),
        EntryState::Failed => match &e.failed {
            Some(f) => {
                let status = f.http_status.map(|s| format!("{s} ")).unwrap_or_default();
                (format!("✘ {status}{}: {}", f.kind, f.message), Kind::Error)
            }
            None => ("✘ failed".into(), Kind::Error),
        },
    }
}

/// A created entry's line: the job and how far it got.
fn created_line(app: &App, e: &Entry) -> (String, Kind) {
    let now = app.clock.now;
    let job: String = e
        .created
        .as_ref()
        .map_or("?".into(), |c| c.job_id.chars().take(8).collect());
    let Some(j) = &e.job else {
        let env = e
            .created
            .as_ref()
            .and_then(|c| c.environment_name.clone())
            .map(|n| format!(" · {n}"))
            .unwrap_or_default();
        return (format!("✔ {job}…{env} · created"), Kind::Ok);
    };
    match j.state() {
        _ if j.status == crate::jobs::track::EXPIRED => (
            format!("✔ {job}… status no longer kept (3 days)"),
            Kind::Pending,
        ),
        JobState::Completed => {
            let files = format!(
                "{} file{}",
                j.files.len(),
                if j.files.len() == 1 { "" } else { "s" }
            );
            let links = match links_expire_at(e) {
                Some(t) if t > now => format!(" · links {}", duration((t - now).num_seconds())),
                Some(_) => " · links expired".into(),
                None => String::new(),
            };
            (format!("✔ {job}… completed · {files}{links}"), Kind::Ok)
        }
        JobState::Failed => {
            let why = j.error.clone().unwrap_or_else(|| "no reason given".into());
            (format!("✘ {job}… job failed: {why}"), Kind::Error)
        }
        _ if tracking(e, now) == Tracking::StatusExpired => (
            format!("✔ {job}… status no longer kept (3 days)"),
            Kind::Pending,
        ),
        state => {
            let shown = match state {
                JobState::Other(s) => s,
                _ => j.status.clone(),
            };
            let chunks = j
                .progress_text()
                .map(|p| format!(" {p}"))
                .unwrap_or_default();
            let elapsed = e
                .created
                .as_ref()
                .and_then(|c| c.start_time.as_deref())
                .and_then(parse_api_time)
                .map(|t| format!(" · {}", duration((now - t).num_seconds())))
                .unwrap_or_default();
            (format!("✔ {job}… {shown}{chunks}{elapsed}"), Kind::Pending)
        }
    }
}

/// A text progress bar of `cells` cells (visible without colour).
pub fn bar(fraction: f64, cells: usize) -> String {
    let full = ((fraction.clamp(0.0, 1.0) * cells as f64).round() as usize).min(cells);
    format!("{}{}", "▰".repeat(full), "▱".repeat(cells - full))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ok,
    Error,
    Warning,
    Pending,
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let h = &app.history;
    let focused = app.focus == Focus::History && app.overlay.is_none();
    let scope = if app.history_mine {
        format!(" · {} only", app.env.profile)
    } else {
        String::new()
    };
    let title = if h.total > 0 {
        format!(" History {}{scope} ", h.total)
    } else {
        format!(" History{scope} ")
    };
    let block = Block::bordered()
        .title(Span::styled(title, t.title()))
        .border_style(if focused {
            t.border_focus()
        } else {
            t.border()
        });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    if let Some(err) = &h.error {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled("history unavailable", t.error()),
                Line::raw(err.clone()),
            ])
            .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    if h.total == 0 {
        let text = if h.loading {
            vec![Line::styled("loading…", t.dim())]
        } else {
            vec![
                Line::styled("No exports yet.", t.dim()),
                Line::styled("Fill the form and press Ctrl-S: every attempt,", t.dim()),
                Line::styled("created job and error is listed here.", t.dim()),
            ]
        };
        frame.render_widget(Paragraph::new(text), inner);
        return;
    }
    let text_area = Rect {
        width: inner.width.saturating_sub(1),
        ..inner
    };
    let visible = u64::from(inner.height / ENTRY_ROWS);
    let width = text_area.width as usize;
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    for i in h.top..(h.top + visible).min(h.total) {
        let selected = i == h.selected;
        let marker = if selected { "▌" } else { " " };
        let Some(e) = h.get(i) else {
            lines.push(Line::styled(format!("{marker}…"), t.dim()));
            lines.push(Line::raw(""));
            continue;
        };
        let (text, kind) = outcome(app, e);
        let style = match kind {
            Kind::Ok => t.ok(),
            Kind::Error => t.error(),
            Kind::Warning => t.warning(),
            Kind::Pending => t.warning(),
        };
        let time = app.clock.short_time(e.created_at);
        let first = clip(&format!("{time} {text}"), width.saturating_sub(1));
        let cut = if first.is_char_boundary(time.len()) {
            time.len()
        } else {
            0
        };
        let (time_part, rest) = first.split_at(cut);
        let row_style = if selected && focused {
            t.selected()
        } else {
            t.base()
        };
        lines.push(Line::from(vec![
            Span::styled(marker, t.key()),
            Span::styled(time_part.to_owned(), row_style.patch(t.dim())),
            Span::styled(rest.to_owned(), row_style.patch(style)),
        ]));
        let summary = h.summary(i).unwrap_or("");
        // Another environment's entry says which.
        let profile = if e.profile != app.env.profile {
            format!(" {}", e.profile)
        } else {
            String::new()
        };
        let conflicts = e
            .conflicts_note()
            .map(|n| format!(" · {n}"))
            .unwrap_or_default();
        let second = clip(
            &format!("#{} {}{profile}{conflicts} · {summary}", e.id, e.source),
            width.saturating_sub(7),
        );
        lines.push(Line::from(vec![
            Span::styled(marker, t.key()),
            Span::raw("      "),
            Span::styled(second, row_style.patch(t.dim())),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), text_area);
    if h.total > visible {
        let mut state =
            ScrollbarState::new(h.total.saturating_sub(visible) as usize).position(h.top as usize);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None),
            area.inner(Margin {
                vertical: 1,
                horizontal: 0,
            }),
            &mut state,
        );
    }
}
