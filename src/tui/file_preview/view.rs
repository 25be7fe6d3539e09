//! A downloaded file's first rows, as a table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::FilePreview;
use crate::tui::app::App;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::clip;

pub fn draw(frame: &mut Frame, app: &App, v: &FilePreview, screen: Rect) {
    let t = &app.theme;
    let area = popup(
        screen,
        screen.width.saturating_sub(2),
        screen.height.saturating_sub(2),
    );
    let name = v
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let more = if v.table.truncated { "+" } else { "" };
    let inner = popup_block(
        frame,
        app,
        area,
        &format!(
            "{name} · first {}{more} rows · {} columns",
            v.table.rows.len(),
            v.table.columns.len()
        ),
    );
    if inner.height < 2 {
        return;
    }
    // Columns from `col`, each as wide as its content (capped), as many as fit.
    let cols: Vec<usize> = (v.col..v.table.columns.len()).collect();
    let width_of = |c: usize| {
        let head = v.table.columns[c].width();
        let cells = v
            .table
            .rows
            .iter()
            .map(|r| r.get(c).map_or(0, |s| s.width()))
            .max()
            .unwrap_or(0);
        head.max(cells).clamp(4, 30)
    };
    let mut shown = Vec::new();
    let mut used = 0;
    for c in cols {
        let w = width_of(c);
        if used + w + 1 > usize::from(inner.width) && !shown.is_empty() {
            break;
        }
        shown.push((c, w));
        used += w + 1;
    }
    let cell = |s: &str, w: usize| format!("{:<w$} ", clip(s, w));
    let header: String = shown
        .iter()
        .map(|(c, w)| cell(&v.table.columns[*c], *w))
        .collect();
    let mut lines = vec![Line::styled(header, t.title())];
    let rows = usize::from(inner.height.saturating_sub(1));
    for r in v.table.rows.iter().skip(v.row).take(rows) {
        let text: String = shown
            .iter()
            .map(|(c, w)| cell(r.get(*c).map_or("", String::as_str), *w))
            .collect();
        lines.push(Line::raw(text));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
