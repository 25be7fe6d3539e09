//! The first-run screen's keys: the key typed or pasted (masked), then
//! used for this session or saved.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::app::{App, Overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    pub(crate) fn first_run_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(Overlay::FirstRun(f)) = self.overlay.as_mut() else {
            return vec![];
        };
        match a {
            Action::UseKey | Action::SaveKey => {
                let Some(key) = crate::api::ApiKey::new(f.key.0.value()) else {
                    f.error = Some(format!(
                        "paste the key first ({})",
                        crate::api::KEY_FOUND_AT
                    ));
                    return vec![];
                };
                let save = (a == Action::SaveKey).then(|| f.key_file.clone());
                f.clear();
                self.overlay = None;
                self.env.blocked = None;
                self.status = Some(Notice::new(
                    Level::Success,
                    match &save {
                        Some(p) => format!("key saved to {} (0600) and in use", p.display()),
                        None => "key in use for this session only".to_owned(),
                    },
                ));
                vec![Effect::UseKey { key, save }]
            }
            _ => {
                self.dirty = false;
                vec![]
            }
        }
    }

    /// A character typed into the key field (Backspace takes one back).
    pub(crate) fn first_run_typed(&mut self, k: KeyEvent) -> bool {
        let Some(Overlay::FirstRun(f)) = self.overlay.as_mut() else {
            return false;
        };
        match k.code {
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                f.add(&c.to_string());
                true
            }
            KeyCode::Backspace => {
                f.backspace();
                true
            }
            _ => false,
        }
    }

    pub(crate) fn first_run_paste(&mut self, text: &str) -> bool {
        let Some(Overlay::FirstRun(f)) = self.overlay.as_mut() else {
            return false;
        };
        f.add(text);
        true
    }
}
