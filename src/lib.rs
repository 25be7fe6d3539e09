//! upexport: a terminal app and CLI for Userpilot's bulk data export API.
//!
//! The library holds everything both front ends share: the typed export
//! request ([`export`]), the API client ([`api`]), configuration
//! ([`config`]), the history store ([`history`]), the one job workflow
//! ([`jobs`]: submit, track, queue, fetch, file preview, lookups) and the
//! embedded demo server ([`demo`]). The CLI ([`cli`]) and the TUI ([`tui`])
//! are thin layers on top; what they share ([`frontend`]: global options,
//! exit codes, shutdown signals) lives apart, so neither imports the other.
//! See ARCHITECTURE.md for the layers and where each kind of change goes.

pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod export;
pub mod frontend;
pub mod history;
pub mod human;
pub mod jobs;
pub mod logging;
pub mod sync;
pub mod tui;
pub mod version;
