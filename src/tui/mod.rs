//! The terminal app: a form with every export field, asynchronous submit,
//! and a scrollable history of every attempt. Here: getting ready before
//! the terminal is taken over ([`prepare`]) and running ([`run`]).
//!
//! `app/` holds the model and `update` (no I/O), `msg.rs` what goes in and
//! out of it, `keymap.rs` every key. Each pane and overlay has a folder of
//! its own (state, its `impl App` update, its view); `view/` draws the
//! screen around them. `runner/` runs the effects through `crate::jobs`,
//! `term/` is the terminal plumbing. docs/architecture.md ("src/tui") says
//! where a new overlay goes.

// The model, its messages, its keys, the loop.
pub mod app;
pub mod event_loop;
pub mod keymap;
pub mod msg;
pub mod theme;

// Panes and overlays, one folder each.
pub mod calendar;
pub mod conflict;
pub mod detail;
pub mod downloads;
pub mod environments;
pub mod file_preview;
pub mod first_run;
pub mod form;
pub mod help;
pub mod history;
pub mod messages;
pub mod picker;
pub mod queue;
pub mod request_preview;
pub mod sync;

// The screen around them.
pub mod view;

// Effects, terminal plumbing, the test harness.
pub mod runner;
pub mod term;
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod testing;

use std::sync::Arc;

use ratatui::layout::Rect;

use crate::api::ApiClient;
use crate::config::{
    ConfigError, EnvVars, Paths, Resolved, ensure_private_dir, resolve, resolve_without_file,
};
use crate::demo::{DemoOptions, DemoServer};
use crate::export::{FormInput, Format};
use crate::frontend::{Global, code, wait_for_shutdown};
use crate::history::HistoryStore;
use app::{App, Clock, EnvInfo};
use event_loop::Session;
use msg::Msg;
use msg::{Level, Notice};
use runner::deferred::Deferred;
use runner::{Runner, Store};
use tokio::sync::mpsc::UnboundedSender;

/// Everything the TUI needs, prepared before the terminal is taken over.
/// Slow parts (the key command, CA certificates, opening the history
/// store) are [`Deferred`]: made in the background after the first frame.
pub struct Prepared {
    pub env: EnvInfo,
    pub theme: theme::Theme,
    /// Shown first when no key is configured.
    pub first_run: Option<first_run::FirstRun>,
    pub timeouts: crate::api::Timeouts,
    /// How long one job is followed (config `max_wait`).
    pub max_wait: std::time::Duration,
    pub client: Deferred<ApiClient>,
    pub store: Deferred<Store>,
    /// The history file existed before the store began opening it.
    pub history_existed: bool,
    pub draft: FormInput,
    pub notices: Vec<Notice>,
    pub demo: Option<DemoServer>,
    /// The config file this session reads (the Sync view's syncs).
    pub config_file: std::path::PathBuf,
}

