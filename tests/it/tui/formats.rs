//! #15 end to end in the TUI, for each of the four formats: a job of that
//! format completed on the demo server, downloaded from History (`d`),
//! its folder's manifest present with every file's SHA-256 right, and
//! the first part previewed from the downloads view (Enter), the screen
//! compared with a snapshot. The demo's job ids are seeded, so its files
//! (and so the screens) are the same on every run.

use crossterm::event::KeyCode;
use upexport::api::{ApiClient, ApiKey, Timeouts};
use upexport::demo::{DemoOptions, FaultMode};
use upexport::export::{DateBound, ExportRequest, Format};
use upexport::history::HistoryStore;
use upexport::tui::app::EnvInfo;
use upexport::tui::app::Overlay;
use upexport::tui::testing::Harness;

use super::event_loop::download_selected;
use crate::support::WAIT_LIMIT;
use crate::support::demo::{pending, start};
use crate::support::tui::{completed_row, csv_draft};

fn sha256(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn each_format_is_downloaded_with_its_manifest_and_previewed() {
    for format in [Format::Csv, Format::Ndjson, Format::Parquet, Format::Avro] {
        let server = start(DemoOptions {
            id_seed: Some(15),
            ..pending(FaultMode::Normal, 12)
        })
        .await;
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("exports");
        let client = ApiClient::new(
            &server.base_url(),
            ApiKey::new(server.key()).expect("key"),
            Timeouts::default(),
        )
        .expect("client");
        let store = HistoryStore::open(&dir.path().join("h.db"))
            .expect("history file")
            .store;
        let day = |s| DateBound::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let req = ExportRequest {
            from: Some(day("2026-10-01")),
            to: Some(day("2026-10-02")),
            format: Some(format),
            ..Default::default()
        };
        let job = completed_row(&server, &client, &store, &req).await;
        let env = EnvInfo {
            profile: "test".into(),
            base_url: server.base_url(),
            download_dir: Some(out.clone()),
            ..Default::default()
        };
        let mut h = Harness::new(120, 40, store, Some(client), env, &csv_draft());
        assert!(h.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
        download_selected(&mut h, &job).await;

        // The manifest, each file's SHA-256 as the bytes on disk.
        let folder = out.join(&job);
        let m: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(folder.join("manifest.json")).expect("manifest.json"),
        )
        .expect("JSON");
        assert_eq!(m["format"], format.as_str(), "{m}");
        let files = m["files"].as_array().expect("files");
        assert!(!files.is_empty(), "{m}");
        for f in files {
            let name = f["name"].as_str().unwrap();
            let bytes = std::fs::read(folder.join(name)).expect("the file");
            assert_eq!(f["sha256"], sha256(&bytes), "{format:?} {name}");
            assert_eq!(f["rows"], 12, "{format:?} {name}: {m}");
            assert_eq!(f["format"], format.as_str(), "{m}");
        }

        // The downloads view: Enter previews the first file.
        h.key(KeyCode::F(4));
        h.key(KeyCode::Enter);
        let shown = h
            .wait_until(WAIT_LIMIT, |a| {
                matches!(a.overlay, Some(Overlay::FilePreview(_)))
            })
            .await;
        assert!(shown, "{format:?}: no preview: {:?}", h.app().status);
        let host = server.base_url().replace("http://", "");
        let host = host.trim_end_matches('/');
        let screen = h
            .screen()
            .replace(host, "127.0.0.1:PORT")
            .replace(&out.display().to_string(), "OUT");
        assert!(screen.contains("12 rows"), "{screen}");
        insta::assert_snapshot!(format!("e2e_preview_{}", format.as_str()), screen);
    }
}
