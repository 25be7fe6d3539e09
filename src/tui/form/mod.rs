//! The export form's state: one text buffer per text field, the format
//! selector, which fields were touched, and the per-field messages.

mod update;
pub mod view;

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;
use crossterm::event::{Event, KeyEvent};
use tui_input::{Input, InputRequest};

use crate::export::{Field, FormInput, Format, check_list, email, list, validate};

/// The largest text a field accepts (a paste over it is refused with a
/// message; `upexport submit --body-file` takes bigger lists).
pub const MAX_FIELD_BYTES: usize = 1024 * 1024;

/// Where keyboard focus is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Focus {
    Field(Field),
    Submit,
    History,
}

impl Focus {
    /// The focus ring: every field, Submit, the history pane.
    pub fn ring() -> impl Iterator<Item = Focus> {
        Field::ALL
            .into_iter()
            .map(Focus::Field)
            .chain([Focus::Submit, Focus::History])
    }

    fn index(self) -> usize {
        Focus::ring().position(|f| f == self).unwrap_or(0)
    }

    pub fn next(self) -> Focus {
        let n = Focus::ring().count();
        Focus::ring().nth((self.index() + 1) % n).unwrap_or(self)
    }

    pub fn prev(self) -> Focus {
        let n = Focus::ring().count();
        Focus::ring()
            .nth((self.index() + n - 1) % n)
            .unwrap_or(self)
    }
}

/// The form.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    inputs: BTreeMap<FieldKey, Input>,
    pub format: Format,
    touched: BTreeMap<FieldKey, bool>,
    errors: BTreeMap<FieldKey, String>,
    warnings: BTreeMap<FieldKey, String>,
    /// Char ranges of invalid items in the Emails field.
    pub bad_emails: Vec<Range<usize>>,
    /// Per field, bumped on every change of its text: what the list
    /// caches are keyed by.
    edits: [u64; Field::ALL.len()],
    /// The list fields as last parsed and checked, so a key press re-reads
    /// only the field it changed (a pasted list of 100,000 ids is not
    /// parsed again while another field is typed in).
    lists: BTreeMap<FieldKey, ListCache>,
    /// The JSON body the form makes now (pretty, first lines only), or
    /// `None` while a field is in error. Made on edit, not per frame.
    pub body_preview: Option<String>,
}

/// What a list field's text gave, for the edit it was made from.
#[derive(Clone, Debug, Default)]
struct ListCache {
    /// `FormState::edits` of the field when this was made.
    edit: u64,
    /// Distinct items.
    count: usize,
    /// The first items, as many as the body preview can show.
    head: Vec<String>,
    error: Option<String>,
    warning: Option<String>,
    /// Emails only: char ranges of the invalid items.
    bad: Vec<Range<usize>>,
}

/// Lines of the live body preview kept.
const PREVIEW_LINES: usize = 60;

/// `Field` as an ordered map key.
type FieldKey = usize;
fn key(f: Field) -> FieldKey {
    Field::ALL.iter().position(|x| *x == f).unwrap_or(0)
}

impl FormState {
    /// A form holding `input` (a draft, or a request loaded from history).
    pub fn from_input(input: &FormInput, today: NaiveDate) -> FormState {
        let mut s = FormState {
            format: input.format.unwrap_or_default(),
            ..Default::default()
        };
        for f in Field::ALL {
            if let Some(text) = input.text(f) {
                let text = single_line(f, text);
                let end = text.chars().count();
                s.inputs.insert(key(f), Input::new(text).with_cursor(end));
            }
        }
        s.revalidate(today);
        s
    }

    /// The raw form, for validation, drafts and submit.
    pub fn to_input(&self) -> FormInput {
        let mut out = FormInput {
            format: Some(self.format),
            ..Default::default()
        };
        for f in Field::ALL {
            if let (Some(slot), Some(inp)) = (out.text_mut(f), self.inputs.get(&key(f))) {
                *slot = inp.value().to_owned();
            }
        }
        out
    }

