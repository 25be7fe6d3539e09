//! Terminal plumbing. Here: taking over the terminal and always giving it
//! back, on quit, error, panic, SIGTERM and SIGHUP (the loop turns signals
//! into a clean quit). Beside it: the diffing backend that writes only what
//! changed ([`diff_backend`]) and OSC 52 copying ([`clipboard`]).

pub mod clipboard;
pub mod diff_backend;

use std::io::{self, Stdout, Write};

use self::diff_backend::DiffBackend;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;

use self::clipboard::osc52;
use super::runner::TermSink;

/// Put the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        crossterm::style::SetAttribute(crossterm::style::Attribute::Reset),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Restores the terminal when dropped (early returns, errors).
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// The app's terminal: the diffing backend over a buffered stdout (one write
/// per frame).
pub type AppTerminal = Terminal<DiffBackend<io::BufWriter<Stdout>>>;

/// Raw mode, alternate screen, bracketed paste; a panic hook that restores
/// the terminal before the panic message is printed.
pub fn setup() -> io::Result<(AppTerminal, Guard)> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    enable_raw_mode()?;
    let guard = Guard;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    let backend = DiffBackend::new(io::BufWriter::with_capacity(64 * 1024, io::stdout()));
    let terminal = Terminal::new(backend)?;
    Ok((terminal, guard))
}

/// The real terminal's side channel.
pub struct StdoutSink {
    pub in_tmux: bool,
}

impl TermSink for StdoutSink {
    fn copy(&mut self, text: &str) -> io::Result<()> {
        let mut out = io::stdout();
        out.write_all(osc52(text, self.in_tmux).as_bytes())?;
        out.flush()
    }

    fn set_mouse(&mut self, on: bool) -> io::Result<()> {
        if on {
            execute!(io::stdout(), EnableMouseCapture)
        } else {
            execute!(io::stdout(), DisableMouseCapture)
        }
    }
}
