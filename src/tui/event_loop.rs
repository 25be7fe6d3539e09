//! The one loop: input events and background messages in, `update`, run
//! the effects, draw only when something changed and the mailbox is empty.
//! Generic over the backend and the input stream, so tests drive it with
//! `TestBackend` and injected keys.

use std::io;

use crossterm::event::Event;
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::UnboundedReceiver;

use super::app::App;
use super::msg::Msg;
use super::runner::Runner;
use super::view;

/// How long the first frame may wait for the history's first page.
const FIRST_PAGE_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// The app, its effect runner and its mailbox.
pub struct Session {
    pub app: App,
    pub runner: Runner,
    pub rx: UnboundedReceiver<Msg>,
    /// Stamp the wall clock before each update (off in tests: fixed time).
    pub live_clock: bool,
    /// Status-line messages written to the log so far.
    pub logged: u64,
    /// The focused field's message last written to the log.
    pub field_logged: Option<String>,
}

/// Turn a terminal event into a message (`None`: nothing to do).
pub fn to_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Paste(p) => Some(Msg::Paste(p)),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

impl Session {
    /// Update with one message and run its effects.
    pub fn handle(&mut self, msg: Msg) {
        if self.live_clock {
            self.app.clock.now = chrono::Utc::now();
        }
        let effects = self.app.update(msg);
        self.log_messages();
        self.runner.run(effects);
        self.runner.sync_ticker(self.app.in_flight.is_some());
        self.runner.sync_watch(self.app.sync_view_open());
    }

    /// Each new status-line message, and each new message of the focused
    /// field, in full to the log file, at debug level
    /// (`UPEXPORT_LOG=upexport::status=debug`; the tour test compares the
    /// screen with it): a field's message may quote what was typed.
    fn log_messages(&mut self) {
        if !tracing::enabled!(target: "upexport::status", tracing::Level::DEBUG) {
            self.logged = self.app.messages.count;
            return;
        }
        for l in self.app.messages.since(self.logged) {
            tracing::debug!(target: "upexport::status", "{}", l.notice.text);
            if let Some(d) = &l.notice.detail {
                tracing::debug!(target: "upexport::status::detail", "{d}");
            }
        }
        self.logged = self.app.messages.count;
        let field = self.app.field_message().map(|(_, text)| text);
        if field != self.field_logged {
            if let Some(text) = &field {
                tracing::debug!(target: "upexport::status", "{text}");
            }
            self.field_logged = field;
        }
    }

    /// Handle every message already waiting. Returns true if any arrived.
    pub fn drain(&mut self) -> bool {
        let mut any = false;
        while let Ok(m) = self.rx.try_recv() {
            self.handle(m);
            any = true;
        }
        any
    }

    /// Draw if the last updates changed anything.
    pub fn draw_if_dirty<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> io::Result<()> {
        if self.app.dirty {
            self.app.dirty = false;
            terminal
                .draw(|f| view::draw(f, &self.app))
                .map_err(|e| io::Error::other(e.to_string()))?;
        }
        Ok(())
    }

    /// Run until quit, end of input, or `shutdown` resolves.
    pub async fn run<B, S, F>(
        &mut self,
        terminal: &mut Terminal<B>,
        mut events: S,
        shutdown: F,
    ) -> io::Result<()>
    where
        B: Backend,
        S: Stream<Item = io::Result<Event>> + Unpin,
        F: std::future::Future<Output = ()>,
    {
        let effects = self.app.init();
        self.runner.run(effects);
        // The history page is usually a few milliseconds away (the store
        // opens while the terminal is set up): wait for it, briefly, so the
        // first frame is the whole screen rather than "loading…" and a
        // second frame.
        let deadline = tokio::time::Instant::now() + FIRST_PAGE_WAIT;
        while self.app.history.loading {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(m)) => self.handle(m),
                _ => break,
            }
        }
        self.drain();
        self.app.dirty = true;
        self.draw_if_dirty(terminal)?;
        self.runner.warm_up();
        tokio::pin!(shutdown);
        let mut shutting_down = false;
        loop {
            tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(ev)) => {
                        if let Some(m) = to_msg(ev) {
                            self.handle(m);
                        }
                    }
                    Some(Err(e)) => return Err(e),
                    None => break,
                },
                Some(m) = self.rx.recv() => self.handle(m),
                () = &mut shutdown, if !shutting_down => {
                    shutting_down = true;
                    self.handle(Msg::Terminate);
                }
            }
            self.drain();
            if self.app.quit {
                break;
            }
            self.draw_if_dirty(terminal)?;
        }
        self.runner.finish();
        Ok(())
    }
}
