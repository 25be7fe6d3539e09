//! upexport: a terminal app and CLI for Userpilot's bulk data export API.
//!
//! The library holds everything both front ends share: the typed export
//! request ([`export`]), the API client ([`api`]), configuration
//! ([`config`]), the history store ([`history`]), job tracking
//! ([`track`]), the export queue ([`queue`]), lookups cached per profile
//! ([`lookup_cache`]), fetching a job's files ([`fetch`]), previews of
//! downloaded files ([`preview`]) and the embedded demo server ([`demo`]).
//! The CLI ([`cli`]) and the TUI ([`tui`]) are thin layers on top; the CLI
//! never uses the TUI.

pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod export;
pub mod fetch;
pub mod history;
pub mod human;
pub mod logging;
pub mod lookup_cache;
pub mod preview;
pub mod queue;
pub mod record;
pub mod track;
pub mod tui;
pub mod version;
