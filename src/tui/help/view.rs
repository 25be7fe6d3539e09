//! The help overlay: every key, from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keymap::table;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::wrap;

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
    let inner = crate::tui::view::popup_inner(area(screen));
    (lines(app, inner.width).len() as u16).saturating_sub(inner.height)
}

/// Width of the keys column.
const KEYS: usize = 20;

fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let help_width = usize::from(width).saturating_sub(KEYS).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for (ctx, rows) in table() {
        lines.push(Line::styled(ctx.title(), t.title()));
        for (keys, help) in rows {
            for (i, part) in wrap(help, help_width).into_iter().enumerate() {
                let k = if i == 0 {
                    format!("  {keys:<w$}", w = KEYS - 2)
                } else {
                    " ".repeat(KEYS)
                };
                lines.push(Line::from(vec![Span::styled(k, t.key()), Span::raw(part)]));
            }
        }
    }
    lines.push(Line::raw(""));
    let editing = "Text fields also take Backspace, Delete, ←/→, Home/End, Ctrl-A/Ctrl-E (start/end) and Ctrl-K (delete to the end).";
    lines.extend(
        wrap(editing, usize::from(width))
            .into_iter()
            .map(|l| Line::styled(l, t.dim())),
    );
    lines
}

pub fn draw(frame: &mut Frame, app: &App, scroll: u16, screen: Rect) {
    let inner = popup_block(frame, app, area(screen), "Keys · Esc/q close · ↑/↓ scroll");
    let max = max_scroll(app, screen);
    frame.render_widget(
        Paragraph::new(lines(app, inner.width)).scroll((scroll.min(max), 0)),
        inner,
    );
}
