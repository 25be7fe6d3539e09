//! The queue: exports sent one after another as the environment frees up
//! (the API runs one export at a time), stored so it survives restarts.
//! Ctrl-Q adds the form (whole, or split by month or week); F3 shows it.

mod update;
pub mod view;

use crate::export::ExportRequest;

/// The queue dialog: the form as one export, or split.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueAdd {
    pub request: ExportRequest,
    pub monthly: Vec<ExportRequest>,
    pub weekly: Vec<ExportRequest>,
}
