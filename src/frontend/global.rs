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

    /// Config file [env: UPEXPORT_CONFIG] [default:
    /// $XDG_CONFIG_HOME/upexport/config.toml, XDG_CONFIG_HOME being
    /// ~/.config when unset (~/Library/Application Support on macOS)]
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

    /// The terminal app's colours [env: UPEXPORT_THEME] [default: the
    /// config's theme, else auto]
    #[arg(
        help_heading = "Global options",
        long,
        global = true,
        value_name = "THEME",
        value_parser = clap::builder::PossibleValuesParser::new(crate::config::THEMES)
    )]
    pub theme: Option<String>,

    /// Quiet: print only the output and errors (no notes, warnings or
    /// progress on stderr), e.g. for cron
    #[arg(
        help_heading = "Global options",
        short,
        long,
        global = true,
        conflicts_with = "verbose"
    )]
    pub quiet: bool,

    /// More detail on stderr: each request and its answer (-vv: more);
    /// never a header, so never the key
    #[arg(help_heading = "Global options", short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Line mode instead of the TUI: asks for each field on stderr and
    /// reads the answers line by line from stdin (screen readers, slow
    /// links, scripts)
    #[arg(help_heading = "Global options", long, global = true)]
    pub plain: bool,
}

impl Global {
    /// The flags as the config resolver takes them.
    pub fn flags(&self) -> crate::config::Flags {
        crate::config::Flags {
            profile: self.profile.clone(),
            base_url: self.base_url.clone(),
            config: self.config.clone(),
            theme: self.theme.clone(),
        }
    }

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