    pub fn input(&self, f: Field) -> Option<&Input> {
        self.inputs.get(&key(f))
    }

    pub fn value(&self, f: Field) -> &str {
        self.input(f).map_or("", Input::value)
    }

    /// Replace a field's text (picker, calendar, preset), cursor at the end.
    pub fn set_text(&mut self, f: Field, text: &str, today: NaiveDate) {
        if f == Field::Format {
            return;
        }
        let text = single_line(f, text);
        let end = text.chars().count();
        self.inputs
            .insert(key(f), Input::new(text).with_cursor(end));
        self.edited(f);
        self.revalidate(today);
    }

    /// How many times `f`'s text changed: a change of text, not of the
    /// cursor, moves it.
    pub fn edit_count(&self, f: Field) -> u64 {
        self.edits[key(f)]
    }

    /// Note that `f`'s text changed (its cached check is stale).
    fn edited(&mut self, f: Field) {
        self.edits[key(f)] += 1;
    }

    /// Apply an editing key to a text field. Returns true if the text or
    /// cursor changed.
    pub fn edit(&mut self, f: Field, ev: KeyEvent, today: NaiveDate) -> bool {
        let Some(req) = tui_input::backend::crossterm::to_input_request(&Event::Key(ev)) else {
            return false;
        };
        self.request(f, req, today)
    }

    /// Apply one editing request (used for Ctrl-U / Ctrl-W too).
    pub fn request(&mut self, f: Field, req: InputRequest, today: NaiveDate) -> bool {
        if f == Field::Format {
            return false;
        }
        if let InputRequest::InsertChar(c) = req
            && (c.is_control() || self.value(f).len() + c.len_utf8() > MAX_FIELD_BYTES)
        {
            return false;
        }
        let inp = self.inputs.entry(key(f)).or_default();
        match inp.handle(req) {
            Some(changed) => {
                if changed.value {
                    self.edited(f);
                    self.revalidate(today);
                }
                true
            }
            None => false,
        }
    }

    /// Insert pasted text at the cursor as one edit. Newlines and tabs in a
    /// list field become item separators; elsewhere, spaces.
    pub fn paste(&mut self, f: Field, text: &str, today: NaiveDate) -> Result<(), String> {
        if f == Field::Format {
            return Ok(());
        }
        let clean = single_line(f, text);
        let cur = self.value(f);
        if cur.len() + clean.len() > MAX_FIELD_BYTES {
            return Err(format!(
                "paste of {} refused: a field holds up to {}; use `upexport submit --body-file` for bigger lists",
                crate::human::bytes(text.len() as u64),
                crate::human::bytes(MAX_FIELD_BYTES as u64)
            ));
        }
        let cursor = self.input(f).map_or(0, Input::cursor);
        let byte = cur.char_indices().nth(cursor).map_or(cur.len(), |(i, _)| i);
        let mut value = String::with_capacity(cur.len() + clean.len());
        value.push_str(&cur[..byte]);
        value.push_str(&clean);
        value.push_str(&cur[byte..]);
        let new_cursor = cursor + clean.chars().count();
        self.inputs
            .insert(key(f), Input::new(value).with_cursor(new_cursor));
        self.edited(f);
        self.touch(f);
        self.revalidate(today);
        Ok(())
    }

    /// Choose the format.
    pub fn set_format(&mut self, f: Format, today: NaiveDate) {
        self.format = f;
        self.revalidate(today);
    }

    /// Mark a field as visited: its errors show from now on.
    pub fn touch(&mut self, f: Field) {
        self.touched.insert(key(f), true);
    }

    /// Show every field's errors (after a submit attempt).
    pub fn touch_all(&mut self) {
        for f in Field::ALL {
            self.touch(f);
        }
    }

    /// The error to show for `f` (only once touched).
    pub fn error(&self, f: Field) -> Option<&str> {
        if self.touched.get(&key(f)).copied().unwrap_or(false) {
            self.errors.get(&key(f)).map(String::as_str)
        } else {
            None
        }
    }

