//! The commands upexport suggests ("see `upexport jobs`", "look again with
//! `upexport status ID`") carry the global flags this process was started
//! with that choose the server, the profile, the config and the history
//! (`--demo`, `--profile`, `--base-url`, `--config`): following a
//! suggestion asks the same server and reads the same history, never the
//! default profile's production.
//!
//! The flags are set once, by `main`, before anything runs ([`set`]); in
//! tests that never set them the suggestions are bare `upexport …`. With
//! `--demo` the server lives only as long as the process: a command about
//! one of its jobs cannot reach that job later, so [`job`] says so instead
//! of suggesting one that would fail.

use std::path::PathBuf;
use std::sync::OnceLock;

/// The flags that decide where a command goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    pub demo: bool,
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub config: Option<PathBuf>,
}

impl Reach {
    /// The flags as a shell would need them, each followed by a space.
    fn flags(&self) -> String {
        let mut out = String::new();
        if let Some(c) = &self.config {
            out.push_str(&format!(
                "--config {} ",
                shell_word(&c.display().to_string())
            ));
        }
        if self.demo {
            // The demo replaces the profile and the server.
            out.push_str("--demo ");
            return out;
        }
        if let Some(p) = &self.profile {
            out.push_str(&format!("--profile {} ", shell_word(p)));
        }
        if let Some(u) = &self.base_url {
            out.push_str(&format!("--base-url {} ", shell_word(u)));
        }
        out
    }

    /// `upexport [flags] rest`.
    pub fn cmd(&self, rest: &str) -> String {
        format!("upexport {}{rest}", self.flags())
    }

    /// [`Reach::cmd`] for a command about one job of this server, in
    /// backquotes; with `--demo`, why there is none.
    pub fn job(&self, rest: &str) -> String {
        if self.demo {
            DEMO_GONE.to_owned()
        } else {
            format!("`{}`", self.cmd(rest))
        }
    }
}

/// What `--demo` says instead of a command about one of its jobs.
pub const DEMO_GONE: &str = "(the demo server stops with this command, and its jobs with it; \
to follow a demo job from other commands, run `upexport demo-server` and pass its URL with --base-url)";

static REACH: OnceLock<Reach> = OnceLock::new();

/// Set the process's flags (once; later calls are ignored).
pub fn set(reach: Reach) {
    let _ = REACH.set(reach);
}

/// The process's flags (none when never set).
pub fn reach() -> Reach {
    REACH.get().cloned().unwrap_or_default()
}

/// `upexport [flags] rest` with this process's flags.
pub fn cmd(rest: &str) -> String {
    REACH
        .get()
        .map_or_else(|| format!("upexport {rest}"), |r| r.cmd(rest))
}

/// [`Reach::job`] with this process's flags.
pub fn job(rest: &str) -> String {
    REACH
        .get()
        .map_or_else(|| format!("`upexport {rest}`"), |r| r.job(rest))
}

/// `s` as one shell word: as it is when plain, else single-quoted.
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@~%".contains(c));
    if plain {
        s.to_owned()
    } else {
        crate::api::shell_quote(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_carry_the_flags_that_reach_the_same_server() {
        let r = Reach {
            profile: Some("eu".into()),
            base_url: Some("http://127.0.0.1:4000".into()),
            config: Some("/tmp/my conf.toml".into()),
            demo: false,
        };
        assert_eq!(
            r.cmd("jobs"),
            "upexport --config '/tmp/my conf.toml' --profile eu --base-url http://127.0.0.1:4000 jobs"
        );
        assert_eq!(
            r.job("status J"),
            "`upexport --config '/tmp/my conf.toml' --profile eu --base-url http://127.0.0.1:4000 status J`"
        );
        assert_eq!(Reach::default().cmd("jobs"), "upexport jobs");
    }

    #[test]
    fn the_demo_reaches_its_own_history_but_not_its_jobs_later() {
        let r = Reach {
            demo: true,
            profile: Some("ignored".into()),
            ..Reach::default()
        };
        assert_eq!(r.cmd("history"), "upexport --demo history");
        assert_eq!(r.job("status J"), DEMO_GONE);
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("a/b.c"), "a/b.c");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
