//! Keys, paste and mouse: input to state changes.
use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::App;
use crate::export::Field;
use crate::tui::form::Focus;
use crate::tui::keymap::{Action, lookup};
use crate::tui::msg::{Effect, Level, Notice};
use crate::tui::view::layout;

impl App {
    pub(crate) fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let ctxs = self.contexts();
        let action = lookup(&ctxs, &k);
        if action != Some(Action::Quit) {
            self.quit_armed = false;
        }
        match action {
            Some(a) => self.action(a),
            None => self.unbound_key(k),
        }
    }

    /// A key with no binding: typing in a text field (or in a dialog's
    /// text box), else nothing.
    pub(crate) fn unbound_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if self.overlay.is_some() {
            self.dirty = self.overlay_typed(k);
            return vec![];
        }
        self.form_typed(k)
    }

    /// What a bound key does: global actions here, the rest by the open
    /// overlay, or else the focused pane.
    pub(crate) fn action(&mut self, a: Action) -> Vec<Effect> {
        match a {
            Action::Quit => self.request_quit(),
            Action::Submit => self.submit(),
            Action::Escape => self.escape(),
            Action::ToggleMouse => self.toggle_mouse(),
            Action::Help => {
                self.toggle_help();
                vec![]
            }
            Action::OpenRequestPreview => {
                self.open_request_preview();
                vec![]
            }
            Action::OpenCalendar => {
                self.open_calendar();
                vec![]
            }
            Action::OpenPicker => self.open_picker(),
            Action::Enqueue => self.open_queue_add(),
            Action::OpenQueue => self.open_queue(),
            Action::OpenDownloads => {
                self.open_downloads();
                vec![]
            }
            Action::OpenEnvironments => self.open_environments(),
            Action::OpenSync => self.toggle_sync(),
            Action::OpenMessages => {
                self.toggle_messages();
                vec![]
            }
            Action::NextFocus | Action::PrevFocus if self.overlay.is_none() => self.move_focus(a),
            Action::ClearToStart | Action::DeleteWord => self.delete_in_field(a),
            Action::FormatNext | Action::FormatPrev => self.cycle_format(a),
            _ if self.overlay.is_some() => self.overlay_action(a),
            _ if self.focus == Focus::History => self.history_action(a),
            _ => {
                self.dirty = false;
                vec![]
            }
        }
    }

    fn toggle_mouse(&mut self) -> Vec<Effect> {
        self.mouse = !self.mouse;
        self.status = Some(Notice::new(
            Level::Info,
            if self.mouse {
                "mouse on: wheel scrolls, clicks focus (Shift-drag selects text); F2 turns it off"
            } else {
                "mouse off: the terminal's own text selection works again"
            },
        ));
        vec![Effect::SetMouse(self.mouse)]
    }

    pub(crate) fn escape(&mut self) -> Vec<Effect> {
        if self.overlay.take().is_some() {
            return vec![];
        }
        if let Some(f) = self.in_flight.take() {
            self.status = Some(Notice::new(
                Level::Warning,
                format!(
                    "request cancelled; it may still have reached the server and created the job: check History in a minute (or `{}`) before submitting again",
                    crate::suggest::cmd("jobs")
                ),
            ));
            return vec![Effect::CancelSubmit { seq: f.seq }];
        }
        if self.status.take().is_none() {
            self.dirty = false;
        }
        vec![]
    }

    pub(crate) fn request_quit(&mut self) -> Vec<Effect> {
        if self.in_flight.is_some() && !self.quit_armed {
            self.quit_armed = true;
            self.status = Some(Notice::new(
                Level::Warning,
                "a request is in flight: press Ctrl-C again to quit anyway (the job may still be created)",
            ));
            return vec![];
        }
        // A sync run started here stops with the app (like a killed run:
        // the next run resumes it): say so once.
        let running = self.syncs.runs.iter().find(|(_, r)| r.running());
        if let Some((name, _)) = running
            && !self.quit_armed
        {
            self.quit_armed = true;
            self.status = Some(Notice::new(
                Level::Warning,
                format!(
                    "sync {name} is running: press Ctrl-C again to quit and stop it (the next run resumes it)"
                ),
            ));
            return vec![];
        }
        self.quit = true;
        vec![Effect::SaveDraft(self.form.to_input())]
    }

    pub(crate) fn paste(&mut self, text: &str) -> Vec<Effect> {
        if self.overlay_paste(text) {
            return vec![];
        }
        match (&self.overlay, self.focus) {
            (None, Focus::Field(f)) if f != Field::Format => self.form_paste(f, text),
            _ => {
                self.status = Some(Notice::new(
                    Level::Info,
                    "paste ignored: focus a text field first",
                ));
                vec![]
            }
        }
    }

    pub(crate) fn mouse_event(&mut self, m: MouseEvent) -> Vec<Effect> {
        let Some(areas) = self.layout() else {
            self.dirty = false;
            return vec![];
        };
        let at = Position::new(m.column, m.row);
        match m.kind {
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
                if self.overlay.is_none() && areas.history.contains(at) =>
            {
                let d = if m.kind == MouseEventKind::ScrollUp {
                    -3
                } else {
                    3
                };
                self.history_move(d)
            }
            MouseEventKind::Down(MouseButton::Left) if self.overlay.is_none() => {
                if areas.history.contains(at) {
                    self.leave_focus();
                    self.focus = Focus::History;
                    let row = m.row.saturating_sub(areas.history.y + 1);
                    let idx = self.history.top + u64::from(row / layout::ENTRY_ROWS);
                    if idx < self.history.total {
                        self.history.selected = idx;
                    }
                } else if areas.form.contains(at) {
                    let row = m.row.saturating_sub(areas.form.y + 1) as usize;
                    if let Some(target) =
                        crate::tui::form::view::focus_at_row(self, areas.form, row)
                    {
                        self.leave_focus();
                        self.focus = target;
                    }
                } else {
                    self.dirty = false;
                }
                vec![]
            }
            _ => {
                self.dirty = false;
                vec![]
            }
        }
    }
}
