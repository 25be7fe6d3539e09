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
    /// Event types and Segment ID (they have a picker).
    Pickable,
    /// Other text fields (emails, ids, exclusions).
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
    RequestPreview,
    Help,
    Conflict,
    QueueAdd,
    Queue,
    DownloadSetup,
    Downloads,
    FilePreview,
    FirstRun,
    Environments,
    Messages,
    Sync,
    SyncPartitions,
    SyncManifest,
}

impl Ctx {
    /// The heading used in the help overlay and the README.
    pub fn title(self) -> &'static str {
        match self {
            Ctx::Global => "Anywhere",
            Ctx::NotTyping => "Outside text fields",
            Ctx::Text => "Text fields",
            Ctx::Date => "From / To",
            Ctx::Pickable => "Event types / Segment ID",
            Ctx::PlainText => "Other text fields",
            Ctx::Format => "Format",
            Ctx::Submit => "Submit button",
            Ctx::History => "History pane",
            Ctx::Calendar => "Calendar",
            Ctx::Picker => "Picker (event types, segments)",
            Ctx::Detail => "Detail view",
            Ctx::RequestPreview => "Request preview",
            Ctx::Help => "Help",
            Ctx::Conflict => "Export already running (409)",
            Ctx::QueueAdd => "Add to queue",
            Ctx::Queue => "Queue (F3)",
            Ctx::DownloadSetup => "Download: choose files",
            Ctx::Downloads => "Downloads (F4)",
            Ctx::FilePreview => "File preview",
            Ctx::FirstRun => "First run (no API key)",
            Ctx::Environments => "Environments (F5)",
            Ctx::Messages => "Messages (F6)",
            Ctx::Sync => "Sync (F7)",
            Ctx::SyncPartitions => "Sync: a sync's partitions",
            Ctx::SyncManifest => "Sync: a partition's manifest",
        }
    }
}

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Submit,
    Help,
    OpenRequestPreview,
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
    /// Add the form to the queue.
    Enqueue,
    OpenQueue,
    OpenDownloads,
    Download,
    Refresh,
    /// Wait for the running job, then submit (409).
    Wait,
    /// Queue choices: as one, by month, by week.
    QueueOne,
    QueueMonthly,
    QueueWeekly,
    MoveItemUp,
    MoveItemDown,
    Remove,
    ClearDone,
    Pause,
    Retry,
    ToggleOverwrite,
    SelectAll,
    OpenFilePreview,
    /// Join a finished CSV or NDJSON download's parts into one file.
    Merge,
    UseKey,
    SaveKey,
    OpenEnvironments,
    FilterProfile,
    OpenMessages,
    OpenSync,
    /// Run the selected sync now, in the background.
    RunNow,
    /// Back one level (closes at the first).
    Back,
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

/// What a footer hint is worth when the footer is too narrow for all of
/// them: the lowest go first (the last of equals first); [`Prio::Out`], the
/// way out of where you are (Esc, Ctrl-C), never goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prio {
    /// Keys people try anyway (arrows, paging).
    Low,
    Normal,
    /// What the screen is for.
    High,
    /// The way out: always shown.
    Out,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub ctx: Ctx,
    pub keys: &'static [Key],
    pub action: Action,
    /// What the key does, for the help overlay and the README.
    pub help: &'static str,
    /// Shown in the footer when this context has focus: (keys, word).
    pub hint: Option<(&'static str, &'static str)>,
    /// Which hints stay when the footer is narrow.
    pub prio: Prio,
}

use Action as A;
use KeyCode as C;

/// A binding without a footer hint.
macro_rules! b {
    ($ctx:ident, [$($key:expr),+], $action:expr, $help:literal) => {
        Binding { ctx: Ctx::$ctx, keys: &[$($key),+], action: $action, help: $help, hint: None, prio: Prio::Low }
    };
}
/// A binding with a footer hint, of [`Prio::Normal`] unless given.
macro_rules! f {
    ($ctx:ident, [$($key:expr),+], $action:expr, $help:literal, $label:literal, $word:literal) => {
        f!($ctx, [$($key),+], $action, $help, $label, $word, Normal)
    };
    ($ctx:ident, [$($key:expr),+], $action:expr, $help:literal, $label:literal, $word:literal, $prio:ident) => {
        Binding { ctx: Ctx::$ctx, keys: &[$($key),+], action: $action, help: $help, hint: Some(($label, $word)), prio: Prio::$prio }
    };
}

