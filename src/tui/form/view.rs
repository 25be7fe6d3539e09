//! The export form pane.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::export::{Field, Format};
use crate::tui::app::App;
use crate::tui::form::Focus;
use crate::tui::view::spinner;
use crate::tui::view::wrap::wrap;

/// Width of the label column: a marker, the label and a list's count.
const LABEL: u16 = 17;
/// Lines an inline message may take.
const MESSAGE_LINES: usize = 3;

/// What one row of the form shows.
#[derive(Clone, Debug, PartialEq, Eq)]
enum RowKind {
    Field(Field),
    /// One line of a field's message.
    Message(Field, String),
    Submit,
}

/// The rows at `width` x `height` (inside the border), with each error
/// wrapped under its field when all of them fit.
fn rows(app: &App, width: u16, height: u16) -> Vec<RowKind> {
    let base = Field::ALL.len() + 1;
    let avail = usize::from(width.saturating_sub(LABEL + 3)).max(10);
    let messages: Vec<(Field, Vec<String>)> = Field::ALL
        .into_iter()
        .filter_map(|f| {
            let m = app.form.error(f)?;
            let mut lines = wrap(m, avail);
            if lines.len() > MESSAGE_LINES {
                lines.truncate(MESSAGE_LINES);
                if let Some(last) = lines.last_mut() {
                    last.push('…');
                }
            }
            Some((f, lines))
        })
        .collect();
    let needed: usize = messages.iter().map(|(_, l)| l.len()).sum();
    let show = needed > 0 && usize::from(height) >= base + needed;
    let mut out = Vec::with_capacity(base + needed);
    for f in Field::ALL {
        out.push(RowKind::Field(f));
        if show && let Some((_, lines)) = messages.iter().find(|(mf, _)| *mf == f) {
            for (i, l) in lines.iter().enumerate() {
                let arrow = if i == 0 { "↳ " } else { "  " };
                out.push(RowKind::Message(f, format!("{arrow}{l}")));
            }
        }
    }
    out.push(RowKind::Submit);
    out
}

/// True when the form has room to show messages under fields.
pub fn shows_inline_messages(app: &App, area: Rect) -> bool {
    let inner = inner(area);
    rows(app, inner.width, inner.height)
        .iter()
        .any(|r| matches!(r, RowKind::Message(..)))
}

fn inner(area: Rect) -> Rect {
    area.inner(ratatui::layout::Margin::new(1, 1))
}

/// The focus target at `row` inside the form (mouse clicks).
pub fn focus_at_row(app: &App, area: Rect, row: usize) -> Option<Focus> {
    let inner = inner(area);
    match rows(app, inner.width, inner.height).get(row)? {
        RowKind::Field(f) | RowKind::Message(f, _) => Some(Focus::Field(*f)),
        RowKind::Submit => Some(Focus::Submit),
    }
}

fn placeholder(f: Field) -> &'static str {
    match f {
        Field::From | Field::To => "YYYY-MM-DD · Enter: calendar",
        Field::Emails => "who gets the links: a@x.com, b@y.com",
        Field::EventType => "all types · Enter: pick",
        Field::UserId => "all users · ids split at , or ;",
        Field::CompanyId => "all companies",
        Field::SegmentId => "none",
        Field::Format => "",
        Field::Exclusions => "none",
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let focused_pane = !matches!(app.focus, Focus::History);
    let block = Block::bordered()
        .title(Span::styled(" Export ", t.title()))
        .border_style(if focused_pane {
            t.border_focus()
        } else {
            t.border()
        });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < LABEL + 4 || inner.height == 0 {
        return;
    }
    let rows = rows(app, inner.width, inner.height);
    let used = rows.len() as u16;
    for (i, row) in rows.into_iter().enumerate() {
        let y = inner.y + i as u16;
        if y >= inner.y + inner.height {
            break;
        }
        let line_area = Rect::new(inner.x, y, inner.width, 1);
        match row {
            RowKind::Field(f) => draw_field(frame, app, f, line_area),
            RowKind::Message(_, text) => {
                let line = Line::from(vec![
                    Span::raw(" ".repeat(usize::from(LABEL))),
                    Span::styled(text, t.error()),
                ]);
                frame.render_widget(Paragraph::new(line), line_area);
            }
            RowKind::Submit => draw_submit(frame, app, line_area),
        }
    }
    // With room to spare (side by side), the body the form makes, live.
    if inner.height >= used + 5 {
        let area = Rect::new(
            inner.x,
            inner.y + used + 1,
            inner.width,
            inner.height - used - 1,
        );
        draw_body_preview(frame, app, area);
    }
}

