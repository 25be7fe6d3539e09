//! A downloaded file's preview: a summary line (format, row count,
//! columns), the table of its first rows or its schema, and what went
//! wrong or is worth knowing at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::FilePreview;
use crate::jobs::file_preview::{cell, display};
use crate::tui::app::App;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::{clip, wrap};

/// Lines at most for the error and for the notes at the bottom.
const MAX_PROBLEM_LINES: usize = 3;

pub fn draw(frame: &mut Frame, app: &App, v: &FilePreview, screen: Rect) {
    let t = &app.theme;
    // Every column, and every row between the header and the status
    // line (`screen` ends above it): it covers the downloads view it is usually opened from whole,
    // rather than leaving that view's border showing around it.
    let area = Rect {
        y: screen.y + 1,
        height: screen.height.saturating_sub(1),
        ..screen
    };
    let p = &v.preview;
    let inner = popup_block(frame, app, area, &cell(&p.file));
    if inner.height == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let mut top = vec![Line::styled(clip(&summary(v), width), t.dim())];
    let mut bottom: Vec<Line> = Vec::new();
    if let Some(e) = &p.error {
        bottom.extend(lines(e, width, t.error()));
    }
    for n in &p.notes {
        bottom.extend(lines(n, width, t.warning()));
    }
    // The body keeps at least two lines: the problems give way first.
    let room = usize::from(inner.height);
    bottom.truncate(room.saturating_sub(top.len() + 2));
    let body_height = room.saturating_sub(top.len() + bottom.len());
    let body = if v.schema {
        schema_lines(app, v, width, body_height)
    } else {
        table_lines(app, v, width, body_height)
    };
    top.extend(body);
    let fill = room.saturating_sub(bottom.len());
    if top.len() < fill {
        top.resize(fill, Line::raw(""));
    }
    top.extend(bottom);
    frame.render_widget(Paragraph::new(top), inner);
}

/// "Parquet · 7 rows (from the footer) · 18 columns · showing 1–5"
fn summary(v: &FilePreview) -> String {
    let p = &v.preview;
    let cols = p.schema.columns.len();
    let shown = if v.schema {
        "schema".to_owned()
    } else if p.rows.is_empty() {
        "no rows".to_owned()
    } else {
        let more = if p.more { "+" } else { "" };
        format!(
            "showing {}–{}{more}",
            (v.row + 1).min(p.rows.len()),
            p.rows.len()
        )
    };
    format!(
        "{} · {} · {cols} column{} · {shown}",
        p.format_text(),
        p.count_text(),
        if cols == 1 { "" } else { "s" }
    )
}

fn lines(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap(&cell(text), width)
        .into_iter()
        .take(MAX_PROBLEM_LINES)
        .map(|l| Line::styled(l, style))
        .collect()
}

fn table_lines(app: &App, v: &FilePreview, width: usize, height: usize) -> Vec<Line<'static>> {
    let p = &v.preview;
    if height == 0 || p.schema.columns.is_empty() {
        return vec![];
    }
    // Columns from `col`, each as wide as its content (capped), as many as fit.
    let width_of = |c: usize| {
        let head = cell(&p.schema.columns[c].name).width();
        let cells = p
            .rows
            .iter()
            .map(|r| r.get(c).map_or(0, |s| display(s).width()))
            .max()
            .unwrap_or(0);
        head.max(cells).clamp(4, 30)
    };
    let mut shown = Vec::new();
    let mut used = 0;
    for c in v.col..p.schema.columns.len() {
        let w = width_of(c);
        if used + w + 1 > width && !shown.is_empty() {
            break;
        }
        shown.push((c, w));
        used += w + 1;
    }
    let pad = |s: &str, w: usize| format!("{:<w$} ", clip(s, w));
    let header: String = shown
        .iter()
        .map(|(c, w)| pad(&cell(&p.schema.columns[*c].name), *w))
        .collect();
    let mut out = vec![Line::styled(header, app.theme.title())];
    for r in p.rows.iter().skip(v.row).take(height - 1) {
        let text: String = shown
            .iter()
            .map(|(c, w)| pad(&r.get(*c).map(display).unwrap_or_default(), *w))
            .collect();
        out.push(Line::raw(text));
    }
    out
}

fn schema_lines(app: &App, v: &FilePreview, width: usize, height: usize) -> Vec<Line<'static>> {
    let cols = &v.preview.schema.columns;
    if height == 0 || cols.is_empty() {
        return vec![];
    }
    let name_w = cols
        .iter()
        .map(|c| cell(&c.name).width())
        .max()
        .unwrap_or(0)
        .clamp(4, 40);
    let mut out = vec![Line::styled(
        clip(&format!("{:<name_w$}  type", "column"), width),
        app.theme.title(),
    )];
    for c in cols.iter().skip(v.row).take(height - 1) {
        let null = match c.nullable {
            Some(true) => " · nullable",
            _ => "",
        };
        out.push(Line::raw(clip(
            &format!(
                "{:<name_w$}  {}{null}",
                clip(&cell(&c.name), name_w),
                cell(&c.kind)
            ),
            width,
        )));
    }
    out
}
