//! Fitting text to a width in display columns (wide characters count
//! two): wrapped, breaking at spaces when it can and inside a word when it
//! must, or clipped.

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
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width && used > 0 {
                    out.push(std::mem::take(&mut line));
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

/// Cut `s` to `width` display columns, ending with … when cut.
pub fn clip(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_owned();
    }
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
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
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("日本語テキスト", 5), ["日本", "語テ", "キス", "ト"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("a\nb", 5), ["a", "b"]);
    }
}
