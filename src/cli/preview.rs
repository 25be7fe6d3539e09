//! `upexport preview FILE [--rows N] [--json]`: a file's format, row
//! count, schema and first rows, as the TUI's file preview shows them
//! (`jobs::file_preview`), for people (a table) or scripts (a versioned
//! JSON document). Needs no profile, key or network.

use unicode_width::UnicodeWidthChar;

use super::args::PreviewArgs;
use super::exit::CliError;
use crate::jobs::file_preview::{Preview, cell, display, preview};

/// Widest column of the table, in terminal cells.
const MAX_WIDTH: usize = 30;

pub async fn run(a: &PreviewArgs) -> Result<(), CliError> {
    let p = preview(&a.file, usize::from(a.rows)).map_err(|e| CliError::File {
        message: cell(&e),
        json: false,
    })?;
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&p.to_json()).unwrap_or_default()
        );
    } else {
        out!("{}", text(&p));
        for n in &p.notes {
            noteln!("upexport: note: {}: {}", cell(&p.file), cell(n));
        }
    }
    match &p.error {
        Some(e) => Err(CliError::File {
            message: cell(e),
            json: a.json,
        }),
        None => Ok(()),
    }
}

/// The preview for people: a summary line, the columns, the table.
pub fn text(p: &Preview) -> String {
    let cols = p.schema.columns.len();
    let mut out = format!(
        "{}: {} · {} · {cols} column{}\n",
        cell(&p.file),
        p.format_text(),
        p.count_text(),
        if cols == 1 { "" } else { "s" }
    );
    if cols == 0 {
        return out;
    }
    out.push('\n');
    let name_w = p
        .schema
        .columns
        .iter()
        .map(|c| width(&cell(&c.name)))
        .max()
        .unwrap_or(0)
        .clamp(6, 40);
    let type_w = p
        .schema
        .columns
        .iter()
        .map(|c| width(&cell(&c.kind)))
        .max()
        .unwrap_or(0)
        .clamp(4, 60);
    let declared = p.schema.columns.iter().any(|c| c.nullable.is_some());
    let head = format!("{}  {}", pad("column", name_w), pad("type", type_w));
    if declared {
        out.push_str(&format!("{head}  nullable\n"));
    } else {
        out.push_str(&format!("{}\n", head.trim_end()));
    }
    for c in &p.schema.columns {
        let null = match c.nullable {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let l = format!(
            "{}  {}  {null}",
            pad(&cell(&c.name), name_w),
            pad(&cell(&c.kind), type_w)
        );
        out.push_str(&format!("{}\n", l.trim_end()));
    }
    out.push('\n');
    if p.rows.is_empty() {
        out.push_str("no rows shown\n");
        return out;
    }
    let texts: Vec<Vec<String>> = p
        .rows
        .iter()
        .map(|r| r.iter().map(display).collect())
        .collect();
    let widths: Vec<usize> = p
        .schema
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            texts
                .iter()
                .map(|r| width(&r[i]))
                .chain([width(&cell(&c.name))])
                .max()
                .unwrap_or(0)
                .clamp(1, MAX_WIDTH)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let joined: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        format!("{}\n", joined.join("  ").trim_end())
    };
    out.push_str(&line(
        p.schema.columns.iter().map(|c| cell(&c.name)).collect(),
    ));
    for r in texts {
        out.push_str(&line(r));
    }
    let shown = p.rows.len();
    match (p.more, p.total_rows) {
        (true, Some(t)) => out.push_str(&format!("({shown} of {}; --rows N for more)\n", t.text())),
        (true, None) => out.push_str(&format!(
            "(the first {shown} rows; the file has more: --rows N)\n"
        )),
        (false, _) => {}
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` cut to `w` cells (ending with … when cut) and padded to `w`.
fn pad(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let total = width(s);
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if total > w && used + cw + 1 > w {
            out.push('…');
            used += 1;
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_and_padded_to_their_width() {
        assert_eq!(pad("abc", 5), "abc  ");
        assert_eq!(pad("abcdef", 4), "abc…");
        assert_eq!(pad("日本語", 4), "日… ");
        assert_eq!(pad("", 2), "  ");
    }
}
