//! The lookup pickers: segments for Segment ID (from the `segments`
//! lookup), event types for Event types (the documented ones; no lookup:
//! `features_events` lists features, which are not event types). Typing in
//! the field works without them (offline too).

use super::Picker;
use crate::export::Field;
use crate::jobs::lookups::{Choice, event_types, segments};
use crate::tui::app::{App, Overlay};
use crate::tui::form::Focus;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, LookupItems};

/// The lookup behind a pickable field, if any.
fn lookup_for(field: Field) -> Option<&'static str> {
    (field == Field::SegmentId).then_some("segments")
}

/// The event type picker's note: where the list comes from.
const EVENT_TYPES_NOTE: &str = "the API's event types · a feature's events are track_feature";

impl App {
    /// The choices for `field` from what is loaded.
    fn choices_for(&self, field: Field) -> Vec<Choice> {
        match lookup_for(field) {
            Some(name) => segments(
                self.lookups
                    .get(name)
                    .map(|l| l.items.as_slice())
                    .unwrap_or(&[]),
            ),
            None => event_types(),
        }
    }

    /// Enter on Event types or Segment ID.
    pub(crate) fn open_picker(&mut self) -> Vec<Effect> {
        let Focus::Field(field @ (Field::EventType | Field::SegmentId)) = self.focus else {
            return vec![];
        };
        let mut p = Picker::new(field, self.form.value(field), self.choices_for(field));
        let Some(name) = lookup_for(field) else {
            p.note = Some(EVENT_TYPES_NOTE.into());
            self.overlay = Some(Overlay::Picker(p));
            return vec![];
        };
        let loaded = self.lookups.get(name);
        p.loading = loaded.is_none();
        p.note = match loaded {
            None => Some(format!("loading {name}…")),
            // A list that may be cut off says so each time.
            Some(l) => l.warning.as_ref().map(|w| format!("{name} {w}")),
        };
        let loaded = loaded.is_some();
        self.overlay = Some(Overlay::Picker(p));
        if loaded {
            vec![]
        } else {
            vec![Effect::LoadLookup {
                name: name.to_owned(),
                refresh: false,
            }]
        }
    }

    /// Whether `a` does anything in the open picker: Ctrl-R refreshes a
    /// lookup, and the event types are no lookup.
    pub(crate) fn picker_acts(&self, a: Action) -> bool {
        match (&self.overlay, a) {
            (Some(Overlay::Picker(p)), Action::Refresh) => p.field.and_then(lookup_for).is_some(),
            _ => true,
        }
    }

    pub(crate) fn picker_action(&mut self, a: Action) -> Vec<Effect> {
        let today = self.today();
        let Some(Overlay::Picker(p)) = &mut self.overlay else {
            return vec![];
        };
        match a {
            Action::Up => p.move_by(-1),
            Action::Down => p.move_by(1),
            Action::PageUp => p.move_by(-10),
            Action::PageDown => p.move_by(10),
            // Picking one: Space types (filters such as "trial users").
            Action::Toggle if !p.multi => {
                p.edit(tui_input::InputRequest::InsertChar(' '));
            }
            Action::Toggle => p.toggle(),
            Action::Refresh => {
                let Some(name) = p.field.and_then(lookup_for) else {
                    self.dirty = false;
                    return vec![];
                };
                let name = name.to_owned();
                p.loading = true;
                p.note = Some(format!("refreshing {name}…"));
                return vec![Effect::LoadLookup {
                    name,
                    refresh: true,
                }];
            }
            Action::Open => {
                let field = p.field.unwrap_or(Field::EventType);
                let text = p.result();
                self.overlay = None;
                self.form.set_text(field, &text, today);
                self.form.touch(field);
                self.field_changed();
                return vec![Effect::SaveDraft(self.form.to_input())];
            }
            _ => self.dirty = false,
        }
        vec![]
    }

    /// Typing in the picker filters it.
    pub(crate) fn picker_typed(&mut self, k: crossterm::event::KeyEvent) -> bool {
        let Some(Overlay::Picker(p)) = &mut self.overlay else {
            return false;
        };
        match tui_input::backend::crossterm::to_input_request(&crossterm::event::Event::Key(k)) {
            Some(req) => p.edit(req),
            None => false,
        }
    }

    /// Pasted text filters the picker too (one line).
    pub(crate) fn picker_paste(&mut self, text: &str) -> bool {
        let Some(Overlay::Picker(p)) = &mut self.overlay else {
            return false;
        };
        for c in text.chars().filter(|c| !c.is_control()) {
            p.edit(tui_input::InputRequest::InsertChar(c));
        }
        true
    }

    pub(crate) fn lookup_loaded(
        &mut self,
        name: String,
        result: Result<LookupItems, String>,
    ) -> Vec<Effect> {
        match result {
            Ok(items) => {
                let note = match &items.warning {
                    Some(w) => format!("{name} {w}"),
                    None => format!(
                        "{name} as of {} · Ctrl-R refreshes",
                        self.clock.short_time(items.fetched_at)
                    ),
                };
                self.lookups.insert(name.clone(), items);
                let field = Field::SegmentId;
                if lookup_for(field) != Some(name.as_str()) {
                    return vec![];
                }
                let choices = self.choices_for(field);
                if let Some(Overlay::Picker(p)) = &mut self.overlay
                    && p.field == Some(field)
                {
                    p.set_choices(choices);
                    p.loading = false;
                    p.note = Some(note);
                }
            }
            Err(e) => {
                if let Some(Overlay::Picker(p)) = &mut self.overlay
                    && p.field.and_then(lookup_for) == Some(name.as_str())
                {
                    p.loading = false;
                    p.note = Some(format!("{name} unavailable ({e}); type the value instead"));
                }
            }
        }
        vec![]
    }
}
