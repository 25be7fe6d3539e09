//! The app model and `update`: every state transition, no I/O. `update`
//! routes each message to the pane or overlay it concerns (their modules
//! under `src/tui/` hold the transitions); `overlay.rs` is the one place
//! that knows every overlay; `keys.rs` turns keys, paste and mouse into
//! actions; `submit.rs` and `jobs.rs` are the request in flight and the
//! jobs followed, which every pane shows.

mod job_board;
mod jobs;
mod keys;
pub mod overlay;
mod submit;

pub use job_board::{JobBoard, LiveJob};
pub(crate) use jobs::job_of;
pub use overlay::Overlay;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use crossterm::event::KeyEventKind;
use ratatui::layout::Rect;

use super::downloads::DownloadRun;
use super::form::{Focus, FormState};
use super::history::HistoryPane;
use super::keymap::Ctx;
use super::msg::{Effect, Level, LookupItems, Msg, Notice};
use crate::export::{ExportRequest, Field, FormInput};
use crate::history::QueuedExport;
use crate::tui::view::layout::{self, Areas};
use std::collections::BTreeMap;

/// What the header shows about the environment. Never the key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvInfo {
    pub profile: String,
    /// The base URL requests go to.
    pub base_url: String,
    /// Environment name and app token, once an answer told them.
    pub environment: Option<String>,
    pub app_token: Option<String>,
    /// Why requests cannot be sent (no key, bad base URL), if so.
    pub blocked: Option<String>,
    /// Where downloads go unless changed (config `download_dir`).
    pub download_dir: Option<std::path::PathBuf>,
}

impl EnvInfo {
    /// `host[:port]` of the base URL, for the header.
    pub fn host(&self) -> String {
        reqwest::Url::parse(&self.base_url)
            .map(|u| crate::api::host_port_of(&u))
            .unwrap_or_else(|_| self.base_url.clone())
    }
}

/// A request on its way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub seq: u64,
    /// The queue item being sent, when it comes from the queue.
    pub queue_id: Option<i64>,
    pub started: DateTime<Utc>,
    pub attempt_id: Option<i64>,
    pub summary: String,
    /// What was sent (offered again after a 409).
    pub request: ExportRequest,
}

/// Wall clock and time zone, injectable so tests and snapshots are fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub offset: FixedOffset,
    /// The zone's name for people ("Europe/Berlin", "UTC+01:00").
    pub zone: String,
}

impl Clock {
    pub fn system() -> Clock {
        let now = Utc::now();
        let offset = *now.with_timezone(&chrono::Local).offset();
        let zone = iana_time_zone::get_timezone().unwrap_or_else(|_| format!("UTC{offset}"));
        Clock { now, offset, zone }
    }

    /// Today in UTC: the day relative dates, the calendar's presets and
    /// "in the future" count from (the same as the CLI's,
    /// [`crate::export::relative_date`]).
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// `11-27 09:14` in this time zone.
    pub fn short_time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.offset)
            .format("%m-%d %H:%M")
            .to_string()
    }
}

pub struct App {
    pub theme: super::theme::Theme,
    pub form: FormState,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub history: HistoryPane,
    pub in_flight: Option<InFlight>,
    pub status: Option<Notice>,
    pub env: EnvInfo,
    pub clock: Clock,
    pub size: Rect,
    pub mouse: bool,
    pub quit: bool,
    /// Ctrl-C was pressed once while a request was in flight.
    pub quit_armed: bool,
    /// Set by `update` when the screen must be drawn again.
    pub dirty: bool,
    /// Jobs followed (polled) and their latest status.
    pub jobs: JobBoard,
    /// This profile's queue, as stored.
    pub queue: Vec<QueuedExport>,
    /// Queue sending paused by the user.
    pub queue_paused: bool,
    /// A queued export was put back: nothing is sent until the retry timer
    /// fires ([`Msg::QueueRetryDue`]).
    pub queue_hold: bool,
    /// Delays between tries of a put-back queued export; its count of
    /// tries in a row.
    pub(crate) queue_retry: (crate::jobs::track::Backoff, u32),
    /// Downloads of this session, newest last.
    pub downloads: Vec<DownloadRun>,
    /// Jobs whose folder has a manifest (downloaded this session, or
    /// found when their detail opened): what opens them in DuckDB.
    pub ready: BTreeMap<String, crate::jobs::manifest::Ready>,
    /// Lookups loaded this session (for the pickers).
    pub lookups: BTreeMap<String, LookupItems>,
    /// The config's profiles (for the switcher).
    pub profiles: Vec<super::environments::ProfileInfo>,
    /// The history pane shows this profile's entries only.
    pub history_mine: bool,
    /// Every status-line message of this session (F6 shows them).
    pub messages: crate::tui::messages::MessageLog,
    /// The syncs the Sync view (F7) shows, and the runs started here.
    pub syncs: crate::tui::sync::SyncBoard,
    pub(crate) seq: u64,
}

