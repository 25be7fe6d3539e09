//! Drawing the screen: the header, the form and history panes (each drawn
//! by its own module), the status line, the footer, then the open overlay.
//! Reads `&App`, never changes it, never does I/O. Also the pieces every
//! view shares: layout, popups, wrapping, the spinner.

pub mod layout;
pub mod wrap;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, overlay};
use super::form::Focus;
use super::keymap::hints;
use super::msg::Level;

/// The spinner frame for a request started at `started`.
pub fn spinner(now: DateTime<Utc>, started: DateTime<Utc>) -> char {
    const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let ms = (now - started).num_milliseconds().max(0) as usize;
    FRAMES[(ms / 100) % FRAMES.len()]
}

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let screen = frame.area();
    let Some(areas) = layout::areas_with(screen, app.status_rows(screen.width)) else {
        too_small(frame, app, screen);
        return;
    };
    header(frame, app, areas.header);
    crate::tui::form::view::draw(frame, app, areas.form);
    crate::tui::history::view::draw(frame, app, areas.history);
    status(frame, app, areas.status, &areas);
    footer(frame, app, areas.footer);
    if let Some(o) = &app.overlay {
        overlay::draw(frame, app, o, &areas);
    }
}

fn too_small(frame: &mut Frame, app: &App, screen: Rect) {
    let t = &app.theme;
    let text = vec![
        Line::styled("terminal too small", t.error()),
        Line::raw(format!(
            "{}x{} here; upexport needs {}x{}",
            screen.width,
            screen.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        )),
        Line::styled("enlarge the window, or Ctrl-C to quit", t.dim()),
    ];
    frame.render_widget(Clear, screen);
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), screen);
}

fn header(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut left = vec![
        Span::styled(" upexport ", t.title()),
        Span::styled("· ", t.dim()),
        Span::raw(app.env.profile.clone()),
    ];
    match (&app.env.environment, &app.env.app_token) {
        (Some(n), Some(tok)) => left.push(Span::raw(format!(" ({n}, {tok})"))),
        (Some(n), None) => left.push(Span::raw(format!(" ({n})"))),
        (None, Some(tok)) => left.push(Span::raw(format!(" ({tok})"))),
        (None, None) => {}
    }
    left.push(Span::styled(" · ", t.dim()));
    left.push(Span::raw(app.env.host()));
    if let Some(why) = &app.env.blocked {
        left.push(Span::styled(" · ", t.dim()));
        left.push(Span::styled(format!("⚠ {why}"), t.warning()));
    }
    let right = format!("{}F1 help ", if app.mouse { "mouse on · " } else { "" });
    let used: usize = left.iter().map(|s| s.content.width()).sum();
    let pad = (area.width as usize).saturating_sub(used + right.width());
    left.push(Span::raw(" ".repeat(pad)));
    left.push(Span::styled(right, t.dim()));
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}

fn status(frame: &mut Frame, app: &App, area: Rect, areas: &layout::Areas) {
    let t = &app.theme;
    let line = if let Some(f) = &app.in_flight {
        let secs = (app.clock.now - f.started).num_milliseconds().max(0) as f64 / 1000.0;
        Line::from(vec![
            Span::styled(
                format!(" {} sending ", spinner(app.clock.now, f.started)),
                t.warning(),
            ),
            Span::raw(format!("{secs:.1} s · Esc cancels · {}", f.summary)),
        ])
    } else if let Some(n) = &app.status {
        let (icon, style) = match n.level {
            Level::Info => ("ℹ", t.base()),
            Level::Success => ("✔", t.ok()),
            Level::Warning => ("!", t.warning()),
            Level::Error => ("✘", t.error()),
        };
        Line::from(vec![
            Span::styled(format!(" {icon} "), style),
            Span::styled(n.text.clone(), style),
        ])
    } else if let Focus::Field(f) = app.focus
        && app.overlay.is_none()
    {
        // The focused field's message, when the form has no room for it.
        match (app.form.error(f), app.form.warning(f)) {
            (Some(e), _) if !crate::tui::form::view::shows_inline_messages(app, areas.form) => {
                Line::from(vec![Span::styled(
                    format!(" ✘ {}: {e}", f.label()),
                    t.error(),
                )])
            }
            (None, Some(w)) if !app.form.value(f).is_empty() => Line::from(vec![Span::styled(
                format!(" ! {}: {w}", f.label()),
                t.warning(),
            )]),
            _ => Line::raw(""),
        }
    } else {
        Line::raw("")
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), area);
}

fn footer(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1usize;
    // An overlay shows only its own keys (Tab and the like do nothing there).
    let ctxs = app.contexts();
    let ctxs = if app.overlay.is_some() {
        &ctxs[..1]
    } else {
        &ctxs[..]
    };
    for (i, (keys, what)) in hints(ctxs).into_iter().enumerate() {
        let piece = format!("{}{keys} {what}", if i > 0 { " · " } else { "" });
        if used + piece.width() > area.width as usize {
            break;
        }
        used += piece.width();
        if i > 0 {
            spans.push(Span::styled(" · ", t.dim()));
        }
        spans.push(Span::styled(keys, t.key()));
        spans.push(Span::styled(format!(" {what}"), t.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A bordered popup with a title, cleared underneath; returns its inner area.
pub fn popup_block(frame: &mut Frame, app: &App, area: Rect, title: &str) -> Rect {
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), app.theme.title()))
        .border_style(app.theme.border_focus());
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    inner
}
