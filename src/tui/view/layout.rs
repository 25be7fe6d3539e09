//! Where everything goes, as a pure function of the terminal size. Both
//! the view (drawing) and `update` (scrolling, mouse hits) use it.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the app shows a "terminal too small" message.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;
/// From this width the form and history sit side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 100;
/// Width of the form pane when side by side.
pub const FORM_WIDTH: u16 = 56;
/// Rows each history entry takes.
pub const ENTRY_ROWS: u16 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub form: Rect,
    pub history: Rect,
    pub status: Rect,
    pub footer: Rect,
    pub side_by_side: bool,
}

impl Areas {
    /// Where overlays go: the screen above the status line, so that the
    /// status line and the footer stay readable under every overlay.
    pub fn above_status(&self) -> Rect {
        Rect {
            x: self.header.x,
            y: self.header.y,
            width: self.header.width,
            height: self.status.y.saturating_sub(self.header.y),
        }
    }
}

/// The screen's areas, or `None` when the terminal is too small.
pub fn areas(screen: Rect) -> Option<Areas> {
    areas_with(screen, 1)
}

/// The areas with a status line of `status_rows` rows (1, or 2 for a long
/// message, taken from the history pane).
pub fn areas_with(screen: Rect, status_rows: u16) -> Option<Areas> {
    if screen.width < MIN_WIDTH || screen.height < MIN_HEIGHT {
        return None;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(status_rows.clamp(1, 2)),
        Constraint::Length(1),
    ])
    .areas(screen);
    let side_by_side = screen.width >= SIDE_BY_SIDE_WIDTH;
    let (form, history) = if side_by_side {
        let [f, h] =
            Layout::horizontal([Constraint::Length(FORM_WIDTH), Constraint::Min(0)]).areas(body);
        (f, h)
    } else {
        // 9 fields + Submit + borders; the history gets the rest.
        let form_rows = 12.min(body.height.saturating_sub(4));
        let [f, h] =
            Layout::vertical([Constraint::Length(form_rows), Constraint::Min(0)]).areas(body);
        (f, h)
    };
    Some(Areas {
        header,
        form,
        history,
        status,
        footer,
        side_by_side,
    })
}

/// Entries the history pane shows at once.
pub fn visible_entries(screen: Rect) -> u64 {
    visible_in(areas(screen))
}

/// Entries a history pane in `areas` shows at once.
pub fn visible_in(areas: Option<Areas>) -> u64 {
    areas.map_or(1, |a| {
        u64::from((a.history.height.saturating_sub(2) / ENTRY_ROWS).max(1))
    })
}

/// The centred rectangle of a popup, clamped to the screen.
pub fn popup(screen: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(screen.width);
    let h = height.min(screen.height);
    Rect {
        x: screen.x + (screen.width - w) / 2,
        y: screen.y + (screen.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert!(areas(Rect::new(0, 0, 59, 30)).is_none());
        let a = areas(Rect::new(0, 0, 80, 24)).unwrap();
        assert!(!a.side_by_side);
        assert_eq!(a.form.height, 12);
        assert_eq!(a.history.height, 9);
        let a = areas(Rect::new(0, 0, 120, 40)).unwrap();
        assert!(a.side_by_side);
        assert_eq!(a.history.width, 64);
        assert_eq!(visible_entries(Rect::new(0, 0, 120, 40)), 17);
        for w in 0..200 {
            for h in 0..60 {
                let _ = areas(Rect::new(0, 0, w, h));
                let _ = popup(Rect::new(0, 0, w, h), 70, 30);
            }
        }
    }
}
