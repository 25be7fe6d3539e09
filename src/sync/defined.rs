//! Every `[sync.NAME]` table of a config file, each read on its own: one
//! broken table (a misspelt key, a date that is not one) is that sync's
//! error, not the end of the others. For views that list every sync (the
//! TUI's Sync view); `ConfigFile::load` reads the file whole.

use std::path::Path;

use super::def::{Sync, SyncDef};

/// One defined sync, or why its table cannot be used.
#[derive(Clone, Debug, PartialEq)]
pub struct Defined {
    pub name: String,
    pub sync: Result<Sync, String>,
}

/// Sync `name` from its table `value`, checked.
pub fn parse(name: &str, value: &toml::Value) -> Result<Sync, String> {
    value
        .clone()
        .try_into::<SyncDef>()
        .map_err(|e| format!("[sync.{name}]: {}", e.message().trim()))
        .and_then(|def| Sync::new(name, def))
}

/// [`defined`], each sync's destination moved under `demo_lake` when set
/// (`--demo`: the demo's made-up rows never go where real data is kept).
pub fn defined_for(path: &Path, demo_lake: Option<&Path>) -> Result<Vec<Defined>, String> {
    let mut all = defined(path)?;
    if let Some(lake) = demo_lake {
        for d in &mut all {
            if let Ok(s) = &mut d.sync {
                s.move_for_demo(lake);
            }
        }
    }
    Ok(all)
}

/// The syncs defined in the config file at `path`, by name; none when
/// there is no file. `Err` when the file cannot be read or is not TOML.
pub fn defined(path: &Path) -> Result<Vec<Defined>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    defined_in(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// [`defined`] from the file's text.
pub fn defined_in(text: &str) -> Result<Vec<Defined>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.message().trim().to_owned())?;
    let Some(sync) = table.get("sync") else {
        return Ok(Vec::new());
    };
    let Some(sync) = sync.as_table() else {
        return Err("sync must be a table of [sync.NAME] tables".into());
    };
    Ok(sync
        .iter()
        .map(|(name, value)| Defined {
            name: name.clone(),
            sync: parse(name, value),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_syncs_are_moved_into_the_demo_lake() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(
            &cfg,
            "[sync.events]\nstart = \"2026-11-01\"\ndestination = \"s3://real/lake\"\n",
        )
        .unwrap();
        let lake = dir.path().join("demo-lake");
        let real = defined_for(&cfg, None).unwrap();
        assert_eq!(
            real[0].sync.as_ref().unwrap().destination.to_string(),
            "s3://real/lake"
        );
        let demo = defined_for(&cfg, Some(&lake)).unwrap();
        assert_eq!(
            demo[0].sync.as_ref().unwrap().destination,
            super::super::Destination::Folder { path: lake }
        );
    }

    #[test]
    fn a_broken_table_is_its_own_error() {
        let text = r#"
default_profile = "prod"
[sync.events]
start = "2026-11-01"
destination = "/data/up"
[sync.pages]
start = "2026-11-01"
destination = "/data/up"
colour = "blue"
[sync.later]
start = "soon"
destination = "/data/up"
"#;
        let all = defined_in(text).unwrap();
        let names: Vec<&str> = all.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["events", "later", "pages"]);
        assert!(all[0].sync.is_ok());
        let later = all[1].sync.as_ref().unwrap_err();
        assert!(later.contains("not a date"), "{later}");
        let pages = all[2].sync.as_ref().unwrap_err();
        assert!(
            pages.contains("[sync.pages]") && pages.contains("colour"),
            "{pages}"
        );
    }

    #[test]
    fn no_file_no_syncs_and_unreadable_text() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(defined(&dir.path().join("config.toml")), Ok(vec![]));
        assert_eq!(defined_in("theme = \"dark\"\n"), Ok(vec![]));
        assert!(defined_in("[sync.x\n").is_err());
        assert!(
            defined_in("sync = 3\n")
                .unwrap_err()
                .contains("[sync.NAME]")
        );
    }
}
