//! Listing and switching environments.

use std::sync::Arc;

use super::{Runner, on_store};
use crate::jobs::lookups::LookupCache;
use crate::tui::msg::{Level, Msg};

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
                self.lookup_cache = Some(Arc::new(LookupCache::new(&sw.paths.cache_dir, &name)));
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