/// Resolve config and draft; set up (but do not yet make) the client, and
/// start opening the store. Problems become notices: the app starts anyway
/// so nothing typed is lost. Notices found later arrive through `tx`.
pub async fn prepare(
    global: &Global,
    paths: &Paths,
    mut env_vars: EnvVars,
    tx: UnboundedSender<Msg>,
) -> Prepared {
    let mut notices = Vec::new();
    let mut flags = global.flags();
    let demo = if global.demo {
        match DemoServer::start(DemoOptions::default()).await {
            Ok(s) => {
                flags.base_url = Some(s.base_url());
                flags.profile = None;
                env_vars.profile = None;
                env_vars.api_key = Some(s.key().to_owned());
                Some(s)
            }
            Err(e) => {
                notices.push(Notice::new(
                    Level::Error,
                    format!("demo server did not start: {e}"),
                ));
                None
            }
        }
    } else {
        None
    };
    let resolved: Result<Resolved, ConfigError> = match resolve(paths, &flags, &env_vars) {
        Ok(r) => Ok(r),
        Err(e) => {
            notices.push(Notice::new(Level::Error, format!("config ignored: {e}")));
            resolve_without_file(paths, &flags, &env_vars)
        }
    };
    let config_file = resolved
        .as_ref()
        .map_or_else(|_| paths.config_file(), |r| r.config_file.clone());
    let demo_name = demo.as_ref().map(|_| crate::demo::ENVIRONMENT_NAME);
    let (env, client, (timeouts, max_wait), first, theme_name) = match resolved {
        Ok(r) => {
            let set = runner::environments::setup(r, demo_name, tx.clone());
            notices.extend(
                set.warnings
                    .into_iter()
                    .map(|w| Notice::new(Level::Warning, w)),
            );
            (
                set.env,
                set.client,
                (set.timeouts, set.max_wait),
                set.first_run,
                set.theme_name,
            )
        }
        Err(e) => (
            EnvInfo {
                profile: "default".into(),
                base_url: crate::api::DEFAULT_BASE_URL.into(),
                blocked: Some(e.to_string()),
                ..Default::default()
            },
            Deferred::ready(Err(e.to_string())),
            (
                crate::api::Timeouts::default(),
                crate::jobs::track::DEFAULT_MAX_WAIT,
            ),
            None,
            "auto".to_owned(),
        ),
    };

    let state_dir = paths.state_dir.clone();
    let db = paths.history_db();
    let demo_url = demo.as_ref().map(DemoServer::base_url);
    // Looked at before the store starts opening (and perhaps creating) it.
    let history_existed = db.exists();
    let store = Deferred::started("history-open", move || {
        let opened = ensure_private_dir(&state_dir)
            .map_err(|e| format!("cannot create {}: {e}", state_dir.display()))
            .and_then(|()| HistoryStore::open(&db).map_err(|e| e.to_string()));
        let store = match opened {
            Ok(report) => {
                for w in report.warnings {
                    let _ = tx.send(Msg::Notice(Notice::new(Level::Warning, w)));
                }
                // The demo's own history: jobs of demo servers that stopped
                // are gone, links and all.
                if let Some(url) = &demo_url
                    && let Err(e) =
                        crate::jobs::demo_history::retire_stopped_servers(&report.store, url)
                {
                    let _ = tx.send(Msg::Notice(Notice::new(
                        Level::Warning,
                        format!("could not mark the stopped demo's jobs as expired: {e}"),
                    )));
                }
                // The visible part of the first page (an entry takes two
                // lines), read here while the terminal is being set up, so
                // the first frame need not wait on a read. The app's own
                // read, with its margin and exact count, follows and changes
                // nothing on screen.
                let rows = crossterm::terminal::size().map_or(60, |(_, h)| u32::from(h));
                let first = rows / 2 + 1;
                if let Ok(page) = runner::history::load_page(&report.store, None, 0, first) {
                    let _ = tx.send(page.into_msg());
                }
                report.store
            }
            Err(e) => {
                let _ = tx.send(Msg::Notice(Notice::new(
                    Level::Error,
                    format!("history is not being saved this session: {e}"),
                )));
                HistoryStore::open_in_memory().map_err(|e| e.to_string())?
            }
        };
        Ok(crate::jobs::SharedStore::new(store))
    });

    let (draft, warn) = runner::draft::load(&paths.draft_file());
    if let Some(w) = warn {
        notices.push(Notice::new(Level::Warning, w));
    }
    let mut draft = draft.unwrap_or_default();
    if draft.format.is_none() {
        draft.format = Some(Format::default());
    }
    let theme = theme::Theme::named(&theme_name).unwrap_or_else(|| {
        notices.push(Notice::new(
            Level::Warning,
            format!(
                "unknown theme '{theme_name}' (one of {}); using auto",
                theme::THEMES.join(", ")
            ),
        ));
        theme::Theme::from_env()
    });
    // The most severe message shows first.
    notices.sort_by_key(|n| std::cmp::Reverse(n.level as u8));
    Prepared {
        env,
        theme,
        first_run: first,
        timeouts,
        max_wait,
        client,
        store,
        history_existed,
        draft,
        notices,
        demo,
        config_file,
    }
}

/// Why the full-screen app cannot run here, if it cannot: a dumb terminal,
/// or input or output that is not a terminal (a pipe, a file).
pub fn cannot_run() -> Option<&'static str> {
    use std::io::IsTerminal;
    if std::env::var("TERM").is_ok_and(|t| t == "dumb") {
        return Some("TERM=dumb cannot show the full-screen app");
    }
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Some("no terminal to draw on");
    }
    None
}

