//! Editing the form: typing, pasting, deleting, the format, moving the
//! focus (from field to field, then to Submit and the history pane).

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::InputRequest;

use super::Focus;
use crate::export::{Field, Format};
use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    /// A key bound to nothing on the main screen: typing in the focused
    /// field (on Format, a format's initial letter).
    pub(crate) fn form_typed(&mut self, k: KeyEvent) -> Vec<Effect> {
        let today = self.today();
        match self.focus {
            Focus::Field(Field::Format) => {
                if let KeyCode::Char(c) = k.code
                    && let Some(f) = Format::from_initial(c)
                {
                    self.form.set_format(f, today);
                    return vec![Effect::SaveDraft(self.form.to_input())];
                }
            }
            Focus::Field(f) => {
                let before = self.form.edit_count(f);
                if self.form.edit(f, k, today) {
                    if self.form.edit_count(f) != before {
                        self.field_changed();
                    }
                    return vec![Effect::SaveDraft(self.form.to_input())];
                }
            }
            _ => {}
        }
        self.dirty = false;
        vec![]
    }

    /// Text pasted into field `f`.
    pub(crate) fn form_paste(&mut self, f: Field, text: &str) -> Vec<Effect> {
        let today = self.today();
        match self.form.paste(f, text, today) {
            Ok(()) => {
                self.field_changed();
                vec![Effect::SaveDraft(self.form.to_input())]
            }
            Err(e) => {
                self.status = Some(Notice::new(Level::Error, e));
                vec![]
            }
        }
    }

    /// Ctrl-U and Ctrl-W in a text field.
    pub(crate) fn delete_in_field(&mut self, a: Action) -> Vec<Effect> {
        if let Focus::Field(f) = self.focus {
            let req = if a == Action::ClearToStart {
                InputRequest::DeleteFromStart
            } else {
                InputRequest::DeletePrevWord
            };
            let today = self.today();
            if self.form.request(f, req, today) {
                self.field_changed();
                return vec![Effect::SaveDraft(self.form.to_input())];
            }
        }
        self.dirty = false;
        vec![]
    }

    /// ←/→ on Format.
    pub(crate) fn cycle_format(&mut self, a: Action) -> Vec<Effect> {
        let f = if a == Action::FormatNext {
            self.form.format.next()
        } else {
            self.form.format.prev()
        };
        let today = self.today();
        self.form.set_format(f, today);
        self.field_changed();
        vec![Effect::SaveDraft(self.form.to_input())]
    }

    /// A field's text changed. A message about the form as it was (e.g.
    /// "not sent: fix Emails (…)") is stale now, and the focused field's
    /// own message, which follows its current text, shows instead of any
    /// older message (which stays in the message log, F6).
    pub(crate) fn field_changed(&mut self) {
        if self.status.as_ref().is_some_and(|n| n.transient) || self.field_message().is_some() {
            self.status = None;
        }
    }

    /// Tab and Shift-Tab on the main screen.
    pub(crate) fn move_focus(&mut self, a: Action) -> Vec<Effect> {
        self.leave_focus();
        if self.status.as_ref().is_some_and(|n| n.transient) {
            self.status = None;
        }
        self.focus = if a == Action::NextFocus {
            self.focus.next()
        } else {
            self.focus.prev()
        };
        // The focused field's reason for its ✘ or ! shows while it has
        // focus, over an older message (kept in the log, F6).
        if self.field_message().is_some() {
            self.status = None;
        }
        if self.focus == Focus::History {
            return self.reload_history();
        }
        vec![]
    }

    /// Leaving a field shows its messages from now on.
    pub(crate) fn leave_focus(&mut self) {
        if let Focus::Field(f) = self.focus {
            self.form.touch(f);
        }
    }
}
