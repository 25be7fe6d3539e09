//! The export request: typed body, list and date parsing, validation.

pub mod date;
pub mod email;
pub mod format;
pub mod list;
pub mod relative_date;
pub mod request;
pub mod validate;

pub use date::DateBound;
pub use format::Format;
pub use request::{ExportRequest, Field, FormInput};
pub use validate::{
    Issue, KNOWN_EVENT_TYPES, ListCheck, Validated, check_list, validate, validate_json,
};
