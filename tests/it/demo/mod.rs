//! `src/demo`: the embedded demo server.

mod part_file;
mod server;
