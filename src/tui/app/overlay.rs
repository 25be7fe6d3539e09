//! The overlays, a modal layer over the main screen: one variant each, and
//! the one place that routes to them. Each overlay lives in its own module
//! under `src/tui/` (its state, its `impl App` update, its drawing); here
//! it gets a variant and one arm in each exhaustive match below (its key
//! context, its actions, its drawing), plus an arm in `overlay_typed` or
//! `overlay_paste` if it takes text. Its keys are rows of the one key
//! table, `keymap.rs`.

use crossterm::event::KeyEvent;
use ratatui::Frame;

use super::App;
use crate::history::Entry;
use crate::tui::calendar::Calendar;
use crate::tui::conflict::Conflict;
use crate::tui::downloads::DownloadSetup;
use crate::tui::file_preview::FilePreview;
use crate::tui::first_run::FirstRun;
use crate::tui::keymap::{Action, Ctx};
use crate::tui::msg::Effect;
use crate::tui::picker::Picker;
use crate::tui::queue::QueueAdd;
use crate::tui::view::layout::Areas;
use crate::tui::{
    calendar, conflict, detail, downloads, environments, file_preview, first_run, help, messages,
    picker, queue, request_preview, sync,
};

/// A modal layer over the main screen.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    /// The date picker of From or To, with range presets.
    Calendar(Calendar),
    /// Choices from a lookup for Event types or Segment ID.
    Picker(Picker),
    /// One history entry in full.
    Detail { entry: Box<Entry>, scroll: u16 },
    /// The request preview: the JSON body the form makes, and curl.
    RequestPreview { scroll: u16 },
    /// Every key.
    Help { scroll: u16 },
    /// A submit met 409: the running job, and what to do.
    Conflict(Conflict),
    /// Add the form to the queue, whole or split.
    QueueAdd(QueueAdd),
    /// The queue (F3).
    Queue { cursor: usize },
    /// Download a job: which files, where.
    DownloadSetup(DownloadSetup),
    /// The progress of `job_id`'s download.
    Downloads { job_id: String },
    /// The file preview: a downloaded file's first rows.
    FilePreview(FilePreview),
    /// No key configured: where one comes from, and a masked paste.
    FirstRun(FirstRun),
    /// The environment switcher.
    Environments { cursor: usize },
    /// The message log (F6).
    Messages { scroll: u16 },
    /// The Sync view (F7): the syncs, a sync's partitions, a manifest.
    Sync(sync::SyncOverlay),
}

impl Overlay {
    /// The key context while it is open: its own keys, then the global ones.
    pub fn ctx(&self) -> Ctx {
        match self {
            Overlay::Calendar(_) => Ctx::Calendar,
            Overlay::Picker(_) => Ctx::Picker,
            Overlay::Detail { .. } => Ctx::Detail,
            Overlay::RequestPreview { .. } => Ctx::RequestPreview,
            Overlay::Help { .. } => Ctx::Help,
            Overlay::Conflict(_) => Ctx::Conflict,
            Overlay::QueueAdd(_) => Ctx::QueueAdd,
            Overlay::Queue { .. } => Ctx::Queue,
            Overlay::DownloadSetup(_) => Ctx::DownloadSetup,
            Overlay::Downloads { .. } => Ctx::Downloads,
            Overlay::FilePreview(_) => Ctx::FilePreview,
            Overlay::FirstRun(_) => Ctx::FirstRun,
            Overlay::Environments { .. } => Ctx::Environments,
            Overlay::Messages { .. } => Ctx::Messages,
            Overlay::Sync(o) if o.manifest.is_some() => Ctx::SyncManifest,
            Overlay::Sync(o) if o.partitions.is_some() => Ctx::SyncPartitions,
            Overlay::Sync(_) => Ctx::Sync,
        }
    }
}

impl App {
    /// Whether the bound action `a` does anything where it would be
    /// pressed now (the footer offers only keys that do).
    pub fn acts(&self, a: Action) -> bool {
        match &self.overlay {
            Some(Overlay::Picker(_)) => self.picker_acts(a),
            _ => true,
        }
    }