impl App {
    pub fn new(draft: &FormInput, env: EnvInfo, clock: Clock, size: Rect) -> App {
        let today = clock.today();
        App {
            theme: super::theme::Theme::ANSI16,
            form: FormState::from_input(draft, today),
            focus: Focus::Field(Field::From),
            overlay: None,
            history: HistoryPane::default(),
            in_flight: None,
            status: None,
            env,
            clock,
            size,
            mouse: false,
            quit: false,
            quit_armed: false,
            dirty: true,
            jobs: JobBoard::default(),
            queue: Vec::new(),
            queue_paused: false,
            queue_hold: false,
            queue_retry: Default::default(),
            downloads: Vec::new(),
            ready: BTreeMap::new(),
            lookups: BTreeMap::new(),
            profiles: Vec::new(),
            history_mine: false,
            messages: Default::default(),
            syncs: Default::default(),
            seq: 0,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Rows of the status line at `width`: two when its message is long.
    pub fn status_rows(&self, width: u16) -> u16 {
        crate::tui::view::status::rows(self, width)
            .len()
            .clamp(1, 2) as u16
    }

    /// The focused field's message, when the status line shows it: its
    /// error when the form has no room to show it under the field, else
    /// its warning. Follows the field's current text.
    pub fn field_message(&self) -> Option<(Level, String)> {
        let Focus::Field(f) = self.focus else {
            return None;
        };
        if self.overlay.is_some() {
            return None;
        }
        match (self.form.error(f), self.form.warning(f)) {
            (Some(e), _) => {
                let inline = layout::areas_with(self.size, 1)
                    .is_some_and(|a| crate::tui::form::view::shows_inline_messages(self, a.form));
                (!inline).then(|| (Level::Error, format!("{}: {e}", f.label())))
            }
            (None, Some(w)) if !self.form.value(f).is_empty() => {
                Some((Level::Warning, format!("{}: {w}", f.label())))
            }
            _ => None,
        }
    }

    /// Where overlays are drawn: the screen above the status line.
    pub fn overlay_screen(&self) -> Rect {
        self.layout().map_or(self.size, |a| a.above_status())
    }

    /// The screen's areas at the current size and status.
    pub fn layout(&self) -> Option<Areas> {
        layout::areas_with(self.size, self.status_rows(self.size.width))
    }

    /// History entries on screen at once.
    pub fn visible(&self) -> u64 {
        layout::visible_in(self.layout())
    }

    /// Effects to run at start: the first history page, the jobs left
    /// unfinished, the queue.
    pub fn init(&mut self) -> Vec<Effect> {
        let mut fx = self.reload_history();
        // Read anyway (another instance may create it meanwhile), but the
        // first frame need not wait for a store that is being created.
        self.history.loading &= !self.history.known_empty;
        fx.extend([Effect::LoadUnfinished, Effect::LoadQueue]);
        fx
    }

    /// The key contexts in effect, most specific first.
    pub fn contexts(&self) -> Vec<Ctx> {
        if let Some(o) = &self.overlay {
            return vec![o.ctx(), Ctx::Global];
        }
        match self.focus {
            Focus::Field(Field::From | Field::To) => vec![Ctx::Date, Ctx::Text, Ctx::Global],
            Focus::Field(Field::EventType | Field::SegmentId) => {
                vec![Ctx::Pickable, Ctx::Text, Ctx::Global]
            }
            Focus::Field(Field::Format) => vec![Ctx::Format, Ctx::NotTyping, Ctx::Global],
            Focus::Field(_) => vec![Ctx::PlainText, Ctx::Text, Ctx::Global],
            Focus::Submit => vec![Ctx::Submit, Ctx::NotTyping, Ctx::Global],
            Focus::History => vec![Ctx::History, Ctx::NotTyping, Ctx::Global],
        }
    }

    /// Handle one message; return the effects to run. A new status-line
    /// message goes to the message log.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let before = self.status.clone();
        let fx = self.route(msg);
        if self.status != before
            && let Some(n) = &self.status
        {
            self.messages.push(self.clock.now, n.clone());
        }
        fx
    }

    fn route(&mut self, msg: Msg) -> Vec<Effect> {
        self.dirty = true;
        match msg {
            Msg::Key(k) if k.kind == KeyEventKind::Release => {
                self.dirty = false;
                vec![]
            }
            Msg::Key(k) => self.key(k),
            Msg::Paste(text) => self.paste(&text),
            Msg::Mouse(m) => self.mouse_event(m),
            Msg::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                let visible = self.visible();
                self.history.scroll_into_view(visible);
                self.load_if_needed()
            }
            Msg::Tick => {
                // Without a request in flight nothing on screen moves.
                self.dirty = self.in_flight.is_some();
                vec![]
            }
            Msg::SubmitStarted { seq, attempt_id } => {
                if let Some(f) = self.in_flight.as_mut().filter(|f| f.seq == seq) {
                    f.attempt_id = Some(attempt_id);
                }
                self.reload_history()
            }
            Msg::SubmitDone { seq, outcome } => self.submit_done(seq, outcome),
            Msg::HistoryLoaded {
                offset,
                entries,
                total,
                orphans,
            } => self.history_loaded(offset, entries, total, orphans),
            Msg::HistoryFailed(e) => {
                self.history.loading = false;
                self.history.error = Some(e);
                vec![]
            }
            Msg::ClientStatus(status) => {
                self.env.blocked = status.err();
                if let Some(why) = &self.env.blocked
                    && self.status.is_none()
                {
                    self.status = Some(Notice::new(
                        Level::Warning,
                        format!("submitting will not work: {why}"),
                    ));
                }
                vec![]
            }
            Msg::Notice(n) => {
                self.status = Some(n);
                vec![]
            }
            Msg::Terminate => {
                self.quit = true;
                vec![Effect::SaveDraft(self.form.to_input())]
            }
            Msg::JobUpdate {
                base_url,
                job_id,
                result,
            } => self.job_update(&base_url, &job_id, result),
            Msg::Unfinished(entries) => self.unfinished(entries),
            Msg::RunningJob(result) => self.running_job(result),
            Msg::QueueLoaded(items) => self.queue_loaded(items),
            Msg::EnvBusy { queue_id, job } => self.env_busy(queue_id, job),
            Msg::QueueSettled {
                queue_id,
                disposition,
            } => self.queue_settled(queue_id, disposition),
            Msg::QueueRetryDue => {
                self.queue_hold = false;
                self.drive_queue()
            }
            Msg::JobFollowStopped {
                base_url,
                job_id,
                error,
            } => self.job_follow_stopped(&base_url, &job_id, error),
            Msg::LookupLoaded { name, result } => self.lookup_loaded(name, result),
            Msg::JobGone { base_url, job_id } => self.job_gone(&base_url, &job_id),
            Msg::DownloadPlanned { job_id, result } => self.download_planned(&job_id, result),
            Msg::Fetch { job_id, event } => self.fetch_event(&job_id, &event),
            Msg::FilePreviewLoaded { path, result } => self.file_preview_loaded(path, result),
            Msg::ManifestFound { job_id, ready } => self.manifest_found(job_id, ready),
            Msg::Merged { job_id, result } => self.merged(&job_id, result),
            Msg::ProfilesLoaded(result) => self.profiles_loaded(result),
            Msg::ProfileSwitched { env, first_run } => self.profile_switched(env, first_run),
            Msg::SyncsLoaded(result) => self.syncs_loaded(result),
            Msg::SyncTick => self.sync_tick(),
            Msg::SyncManifestLoaded { name, dt, result } => {
                self.sync_manifest_loaded(&name, &dt, result)
            }
            Msg::SyncEvent { name, event } => self.sync_event(&name, &event),
            Msg::SyncFinished { name, result } => self.sync_finished(&name, result),
        }
    }
}
