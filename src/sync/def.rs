//! A sync definition: one `[sync.NAME]` table of the config file.
//!
//! ```toml
//! [sync.events]
//! profile = "production"          # else the default profile
//! start = "2026-01-01"            # the first day kept
//! partition = "day"               # or "month"
//! destination = "s3://analytics/userpilot"   # or gs://…, az://…, a folder
//! format = "parquet"              # avro, csv, ndjson (default) or parquet
//! event_type = ["track"]          # the export fields, as in the form
//! ```
//!
//! Credentials for object stores come from each store's own environment
//! variables and files (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`, …), never from this file.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::plan::{Partition, PartitionSize};
use crate::export::{DateBound, ExportRequest, Format};

/// One `[sync.NAME]` table, as written.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncDef {
    pub profile: Option<String>,
    /// The first day kept, `YYYY-MM-DD`.
    pub start: String,
    #[serde(default)]
    pub partition: PartitionSize,
    pub destination: String,
    pub format: Option<Format>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub event_type: Vec<String>,
    #[serde(default)]
    pub user_id: Vec<String>,
    #[serde(default)]
    pub company_id: Vec<String>,
    pub segment_id: Option<String>,
    pub exclusions: Option<String>,
}

/// Where a sync's partitions go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// A local folder.
    Folder { path: PathBuf },
    /// An object store URL: `s3://bucket/prefix`, `gs://…`, `az://…`.
    Store { url: String },
}

impl Destination {
    /// Read `raw`: a URL with a store scheme, `file://PATH`, or a path.
    pub fn parse(raw: &str) -> Result<Destination, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(
                "destination is empty: give a folder or an s3://, gs:// or az:// URL".into(),
            );
        }
        match t.split_once("://") {
            Some(("file", path)) => Ok(Destination::Folder {
                path: PathBuf::from(path),
            }),
            Some((scheme, rest)) => {
                let known = matches!(
                    scheme,
                    "s3" | "s3a" | "gs" | "az" | "adl" | "abfs" | "abfss" | "azure"
                );
                if !known {
                    return Err(format!(
                        "destination {t}: scheme {scheme}:// is not an object store upexport knows (s3://, gs://, az://) nor file://"
                    ));
                }
                if rest.split('/').next().is_none_or(str::is_empty) {
                    return Err(format!("destination {t} names no bucket"));
                }
                Ok(Destination::Store { url: t.to_owned() })
            }
            None => Ok(Destination::Folder {
                path: PathBuf::from(t),
            }),
        }
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Folder { path } => write!(f, "{}", path.display()),
            Destination::Store { url } => f.write_str(url),
        }
    }
}

/// A definition checked: its start date and destination read.
#[derive(Clone, Debug, PartialEq)]
pub struct Sync {
    pub name: String,
    pub def: SyncDef,
    pub start: NaiveDate,
    pub destination: Destination,
}

impl Sync {
    /// Check `def` (named `name`): the name is one path component, the
    /// start a date, the destination readable.
    pub fn new(name: &str, def: SyncDef) -> Result<Sync, String> {
        let ok_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !name.starts_with('.');
        if !ok_name {
            return Err(format!(
                "sync name '{name}': use letters, digits, '-', '_' or '.' (it names a folder)"
            ));
        }
        let start = NaiveDate::parse_from_str(def.start.trim(), "%Y-%m-%d").map_err(|_| {
            format!(
                "sync {name}: start '{}' is not a date (YYYY-MM-DD)",
                def.start
            )
        })?;
        let destination =
            Destination::parse(&def.destination).map_err(|e| format!("sync {name}: {e}"))?;
        Ok(Sync {
            name: name.to_owned(),
            def,
            start,
            destination,
        })
    }

    /// The export request of partition `p`: the definition's fields over
    /// its days (`to` included, as upexport reads it).
    pub fn request(&self, p: &Partition) -> ExportRequest {
        let d = &self.def;
        ExportRequest {
            from: Some(DateBound::Date(p.first)),
            to: Some(DateBound::Date(p.last)),
            emails: d.emails.clone(),
            event_type: d.event_type.clone(),
            user_id: d.user_id.clone(),
            company_id: d.company_id.clone(),
            segment_id: d.segment_id.clone().filter(|s| !s.trim().is_empty()),
            format: Some(d.format.unwrap_or(Format::Ndjson)),
            exclusions: d.exclusions.clone().filter(|s| !s.trim().is_empty()),
        }
    }

    /// `--demo`: write into folder `lake` instead of the destination
    /// configured (the demo server's made-up rows must never land beside
    /// real data). The history keys partitions by destination, so the
    /// demo's are apart too.
    pub fn move_for_demo(&mut self, lake: &std::path::Path) {
        self.destination = Destination::Folder {
            path: lake.to_path_buf(),
        };
    }

    /// Where partition `p` goes, relative to the destination:
    /// `NAME/dt=VALUE`.
    pub fn partition_path(&self, p: &Partition) -> String {
        self.dt_path(&p.dt(self.def.partition))
    }

    /// The folder of the partition whose `dt` is `dt`: `NAME/dt=VALUE`.
    pub fn dt_path(&self, dt: &str) -> String {
        format!("{}/dt={dt}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(dest: &str) -> SyncDef {
        SyncDef {
            start: "2026-11-01".into(),
            destination: dest.into(),
            ..Default::default()
        }
    }

    #[test]
    fn destinations() {
        assert_eq!(
            Destination::parse("s3://bucket/prefix").unwrap(),
            Destination::Store {
                url: "s3://bucket/prefix".into()
            }
        );
        assert_eq!(
            Destination::parse("/data/userpilot").unwrap(),
            Destination::Folder {
                path: "/data/userpilot".into()
            }
        );
        assert_eq!(
            Destination::parse("file:///data/x").unwrap(),
            Destination::Folder {
                path: "/data/x".into()
            }
        );
        for bad in ["", "ftp://h/x", "s3://", "s3:///prefix"] {
            assert!(Destination::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_starts_requests_and_paths() {
        let s = Sync::new("events", def("s3://b/p")).unwrap();
        let p = Partition {
            first: s.start,
            last: s.start,
        };
        assert_eq!(s.partition_path(&p), "events/dt=2026-11-01");
        let r = s.request(&p);
        assert_eq!(
            r.to_json(),
            r#"{"from":"2026-11-01","to":"2026-11-01","format":"ndjson"}"#
        );
        for bad in ["../x", "a b", "", ".hidden"] {
            assert!(Sync::new(bad, def("/x")).is_err(), "{bad}");
        }
        let mut d = def("/x");
        d.start = "yesterday".into();
        assert!(Sync::new("e", d).unwrap_err().contains("not a date"));
    }
}
