//! Switching environments (config profiles).

use super::ProfileInfo;
use crate::tui::app::{App, EnvInfo, Overlay};
use crate::tui::first_run::FirstRun;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    pub(crate) fn profiles_loaded(
        &mut self,
        result: Result<Vec<ProfileInfo>, String>,
    ) -> Vec<Effect> {
        match result {
            Ok(p) => {
                self.profiles = p;
                if let Some(Overlay::Environments { cursor }) = &mut self.overlay {
                    *cursor = self
                        .profiles
                        .iter()
                        .position(|p| p.name == self.env.profile)
                        .unwrap_or(0);
                }
            }
            Err(e) => self.status = Some(Notice::new(Level::Error, format!("profiles: {e}"))),
        }
        vec![]
    }

    /// F5: the switcher, with the config's profiles read again.
    pub(crate) fn open_environments(&mut self) -> Vec<Effect> {
        self.overlay = Some(Overlay::Environments { cursor: 0 });
        vec![Effect::LoadProfiles]
    }

    pub(crate) fn environments_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(Overlay::Environments { cursor }) = &mut self.overlay else {
            return vec![];
        };
        match a {
            Action::Up => *cursor = cursor.saturating_sub(1),
            Action::Down => *cursor = (*cursor + 1).min(self.profiles.len().saturating_sub(1)),
            Action::Open => {
                let Some(p) = self.profiles.get(*cursor) else {
                    self.dirty = false;
                    return vec![];
                };
                let name = p.name.clone();
                self.overlay = None;
                if name == self.env.profile {
                    return vec![];
                }
                return vec![Effect::SwitchProfile { name }];
            }
            _ => self.dirty = false,
        }
        vec![]
    }

    pub(crate) fn profile_switched(
        &mut self,
        env: EnvInfo,
        first_run: Option<FirstRun>,
    ) -> Vec<Effect> {
        let host = env.host();
        self.status = Some(Notice::new(
            Level::Success,
            format!("now in environment '{}' ({host})", env.profile),
        ));
        self.env = env;
        self.lookups.clear();
        self.queue.clear();
        self.overlay = first_run.map(Overlay::FirstRun);
        let mut fx = vec![Effect::LoadQueue, Effect::LoadUnfinished];
        if self.history_mine {
            fx.push(Effect::SetHistoryFilter(Some(self.env.profile.clone())));
        }
        self.history.selected = 0;
        self.history.top = 0;
        fx.extend(self.reload_history());
        fx
    }
}
