//! The floor for `scripts/bench.sh`: the least a ratatui + crossterm app on
//! this stack can do before its first frame (raw mode, alternate screen,
//! one full-screen paragraph, wait for Ctrl-C). upexport's startup is
//! compared with this and with the peer apps in BENCHMARKS.md.

use crossterm::event::{self, Event, KeyCode, KeyModifiers};
use ratatui::widgets::{Block, Borders, Paragraph};

fn main() -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let drawn = terminal.draw(|f| {
        let text =
            "No exports yet.\n".repeat(30) + "Tab next · Ctrl-S submit · F1 help · Ctrl-C quit";
        f.render_widget(
            Paragraph::new(text).block(Block::default().borders(Borders::ALL).title("floor")),
            f.area(),
        );
    });
    let result = drawn.and_then(|_| {
        loop {
            if let Event::Key(k) = event::read()?
                && k.code == KeyCode::Char('c')
                && k.modifiers.contains(KeyModifiers::CONTROL)
            {
                break Ok(());
            }
        }
    });
    ratatui::restore();
    result
}