    /// A warning for `f` (shown when there is no error).
    pub fn warning(&self, f: Field) -> Option<&str> {
        self.warnings.get(&key(f)).map(String::as_str)
    }

    /// `(scroll, cursor)` of field `f` shown `width` columns wide, in
    /// display columns: what `Input::visual_scroll` and
    /// `Input::visual_cursor` give, without walking a long plain-ASCII value
    /// grapheme by grapheme on every frame (one column per character).
    pub fn visual(&self, f: Field, width: usize) -> (usize, usize) {
        let Some(i) = self.input(f) else {
            return (0, 0);
        };
        if printable_ascii(i.value()) {
            let cursor = i.cursor();
            return (cursor.max(width) - width, cursor);
        }
        (i.visual_scroll(width), i.visual_cursor())
    }

    /// Item count of a list field.
    pub fn count(&self, f: Field) -> usize {
        self.lists.get(&key(f)).map_or(0, |c| c.count)
    }

    /// Fields with errors, touched or not.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Recompute messages, counts and marks from the current text. A list
    /// field is parsed again only when its text changed since the last
    /// time; the rest (dates, segment, format) is cheap and always checked.
    /// Gives the same messages as [`validate`] on the whole form.
    pub fn revalidate(&mut self, today: NaiveDate) {
        self.errors.clear();
        self.warnings.clear();
        self.body_preview = None;
        for f in Field::ALL.into_iter().filter(|f| f.is_list()) {
            self.refresh_list(f);
        }
        // Everything but the lists, whose checks are cached above.
        let mut rest = FormInput {
            format: Some(self.format),
            ..Default::default()
        };
        for f in Field::ALL.into_iter().filter(|f| !f.is_list()) {
            if let Some(slot) = rest.text_mut(f) {
                self.value(f).clone_into(slot);
            }
        }
        // Like `validate`: warnings only for a form without errors.
        let checked = validate(&rest, today);
        for (k, c) in &self.lists {
            if let Some(e) = &c.error {
                self.errors.entry(*k).or_insert_with(|| e.clone());
            }
        }
        match checked {
            Ok(v) if self.errors.is_empty() => {
                for w in v.warnings {
                    self.warnings.entry(key(w.field)).or_insert(w.message);
                }
                for (k, c) in &self.lists {
                    if let Some(w) = &c.warning {
                        self.warnings.entry(*k).or_insert_with(|| w.clone());
                    }
                }
                self.body_preview = Some(self.preview(v.request));
            }
            Ok(_) => {}
            Err(issues) => {
                for i in issues {
                    self.errors.entry(key(i.field)).or_insert(i.message);
                }
            }
        }
        self.bad_emails = self
            .lists
            .get(&key(Field::Emails))
            .map(|c| c.bad.clone())
            .unwrap_or_default();
    }

    /// Parse and check list field `f` again if its text changed.
    fn refresh_list(&mut self, f: Field) {
        let edit = self.edits[key(f)];
        if self.lists.get(&key(f)).is_some_and(|c| c.edit == edit) {
            return;
        }
        let text = self.value(f);
        let check = check_list(f, text);
        let cache = ListCache {
            edit,
            count: check.items.len(),
            head: check
                .items
                .iter()
                .take(PREVIEW_LINES)
                .map(|s| (*s).to_owned())
                .collect(),
            error: check.error,
            warning: check.warning,
            bad: if f == Field::Emails {
                bad_item_ranges(text)
            } else {
                Vec::new()
            },
        };
        self.lists.insert(key(f), cache);
    }

