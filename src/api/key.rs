//! The API key: held in memory only, never printed.

use std::fmt;

/// Where a person finds an environment's API key, said this one way
/// everywhere (the first-run screen, the 401 and missing-key messages, the
/// README): the vendor's docs call it the environment's "Environment
/// settings" page.
pub const KEY_FOUND_AT: &str = "Userpilot → Environment settings";

/// An environment's API key. `Debug` and `Display` print `[redacted]`, so
/// the key cannot reach a log line, an error message or a panic by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wrap a key, trimming the whitespace and newline a key file or a
    /// password manager usually adds. `None` when nothing is left.
    pub fn new(raw: impl Into<String>) -> Option<ApiKey> {
        let raw = raw.into();
        let key = raw.trim();
        (!key.is_empty()).then(|| ApiKey(key.to_owned()))
    }

    /// The secret itself, for the Authorization header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_the_secret() {
        let k = ApiKey::new(" s3cr3t-sentinel\n").unwrap();
        assert_eq!(k.expose(), "s3cr3t-sentinel");
        assert!(!format!("{k} {k:?} {k:#?}").contains("s3cr3t"));
        assert!(ApiKey::new(" \n").is_none());
    }
}
