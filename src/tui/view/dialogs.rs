//! Small dialogs: the 409 conflict, adding to the queue, the queue itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::layout::popup;
use super::popup_block;
use crate::history::QueueState;
use crate::tui::app::{App, Conflict, QueueAdd};

fn key_line<'a>(app: &App, keys: &[(&'a str, &'a str)]) -> Line<'a> {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, (k, what)) in keys.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.dim()));
        }
        spans.push(Span::styled(*k, t.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

pub fn conflict(frame: &mut Frame, app: &App, c: &Conflict, screen: Rect) {
    let t = &app.theme;
    let area = popup(screen, 72, 13);
    let inner = popup_block(frame, app, area, "An export is already running (409)");
    let mut lines = vec![
        Line::raw("This environment runs one export at a time. Your export was not created."),
        Line::raw(""),
    ];
    if c.looking {
        lines.push(Line::styled("looking up the running job…", t.dim()));
    } else if let Some(e) = &c.error {
        lines.push(Line::styled(
            format!("the running job could not be looked up: {e}"),
            t.error(),
        ));
    } else if let Some(j) = &c.running {
        let f = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        lines.push(Line::from(vec![
            Span::styled("Running job  ", t.dim()),
            Span::raw(f(&j.job_id)),
        ]));
        lines.push(Line::from(vec![
            Span::styled("Status       ", t.dim()),
            Span::raw(format!("{} · progress {}", f(&j.status), f(&j.progress))),
        ]));
        lines.push(Line::from(vec![
            Span::styled("Started      ", t.dim()),
            Span::raw(format!(
                "{} · elapsed {}",
                f(&j.start_time),
                f(&j.elapsed_time)
            )),
        ]));
    } else {
        lines.push(Line::styled(
            "no running job is listed now: it may just have ended",
            t.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("Yours: {}", c.request.summary()),
        t.dim(),
    ));
    lines.push(Line::raw(""));
    lines.push(key_line(
        app,
        &[("w", "wait, then submit automatically"), ("Esc", "cancel")],
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

pub fn queue_add(frame: &mut Frame, app: &App, q: &QueueAdd, screen: Rect) {
    let t = &app.theme;
    let area = popup(screen, 66, 12);
    let inner = popup_block(frame, app, area, "Add to the queue");
    let mut lines = vec![
        Line::raw("Queued exports are sent one after another, each as soon as the"),
        Line::raw("environment is free. The queue survives restarts (F3 shows it)."),
        Line::raw(""),
        Line::styled(q.request.summary(), t.dim()),
        Line::raw(""),
    ];
    let mut keys = vec![("Enter", "as one export".to_owned())];
    if q.monthly.len() > 1 {
        keys.push(("m", format!("{} monthly exports", q.monthly.len())));
    }
    if q.weekly.len() > 1 {
        keys.push(("w", format!("{} weekly exports", q.weekly.len())));
    }
    keys.push(("Esc", "cancel".into()));
    for (k, what) in &keys {
        lines.push(Line::from(vec![
            Span::styled(format!("  {k:<6}"), t.key()),
            Span::raw(what.clone()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn queue(frame: &mut Frame, app: &App, cursor: usize, screen: Rect) {
    let t = &app.theme;
    let area = popup(
        screen,
        screen.width.saturating_sub(4).min(100),
        screen.height.saturating_sub(2),
    );
    let title = format!(
        "Queue · {} waiting{}",
        app.queue
            .iter()
            .filter(|q| q.state == QueueState::Waiting)
            .count(),
        if app.queue_paused {
            " · PAUSED (p resumes)"
        } else {
            ""
        }
    );
    let inner = popup_block(frame, app, area, &title);
    let mut lines: Vec<Line> = Vec::new();
    if app.queue.is_empty() {
        lines.push(Line::styled(
            "The queue is empty. Ctrl-Q adds the form (whole, or split by month or week).",
            t.dim(),
        ));
    }
    let rows = usize::from(inner.height);
    let skip = cursor.saturating_sub(rows.saturating_sub(1));
    for (i, q) in app.queue.iter().enumerate().skip(skip).take(rows) {
        let summary = serde_json::from_str::<crate::export::ExportRequest>(&q.request_json)
            .map(|r| r.summary())
            .unwrap_or_else(|_| "(request not readable)".into());
        let (state, style) = match q.state {
            QueueState::Waiting => ("waiting   ", t.base()),
            QueueState::Submitting => ("sending…  ", t.warning()),
            QueueState::Submitted => ("sent      ", t.ok()),
            QueueState::Failed => ("failed    ", t.error()),
        };
        let extra = match (q.state, &q.message, q.attempt_id) {
            (QueueState::Failed, Some(m), _) => format!(" · {m}"),
            (QueueState::Submitted, _, Some(a)) => format!(" · history #{a}"),
            _ => String::new(),
        };
        let row_style = if i == cursor { t.selected() } else { t.base() };
        lines.push(Line::from(vec![
            Span::styled(format!("#{:<4} ", q.id), row_style.patch(t.dim())),
            Span::styled(state, row_style.patch(style)),
            Span::styled(format!("{summary}{extra}"), row_style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The environment switcher: every profile, its host and what the API
/// calls it (from history). Never a key.
pub fn profiles(frame: &mut Frame, app: &App, cursor: usize, screen: Rect) {
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
            "No profiles in the config file yet: add [profiles.<name>] sections (see README, Configuration).",
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
