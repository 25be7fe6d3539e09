//! Configuration: XDG paths, the TOML config file with named profiles, and
//! where the API key comes from.

mod file;
mod key_source;
mod paths;
mod private_file;
mod resolve;

use std::path::PathBuf;

pub use file::{ConfigFile, Profile, THEMES, mode_warning};
pub use key_source::{KEY_ENV, KeySource};
pub use paths::{Paths, default_download_dir, ensure_private_dir, expand_home};
pub use private_file::write_private;
pub use resolve::{
    EnvVars, Flags, Origin, Resolved, default_key_file, resolve, resolve_without_file,
};

/// A configuration problem, naming the file and what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}, line {line}, column {column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("cannot read {what} {}: {source}", path.display())]
    Io {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("no profile '{name}' in {} (known: {})", path.display(), if known.is_empty() { "none".to_owned() } else { known.join(", ") })]
    UnknownProfile {
        name: String,
        known: Vec<String>,
        path: PathBuf,
    },

    #[error("{detail}")]
    NoKey { detail: String },

    #[error("the key command `{command}` failed: {detail}")]
    KeyCommand { command: String, detail: String },

    #[error("cannot find the home directory: set HOME (or XDG_CONFIG_HOME and XDG_STATE_HOME)")]
    NoHome,
}
