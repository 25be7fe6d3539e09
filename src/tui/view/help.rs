//! The help overlay: every key, from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::app::App;
use super::super::keymap::table;
use super::layout::popup;
use super::popup_block;

fn area(screen: Rect) -> Rect {
    popup(
        screen,
        84.min(screen.width),
        screen.height.saturating_sub(2),
    )
}

/// How far the help scrolls on `screen`: until its last line is at the
/// bottom.
pub fn max_scroll(app: &App, screen: Rect) -> u16 {
    let inner = area(screen).inner(ratatui::layout::Margin::new(1, 1));
    (lines(app).len() as u16).saturating_sub(inner.height)
}

fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines: Vec<Line> = Vec::new();
    for (ctx, rows) in table() {
        lines.push(Line::styled(ctx.title(), t.title()));
        for (keys, help) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<18}"), t.key()),
                Span::raw(help),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Text fields: ←/→ Home/End Backspace Delete edit; Ctrl-A/Ctrl-E start/end; Ctrl-K delete to end.",
        t.dim(),
    ));
    lines
}

pub fn draw(frame: &mut Frame, app: &App, scroll: u16, screen: Rect) {
    let inner = popup_block(frame, app, area(screen), "Keys · Esc/q close · ↑/↓ scroll");
    let max = max_scroll(app, screen);
    frame.render_widget(
        Paragraph::new(lines(app)).scroll((scroll.min(max), 0)),
        inner,
    );
}
