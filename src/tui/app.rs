//! The app model and `update`: every state transition, no I/O.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use tui_input::InputRequest;

use super::calendar::{CalOutcome, Calendar, Preset};
use super::form::{Focus, FormState};
use super::history_pane::HistoryPane;
use super::keymap::{Action, Ctx, lookup};
use super::msg::{Effect, Level, Msg, Notice, SubmitOutcome};
use super::view::layout::{self, Areas};
use crate::export::{
    DateBound, ExportRequest, Field, FormInput, Format, KNOWN_EVENT_TYPES, list, validate,
};
use crate::history::Entry;

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
}

impl EnvInfo {
    /// `host[:port]` of the base URL, for the header.
    pub fn host(&self) -> String {
        reqwest::Url::parse(&self.base_url)
            .map(|u| crate::api::host_port_of(&u))
            .unwrap_or_else(|_| self.base_url.clone())
    }
}

/// The event type picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picker {
    pub items: Vec<(String, bool)>,
    pub cursor: usize,
}

/// A modal layer over the main screen.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Calendar(Calendar),
    Picker(Picker),
    Detail { entry: Box<Entry>, scroll: u16 },
    Preview { scroll: u16 },
    Help { scroll: u16 },
}

/// A request on its way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub seq: u64,
    pub started: DateTime<Utc>,
    pub attempt_id: Option<i64>,
    pub summary: String,
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

    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.offset).date_naive()
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
    seq: u64,
}

impl App {
    pub fn new(draft: &FormInput, env: EnvInfo, clock: Clock, size: Rect) -> App {
        let today = clock.today();
        App {
            theme: super::theme::Theme { color: true },
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
            seq: 0,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Rows of the status line at `width`: two when its message is long.
    pub fn status_rows(&self, width: u16) -> u16 {
        if self.in_flight.is_some() {
            return 1;
        }
        let text_width = |s: &str| unicode_width::UnicodeWidthStr::width(s) + 3;
        let shown = match (&self.status, self.focus) {
            (Some(n), _) => text_width(&n.text),
            // The focused field's message shows there when the stacked
            // form has no room for it.
            (None, Focus::Field(f)) if width < layout::SIDE_BY_SIDE_WIDTH => self
                .form
                .error(f)
                .map_or(0, |e| text_width(e) + f.label().len() + 2),
            _ => 0,
        };
        if shown > usize::from(width) { 2 } else { 1 }
    }

    /// The screen's areas at the current size and status.
    pub fn layout(&self) -> Option<Areas> {
        layout::areas_with(self.size, self.status_rows(self.size.width))
    }

    /// History entries on screen at once.
    pub fn visible(&self) -> u64 {
        layout::visible_in(self.layout())
    }

    /// Effects to run at start: the first history page.
    pub fn init(&mut self) -> Vec<Effect> {
        let visible = self.visible();
        self.history.loading = true;
        let (offset, limit) = self.history.page_around(visible);
        vec![Effect::LoadHistory { offset, limit }]
    }

    /// The key contexts in effect, most specific first.
    pub fn contexts(&self) -> Vec<Ctx> {
        if let Some(o) = &self.overlay {
            let c = match o {
                Overlay::Calendar(_) => Ctx::Calendar,
                Overlay::Picker(_) => Ctx::Picker,
                Overlay::Detail { .. } => Ctx::Detail,
                Overlay::Preview { .. } => Ctx::Preview,
                Overlay::Help { .. } => Ctx::Help,
            };
            return vec![c, Ctx::Global];
        }
        match self.focus {
            Focus::Field(Field::From | Field::To) => vec![Ctx::Date, Ctx::Text, Ctx::Global],
            Focus::Field(Field::EventType) => vec![Ctx::EventTypes, Ctx::Text, Ctx::Global],
            Focus::Field(Field::Format) => vec![Ctx::Format, Ctx::NotTyping, Ctx::Global],
            Focus::Field(_) => vec![Ctx::PlainText, Ctx::Text, Ctx::Global],
            Focus::Submit => vec![Ctx::Submit, Ctx::NotTyping, Ctx::Global],
            Focus::History => vec![Ctx::History, Ctx::NotTyping, Ctx::Global],
        }
    }

    /// Handle one message; return the effects to run.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
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
            } => {
                let visible = self.visible();
                self.history.loaded(offset, entries, total, visible);
                self.history.orphans = orphans.into_iter().collect();
                self.load_if_needed()
            }
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
        }
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
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

