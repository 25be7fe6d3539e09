//! Styles, by theme. Every distinction is also made without colour (bold,
//! reverse, underline), so `mono` (and `NO_COLOR`) loses nothing.
//!
//! Themes (config `theme = "…"`):
//! - `auto` (default): `dark` on terminals that announce 256 colours
//!   (`TERM=*256color*`, `COLORTERM`), else `ansi16`; `mono` with `NO_COLOR`
//!   or `TERM=dumb`.
//! - `ansi16`: only the 16 ANSI colours, safe everywhere.
//! - `dark`: softer greys from the 256-colour palette, for dark backgrounds.
//! - `light`: colours that read on a light background.
//! - `mono`: no colour at all.

use ratatui::style::{Color, Modifier, Style};

/// The colours of one theme (`None`: the terminal's default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    pub accent: Option<Color>,
    pub dim: Option<Color>,
    pub error: Option<Color>,
    pub warning: Option<Color>,
    pub ok: Option<Color>,
    pub today: Option<Color>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub name: &'static str,
    pub palette: Palette,
}

/// Theme names accepted in the config.
pub use crate::config::THEMES;

impl Theme {
    pub const ANSI16: Theme = Theme {
        name: "ansi16",
        palette: Palette {
            accent: Some(Color::Cyan),
            dim: Some(Color::DarkGray),
            error: Some(Color::Red),
            warning: Some(Color::Yellow),
            ok: Some(Color::Green),
            today: Some(Color::Yellow),
        },
    };
    pub const DARK: Theme = Theme {
        name: "dark",
        palette: Palette {
            accent: Some(Color::Indexed(81)),
            dim: Some(Color::Indexed(245)),
            error: Some(Color::Indexed(203)),
            warning: Some(Color::Indexed(221)),
            ok: Some(Color::Indexed(114)),
            today: Some(Color::Indexed(221)),
        },
    };
    pub const LIGHT: Theme = Theme {
        name: "light",
        palette: Palette {
            accent: Some(Color::Blue),
            dim: Some(Color::DarkGray),
            error: Some(Color::Red),
            warning: Some(Color::Magenta),
            ok: Some(Color::Green),
            today: Some(Color::Magenta),
        },
    };
    pub const MONO: Theme = Theme {
        name: "mono",
        palette: Palette {
            accent: None,
            dim: None,
            error: None,
            warning: None,
            ok: None,
            today: None,
        },
    };

    /// The theme called `name` (`auto` decides from the environment).
    /// `NO_COLOR` and `TERM=dumb` always mean `mono`. Unknown names are
    /// `None` (the caller says so and uses `auto`).
    pub fn named(name: &str) -> Option<Theme> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let term = std::env::var("TERM").unwrap_or_default();
        if no_color || term == "dumb" {
            return THEMES.contains(&name).then_some(Theme::MONO);
        }
        Some(match name {
            "auto" => {
                let rich = term.contains("256color") || std::env::var_os("COLORTERM").is_some();
                if rich { Theme::DARK } else { Theme::ANSI16 }
            }
            "ansi16" => Theme::ANSI16,
            "dark" => Theme::DARK,
            "light" => Theme::LIGHT,
            "mono" => Theme::MONO,
            _ => return None,
        })
    }

    /// `auto` from the environment.
    pub fn from_env() -> Theme {
        Theme::named("auto").unwrap_or(Theme::ANSI16)
    }

    pub fn color(&self) -> bool {
        self.palette.accent.is_some()
    }

    fn fg(&self, c: Option<Color>) -> Style {
        match c {
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        }
    }

    pub fn base(&self) -> Style {
        Style::new()
    }
    /// The focused field's value: reversed, so it shows without colour.
    pub fn focus(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn focus_label(&self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }
    pub fn label(&self) -> Style {
        Style::new()
    }
    pub fn dim(&self) -> Style {
        self.fg(self.palette.dim)
    }
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn border(&self) -> Style {
        self.dim()
    }
    pub fn border_focus(&self) -> Style {
        self.fg(self.palette.accent)
    }
    pub fn error(&self) -> Style {
        match self.palette.error {
            Some(c) => Style::new().fg(c),
            None => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }
    pub fn bad_item(&self) -> Style {
        self.error().add_modifier(Modifier::UNDERLINED)
    }
    pub fn warning(&self) -> Style {
        self.fg(self.palette.warning)
    }
    pub fn ok(&self) -> Style {
        self.fg(self.palette.ok)
    }
    pub fn key(&self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn today(&self) -> Style {
        self.fg(self.palette.today)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn button(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi16_uses_only_the_sixteen_colours() {
        let p = Theme::ANSI16.palette;
        for c in [p.accent, p.dim, p.error, p.warning, p.ok, p.today]
            .into_iter()
            .flatten()
        {
            assert!(!matches!(c, Color::Indexed(_) | Color::Rgb(..)), "{c:?}");
        }
    }

    #[test]
    fn mono_marks_errors_without_colour() {
        assert!(!Theme::MONO.color());
        assert!(
            Theme::MONO
                .error()
                .add_modifier
                .contains(Modifier::UNDERLINED)
        );
        assert!(
            Theme::MONO
                .focus()
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}
