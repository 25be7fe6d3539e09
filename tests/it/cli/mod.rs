//! `src/cli`: the `upexport` binary seen from a shell.

mod commands;
mod docs;
mod downloads;
mod history;
mod lookups;
mod preview;
mod queue;
mod setup;
mod vendor_differs;
