//! Adding to the queue, and the queue itself (F3).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::QueueAdd;
use crate::history::QueueState;
use crate::tui::app::App;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::{clip, wrap};
use unicode_width::UnicodeWidthStr;

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
    // Rows are cut after a whole word (the last column stays empty); the
    // selected one shows whole, on as many lines as it needs.
    let width = usize::from(inner.width).saturating_sub(1);
    let skip = cursor.saturating_sub(rows.saturating_sub(2));
    for (i, q) in app.queue.iter().enumerate().skip(skip) {
        if lines.len() >= rows {
            break;
        }
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
            (QueueState::Failed | QueueState::Waiting, Some(m), _) => format!(" · {m}"),
            (QueueState::Submitted, _, Some(a)) => format!(" · history #{a}"),
            _ => String::new(),
        };
        let head = format!("#{:<4} ", q.id);
        let lead = head.width() + state.width();
        let text = format!("{summary}{extra}");
        if i == cursor {
            let row_style = t.selected();
            for (n, part) in wrap(&text, width.saturating_sub(lead))
                .into_iter()
                .enumerate()
            {
                let (a, b) = if n == 0 {
                    (head.clone(), state.to_owned())
                } else {
                    (" ".repeat(lead), String::new())
                };
                lines.push(Line::from(vec![
                    Span::styled(a, row_style.patch(t.dim())),
                    Span::styled(b, row_style.patch(style)),
                    Span::styled(part, row_style),
                ]));
            }
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(head, t.base().patch(t.dim())),
            Span::styled(state, t.base().patch(style)),
            Span::styled(clip(&text, width.saturating_sub(lead)), t.base()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
