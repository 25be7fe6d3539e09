//! Rules a screen must keep, read from its text (a tmux capture or the
//! harness's buffer): no text cut mid-word at a pane's right edge, a
//! footer that still offers the way out, a status line that is whole or
//! says where the rest is ("F6 more"). And masking what changes from run
//! to run (dates, times, ports, job ids, numbers) to compare screens.

use unicode_width::UnicodeWidthChar;

/// A character of a word: a cut right after one, at an edge, is a cut
/// inside a word (or a word that ends exactly there, which the app never
/// draws: it keeps a column free).
fn wordy(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Characters that draw a box's vertical edge (the scrollbar's too).
fn vertical(c: char) -> bool {
    matches!(c, '│' | '█' | '║' | '┤' | '├')
}

/// The screen as rows of cells (a wide character takes its cell and a
/// blank one after it, as on the terminal), padded to `width`.
fn cells(screen: &str, width: usize) -> Vec<Vec<char>> {
    screen
        .lines()
        .map(|l| {
            let mut row = Vec::with_capacity(width);
            for c in l.chars() {
                row.push(c);
                row.extend(std::iter::repeat_n(
                    ' ',
                    c.width().unwrap_or(1).saturating_sub(1),
                ));
            }
            row.resize(width.max(row.len()), ' ');
            row
        })
        .collect()
}

/// Is the vertical edge at (`r`, `c`) the right edge of its box? Up the
/// column to the box's top corner: `┐` (or `┤`) says right, `┌` left;
/// anything else (a popup covers the corner) is not known, so not judged.
fn right_edge(rows: &[Vec<char>], r: usize, c: usize) -> bool {
    let mut y = r;
    while y > 0 {
        y -= 1;
        match rows[y].get(c) {
            Some(ch) if vertical(*ch) => continue,
            Some('┐' | '╮' | '┤') => return true,
            _ => return false,
        }
    }
    false
}

/// Every row whose text ends mid-word at an edge: right before a box's
/// right border, or in the screen's last column.
pub fn edge_cuts(screen: &str, width: usize) -> Vec<String> {
    let rows = cells(screen, width);
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let line: String = row.iter().collect::<String>().trim_end().to_owned();
        if row.get(width - 1).copied().is_some_and(wordy) {
            out.push(format!(
                "row {r} ends mid-word at the screen's edge: {line}"
            ));
            continue;
        }
        for c in 1..row.len().min(width) {
            if vertical(row[c]) && wordy(row[c - 1]) && right_edge(&rows, r, c) {
                out.push(format!(
                    "row {r} ends mid-word at a pane's edge (column {c}): {line}"
                ));
                break;
            }
        }
    }
    out
}

/// The footer (the last row with text) offers the way out: Esc in an
/// overlay, Ctrl-C on the main screen.
pub fn footer_way_out(screen: &str) -> Option<String> {
    let footer = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    let ok = footer.contains("Ctrl-C quit") || footer.contains("Esc ");
    (!ok).then(|| format!("the footer lost its way-out key: {footer}"))
}

/// The status line's rows: between the bottom border of the panes (the
/// last row that starts a box's bottom) and the footer, leading space off.
pub fn status_rows(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(footer) = lines.iter().rposition(|l| !l.trim().is_empty()) else {
        return vec![];
    };
    let Some(bottom) = lines[..footer]
        .iter()
        .rposition(|l| l.starts_with('└') || l.starts_with(" └"))
    else {
        return vec![];
    };
    lines[bottom + 1..footer]
        .iter()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whitespace runs as one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What is wrong with the status line `rows` (as [`status_rows`] read
/// them) given every message the app logged in full (`logged`): it must
/// be one of them whole, or a head of one ending with "F6 more" (the
/// message log has the rest). The request in flight is no message.
pub fn status_cut(rows: &[String], logged: &[String]) -> Option<String> {
    let shown = squash(&rows.join(" "));
    if shown.is_empty() || shown.contains(" sending ") {
        return None;
    }
    // The level's icon.
    let text = shown
        .split_once(' ')
        .filter(|(icon, _)| matches!(*icon, "ℹ" | "✔" | "!" | "✘"))
        .map_or(shown.as_str(), |(_, t)| t);
    let logged: Vec<String> = logged.iter().map(|l| squash(l)).collect();
    if logged.iter().any(|l| *l == text) {
        return None;
    }
    if let Some(head) = text.strip_suffix("F6 more") {
        let head = head
            .trim_end()
            .trim_end_matches('·')
            .trim_end_matches('…')
            .trim_end();
        if logged.iter().any(|l| l.starts_with(head)) {
            return None;
        }
    }
    Some(format!("status line cut or unknown: {shown:?}"))
}

/// `s` with what changes from run to run replaced: job ids (full and
/// short), the demo's port, dates, times and any other number as `#`, and
/// runs of spaces as one (a number's width moves what follows it).
pub fn mask(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // A job id, full (8-4-4-4-12 hex) or short (8 hex then …).
        let hex = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit() || **c == '-')
            .count();
        let id: String = chars[i..i + hex].iter().collect();
        let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
        if starts_word
            && hex >= 8
            && id.len() >= 8
            && id[..8].chars().all(|c| c.is_ascii_hexdigit())
            && id.chars().any(|c| c.is_ascii_digit())
            && (hex == 8 || id.len() == 36)
        {
            out.push_str("ID");
            i += hex;
            continue;
        }
        if chars[i].is_ascii_digit() {
            out.push('#');
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out.lines().map(squash).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_cuts_find_words_cut_at_a_right_border_only() {
        let screen = "\
┌ A ───┐┌ B ─┐
│ abc  ││ ab │
│ abcde││ abc│
│A┌ P ─────┐ │
│A│ popup  │ │
│A│ cut her│ │
└─└────────┘─┘
";
        let cuts = edge_cuts(screen, 14);
        assert_eq!(cuts.len(), 2, "{cuts:?}");
        assert!(cuts[0].contains("row 2"), "{cuts:?}");
        assert!(cuts[1].contains("row 5"), "{cuts:?}");
        // Text touching a popup's left border is the pane under it.
        assert!(!cuts.iter().any(|c| c.contains("row 4")), "{cuts:?}");
        assert_eq!(edge_cuts("abc\n", 3).len(), 1);
        assert!(edge_cuts("ab…\n", 3).is_empty());
    }

    #[test]
    fn status_must_be_whole_or_say_where_the_rest_is() {
        let logged = vec!["copied the curl command (OSC 52)".to_owned()];
        let rows = |s: &[&str]| s.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            status_cut(&rows(&["✔ copied the curl", "command (OSC 52)"]), &logged),
            None
        );
        assert_eq!(
            status_cut(&rows(&["✔ copied the curl… F6 more"]), &logged),
            None
        );
        assert!(status_cut(&rows(&["✔ copied the curl"]), &logged).is_some());
        assert!(status_cut(&rows(&["✔ something else · F6 more"]), &logged).is_some());
    }

    #[test]
    fn masks_what_changes_between_runs() {
        assert_eq!(
            mask("11-27 13:29 ✔ f60b7c39… completed · links 1d 23h   x"),
            mask("12-01 09:02 ✔ 0a1b2c3d… completed · links 1d 2h x")
        );
        assert_eq!(
            mask("job 123e4567-e89b-42d3-a456-000000000009 at 127.0.0.1:45473"),
            "job ID at #.#.#.#:#"
        );
        assert_eq!(mask("track, page_view"), "track, page_view");
    }
}
