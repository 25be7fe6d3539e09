//! The integration tests: one test crate, so the library is linked into one
//! test binary instead of one per file. Its modules mirror `src/`; what
//! cuts across the layers (faults, crashes, secrets, properties) has its
//! own module, and every helper lives in `support`.
//!
//! Everything talks to 127.0.0.1 only. Waits are on conditions under the
//! hard limits in `support`; no test sleeps to synchronise or asserts a
//! timing. Run one part with a filter: `cargo test --test it tui::`.

mod api;
mod cli;
mod demo;
mod jobs;
mod readme;
mod reliability;
mod scenarios;
mod support;
mod sync;
mod tui;
