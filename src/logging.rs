//! Logs go to a daily file in the state directory (never to the terminal,
//! which the TUI owns): `$XDG_STATE_HOME/upexport/logs/upexport.YYYY-MM-DD.log`
//! (UTC days). The last [`MAX_LOG_FILES`] are kept; older ones are removed
//! when a run starts and at each daily rollover, so the directory stays
//! bounded. Filter with `UPEXPORT_LOG` or `RUST_LOG` (e.g.
//! `UPEXPORT_LOG=debug`; default `upexport=info`). Headers are never
//! logged, so the key is not.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::config::{Paths, ensure_private_dir};

/// How many daily log files are kept.
pub const MAX_LOG_FILES: usize = 7;

/// Lines the background log writer queues before a logging call waits.
const LOG_QUEUE_LINES: usize = 1024;

/// Start logging; keep the guard alive until exit so lines are flushed.
/// Logging is best-effort: a read-only state directory must not stop the app.
pub fn init(paths: &Paths) -> Option<WorkerGuard> {
    let dir = paths.log_dir();
    ensure_private_dir(&dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("upexport")
        .filename_suffix("log")
        .max_log_files(MAX_LOG_FILES)
        .build(&dir)
        .ok()?;
    // The default queue holds 128,000 lines: a 4 MB allocation touched at
    // start (about 8 ms before the first frame, and 4 MB of RSS). The app
    // logs a few lines a minute; when this queue is full, lines wait.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(false)
        .finish(appender);
    let filter = std::env::var("UPEXPORT_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("upexport=info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
