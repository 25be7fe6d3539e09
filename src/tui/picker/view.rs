//! The lookup picker popup: a filter line and the matching choices.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Picker;
use crate::tui::app::App;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::{clip, wrap};

pub fn draw(frame: &mut Frame, app: &App, p: &Picker, screen: Rect) {
    let t = &app.theme;
    let title = match p.field {
        Some(f) if p.multi => format!("{} · pick any", f.label()),
        Some(f) => format!("{} · pick one", f.label()),
        None => "Pick".into(),
    };
    let area = popup(screen, 64, screen.height.saturating_sub(4).min(24));
    let inner = popup_block(frame, app, area, &title);
    if inner.height < 4 {
        return;
    }
    // Filter line.
    let q = p.query.value();
    let filter = Line::from(vec![
        Span::styled("filter ", t.dim()),
        if q.is_empty() {
            Span::styled("type to filter", t.dim())
        } else {
            Span::styled(q.to_owned(), t.base())
        },
    ]);
    frame.render_widget(
        Paragraph::new(filter),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    frame.set_cursor_position(Position::new(
        inner.x + 7 + (p.query.visual_cursor() as u16).min(inner.width.saturating_sub(8)),
        inner.y,
    ));
    let list_area = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 2);
    let visible = p.visible();
    let rows = usize::from(list_area.height);
    // Rows are cut after a whole word (the last column stays empty); the
    // selected one shows whole, on as many lines as it needs.
    let width = usize::from(list_area.width).saturating_sub(1);
    let text_of = |c: &crate::jobs::lookups::Choice| {
        let mark = if p.is_chosen(&c.id) {
            if p.multi { "[x]" } else { "(•)" }
        } else if p.multi {
            "[ ]"
        } else {
            "( )"
        };
        let id = if c.id == c.label {
            String::new()
        } else {
            format!("  {}", c.id)
        };
        let detail = c
            .detail
            .as_deref()
            .map(|d| format!("  · {d}"))
            .unwrap_or_default();
        (format!(" {mark} {}", c.label), format!("{id}{detail}"))
    };
    let selected_lines = visible
        .get(p.cursor)
        .map_or(1, |c| {
            let (head, tail) = text_of(c);
            wrap(&format!("{head}{tail}"), width).len()
        })
        .min(rows.max(1));
    let skip = p.cursor.saturating_sub(rows.saturating_sub(selected_lines));
    let mut lines: Vec<Line> = Vec::new();
    if visible.is_empty() {
        lines.push(Line::styled(
            if p.loading {
                "loading…"
            } else {
                "nothing matches; Enter keeps what you typed in the field"
            },
            t.dim(),
        ));
    }
    for (i, c) in visible.iter().enumerate().skip(skip) {
        if lines.len() >= rows {
            break;
        }
        let (head, tail) = text_of(c);
        if i == p.cursor {
            for (n, l) in wrap(&format!("{head}{tail}"), width)
                .into_iter()
                .enumerate()
            {
                let l = if n == 0 { l } else { format!("     {l}") };
                lines.push(Line::styled(l, t.selected()));
            }
            continue;
        }
        let row = clip(&format!("{head}{tail}"), width);
        let (a, b) = match row.get(..head.len()) {
            Some(h) if h == head => (head.clone(), row[head.len()..].to_owned()),
            _ => (row, String::new()),
        };
        lines.push(Line::from(vec![
            Span::styled(a, t.base()),
            Span::styled(b, t.base().patch(t.dim())),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), list_area);
    let note = p
        .note
        .clone()
        .unwrap_or_else(|| format!("{} of {}", visible.len(), p.choices.len()));
    frame.render_widget(
        Paragraph::new(Line::styled(note, t.dim())),
        Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
    );
}
