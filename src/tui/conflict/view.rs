//! The 409 dialog: the running job, and what to do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Conflict;
use crate::tui::app::App;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;

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

pub fn draw(frame: &mut Frame, app: &App, c: &Conflict, screen: Rect) {
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
        // The job is followed from now on: its latest status has chunks
        // (the list has only a percentage), worded as its history row.
        let followed = j
            .job_id
            .as_ref()
            .and_then(|id| app.jobs.jobs.get(id))
            .and_then(|l| l.status.as_ref());
        let (word, progress) = match followed {
            Some(s) => (s.status.clone(), s.progress_text()),
            None => (j.status.clone(), j.progress_text()),
        };
        let progress = progress.map(|p| format!(" · {p}")).unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled("Status       ", t.dim()),
            Span::raw(format!("{}{progress}", f(&word))),
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