fn draw_body_preview(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::from(vec![
        Span::styled("─ Body ", t.border()),
        Span::styled("(Ctrl-P: full preview and curl) ", t.dim()),
        Span::styled("─".repeat(area.width as usize), t.border()),
    ])];
    match &app.form.body_preview {
        Some(body) => lines.extend(body.lines().map(|l| Line::styled(l.to_owned(), t.dim()))),
        None => lines.push(Line::styled(
            "a field needs fixing: nothing would be sent",
            t.error(),
        )),
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The label cell: error/warning marker, label, and a list's item count.
fn label_spans(app: &App, f: Field, focused: bool) -> Vec<Span<'static>> {
    let t = &app.theme;
    let error = app.form.error(f).is_some();
    let marker = if error {
        Span::styled("✘", t.error())
    } else if app.form.warning(f).is_some() && !app.form.value(f).is_empty() {
        Span::styled("!", t.warning())
    } else {
        Span::raw(" ")
    };
    let style = if focused {
        t.focus_label()
    } else if error {
        t.error()
    } else {
        t.label()
    };
    let width = usize::from(LABEL) - 2;
    let mut spans = vec![marker, Span::styled(f.label().to_owned(), style)];
    let mut used = f.label().len();
    if f.is_list() && app.form.count(f) > 0 {
        let count = format!(" {}", app.form.count(f));
        used += count.len();
        spans.push(Span::styled(count, t.dim()));
    }
    spans.push(Span::raw(" ".repeat(width.saturating_sub(used) + 1)));
    spans
}

