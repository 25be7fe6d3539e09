//! A terminal backend that writes as few bytes as it can, for slow SSH
//! links: it remembers where the cursor is, which style is set and whether
//! the cursor shows, and only writes what changes. A typed character costs
//! its cell and, at most, one cursor move (ratatui's crossterm backend
//! resets every attribute and re-shows the cursor on each frame).

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// The style the terminal has set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Pen {
    const PLAIN: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
    };
}

pub struct DiffBackend<W: Write> {
    out: W,
    /// Where the terminal's cursor is, when known.
    cursor: Option<Position>,
    /// The style set in the terminal, when known.
    pen: Option<Pen>,
    cursor_shown: Option<bool>,
    /// Size reported by `size()` when not asking the terminal (tests).
    fixed_size: Option<Size>,
}

impl<W: Write> DiffBackend<W> {
    pub fn new(out: W) -> Self {
        DiffBackend {
            out,
            cursor: None,
            pen: None,
            cursor_shown: None,
            fixed_size: None,
        }
    }

    /// A backend of a fixed size that does not ask the terminal (tests).
    pub fn with_size(out: W, width: u16, height: u16) -> Self {
        DiffBackend {
            fixed_size: Some(Size::new(width, height)),
            ..DiffBackend::new(out)
        }
    }

    pub fn writer(&self) -> &W {
        &self.out
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }

    fn move_to(&mut self, p: Position) -> io::Result<()> {
        if self.cursor != Some(p) {
            write!(self.out, "\x1b[{};{}H", p.y + 1, p.x + 1)?;
            self.cursor = Some(p);
        }
        Ok(())
    }

    fn set_pen(&mut self, want: Pen) -> io::Result<()> {
        let have = self.pen;
        if have == Some(want) {
            return Ok(());
        }
        let mut params: Vec<String> = Vec::new();
        // Attributes can only be added one by one; removing one needs a reset.
        let base = match have {
            Some(h) if h.modifier - want.modifier == Modifier::empty() => h,
            _ => {
                params.push("0".into());
                Pen::PLAIN
            }
        };
        for (m, code) in MODIFIER_CODES {
            if want.modifier.contains(m) && !base.modifier.contains(m) {
                params.push(code.to_string());
            }
        }
        if want.fg != base.fg {
            params.push(color_code(want.fg, false));
        }
        if want.bg != base.bg {
            params.push(color_code(want.bg, true));
        }
        if !params.is_empty() {
            write!(self.out, "\x1b[{}m", params.join(";"))?;
        }
        self.pen = Some(want);
        Ok(())
    }
}

const MODIFIER_CODES: [(Modifier, u8); 9] = [
    (Modifier::BOLD, 1),
    (Modifier::DIM, 2),
    (Modifier::ITALIC, 3),
    (Modifier::UNDERLINED, 4),
    (Modifier::SLOW_BLINK, 5),
    (Modifier::RAPID_BLINK, 6),
    (Modifier::REVERSED, 7),
    (Modifier::HIDDEN, 8),
    (Modifier::CROSSED_OUT, 9),
];

/// The shortest SGR parameter for a colour (the 16 named colours use the
/// classic 30-37/90-97 codes).
fn color_code(c: Color, background: bool) -> String {
    let add = if background { 10 } else { 0 };
    let named = |n: u8| (n + add).to_string();
    match c {
        Color::Reset => named(39),
        Color::Black => named(30),
        Color::Red => named(31),
        Color::Green => named(32),
        Color::Yellow => named(33),
        Color::Blue => named(34),
        Color::Magenta => named(35),
        Color::Cyan => named(36),
        Color::Gray => named(37),
        Color::DarkGray => named(90),
        Color::LightRed => named(91),
        Color::LightGreen => named(92),
        Color::LightYellow => named(93),
        Color::LightBlue => named(94),
        Color::LightMagenta => named(95),
        Color::LightCyan => named(96),
        Color::White => named(97),
        Color::Indexed(i) => format!("{};5;{i}", 38 + add),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", 38 + add),
    }
}

impl<W: Write> Backend for DiffBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        for (x, y, cell) in content {
            self.move_to(Position::new(x, y))?;
            self.set_pen(Pen {
                fg: cell.fg,
                bg: cell.bg,
                modifier: cell.modifier,
            })?;
            let symbol = cell.symbol();
            self.out.write_all(symbol.as_bytes())?;
            let w = symbol.width().max(1) as u16;
            // Past the last column the terminal's cursor position is
            // uncertain (pending wrap): forget it.
            self.cursor = Some(Position::new(x.saturating_add(w), y))
                .filter(|p| self.fixed_size.is_none_or(|s| p.x < s.width));
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(false) {
            self.out.write_all(b"\x1b[?25l")?;
            self.cursor_shown = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(true) {
            self.out.write_all(b"\x1b[?25h")?;
            self.cursor_shown = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        // Never asks the terminal (a round trip over SSH): the app owns the
        // whole screen and positions the cursor itself.
        Ok(self.cursor.unwrap_or_default())
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.move_to(position.into())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.set_pen(Pen::PLAIN)?;
        self.out.write_all(b"\x1b[2J")?;
        Ok(())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.set_pen(Pen::PLAIN)?;
        let seq: &[u8] = match clear_type {
            ClearType::All => b"\x1b[2J",
            ClearType::AfterCursor => b"\x1b[J",
            ClearType::BeforeCursor => b"\x1b[1J",
            ClearType::CurrentLine => b"\x1b[2K",
            ClearType::UntilNewLine => b"\x1b[K",
        };
        self.out.write_all(seq)
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed_size {
            Some(s) => Ok(s),
            None => crossterm::terminal::size().map(|(w, h)| Size::new(w, h)),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let columns_rows = self.size()?;
        let pixels = crossterm::terminal::window_size()
            .map(|w| Size::new(w.width, w.height))
            .unwrap_or_default();
        Ok(WindowSize {
            columns_rows,
            pixels,
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(color_code(Color::Red, false), "31");
        assert_eq!(color_code(Color::DarkGray, true), "100");
        assert_eq!(color_code(Color::Indexed(200), false), "38;5;200");
    }

    #[test]
    fn only_changes_are_written() {
        let mut b = DiffBackend::with_size(Vec::new(), 10, 2);
        let mut cell = Cell::new("a");
        cell.modifier = Modifier::REVERSED;
        b.draw([(0u16, 0u16, &cell)].into_iter()).unwrap();
        let first = String::from_utf8(std::mem::take(&mut b.out)).unwrap();
        assert_eq!(first, "\x1b[1;1H\x1b[0;7ma");
        // The next cell to the right, same style: just the character.
        let c2 = Cell::new("b")
            .set_style(ratatui::style::Style::new().add_modifier(Modifier::REVERSED))
            .clone();
        b.draw([(1u16, 0u16, &c2)].into_iter()).unwrap();
        b.show_cursor().unwrap();
        b.show_cursor().unwrap();
        b.set_cursor_position(Position::new(2, 0)).unwrap();
        let second = String::from_utf8(std::mem::take(&mut b.out)).unwrap();
        assert_eq!(second, "b\x1b[?25h");
    }
}
