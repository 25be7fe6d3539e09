//! Keys, paste and mouse: input to state changes.
use crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;
use tui_input::InputRequest;

use super::*;
use crate::export::{Field, Format};
use crate::tui::form::Focus;
use crate::tui::keymap::Action;
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
        let today = self.today();
        let typed = match (&self.overlay, self.focus) {
            (None, Focus::Field(Field::Format)) => {
                if let KeyCode::Char(c) = k.code
                    && let Some(f) = Format::from_initial(c)
                {
                    self.form.set_format(f, today);
                    return vec![Effect::SaveDraft(self.form.to_input())];
                }
                false
            }
            (None, Focus::Field(f)) => {
                if self.form.edit(f, k, today) {
                    return vec![Effect::SaveDraft(self.form.to_input())];
                }
                false
            }
            (Some(Overlay::Picker(_)), _) => self.picker_typed(k),
            (Some(Overlay::FirstRun(f)), _) => {
                let mut f = f.clone();
                let changed = match k.code {
                    KeyCode::Char(c)
                        if !k
                            .modifiers
                            .contains(crossterm::event::KeyModifiers::CONTROL) =>
                    {
                        f.add(&c.to_string());
                        true
                    }
                    KeyCode::Backspace => {
                        f.backspace();
                        true
                    }
                    _ => false,
                };
                self.overlay = Some(Overlay::FirstRun(f));
                changed
            }
            (Some(Overlay::DownloadSetup(_)), _) => self.setup_typed(k),
            _ => false,
        };
        self.dirty = typed;
        vec![]
    }

    pub(crate) fn action(&mut self, a: Action) -> Vec<Effect> {
        match a {
            Action::Quit => return self.request_quit(),
            Action::Submit => return self.submit(),
            Action::Help => {
                self.overlay = match self.overlay {
                    Some(Overlay::Help { .. }) => None,
                    _ => Some(Overlay::Help { scroll: 0 }),
                };
            }
            Action::Preview => self.overlay = Some(Overlay::Preview { scroll: 0 }),
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                self.status = Some(Notice::new(
                    Level::Info,
                    if self.mouse {
                        "mouse on: wheel scrolls, clicks focus (Shift-drag selects text); F2 turns it off"
                    } else {
                        "mouse off: the terminal's own text selection works again"
                    },
                ));
                return vec![Effect::SetMouse(self.mouse)];
            }
            Action::Escape => return self.escape(),
            Action::NextFocus | Action::PrevFocus if self.overlay.is_none() => {
                self.leave_focus();
                if self.status.as_ref().is_some_and(|n| n.transient) {
                    self.status = None;
                }
                self.focus = if a == Action::NextFocus {
                    self.focus.next()
                } else {
                    self.focus.prev()
                };
                if self.focus == Focus::History {
                    return self.reload_history();
                }
            }
            Action::ClearToStart | Action::DeleteWord => {
                if let Focus::Field(f) = self.focus {
                    let req = if a == Action::ClearToStart {
                        InputRequest::DeleteFromStart
                    } else {
                        InputRequest::DeletePrevWord
                    };
                    let today = self.today();
                    if self.form.request(f, req, today) {
                        return vec![Effect::SaveDraft(self.form.to_input())];
                    }
                }
                self.dirty = false;
            }
            Action::OpenCalendar => self.open_calendar(),
            Action::OpenPicker => return self.open_picker(),
            Action::Enqueue => return self.open_queue_add(),
            Action::OpenQueue => {
                self.overlay = Some(Overlay::Queue { cursor: 0 });
                return vec![Effect::LoadQueue];
            }
            Action::OpenDownloads => self.open_downloads(),
            Action::OpenProfiles => {
                self.overlay = Some(Overlay::Profiles { cursor: 0 });
                return vec![Effect::LoadProfiles];
            }
            Action::FormatNext | Action::FormatPrev => {
                let f = if a == Action::FormatNext {
                    self.form.format.next()
                } else {
                    self.form.format.prev()
                };
                let today = self.today();
                self.form.set_format(f, today);
                return vec![Effect::SaveDraft(self.form.to_input())];
            }
            _ => return self.overlay_or_pane_action(a),
        }
        vec![]
    }

    pub(crate) fn escape(&mut self) -> Vec<Effect> {
        if self.overlay.take().is_some() {
            return vec![];
        }
        if let Some(f) = self.in_flight.take() {
            self.status = Some(Notice::new(
                Level::Warning,
                "request cancelled; it may still have reached the server and created the job: check History in a minute (or `upexport jobs`) before submitting again",
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
        self.quit = true;
        vec![Effect::SaveDraft(self.form.to_input())]
    }

    /// Leaving a field shows its messages from now on.
    pub(crate) fn leave_focus(&mut self) {
        if let Focus::Field(f) = self.focus {
            self.form.touch(f);
        }
    }

    pub(crate) fn paste(&mut self, text: &str) -> Vec<Effect> {
        let today = self.today();
        if let Some(Overlay::FirstRun(f)) = &mut self.overlay {
            f.add(text);
            return vec![];
        }
        if let Some(Overlay::Picker(p)) = &mut self.overlay {
            for c in text.chars().filter(|c| !c.is_control()) {
                p.edit(tui_input::InputRequest::InsertChar(c));
            }
            return vec![];
        }
        match (&self.overlay, self.focus) {
            (None, Focus::Field(f)) if f != Field::Format => {
                match self.form.paste(f, text, today) {
                    Ok(()) => vec![Effect::SaveDraft(self.form.to_input())],
                    Err(e) => {
                        self.status = Some(Notice::new(Level::Error, e));
                        vec![]
                    }
                }
            }
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
                let visible = self.visible();
                match self.history.move_by(d, visible) {
                    Some((offset, limit)) => {
                        self.history.loading = true;
                        vec![Effect::LoadHistory { offset, limit }]
                    }
                    None => vec![],
                }
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
