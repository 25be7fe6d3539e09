//! `src/api`: the HTTP client.

mod client;
pub(crate) mod lookup_paging;
