//! `src/api`: the HTTP client.

mod client;
mod resume;
