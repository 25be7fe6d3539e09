//! Every key binding, in one table. The footer hints, the help overlay and
//! the README's key table are all generated from it, so they cannot drift.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the key was pressed. Overlays are modal: only their own bindings
/// and the [`Ctx::Global`] ones apply while they are open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ctx {
    /// Everywhere.
    Global,
    /// Everywhere except while typing in a text field.
    NotTyping,
    /// Any text-like form field.
    Text,
    /// From / To.
    Date,
    /// Event types.
    EventTypes,
    /// Other text fields (emails, ids, segment, exclusions).
    PlainText,
    /// The format selector.
    Format,
    /// The Submit button.
    Submit,
    /// The history pane.
    History,
    Calendar,
    Picker,
    Detail,
    Preview,
    Help,
}

impl Ctx {
    /// The heading used in the help overlay and the README.
    pub fn title(self) -> &'static str {
        match self {
            Ctx::Global => "Anywhere",
            Ctx::NotTyping => "Outside text fields",
            Ctx::Text => "Text fields",
            Ctx::Date => "From / To",
            Ctx::EventTypes => "Event types",
            Ctx::PlainText => "Other text fields",
            Ctx::Format => "Format",
            Ctx::Submit => "Submit button",
            Ctx::History => "History pane",
            Ctx::Calendar => "Calendar",
            Ctx::Picker => "Event type picker",
            Ctx::Detail => "Detail view",
            Ctx::Preview => "Request preview",
            Ctx::Help => "Help",
        }
    }
}

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Submit,
    Help,
    Preview,
    Escape,
    NextFocus,
    PrevFocus,
    ToggleMouse,
    OpenCalendar,
    OpenPicker,
    FormatNext,
    FormatPrev,
    ClearToStart,
    DeleteWord,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    Today,
    Preset(u8),
    Toggle,
    CopyJob,
    CopyLinks,
    CopyCurl,
    LoadIntoForm,
    Close,
}

/// A key chord, matched ignoring Shift on characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn ch(c: char) -> Key {
    k(KeyCode::Char(c))
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

impl Key {
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let mods = match ev.code {
            KeyCode::Char(_) | KeyCode::BackTab => ev.modifiers - KeyModifiers::SHIFT,
            _ => ev.modifiers,
        };
        self.code == ev.code && self.mods == mods
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub ctx: Ctx,
    pub keys: &'static [Key],
    /// How the keys are written for people ("Ctrl-S", "←/→").
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// Shown in the footer when this context has focus.
    pub footer: bool,
}

use Action as A;
use KeyCode as C;

macro_rules! b {
    ($ctx:ident, [$($key:expr),+], $label:literal, $action:expr, $help:literal, $footer:literal) => {
        Binding { ctx: Ctx::$ctx, keys: &[$($key),+], label: $label, action: $action, help: $help, footer: $footer }
    };
}

