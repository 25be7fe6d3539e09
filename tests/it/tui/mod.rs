//! `src/tui`: `App::update` on its own, the whole loop through the harness
//! (`upexport::tui::testing`), snapshots, the lean backend, and the real
//! binary in tmux.

mod big_form;
mod event_loop;
mod jobs;
mod lean_backend;
mod snapshots;
mod tmux;
mod update;
