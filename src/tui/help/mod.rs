//! The help overlay (F1, ?): every key, from the keymap table.

pub mod view;

use crate::tui::app::{App, Overlay, overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::Effect;

impl App {
    /// F1 opens help, and closes it again.
    pub(crate) fn toggle_help(&mut self) {
        self.overlay = match self.overlay {
            Some(Overlay::Help { .. }) => None,
            _ => Some(Overlay::Help { scroll: 0 }),
        };
    }

    pub(crate) fn help_action(&mut self, a: Action) -> Vec<Effect> {
        let max_scroll = view::max_scroll(self, self.overlay_screen());
        let Some(Overlay::Help { scroll }) = self.overlay.as_mut() else {
            return vec![];
        };
        if !overlay::scroll(scroll, a, max_scroll) {
            self.dirty = false;
        }
        vec![]
    }
}
