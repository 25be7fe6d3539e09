//! The export form pane.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::super::app::App;
use super::super::form::Focus;
use super::spinner;
use crate::export::{Field, Format};

/// Width of the label column.
const LABEL: u16 = 13;

/// What one row of the form shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowKind {
    Field(Field),
    Message(Field),
    Submit,
}

/// The rows, with a message line under fields in error when there is room.
fn rows(app: &App, inner_height: u16) -> Vec<RowKind> {
    let base = Field::ALL.len() + 1;
    let with_errors: Vec<Field> = Field::ALL
        .into_iter()
        .filter(|f| app.form.error(*f).is_some())
        .collect();
    let room = (inner_height as usize).saturating_sub(base);
    let show_messages = !with_errors.is_empty() && room >= with_errors.len();
    let mut out = Vec::with_capacity(base + with_errors.len());
    for f in Field::ALL {
        out.push(RowKind::Field(f));
        if show_messages && with_errors.contains(&f) {
            out.push(RowKind::Message(f));
        }
    }
    out.push(RowKind::Submit);
    out
}

/// True when the form has room to show messages under fields.
pub fn shows_inline_messages(app: &App, area: Rect) -> bool {
    rows(app, area.height.saturating_sub(2))
        .iter()
        .any(|r| matches!(r, RowKind::Message(_)))
}

/// The focus target at `row` inside the form (mouse clicks).
pub fn focus_at_row(app: &App, area: Rect, row: usize) -> Option<Focus> {
    match rows(app, area.height.saturating_sub(2)).get(row)? {
        RowKind::Field(f) | RowKind::Message(f) => Some(Focus::Field(*f)),
        RowKind::Submit => Some(Focus::Submit),
    }
}

fn placeholder(f: Field) -> &'static str {
    match f {
        Field::From | Field::To => "YYYY-MM-DD · Enter: calendar",
        Field::Emails => "who gets the links: a@x.com, b@y.com",
        Field::EventType => "all types · Enter: pick",
        Field::UserId => "all users · ids, comma-separated",
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
    let value_width = inner.width - LABEL - 1;
    let rows = rows(app, inner.height);
    let used = rows.len() as u16;
    for (i, row) in rows.into_iter().enumerate() {
        let y = inner.y + i as u16;
        if y >= inner.y + inner.height {
            break;
        }
        let line_area = Rect::new(inner.x, y, inner.width, 1);
        match row {
            RowKind::Field(f) => draw_field(frame, app, f, line_area, value_width),
            RowKind::Message(f) => {
                let msg = app.form.error(f).unwrap_or("");
                let line = Line::from(vec![
                    Span::raw(" ".repeat(LABEL as usize)),
                    Span::styled(format!("↳ {msg}"), t.error()),
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

fn draw_field(frame: &mut Frame, app: &App, f: Field, area: Rect, value_width: u16) {
    let t = &app.theme;
    let focused = app.overlay.is_none() && app.focus == Focus::Field(f);
    let error = app.form.error(f).is_some();
    let marker = if error {
        Span::styled("✘", t.error())
    } else if app.form.warning(f).is_some()
        && app.form.error(f).is_none()
        && !app.form.value(f).is_empty()
    {
        Span::styled("!", t.warning())
    } else {
        Span::raw(" ")
    };
    let label_style = if focused {
        t.focus_label()
    } else if error {
        t.error()
    } else {
        t.label()
    };
    let label = Span::styled(
        format!("{:<width$}", f.label(), width = LABEL as usize - 1),
        label_style,
    );
    let mut spans = vec![marker, label, Span::raw(" ")];
    let value_area = Rect::new(area.x + LABEL + 1, area.y, value_width, 1);

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

    // The suffix: item count for lists, a calendar mark for dates.
    let suffix = if f.is_list() && app.form.count(f) > 0 {
        format!(" {}", app.form.count(f))
    } else if f.is_date() {
        " ▾".to_owned()
    } else {
        String::new()
    };
    let text_width = value_width.saturating_sub(suffix.width() as u16).max(1) as usize;
    let input = app.form.input(f);
    let value = input.map_or("", |i| i.value());
    if value.is_empty() {
        let style = if focused { t.focus() } else { t.dim() };
        let ph: String = placeholder(f).chars().take(text_width).collect();
        if focused {
            spans.push(Span::styled(format!("{:<text_width$}", ""), style));
            spans.push(Span::styled(suffix, t.dim()));
            frame.render_widget(Paragraph::new(Line::from(spans)), area);
            // The placeholder stays readable behind the cursor.
            let ph_area = Rect::new(value_area.x, area.y, text_width as u16, 1);
            frame.render_widget(
                Paragraph::new(Span::styled(ph, t.focus().patch(t.dim()))),
                ph_area,
            );
            frame.set_cursor_position(Position::new(value_area.x, area.y));
        } else {
            let pad = text_width.saturating_sub(ph.width());
            spans.push(Span::styled(ph, style));
            spans.push(Span::raw(" ".repeat(pad)));
            spans.push(Span::styled(suffix, t.dim()));
            frame.render_widget(Paragraph::new(Line::from(spans)), area);
        }
        return;
    }

    let scroll = if focused {
        input.map_or(0, |i| i.visual_scroll(text_width))
    } else {
        0
    };
    spans.extend(visible_spans(app, f, value, scroll, text_width, focused));
    let shown: usize = spans.iter().skip(3).map(|s| s.content.width()).sum();
    if shown < text_width {
        let style = if focused { t.focus() } else { t.base() };
        spans.push(Span::styled(" ".repeat(text_width - shown), style));
    }
    spans.push(Span::styled(suffix, t.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if focused && let Some(i) = input {
        let x = (i.visual_cursor().saturating_sub(scroll)).min(text_width) as u16;
        frame.set_cursor_position(Position::new(value_area.x + x, area.y));
    }
}

/// The part of `value` that fits, from display column `scroll`, with bad
/// email items marked.
fn visible_spans(
    app: &App,
    f: Field,
    value: &str,
    scroll: usize,
    width: usize,
    focused: bool,
) -> Vec<Span<'static>> {
    let t = &app.theme;
    let base: Style = if focused { t.focus() } else { t.base() };
    let bad = if f == Field::Emails {
        app.form.bad_emails.as_slice()
    } else {
        &[]
    };
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut col = 0usize;
    let mut used = 0usize;
    let mut cur = String::new();
    let mut cur_bad = false;
    let truncated_end = !focused && value.width() > width;
    let limit = if truncated_end {
        width.saturating_sub(1)
    } else {
        width
    };
    for (i, c) in value.chars().enumerate() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if col < scroll {
            col += w;
            continue;
        }
        if used + w > limit {
            break;
        }
        let is_bad = bad.iter().any(|r| r.contains(&i));
        if is_bad != cur_bad && !cur.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut cur),
                if cur_bad {
                    base.patch(t.bad_item())
                } else {
                    base
                },
            ));
        }
        cur_bad = is_bad;
        cur.push(c);
        used += w;
        col += w;
    }
    if !cur.is_empty() {
        spans.push(Span::styled(
            cur,
            if cur_bad {
                base.patch(t.bad_item())
            } else {
                base
            },
        ));
    }
    if truncated_end {
        spans.push(Span::styled("…", t.dim()));
    }
    spans
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
        Span::raw(" ".repeat(LABEL as usize)),
        Span::styled(text, style),
        Span::styled("  Ctrl-S", t.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