    /// A key with no binding: typing in a text field, else nothing.
    fn unbound_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let today = self.today();
        match (&self.overlay, self.focus) {
            (None, Focus::Field(Field::Format)) => {
                if let KeyCode::Char(c) = k.code
                    && let Some(f) = Format::from_initial(c)
                {
                    self.form.set_format(f, today);
                    return vec![Effect::SaveDraft(self.form.to_input())];
                }
                self.dirty = false;
                vec![]
            }
            (None, Focus::Field(f)) if self.form.edit(f, k, today) => {
                vec![Effect::SaveDraft(self.form.to_input())]
            }
            _ => {
                self.dirty = false;
                vec![]
            }
        }
    }

    fn action(&mut self, a: Action) -> Vec<Effect> {
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
            Action::OpenPicker => self.open_picker(),
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

    fn overlay_or_pane_action(&mut self, a: Action) -> Vec<Effect> {
        let today = self.today();
        let max_scroll = super::view::overlay_max_scroll(self);
        match self.overlay.as_mut() {
            Some(Overlay::Calendar(cal)) => match cal.apply(a, today) {
                CalOutcome::Stay => {}
                CalOutcome::Ignored => self.dirty = false,
                CalOutcome::Pick(d) => {
                    let field = cal.field;
                    self.overlay = None;
                    self.form
                        .set_text(field, &DateBound::Date(d).to_wire(), today);
                    self.form.touch(field);
                    return vec![Effect::SaveDraft(self.form.to_input())];
                }
                CalOutcome::Preset(p) => return self.apply_preset(p),
            },
            Some(Overlay::Picker(p)) => match a {
                Action::Up => p.cursor = p.cursor.saturating_sub(1),
                Action::Down => p.cursor = (p.cursor + 1).min(p.items.len().saturating_sub(1)),
                Action::Toggle => {
                    if let Some(item) = p.items.get_mut(p.cursor) {
                        item.1 = !item.1;
                    }
                }
                Action::Open => {
                    let chosen: Vec<String> = p
                        .items
                        .iter()
                        .filter(|(_, on)| *on)
                        .map(|(t, _)| t.clone())
                        .collect();
                    self.overlay = None;
                    self.form
                        .set_text(Field::EventType, &list::join(&chosen), today);
                    self.form.touch(Field::EventType);
                    return vec![Effect::SaveDraft(self.form.to_input())];
                }
                _ => self.dirty = false,
            },
            Some(Overlay::Detail { entry, scroll }) => match a {
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll = scroll.saturating_add(1).min(max_scroll),
                Action::CopyJob => {
                    let job = entry.created.as_ref().map(|c| c.job_id.clone());
                    return match job {
                        Some(j) => vec![Effect::Copy {
                            text: j,
                            what: "job id",
                        }],
                        None => {
                            self.status = Some(Notice::new(
                                Level::Warning,
                                "this attempt created no job: nothing to copy",
                            ));
                            vec![]
                        }
                    };
                }
                Action::CopyLinks => {
                    let mut links: Vec<String> = Vec::new();
                    if let Some(l) = entry
                        .created
                        .as_ref()
                        .and_then(|c| c.links.clone())
                        .filter(|l| !l.is_empty())
                    {
                        links.push(l);
                    }
                    if let Some(j) = &entry.job {
                        links.extend(j.files.iter().map(|f| f.url.clone()));
                    }
                    return if links.is_empty() {
                        self.status =
                            Some(Notice::new(Level::Warning, "no links on this attempt yet"));
                        vec![]
                    } else {
                        vec![Effect::Copy {
                            text: links.join("\n"),
                            what: "links",
                        }]
                    };
                }
                Action::LoadIntoForm => return self.load_entry_into_form(),
                _ => self.dirty = false,
            },
            Some(Overlay::Preview { scroll }) | Some(Overlay::Help { scroll }) => match a {
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll = scroll.saturating_add(1).min(max_scroll),
                Action::CopyCurl => {
                    return match self.preview_request() {
                        Ok(req) => vec![Effect::Copy {
                            text: self.curl_for(&req),
                            what: "curl command",
                        }],
                        Err(_) => {
                            self.status = Some(Notice::new(
                                Level::Warning,
                                "fix the form first: the request is not valid",
                            ));
                            vec![]
                        }
                    };
                }
                _ => self.dirty = false,
            },
            None if self.focus == Focus::History => return self.history_action(a),
            None => self.dirty = false,
        }
        vec![]
    }

    fn history_action(&mut self, a: Action) -> Vec<Effect> {
        let visible = self.visible();
        let page = visible as i64;
        let delta = match a {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Home => i64::MIN / 2,
            Action::End => i64::MAX / 2,
            Action::Open => {
                match self.history.selected_entry() {
                    Some(e) => {
                        self.overlay = Some(Overlay::Detail {
                            entry: Box::new(e.clone()),
                            scroll: 0,
                        })
                    }
                    None => self.dirty = false,
                }
                return vec![];
            }
            _ => {
                self.dirty = false;
                return vec![];
            }
        };
        match self.history.move_by(delta, visible) {
            Some((offset, limit)) => {
                self.history.loading = true;
                vec![Effect::LoadHistory { offset, limit }]
            }
            None => vec![],
        }
    }

    fn escape(&mut self) -> Vec<Effect> {
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

    fn request_quit(&mut self) -> Vec<Effect> {
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
    fn leave_focus(&mut self) {
        if let Focus::Field(f) = self.focus {
            self.form.touch(f);
        }
    }

    fn open_calendar(&mut self) {
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

    fn open_picker(&mut self) {
        let current = list::parse(self.form.value(Field::EventType));
        let mut items: Vec<(String, bool)> = KNOWN_EVENT_TYPES
            .iter()
            .map(|t| (t.to_string(), current.iter().any(|c| c == t)))
            .collect();
        for c in &current {
            if !KNOWN_EVENT_TYPES.contains(&c.as_str()) {
                items.push((c.clone(), true));
            }
        }
        self.overlay = Some(Overlay::Picker(Picker { items, cursor: 0 }));
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
        self.status = Some(Notice::new(
            Level::Info,
            format!("{}: {from} → {to} (days in {})", p.label(), self.clock.zone),
        ));
        vec![Effect::SaveDraft(self.form.to_input())]
    }

    fn load_entry_into_form(&mut self) -> Vec<Effect> {
        let Some(Overlay::Detail { entry, .. }) = &self.overlay else {
            return vec![];
        };
        match serde_json::from_str::<ExportRequest>(&entry.request_json) {
            Ok(req) => {
                let mut input = req.to_form();
                if input.format.is_none() {
                    input.format = Some(Format::default());
                }
                let id = entry.id;
                self.form = FormState::from_input(&input, self.today());
                self.overlay = None;
                self.focus = Focus::Field(Field::From);
                self.status = Some(Notice::new(
                    Level::Info,
                    format!("request of #{id} loaded: edit it, then Ctrl-S to run it again"),
                ));
                vec![Effect::SaveDraft(input)]
            }
            Err(e) => {
                self.status = Some(Notice::new(
                    Level::Error,
                    format!("cannot read that request: {e}"),
                ));
                vec![]
            }
        }
    }

    /// The request the form describes, or the fields in error.
    pub fn preview_request(&self) -> Result<ExportRequest, Vec<crate::export::Issue>> {
        validate(&self.form.to_input(), self.today()).map(|v| v.request)
    }

    /// The curl line for `req` against this environment.
    pub fn curl_for(&self, req: &ExportRequest) -> String {
        let base = crate::api::check_base_url(&self.env.base_url)
            .or_else(|_| crate::api::check_base_url(crate::api::DEFAULT_BASE_URL));
        match base {
            Ok(b) => crate::api::curl_create_export(&b, &req.to_json()),
            Err(_) => String::new(),
        }
    }

    fn submit(&mut self) -> Vec<Effect> {
        if let Some(f) = &self.in_flight {
            let secs = (self.clock.now - f.started).num_milliseconds() as f64 / 1000.0;
            self.status = Some(Notice::new(
                Level::Warning,
                format!(
                    "a request is already in flight ({secs:.1} s); not sent twice. Esc cancels it"
                ),
            ));
            return vec![];
        }
        let input = self.form.to_input();
        match validate(&input, self.today()) {
            Err(issues) => {
                self.form.touch_all();
                let fields: Vec<&str> = issues.iter().map(|i| i.field.label()).collect::<Vec<_>>();
                let mut uniq = fields.clone();
                uniq.dedup();
                if let Some(first) = issues.first() {
                    self.overlay = None;
                    self.focus = Focus::Field(first.field);
                }
                self.status = Some(
                    Notice::new(
                        Level::Error,
                        format!(
                            "not sent: fix {} ({})",
                            uniq.join(", "),
                            issues.first().map(|i| i.message.as_str()).unwrap_or("")
                        ),
                    )
                    .transient(),
                );
                vec![]
            }
            Ok(v) => {
                if let Some(why) = &self.env.blocked {
                    self.status = Some(Notice::new(Level::Error, format!("not sent: {why}")));
                    return vec![];
                }
                self.seq += 1;
                self.overlay = None;
                self.in_flight = Some(InFlight {
                    seq: self.seq,
                    started: self.clock.now,
                    attempt_id: None,
                    summary: v.request.summary(),
                });
                let warn: Vec<String> = v.warnings.iter().map(ToString::to_string).collect();
                self.status = if warn.is_empty() {
                    None
                } else {
                    Some(Notice::new(
                        Level::Warning,
                        format!("sending anyway: {}", warn.join("; ")),
                    ))
                };
                vec![
                    Effect::SaveDraft(input),
                    Effect::Submit {
                        seq: self.seq,
                        request: v.request,
                    },
                ]
            }
        }
    }

    fn submit_done(&mut self, seq: u64, outcome: SubmitOutcome) -> Vec<Effect> {
        let current = self.in_flight.as_ref().is_some_and(|f| f.seq == seq);
        if current {
            self.in_flight = None;
        }
        let mut effects = self.reload_history();
        match outcome {
            SubmitOutcome::Created(c) => {
                if c.environment_name.is_some() {
                    self.env.environment = c.environment_name.clone();
                }
                if c.environment_app_token.is_some() {
                    self.env.app_token = c.environment_app_token.clone();
                }
                if current {
                    self.status = Some(Notice::new(
                        Level::Success,
                        format!("created export job {}", c.job_id.as_deref().unwrap_or("?")),
                    ));
                    effects.push(Effect::ClearDraft);
                }
            }
            SubmitOutcome::Failed(e) => {
                if current {
                    self.status = Some(Notice::new(Level::Error, e.message));
                }
            }
        }
        effects
    }

    fn reload_history(&mut self) -> Vec<Effect> {
        let visible = self.visible();
        self.history.loading = true;
        let (offset, limit) = self.history.page_around(visible);
        vec![Effect::LoadHistory { offset, limit }]
    }

    fn load_if_needed(&mut self) -> Vec<Effect> {
        let visible = self.visible();
        match self.history.needed_page(visible) {
            Some((offset, limit)) => {
                self.history.loading = true;
                vec![Effect::LoadHistory { offset, limit }]
            }
            None => vec![],
        }
    }

    fn paste(&mut self, text: &str) -> Vec<Effect> {
        let today = self.today();
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

    fn mouse_event(&mut self, m: MouseEvent) -> Vec<Effect> {
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
                    if let Some(target) = super::view::form::focus_at_row(self, areas.form, row) {
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
