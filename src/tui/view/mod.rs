//! Drawing the screen: the header, the form and history panes (each drawn
//! by its own module), the status line, the footer, then the open overlay.
//! Reads `&App`, never changes it, never does I/O. Also the pieces every
//! view shares: layout, popups, wrapping, the spinner.

pub mod layout;
pub mod status;
pub mod wrap;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, overlay};
use super::keymap::footer_fit_where;
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
    status(frame, app, areas.status);
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
    let right = format!("{}F1 help ", if app.mouse { "mouse on · " } else { "" });
    if let Some(why) = &app.env.blocked {
        // Its first clause, cut after a whole word to what is left; the
        // status line and the message log (F6) say the rest.
        let used: usize = left.iter().map(|s| s.content.width()).sum();
        let room = (area.width as usize).saturating_sub(used + right.width() + 6);
        let head = why.split([':', ';']).next().unwrap_or(why).trim();
        if room >= 8 {
            left.push(Span::styled(" · ", t.dim()));
            left.push(Span::styled(
                format!("⚠ {}", wrap::clip(head, room)),
                t.warning(),
            ));
        }
    }
    let used: usize = left.iter().map(|s| s.content.width()).sum();
    let pad = (area.width as usize).saturating_sub(used + right.width());
    left.push(Span::raw(" ".repeat(pad)));
    left.push(Span::styled(right, t.dim()));
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}

fn status(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let shown = status::shown(app, area.width);
    let lines: Vec<Line> = match (&app.in_flight, shown.level) {
        (Some(f), _) => vec![Line::from(vec![
            Span::styled(
                format!(" {} sending ", spinner(app.clock.now, f.started)),
                t.warning(),
            ),
            Span::raw(shown.rows.concat()),
        ])],
        (None, Some(level)) => {
            let style = match level {
                Level::Info => t.base(),
                Level::Success => t.ok(),
                Level::Warning => t.warning(),
                Level::Error => t.error(),
            };
            shown
                .rows
                .into_iter()
                .map(|r| Line::styled(format!(" {r}"), style))
                .collect()
        }
        (None, None) => vec![Line::raw("")],
    };
    frame.render_widget(Paragraph::new(lines), area);
}

fn footer(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    // An overlay shows only its own keys (Tab and the like do nothing there).
    let ctxs = app.contexts();
    let ctxs = if app.overlay.is_some() {
        &ctxs[..1]
    } else {
        &ctxs[..]
    };
    // The least useful hints go first when it is narrow, the way out never;
    // the last column stays empty.
    let room = usize::from(area.width).saturating_sub(2);
    let offered = footer_fit_where(ctxs, room, |a| app.acts(a));
    for (i, (keys, what)) in offered.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.dim()));
        }
        spans.push(Span::styled(keys, t.key()));
        spans.push(Span::styled(format!(" {what}"), t.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Where a popup of `area` puts its content: inside the border, less a
/// column at the right, so that no text touches the right border (a word
/// ending there would read as cut).
pub fn popup_inner(area: Rect) -> Rect {
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    Rect {
        width: inner.width.saturating_sub(1),
        ..inner
    }
}

/// A bordered popup with a title, cleared underneath; returns its inner
/// area ([`popup_inner`]).
pub fn popup_block(frame: &mut Frame, app: &App, area: Rect, title: &str) -> Rect {
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), app.theme.title()))
        .border_style(app.theme.border_focus());
    let inner = popup_inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    inner
}
