//! The request preview: the exact JSON body and an equivalent curl line
//! (the key written as $USERPILOT_API_KEY, never its value).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
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

/// How far the preview scrolls on `screen`: until its last wrapped row is
/// at the bottom.
pub fn max_scroll(app: &App, screen: Rect) -> u16 {
    let inner = crate::tui::view::popup_inner(area(screen));
    let rows = wrapped(app, usize::from(inner.width)).len();
    u16::try_from(rows)
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height)
}

fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines: Vec<Line> = Vec::new();
    match app.preview_request() {
        Ok(req) => {
            lines.push(Line::styled("POST body (exactly what is sent)", t.title()));
            lines.extend(
                req.to_json_pretty()
                    .lines()
                    .map(|l| Line::raw(l.to_owned())),
            );
            if let Some(note) = req.range_note() {
                lines.push(Line::styled(format!("Range: {note}"), t.label()));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "curl (the key stays in $USERPILOT_API_KEY)",
                t.title(),
            ));
            lines.extend(app.curl_for(&req).lines().map(|l| Line::raw(l.to_owned())));
        }
        Err(issues) => {
            lines.push(Line::styled(
                "The form is not valid yet; nothing would be sent:",
                t.error(),
            ));
            for i in issues {
                lines.push(Line::styled(format!("  {i}"), t.error()));
            }
        }
    }
    lines
}

/// The lines wrapped to `width` (at spaces; a long token, such as the
/// curl line's body, broken with a ↩ mark).
fn wrapped(app: &App, width: usize) -> Vec<Line<'static>> {
    lines(app)
        .into_iter()
        .flat_map(|l| {
            let style = l.spans.first().map_or(l.style, |s| l.style.patch(s.style));
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            let indent: String = text.chars().take_while(|c| *c == ' ').collect();
            wrap(&text, width)
                .into_iter()
                .enumerate()
                .map(|(i, part)| {
                    // Keep a JSON line's indentation on its continued rows.
                    let part = if i == 0 {
                        part
                    } else {
                        format!("{indent}{part}")
                    };
                    Line::styled(part, style)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

pub fn draw(frame: &mut Frame, app: &App, scroll: u16, screen: Rect) {
    let inner = popup_block(frame, app, area(screen), "Request preview");
    frame.render_widget(
        Paragraph::new(wrapped(app, usize::from(inner.width)))
            .scroll((scroll.min(max_scroll(app, screen)), 0)),
        inner,
    );
}