/// The whole keymap. Order matters within a context (first match wins) and
/// is the order of the hints.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    f!(Global, [k(C::Tab)], A::NextFocus, "next field (after Submit: the history pane)", "Tab", "next"),
    b!(Global, [k(C::BackTab)], A::PrevFocus, "previous field"),
    f!(Global, [ctrl('s')], A::Submit, "submit the export", "Ctrl-S", "submit", High),
    b!(Global, [ctrl('q')], A::Enqueue, "add the form to the queue (split a long range by month or week)"),
    b!(Global, [k(C::F(3))], A::OpenQueue, "the queue: exports sent one after another"),
    b!(Global, [k(C::F(4))], A::OpenDownloads, "downloads in progress"),
    b!(Global, [k(C::F(5))], A::OpenEnvironments, "environments (config profiles): switch"),
    f!(Global, [k(C::F(1))], A::Help, "help: every key", "F1", "help", High),
    b!(Global, [k(C::F(7))], A::OpenSync, "sync: each dataset kept up to date ([sync.NAME] in the config), its gaps and runs; run one now"),
    b!(Global, [k(C::F(6))], A::OpenMessages, "messages: this session's status-line messages in full (the line says \"F6 more\" when it cut one)"),
    b!(Global, [ctrl('p')], A::OpenRequestPreview, "preview the JSON body and the curl command"),
    b!(Global, [k(C::Esc)], A::Escape, "close a popup; cancel a request in flight"),
    b!(Global, [k(C::F(2))], A::ToggleMouse, "mouse on/off (wheel scrolling, clicks)"),
    f!(Global, [ctrl('c')], A::Quit, "quit (asks again while a request is in flight)", "Ctrl-C", "quit", Out),
    b!(NotTyping, [ch('q')], A::Quit, "quit"),
    b!(NotTyping, [ch('?')], A::Help, "help"),
    b!(Text, [ctrl('u')], A::ClearToStart, "delete to the start of the field"),
    b!(Text, [ctrl('w')], A::DeleteWord, "delete the word before the cursor"),
    f!(Date, [k(C::Enter)], A::OpenCalendar, "calendar and presets (or type YYYY-MM-DD, today, yesterday, or Nd for N days ago: 7d)", "Enter", "calendar", High),
    f!(Pickable, [k(C::Enter)], A::OpenPicker, "pick an event type, or a segment from the lookup (or type)", "Enter", "pick", High),
    b!(PlainText, [k(C::Enter)], A::NextFocus, "next field"),
    f!(Format, [k(C::Left), ch('h')], A::FormatPrev, "previous format (or type a format's first letter: a/c/n/p)", "←/→ h/l a/c/n/p", "format"),
    b!(Format, [k(C::Right), ch('l')], A::FormatNext, "next format"),
    b!(Format, [k(C::Enter)], A::NextFocus, "next field"),
    f!(Submit, [k(C::Enter)], A::Submit, "submit the export", "Enter", "submit", High),
    f!(History, [k(C::Up), ch('k')], A::Up, "previous (newer) entry", "↑/↓", "scroll", Low),
    b!(History, [k(C::Down), ch('j')], A::Down, "next (older) entry"),
    f!(History, [k(C::PageUp)], A::PageUp, "page up", "PgUp/PgDn", "page", Low),
    b!(History, [k(C::PageDown)], A::PageDown, "page down"),
    b!(History, [k(C::Home), ch('g')], A::Home, "newest entry"),
    b!(History, [k(C::End), ch('G')], A::End, "oldest entry"),
    f!(History, [k(C::Enter)], A::Open, "details: copy id or links, edit & re-run", "Enter", "details", High),
    f!(History, [ch('d')], A::Download, "download the job's files", "d", "download", High),
    f!(History, [ch('f')], A::FilterProfile, "this environment only / every environment", "f", "filter", Low),
    b!(History, [ch('r')], A::Refresh, "look at the job again: ask for its status and follow it (after following stopped)"),
    f!(Calendar, [k(C::Left), ch('h')], A::Left, "previous day", "←→↑↓/hjkl", "move", Low),
    b!(Calendar, [k(C::Right), ch('l')], A::Right, "next day"),
    b!(Calendar, [k(C::Up), ch('k')], A::Up, "previous week"),
    b!(Calendar, [k(C::Down), ch('j')], A::Down, "next week"),
    f!(Calendar, [k(C::Enter)], A::Open, "pick the day", "Enter", "pick", High),
    f!(Calendar, [k(C::Esc)], A::Escape, "cancel: the field keeps its date", "Esc", "cancel", Out),
    f!(Calendar, [ch('1')], A::Preset(1), "preset: today", "1-7", "presets", High),
    b!(Calendar, [ch('2')], A::Preset(2), "preset: yesterday"),
    b!(Calendar, [ch('3')], A::Preset(3), "preset: last 7 days"),
    b!(Calendar, [ch('4')], A::Preset(4), "preset: last 30 days"),
    b!(Calendar, [ch('5')], A::Preset(5), "preset: last 90 days"),
    b!(Calendar, [ch('6')], A::Preset(6), "preset: this month"),
    b!(Calendar, [ch('7')], A::Preset(7), "preset: last month"),
    f!(Calendar, [k(C::PageUp)], A::PageUp, "previous month", "PgUp/PgDn", "month", Low),
    b!(Calendar, [k(C::PageDown)], A::PageDown, "next month"),
    f!(Calendar, [ch('t')], A::Today, "go to today", "t", "today"),
    f!(Picker, [k(C::Up)], A::Up, "move up (typing filters the list)", "↑/↓", "move", Low),
    b!(Picker, [k(C::Down)], A::Down, "move down"),
    b!(Picker, [k(C::PageUp)], A::PageUp, "page up"),
    b!(Picker, [k(C::PageDown)], A::PageDown, "page down"),
    f!(Picker, [ch(' ')], A::Toggle, "select / unselect", "Space", "toggle", High),
    f!(Picker, [k(C::Enter)], A::Open, "apply", "Enter", "apply", High),
    f!(Picker, [ctrl('r')], A::Refresh, "refresh the segments lookup from the API", "Ctrl-R", "refresh"),
    f!(Picker, [k(C::Esc)], A::Escape, "cancel", "Esc", "cancel", Out),
    f!(Detail, [k(C::Up), ch('k')], A::Up, "scroll up", "↑/↓", "scroll", Low),
    b!(Detail, [k(C::Down), ch('j')], A::Down, "scroll down"),
    f!(Detail, [ch('c')], A::CopyJob, "copy the job id (OSC 52)", "c", "copy id"),
    f!(Detail, [ch('l')], A::CopyLinks, "copy the links", "l", "copy links"),
    f!(Detail, [ch('e')], A::LoadIntoForm, "load the request into the form to edit and re-run", "e", "edit & re-run"),
    f!(Detail, [ch('d')], A::Download, "download the job's files", "d", "download"),
    f!(Detail, [k(C::Esc), ch('q')], A::Escape, "close", "Esc", "close", Out),
    f!(RequestPreview, [k(C::Up), ch('k')], A::Up, "scroll up", "↑/↓", "scroll", Low),
    b!(RequestPreview, [k(C::Down), ch('j')], A::Down, "scroll down"),
    f!(RequestPreview, [ch('c')], A::CopyCurl, "copy the curl command (the key stays $USERPILOT_API_KEY)", "c", "copy curl"),
    f!(RequestPreview, [k(C::Esc), ch('q')], A::Escape, "close", "Esc", "close", Out),
    f!(Help, [k(C::Up), ch('k')], A::Up, "scroll up", "↑/↓", "scroll", Low),
    b!(Help, [k(C::Down), ch('j')], A::Down, "scroll down"),
    f!(Help, [k(C::Esc), ch('q'), ch('?'), k(C::Enter)], A::Escape, "close", "Esc", "close", Out),
    f!(Conflict, [ch('w'), k(C::Enter)], A::Wait, "wait for the running job, then submit automatically (queued, survives a restart)", "w", "wait & submit", High),
    f!(Conflict, [k(C::Esc)], A::Escape, "cancel: nothing is sent", "Esc", "cancel", Out),
    f!(QueueAdd, [k(C::Enter), ch('1')], A::QueueOne, "queue the form as one export", "Enter", "one export"),
    f!(QueueAdd, [ch('m')], A::QueueMonthly, "queue one export per calendar month of the range", "m", "by month"),
    f!(QueueAdd, [ch('w')], A::QueueWeekly, "queue one export per 7 days of the range", "w", "by week"),
    f!(QueueAdd, [k(C::Esc)], A::Escape, "cancel", "Esc", "cancel", Out),
    f!(Queue, [k(C::Up), ch('k')], A::Up, "previous item", "↑/↓", "move", Low),
    b!(Queue, [k(C::Down), ch('j')], A::Down, "next item"),
    f!(Queue, [ch('K')], A::MoveItemUp, "move the item earlier", "K/J", "reorder"),
    b!(Queue, [ch('J')], A::MoveItemDown, "move the item later"),
    f!(Queue, [ch('x'), k(C::Delete)], A::Remove, "remove the item", "x", "remove"),
    f!(Queue, [ch('p')], A::Pause, "pause / resume sending the queue", "p", "pause"),
    f!(Queue, [ch('c')], A::ClearDone, "clear sent and failed items", "c", "clear done"),
    f!(Queue, [k(C::Esc), ch('q')], A::Escape, "close", "Esc", "close", Out),
    f!(DownloadSetup, [k(C::Up)], A::Up, "previous row (the directory, then the files)", "↑/↓", "move", Low),
    b!(DownloadSetup, [k(C::Down), k(C::Tab)], A::Down, "next row"),
    f!(DownloadSetup, [ch(' ')], A::Toggle, "select / unselect the file (type in the directory row)", "Space", "toggle"),
    b!(DownloadSetup, [ctrl('a')], A::SelectAll, "select all files"),
    f!(DownloadSetup, [ctrl('o')], A::ToggleOverwrite, "overwrite files that exist", "Ctrl-O", "overwrite"),
    f!(DownloadSetup, [k(C::Enter)], A::Open, "start (in the directory row: look there)", "Enter", "start", High),
    f!(DownloadSetup, [k(C::Esc)], A::Escape, "cancel", "Esc", "cancel", Out),
    f!(Downloads, [k(C::Up), ch('k')], A::Up, "previous file", "↑/↓", "move", Low),
    b!(Downloads, [k(C::Down), ch('j')], A::Down, "next file"),
    f!(Downloads, [k(C::Enter), ch('p')], A::OpenFilePreview, "preview the file's first rows", "Enter", "preview"),
    f!(Downloads, [ch('r')], A::Retry, "retry the failed files (resumes partial ones)", "r", "retry"),
    f!(Downloads, [ch('m')], A::Merge, "join a CSV or NDJSON job's parts into one file beside its folder", "m", "merge"),
    f!(Downloads, [k(C::Esc), ch('q')], A::Escape, "close (downloads go on)", "Esc", "close", Out),
    f!(FilePreview, [k(C::Up), ch('k')], A::Up, "scroll up", "←↑↓→", "scroll", Low),
    b!(FilePreview, [k(C::Down), ch('j')], A::Down, "scroll down"),
    b!(FilePreview, [k(C::Left), ch('h')], A::Left, "previous column"),
    b!(FilePreview, [k(C::Right), ch('l')], A::Right, "next column"),
    f!(FilePreview, [k(C::Tab), ch('s')], A::Toggle, "show the schema (column types) / the rows", "Tab", "schema", High),
    f!(FilePreview, [k(C::Esc), ch('q')], A::Escape, "close", "Esc", "close", Out),
    f!(FirstRun, [k(C::Enter)], A::UseKey, "use the pasted key for this session", "Enter", "use", High),
    f!(FirstRun, [ctrl('s')], A::SaveKey, "save the key to a file readable by you only (0600), then use it", "Ctrl-S", "save"),
    f!(FirstRun, [k(C::Esc)], A::Escape, "skip: the form works, submitting needs a key", "Esc", "skip", Out),
    f!(Environments, [k(C::Up), ch('k')], A::Up, "previous environment", "↑/↓", "move", Low),
    b!(Environments, [k(C::Down), ch('j')], A::Down, "next environment"),
    f!(Environments, [k(C::Enter)], A::Open, "switch to it (its own key, queue and lookups)", "Enter", "switch", High),
    f!(Environments, [k(C::Esc), ch('q')], A::Escape, "close", "Esc", "close", Out),
    f!(Messages, [k(C::Up), ch('k')], A::Up, "scroll up", "↑/↓", "scroll", Low),
    b!(Messages, [k(C::Down), ch('j')], A::Down, "scroll down"),
    f!(Messages, [k(C::Esc), ch('q'), k(C::F(6))], A::Escape, "close", "Esc", "close", Out),
    f!(Sync, [k(C::Up), ch('k')], A::Up, "previous sync", "↑/↓", "move", Low),
    b!(Sync, [k(C::Down), ch('j')], A::Down, "next sync"),
    f!(Sync, [k(C::Enter)], A::Open, "the sync's partitions: state, job, rows, files, error", "Enter", "partitions", High),
    f!(Sync, [ch('r')], A::RunNow, "run the sync now, in the background (refused while it runs, here or elsewhere)", "r", "run now", High),
    f!(Sync, [k(C::Esc), ch('q'), k(C::F(7))], A::Back, "close (a run goes on)", "Esc", "close", Out),
    f!(SyncPartitions, [k(C::Up), ch('k')], A::Up, "newer partition", "↑/↓", "move", Low),
    b!(SyncPartitions, [k(C::Down), ch('j')], A::Down, "older partition"),
    f!(SyncPartitions, [ch('m'), k(C::Enter)], A::Open, "the partition's _manifest.json, read from the destination", "m", "manifest", High),
    f!(SyncPartitions, [ch('r')], A::RunNow, "run the sync now, in the background", "r", "run now"),
    f!(SyncPartitions, [k(C::Esc), ch('q')], A::Back, "back to the syncs", "Esc", "back", Out),
    f!(SyncManifest, [k(C::Up), ch('k')], A::Up, "scroll up", "↑/↓", "scroll", Low),
    b!(SyncManifest, [k(C::Down), ch('j')], A::Down, "scroll down"),
    f!(SyncManifest, [k(C::Esc), ch('q')], A::Back, "back to the partitions", "Esc", "back", Out),
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
    prioritised_hints(ctxs)
        .into_iter()
        .map(|(k, w, _)| (k, w))
        .collect()
}

