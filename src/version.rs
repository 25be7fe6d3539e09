//! The version `--version` and `upexport doctor` print, set by `build.rs`.

/// `<cargo version> (<git describe>)`, or the cargo version alone when the
/// build had no git checkout (a source package, no `git` installed).
pub const VERSION: &str = env!("UPEXPORT_VERSION");

/// `git describe --tags --always --dirty` at build time, when known.
pub fn git_describe() -> Option<&'static str> {
    Some(env!("UPEXPORT_GIT_DESCRIBE")).filter(|d| !d.is_empty())
}

/// The cargo package version.
pub const CARGO_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_cargo_version_then_the_describe() {
        match git_describe() {
            Some(d) => assert_eq!(VERSION, format!("{CARGO_VERSION} ({d})")),
            None => assert_eq!(VERSION, CARGO_VERSION),
        }
    }
}
