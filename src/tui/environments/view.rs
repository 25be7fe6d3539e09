//! The environment switcher (F5).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;

/// The environment switcher: every profile, its host and what the API
/// calls it (from history). Never a key.
pub fn draw(frame: &mut Frame, app: &App, cursor: usize, screen: Rect) {
    let t = &app.theme;
    let area = popup(
        screen,
        84,
        (app.profiles.len() as u16 + 5).clamp(7, screen.height),
    );
    let inner = popup_block(frame, app, area, "Environments");
    let mut lines: Vec<Line> = Vec::new();
    if app.profiles.is_empty() {
        lines.push(Line::styled(
            "No profiles in the config file yet: add [profiles.<name>] sections (see docs/configuration.md).",
            t.dim(),
        ));
    }
    for (i, p) in app.profiles.iter().enumerate() {
        let here = p.name == app.env.profile;
        let host = reqwest::Url::parse(&p.base_url)
            .map(|u| crate::api::host_port_of(&u))
            .unwrap_or_else(|_| p.base_url.clone());
        let known = match (&p.environment, &p.app_token) {
            (Some(n), Some(tok)) => format!("{n} ({tok})"),
            (Some(n), None) => n.clone(),
            (None, Some(tok)) => tok.clone(),
            (None, None) => "not used yet".into(),
        };
        let style = if i == cursor { t.selected() } else { t.base() };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} {:<16}", if here { "●" } else { " " }, p.name),
                style.patch(t.title()),
            ),
            Span::styled(format!(" {host:<30}"), style),
            Span::styled(format!(" {known}"), style.patch(t.dim())),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "● current · each has its own key, queue and lookups",
        t.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
