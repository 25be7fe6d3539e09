//! The TOML config file: profiles with base URL, timeouts and key source.
//!
//! ```toml
//! default_profile = "production"
//! download_dir = "~/exports"
//!
//! [profiles.production]
//! api_key_command = "pass show userpilot/prod"
//!
//! [profiles.eu]
//! base_url = "https://appex-eu.example.com"
//! api_key_file = "~/.config/upexport/eu.key"
//! request_timeout_secs = 60
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;

/// The TUI's themes (`theme` in the config, `--theme`, `UPEXPORT_THEME`).
pub const THEMES: [&str; 5] = ["auto", "ansi16", "dark", "light", "mono"];

/// `max_wait = "6h"`, read as `--max-wait` is.
fn max_wait<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<std::time::Duration>, D::Error> {
    let raw = String::deserialize(d)?;
    crate::jobs::track::parse_max_wait(&raw)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// The whole config file.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    /// The TUI's theme: auto, ansi16, dark, light or mono.
    pub theme: Option<String>,
    pub download_dir: Option<PathBuf>,
    pub connect_timeout_secs: Option<u64>,
    pub request_timeout_secs: Option<u64>,
    /// How long one job is followed before giving up (`6h`, `30m`, `2d`;
    /// at most 3 days): the TUI, and the CLI unless `--max-wait` says.
    #[serde(default, deserialize_with = "max_wait")]
    pub max_wait: Option<std::time::Duration>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// `[sync.NAME]` tables: datasets `upexport sync` keeps current. Kept
    /// as written and read one by one (`sync::defined`): a broken table is
    /// that sync's error, never the whole file's (every other command
    /// goes on).
    #[serde(default)]
    pub sync: BTreeMap<String, toml::Value>,
}

/// One environment's settings.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub base_url: Option<String>,
    pub api_key_file: Option<PathBuf>,
    pub api_key_command: Option<String>,
    pub api_key_command_timeout_secs: Option<u64>,
    pub connect_timeout_secs: Option<u64>,
    pub request_timeout_secs: Option<u64>,
    pub download_dir: Option<PathBuf>,
}

impl ConfigFile {
    /// Read the file at `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ConfigError::Io {
                    path: path.to_owned(),
                    what: "config file",
                    source,
                });
            }
        };
        Self::parse(&text, path).map(Some)
    }

    /// Parse config text; errors name the file, line and column.
    pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
        let located = |e: toml::de::Error| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            ConfigError::Parse {
                path: path.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        };
        // A key must not sit in the config file: say so plainly (before the
        // generic "unknown field" message, and without echoing the value).
        let table: toml::Table = toml::from_str(text).map_err(located)?;
        let profiles = table.get("profiles").and_then(toml::Value::as_table);
        let with_key = table
            .contains_key("api_key")
            .then(|| "(top level)".to_owned())
            .or_else(|| {
                profiles?
                    .iter()
                    .find(|(_, p)| p.as_table().is_some_and(|t| t.contains_key("api_key")))
                    .map(|(name, _)| format!("profile '{name}'"))
            });
        if let Some(place) = with_key {
            let line = text
                .lines()
                .position(|l| {
                    let l = l.trim_start();
                    l.starts_with("api_key ") || l.starts_with("api_key=")
                })
                .map_or(1, |i| i + 1);
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                line,
                column: 1,
                message: format!(
                    "{place}: api_key is not read from the config file; put the key in a file (api_key_file, chmod 600), use api_key_command, or set USERPILOT_API_KEY"
                ),
            });
        }
        toml::from_str(text).map_err(located)
    }
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A warning when `path` can be read by group or others, naming the fix
/// (as ssh does for keys).
pub fn mode_warning(path: &Path, what: &str) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "{what} {} is readable by others (mode {mode:03o}); run: chmod 600 {}",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (path, what);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_profiles() {
        let c = ConfigFile::parse(
            "default_profile = \"eu\"\n[profiles.eu]\nbase_url = \"https://eu.example.com\"\napi_key_command = \"pass x\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.default_profile.as_deref(), Some("eu"));
        assert_eq!(c.profiles["eu"].api_key_command.as_deref(), Some("pass x"));
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let e = ConfigFile::parse(
            "[profiles.eu]\nbase_url = https://x\n",
            Path::new("/c/config.toml"),
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(s.contains("/c/config.toml") && s.contains("line 2"), "{s}");
    }

    #[test]
    fn unknown_keys_are_refused_with_their_place() {
        let e = ConfigFile::parse(
            "[profiles.eu]\nbase_ulr = \"https://x\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(s.contains("base_ulr") && s.contains("line 2"), "{s}");
        assert!(
            !s.contains("`api_key`"),
            "a refused key is not offered as a choice: {s}"
        );
    }

    #[test]
    fn a_key_in_the_config_is_refused_without_echoing_it() {
        let e = ConfigFile::parse(
            "[profiles.p]\napi_key = \"sentinel-abc\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("api_key_file") && !s.contains("sentinel-abc"),
            "{s}"
        );
    }
}
