//! What the sync run tests share: the demo server in this process (its
//! request log and test knobs at hand), moto behind the fault proxy,
//! `upexport sync` as a child, and the check every test ends with: the
//! destination and the history database agree.
//!
//! The check: every partition history calls complete has its manifest and
//! exactly the parts the manifest lists, with their SHA-256 and rows; no
//! partition folder holds anything without history calling it complete
//! (parts without a manifest, a manifest history does not know); and how
//! many exports each day had, counted in history and in the demo's log.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use chrono::NaiveDate;
use futures_util::StreamExt;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer};
use upexport::history::HistoryStore;

use crate::support::s3::S3Server;
use crate::support::s3proxy::FaultProxy;
use crate::support::sandbox::lines;
use crate::support::{Out, Sandbox, WAIT_LIMIT, json, run_async, wait_for};

/// The bucket and prefix every test writes under.
pub const BUCKET: &str = "lake";
pub const DEST: &str = "s3://lake/userpilot";
pub const NAME: &str = "events";

pub struct Rig {
    pub sb: Sandbox,
    pub demo: DemoServer,
    pub s3: S3Server,
    pub proxy: FaultProxy,
}

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

impl Rig {
    /// A sandbox, the demo server (jobs of `job_seconds`), moto with the
    /// bucket and the proxy; `None` (skipped) without moto outside CI.
    pub async fn start(job_seconds: f64, rows_per_part: usize) -> Option<Rig> {
        let s3 = S3Server::start()?;
        s3.create_bucket(BUCKET);
        let proxy = FaultProxy::start(&s3.endpoint);
        let demo = DemoServer::start(DemoOptions {
            job_duration: std::time::Duration::from_secs_f64(job_seconds),
            rows_per_part,
            ..DemoOptions::default()
        })
        .await
        .expect("demo server");
        Some(Rig {
            sb: Sandbox::new(),
            demo,
            s3,
            proxy,
        })
    }

    /// Define sync [`NAME`] from `start` to [`DEST`] in `format`.
    pub fn define(&self, start: &str, format: &str) {
        self.sb.write_config(&format!(
            "[sync.{NAME}]\nstart = \"{start}\"\ndestination = \"{DEST}\"\nformat = \"{format}\"\n"
        ));
    }