    /// The first [`PREVIEW_LINES`] lines of the pretty JSON body. Each list
    /// item takes one line, so the lists cut to that many items give the
    /// same lines as the whole request, without printing all of it.
    fn preview(&self, mut request: crate::export::ExportRequest) -> String {
        let head = |f: Field| {
            self.lists
                .get(&key(f))
                .map(|c| c.head.clone())
                .unwrap_or_default()
        };
        request.emails = head(Field::Emails);
        request.event_type = head(Field::EventType);
        request.user_id = head(Field::UserId);
        request.company_id = head(Field::CompanyId);
        request
            .to_json_pretty()
            .lines()
            .take(PREVIEW_LINES)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// True when every character of `s` is printable ASCII: one char, one
/// grapheme, one column each.
pub fn printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Char ranges of the invalid addresses in an emails field.
fn bad_item_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut item = String::new();
    // The item's first and one past its last non-space character.
    let mut end = 0;
    for (i, c) in text.chars().chain(std::iter::once(',')).enumerate() {
        if list::is_separator(c) {
            if let Some(s) = start.take()
                && !email::is_valid(item.trim())
            {
                out.push(s..end);
            }
            item.clear();
        } else {
            if !c.is_whitespace() {
                start.get_or_insert(i);
                end = i + 1;
            }
            if start.is_some() {
                item.push(c);
            }
        }
    }
    out
}

/// Fields are one line: control characters become separators in lists and
/// spaces elsewhere (so a pasted column of ids lands as a list).
fn single_line(f: Field, text: &str) -> String {
    if f.is_list() {
        let mut out = String::with_capacity(text.len());
        let mut pending_sep = false;
        for c in text.chars() {
            // Newlines, tabs and other control characters separate items
            // (a space does not: it is part of an id).
            if c.is_control() {
                pending_sep = true;
            } else {
                if pending_sep && !out.trim_end().ends_with([',', ';']) && c != ',' && c != ';' {
                    out.push_str(", ");
                }
                pending_sep = false;
                out.push(c);
            }
        }
        out
    } else {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn focus_ring_goes_round() {
        assert_eq!(Focus::Field(Field::From).prev(), Focus::History);
        assert_eq!(Focus::Submit.next(), Focus::History);
        assert_eq!(Focus::History.next(), Focus::Field(Field::From));
        assert_eq!(Focus::Field(Field::Exclusions).next(), Focus::Submit);
    }

    #[test]
    fn a_pasted_column_becomes_one_list_edit() {
        let mut f = FormState::from_input(&FormInput::default(), today());
        f.paste(Field::UserId, "u1\nu2\r\nu3\n", today()).unwrap();
        assert_eq!(f.value(Field::UserId), "u1, u2, u3");
        assert_eq!(f.count(Field::UserId), 3);
    }

    #[test]
    fn invalid_emails_are_marked_by_position() {
        let mut f = FormState::default();
        f.set_text(Field::Emails, "ana@x.com, bad, bo@y.com,nope@", today());
        assert_eq!(f.bad_emails, vec![11..14, 25..30]);
        assert_eq!(f.count(Field::Emails), 4);
    }

    #[test]
    fn errors_show_once_touched() {
        let mut f = FormState::default();
        f.set_text(Field::From, "2026-02-30", today());
        assert!(f.has_errors());
        assert_eq!(f.error(Field::From), None);
        f.touch(Field::From);
        assert!(f.error(Field::From).unwrap().contains("28 days"));
    }

    #[test]
    fn typing_edits_and_control_chars_are_dropped() {
        let mut f = FormState::default();
        for c in "ab".chars() {
            f.edit(
                Field::SegmentId,
                KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                today(),
            );
        }
        f.request(Field::SegmentId, InputRequest::InsertChar('\u{7}'), today());
        assert_eq!(f.value(Field::SegmentId), "ab");
        f.request(Field::SegmentId, InputRequest::DeleteFromStart, today());
        assert_eq!(f.value(Field::SegmentId), "");
    }

    #[test]
    fn huge_paste_is_refused_and_keeps_the_text() {
        let mut f = FormState::default();
        f.set_text(Field::UserId, "keep", today());
        let e = f
            .paste(Field::UserId, &"x".repeat(MAX_FIELD_BYTES + 1), today())
            .unwrap_err();
        assert!(e.contains("refused"));
        assert_eq!(f.value(Field::UserId), "keep");
    }
}
