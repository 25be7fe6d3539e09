//! The lookup picker: a filterable list of choices for Event types (pick
//! several) or Segment ID (pick one), fed by the cached lookups.

mod update;
pub mod view;

use tui_input::{Input, InputRequest};

use crate::export::{Field, list};
use crate::jobs::lookups::{Choice, filter};

#[derive(Clone, Debug, Default)]
pub struct Picker {
    /// The field it fills.
    pub field: Option<Field>,
    /// Several choices (event types) or one (segment).
    pub multi: bool,
    pub choices: Vec<Choice>,
    /// Ids chosen, in the order chosen (multi).
    pub chosen: Vec<String>,
    pub query: Input,
    /// Index into the filtered list.
    pub cursor: usize,
    /// A lookup is on its way.
    pub loading: bool,
    /// Where the list came from, or why it could not be loaded.
    pub note: Option<String>,
}

impl PartialEq for Picker {
    fn eq(&self, other: &Self) -> bool {
        self.field == other.field
            && self.chosen == other.chosen
            && self.cursor == other.cursor
            && self.query.value() == other.query.value()
            && self.choices == other.choices
    }
}

impl Picker {
    /// A picker for `field`, with `current` (the field's text) chosen.
    pub fn new(field: Field, current: &str, choices: Vec<Choice>) -> Picker {
        let multi = field != Field::SegmentId;
        let chosen = if multi {
            list::parse(current)
        } else {
            Some(current.trim().to_owned())
                .filter(|s| !s.is_empty())
                .into_iter()
                .collect()
        };
        let mut p = Picker {
            field: Some(field),
            multi,
            chosen,
            ..Default::default()
        };
        p.set_choices(choices);
        p
    }

    /// Replace the list (a lookup arrived); values typed by hand stay.
    pub fn set_choices(&mut self, mut choices: Vec<Choice>) {
        for c in &self.chosen {
            if !choices.iter().any(|x| &x.id == c) {
                choices.push(Choice {
                    id: c.clone(),
                    label: c.clone(),
                    detail: Some("typed".into()),
                });
            }
        }
        self.choices = choices;
        self.clamp();
    }

    /// The choices matching the query, in order.
    pub fn visible(&self) -> Vec<&Choice> {
        filter(&self.choices, self.query.value())
    }

    pub fn is_chosen(&self, id: &str) -> bool {
        self.chosen.iter().any(|c| c == id)
    }

    pub fn move_by(&mut self, delta: i64) {
        let n = self.visible().len() as i64;
        if n == 0 {
            self.cursor = 0;
            return;
        }
        self.cursor = (self.cursor as i64 + delta).clamp(0, n - 1) as usize;
    }

    fn clamp(&mut self) {
        let n = self.visible().len();
        self.cursor = self.cursor.min(n.saturating_sub(1));
    }

    /// Choose or unchoose the choice under the cursor.
    pub fn toggle(&mut self) {
        let Some(id) = self.visible().get(self.cursor).map(|c| c.id.clone()) else {
            return;
        };
        if let Some(i) = self.chosen.iter().position(|c| *c == id) {
            self.chosen.remove(i);
        } else if self.multi {
            self.chosen.push(id);
        } else {
            self.chosen = vec![id];
        }
    }

    /// Edit the filter text; the cursor goes back to the first match.
    pub fn edit(&mut self, req: InputRequest) -> bool {
        let changed = self.query.handle(req).is_some_and(|c| c.value);
        if changed {
            self.cursor = 0;
        }
        changed
    }

    /// The field's new text: the chosen ids (single: the one under the
    /// cursor when nothing was toggled).
    pub fn result(&self) -> String {
        if !self.multi && self.chosen.is_empty() {
            return self
                .visible()
                .get(self.cursor)
                .map(|c| c.id.clone())
                .unwrap_or_default();
        }
        if self.multi {
            list::join(&self.chosen)
        } else {
            self.chosen.first().cloned().unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, label: &str) -> Choice {
        Choice {
            id: id.into(),
            label: label.into(),
            detail: None,
        }
    }

    #[test]
    fn typed_values_stay_and_toggling_keeps_order() {
        let mut p = Picker::new(
            Field::EventType,
            "custom_x, track",
            vec![c("track", "track"), c("page_view", "page_view")],
        );
        assert!(p.choices.iter().any(|x| x.id == "custom_x"));
        p.move_by(1);
        p.toggle();
        assert_eq!(p.result(), "custom_x, track, page_view");
    }

    #[test]
    fn single_pick_takes_the_cursor_when_nothing_toggled() {
        let p = Picker::new(
            Field::SegmentId,
            "",
            vec![c("101", "Active Users"), c("102", "Trial")],
        );
        assert_eq!(p.result(), "101");
    }
}
