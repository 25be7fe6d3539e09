//! The job workflow both front ends call: submit with its write-ahead
//! history row ([`submit`]), following jobs ([`track`]), the export queue
//! and what a failed queued item becomes ([`queue`]), fetching a job's
//! files ([`fetch`]) and describing them for analysis tools
//! ([`manifest`], [`merge`]), reading downloaded files ([`file_preview`])
//! and lookups cached per profile ([`lookups`]).
//!
//! Nothing here knows about a terminal: the CLI prints the events these
//! functions report, the TUI's runner turns them into messages. Steps on
//! the history store are synchronous (the CLI holds the store across
//! awaits; the TUI runs them on a blocking thread behind a lock); steps on
//! the network are async.

pub mod fetch;
pub mod file_preview;
pub mod lookups;
pub mod manifest;
pub mod merge;
pub mod queue;
pub mod store;
pub mod submit;
pub mod track;
pub use store::{SharedStore, StoreAccess};
