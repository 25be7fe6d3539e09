//! Environments (config profiles): setting one up for the app (its client
//! made later, off the UI thread), listing them for the switcher,
//! switching. Never touches the key itself beyond handing its source to
//! the deferred client.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::deferred::Deferred;
use super::{Runner, on_store};
use crate::api::{ApiClient, Timeouts};
use crate::config::{EnvVars, Flags, Paths, Resolved, default_key_file, resolve};
use crate::jobs::lookups::LookupCache;
use crate::tui::app::EnvInfo;
use crate::tui::environments::ProfileInfo;
use crate::tui::first_run::FirstRun;
use crate::tui::msg::{Level, Msg, Notice};

/// One profile, ready for the app.
pub struct Setup {
    pub env: EnvInfo,
    pub client: Deferred<ApiClient>,
    pub timeouts: Timeouts,
    /// How long one job is followed (config `max_wait`).
    pub max_wait: std::time::Duration,
    /// When no key is configured.
    pub first_run: Option<FirstRun>,
    pub theme_name: String,
    pub warnings: Vec<String>,
}

/// Turn a resolved profile into what the app needs. The client (and so the
/// key command and the CA certificates) is made later, off the UI thread.
pub fn setup(mut r: Resolved, demo_name: Option<&str>, tx: UnboundedSender<Msg>) -> Setup {
    let first_run = r.key_source.is_none().then(|| {
        FirstRun::new(
            &r.profile,
            r.config_file.clone(),
            default_key_file(&r.config_file, &r.profile),
        )
    });
    if demo_name.is_some() {
        r.profile = "demo".into();
    }
    let warnings: Vec<String> = r.warnings.drain(..).collect();
    let env = EnvInfo {
        profile: r.profile.clone(),
        base_url: r.base_url.clone(),
        // Shown and used as an absolute path (the app may be started
        // from anywhere).
        download_dir: Some(
            std::path::absolute(&r.download_dir).unwrap_or_else(|_| r.download_dir.clone()),
        ),
        environment: demo_name.map(str::to_owned),
        ..Default::default()
    };
    let (timeouts, max_wait, theme_name) = (r.timeouts, r.max_wait, r.theme.clone());
    let client = Deferred::later(move || {
        let key = r.load_key().map_err(|e| e.to_string())?;
        for w in r.warnings.drain(..) {
            let _ = tx.send(Msg::Notice(Notice::new(Level::Warning, w)));
        }
        ApiClient::new(&r.base_url, key, r.timeouts).map_err(|e| e.to_string())
    });
    Setup {
        env,
        client,
        timeouts,
        max_wait,
        first_run,
        theme_name,
        warnings,
    }
}

/// Switching environments: the config as the app was started (flags and
/// environment variables), a profile chosen by name.
pub struct Switcher {
    pub paths: Paths,
    pub flags: Flags,
    pub env_vars: EnvVars,
    pub tx: UnboundedSender<Msg>,
}

impl Switcher {
    /// The profiles in the config (name and base URL).
    pub fn list(&self) -> Result<Vec<ProfileInfo>, String> {
        let any = resolve(&self.paths, &self.flags_for(None), &self.env_vars)
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for name in &any.profiles {
            if let Ok(r) = resolve(&self.paths, &self.flags_for(Some(name)), &self.env_vars) {
                out.push(ProfileInfo {
                    name: name.clone(),
                    base_url: r.base_url,
                    environment: None,
                    app_token: None,
                });
            }
        }
        Ok(out)
    }

    /// Set up profile `name` (its own key source first, as `--profile`).
    pub fn switch(&self, name: &str) -> Result<Setup, String> {
        let r = resolve(&self.paths, &self.flags_for(Some(name)), &self.env_vars)
            .map_err(|e| e.to_string())?;
        Ok(setup(r, None, self.tx.clone()))
    }

    /// Flags for `profile`: a `--base-url` given at start applies to the
    /// profile it was given with only.
    fn flags_for(&self, profile: Option<&str>) -> Flags {
        Flags {
            profile: profile.map(str::to_owned),
            base_url: None,
            config: self.flags.config.clone(),
            theme: self.flags.theme.clone(),
        }
    }
}

impl Runner {
    pub(super) fn load_profiles(&self) {
        let (switcher, store, tx) = (self.switcher.clone(), self.store.clone(), self.tx.clone());
        tokio::spawn(async move {
            let Some(sw) = switcher else {
                let _ = tx.send(Msg::ProfilesLoaded(Err(
                    "no config profiles in this session".into(),
                )));
                return;
            };
            let listed = tokio::task::spawn_blocking(move || sw.list())
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            let mut listed = match listed {
                Ok(l) => l,
                Err(e) => return drop(tx.send(Msg::ProfilesLoaded(Err(e)))),
            };
            if let Ok(store) = store.get().await {
                for p in &mut listed {
                    let name = p.name.clone();
                    if let Ok(Some((env, token))) =
                        on_store(&store, move |s| s.last_environment(&name)).await
                    {
                        p.environment = env;
                        p.app_token = token;
                    }
                }
            }
            let _ = tx.send(Msg::ProfilesLoaded(Ok(listed)));
        });
    }

    pub(super) fn switch_profile(&mut self, name: String) {
        let Some(sw) = self.switcher.clone() else {
            return;
        };
        match sw.switch(&name) {
            Ok(set) => {
                for w in set.warnings {
                    self.notice(Level::Warning, w);
                }
                self.client = set.client;
                self.profile = name.clone();
                self.base_url = set.env.base_url.clone();
                self.timeouts = set.timeouts;
                self.wait.max_wait = set.max_wait;
                self.lookup_cache = Some(Arc::new(LookupCache::new(
                    &sw.paths.cache_dir,
                    &name,
                    &self.base_url,
                )));
                let _ = self.tx.send(Msg::ProfileSwitched {
                    env: set.env,
                    first_run: set.first_run,
                });
                self.warm_up();
            }
            Err(e) => self.notice(Level::Error, format!("cannot switch to '{name}': {e}")),
        }
    }
}
