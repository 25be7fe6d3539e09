//! `src/tui`: `App::update` on its own, the whole loop through the harness
//! (`upexport::tui::testing`), snapshots, the diffing backend, and the real
//! binary in tmux.

mod big_form;
mod diff_backend;
mod event_loop;
mod file_preview;
mod formats;
mod jobs;
mod messages;
mod snapshots;
mod sync;
mod tmux;
mod tour;
mod update;
mod vendor_differs;
