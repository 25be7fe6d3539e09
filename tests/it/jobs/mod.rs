//! `src/jobs`: the job workflow both front ends call (track, queue, fetch,
//! file preview, lookups), against the embedded demo server.

mod fetch;
mod file_preview;
mod file_preview_bad;
mod file_preview_fixtures;
mod lookups;
mod queue;
mod track;
