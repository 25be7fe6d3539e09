//! upexport: a terminal app and CLI for Userpilot's bulk data export API.
//!
//! The library holds everything both front ends share: the typed export
//! request ([`export`]), the API client ([`api`]), configuration
//! ([`config`]) and the embedded demo server ([`demo`]).

pub mod api;
pub mod config;
pub mod demo;
pub mod export;
pub mod history;
