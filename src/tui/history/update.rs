//! The history pane's keys and its pages: the pane holds a window of
//! entries around what is visible, and asks for the page it lacks.

use crate::history::Entry;
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    pub(crate) fn history_action(&mut self, a: Action) -> Vec<Effect> {
        let visible = self.visible();
        let page = visible as i64;
        let delta = match a {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Home => i64::MIN / 2,
            Action::End => i64::MAX / 2,
            Action::Open => {
                return match self.history.selected_entry().cloned() {
                    Some(e) => self.open_detail(e),
                    None => {
                        self.dirty = false;
                        vec![]
                    }
                };
            }
            Action::FilterProfile => return self.toggle_history_filter(),
            Action::Refresh => {
                return match self.history.selected_entry().cloned() {
                    Some(e) => self.look_again(&e),
                    None => {
                        self.dirty = false;
                        vec![]
                    }
                };
            }
            Action::Download => {
                return match self.history.selected_entry().cloned() {
                    Some(e) => self.open_download(&e),
                    None => {
                        self.dirty = false;
                        vec![]
                    }
                };
            }
            _ => {
                self.dirty = false;
                return vec![];
            }
        };
        self.history_move(delta)
    }

    /// Move the selection by `delta` entries; read the page it needs.
    pub(crate) fn history_move(&mut self, delta: i64) -> Vec<Effect> {
        let visible = self.visible();
        match self.history.move_by(delta, visible) {
            Some((offset, limit)) => {
                self.history.loading = true;
                vec![Effect::LoadHistory { offset, limit }]
            }
            None => vec![],
        }
    }

    pub(crate) fn history_loaded(
        &mut self,
        offset: u64,
        entries: Vec<Entry>,
        total: u64,
        orphans: Vec<i64>,
    ) -> Vec<Effect> {
        let visible = self.visible();
        // A page read before a job's final answer was saved may arrive after
        // that answer was shown: a job never goes back from final, so the
        // final status shown stays (else the row would slip back to
        // "processing" with nothing left polling to correct it).
        let finals: std::collections::HashMap<i64, crate::history::JobSnapshot> = self
            .history
            .entries
            .iter()
            .filter_map(|e| Some((e.id, e.job.clone().filter(|j| j.is_finished())?)))
            .collect();
        let mut entries = entries;
        for e in &mut entries {
            if let Some(done) = finals.get(&e.id)
                && !e.job.as_ref().is_some_and(|j| j.is_finished())
            {
                e.job = Some(done.clone());
            }
        }
        self.history.loaded(offset, entries, total, visible);
        self.history.orphans = orphans.into_iter().collect();
        self.load_if_needed()
    }

    pub(crate) fn reload_history(&mut self) -> Vec<Effect> {
        let visible = self.visible();
        self.history.loading = true;
        let (offset, limit) = self.history.page_around(visible);
        vec![Effect::LoadHistory { offset, limit }]
    }

    pub(crate) fn load_if_needed(&mut self) -> Vec<Effect> {
        let visible = self.visible();
        match self.history.needed_page(visible) {
            Some((offset, limit)) => {
                self.history.loading = true;
                vec![Effect::LoadHistory { offset, limit }]
            }
            None => vec![],
        }
    }

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
