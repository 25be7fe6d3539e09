//! What every command needs: paths, the resolved profile, a client, the
//! history store, and the demo server when `--demo` is on.

use crate::api::{ApiClient, ApiKey};
use crate::config::{EnvVars, Flags, Paths, Resolved, ensure_private_dir, resolve};
use crate::demo::{DemoOptions, DemoServer};
use crate::history::HistoryStore;

use super::args::Global;
use super::exit::CliError;

pub struct Context {
    pub paths: Paths,
    pub resolved: Resolved,
    /// Kept alive for the command's lifetime.
    pub demo: Option<DemoServer>,
}

/// Print a warning on stderr (the CLI) — the TUI shows them in its status line.
pub fn warn(w: &str) {
    noteln!("upexport: warning: {w}");
}

/// The flags as the resolver sees them; with `--demo`, the embedded server
/// started and put in place of the base URL, profile and key.
pub(super) async fn flags_and_env(
    global: &Global,
    mut env: EnvVars,
) -> Result<(Flags, EnvVars, Option<DemoServer>), CliError> {
    let mut flags = global.flags();
    let demo = if global.demo {
        let server = DemoServer::start(DemoOptions::default())
            .await
            .map_err(|e| CliError::Invalid(format!("could not start the demo server: {e}")))?;
        flags.base_url = Some(server.base_url());
        flags.profile = None;
        env.profile = None;
        env.api_key = Some(server.key().to_owned());
        Some(server)
    } else {
        None
    };
    Ok((flags, env, demo))
}

impl Context {
    pub async fn new(global: &Global) -> Result<Context, CliError> {
        let paths = Paths::discover_for(global.demo)?;
        Self::with_paths(global, paths, EnvVars::from_process()).await
    }

    pub async fn with_paths(
        global: &Global,
        paths: Paths,
        env: EnvVars,
    ) -> Result<Context, CliError> {
        let (flags, env, demo) = flags_and_env(global, env).await?;
        let mut resolved = resolve(&paths, &flags, &env)?;
        if demo.is_some() {
            resolved.profile = "demo".into();
        }
        for w in &resolved.warnings {
            warn(w);
        }
        resolved.warnings.clear();
        let ctx = Context {
            paths,
            resolved,
            demo,
        };
        if let Some(d) = &ctx.demo {
            // The demo's own history: jobs of demo servers that stopped are
            // gone, links and all.
            let store = ctx.store()?;
            if let Err(e) = crate::jobs::demo_history::retire_stopped_servers(&store, &d.base_url())
            {
                warn(&format!(
                    "could not mark the stopped demo's jobs as expired: {e}"
                ));
            }
        }
        Ok(ctx)
    }

    /// A client for the resolved profile (fetches the key).
    pub fn client(&mut self) -> Result<ApiClient, CliError> {
        let key: ApiKey = self.resolved.load_key()?;
        for w in self.resolved.warnings.drain(..) {
            warn(&w);
        }
        Ok(ApiClient::new(
            &self.resolved.base_url,
            key,
            self.resolved.timeouts,
        )?)
    }

    /// The history store (created on first use).
    pub fn store(&self) -> Result<HistoryStore, CliError> {
        ensure_private_dir(&self.paths.state_dir).map_err(|e| {
            CliError::History(format!(
                "cannot create {}: {e}",
                self.paths.state_dir.display()
            ))
        })?;
        let report = HistoryStore::open(&self.paths.history_db())?;
        for w in &report.warnings {
            warn(w);
        }
        Ok(report.store)
    }
}
