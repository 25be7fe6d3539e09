//! `src/cli`: the `upexport` binary seen from a shell.

mod commands;
mod docs;
mod downloads;
mod history;
mod lookups;
mod preview;
mod queue;
mod ready;
mod setup;
mod sync;
mod vendor_differs;
