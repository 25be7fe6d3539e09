//! The first-run screen: where the key comes from, and a masked paste.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::FirstRun;
use crate::tui::app::App;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;

pub fn draw(frame: &mut Frame, app: &App, f: &FirstRun, screen: Rect) {
    let t = &app.theme;
    let area = popup(screen, 78, 20);
    let inner = popup_block(frame, app, area, "Welcome to upexport");
    let masked = "•".repeat(f.key.0.value().chars().count().min(40));
    let lines = vec![
        Line::raw(format!("No API key is set for profile '{}'.", f.profile)),
        Line::raw("upexport needs the key of one Userpilot environment"),
        Line::styled(format!("({}).", crate::api::KEY_FOUND_AT), t.dim()),
        Line::raw(""),
        Line::raw("It can come from, in this order:"),
        Line::from(vec![
            Span::styled("  $USERPILOT_API_KEY", t.key()),
            Span::raw(" in the environment"),
        ]),
        Line::from(vec![
            Span::styled("  api_key_command", t.key()),
            Span::raw(" = \"pass show userpilot\" or "),
            Span::styled("api_key_file", t.key()),
            Span::raw(" = \"…\""),
        ]),
        Line::styled(format!("    in {}", f.config_file.display()), t.dim()),
        Line::from(vec![
            Span::styled("  a key file", t.key()),
            Span::raw(format!(" at {}", f.key_file.display())),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::raw("Or paste it here: "),
            Span::styled(
                if masked.is_empty() {
                    "(nothing yet)".to_owned()
                } else {
                    masked.clone()
                },
                if masked.is_empty() {
                    t.dim()
                } else {
                    t.focus()
                },
            ),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Enter", t.key()),
            Span::raw("  use it for this session"),
        ]),
        Line::from(vec![
            Span::styled("Ctrl-S", t.key()),
            Span::raw(" save it to the key file (readable by you only) and use it"),
        ]),
        Line::from(vec![
            Span::styled("Esc", t.key()),
            Span::raw("    skip: the form works, submitting needs a key"),
        ]),
    ];
    let mut lines = lines;
    if let Some(e) = &f.error {
        lines.push(Line::styled(e.clone(), t.error()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    let x = inner.x + 18 + masked.chars().count() as u16;
    if inner.height > 10 && x < inner.x + inner.width {
        frame.set_cursor_position(Position::new(x, inner.y + 10));
    }
}
