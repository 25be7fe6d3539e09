//! Opening the calendar on From or To, its keys, and the presets.

use super::{CalOutcome, Calendar, Preset};
use crate::export::{DateBound, Field};
use crate::tui::app::{App, Overlay};
use crate::tui::form::Focus;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    pub(crate) fn open_calendar(&mut self) {
        let Focus::Field(field @ (Field::From | Field::To)) = self.focus else {
            return;
        };
        let day = |f: Field| DateBound::parse(self.form.value(f)).ok().map(|b| b.day());
        let other = if field == Field::From {
            Field::To
        } else {
            Field::From
        };
        self.overlay = Some(Overlay::Calendar(Calendar::new(
            field,
            day(field),
            day(other),
            self.today(),
        )));
    }

    pub(crate) fn calendar_action(&mut self, a: Action) -> Vec<Effect> {
        let today = self.today();
        let Some(Overlay::Calendar(cal)) = self.overlay.as_mut() else {
            return vec![];
        };
        match cal.apply(a, today) {
            CalOutcome::Stay => {}
            CalOutcome::Ignored => self.dirty = false,
            CalOutcome::Pick(d) => {
                let field = cal.field;
                self.overlay = None;
                self.form
                    .set_text(field, &DateBound::Date(d).to_wire(), today);
                self.form.touch(field);
                self.field_changed();
                return vec![Effect::SaveDraft(self.form.to_input())];
            }
            CalOutcome::Preset(p) => return self.apply_preset(p),
        }
        vec![]
    }

    fn apply_preset(&mut self, p: Preset) -> Vec<Effect> {
        let today = self.today();
        let (from, to) = p.range(today);
        self.overlay = None;
        self.form
            .set_text(Field::From, &DateBound::Date(from).to_wire(), today);
        self.form
            .set_text(Field::To, &DateBound::Date(to).to_wire(), today);
        self.form.touch(Field::From);
        self.form.touch(Field::To);
        // Said once: the next focus move or edit clears it, so that the
        // focused field's own message shows.
        self.status = Some(
            Notice::new(
                Level::Info,
                format!("{}: {from} → {to} (days in {})", p.label(), self.clock.zone),
            )
            .transient(),
        );
        vec![Effect::SaveDraft(self.form.to_input())]
    }
}
