//! Fitting text to a width in display columns (wide characters count
//! two): wrapped, breaking at spaces when it can and inside a word when it
//! must (the row then ends with ↩, so it never reads as a word cut at the
//! edge), or clipped.

use unicode_width::UnicodeWidthChar;

/// `text` as lines of at most `width` columns.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut used = 0usize;
        for word in para.split_inclusive(' ') {
            let w: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
            if used + w.saturating_sub(usize::from(word.ends_with(' '))) > width && used > 0 {
                out.push(line.trim_end().to_owned());
                line.clear();
                used = 0;
            }
            // Columns of the word not placed yet (its trailing space aside).
            let mut left = w.saturating_sub(usize::from(word.ends_with(' ')));
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                // Inside a word longer than the row: break one column
                // early and mark the row ↩ (a space needs no mark).
                let mark = usize::from(c != ' ' && width > 1 && used + left > width);
                left = left.saturating_sub(cw);
                if used + cw + mark > width && used > 0 {
                    let mut done = std::mem::take(&mut line);
                    if mark == 1 && !done.ends_with(' ') {
                        done.push('↩');
                    }
                    out.push(done);
                    used = 0;
                }
                if used == 0 && c == ' ' && !out.is_empty() {
                    continue;
                }
                line.push(c);
                used += cw;
            }
        }
        out.push(line.trim_end().to_owned());
    }
    out
}

/// Cut `s` to `width` display columns, ending with … when cut: after the
/// last whole field (fields are joined by " · ") when that keeps two
/// thirds of the width, else after the last whole word (words end at
/// spaces, commas, semicolons and slashes) when that keeps half of it,
/// else inside a word (a long id or path). A cut row keeps its full text
/// elsewhere (the detail view, the selected row shown whole).
pub fn clip(s: &str, width: usize) -> String {
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    // The longest head that leaves a column for the ellipsis, and where its
    // last field and word boundaries are (byte offset, columns before it).
    let mut used = 0;
    let mut end = 0;
    let mut word: Option<(usize, usize)> = None;
    let mut field: Option<(usize, usize)> = None;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        let at_field = s[i..].starts_with(" · ");
        if used + w + 1 > width {
            // Cut just before a separator: what is before it is whole.
            if c == ' ' || c == ',' || c == ';' {
                word = Some((i, used));
            }
            if at_field {
                field = Some((i, used));
            }
            break;
        }
        if at_field {
            field = Some((i, used));
        }
        if c == ' ' {
            word = Some((i, used));
        } else if matches!(c, ',' | ';' | '/') {
            word = Some((i + c.len_utf8(), used + w));
        }
        used += w;
        end = i + c.len_utf8();
    }
    let cut = match (field, word) {
        (Some((at, cols)), _) if cols * 3 >= width * 2 => at,
        (_, Some((at, cols))) if cols * 2 >= width => at,
        _ => end,
    };
    let mut out = s[..cut].trim_end_matches([' ', '·']).trim_end().to_owned();
    out.push('…');
    out
}

/// `text` wrapped at spaces into at most `rows` rows of `width` columns.
/// When it needs more, or `more` is set, the last row ends with `tail`
/// (e.g. "F6 more"), after "…" if the text was cut there; its words are
/// never cut at the right edge.
pub fn fit_rows(text: &str, width: usize, rows: usize, more: bool, tail: &str) -> Vec<String> {
    let rows = rows.max(1);
    let mut lines = wrap(text, width);
    if lines.len() <= rows && !more {
        return lines;
    }
    if more {
        // The whole text and " · tail" (kept on one row) may fit.
        let glued = tail.replace(' ', "\u{a0}");
        let with = wrap(&format!("{text} · {glued}"), width);
        if with.len() <= rows {
            return with.into_iter().map(|l| l.replace('\u{a0}', " ")).collect();
        }
    }
    let rest = lines.split_off(rows.min(lines.len()) - 1).join(" ");
    let tail_width = tail.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>() + 1;
    // `clip` adds the "…".
    let last = clip(&rest, width.saturating_sub(tail_width));
    lines.push(format!("{last} {tail}"));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_then_inside_words() {
        assert_eq!(
            wrap("the key was refused by the server", 12),
            ["the key was", "refused by", "the server"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abc↩", "def↩", "ghij"]);
        assert_eq!(wrap("abcd", 4), ["abcd"]);
        assert_eq!(wrap("ab abcd", 4), ["ab", "abcd"]);
        assert_eq!(wrap("日本語テキスト", 5), ["日本↩", "語テ↩", "キス↩", "ト"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("a\nb", 5), ["a", "b"]);
    }

    /// Rows are cut after a whole word, with an ellipsis; a long word with
    /// no boundary in reach is cut inside.
    #[test]
    fn clip_cuts_at_word_boundaries() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(
            clip("#3 tui · 2026-11-01 → 2026-11-26 · csv · history #12", 40),
            "#3 tui · 2026-11-01 → 2026-11-26 · csv…"
        );
        assert_eq!(
            clip("parquet · identify_user,identify_company", 30),
            "parquet · identify_user,…"
        );
        // A whole field rather than half of one.
        assert_eq!(
            clip(
                "#7 tui · 2026-11-01 → 2026-11-26 · csv · track,page_view · 2 emails",
                60
            ),
            "#7 tui · 2026-11-01 → 2026-11-26 · csv · track,page_view…"
        );
        assert_eq!(
            clip("Dashboard Filter Used · feature event", 30),
            "Dashboard Filter Used…"
        );
        assert_eq!(clip("abcdefghijklmnop", 8), "abcdefg…");
        assert_eq!(clip("ab cdefghijklmnop", 8), "ab cdef…");
        for w in 0..30 {
            let c = clip("the key was refused by the server, twice", w);
            assert!(c.chars().count() <= w, "{w}: {c}");
        }
    }

    #[test]
    fn fit_rows_ends_a_cut_message_with_its_tail() {
        let text = "an export is already running in this environment (HTTP 409): Export job 42 is processing; wait for it to finish before starting another";
        let rows = fit_rows(text, 40, 2, false, "F6 more");
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows[1].ends_with("… F6 more"), "{rows:?}");
        assert!(rows.iter().all(|r| r.chars().count() <= 40), "{rows:?}");
        // A message that fits is left alone; one with more to it says so,
        // on the next row when the first is full.
        assert_eq!(fit_rows("copied", 40, 2, false, "F6 more"), ["copied"]);
        assert_eq!(
            fit_rows("copied", 40, 2, true, "F6 more"),
            ["copied · F6 more"]
        );
        let full = "not created: another export is running here (HTTP 409)";
        assert_eq!(
            fit_rows(full, 55, 2, true, "F6 more"),
            [
                "not created: another export is running here (HTTP 409)",
                "· F6 more"
            ]
        );
    }
}