/// `upexport` (no subcommand): run the TUI until the user quits.
pub async fn run(global: &Global) -> u8 {
    let paths = match Paths::discover_for(global.demo) {
        Ok(p) => p,
        Err(e) => {
            errln!("upexport: error: {e}");
            return code::INVALID;
        }
    };
    // A history of a newer upexport: refused before the terminal is taken
    // over (the store itself opens in the background, after the first
    // frame), so the app never starts on an empty history in its place.
    if let Err(e) = HistoryStore::check_not_newer(&paths.history_db()) {
        errln!("upexport: error: {e}");
        return code::INVALID;
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let prepared = prepare(global, &paths, EnvVars::from_process(), tx.clone()).await;
    let Prepared {
        env,
        theme: chosen_theme,
        first_run: first,
        timeouts,
        max_wait,
        client,
        store,
        history_existed,
        draft,
        notices,
        demo: _demo,
        config_file,
    } = prepared;

    let (mut terminal, guard) = match term::setup() {
        Ok(t) => t,
        Err(e) => {
            term::restore();
            errln!("upexport: error: cannot use this terminal: {e}");
            return code::INVALID;
        }
    };
    let size = terminal
        .size()
        .map(|s| Rect::new(0, 0, s.width, s.height))
        .unwrap_or_default();
    let profile = env.profile.clone();
    let mut app = App::new(&draft, env, Clock::system(), size);
    app.history.known_empty = !history_existed;
    app.theme = chosen_theme;
    if let Some(f) = first {
        app.overlay = Some(app::Overlay::FirstRun(f));
    }
    for n in &notices {
        tracing::warn!("{}", n.text);
        app.messages.push(app.clock.now, n.clone());
    }
    app.status = notices.into_iter().next();
    let runner = Runner::new(
        store,
        client,
        profile,
        Some(runner::draft::DraftWriter::spawn(paths.draft_file())),
        Box::new(term::StdoutSink {
            in_tmux: std::env::var_os("TMUX").is_some(),
        }),
        tx.clone(),
    );
    let mut runner = runner;
    runner.base_url = app.env.base_url.clone();
    runner.timeouts = timeouts;
    runner.wait.max_wait = max_wait;
    if !global.demo {
        runner.switcher = Some(Arc::new(runner::environments::Switcher {
            paths: paths.clone(),
            flags: global.flags(),
            env_vars: EnvVars::from_process(),
            tx: tx.clone(),
        }));
    }
    runner.sync_files = Some(runner::sync::SyncFiles {
        config: config_file,
        lock_dir: paths.sync_lock_dir(),
        demo: global.demo,
        demo_lake: global.demo.then(|| paths.demo_sync_lake()),
    });
    runner.lookup_cache = Some(Arc::new(crate::jobs::lookups::LookupCache::new(
        &paths.cache_dir,
        &app.env.profile,
        &app.env.base_url,
    )));
    let mut session = Session {
        app,
        runner,
        rx,
        live_clock: true,
        logged: 0,
        field_logged: None,
    };
    let events = crash_test_hook(crossterm::event::EventStream::new());
    let result = session
        .run(&mut terminal, events, wait_for_shutdown())
        .await;
    drop(terminal);
    drop(guard);
    match result {
        Ok(()) => code::OK,
        Err(e) => {
            errln!("upexport: error: terminal input failed: {e}");
            code::API
        }
    }
}

/// Test hook for the pseudo-terminal tests
/// (`tests/it/reliability/crash_and_concurrency.rs`): when
/// `UPEXPORT_CRASH_TEST=1` is set at startup, pressing F12 panics
/// inside the event loop, so the tests can check that a panic gives the
/// terminal back and keeps the draft. Without the variable the stream is
/// passed through untouched. Only in builds with the `testing` feature (the
/// tests'); in every other build the hook is not there at all (below).
#[cfg(feature = "testing")]
fn crash_test_hook<S>(events: S) -> impl futures_util::Stream<Item = S::Item> + Unpin
where
    S: futures_util::Stream<Item = std::io::Result<crossterm::event::Event>> + Unpin,
{
    use crossterm::event::{Event, KeyCode, KeyEventKind};
    use futures_util::StreamExt;
    let armed = std::env::var_os("UPEXPORT_CRASH_TEST").is_some_and(|v| v == "1");
    events.map(move |ev| {
        if armed
            && let Ok(Event::Key(k)) = &ev
            && k.code == KeyCode::F(12)
            && k.kind == KeyEventKind::Press
        {
            panic!("UPEXPORT_CRASH_TEST: F12 pressed, panicking inside the event loop");
        }
        ev
    })
}

/// Without the `testing` feature: the input stream as it is.
#[cfg(not(feature = "testing"))]
fn crash_test_hook<S>(events: S) -> S {
    events
}
