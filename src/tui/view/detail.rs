//! The detail view of one history entry: request, outcome, job status.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::app::App;
use super::history::{Kind, outcome};
use super::layout::popup;
use super::popup_block;
use crate::history::Entry;

pub fn lines(app: &App, e: &Entry) -> Vec<Line<'static>> {
    let t = &app.theme;
    let row = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<12}"), t.dim()),
            Span::raw(v),
        ])
    };
    let mut out = Vec::new();
    let (text, kind) = outcome(app, e);
    let style = match kind {
        Kind::Ok => t.ok(),
        Kind::Error => t.error(),
        _ => t.warning(),
    };
    out.push(Line::from(vec![
        Span::styled(format!("{:<12}", "Outcome"), t.dim()),
        Span::styled(text, style),
    ]));
    if let Some(c) = &e.created {
        out.push(row("Job id", c.job_id.clone()));
        let env = match (&c.environment_name, &c.environment_app_token) {
            (Some(n), Some(tok)) => format!("{n} ({tok})"),
            (Some(n), None) => n.clone(),
            (None, Some(tok)) => tok.clone(),
            (None, None) => "—".into(),
        };
        out.push(row("Environment", env));
        if let Some(s) = &c.start_time {
            out.push(row("Started", s.clone()));
        }
        if let Some(l) = c.links.as_deref().filter(|l| !l.is_empty()) {
            out.push(row("Links", l.to_owned()));
        }
    }
    if let Some(j) = &e.job {
        let chunks = match (j.chunks_done, j.chunks_total) {
            (Some(d), Some(a)) => format!(" · {d}/{a} chunks"),
            _ => String::new(),
        };
        let checked = super::history::short_time(app, j.checked_at);
        out.push(row(
            "Job status",
            format!("{}{chunks} (checked {checked})", j.status),
        ));
        if let Some(err) = &j.error {
            out.push(row("Reason", err.clone()));
        }
        for f in &j.files {
            out.push(row("File", f.filename.clone()));
        }
    }
    if let Some(f) = &e.failed {
        out.push(row("Error", f.kind.clone()));
        if let Some(s) = f.http_status {
            out.push(row("HTTP status", s.to_string()));
        }
        out.push(row("Message", f.message.clone()));
    }
    out.push(row(
        "Attempt",
        format!(
            "#{} · {} · {} · {}",
            e.id,
            e.source,
            e.profile,
            super::history::short_time(app, e.created_at)
        ),
    ));
    out.push(row("Base URL", e.base_url.clone()));
    out.push(Line::raw(""));
    out.push(Line::styled("Request body", t.title()));
    let pretty = serde_json::from_str::<serde_json::Value>(&e.request_json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| e.request_json.clone());
    out.extend(pretty.lines().map(|l| Line::raw(l.to_owned())));
    out
}

fn area(screen: Rect) -> Rect {
    popup(
        screen,
        screen.width.saturating_sub(4).min(100),
        screen.height.saturating_sub(2),
    )
}

/// How far the detail of `e` scrolls on `screen`: until its last wrapped
/// row is at the bottom.
pub fn max_scroll(app: &App, e: &Entry, screen: Rect) -> u16 {
    let inner = area(screen).inner(ratatui::layout::Margin::new(1, 1));
    let rows = Paragraph::new(lines(app, e))
        .wrap(Wrap { trim: false })
        .line_count(inner.width);
    u16::try_from(rows)
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height.saturating_sub(1))
}

pub fn draw(frame: &mut Frame, app: &App, e: &Entry, scroll: u16, screen: Rect) {
    let inner = popup_block(frame, app, area(screen), &format!("Attempt #{}", e.id));
    if inner.height < 2 {
        return;
    }
    let body = Rect {
        height: inner.height - 1,
        ..inner
    };
    let max_scroll = max_scroll(app, e, screen);
    frame.render_widget(
        Paragraph::new(lines(app, e))
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0)),
        body,
    );
    let t = &app.theme;
    let keys = Line::from(vec![
        Span::styled("c", t.key()),
        Span::styled(" copy job id · ", t.dim()),
        Span::styled("l", t.key()),
        Span::styled(" copy links · ", t.dim()),
        Span::styled("e", t.key()),
        Span::styled(" edit & re-run · ", t.dim()),
        Span::styled("Esc", t.key()),
        Span::styled(" close", t.dim()),
    ]);
    frame.render_widget(
        Paragraph::new(keys),
        Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
    );
}