fn draw_field(frame: &mut Frame, app: &App, f: Field, area: Rect) {
    let t = &app.theme;
    let focused = app.overlay.is_none() && app.focus == Focus::Field(f);
    let mut spans = label_spans(app, f, focused);
    let value_x = area.x + LABEL;
    let width = usize::from(area.width.saturating_sub(LABEL + 1)).max(1);

    if f == Field::Format {
        for (i, fmt) in Format::ALL.into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            let on = fmt == app.form.format;
            let text = if on {
                format!("‹{fmt}›")
            } else {
                format!(" {fmt} ")
            };
            let style = match (on, focused) {
                (true, true) => t.focus(),
                (true, false) => t.title(),
                _ => t.dim(),
            };
            spans.push(Span::styled(text, style));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }

    let input = app.form.input(f);
    let value = input.map_or("", |i| i.value());
    let field_style = if focused { t.focus() } else { t.base() };
    if value.is_empty() {
        let ph: String = placeholder(f).chars().take(width).collect();
        let pad = width.saturating_sub(ph.width());
        let ph_style = if focused {
            t.focus().patch(t.dim())
        } else {
            t.dim()
        };
        spans.push(Span::styled(ph, ph_style));
        spans.push(Span::styled(" ".repeat(pad), field_style));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        if focused {
            frame.set_cursor_position(Position::new(value_x, area.y));
        }
        return;
    }

    let (scroll, cursor) = if focused {
        app.form.visual(f, width)
    } else {
        (0, 0)
    };
    let (text_spans, shown) = visible_spans(app, f, value, scroll, width, focused);
    spans.extend(text_spans);
    if shown < width {
        spans.push(Span::styled(" ".repeat(width - shown), field_style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if focused && input.is_some() {
        let x = (cursor.saturating_sub(scroll)).min(width) as u16;
        frame.set_cursor_position(Position::new(value_x + x, area.y));
    }
}

/// The part of `value` that fits from display column `scroll`, with bad
/// email items marked and `…` where text is hidden on either side.
/// Returns the spans and the columns they take.
fn visible_spans(
    app: &App,
    f: Field,
    value: &str,
    scroll: usize,
    width: usize,
    focused: bool,
) -> (Vec<Span<'static>>, usize) {
    let t = &app.theme;
    let base: Style = if focused { t.focus() } else { t.base() };
    let bad = if f == Field::Emails {
        app.form.bad_emails.as_slice()
    } else {
        &[]
    };
    // Skip what is scrolled away, and the cell the leading … covers. Only
    // the visible part is walked (a field may hold a megabyte of ids).
    let skip = scroll + usize::from(scroll > 0);
    let (first, start_byte, start_col) = skip_columns(value, skip);
    let rest = &value[start_byte..];
    // Is there more than fits? (`total - scroll > width`, without measuring
    // all of `total`.)
    let mut end_col = start_col;
    let mut cut_end = end_col.saturating_sub(scroll) > width;
    for c in rest.chars() {
        if cut_end {
            break;
        }
        end_col += c.width().unwrap_or(0);
        cut_end = end_col.saturating_sub(scroll) > width;
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    if scroll > 0 {
        spans.push(Span::styled("…", base.patch(t.dim())));
        used = 1;
    }
    let limit = if cut_end {
        width.saturating_sub(1)
    } else {
        width
    };
    let mut cur = String::new();
    let mut cur_bad = false;
    let style_of = |is_bad: bool| {
        if is_bad {
            base.patch(t.bad_item())
        } else {
            base
        }
    };
    for (i, c) in (first..).zip(rest.chars()) {
        let w = c.width().unwrap_or(0);
        if used + w > limit {
            break;
        }
        let is_bad = in_ranges(bad, i);
        if is_bad != cur_bad && !cur.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut cur), style_of(cur_bad)));
        }
        cur_bad = is_bad;
        cur.push(c);
        used += w;
    }
    if !cur.is_empty() {
        spans.push(Span::styled(cur, style_of(cur_bad)));
    }
    if cut_end {
        spans.push(Span::styled("…", base.patch(t.dim())));
        used += 1;
    }
    (spans, used)
}

/// The first char at display column `skip` or later: its char index, byte
/// offset and column. ASCII text (the usual id list) is indexed directly.
fn skip_columns(value: &str, skip: usize) -> (usize, usize, usize) {
    if crate::tui::form::printable_ascii(value) {
        let n = skip.min(value.len());
        return (n, n, n);
    }
    let mut col = 0usize;
    for (i, (byte, c)) in value.char_indices().enumerate() {
        if col >= skip {
            return (i, byte, col);
        }
        col += c.width().unwrap_or(0);
    }
    (value.chars().count(), value.len(), col)
}

/// True when char index `i` is in one of `ranges` (sorted, disjoint).
fn in_ranges(ranges: &[std::ops::Range<usize>], i: usize) -> bool {
    let p = ranges.partition_point(|r| r.end <= i);
    ranges.get(p).is_some_and(|r| r.contains(&i))
}

fn draw_submit(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let focused = app.overlay.is_none() && app.focus == Focus::Submit;
    let text = match &app.in_flight {
        Some(f) => format!(
            "[ {} Sending… {:.1} s ]",
            spinner(app.clock.now, f.started),
            (app.clock.now - f.started).num_milliseconds().max(0) as f64 / 1000.0
        ),
        None => "[ Submit ]".to_owned(),
    };
    let style = if focused { t.focus() } else { t.button() };
    let line = Line::from(vec![
        Span::raw(" ".repeat(usize::from(LABEL))),
        Span::styled(text, style),
        Span::styled("  Ctrl-S", t.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
