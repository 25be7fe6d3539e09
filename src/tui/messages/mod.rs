//! The message log (F6): every status-line message of this session in
//! full, newest first, with what the status line had no room for (its
//! `detail`). The status line shows "F6 more" when it cut a message or
//! the message has more to it.

pub mod view;

use chrono::{DateTime, Utc};

use crate::tui::app::{App, Overlay, overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Notice};

/// Messages kept (the oldest go first).
pub const KEPT: usize = 200;

/// One status-line message, when it was shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// Counts every message of the session (the log's loggers use it).
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub notice: Notice,
}

/// The session's messages, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageLog {
    pub items: std::collections::VecDeque<Logged>,
    /// Messages logged so far (the next one's `seq`).
    pub count: u64,
}

impl MessageLog {
    pub fn push(&mut self, at: DateTime<Utc>, notice: Notice) {
        if self.items.len() == KEPT {
            self.items.pop_front();
        }
        self.items.push_back(Logged {
            seq: self.count,
            at,
            notice,
        });
        self.count += 1;
    }

    /// Messages logged from `seq` on.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &Logged> {
        self.items.iter().filter(move |l| l.seq >= seq)
    }
}

impl App {
    /// F6 opens the log, and closes it again.
    pub(crate) fn toggle_messages(&mut self) {
        self.overlay = match self.overlay {
            Some(Overlay::Messages { .. }) => None,
            _ => Some(Overlay::Messages { scroll: 0 }),
        };
    }

    pub(crate) fn messages_action(&mut self, a: Action) -> Vec<Effect> {
        let max_scroll = view::max_scroll(self, self.overlay_screen());
        let Some(Overlay::Messages { scroll }) = self.overlay.as_mut() else {
            return vec![];
        };
        if !overlay::scroll(scroll, a, max_scroll) {
            self.dirty = false;
        }
        vec![]
    }
}
