//! The message log: each message wrapped in full, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::msg::Level;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::wrap;

fn area(screen: Rect) -> Rect {
    popup(
        screen,
        screen.width.saturating_sub(4).min(100),
        screen.height.saturating_sub(2),
    )
}

/// How far the log scrolls on `screen`: until its last line is at the
/// bottom.
pub fn max_scroll(app: &App, screen: Rect) -> u16 {
    let inner = crate::tui::view::popup_inner(area(screen));
    u16::try_from(lines(app, usize::from(inner.width)).len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height)
}

/// The icon of a level, as on the status line.
pub fn icon(level: Level) -> &'static str {
    match level {
        Level::Info => "ℹ",
        Level::Success => "✔",
        Level::Warning => "!",
        Level::Error => "✘",
    }
}

fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out: Vec<Line> = Vec::new();
    // What the status line shows now when it is no logged message (the
    // focused field's own message).
    if let Some((level, text)) = app.field_message() {
        push(&mut out, app, "now", level, &text, None, width);
    }
    for l in app.messages.items.iter().rev() {
        let time =
            l.at.with_timezone(&app.clock.offset)
                .format("%H:%M:%S")
                .to_string();
        push(
            &mut out,
            app,
            &time,
            l.notice.level,
            &l.notice.text,
            l.notice.detail.as_deref(),
            width,
        );
    }
    if out.is_empty() {
        out.push(Line::styled("No messages yet.", t.dim()));
    }
    out
}

/// One message: `when` and its icon, then its text and detail wrapped
/// under them.
fn push(
    out: &mut Vec<Line<'static>>,
    app: &App,
    when: &str,
    level: Level,
    text: &str,
    detail: Option<&str>,
    width: usize,
) {
    let t = &app.theme;
    let style = match level {
        Level::Info => t.base(),
        Level::Success => t.ok(),
        Level::Warning => t.warning(),
        Level::Error => t.error(),
    };
    out.push(Line::styled(format!("{when} {}", icon(level)), t.dim()));
    let width = width.saturating_sub(3).max(10);
    for l in wrap(text, width) {
        out.push(Line::styled(format!("  {l}"), style));
    }
    if let Some(d) = detail {
        for l in wrap(d, width) {
            out.push(Line::styled(format!("  {l}"), t.dim()));
        }
    }
}

pub fn draw(frame: &mut Frame, app: &App, scroll: u16, screen: Rect) {
    let inner = popup_block(frame, app, area(screen), "Messages · newest first");
    let max = max_scroll(app, screen);
    frame.render_widget(
        Paragraph::new(lines(app, usize::from(inner.width))).scroll((scroll.min(max), 0)),
        inner,
    );
}
