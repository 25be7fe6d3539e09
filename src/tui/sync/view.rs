//! Drawing the Sync view: the list of syncs, a sync's partitions, a
//! partition's manifest. Rows are cut after a whole word (the selected
//! sync shows whole); the last column stays free.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{ManifestLevel, PartitionsLevel, SyncOverlay, SyncRow};
use crate::sync::run::PARTITION_MANIFEST;
use crate::sync::{PartitionSize, SyncStatus};
use crate::tui::app::App;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::{clip, wrap};

fn area(screen: Rect) -> Rect {
    popup(
        screen,
        screen.width.saturating_sub(4).min(110),
        screen.height.saturating_sub(2),
    )
}

pub fn draw(frame: &mut Frame, app: &App, o: &SyncOverlay, screen: Rect) {
    if let Some(m) = &o.manifest {
        return manifest(frame, app, m, screen);
    }
    if let Some(p) = &o.partitions {
        return partitions(frame, app, p, screen);
    }
    list(frame, app, o.cursor, screen);
}

fn size_word(size: PartitionSize) -> &'static str {
    match size {
        PartitionSize::Day => "daily",
        PartitionSize::Month => "monthly",
    }
}

/// Gaps as `a … b (3 days), c (1 day)`, the first `n` and how many more.
fn gaps_text(s: &SyncStatus, n: usize) -> String {
    let mut text: Vec<String> = s.gaps.iter().take(n).map(ToString::to_string).collect();
    if s.gaps.len() > n {
        text.push(format!("+{} more", s.gaps.len() - n));
    }
    text.join(", ")
}

/// The lines of one sync in the list, each with its style.
fn sync_lines(app: &App, row: &SyncRow) -> Vec<(String, Style)> {
    let t = &app.theme;
    let s = match &row.status {
        Ok(s) => s,
        Err(e) => return vec![(format!("{}  ✘ {e}", row.name), t.error())],
    };
    let mut out = vec![(
        format!(
            "{} → {} · {} from {}",
            row.name,
            s.destination,
            size_word(s.partition),
            s.start
        ),
        t.title(),
    )];
    if let Some(configured) = &s.configured {
        out.push((
            format!("  demo: written here, never to {configured}"),
            t.dim(),
        ));
    }
    let done = match &s.last_complete {
        Some(dt) => format!("last complete dt={dt} ({} complete)", s.complete),
        None => "nothing complete yet".into(),
    };
    out.push(if s.gaps.is_empty() {
        (format!("  {done} · up to date to {}", s.until), t.ok())
    } else {
        (
            format!("  {done} · {} missing: {}", s.missing, gaps_text(s, 2)),
            t.warning(),
        )
    });
    let here = app.syncs.runs.get(&row.name);
    let run = match (here, &s.running) {
        (Some(r), _) if r.running() => (format!("  ● running: {}", r.line()), t.ok()),
        (_, Some(who)) => {
            let what = s
                .in_progress
                .first()
                .map_or(String::new(), |dt| format!(", dt={dt}"));
            (format!("  ● running ({who}{what})"), t.ok())
        }
        (Some(r), None) => (format!("  last run here: {}", r.line()), t.dim()),
        (None, None) if !s.interrupted.is_empty() => (
            format!(
                "  interrupted at dt={}: the next run resumes it",
                s.interrupted.join(", dt=")
            ),
            t.warning(),
        ),
        (None, None) => ("  not running".into(), t.dim()),
    };
    out.push(run);
    if let Some(f) = &s.last_error {
        out.push((
            format!("  last error (dt={}): {}", f.dt, f.error),
            t.error(),
        ));
    }
    out
}

