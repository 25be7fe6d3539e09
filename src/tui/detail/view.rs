//! The detail view of one history entry: outcome, job, request body.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::history::Entry;
use crate::tui::app::App;
use crate::tui::history::view::{Kind, outcome_kind};
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::wrap;

/// Width of the key column.
const KEY: usize = 13;

/// A key/value row, the value wrapped under its own column.
fn row(
    out: &mut Vec<Line<'static>>,
    app: &App,
    key: &str,
    value: &str,
    style: Style,
    width: usize,
) {
    let t = &app.theme;
    for (i, part) in wrap(value, width.saturating_sub(KEY).max(8))
        .into_iter()
        .enumerate()
    {
        let k = if i == 0 {
            format!("{key:<KEY$}")
        } else {
            " ".repeat(KEY)
        };
        out.push(Line::from(vec![
            Span::styled(k, t.dim()),
            Span::styled(part, style),
        ]));
    }
}

/// The rows of the detail view, wrapped to `width`.
pub fn lines(app: &App, e: &Entry, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let base = t.base();
    let mut out = Vec::new();
    let (headline, kind) = outcome_kind(app, e);
    let style = match kind {
        Kind::Ok => t.ok(),
        Kind::Error => t.error(),
        _ => t.warning(),
    };
    row(&mut out, app, "Outcome", &headline, style, width);
    if let Some(c) = &e.created {
        row(&mut out, app, "Job id", &c.job_id, base, width);
        let env = match (&c.environment_name, &c.environment_app_token) {
            (Some(n), Some(tok)) => format!("{n} ({tok})"),
            (Some(n), None) => n.clone(),
            (None, Some(tok)) => tok.clone(),
            (None, None) => "—".into(),
        };
        row(&mut out, app, "Environment", &env, base, width);
        if let Some(s) = &c.start_time {
            row(&mut out, app, "Started", s, base, width);
        }
        // The create answer's `links` is a string of unknown content (the
        // vendor's example, and the demo, say where links will be once the
        // job completes): true while the job runs, stale once it ended.
        // Then what is true is said instead: the files (listed below), or
        // none.
        let ended = e.job.as_ref().filter(|j| j.is_finished());
        match (c.links.as_deref().filter(|l| !l.is_empty()), ended) {
            (Some(l), None) => row(&mut out, app, "Links", l, base, width),
            (_, Some(j)) if !j.files.is_empty() => {
                let n = j.files.len();
                let text = format!(
                    "{n} file{}, listed below · l copies their links",
                    if n == 1 { "" } else { "s" }
                );
                row(&mut out, app, "Links", &text, base, width);
            }
            (Some(_), Some(_)) => row(
                &mut out,
                app,
                "Links",
                "none: the job ended without files",
                base,
                width,
            ),
            (None, _) => {}
        }
    }
    if let Some(j) = &e.job {
        let chunks = j
            .progress_text()
            .map(|p| format!(" · {p}"))
            .unwrap_or_default();
        let checked = app.clock.short_time(j.checked_at);
        let gauge = match (j.chunks_done, j.chunks_total) {
            (Some(d), Some(a)) if a > 0 && d < a => {
                format!(
                    " {}",
                    crate::tui::history::view::bar(d as f64 / a as f64, 12)
                )
            }
            _ => String::new(),
        };
        row(
            &mut out,
            app,
            "Job status",
            &format!("{}{chunks}{gauge} (checked {checked})", j.status),
            base,
            width,
        );
        if let Some(t) = crate::jobs::track::links_expire_at(e) {
            let now = app.clock.now;
            let text = if t > now {
                format!(
                    "links work until {} (in {}) · d downloads",
                    app.clock.short_time(t),
                    crate::human::duration((t - now).num_seconds())
                )
            } else {
                "the links have expired (they last 2 days after the job ends)".to_owned()
            };
            row(&mut out, app, "Download", &text, base, width);
        }
        if let Some(err) = &j.error {
            row(&mut out, app, "Reason", err, t.error(), width);
        }
        for f in &j.files {
            row(&mut out, app, "File", &f.filename, base, width);
        }
    }
    // A downloaded job's folder: its manifest and the DuckDB command.
    if let Some(r) = e.created.as_ref().and_then(|c| app.ready.get(&c.job_id)) {
        let files = format!("{} file(s)", r.files);
        let rows = r.rows.map(|n| format!(", {n} rows")).unwrap_or_default();
        let note = if r.complete { "" } else { " · not every part" };
        let text = format!("{} ({files}{rows}{note})", r.manifest.display());
        row(&mut out, app, "Manifest", &text, base, width);
        match &r.duckdb {
            Ok(l) => {
                row(&mut out, app, "DuckDB", l, t.ok(), width);
                if r.format == Some(crate::export::Format::Avro) {
                    row(
                        &mut out,
                        app,
                        "",
                        crate::jobs::manifest::AVRO_NOTE,
                        t.dim(),
                        width,
                    );
                }
            }
            Err(why) => row(&mut out, app, "DuckDB", why, t.dim(), width),
        }
    }
    if let Some(f) = &e.failed {
        row(&mut out, app, "Message", &f.message, base, width);
    }
    if e.conflicts > 0 {
        let n = e
            .conflicts_note()
            .unwrap_or_else(|| "refused with 409 once".into());
        let text = format!("{n} (409: another export was running; sent again on this row)");
        row(&mut out, app, "Conflicts", &text, base, width);
    }
    let when = format!(
        "#{} · {} · {} · {}",
        e.id,
        e.source,
        e.profile,
        app.clock.short_time(e.created_at)
    );
    row(&mut out, app, "Attempt", &when, base, width);
    row(&mut out, app, "Base URL", &e.base_url, base, width);
    out.push(Line::raw(""));
    out.push(Line::styled("Request body (as sent)", t.title()));
    // The stored body is exactly what was sent; only indentation is added,
    // keeping its key order.
    let pretty = serde_json::from_str::<crate::export::ExportRequest>(&e.request_json)
        .map(|r| r.to_json_pretty())
        .unwrap_or_else(|_| e.request_json.clone());
    for l in pretty.lines() {
        out.extend(wrap(l, width).into_iter().map(Line::raw));
    }
    out
}

fn area(screen: Rect) -> Rect {
    popup(
        screen,
        screen.width.saturating_sub(4).min(100),
        screen.height.saturating_sub(2),
    )
}

fn body_width(screen: Rect) -> usize {
    usize::from(crate::tui::view::popup_inner(area(screen)).width)
}

/// How far the detail of `e` scrolls on `screen`: until its last row is at
/// the bottom.
pub fn max_scroll(app: &App, e: &Entry, screen: Rect) -> u16 {
    let inner_height = crate::tui::view::popup_inner(area(screen)).height;
    let rows = lines(app, e, body_width(screen)).len();
    u16::try_from(rows)
        .unwrap_or(u16::MAX)
        .saturating_sub(inner_height)
}

pub fn draw(frame: &mut Frame, app: &App, e: &Entry, scroll: u16, screen: Rect) {
    let inner = popup_block(frame, app, area(screen), &format!("Attempt #{}", e.id));
    let scroll = scroll.min(max_scroll(app, e, screen));
    frame.render_widget(
        Paragraph::new(lines(app, e, body_width(screen))).scroll((scroll, 0)),
        inner,
    );
}
