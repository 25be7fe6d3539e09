//! The Userpilot export API client: create export, job status, job list,
//! lookups and downloads, with timeouts, body caps and actionable errors.

mod body;
mod client;
mod curl;
mod download;
mod download_record;
mod error;
mod error_kind;
mod key;
mod paging;
pub mod probe;
mod tally;
mod types;

pub use body::{MAX_JSON_BODY, MAX_LIST_BODY, excerpt, sanitise};
pub use client::{
    ApiClient, DEFAULT_BASE_URL, EXPORTS_PATH, Timeouts, check_base_url, normalise_base_url,
};
pub use curl::{curl_create_export, shell_quote};
pub use download::{
    DownloadOptions, DownloadProgress, Downloaded, decompressed_name, partial_path,
};
pub use download_record::{
    DownloadRecord, OnDisk, Resume, Saved, decide, on_disk, read_record, record_path,
};
pub use error::{ApiError, host_port as host_port_of};
pub use error_kind::{ErrorKind, UnknownKind};
pub use key::ApiKey;
pub use paging::{EarlyStop, Lookup, MAX_LOOKUP_PAGES};
pub(crate) use tally::Tallied;
pub use tally::{FileTally, Tally, tally_file};
pub use types::{
    CreatedJob, JobState, JobStatus, JobSummary, LOOKUPS, LookupPage, PresignedUrl, is_paginated,
    progress_words, safe_component,
};