fn list(frame: &mut Frame, app: &App, cursor: usize, screen: Rect) {
    let t = &app.theme;
    let rows = app.syncs.rows();
    let title = match rows.len() {
        0 => "Sync".to_owned(),
        1 => "Sync · 1 defined".to_owned(),
        n => format!("Sync · {n} defined"),
    };
    let inner = popup_block(frame, app, area(screen), &title);
    let width = usize::from(inner.width).saturating_sub(1);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(e) = &app.syncs.error {
        for l in wrap(&format!("✘ {e}"), width) {
            lines.push(Line::styled(l, t.error()));
        }
    }
    if app.syncs.list.is_none() {
        if app.syncs.error.is_none() {
            lines.push(Line::styled("reading the syncs…", t.dim()));
        }
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    if rows.is_empty() {
        let config = app
            .syncs
            .list
            .as_ref()
            .and_then(|l| l.config.as_ref())
            .map_or("the config file".to_owned(), |p| p.display().to_string());
        for l in how_to_add(&config) {
            for w in wrap(&l, width) {
                lines.push(Line::styled(w, t.base()));
            }
        }
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    // Each sync a block; the selected one whole, the others cut.
    let mut blocks: Vec<Vec<Line>> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut block = Vec::new();
        let mark = if i == cursor { "▸ " } else { "  " };
        for (n, (text, style)) in sync_lines(app, row).into_iter().enumerate() {
            let text = if n == 0 {
                format!("{mark}{text}")
            } else {
                format!("  {text}")
            };
            let style = if i == cursor && n == 0 {
                t.selected().patch(style)
            } else {
                t.base().patch(style)
            };
            if i == cursor {
                for (k, w) in wrap(&text, width).into_iter().enumerate() {
                    let w = if k == 0 { w } else { format!("    {w}") };
                    block.push(Line::styled(w, style));
                }
            } else {
                block.push(Line::styled(clip(&text, width), style));
            }
        }
        block.push(Line::raw(""));
        blocks.push(block);
    }
    let start: usize = blocks.iter().take(cursor).map(Vec::len).sum();
    let end = start + blocks.get(cursor).map_or(0, Vec::len);
    let skip = end
        .saturating_sub(usize::from(inner.height).saturating_sub(lines.len()))
        .min(start);
    lines.extend(blocks.into_iter().flatten().skip(skip));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What the view says when no sync is defined.
pub fn how_to_add(config: &str) -> Vec<String> {
    vec![
        "No sync is defined. A sync keeps a dataset of exported events up to date: one export per UTC day (or month) from a start date to yesterday, each in its own dt= folder with a _manifest.json, in a local folder or object storage (s3://, gs://, az://).".into(),
        String::new(),
        format!("Add a table to {config}:"),
        String::new(),
        "  [sync.events]".into(),
        "  start = \"2026-01-01\"".into(),
        "  destination = \"/data/userpilot\"".into(),
        "  format = \"parquet\"".into(),
        String::new(),
        "It shows here within seconds; `upexport sync --dry-run` shows what it would export. \"Sync\" in docs/cli.md has every key of the table.".into(),
    ]
}

fn partitions(frame: &mut Frame, app: &App, p: &PartitionsLevel, screen: Rect) {
    let t = &app.theme;
    let inner = popup_block(
        frame,
        app,
        area(screen),
        &format!("Sync {} · partitions", p.name),
    );
    let width = usize::from(inner.width).saturating_sub(1);
    let Some(row) = app.syncs.row(&p.name) else {
        frame.render_widget(
            Paragraph::new(Line::styled("this sync is no longer defined", t.dim())),
            inner,
        );
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    let parts: Vec<_> = row.partitions().iter().rev().collect();
    if let Ok(s) = &row.status {
        // The dataset's folder whole (wrapped, not clipped: its end is
        // what tells one sync's folder from another's).
        let head = format!(
            "{}/{} · {} from {} to {}",
            s.destination.trim_end_matches('/'),
            s.name,
            size_word(s.partition),
            s.start,
            s.until
        );
        lines.extend(
            wrap(&head, width)
                .into_iter()
                .map(|l| Line::styled(l, t.dim())),
        );
        let missing = if s.gaps.is_empty() {
            "nothing missing".to_owned()
        } else {
            format!("missing {}: {}", s.missing, gaps_text(s, 3))
        };
        lines.push(Line::styled(
            clip(&format!("{} complete · {missing}", s.complete), width),
            t.dim(),
        ));
    }
    lines.push(Line::raw(""));
    if parts.is_empty() {
        lines.push(Line::styled(
            "No partition recorded yet: r runs the sync now.",
            t.dim(),
        ));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let head = format!(
        "{:<10}  {:<9} {:<9} {:>10} {:>5}  error",
        "dt", "state", "job", "rows", "files"
    );
    lines.push(Line::styled(clip(&head, width), t.dim()));
    // The selected partition's details at the bottom, in full.
    let details = parts.get(p.cursor).map_or(Vec::new(), |part| {
        let mut d = format!("dt={} {}", part.dt, part.state);
        if let Some(j) = &part.job_id {
            d.push_str(&format!(" · job {j}"));
        }
        if let Some(b) = &part.base_url {
            d.push_str(&format!(" at {b}"));
        }
        let at = chrono::DateTime::parse_from_rfc3339(&part.updated_at).map_or_else(
            |_| part.updated_at.clone(),
            |t| app.clock.short_time(t.with_timezone(&chrono::Utc)),
        );
        d.push_str(&format!(" · updated {at}"));
        if let Some(e) = &part.error {
            d.push_str(&format!(" · {e}"));
        }
        wrap(&d, width)
    });
    let room = usize::from(inner.height)
        .saturating_sub(lines.len() + details.len() + 1)
        .max(1);
    let skip = p.cursor.saturating_sub(room.saturating_sub(1));
    for (i, part) in parts.iter().enumerate().skip(skip).take(room) {
        let job = part.job_id.as_deref().map_or(String::new(), |j| {
            if j.chars().count() > 8 {
                format!("{}…", j.chars().take(8).collect::<String>())
            } else {
                j.to_owned()
            }
        });
        let rows = part.rows.map_or(String::new(), |r| r.to_string());
        let files = part.files.map_or(String::new(), |f| f.to_string());
        let text = format!(
            "{:<10}  {:<9} {:<9} {:>10} {:>5}  {}",
            part.dt,
            part.state,
            job,
            rows,
            files,
            part.error.as_deref().unwrap_or("")
        );
        let state = match part.state.as_str() {
            "complete" => t.ok(),
            "failed" => t.error(),
            _ => t.warning(),
        };
        let style = if i == p.cursor {
            t.selected().patch(state)
        } else {
            t.base().patch(state)
        };
        lines.push(Line::styled(clip(text.trim_end(), width), style));
    }
    // Details pinned to the bottom.
    let used = lines.len();
    let bottom = usize::from(inner.height).saturating_sub(details.len());
    lines.extend((used..bottom).map(|_| Line::raw("")));
    lines.extend(details.into_iter().map(|d| Line::styled(d, t.dim())));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn manifest(frame: &mut Frame, app: &App, m: &ManifestLevel, screen: Rect) {
    let t = &app.theme;
    let inner = popup_block(
        frame,
        app,
        area(screen),
        &format!("{} · {} dt={}", PARTITION_MANIFEST, m.name, m.dt),
    );
    let width = usize::from(inner.width).saturating_sub(1);
    let mut lines: Vec<Line> = wrap(&m.shown, width)
        .into_iter()
        .map(|l| Line::styled(l, t.dim()))
        .collect();
    match &m.text {
        None => lines.push(Line::styled("reading…", t.dim())),
        Some(Err(e)) => {
            lines.extend(
                wrap(&format!("✘ {e}"), width)
                    .into_iter()
                    .map(|l| Line::styled(l, t.error())),
            );
        }
        Some(Ok(None)) => lines.extend(
            wrap(
                &format!("No {PARTITION_MANIFEST} there: the partition is not complete (its manifest is written last, once every part is in place)."),
                width,
            )
            .into_iter()
            .map(|l| Line::styled(l, t.warning())),
        ),
        Some(Ok(Some(text))) => {
            for src in text.lines().skip(usize::from(m.scroll)) {
                // A long line wraps under its indent.
                let indent = src.width() - src.trim_start().width();
                let indent = indent.min(width / 2);
                for (k, l) in wrap(src.trim_start(), width.saturating_sub(indent + 2))
                    .into_iter()
                    .enumerate()
                {
                    let pad = if k == 0 { indent } else { indent + 2 };
                    lines.push(Line::from(Span::styled(
                        format!("{}{l}", " ".repeat(pad)),
                        t.base(),
                    )));
                }
                if lines.len() >= usize::from(inner.height) {
                    break;
                }
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
