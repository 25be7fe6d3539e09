//! `src/cli`: the `upexport` binary seen from a shell.

mod commands;
mod docs;
mod lookups;
mod queue;
mod setup;
