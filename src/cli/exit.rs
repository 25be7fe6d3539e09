//! Exit codes and the one error type commands return.

use crate::api::ApiError;
use crate::config::ConfigError;

pub use crate::frontend::code;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("history: {0}")]
    History(String),
    /// Some files of a download failed; each was reported already (and
    /// the `--json` summary, printed already, lists them).
    #[error("{message}")]
    Download { message: String, json: bool },
    #[error("{0}")]
    Interrupted(String),
    /// A lookup whose paging stopped early and may be cut off; its items
    /// were printed already (as JSON too with `--json`).
    #[error("{message}")]
    Incomplete { message: String, json: bool },
    /// A file that `preview` cannot read (whole or in part); what could be
    /// read was printed already (as JSON too with `--json`).
    #[error("{message}")]
    File { message: String, json: bool },
    /// `doctor` found problems; its report (text or JSON) is printed
    /// already and `code` is the most relevant one's exit code.
    #[error("{message}")]
    Checks {
        code: u8,
        message: String,
        json: bool,
    },
}

impl From<crate::jobs::track::TrackError> for CliError {
    fn from(e: crate::jobs::track::TrackError) -> Self {
        match e {
            crate::jobs::track::TrackError::Api(e) => CliError::Api(e),
            crate::jobs::track::TrackError::History(e) => e.into(),
        }
    }
}

impl From<crate::history::HistoryError> for CliError {
    /// A queue item that does not exist or is in the wrong state is the
    /// caller's mistake, and a history file of a newer upexport a setup
    /// problem (exit 2); anything else is the database's (exit 5).
    fn from(e: crate::history::HistoryError) -> Self {
        use crate::history::HistoryError as H;
        match e {
            H::NoSuchQueueItem { .. } | H::QueueItemState { .. } | H::Newer { .. } => {
                CliError::Invalid(e.to_string())
            }
            e => CliError::History(e.to_string()),
        }
    }
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid(_) | CliError::File { .. } => code::INVALID,
            // An unreadable key file is a key problem, as `doctor` says.
            CliError::Config(
                ConfigError::NoKey { .. }
                | ConfigError::KeyCommand { .. }
                | ConfigError::Io {
                    what: "key file", ..
                },
            ) => code::UNAUTHORIZED,
            CliError::Config(_) => code::INVALID,
            CliError::Api(ApiError::Unauthorized { .. }) => code::UNAUTHORIZED,
            CliError::Api(ApiError::Conflict { .. }) => code::CONFLICT,
            CliError::Api(ApiError::InvalidBaseUrl { .. }) => code::INVALID,
            CliError::Api(_)
            | CliError::History(_)
            | CliError::Download { .. }
            | CliError::Incomplete { .. } => code::API,
            CliError::Interrupted(_) => code::INTERRUPTED,
            CliError::Checks { code, .. } => *code,
        }
    }

    /// True when the command already printed its JSON answer (which
    /// carries the error), so none is added.
    pub fn json_printed(&self) -> bool {
        matches!(
            self,
            CliError::Download { json: true, .. }
                | CliError::File { json: true, .. }
                | CliError::Checks { json: true, .. }
                | CliError::Incomplete { json: true, .. }
        )
    }

    /// The error as JSON, for `--json` callers (docs/json.md).
    pub fn to_json(&self) -> String {
        let (kind, status) = match self {
            CliError::Invalid(_) => ("invalid_input", None),
            CliError::Config(ConfigError::NoKey { .. }) => ("no_key", None),
            CliError::Config(_) => ("config", None),
            CliError::Api(e) => (e.kind().as_str(), e.http_status()),
            CliError::History(_) => ("history", None),
            CliError::Download { .. } => ("download", None),
            CliError::File { .. } => ("file", None),
            CliError::Incomplete { .. } => ("incomplete", None),
            CliError::Interrupted(_) => ("interrupted", None),
            CliError::Checks { .. } => ("checks", None),
        };
        super::json::line(&super::json::ErrorJson {
            error: super::json::ErrorOut {
                kind: kind.to_owned(),
                http_status: status,
                message: self.to_string(),
            },
        })
    }
}
