//! What the CLI and the TUI share and neither owns: the global options,
//! the exit codes and the shutdown signals. Neither front end imports the
//! other; both import this.

mod global;
#[macro_use]
pub mod out;
mod signals;

pub use global::Global;
pub use signals::wait_for_shutdown;

/// Documented exit codes.
pub mod code {
    pub const OK: u8 = 0;
    pub const INVALID: u8 = 2;
    pub const UNAUTHORIZED: u8 = 3;
    pub const CONFLICT: u8 = 4;
    pub const API: u8 = 5;
    /// Stopped by Ctrl-C, SIGTERM or SIGHUP while waiting or downloading
    /// (128 + SIGINT).
    pub const INTERRUPTED: u8 = 130;
}
