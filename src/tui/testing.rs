//! Drive the whole TUI without a terminal: `TestBackend`, injected keys,
//! and the real effect runner (history store, API client). Used by the
//! integration tests and snapshots; waits on conditions, never on sleeps.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use super::app::{App, Clock, EnvInfo};
use super::event_loop::Session;
use super::msg::Msg;
use super::runner::deferred::Deferred;
use super::runner::{RecordingSink, Runner};
use super::theme::Theme;
use crate::api::ApiClient;
use crate::export::FormInput;
use crate::history::HistoryStore;

/// 2026-11-27 09:14 UTC: the fixed "now" of tests and snapshots.
pub fn fixed_clock() -> Clock {
    let now: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 11, 27, 9, 14, 0)
        .single()
        .unwrap_or_default();
    Clock {
        now,
        offset: FixedOffset::east_opt(0).unwrap_or_else(|| *Utc::now().fixed_offset().offset()),
        zone: "UTC".into(),
    }
}

pub struct Harness {
    pub session: Session,
    pub terminal: Terminal<TestBackend>,
    pub sink: RecordingSink,
}

impl Harness {
    /// A TUI of `w`x`h` over `store` (and `client`, if requests may go out).
    /// Must run inside a Tokio runtime.
    pub fn new(
        w: u16,
        h: u16,
        store: HistoryStore,
        client: Option<ApiClient>,
        env: EnvInfo,
        draft: &FormInput,
    ) -> Harness {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let sink = RecordingSink::default();
        let mut app = App::new(draft, env.clone(), fixed_clock(), Rect::new(0, 0, w, h));
        app.theme = Theme::MONO;
        let client = Deferred::ready(client.ok_or_else(|| "no API key (test harness)".to_owned()));
        let store = Deferred::ready(Ok(crate::jobs::SharedStore::new(store)));
        let mut runner = Runner::new(store, client, env.profile, None, Box::new(sink.clone()), tx);
        runner.base_url = env.base_url.clone();
        let mut session = Session {
            app,
            runner,
            rx,
            live_clock: false,
            logged: 0,
            field_logged: None,
        };
        let effects = session.app.init();
        session.runner.run(effects);
        let terminal = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(e) => panic!("test backend: {e}"),
        };
        Harness {
            session,
            terminal,
            sink,
        }
    }

    pub fn app(&self) -> &App {
        &self.session.app
    }

    pub fn send(&mut self, msg: Msg) {
        self.session.handle(msg);
        self.session.drain();
    }

    pub fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    pub fn ctrl(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    pub fn shift_tab(&mut self) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::BackTab,
            KeyModifiers::SHIFT,
        )));
    }

    /// Type each character as a key press.
    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn paste(&mut self, s: &str) {
        self.send(Msg::Paste(s.to_owned()));
    }

    pub fn resize(&mut self, w: u16, h: u16) {
        self.terminal.backend_mut().resize(w, h);
        self.send(Msg::Resize(w, h));
    }

    /// Process background messages until `cond` holds; false on timeout.
    pub async fn wait_until(&mut self, timeout: Duration, cond: impl Fn(&App) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while !cond(&self.session.app) {
            match tokio::time::timeout_at(deadline, self.session.rx.recv()).await {
                Ok(Some(m)) => {
                    self.session.handle(m);
                    self.session.drain();
                }
                _ => return cond(&self.session.app),
            }
        }
        true
    }

    /// Draw and return the screen as text, one line per row. The frame is
    /// drawn whole (not as a diff against the last one), so cells a wide
    /// character once covered cannot leave stale text in the test buffer.
    pub fn screen(&mut self) -> String {
        if let Err(e) = self.terminal.clear() {
            panic!("clear failed: {e}");
        }
        self.session.app.dirty = true;
        if let Err(e) = self.session.draw_if_dirty(&mut self.terminal) {
            panic!("draw failed: {e}");
        }
        buffer_text(self.terminal.backend().buffer())
    }
}

/// A buffer's symbols as lines (trailing spaces trimmed). The cells a
/// wide character covers are skipped: a terminal shows the character over
/// them, and `TestBackend` keeps whatever was there before.
pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    use unicode_width::UnicodeWidthStr;
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut hidden = 0;
        for x in area.left()..area.right() {
            if hidden > 0 {
                hidden -= 1;
                continue;
            }
            let symbol = buf[(x, y)].symbol();
            hidden = symbol.width().saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
