//! The history pane's keys and its pages.

use crate::tui::app::App;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    pub(crate) fn toggle_history_filter(&mut self) -> Vec<Effect> {
        self.history_mine = !self.history_mine;
        self.history.selected = 0;
        self.history.top = 0;
        let filter = self.history_mine.then(|| self.env.profile.clone());
        self.status = Some(Notice::new(
            Level::Info,
            if self.history_mine {
                format!(
                    "history: environment '{}' only (f shows every one)",
                    self.env.profile
                )
            } else {
                "history: every environment".to_owned()
            },
        ));
        let mut fx = vec![Effect::SetHistoryFilter(filter)];
        fx.extend(self.reload_history());
        fx
    }
}
