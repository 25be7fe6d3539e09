//! A sandbox with an `upexport demo-server` child of its own, and the
//! CLI commands the tests run against it most.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use upexport::demo::DEMO_KEY;

use super::{DemoChild, Out, Sandbox, entries, json, run};

/// A sandbox with an `upexport demo-server` of its own (stopped before
/// the sandbox is removed: fields drop in order).
pub struct Served {
    pub server: DemoChild,
    pub sb: Sandbox,
}

impl Served {
    /// Its demo server's jobs take `job_seconds`.
    pub fn new(job_seconds: f64) -> Served {
        Served::in_mode("normal", job_seconds)
    }

    /// Its demo server runs in `mode`.
    pub fn in_mode(mode: &str, job_seconds: f64) -> Served {
        let sb = Sandbox::new();
        let server = sb.demo_server(mode, job_seconds, &[]);
        Served { server, sb }
    }

    pub fn root(&self) -> &Path {
        self.sb.root()
    }

    /// `upexport --base-url URL ARGS…` with `key`.
    pub fn cmd(&self, key: &str, args: &[&str]) -> Command {
        let mut c = self.sb.command(Some(key));
        c.arg("--base-url").arg(&self.server.url).args(args);
        c
    }

    pub fn run_with(&self, key: &str, args: &[&str]) -> Out {
        run(self.cmd(key, args))
    }

    #[track_caller]
    pub fn expect(&self, args: &[&str], code: i32) -> Out {
        let r = self.run_with(DEMO_KEY, args);
        assert_eq!(
            r.code,
            Some(code),
            "upexport {args:?}: exit {:?} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
            r.code,
            r.stdout,
            r.stderr
        );
        r
    }
}

impl Served {
    /// `upexport submit --wait --download OUT --json ARGS…`, exit 0: its
    /// JSON and the paths of the files it saved.
    #[track_caller]
    pub fn submit_wait_download(&self, out: &Path, args: &[&str]) -> (Value, Vec<PathBuf>) {
        let out = out.to_str().expect("a UTF-8 path");
        let mut all = vec!["submit", "--wait", "--download", out, "--json"];
        all.extend_from_slice(args);
        let v = json(&self.expect(&all, 0).stdout);
        let files = v["download"]["files"]
            .as_array()
            .unwrap_or_else(|| panic!("no files: {v}"))
            .iter()
            .map(|f| PathBuf::from(f["path"].as_str().unwrap_or_default()))
            .collect();
        (v, files)
    }

    /// The rows of `history --json`, newest first.
    #[track_caller]
    pub fn history(&self) -> Vec<Value> {
        entries(&json(&self.expect(&["history", "--json"], 0).stdout))
    }
}