/// The whole keymap. Order matters within a context (first match wins) and
/// is the order of the hints.
pub const BINDINGS: &[Binding] = &[
    b!(
        Global,
        [k(C::Tab)],
        "Tab",
        A::NextFocus,
        "next field (after Submit: history)",
        true
    ),
    b!(
        Global,
        [k(C::BackTab)],
        "S-Tab",
        A::PrevFocus,
        "previous field",
        false
    ),
    b!(
        Global,
        [ctrl('s')],
        "Ctrl-S",
        A::Submit,
        "submit the export",
        true
    ),
    b!(Global, [k(C::F(1))], "F1", A::Help, "help: every key", true),
    b!(
        Global,
        [ctrl('p')],
        "Ctrl-P",
        A::Preview,
        "preview the JSON body and curl command",
        false
    ),
    b!(
        Global,
        [k(C::Esc)],
        "Esc",
        A::Escape,
        "close a popup; cancel a request in flight",
        false
    ),
    b!(
        Global,
        [k(C::F(2))],
        "F2",
        A::ToggleMouse,
        "mouse on/off (wheel scrolling, clicks)",
        false
    ),
    b!(
        Global,
        [ctrl('c')],
        "Ctrl-C",
        A::Quit,
        "quit (asks first while a request is in flight)",
        true
    ),
    b!(NotTyping, [ch('q')], "q", A::Quit, "quit", false),
    b!(NotTyping, [ch('?')], "?", A::Help, "help", false),
    b!(
        Text,
        [ctrl('u')],
        "Ctrl-U",
        A::ClearToStart,
        "delete to the start of the field",
        false
    ),
    b!(
        Text,
        [ctrl('w')],
        "Ctrl-W",
        A::DeleteWord,
        "delete the word before the cursor",
        false
    ),
    b!(
        Date,
        [k(C::Enter)],
        "Enter",
        A::OpenCalendar,
        "calendar and presets (or type YYYY-MM-DD)",
        true
    ),
    b!(
        EventTypes,
        [k(C::Enter)],
        "Enter",
        A::OpenPicker,
        "pick from the known event types",
        true
    ),
    b!(
        PlainText,
        [k(C::Enter)],
        "Enter",
        A::NextFocus,
        "next field",
        false
    ),
    b!(
        Format,
        [k(C::Left), ch('h')],
        "←/→",
        A::FormatPrev,
        "previous format",
        true
    ),
    b!(
        Format,
        [k(C::Right), ch('l')],
        "",
        A::FormatNext,
        "next format",
        false
    ),
    b!(
        Format,
        [k(C::Enter)],
        "Enter",
        A::NextFocus,
        "next field",
        false
    ),
    b!(
        Submit,
        [k(C::Enter)],
        "Enter",
        A::Submit,
        "submit the export",
        true
    ),
    b!(
        History,
        [k(C::Up), ch('k')],
        "↑/↓ j/k",
        A::Up,
        "previous entry",
        true
    ),
    b!(
        History,
        [k(C::Down), ch('j')],
        "",
        A::Down,
        "next entry",
        false
    ),
    b!(
        History,
        [k(C::PageUp)],
        "PgUp/PgDn",
        A::PageUp,
        "page up",
        true
    ),
    b!(
        History,
        [k(C::PageDown)],
        "",
        A::PageDown,
        "page down",
        false
    ),
    b!(
        History,
        [k(C::Home), ch('g')],
        "Home/End",
        A::Home,
        "newest",
        false
    ),
    b!(History, [k(C::End), ch('G')], "", A::End, "oldest", false),
    b!(
        History,
        [k(C::Enter)],
        "Enter",
        A::Open,
        "details, copy, edit & re-run",
        true
    ),
    b!(
        Calendar,
        [k(C::Left), ch('h')],
        "←→↑↓ hjkl",
        A::Left,
        "day / week",
        true
    ),
    b!(
        Calendar,
        [k(C::Right), ch('l')],
        "",
        A::Right,
        "next day",
        false
    ),
    b!(
        Calendar,
        [k(C::Up), ch('k')],
        "",
        A::Up,
        "previous week",
        false
    ),
    b!(
        Calendar,
        [k(C::Down), ch('j')],
        "",
        A::Down,
        "next week",
        false
    ),
    b!(
        Calendar,
        [k(C::PageUp)],
        "PgUp/PgDn",
        A::PageUp,
        "month",
        true
    ),
    b!(
        Calendar,
        [k(C::PageDown)],
        "",
        A::PageDown,
        "next month",
        false
    ),
    b!(Calendar, [ch('t')], "t", A::Today, "today", true),
    b!(
        Calendar,
        [ch('1')],
        "1-7",
        A::Preset(1),
        "preset: today",
        true
    ),
    b!(
        Calendar,
        [ch('2')],
        "",
        A::Preset(2),
        "preset: yesterday",
        false
    ),
    b!(
        Calendar,
        [ch('3')],
        "",
        A::Preset(3),
        "preset: last 7 days",
        false
    ),
    b!(
        Calendar,
        [ch('4')],
        "",
        A::Preset(4),
        "preset: last 30 days",
        false
    ),
    b!(
        Calendar,
        [ch('5')],
        "",
        A::Preset(5),
        "preset: last 90 days",
        false
    ),
    b!(
        Calendar,
        [ch('6')],
        "",
        A::Preset(6),
        "preset: this month",
        false
    ),
    b!(
        Calendar,
        [ch('7')],
        "",
        A::Preset(7),
        "preset: last month",
        false
    ),
    b!(
        Calendar,
        [k(C::Enter)],
        "Enter",
        A::Open,
        "pick the day",
        true
    ),
    b!(Picker, [k(C::Up), ch('k')], "↑/↓", A::Up, "move", true),
    b!(
        Picker,
        [k(C::Down), ch('j')],
        "",
        A::Down,
        "move down",
        false
    ),
    b!(
        Picker,
        [ch(' ')],
        "Space",
        A::Toggle,
        "select / unselect",
        true
    ),
    b!(Picker, [k(C::Enter)], "Enter", A::Open, "apply", true),
    b!(Detail, [k(C::Up), ch('k')], "↑/↓", A::Up, "scroll", true),
    b!(
        Detail,
        [k(C::Down), ch('j')],
        "",
        A::Down,
        "scroll down",
        false
    ),
    b!(
        Detail,
        [ch('c')],
        "c",
        A::CopyJob,
        "copy the job id (OSC 52)",
        true
    ),
    b!(Detail, [ch('l')], "l", A::CopyLinks, "copy the links", true),
    b!(
        Detail,
        [ch('e')],
        "e",
        A::LoadIntoForm,
        "load the request into the form to edit and re-run",
        true
    ),
    b!(Detail, [ch('q')], "q", A::Close, "close", false),
    b!(Preview, [k(C::Up), ch('k')], "↑/↓", A::Up, "scroll", true),
    b!(
        Preview,
        [k(C::Down), ch('j')],
        "",
        A::Down,
        "scroll down",
        false
    ),
    b!(
        Preview,
        [ch('c')],
        "c",
        A::CopyCurl,
        "copy the curl command (key stays $USERPILOT_API_KEY)",
        true
    ),
    b!(Preview, [ch('q')], "q", A::Close, "close", false),
    b!(Help, [k(C::Up), ch('k')], "↑/↓", A::Up, "scroll", true),
    b!(
        Help,
        [k(C::Down), ch('j')],
        "",
        A::Down,
        "scroll down",
        false
    ),
    b!(
        Help,
        [ch('q'), ch('?'), k(C::Enter)],
        "q",
        A::Close,
        "close",
        false
    ),
];

