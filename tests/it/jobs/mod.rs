//! `src/jobs`: the job workflow both front ends call (track, queue, fetch,
//! file preview, lookups), against the embedded demo server.

mod fetch;
mod file_preview;
mod lookups;
mod queue;
mod track;
