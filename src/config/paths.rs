//! Where upexport keeps its files (XDG base directories on Linux).

use std::path::{Path, PathBuf};

use super::ConfigError;

/// The folder of `--demo`'s own history, draft and caches.
pub const DEMO_DIR: &str = "demo";

/// The app's directories and the files in them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// `$XDG_CONFIG_HOME/upexport`
    pub config_dir: PathBuf,
    /// `$XDG_STATE_HOME/upexport`: history, draft, logs.
    pub state_dir: PathBuf,
    /// `$XDG_CACHE_HOME/upexport`: lookup caches.
    pub cache_dir: PathBuf,
}

impl Paths {
    /// Find the directories from the environment: `$XDG_CONFIG_HOME`,
    /// `$XDG_STATE_HOME` and `$XDG_CACHE_HOME` (each followed by
    /// `upexport`) when set to an absolute path, on every system (on macOS
    /// too, where the platform's folders under `~/Library` are used
    /// otherwise: the help names the XDG variables, so they must work);
    /// else the platform's folders (`~/.config`, `~/.local/state`,
    /// `~/.cache` on Linux).
    pub fn discover() -> Result<Paths, ConfigError> {
        let xdg = |k: &str| std::env::var_os(k);
        let platform = directories::ProjectDirs::from("", "", "upexport");
        Paths::from_vars(xdg, platform.as_ref()).ok_or(ConfigError::NoHome)
    }

    /// [`Paths::discover`] with the variables read through `var` and the
    /// platform's folders given (`None`: no home directory).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<std::ffi::OsString>,
        platform: Option<&directories::ProjectDirs>,
    ) -> Option<Paths> {
        let xdg = |k: &str| {
            var(k)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|p| p.join("upexport"))
        };
        let config_dir =
            xdg("XDG_CONFIG_HOME").or_else(|| platform.map(|d| d.config_dir().to_owned()))?;
        let state_dir = xdg("XDG_STATE_HOME").or_else(|| {
            platform.map(|d| {
                d.state_dir()
                    .unwrap_or_else(|| d.data_local_dir())
                    .to_owned()
            })
        })?;
        let cache_dir =
            xdg("XDG_CACHE_HOME").or_else(|| platform.map(|d| d.cache_dir().to_owned()))?;
        Some(Paths {
            config_dir,
            state_dir,
            cache_dir,
        })
    }

    /// [`Paths::discover`], then [`Paths::for_demo`] when `demo`.
    pub fn discover_for(demo: bool) -> Result<Paths, ConfigError> {
        let p = Paths::discover()?;
        Ok(if demo { p.for_demo() } else { p })
    }

    /// Where `--demo` keeps its history, draft and lookup caches: a
    /// `demo/` folder in the state and cache directories, so the demo's
    /// jobs never show in (or mix with) the real history. The config stays
    /// the same (theme, download folder).
    pub fn for_demo(&self) -> Paths {
        Paths {
            config_dir: self.config_dir.clone(),
            state_dir: self.state_dir.join(DEMO_DIR),
            cache_dir: self.cache_dir.join(DEMO_DIR),
        }
    }

    /// All three under one directory (tests, `--demo` sandboxes).
    pub fn under(root: &Path) -> Paths {
        Paths {
            config_dir: root.join("config"),
            state_dir: root.join("state"),
            cache_dir: root.join("cache"),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn history_db(&self) -> PathBuf {
        self.state_dir.join("history.sqlite3")
    }

    pub fn draft_file(&self) -> PathBuf {
        self.state_dir.join("draft.json")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.state_dir.join("logs")
    }

    /// Where `--demo` syncs write, whatever their destination: the demo's
    /// made-up rows never land beside real data.
    pub fn demo_sync_lake(&self) -> PathBuf {
        self.state_dir.join("sync-lake")
    }

    /// Where `upexport sync` keeps one lock file per sync (`NAME.lock`).
    pub fn sync_lock_dir(&self) -> PathBuf {
        self.state_dir.join("sync")
    }
}

/// Create `dir` (and parents) readable by the owner only.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Where downloads go when neither `--out` nor `download_dir` says:
/// `upexport/` in the user's downloads folder: `$XDG_DOWNLOAD_DIR` when set
/// (absolute), else the platform's (XDG user-dirs on Linux, `~/Downloads`
/// on macOS), else `~/Downloads`. Never the current directory: a download
/// started in a git checkout would show up in `git status`. Each job's
/// files then go in its own `<job id>/` folder below it.
pub fn default_download_dir() -> PathBuf {
    let from_env = std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let downloads = from_env
        .or_else(|| directories::UserDirs::new().and_then(|u| u.download_dir().map(Path::to_owned)))
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join("Downloads")))
        .unwrap_or_else(|| PathBuf::from("Downloads"));
    downloads.join("upexport")
}

/// Expand a leading `~/` to the home directory.
pub fn expand_home(p: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    p.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The XDG variables win on every system when set to an absolute path
    /// (macOS's platform folders are under ~/Library otherwise).
    #[test]
    fn xdg_variables_are_honoured_when_set_and_absolute() {
        let vars = |k: &str| match k {
            "XDG_CONFIG_HOME" => Some("/x/config".into()),
            "XDG_STATE_HOME" => Some("relative/state".into()),
            "XDG_CACHE_HOME" => Some("/x/cache".into()),
            _ => None,
        };
        let platform = directories::ProjectDirs::from("", "", "upexport");
        let p = Paths::from_vars(vars, platform.as_ref());
        let Some(p) = p else {
            return; // no home directory here: nothing to compare with
        };
        assert_eq!(p.config_dir, PathBuf::from("/x/config/upexport"));
        assert_eq!(p.cache_dir, PathBuf::from("/x/cache/upexport"));
        // A relative value is ignored, as the XDG spec says.
        assert_ne!(p.state_dir, PathBuf::from("relative/state/upexport"));
        assert!(p.state_dir.is_absolute(), "{:?}", p.state_dir);
        // Without a home directory and without the variables: nothing.
        assert_eq!(Paths::from_vars(|_| None, None), None);
        let all = |k: &str| vars(k).map(|_| format!("/all/{k}").into());
        let p = Paths::from_vars(all, None).unwrap_or_else(|| Paths::under(Path::new("/")));
        assert_eq!(p.state_dir, PathBuf::from("/all/XDG_STATE_HOME/upexport"));
    }
}
