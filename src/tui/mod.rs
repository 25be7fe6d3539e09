//! The terminal app: a form with every export field, asynchronous submit,
//! and a scrollable history of every attempt.

pub mod app;
pub mod calendar;
pub mod clipboard;
pub mod draft;
pub mod event_loop;
pub mod form;
pub mod history_pane;
pub mod keymap;
pub mod msg;
pub mod runner;
pub mod terminal;
#[doc(hidden)]
pub mod testing;
pub mod theme;
pub mod view;

use std::sync::{Arc, Mutex};

use ratatui::layout::Rect;

use crate::api::ApiClient;
use crate::cli::{Global, code, wait_for_shutdown};
use crate::config::{
    ConfigError, EnvVars, Flags, Paths, Resolved, ensure_private_dir, resolve, resolve_without_file,
};
use crate::demo::{DemoOptions, DemoServer};
use crate::export::{FormInput, Format};
use crate::history::HistoryStore;
use app::{App, Clock, EnvInfo};
use event_loop::Session;
use msg::{Level, Notice};
use runner::{Runner, Store};

/// Everything the TUI needs, prepared before the terminal is taken over.
pub struct Prepared {
    pub env: EnvInfo,
    pub client: Option<ApiClient>,
    pub store: Store,
    pub draft: FormInput,
    pub notices: Vec<Notice>,
    pub demo: Option<DemoServer>,
}

/// Resolve config, key, history and draft. Problems become notices: the
/// app starts anyway so nothing typed is lost.
pub async fn prepare(
    global: &Global,
    paths: &Paths,
    mut env_vars: EnvVars,
) -> Result<Prepared, String> {
    let mut notices = Vec::new();
    let mut flags = Flags {
        profile: global.profile.clone(),
        base_url: global.base_url.clone(),
        config: global.config.clone(),
    };
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
    let (mut env, client) = match resolved {
        Ok(mut r) => {
            if demo.is_some() {
                r.profile = "demo".into();
            }
            let mut env = EnvInfo {
                profile: r.profile.clone(),
                base_url: r.base_url.clone(),
                ..Default::default()
            };
            let client = match r.load_key() {
                Ok(key) => match ApiClient::new(&r.base_url, key, r.timeouts) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        env.blocked = Some(e.to_string());
                        None
                    }
                },
                Err(e) => {
                    env.blocked = Some(e.to_string());
                    None
                }
            };
            notices.extend(
                r.warnings
                    .iter()
                    .map(|w| Notice::new(Level::Warning, w.clone())),
            );
            (env, client)
        }
        Err(e) => (
            EnvInfo {
                profile: "default".into(),
                base_url: crate::api::DEFAULT_BASE_URL.into(),
                blocked: Some(e.to_string()),
                ..Default::default()
            },
            None,
        ),
    };
    if demo.is_some() {
        env.environment = Some(crate::demo::ENVIRONMENT_NAME.into());
    }

    let store = match ensure_private_dir(&paths.state_dir)
        .map_err(|e| format!("cannot create {}: {e}", paths.state_dir.display()))
        .and_then(|()| HistoryStore::open(&paths.history_db()).map_err(|e| e.to_string()))
    {
        Ok(report) => {
            notices.extend(
                report
                    .warnings
                    .into_iter()
                    .map(|w| Notice::new(Level::Warning, w)),
            );
            Some(report.store)
        }
        Err(e) => {
            notices.push(Notice::new(
                Level::Error,
                format!("history is not being saved this session: {e}"),
            ));
            HistoryStore::open_in_memory().ok()
        }
    };
    let store = match store {
        Some(s) => s,
        // Only an out-of-memory process fails to open an in-memory SQLite
        // database; there is nothing to fall back on.
        None => return Err("cannot open any history store (not even in memory)".into()),
    };

    let (draft, warn) = draft::load(&paths.draft_file());
    if let Some(w) = warn {
        notices.push(Notice::new(Level::Warning, w));
    }
    let mut draft = draft.unwrap_or_default();
    if draft.format.is_none() {
        draft.format = Some(Format::default());
    }
    if env.blocked.is_some() {
        notices.push(Notice::new(
            Level::Warning,
            "no usable API key: the form works, submitting does not (set USERPILOT_API_KEY, or api_key_file / api_key_command in the config)",
        ));
    }
    // The most severe message shows first.
    notices.sort_by_key(|n| std::cmp::Reverse(n.level as u8));
    Ok(Prepared {
        env,
        client,
        store: Arc::new(Mutex::new(store)),
        draft,
        notices,
        demo,
    })
}

/// `upexport` (no subcommand): run the TUI until the user quits.
pub async fn run(global: &Global) -> u8 {
    let paths = match Paths::discover() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("upexport: error: {e}");
            return code::INVALID;
        }
    };
    let prepared = match prepare(global, &paths, EnvVars::from_process()).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("upexport: error: {e}");
            return code::API;
        }
    };
    let Prepared {
        env,
        client,
        store,
        draft,
        notices,
        demo: _demo,
    } = prepared;

    let (mut terminal, guard) = match terminal::setup() {
        Ok(t) => t,
        Err(e) => {
            terminal::restore();
            eprintln!("upexport: error: cannot use this terminal: {e}");
            return code::INVALID;
        }
    };
    let size = terminal
        .size()
        .map(|s| Rect::new(0, 0, s.width, s.height))
        .unwrap_or_default();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let profile = env.profile.clone();
    let mut app = App::new(&draft, env, Clock::system(), size);
    app.theme = theme::Theme::from_env();
    for n in &notices {
        tracing::warn!("{}", n.text);
    }
    app.status = notices.into_iter().next();
    let runner = Runner::new(
        store,
        client,
        profile,
        Some(draft::DraftWriter::spawn(paths.draft_file())),
        Box::new(terminal::StdoutSink {
            in_tmux: std::env::var_os("TMUX").is_some(),
        }),
        tx,
    );
    let mut session = Session {
        app,
        runner,
        rx,
        live_clock: true,
    };
    let events = crossterm::event::EventStream::new();
    let result = session
        .run(&mut terminal, events, wait_for_shutdown())
        .await;
    drop(terminal);
    drop(guard);
    match result {
        Ok(()) => code::OK,
        Err(e) => {
            eprintln!("upexport: error: terminal input failed: {e}");
            code::API
        }
    }
}
