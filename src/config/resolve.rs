//! Turning flags, environment and config file into one resolved profile.
//! Precedence: flags > environment > config file > defaults, except that a
//! profile chosen explicitly with `--profile` uses its own key source before
//! `$USERPILOT_API_KEY` (as the AWS CLI does), so a key exported for one
//! environment is not sent to another by accident.

use std::path::PathBuf;
use std::time::Duration;

use super::file::{ConfigFile, mode_warning};
use super::key_source::{KEY_ENV, KeySource};
use super::paths::expand_home;
use super::{ConfigError, Paths};
use crate::api::{ApiKey, DEFAULT_BASE_URL, Timeouts};

/// Environment variables read (injectable for tests). `Debug` hides the key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EnvVars {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub profile: Option<String>,
    /// `UPEXPORT_CONFIG`: the config file.
    pub config: Option<PathBuf>,
    /// `UPEXPORT_THEME`: the TUI's theme.
    pub theme: Option<String>,
}

impl std::fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvVars")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("profile", &self.profile)
            .field("config", &self.config)
            .field("theme", &self.theme)
            .finish()
    }
}

impl EnvVars {
    /// The process environment.
    pub fn from_process() -> EnvVars {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        EnvVars {
            api_key: var(KEY_ENV),
            base_url: var("USERPILOT_BASE_URL"),
            profile: var("UPEXPORT_PROFILE"),
            config: var("UPEXPORT_CONFIG").map(PathBuf::from),
            theme: var("UPEXPORT_THEME"),
        }
    }
}

/// Command-line overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub config: Option<PathBuf>,
    pub theme: Option<String>,
}

/// Where a setting came from (shown by `doctor` and the header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env,
    File,
    Default,
}

/// Everything a command needs to talk to one environment.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub profile: String,
    pub base_url: String,
    pub base_url_origin: Origin,
    pub timeouts: Timeouts,
    pub key_source: Option<KeySource>,
    pub download_dir: PathBuf,
    /// How long one job is followed (config `max_wait`, else 6 hours).
    pub max_wait: Duration,
    /// The TUI theme's name: `--theme`, else `UPEXPORT_THEME`, else the
    /// config's `theme`, else `auto`.
    pub theme: String,
    pub theme_origin: Origin,
    pub config_file: PathBuf,
    pub config_found: bool,
    /// Profile names in the config file.
    pub profiles: Vec<String>,
    pub warnings: Vec<String>,
    env_key: Option<ApiKey>,
}

impl Resolved {
    /// Fetch the API key from its source (may run the key command).
    pub fn load_key(&mut self) -> Result<ApiKey, ConfigError> {
        let source = self.key_source.clone().ok_or_else(|| ConfigError::NoKey {
            detail: format!(
                "no API key for profile '{}': set {KEY_ENV}, or add api_key_file / api_key_command to the profile in {} (the key is in {})",
                self.profile,
                self.config_file.display(),
                crate::api::KEY_FOUND_AT
            ),
        })?;
        source.load(self.env_key.as_ref(), &mut self.warnings)
    }
}

/// Where the first-run screen saves a profile's key (and where it is
/// looked for when nothing else names a key): `<config dir>/<profile>.key`.
pub fn default_key_file(config_file: &std::path::Path, profile: &str) -> PathBuf {
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    config_file
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."))
        .join(format!("{safe}.key"))
}

/// Resolve the profile to use.
pub fn resolve(paths: &Paths, flags: &Flags, env: &EnvVars) -> Result<Resolved, ConfigError> {
    let config_file = config_file(paths, flags, env);
    let file = ConfigFile::load(&config_file)?;
    resolve_with(config_file, file, flags, env)
}

/// Resolve as if the config file did not exist: the TUI still starts when
/// the file is broken (and says so), so no work is lost.
pub fn resolve_without_file(
    paths: &Paths,
    flags: &Flags,
    env: &EnvVars,
) -> Result<Resolved, ConfigError> {
    let config_file = config_file(paths, flags, env);
    let flags = Flags {
        profile: None,
        ..flags.clone()
    };
    resolve_with(config_file, None, &flags, env)
}

/// The config file: `--config`, else `UPEXPORT_CONFIG`, else
/// `config.toml` in the config directory.
fn config_file(paths: &Paths, flags: &Flags, env: &EnvVars) -> PathBuf {
    flags
        .config
        .clone()
        .or_else(|| env.config.clone())
        .unwrap_or_else(|| paths.config_file())
}

