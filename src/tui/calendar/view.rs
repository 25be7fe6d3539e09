//! The calendar popup, placed beside the date field it fills.

use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Calendar, Preset};
use crate::export::DateBound;
use crate::tui::app::App;
use crate::tui::view::layout::Areas;
use crate::tui::view::popup_block;

pub const WIDTH: u16 = 50;
pub const HEIGHT: u16 = 13;

pub fn draw(frame: &mut Frame, app: &App, cal: &Calendar, areas: &Areas) {
    let t = &app.theme;
    // Above the status line, which stays readable.
    let screen = areas.above_status();
    // Below the field when it fits, else wherever it fits on screen.
    let field_row = areas.form.y
        + 1
        + if cal.field == crate::export::Field::From {
            0
        } else {
            1
        };
    let x = (areas.form.x + 14).min(screen.width.saturating_sub(WIDTH));
    let mut y = field_row + 1;
    if y + HEIGHT > screen.height {
        y = screen.height.saturating_sub(HEIGHT);
    }
    let area = Rect::new(x, y, WIDTH.min(screen.width), HEIGHT.min(screen.height));
    let title = format!("{} · {}", cal.field.label(), cal.cursor.format("%B %Y"));
    let inner = popup_block(frame, app, area, &title);
    let today = app.today();

    // Left: the month grid. Right: the presets.
    let mut grid: Vec<Line> = vec![Line::styled("Mo Tu We Th Fr Sa Su", t.dim())];
    for week in cal.weeks() {
        let mut spans = Vec::new();
        for (i, day) in week.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            match day {
                None => spans.push(Span::raw("  ")),
                Some(d) => {
                    let text = format!("{:>2}", d.day());
                    let style = if *d == cal.cursor {
                        t.selected()
                    } else if Some(*d) == cal.other {
                        t.title()
                    } else if *d == today {
                        t.today()
                    } else if *d > today {
                        t.dim()
                    } else {
                        t.base()
                    };
                    spans.push(Span::styled(text, style));
                }
            }
        }
        grid.push(Line::from(spans));
    }
    grid.push(Line::raw(""));
    grid.push(Line::from(vec![
        Span::styled("Enter", t.key()),
        Span::raw(format!(" {}", DateBound::Date(cal.cursor).to_wire())),
    ]));
    let grid_area = Rect::new(inner.x + 1, inner.y, 21.min(inner.width), inner.height);
    frame.render_widget(Paragraph::new(grid), grid_area);

    let mut presets: Vec<Line> = vec![Line::styled("Presets: both ends", t.dim())];
    for (i, p) in Preset::ALL.iter().enumerate() {
        presets.push(Line::from(vec![
            Span::styled(format!("{} ", i + 1), t.key()),
            Span::raw(p.label()),
        ]));
    }
    presets.push(Line::from(vec![
        Span::styled("t ", t.key()),
        Span::raw("go to today"),
    ]));
    presets.push(Line::styled(format!("days in {}", app.clock.zone), t.dim()));
    if inner.width > 24 {
        let right = Rect::new(inner.x + 24, inner.y, inner.width - 24, inner.height);
        frame.render_widget(Paragraph::new(presets), right);
    }
}