    /// A bound key, not a global one, while an overlay is open.
    pub(super) fn overlay_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(overlay) = &self.overlay else {
            return vec![];
        };
        match overlay {
            Overlay::Calendar(_) => self.calendar_action(a),
            Overlay::Picker(_) => self.picker_action(a),
            Overlay::Detail { .. } => self.detail_action(a),
            Overlay::RequestPreview { .. } => self.request_preview_action(a),
            Overlay::Help { .. } => self.help_action(a),
            Overlay::Conflict(_) => self.conflict_action(a),
            Overlay::QueueAdd(_) => self.queue_add_action(a),
            Overlay::Queue { .. } => self.queue_view_action(a),
            Overlay::DownloadSetup(_) => self.setup_action(a),
            Overlay::Downloads { .. } => self.downloads_action(a),
            Overlay::FilePreview(_) => self.file_preview_action(a),
            Overlay::FirstRun(_) => self.first_run_action(a),
            Overlay::Environments { .. } => self.environments_action(a),
            Overlay::Messages { .. } => self.messages_action(a),
            Overlay::Sync(_) => self.sync_action(a),
        }
    }

    /// A key bound to nothing while an overlay is open: typing, in the
    /// overlays that take text. True if it changed anything.
    pub(super) fn overlay_typed(&mut self, k: KeyEvent) -> bool {
        match &self.overlay {
            Some(Overlay::Picker(_)) => self.picker_typed(k),
            Some(Overlay::FirstRun(_)) => self.first_run_typed(k),
            Some(Overlay::DownloadSetup(_)) => self.setup_typed(k),
            _ => false,
        }
    }

    /// Pasted text while an overlay is open; false where it takes none.
    pub(super) fn overlay_paste(&mut self, text: &str) -> bool {
        match &self.overlay {
            Some(Overlay::FirstRun(_)) => self.first_run_paste(text),
            Some(Overlay::Picker(_)) => self.picker_paste(text),
            _ => false,
        }
    }
}

/// Draw the open overlay over the main screen, above the status line and
/// the footer (which stay readable under every overlay).
pub fn draw(frame: &mut Frame, app: &App, overlay: &Overlay, areas: &Areas) {
    let screen = areas.above_status();
    match overlay {
        Overlay::Calendar(c) => calendar::view::draw(frame, app, c, areas),
        Overlay::Picker(p) => picker::view::draw(frame, app, p, screen),
        Overlay::Detail { entry, scroll } => detail::view::draw(frame, app, entry, *scroll, screen),
        Overlay::RequestPreview { scroll } => {
            request_preview::view::draw(frame, app, *scroll, screen)
        }
        Overlay::Help { scroll } => help::view::draw(frame, app, *scroll, screen),
        Overlay::Conflict(c) => conflict::view::draw(frame, app, c, screen),
        Overlay::QueueAdd(q) => queue::view::queue_add(frame, app, q, screen),
        Overlay::Queue { cursor } => queue::view::queue(frame, app, *cursor, screen),
        Overlay::DownloadSetup(s) => downloads::view::setup(frame, app, s, screen),
        Overlay::Downloads { job_id } => downloads::view::progress(frame, app, job_id, screen),
        Overlay::FilePreview(v) => file_preview::view::draw(frame, app, v, screen),
        Overlay::FirstRun(f) => first_run::view::draw(frame, app, f, screen),
        Overlay::Environments { cursor } => environments::view::draw(frame, app, *cursor, screen),
        Overlay::Messages { scroll } => messages::view::draw(frame, app, *scroll, screen),
        Overlay::Sync(o) => sync::view::draw(frame, app, o, screen),
    }
}

/// Up and Down in an overlay that scrolls, up to `max`; false for any
/// other action.
pub(crate) fn scroll(scroll: &mut u16, a: Action, max: u16) -> bool {
    match a {
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll = scroll.saturating_add(1).min(max),
        _ => return false,
    }
    true
}