fn resolve_with(
    config_file: PathBuf,
    file: Option<ConfigFile>,
    flags: &Flags,
    env: &EnvVars,
) -> Result<Resolved, ConfigError> {
    let mut warnings = Vec::new();
    let config_found = file.is_some();
    if config_found && let Some(w) = mode_warning(&config_file, "config file") {
        warnings.push(w);
    }
    let file = file.unwrap_or_default();
    let profiles: Vec<String> = file.profiles.keys().cloned().collect();

    let env_profile = env.profile.clone().filter(|_| config_found);
    let explicit = flags.profile.clone().or(env_profile);
    let name = explicit
        .clone()
        .or_else(|| file.default_profile.clone())
        .or_else(|| (profiles.len() == 1).then(|| profiles[0].clone()))
        .unwrap_or_else(|| "default".to_owned());
    let profile = match file.profiles.get(&name) {
        Some(p) => p.clone(),
        None if explicit.is_none() && (name == "default" || !config_found) => Default::default(),
        None => {
            return Err(ConfigError::UnknownProfile {
                name,
                known: profiles,
                path: config_file,
            });
        }
    };

    let (base_url, base_url_origin) = if let Some(u) = &flags.base_url {
        (u.clone(), Origin::Flag)
    } else if let Some(u) = &env.base_url {
        (u.clone(), Origin::Env)
    } else if let Some(u) = &profile.base_url {
        (u.clone(), Origin::File)
    } else {
        (DEFAULT_BASE_URL.to_owned(), Origin::Default)
    };
    let (base_url, note) = crate::api::normalise_base_url(&base_url);
    warnings.extend(note);

    let secs = |v: Option<u64>, d: Duration| v.map(|s| Duration::from_secs(s.max(1))).unwrap_or(d);
    let defaults = Timeouts::default();
    let timeouts = Timeouts {
        connect: secs(
            profile.connect_timeout_secs.or(file.connect_timeout_secs),
            defaults.connect,
        ),
        request: secs(
            profile.request_timeout_secs.or(file.request_timeout_secs),
            defaults.request,
        ),
        download_idle: defaults.download_idle,
    };

    let profile_source = profile
        .api_key_file
        .as_ref()
        .map(|p| KeySource::File(expand_home(p)))
        .or_else(|| {
            profile
                .api_key_command
                .as_ref()
                .map(|c| KeySource::Command {
                    command: c.clone(),
                    timeout: Duration::from_secs(
                        profile.api_key_command_timeout_secs.unwrap_or(30),
                    ),
                })
        });
    let env_source = env.api_key.as_ref().map(|_| KeySource::Env);
    let key_source = if flags.profile.is_some() {
        profile_source.or(env_source)
    } else {
        env_source.or(profile_source)
    };
    // Last: the key file the TUI's first-run screen saves, beside the config.
    let default_key_file = default_key_file(&config_file, &name);
    let key_source = key_source.or_else(|| {
        default_key_file
            .is_file()
            .then(|| KeySource::File(default_key_file.clone()))
    });

    let download_dir = profile
        .download_dir
        .or(file.download_dir)
        .map(|p| expand_home(&p))
        .unwrap_or_else(super::paths::default_download_dir);

    let (theme, theme_origin) = if let Some(t) = &flags.theme {
        (t.clone(), Origin::Flag)
    } else if let Some(t) = &env.theme {
        (t.clone(), Origin::Env)
    } else if let Some(t) = &file.theme {
        (t.clone(), Origin::File)
    } else {
        ("auto".to_owned(), Origin::Default)
    };
    Ok(Resolved {
        theme,
        theme_origin,
        profile: name,
        base_url,
        base_url_origin,
        timeouts,
        key_source,
        download_dir,
        max_wait: file
            .max_wait
            .unwrap_or(crate::jobs::track::DEFAULT_MAX_WAIT),
        config_file,
        config_found,
        profiles,
        warnings,
        env_key: env.api_key.clone().and_then(ApiKey::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(config: &str) -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        std::fs::create_dir_all(&paths.config_dir).unwrap();
        if !config.is_empty() {
            std::fs::write(paths.config_file(), config).unwrap();
        }
        (dir, paths)
    }

    #[test]
    fn a_pasted_api_path_is_cut_from_the_base_url_with_a_note() {
        for (raw, want) in [
            (
                "https://appex.userpilot.io/api/v1",
                "https://appex.userpilot.io",
            ),
            (
                "https://appex.userpilot.io/api/v1/",
                "https://appex.userpilot.io",
            ),
            (
                "https://appex.userpilot.io/api/v1/analytics/exports",
                "https://appex.userpilot.io",
            ),
            ("http://127.0.0.1:8080/api/v1?x=1", "http://127.0.0.1:8080"),
            (
                "https://proxy.example.com/userpilot/api/v1",
                "https://proxy.example.com/userpilot",
            ),
        ] {
            let flags = Flags {
                base_url: Some(raw.into()),
                ..Default::default()
            };
            let (_d, paths) = setup("");
            let r = resolve(&paths, &flags, &EnvVars::default()).unwrap();
            assert_eq!(r.base_url, want, "{raw}");
            assert!(
                r.warnings.iter().any(|w| w.contains("is the host only")),
                "{raw}: {:?}",
                r.warnings
            );
        }
        // Untouched: no API path, or one that only looks like it.
        for raw in [
            "https://appex.userpilot.io",
            "https://h.example.com/api/v10",
        ] {
            let flags = Flags {
                base_url: Some(raw.into()),
                ..Default::default()
            };
            let (_d, paths) = setup("");
            let r = resolve(&paths, &flags, &EnvVars::default()).unwrap();
            assert_eq!(r.base_url, raw);
            assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        }
    }

    const TWO: &str = "default_profile = \"prod\"\n[profiles.prod]\napi_key_command = \"echo prod-key\"\n[profiles.eu]\nbase_url = \"https://eu.example.com\"\napi_key_command = \"echo eu-key\"\nrequest_timeout_secs = 90\n";

    #[test]
    fn no_config_gives_defaults() {
        let (_d, paths) = setup("");
        let r = resolve(&paths, &Flags::default(), &EnvVars::default()).unwrap();
        assert_eq!(r.profile, "default");
        assert_eq!(r.base_url, DEFAULT_BASE_URL);
        assert_eq!(r.base_url_origin, Origin::Default);
        assert!(r.key_source.is_none());
    }

    #[test]
    fn max_wait_comes_from_the_config_and_is_checked_there() {
        let (_d, paths) = setup("");
        let r = resolve(&paths, &Flags::default(), &EnvVars::default()).unwrap();
        assert_eq!(r.max_wait, crate::jobs::track::DEFAULT_MAX_WAIT);
        let (_d, paths) = setup("max_wait = \"90m\"\n");
        let r = resolve(&paths, &Flags::default(), &EnvVars::default()).unwrap();
        assert_eq!(r.max_wait, Duration::from_secs(90 * 60));
        let (_d, paths) = setup("max_wait = \"9d\"\n");
        let e = resolve(&paths, &Flags::default(), &EnvVars::default()).unwrap_err();
        assert!(matches!(e, ConfigError::Parse { line: 1, .. }), "{e}");
        assert!(e.to_string().contains("3 days"), "{e}");
    }

    #[test]
    fn flag_beats_env_beats_file() {
        let (_d, paths) = setup(TWO);
        let env = EnvVars {
            base_url: Some("https://env.example.com".into()),
            profile: Some("eu".into()),
            ..Default::default()
        };
        let r = resolve(&paths, &Flags::default(), &env).unwrap();
        assert_eq!(
            (r.profile.as_str(), r.base_url.as_str()),
            ("eu", "https://env.example.com")
        );
        assert_eq!(r.timeouts.request, Duration::from_secs(90));
        let flags = Flags {
            base_url: Some("https://flag.example.com".into()),
            profile: Some("prod".into()),
            ..Default::default()
        };
        let r = resolve(&paths, &flags, &env).unwrap();
        assert_eq!(
            (r.profile.as_str(), r.base_url.as_str()),
            ("prod", "https://flag.example.com")
        );
    }

    #[test]
    fn env_key_wins_unless_profile_is_explicit() {
        let (_d, paths) = setup(TWO);
        let env = EnvVars {
            api_key: Some("env-key".into()),
            ..Default::default()
        };
        let mut r = resolve(&paths, &Flags::default(), &env).unwrap();
        assert_eq!(r.load_key().unwrap().expose(), "env-key");
        let flags = Flags {
            profile: Some("eu".into()),
            ..Default::default()
        };
        let mut r = resolve(&paths, &flags, &env).unwrap();
        assert_eq!(r.load_key().unwrap().expose(), "eu-key");
    }

    #[test]
    fn the_first_run_key_file_is_used_when_nothing_else_names_a_key() {
        let (_d, paths) = setup("");
        let file = default_key_file(&paths.config_file(), "default");
        std::fs::write(&file, "saved-key\n").unwrap();
        let mut r = resolve(&paths, &Flags::default(), &EnvVars::default()).unwrap();
        assert_eq!(r.key_source, Some(KeySource::File(file)));
        assert_eq!(r.load_key().unwrap().expose(), "saved-key");
        // The environment still wins.
        let env = EnvVars {
            api_key: Some("env-key".into()),
            ..Default::default()
        };
        let mut r = resolve(&paths, &Flags::default(), &env).unwrap();
        assert_eq!(r.load_key().unwrap().expose(), "env-key");
        assert_eq!(
            default_key_file(std::path::Path::new("/c/config.toml"), "eu/../x")
                .file_name()
                .unwrap(),
            "eu____x.key"
        );
    }

    #[test]
    fn unknown_profile_lists_the_known_ones() {
        let (_d, paths) = setup(TWO);
        let flags = Flags {
            profile: Some("staging".into()),
            ..Default::default()
        };
        let e = resolve(&paths, &flags, &EnvVars::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("staging") && e.contains("eu, prod"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn readable_config_and_key_file_warn() {
        use std::os::unix::fs::PermissionsExt;
        let (d, paths) = setup("");
        let key = d.path().join("k");
        std::fs::write(&key, "file-key\n").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(
            paths.config_file(),
            format!("[profiles.default]\napi_key_file = \"{}\"\n", key.display()),
        )
        .unwrap();
        std::fs::set_permissions(paths.config_file(), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let mut r = resolve(&paths, &Flags::default(), &EnvVars::default()).unwrap();
        assert_eq!(r.load_key().unwrap().expose(), "file-key");
        let all = r.warnings.join("\n");
        assert!(
            all.contains("config file") && all.contains("chmod 600"),
            "{all}"
        );
        assert!(all.contains("key file"), "{all}");
    }
}
