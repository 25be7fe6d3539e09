//! The status line: the request in flight, the last message, or the
//! focused field's own message, in at most two rows. A message that needs
//! more, or has more to it (its `detail`), ends with "F6 more": the
//! message log (F6) has it in full. Words are never cut at the right edge:
//! the last column stays empty.

use crate::tui::app::App;
use crate::tui::messages::view::icon;
use crate::tui::msg::Level;
use crate::tui::view::wrap::{clip, fit_rows};

/// Rows the status line may take.
pub const MAX_ROWS: usize = 2;
/// What ends a message cut short, or one with more to it.
pub const MORE: &str = "F6 more";

/// What the status line shows: its level (none for the request in
/// flight) and its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub level: Option<Level>,
    pub rows: Vec<String>,
}

/// The status line at `width` columns.
pub fn shown(app: &App, width: u16) -> Shown {
    // One column for the leading space, one left empty at the right.
    let room = usize::from(width).saturating_sub(2);
    if let Some(f) = &app.in_flight {
        let secs = (app.clock.now - f.started).num_milliseconds().max(0) as f64 / 1000.0;
        let text = format!("{secs:.1} s · Esc cancels · {}", f.summary);
        // The spinner and "sending " take 10 columns.
        return Shown {
            level: None,
            rows: vec![clip(&text, room.saturating_sub(10))],
        };
    }
    let (level, text, more) = if let Some(n) = &app.status {
        (n.level, n.text.clone(), n.detail.is_some())
    } else if let Some((level, text)) = app.field_message() {
        (level, text, false)
    } else {
        return Shown {
            level: None,
            rows: vec![String::new()],
        };
    };
    let text = format!("{} {text}", icon(level));
    Shown {
        level: Some(level),
        rows: fit_rows(&text, room, MAX_ROWS, more, MORE),
    }
}

/// The status line's rows at `width` (for the layout).
pub fn rows(app: &App, width: u16) -> Vec<String> {
    shown(app, width).rows
}
