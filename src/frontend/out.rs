//! Printing that never panics (`println!` does, on a closed pipe):
//! [`outln!`](crate::outln) and [`out!`](crate::out) write to stdout,
//! [`errln!`](crate::errln) and [`errout!`](crate::errout) to stderr.
//!
//! - stdout closed by its reader (`upexport history | head -1`): the
//!   command stops quietly, exit 0: the reader has all it wanted. What was
//!   done is kept as after any stop (history rows are written before
//!   requests go out; a partial download resumes).
//! - stdout failing otherwise (a full disk): said on stderr, exit 5.
//! - stderr failing: ignored (there is nowhere to say so; stdout may still
//!   be read).
//!
//! [`noteln!`](crate::noteln) and [`noteout!`](crate::noteout) write notes,
//! warnings and progress to stderr, unless `-q` asked for quiet
//! ([`set_quiet`]): then only the output and errors are printed.
//!
//! The CLI and `main` use only these (clippy's `print_stdout` and
//! `print_stderr` are denied there).

use std::fmt;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use super::code;

/// Write to stdout; see the module's rules for a failure.
pub fn stdout(args: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        stdout_failed(&e);
    }
}

/// Write to stderr; a failure is ignored.
pub fn stderr(args: fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

static QUIET: AtomicBool = AtomicBool::new(false);

/// `-q`: leave out notes, warnings and progress.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `-q` was given.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// A note, warning or progress on stderr, unless quiet.
pub fn note(args: fmt::Arguments<'_>) {
    if !quiet() {
        stderr(args);
    }
}

/// What a failed write to stdout does: stop quietly when the reader has
/// gone, else say why and exit 5.
pub fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == ErrorKind::BrokenPipe {
        std::process::exit(i32::from(code::OK));
    }
    stderr(format_args!(
        "upexport: error: cannot write to stdout: {e}\n"
    ));
    std::process::exit(i32::from(code::API));
}

/// `println!` that stops quietly on a closed stdout.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::frontend::out::stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::frontend::out::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that stops quietly on a closed stdout.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::frontend::out::stdout(format_args!($($arg)*))
    };
}

/// `eprintln!` that ignores a closed stderr.
#[macro_export]
macro_rules! errln {
    () => {
        $crate::frontend::out::stderr(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::frontend::out::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that ignores a closed stderr.
#[macro_export]
macro_rules! errout {
    ($($arg:tt)*) => {
        $crate::frontend::out::stderr(format_args!($($arg)*))
    };
}

/// `eprintln!` for notes, warnings and progress: left out with `-q`.
#[macro_export]
macro_rules! noteln {
    ($($arg:tt)*) => {
        $crate::frontend::out::note(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` for progress: left out with `-q`.
#[macro_export]
macro_rules! noteout {
    ($($arg:tt)*) => {
        $crate::frontend::out::note(format_args!($($arg)*))
    };
}