    /// `upexport sync ARGS --base-url DEMO` with the demo's key, the S3
    /// settings through the proxy, and quick polls.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = self.sb.command(Some(DEMO_KEY));
        c.arg("sync").args(args);
        c.args(["--base-url", &self.demo.base_url()]);
        for (k, v) in self.proxy.env(&self.s3) {
            c.env(k, v);
        }
        c.env("UPEXPORT_TEST_POLL_MS", "50");
        c
    }

    /// Run `upexport sync ARGS` to its end.
    pub async fn sync(&self, args: &[&str]) -> Out {
        run_async(self.command(args), None).await
    }

    /// Start `upexport sync ARGS`; its stderr lines come on the receiver.
    pub fn spawn(&self, args: &[&str]) -> (crate::support::Kill, Receiver<String>) {
        let mut c = self.command(args);
        c.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child: Child = c.spawn().expect("spawn upexport sync");
        let err = lines(child.stderr.take().expect("piped stderr"));
        (crate::support::Kill(child), err)
    }

    pub fn history(&self) -> HistoryStore {
        HistoryStore::open(&self.sb.db()).expect("history").store
    }

    /// The recorded partitions, by `dt`.
    pub fn partitions(&self) -> BTreeMap<String, upexport::history::SyncPartition> {
        if !self.sb.db().exists() {
            return BTreeMap::new();
        }
        self.history()
            .sync_partitions(NAME, DEST)
            .expect("sync partitions")
            .into_iter()
            .map(|p| (p.dt.clone(), p))
            .collect()
    }

    /// Wait until partition `dt` is recorded with `state` and a job id.
    pub fn wait_recorded(&self, dt: &str, state: &str) -> String {
        wait_for(
            &format!("dt={dt} recorded {state} with its job"),
            WAIT_LIMIT,
            || {
                let p = self.partitions().remove(dt)?;
                (p.state == state).then_some(p.job_id).flatten()
            },
        )
    }

    /// Export creates the demo server received, by the day of their `from`.
    pub fn creates(&self) -> BTreeMap<String, usize> {
        let mut n = BTreeMap::new();
        for r in self.demo.requests() {
            if r.method == "POST" && r.path.starts_with("/api/v1/analytics/exports") {
                let from = serde_json::from_str::<serde_json::Value>(&r.body)
                    .ok()
                    .and_then(|v| v["from"].as_str().map(|s| s[..10].to_owned()));
                *n.entry(from.unwrap_or_default()).or_insert(0) += 1;
            }
        }
        n
    }

    /// S3 itself, not through the proxy.
    pub fn bucket(&self) -> Arc<dyn ObjectStore> {
        Arc::new(
            object_store::aws::AmazonS3Builder::new()
                .with_bucket_name(BUCKET)
                .with_endpoint(&self.s3.endpoint)
                .with_allow_http(true)
                .with_access_key_id("testing")
                .with_secret_access_key("testing")
                .with_region("us-east-1")
                .build()
                .expect("an S3 client"),
        )
    }

    /// Every object under the sync's folder: `dt` → file name → bytes.
    pub async fn objects(&self) -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
        let store = self.bucket();
        let root = StorePath::from(format!("userpilot/{NAME}"));
        let metas: Vec<_> = store
            .list(Some(&root))
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .map(|m| m.expect("listing the bucket"))
            .collect();
        let mut out: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
        for m in metas {
            let rel = m.location.as_ref()[root.as_ref().len() + 1..].to_owned();
            let (folder, file) = rel.split_once('/').unwrap_or(("", rel.as_str()));
            let dt = folder
                .strip_prefix("dt=")
                .unwrap_or_else(|| panic!("not a partition folder: {rel}"))
                .to_owned();
            assert!(!file.contains('/'), "nested object {rel}");
            let bytes = store
                .get(&m.location)
                .await
                .expect("get")
                .bytes()
                .await
                .expect("bytes");
            out.entry(dt)
                .or_default()
                .insert(file.to_owned(), bytes.to_vec());
        }
        out
    }

    /// The destination and the history agree (panics saying how not);
    /// returns what it saw.
    pub async fn consistent(&self) -> Seen {
        let recorded = self.partitions();
        let objects = self.objects().await;
        let mut rows = BTreeMap::new();
        for (dt, p) in &recorded {
            if p.state != "complete" {
                continue;
            }
            let files = objects
                .get(dt)
                .unwrap_or_else(|| panic!("dt={dt} is complete in history but has no folder"));
            let m = json(&String::from_utf8_lossy(
                files.get("_manifest.json").unwrap_or_else(|| {
                    panic!("dt={dt} is complete in history but has no manifest: {files:?}")
                }),
            ));
            assert_eq!(m["partition"]["dt"], dt.as_str(), "{m}");
            assert_eq!(
                m["job_id"].as_str(),
                p.job_id.as_deref(),
                "dt={dt}: the manifest's job is history's"
            );
            assert_eq!(m["complete"], true, "dt={dt}: {m}");
            let listed: BTreeSet<String> = m["files"]
                .as_array()
                .expect("manifest files")
                .iter()
                .map(|f| f["name"].as_str().expect("file name").to_owned())
                .collect();
            let there: BTreeSet<String> = files
                .keys()
                .filter(|k| *k != "_manifest.json")
                .cloned()
                .collect();
            assert_eq!(
                listed, there,
                "dt={dt}: the manifest lists other parts than are there"
            );
            let mut sum = 0u64;
            for f in m["files"].as_array().expect("manifest files") {
                let name = f["name"].as_str().expect("name");
                let bytes = &files[name];
                assert_eq!(f["sha256"], sha256(bytes), "dt={dt} {name}: SHA-256");
                assert_eq!(f["size"], bytes.len(), "dt={dt} {name}: size");
                sum += f["rows"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("dt={dt} {name}: rows {f}"));
            }
            assert_eq!(
                m["rows"], sum,
                "dt={dt}: the manifest's rows are its parts' rows"
            );
            assert_eq!(
                p.rows,
                Some(i64::try_from(sum).expect("rows")),
                "dt={dt}: history's rows"
            );
            rows.insert(dt.clone(), sum);
        }
        // Parts without a manifest are allowed only where history does
        // not call the partition complete (checked above); a manifest
        // only where it does.
        for (dt, files) in &objects {
            let complete = recorded.get(dt).is_some_and(|p| p.state == "complete");
            assert!(
                complete || !files.contains_key("_manifest.json"),
                "dt={dt} has a manifest at the destination but history calls it {:?}",
                recorded.get(dt).map(|p| &p.state)
            );
        }
        // Exports per day: history's attempts that got a job, and the
        // demo's creates.
        let mut exports: BTreeMap<String, usize> = BTreeMap::new();
        for e in self.history().page(0, 10_000).expect("history page") {
            if e.created.is_none() {
                continue;
            }
            let req = json(&e.request_json);
            let from = req["from"]
                .as_str()
                .map(|s| s[..10].to_owned())
                .unwrap_or_default();
            *exports.entry(from).or_insert(0) += 1;
        }
        Seen {
            states: recorded.into_iter().map(|(k, v)| (k, v.state)).collect(),
            rows,
            exports,
            creates: self.creates(),
            objects,
        }
    }
}

/// What [`Rig::consistent`] saw.
#[derive(Debug)]
pub struct Seen {
    /// History's state per `dt`.
    pub states: BTreeMap<String, String>,
    /// Rows of each complete partition.
    pub rows: BTreeMap<String, u64>,
    /// Export attempts with a job, per `from` day (history).
    pub exports: BTreeMap<String, usize>,
    /// Creates per `from` day (the demo's log).
    pub creates: BTreeMap<String, usize>,
    pub objects: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
}

impl Seen {
    /// The names of the objects in `dt`'s folder (none when it has none).
    pub fn names(&self, dt: &str) -> Vec<&str> {
        self.objects
            .get(dt)
            .map(|f| f.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every day in `days` complete and exported exactly once.
    #[track_caller]
    pub fn all_once(&self, days: &[String]) {
        for dt in days {
            assert_eq!(
                self.states.get(dt).map(String::as_str),
                Some("complete"),
                "dt={dt}: {self:?}"
            );
            assert_eq!(
                self.exports.get(dt),
                Some(&1),
                "dt={dt} exports: {:?}",
                self.exports
            );
            assert_eq!(
                self.creates.get(dt),
                Some(&1),
                "dt={dt} creates: {:?}",
                self.creates
            );
        }
    }
}

/// `n` consecutive days from `first`, as `YYYY-MM-DD`.
pub fn days(first: &str, n: u64) -> Vec<String> {
    (0..n)
        .map(|i| (d(first) + chrono::Days::new(i)).to_string())
        .collect()
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
