//! Logs go to a daily file in the state directory (never to the terminal,
//! which the TUI owns): `$XDG_STATE_HOME/upexport/logs/upexport.YYYY-MM-DD.log`
//! (UTC days). The last [`MAX_LOG_FILES`] are kept; older ones are removed
//! when a run starts and at each daily rollover, so the directory stays
//! bounded. Filter with `UPEXPORT_LOG` or `RUST_LOG` (e.g.
//! `UPEXPORT_LOG=debug`; default `upexport=info`). Headers are never
//! logged, so the key is not. A command run with `-v` also writes its
//! debug lines (each request and answer) to stderr, `-vv` its trace
//! lines; the TUI never does (it owns the terminal).

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{Paths, ensure_private_dir};

/// How many daily log files are kept.
pub const MAX_LOG_FILES: usize = 7;

/// Lines the background log writer queues before a logging call waits.
const LOG_QUEUE_LINES: usize = 1024;

/// Start logging to the daily file, and with `verbose` (the count of
/// `-v`) to stderr too; keep the guard alive until exit so lines are
/// flushed. Logging is best-effort: a read-only state directory must not
/// stop the app (the stderr lines still come).
pub fn init(paths: Option<&Paths>, verbose: u8) -> Option<WorkerGuard> {
    let file = paths.and_then(file_writer);
    let filter = std::env::var("UPEXPORT_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("upexport=info"));
    let (writer, guard) = match file {
        Some((w, g)) => (Some(w), Some(g)),
        None => (None, None),
    };
    let to_file = writer.map(|w| {
        tracing_subscriber::fmt::layer()
            .with_writer(w)
            .with_ansi(false)
            .with_filter(filter)
    });
    let to_stderr = (verbose > 0).then(|| {
        let level = if verbose == 1 {
            "upexport=debug"
        } else {
            "upexport=trace"
        };
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .without_time()
            .with_target(false)
            .with_filter(EnvFilter::new(level))
    });
    tracing_subscriber::registry()
        .with(to_file)
        .with(to_stderr)
        .try_init()
        .ok()?;
    guard
}

/// The daily file's writer, when its folder can be made.
fn file_writer(
    paths: &Paths,
) -> Option<(tracing_appender::non_blocking::NonBlocking, WorkerGuard)> {
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
    Some((writer, guard))
}
