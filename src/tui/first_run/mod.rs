//! The first-run screen: no key is configured, so say where one comes from
//! and let the user paste it (masked) for this session or save it.

mod update;
pub mod view;

use std::path::PathBuf;

use tui_input::Input;

/// The key being typed. `Debug` never shows it.
#[derive(Clone, Default)]
pub struct SecretInput(pub Input);

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretInput({} chars)", self.0.value().chars().count())
    }
}

impl PartialEq for SecretInput {
    fn eq(&self, other: &Self) -> bool {
        self.0.value() == other.0.value()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FirstRun {
    pub profile: String,
    /// The config file (named in the explanation).
    pub config_file: PathBuf,
    /// Where Ctrl-S saves the key (0600), and where it is read next time.
    pub key_file: PathBuf,
    pub key: SecretInput,
    pub error: Option<String>,
}

impl FirstRun {
    pub fn new(profile: &str, config_file: PathBuf, key_file: PathBuf) -> FirstRun {
        FirstRun {
            profile: profile.to_owned(),
            config_file,
            key_file,
            key: SecretInput::default(),
            error: None,
        }
    }

    /// Typed or pasted text: one line, no spaces or control characters.
    pub fn add(&mut self, text: &str) {
        let mut v = self.key.0.value().to_owned();
        v.extend(
            text.chars()
                .filter(|c| !c.is_whitespace() && !c.is_control()),
        );
        let n = v.chars().count();
        self.key.0 = Input::new(v).with_cursor(n);
        self.error = None;
    }

    pub fn backspace(&mut self) {
        let mut v = self.key.0.value().to_owned();
        v.pop();
        let n = v.chars().count();
        self.key.0 = Input::new(v).with_cursor(n);
    }

    pub fn clear(&mut self) {
        self.key.0 = Input::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let mut f = FirstRun::new("p", "/c".into(), "/k".into());
        f.add("sentinel secret\n");
        assert_eq!(f.key.0.value(), "sentinelsecret");
        assert!(!format!("{f:?}").contains("sentinel"));
        f.backspace();
        assert_eq!(f.key.0.value().len(), 13);
    }
}
