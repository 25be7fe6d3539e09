//! `upexport doctor`: what this installation would do and whether it can:
//! versions, paths, the resolved profile and where each setting came from,
//! the key's source (never the key), config problems, a GET of the job
//! list, and the history store's health (and the files moved aside
//! earlier). Exits with the most relevant documented code: config (2)
//! before key (3) before network/history (5; 2 for a history file of a
//! newer upexport).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use super::args::Global;
use super::context::flags_and_env;
use super::exit::{CliError, code};
use crate::api::{ApiClient, ApiError, Timeouts};
use crate::config::{ConfigError, EnvVars, Origin, Paths, Resolved, resolve, resolve_without_file};
use crate::history::{HistoryError, HistoryStore, LATEST_VERSION};

/// The longest the connectivity check may take to connect, and in all.
const CONNECT_LIMIT: Duration = Duration::from_secs(5);
const REQUEST_LIMIT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warning,
    Error,
    Skipped,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Error => "error",
            Status::Skipped => "not checked",
        }
    }
}

/// The outcome of one check.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub status: Status,
    /// What was found, in one or more lines.
    pub messages: Vec<String>,
    /// The exit code this check asks for (0 when fine).
    #[serde(skip)]
    pub code: u8,
}

impl Check {
    fn ok(m: impl Into<String>) -> Check {
        Check {
            status: Status::Ok,
            messages: vec![m.into()],
            code: code::OK,
        }
    }

    fn error(code: u8, m: impl Into<String>) -> Check {
        Check {
            status: Status::Error,
            messages: vec![m.into()],
            code,
        }
    }

