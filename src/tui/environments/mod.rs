//! The environment switcher (F5): the config's profiles, each with its own
//! key, queue and lookups.

mod update;
pub mod view;

/// A profile in the switcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    pub base_url: String,
    /// What the API last called this environment (from history).
    pub environment: Option<String>,
    pub app_token: Option<String>,
}
