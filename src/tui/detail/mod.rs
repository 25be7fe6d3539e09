//! The detail view of one history entry (Enter in History): outcome, job,
//! request body; copy the job id or links, load the request into the form,
//! download.

pub mod view;
