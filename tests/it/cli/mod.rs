//! `src/cli`: the `upexport` binary seen from a shell.

mod closed_pipe;
mod commands;
mod demo_apart;
mod docs;
mod downloads;
mod history;
mod json;
mod lookups;
mod preview;
mod queue;
mod ready;
mod schedule_docs;
mod settings;
mod setup;
mod sync;
mod vendor_differs;
