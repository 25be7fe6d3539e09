//! The help overlay: every key, from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::app::App;
use super::super::keymap::table;
use super::layout::popup;
use super::popup_block;

pub fn draw(frame: &mut Frame, app: &App, scroll: u16, screen: Rect) {
    let t = &app.theme;
    let area = popup(
        screen,
        84.min(screen.width),
        screen.height.saturating_sub(2),
    );
    let inner = popup_block(frame, app, area, "Keys · Esc/q close · ↑/↓ scroll");
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
    let max = (lines.len() as u16).saturating_sub(inner.height);
    frame.render_widget(Paragraph::new(lines).scroll((scroll.min(max), 0)), inner);
}