    fn skipped(m: impl Into<String>) -> Check {
        Check {
            status: Status::Skipped,
            messages: vec![m.into()],
            code: code::OK,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Versions {
    pub upexport: &'static str,
    pub cargo: &'static str,
    pub git_describe: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct PathsReport {
    pub config_file: PathBuf,
    pub config_found: bool,
    pub state_dir: PathBuf,
    pub history_db: PathBuf,
    pub logs_dir: PathBuf,
    /// Log files there now (daily files, the last
    /// [`MAX_LOG_FILES`](crate::logging::MAX_LOG_FILES) kept).
    pub log_files: usize,
    pub cache_dir: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct ProfileReport {
    pub name: String,
    /// Profiles in the config file.
    pub profiles: Vec<String>,
    pub base_url: String,
    /// `flag`, `environment`, `config file`, `default` or `demo`.
    pub base_url_from: &'static str,
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
    /// Where the key comes from (`$USERPILOT_API_KEY`, a key file, a
    /// command); never the key.
    pub key_source: Option<String>,
    /// The TUI's theme and where that came from.
    pub theme: String,
    pub theme_from: &'static str,
    /// Where downloads go without `--out`.
    pub download_dir: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct HistoryReport {
    #[serde(flatten)]
    pub check: Check,
    pub schema_version: Option<i64>,
    pub entries: Option<u64>,
    pub integrity: Option<String>,
    /// Earlier history files moved aside (damaged or not a history): kept,
    /// never read again.
    pub moved_aside: Vec<PathBuf>,
}

/// Everything `doctor` found.
#[derive(Debug, Serialize)]
pub struct Report {
    /// (`"upexport"` in `--json`: `"version"` is the shape's version.)
    #[serde(rename = "upexport")]
    pub version: Versions,
    pub paths: PathsReport,
    pub profile: ProfileReport,
    pub config: Check,
    pub key: Check,
    pub connectivity: Check,
    pub history: HistoryReport,
    pub exit_code: u8,
}

impl Report {
    /// Config before key before network and history: the first problem in
    /// that order is the one to fix first.
    fn worst(&self) -> u8 {
        [
            self.config.code,
            self.key.code,
            self.connectivity.code,
            self.history.check.code,
        ]
        .into_iter()
        .find(|c| *c != code::OK)
        .unwrap_or(code::OK)
    }

    fn problems(&self) -> Vec<String> {
        [
            ("config", &self.config),
            ("key", &self.key),
            ("connectivity", &self.connectivity),
            ("history", &self.history.check),
        ]
        .into_iter()
        .filter(|(_, c)| c.status == Status::Error)
        .map(|(name, c)| format!("{name}: {}", c.messages.join("; ")))
        .collect()
    }
}

pub async fn run(global: &Global, json: bool) -> Result<(), CliError> {
    let paths = Paths::discover_for(global.demo)?;
    let report = check(global, paths, EnvVars::from_process()).await?;
    if json {
        outln!("{}", super::json::pretty(&report));
    } else {
        print_text(&report);
    }
    match report.exit_code {
        code::OK => Ok(()),
        c => Err(CliError::Checks {
            code: c,
            message: format!("doctor found problems: {}", report.problems().join(" | ")),
            json,
        }),
    }
}

/// Run every check (the demo server, with `--demo`, lives as long as this).
pub async fn check(global: &Global, paths: Paths, env: EnvVars) -> Result<Report, CliError> {
    let (flags, env, demo) = flags_and_env(global, env).await?;
    let (mut resolved, config) = match resolve(&paths, &flags, &env) {
        Ok(r) => {
            let mut c = if r.config_found {
                Check::ok(format!("{} parsed", r.config_file.display()))
            } else {
                Check::ok(format!(
                    "{} not found: defaults in use (it is optional)",
                    r.config_file.display()
                ))
            };
            if !r.warnings.is_empty() {
                c.status = Status::Warning;
                c.messages.extend(r.warnings.iter().cloned());
            }
            (r, c)
        }
        Err(e) => {
            let r = resolve_without_file(&paths, &flags, &env)?;
            let c = Check {
                status: Status::Error,
                messages: vec![
                    e.to_string(),
                    "the settings below ignore the config file".into(),
                ],
                code: code::INVALID,
            };
            (r, c)
        }
    };
    resolved.warnings.clear();
    if demo.is_some() {
        resolved.profile = "demo".into();
    }

    let key_source = if demo.is_some() {
        Some("the demo server's key".to_owned())
    } else {
        resolved.key_source.as_ref().map(ToString::to_string)
    };
    let key = resolved.load_key();
    let key_check = match &key {
        Ok(_) => {
            let mut c = Check::ok(format!(
                "loaded from {}",
                key_source.as_deref().unwrap_or("?")
            ));
            if !resolved.warnings.is_empty() {
                c.status = Status::Warning;
                c.messages.append(&mut resolved.warnings);
            }
            c
        }
        Err(e) => Check::error(code::UNAUTHORIZED, key_problem(e)),
    };

    let connectivity = match key {
        Ok(key) => connectivity(&resolved, key).await,
        Err(_) => Check::skipped("needs a key"),
    };

    let profile = ProfileReport {
        name: resolved.profile.clone(),
        profiles: resolved.profiles.clone(),
        base_url: resolved.base_url.clone(),
        base_url_from: if demo.is_some() {
            "demo"
        } else {
            origin_text(resolved.base_url_origin)
        },
        connect_timeout_secs: resolved.timeouts.connect.as_secs(),
        request_timeout_secs: resolved.timeouts.request.as_secs(),
        key_source,
        theme: resolved.theme.clone(),
        theme_from: match resolved.theme_origin {
            Origin::Flag => "flag --theme",
            Origin::Env => "environment UPEXPORT_THEME",
            Origin::File => "config file",
            Origin::Default => "default",
        },
        download_dir: resolved.download_dir.clone(),
    };
    let history = history(&paths.history_db());
    let paths = PathsReport {
        config_file: resolved.config_file.clone(),
        config_found: resolved.config_found,
        state_dir: paths.state_dir.clone(),
        history_db: paths.history_db(),
        logs_dir: paths.log_dir(),
        log_files: count_logs(&paths.log_dir()),
        cache_dir: paths.cache_dir.clone(),
    };
    let mut report = Report {
        version: Versions {
            upexport: crate::version::VERSION,
            cargo: crate::version::CARGO_VERSION,
            git_describe: crate::version::git_describe(),
        },
        paths,
        profile,
        config,
        key: key_check,
        connectivity,
        history,
        exit_code: code::OK,
    };
    report.exit_code = report.worst();
    drop(demo);
    Ok(report)
}

fn origin_text(o: Origin) -> &'static str {
    match o {
        Origin::Flag => "flag --base-url",
        Origin::Env => "environment USERPILOT_BASE_URL",
        Origin::File => "config file",
        Origin::Default => "default",
    }
}

/// Why no key could be loaded (the message never holds the key).
fn key_problem(e: &ConfigError) -> String {
    match e {
        ConfigError::KeyCommand { .. } | ConfigError::NoKey { .. } => e.to_string(),
        other => format!("could not load the key: {other}"),
    }
}

/// A GET of the job list with short timeouts.
async fn connectivity(r: &Resolved, key: crate::api::ApiKey) -> Check {
    let timeouts = Timeouts {
        connect: r.timeouts.connect.min(CONNECT_LIMIT),
        request: r.timeouts.request.min(REQUEST_LIMIT),
        ..r.timeouts
    };
    let client = match ApiClient::new(&r.base_url, key, timeouts) {
        Ok(c) => c,
        Err(e) => return Check::error(code::INVALID, e.to_string()),
    };
    match client.jobs().await {
        Ok(jobs) => Check::ok(format!(
            "{} answered the job list ({} job{})",
            r.base_url,
            jobs.len(),
            if jobs.len() == 1 { "" } else { "s" }
        )),
        Err(e @ ApiError::Unauthorized { status: 401, .. }) => Check::error(
            code::UNAUTHORIZED,
            format!("{} reachable, key refused: {e}", r.base_url),
        ),
        Err(e @ ApiError::Unauthorized { .. }) => Check::error(
            code::UNAUTHORIZED,
            format!("{} reachable, key not allowed: {e}", r.base_url),
        ),
        Err(e @ ApiError::InvalidBaseUrl { .. }) => Check::error(code::INVALID, e.to_string()),
        Err(e) => Check::error(code::API, e.to_string()),
    }
}

/// Open the store (when the file exists: doctor creates nothing), read its
/// schema version and size, run `PRAGMA integrity_check`; list the files
/// moved aside earlier. A file of a newer upexport is a setup problem
/// (exit 2), left as it is.
fn history(db: &Path) -> HistoryReport {
    let mut report = history_file(db);
    // Read after opening: the open may have just moved one aside.
    report.moved_aside = HistoryStore::moved_aside(db);
    if !report.moved_aside.is_empty() {
        if report.check.status == Status::Ok {
            report.check.status = Status::Warning;
        }
        for p in &report.moved_aside {
            let shown = p.display().to_string();
            // Just moved by this run's open: its warning says so already.
            if report.check.messages.iter().any(|m| m.contains(&shown)) {
                continue;
            }
            report.check.messages.push(format!(
                "moved aside earlier (kept, not read; delete it once you have no use for it): {}",
                p.display()
            ));
        }
    }
    report
}

fn history_file(db: &Path) -> HistoryReport {
    let empty = |check: Check| HistoryReport {
        check,
        schema_version: None,
        entries: None,
        integrity: None,
        moved_aside: Vec::new(),
    };
    if !db.exists() {
        return empty(Check::ok(format!(
            "{} not created yet (the first submit creates it)",
            db.display()
        )));
    }
    let opened = match HistoryStore::open(db) {
        Ok(o) => o,
        Err(e @ HistoryError::Newer { .. }) => {
            return empty(Check::error(code::INVALID, e.to_string()));
        }
        Err(e) => return empty(Check::error(code::API, format!("cannot open: {e}"))),
    };
    let store = opened.store;
    let mut check = Check::ok(format!("{} opened", db.display()));
    if !opened.warnings.is_empty() {
        // E.g. a damaged file was moved aside and a new one started.
        check.status = Status::Error;
        check.code = code::API;
        check.messages.extend(opened.warnings);
    }
    let fail = |check: &mut Check, m: String| {
        check.status = Status::Error;
        check.code = code::API;
        check.messages.push(m);
    };
    let schema_version = match store.schema_version() {
        Ok(v) => Some(v),
        Err(e) => {
            fail(&mut check, e.to_string());
            None
        }
    };
    if let Some(v) = schema_version
        && v != LATEST_VERSION
    {
        fail(
            &mut check,
            format!("schema version {v}, this upexport writes {LATEST_VERSION}"),
        );
    }
    let entries = match store.count() {
        Ok(n) => Some(n),
        Err(e) => {
            fail(&mut check, e.to_string());
            None
        }
    };
    let integrity = match store.integrity_check() {
        Ok(i) => Some(i),
        Err(e) => {
            fail(&mut check, e.to_string());
            None
        }
    };
    if let Some(i) = integrity.as_deref().filter(|i| *i != "ok") {
        fail(&mut check, format!("integrity check: {i}"));
    }
    HistoryReport {
        check,
        schema_version,
        entries,
        integrity,
        moved_aside: Vec::new(),
    }
}

fn count_logs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("upexport."))
                .count()
        })
        .unwrap_or(0)
}

fn print_text(r: &Report) {
    let row = |name: &str, value: &str| outln!("  {name:<14} {value}");
    let check = |name: &str, c: &Check| {
        let mut lines = c.messages.iter();
        let first = lines.next().map(String::as_str).unwrap_or("");
        outln!("  {name:<14} {}: {first}", c.status.word());
        for l in lines {
            outln!("  {:<14} {l}", "");
        }
    };
    outln!("version");
    row("upexport", r.version.upexport);
    row(
        "git describe",
        r.version.git_describe.unwrap_or("(unknown)"),
    );
    outln!("paths");
    let found = if r.paths.config_found {
        "found"
    } else {
        "not found"
    };
    row(
        "config file",
        &format!("{} ({found})", r.paths.config_file.display()),
    );
    row("state dir", &r.paths.state_dir.display().to_string());
    row("history db", &r.paths.history_db.display().to_string());
    row(
        "logs dir",
        &format!(
            "{} ({} file{}; daily, last {} kept; more detail with UPEXPORT_LOG=debug)",
            r.paths.logs_dir.display(),
            r.paths.log_files,
            if r.paths.log_files == 1 { "" } else { "s" },
            crate::logging::MAX_LOG_FILES
        ),
    );
    row("cache dir", &r.paths.cache_dir.display().to_string());
    outln!("profile");
    let p = &r.profile;
    row("name", &p.name);
    if !p.profiles.is_empty() {
        row("in config", &p.profiles.join(", "));
    }
    row(
        "base URL",
        &format!("{} (from {})", p.base_url, p.base_url_from),
    );
    row(
        "timeouts",
        &format!(
            "connect {} s, request {} s",
            p.connect_timeout_secs, p.request_timeout_secs
        ),
    );
    row("key source", p.key_source.as_deref().unwrap_or("none"));
    row("theme", &format!("{} (from {})", p.theme, p.theme_from));
    row("downloads", &p.download_dir.display().to_string());
    outln!("checks");
    check("config", &r.config);
    check("key", &r.key);
    check("connectivity", &r.connectivity);
    check("history", &r.history.check);
    if let (Some(v), Some(n), Some(i)) = (
        r.history.schema_version,
        r.history.entries,
        r.history.integrity.as_deref(),
    ) {
        outln!(
            "  {:<14} schema version {v}, {n} entr{}, integrity {}",
            "",
            if n == 1 { "y" } else { "ies" },
            i.lines().next().unwrap_or("")
        );
    }
    match r.exit_code {
        code::OK => outln!("result: everything is fine"),
        c => outln!("result: problems found (exit {c})"),
    }
}
