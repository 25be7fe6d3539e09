//! The options every command and the TUI take (clap flattens them into
//! the command line).

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// Profile (environment) from the config file [env: UPEXPORT_PROFILE]
    #[arg(
        help_heading = "Global options",
        long,
        global = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,

    /// API base URL [env: USERPILOT_BASE_URL] [default: https://appex.userpilot.io]
    #[arg(
        help_heading = "Global options",
        long,
        global = true,
        value_name = "URL"
    )]
    pub base_url: Option<String>,

    /// Config file [default: $XDG_CONFIG_HOME/upexport/config.toml]
    #[arg(
        help_heading = "Global options",
        long,
        global = true,
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// Start the embedded demo server and use it (no account needed; its
    /// own history, apart from the real one)
    #[arg(help_heading = "Global options", long, global = true)]
    pub demo: bool,

    /// Line mode instead of the TUI: asks for each field on stderr and
    /// reads the answers line by line from stdin (screen readers, slow
    /// links, scripts)
    #[arg(help_heading = "Global options", long, global = true)]
    pub plain: bool,
}

impl Global {
    /// The flags a suggested command needs to reach the same server,
    /// profile, config and history ([`crate::suggest`]).
    pub fn reach(&self) -> crate::suggest::Reach {
        crate::suggest::Reach {
            demo: self.demo,
            profile: self.profile.clone(),
            base_url: self.base_url.clone(),
            config: self.config.clone(),
        }
    }
}
