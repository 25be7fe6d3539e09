//! `src/api`: the HTTP client.

mod body_caps;
mod client;
pub(crate) mod lookup_paging;
mod resume;
