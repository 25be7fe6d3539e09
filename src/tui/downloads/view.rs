//! Downloads: the setup dialog, per-file and overall progress.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{DownloadSetup, FileState};
use crate::api::OnDisk;
use crate::human::bytes;
use crate::jobs::fetch::{How, job_dir};
use crate::tui::app::App;
use crate::tui::view::layout::popup;
use crate::tui::view::popup_block;
use crate::tui::view::wrap::clip;

pub fn setup(frame: &mut Frame, app: &App, s: &DownloadSetup, screen: Rect) {
    let t = &app.theme;
    let area = popup(
        screen,
        screen.width.saturating_sub(4).min(90),
        (s.plans.len() as u16 + 10).min(screen.height),
    );
    let short: String = s.job_id.chars().take(8).collect();
    let inner = popup_block(frame, app, area, &format!("Download job {short}…"));
    if inner.height < 4 {
        return;
    }
    let w = usize::from(inner.width);
    let dir_style = if s.cursor == 0 { t.focus() } else { t.base() };
    let dir_text = clip(s.dir.value(), w.saturating_sub(12));
    let mut lines = vec![Line::from(vec![
        Span::styled("Directory  ", t.dim()),
        Span::styled(
            format!("{dir_text:<width$}", width = w.saturating_sub(11)),
            dir_style,
        ),
    ])];
    if s.cursor == 0 {
        let x = inner.x + 11 + (s.dir.visual_cursor() as u16).min(inner.width.saturating_sub(12));
        frame.set_cursor_position(Position::new(x, inner.y));
    }
    lines.push(Line::raw(""));
    if s.loading {
        lines.push(Line::styled("getting fresh links…", t.dim()));
    }
    for (i, (p, on)) in s.plans.iter().zip(&s.selected).enumerate() {
        let style = if s.cursor == i + 1 {
            t.selected()
        } else {
            t.base()
        };
        let mark = if *on { "[x]" } else { "[ ]" };
        let target = p
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (note, warn) = match (&p.on_disk, s.overwrite) {
            (OnDisk::Nothing, _) => ("", false),
            (OnDisk::Saved { .. }, false) => ("  already downloaded", false),
            (OnDisk::Saved { .. }, true) => ("  already downloaded: will be fetched again", true),
            (OnDisk::Other { .. }, false) => (
                "  exists, not this job's download: kept unless Ctrl-O",
                true,
            ),
            (OnDisk::Other { .. }, true) => {
                ("  exists, not this job's download: will be replaced", true)
            }
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark} {target}"), style),
            Span::styled(note, style.patch(if warn { t.warning() } else { t.dim() })),
        ]));
    }
    lines.push(Line::raw(""));
    // Every front end saves a job's files in <directory>/<job id>/.
    let into = job_dir(std::path::Path::new(typed_dir(s)), &s.job_id);
    lines.push(Line::styled(
        clip(&format!("into {}/", into.display()), w),
        t.dim(),
    ));
    if let Some(e) = &s.error {
        lines.push(Line::styled(e.clone(), t.error()));
    } else {
        lines.push(Line::styled(
            format!(
                "gzip parts are decompressed; partial files are resumed{}",
                if s.overwrite { " · overwrite ON" } else { "" }
            ),
            t.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The directory as typed (`.` when empty), as the user wrote it.
fn typed_dir(s: &DownloadSetup) -> &str {
    let raw = s.dir.value().trim();
    if raw.is_empty() { "." } else { raw }
}

pub fn progress(frame: &mut Frame, app: &App, job_id: &str, screen: Rect) {
    let t = &app.theme;
    let Some(run) = app.downloads.iter().rev().find(|d| d.job_id == job_id) else {
        return;
    };
    let width = screen.width.saturating_sub(4).min(90);
    let notes = notes(app, run, usize::from(width.saturating_sub(4)));
    let extra = if notes.is_empty() {
        0
    } else {
        notes.len() as u16 + 1
    };
    let area = popup(
        screen,
        width,
        (run.files.len() as u16 * 2 + 7 + extra).min(screen.height),
    );
    let (done, failed, all) = run.counts();
    let title = format!(
        "Downloads · {done}/{all} done{} · {}",
        if failed > 0 {
            format!(" · {failed} failed")
        } else {
            String::new()
        },
        clip(&run.dir.display().to_string(), 40)
    );
    let inner = popup_block(frame, app, area, &title);
    if inner.height < 3 {
        return;
    }
    // Overall.
    let ratio = run
        .totals
        .fraction()
        .unwrap_or(if run.finished { 1.0 } else { 0.0 });
    let overall = Gauge::default()
        .ratio(ratio.clamp(0.0, 1.0))
        .label(format!("all files {:.0}%", ratio * 100.0))
        .gauge_style(t.ok());
    frame.render_widget(overall, Rect::new(inner.x, inner.y, inner.width, 1));
    let mut y = inner.y + 2;
    for (i, (p, state)) in run.files.iter().enumerate() {
        if y + 1 >= inner.y + inner.height {
            break;
        }
        let sel = if i == run.cursor {
            t.selected()
        } else {
            t.base()
        };
        let name = p
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (line, ratio, style) = match state {
            FileState::Waiting => ("waiting".to_owned(), 0.0, t.dim()),
            FileState::Running { received, total } => {
                let of = total
                    .map(|t| format!(" of {}", bytes(t)))
                    .unwrap_or_default();
                let r = total.map_or(0.0, |t| *received as f64 / t.max(1) as f64);
                (format!("{}{of}", bytes(*received)), r, t.warning())
            }
            FileState::Done {
                size,
                decompressed,
                how,
                ..
            } => {
                let note = match how {
                    How::AlreadyThere => " (already downloaded)".to_owned(),
                    How::Resumed if *decompressed => " (resumed, decompressed)".to_owned(),
                    How::Resumed => " (resumed)".to_owned(),
                    How::StartedOver(why) => format!(" (started over: {why})"),
                    How::Fetched if *decompressed => " (decompressed)".to_owned(),
                    How::Fetched => String::new(),
                };
                (format!("✔ {}{note}", bytes(*size)), 1.0, t.ok())
            }
            FileState::Failed { message } => (format!("✘ {message}"), 0.0, t.error()),
        };
        let head = format!(" {name} ");
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(head.clone(), sel),
                Span::styled(
                    clip(&line, usize::from(inner.width).saturating_sub(head.width())),
                    style,
                ),
            ])),
            Rect::new(inner.x, y, inner.width, 1),
        );
        if matches!(state, FileState::Running { .. }) {
            let g = Gauge::default()
                .ratio(ratio.clamp(0.0, 1.0))
                .label("")
                .gauge_style(t.warning());
            frame.render_widget(
                g,
                Rect::new(inner.x + 1, y + 1, inner.width.saturating_sub(2), 1),
            );
        }
        y += 2;
    }
    // The manifest, the DuckDB command, the merge.
    let bottom = inner.y + inner.height;
    if !notes.is_empty() && y < bottom {
        let rows = (bottom - y).min(notes.len() as u16);
        let lines: Vec<Line> = notes.into_iter().take(usize::from(rows)).collect();
        frame.render_widget(
            Paragraph::new(lines),
            Rect::new(inner.x + 1, y, inner.width.saturating_sub(1), rows),
        );
    }
}

/// The lines under the files once the download is done: the manifest and
/// the command that opens the folder in DuckDB, then the merge's result.
fn notes(app: &App, run: &super::DownloadRun, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out: Vec<(String, ratatui::style::Style)> = Vec::new();
    match &run.ready {
        Some(Ok(r)) => {
            for l in r.lines() {
                let style = if l.starts_with("open in DuckDB") {
                    t.ok()
                } else {
                    t.dim()
                };
                out.push((l, style));
            }
            if run.merged.is_none() && !run.merging {
                out.push(("m joins CSV or NDJSON parts into one file".into(), t.dim()));
            }
        }
        Some(Err(e)) => out.push((format!("manifest.json not written: {e}"), t.error())),
        None => {}
    }
    if run.merging {
        out.push(("merging the parts…".into(), t.warning()));
    }
    match &run.merged {
        Some(Ok(lines)) => out.extend(lines.iter().map(|l| (l.clone(), t.ok()))),
        Some(Err(why)) => out.push((why.clone(), t.warning())),
        None => {}
    }
    out.into_iter()
        .flat_map(|(text, style)| {
            crate::tui::view::wrap::wrap(&text, width)
                .into_iter()
                .map(move |l| Line::styled(l, style))
        })
        .collect()
}
