//! `src/cli`: the `upexport` binary seen from a shell.

mod commands;
mod docs;
mod history;
mod queue;
mod setup;