/// Footer hints with their [`Prio`], in table order.
pub fn prioritised_hints(ctxs: &[Ctx]) -> Vec<(&'static str, &'static str, Prio)> {
    offered(ctxs, |_| true)
}

/// The hints of the bindings whose action `acts`, in table order.
fn offered(ctxs: &[Ctx], acts: impl Fn(Action) -> bool) -> Vec<(&'static str, &'static str, Prio)> {
    ctxs.iter()
        .flat_map(|ctx| BINDINGS.iter().filter(move |b| b.ctx == *ctx))
        .filter(|b| acts(b.action))
        .filter_map(|b| b.hint.map(|(k, w)| (k, w, b.prio)))
        .collect()
}

/// The hints that fit in `width` columns, joined by " · " (each `keys
/// what`): the least worth go first, the way out never. In table order.
pub fn footer_fit(ctxs: &[Ctx], width: usize) -> Vec<(&'static str, &'static str)> {
    footer_fit_where(ctxs, width, |_| true)
}

/// [`footer_fit`] of the bindings whose action `acts` there (a key that
/// would do nothing is not offered).
pub fn footer_fit_where(
    ctxs: &[Ctx],
    width: usize,
    acts: impl Fn(Action) -> bool,
) -> Vec<(&'static str, &'static str)> {
    use unicode_width::UnicodeWidthStr;
    let mut kept = offered(ctxs, acts);
    let len = |h: &[(&str, &str, Prio)]| {
        h.iter()
            .map(|(k, w, _)| k.width() + 1 + w.width())
            .sum::<usize>()
            + 3 * h.len().saturating_sub(1)
    };
    while len(&kept) > width {
        // The last of the lowest priority below Out.
        let drop = kept
            .iter()
            .enumerate()
            .filter(|(_, h)| h.2 != Prio::Out)
            .min_by_key(|(i, h)| (h.2, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        match drop {
            Some(i) => {
                kept.remove(i);
            }
            None => break,
        }
    }
    kept.into_iter().map(|(k, w, _)| (k, w)).collect()
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

/// The key table as Markdown (the README holds a copy; a test keeps them equal).
pub fn markdown_table() -> String {
    let mut out = String::from("| where | keys | what |\n|---|---|---|\n");
    for (ctx, rows) in table() {
        for (keys, help) in rows {
            let keys = keys.replace('|', "\\|");
            out.push_str(&format!("| {} | `{keys}` | {help} |\n", ctx.title()));
        }
    }
    out
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

    /// A narrow footer drops the least useful hints first and keeps the
    /// way out of every context (Esc, or Ctrl-C on the main screen).
    #[test]
    fn narrow_footers_keep_the_way_out() {
        let ctxs_of = |ctx: Ctx| match ctx {
            Ctx::Global | Ctx::NotTyping | Ctx::Text => None,
            Ctx::Date => Some(vec![Ctx::Date, Ctx::Text, Ctx::Global]),
            Ctx::Pickable => Some(vec![Ctx::Pickable, Ctx::Text, Ctx::Global]),
            Ctx::PlainText => Some(vec![Ctx::PlainText, Ctx::Text, Ctx::Global]),
            Ctx::Format => Some(vec![Ctx::Format, Ctx::NotTyping, Ctx::Global]),
            Ctx::Submit => Some(vec![Ctx::Submit, Ctx::NotTyping, Ctx::Global]),
            Ctx::History => Some(vec![Ctx::History, Ctx::NotTyping, Ctx::Global]),
            overlay => Some(vec![overlay]),
        };
        let all = BINDINGS.iter().map(|b| b.ctx);
        for ctx in all {
            let Some(ctxs) = ctxs_of(ctx) else { continue };
            for width in [58, 78, 118] {
                let kept = footer_fit(&ctxs, width);
                let out: Vec<_> = prioritised_hints(&ctxs)
                    .into_iter()
                    .filter(|h| h.2 == Prio::Out)
                    .collect();
                assert!(!out.is_empty(), "{ctx:?} has no way out in its footer");
                for (k, w, _) in out {
                    assert!(
                        kept.contains(&(k, w)),
                        "{ctx:?} at {width}: lost {k} {w}: {kept:?}"
                    );
                }
                let used: usize = kept
                    .iter()
                    .map(|(k, w)| k.chars().count() + 1 + w.chars().count())
                    .sum::<usize>()
                    + 3 * kept.len().saturating_sub(1);
                assert!(used <= width, "{ctx:?} at {width}: {kept:?}");
            }
        }
        // The calendar at 80 columns keeps "t today" and drops the arrows.
        let cal = footer_fit(&[Ctx::Calendar], 78);
        assert!(cal.contains(&("t", "today")), "{cal:?}");
        assert!(cal.contains(&("Esc", "cancel")), "{cal:?}");
        let detail = footer_fit(&[Ctx::Detail], 78);
        assert!(detail.contains(&("Esc", "close")), "{detail:?}");
    }

    /// The date fields' help names the relative words the date parser
    /// takes (`export::relative_date`).
    #[test]
    fn the_date_help_names_the_relative_words() {
        let help = BINDINGS
            .iter()
            .find(|b| b.ctx == Ctx::Date && b.action == Action::OpenCalendar)
            .map(|b| b.help)
            .unwrap_or_default();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        for word in ["today", "yesterday", "7d"] {
            assert!(help.contains(word), "{help}");
            assert!(
                crate::export::relative_date::resolve(word, today).is_some(),
                "{word}"
            );
        }
    }

    #[test]
    fn every_binding_has_help_and_keys() {
        for b in BINDINGS {
            assert!(!b.keys.is_empty() && !b.help.is_empty(), "{b:?}");
        }
        // Esc closes every overlay through the Global binding.
        assert_eq!(
            lookup(
                &[Ctx::Calendar, Ctx::Global],
                &ev(KeyCode::Esc, KeyModifiers::NONE)
            ),
            Some(Action::Escape)
        );
        assert!(describe_keys(&[ctrl('s')]) == "Ctrl-S");
    }
}