/// The action for `ev` in the given contexts (most specific first).
pub fn lookup(ctxs: &[Ctx], ev: &KeyEvent) -> Option<Action> {
    ctxs.iter().find_map(|ctx| {
        BINDINGS
            .iter()
            .filter(|b| b.ctx == *ctx)
            .find(|b| b.keys.iter().any(|key| key.matches(ev)))
            .map(|b| b.action)
    })
}

/// Footer hints for the contexts, as (keys, what) pairs.
pub fn hints(ctxs: &[Ctx]) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    for ctx in ctxs {
        for b in BINDINGS
            .iter()
            .filter(|b| b.ctx == *ctx && b.footer && !b.label.is_empty())
        {
            out.push((b.label, short(b.help)));
        }
    }
    out
}

fn short(help: &'static str) -> &'static str {
    let cut = help.find([' ', '(', ':']).unwrap_or(help.len());
    match help {
        h if h.starts_with("day / week") => "move",
        h if h.starts_with("preset") => "presets",
        h if h.starts_with("pick the day") => "pick",
        h if h.starts_with("submit") => "submit",
        h if h.starts_with("help") => "help",
        h if h.starts_with("quit") => "quit",
        h if h.starts_with("calendar") => "calendar",
        h if h.starts_with("copy the job") => "copy id",
        h if h.starts_with("copy the links") => "copy links",
        h if h.starts_with("copy the curl") => "copy curl",
        h if h.starts_with("load the request") => "edit & re-run",
        h if h.starts_with("details") => "details",
        h if h.starts_with("pick from") => "pick",
        h if h.starts_with("next field") => "next",
        h if h.starts_with("select") => "toggle",
        h if h.starts_with("previous entry") => "scroll",
        h if h.starts_with("previous format") => "format",
        _ => &help[..cut],
    }
}

/// The key label of every row, grouped by context, for help and README.
pub fn table() -> Vec<(Ctx, Vec<(String, &'static str)>)> {
    let mut groups: Vec<(Ctx, Vec<(String, &'static str)>)> = Vec::new();
    for b in BINDINGS {
        let label = describe_keys(b.keys);
        match groups.iter_mut().find(|(c, _)| *c == b.ctx) {
            Some((_, rows)) => rows.push((label, b.help)),
            None => groups.push((b.ctx, vec![(label, b.help)])),
        }
    }
    groups
}

/// "Ctrl-S", "↑ / k", "Enter".
pub fn describe_keys(keys: &[Key]) -> String {
    keys.iter().map(describe).collect::<Vec<_>>().join(" / ")
}

fn describe(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_owned(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        other => format!("{other:?}"),
    };
    if key.mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{}", base.to_uppercase())
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn most_specific_context_wins() {
        let enter = ev(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            lookup(&[Ctx::Date, Ctx::Text, Ctx::Global], &enter),
            Some(Action::OpenCalendar)
        );
        assert_eq!(
            lookup(&[Ctx::Submit, Ctx::NotTyping, Ctx::Global], &enter),
            Some(Action::Submit)
        );
    }

    #[test]
    fn q_is_typing_in_text_fields() {
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(&[Ctx::PlainText, Ctx::Text, Ctx::Global], &q), None);
        assert_eq!(
            lookup(&[Ctx::Format, Ctx::NotTyping, Ctx::Global], &q),
            Some(Action::Quit)
        );
    }

    #[test]
    fn shift_is_ignored_on_characters_and_backtab() {
        let g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(&[Ctx::History], &g), Some(Action::End));
        let bt = ev(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(lookup(&[Ctx::Global], &bt), Some(Action::PrevFocus));
    }

    #[test]
    fn every_binding_has_help_and_keys() {
        for b in BINDINGS {
            assert!(!b.keys.is_empty() && !b.help.is_empty(), "{b:?}");
        }
        assert!(describe_keys(&[ctrl('s')]) == "Ctrl-S");
    }
}
