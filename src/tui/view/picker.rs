//! The event type picker popup.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::app::{App, Picker};
use super::layout::popup;
use super::popup_block;

pub fn draw(frame: &mut Frame, app: &App, p: &Picker, screen: Rect) {
    let t = &app.theme;
    let area = popup(screen, 44, (p.items.len() as u16 + 4).min(screen.height));
    let inner = popup_block(frame, app, area, "Event types");
    let mut lines: Vec<Line> = Vec::new();
    for (i, (name, on)) in p.items.iter().enumerate() {
        let mark = if *on { "[x]" } else { "[ ]" };
        let style = if i == p.cursor {
            t.selected()
        } else {
            t.base()
        };
        lines.push(Line::from(vec![Span::styled(
            format!(" {mark} {name}"),
            style,
        )]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Space toggle · Enter apply · Esc cancel",
        t.dim(),
    ));
    let skip = p
        .cursor
        .saturating_sub(inner.height.saturating_sub(3) as usize);
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
