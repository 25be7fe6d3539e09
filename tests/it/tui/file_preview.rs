//! The file preview overlay for each of the four formats at 80x24 and
//! 120x40: the summary line (format, row count and where it comes from,
//! columns), the table, the schema (Tab), a damaged file's error and a
//! note; each screen also keeps the screen rules (`screen_rules`). The previews are of real files (the checked-in pyarrow and
//! fastavro fixtures, CSV and NDJSON written here), loaded as the runner
//! loads them, and handed to the app as its message.

use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;
use upexport::history::HistoryStore;
use upexport::jobs::file_preview::preview;
use upexport::tui::app::Overlay;
use upexport::tui::msg::Msg;
use upexport::tui::testing::Harness;

use crate::support::WAIT_LIMIT;
use crate::support::tui::{csv_draft, env};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

async fn ready(w: u16, h: u16) -> Harness {
    let store = HistoryStore::open_in_memory().expect("in-memory store");
    let mut hs = Harness::new(w, h, store, None, env(), &csv_draft());
    assert!(hs.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    hs
}

/// The preview of `path` open (200 rows, as the runner asks), then `keys`.
async fn shown(path: &Path, keys: &[KeyCode], name: &str) {
    for (w, h) in SIZES {
        let mut hs = ready(w, h).await;
        hs.send(Msg::FilePreviewLoaded {
            path: path.to_path_buf(),
            result: preview(path, 200).map(Box::new),
        });
        assert!(matches!(hs.app().overlay, Some(Overlay::FilePreview(_))));
        for k in keys {
            hs.key(*k);
        }
        let screen = hs.screen();
        super::snapshots::screen_rules(name, &hs, &screen);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

#[tokio::test]
async fn parquet_table_and_schema() {
    let path = fixture("types.parquet");
    shown(&path, &[], "file_preview_parquet").await;
    shown(&path, &[KeyCode::Tab], "file_preview_parquet_schema").await;
    // Scrolled: the third row on top, from the fourth column.
    shown(
        &path,
        &[
            KeyCode::Down,
            KeyCode::Down,
            KeyCode::Right,
            KeyCode::Right,
            KeyCode::Right,
        ],
        "file_preview_parquet_scrolled",
    )
    .await;
}

#[tokio::test]
async fn avro_table_and_schema() {
    let path = fixture("types.avro");
    shown(&path, &[], "file_preview_avro").await;
    shown(&path, &[KeyCode::Tab], "file_preview_avro_schema").await;
}

#[tokio::test]
async fn csv_and_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("part-0001.csv");
    std::fs::write(
        &csv,
        "event_type,user_id,inserted_at\ntrack,u-1,2026-11-01T10:00:00Z\npage_view,u-2,2026-11-01T10:00:05Z\nidentify,u-3\n",
    )
    .unwrap();
    shown(&csv, &[], "file_preview_csv").await;
    let ndjson = dir.path().join("part-0001.ndjson");
    std::fs::write(
        &ndjson,
        "{\"event_type\":\"track\",\"n\":1,\"metadata\":{\"plan\":\"pro\"}}\n{\"event_type\":\"page_view\",\"n\":2.5}\n",
    )
    .unwrap();
    shown(&ndjson, &[], "file_preview_ndjson").await;
    shown(&ndjson, &[KeyCode::Tab], "file_preview_ndjson_schema").await;
}

#[tokio::test]
async fn a_damaged_file_shows_its_rows_and_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(fixture("types-deflate.avro")).unwrap();
    let cut = dir.path().join("cut.avro");
    std::fs::write(&cut, &whole[..whole.len() - 30]).unwrap();
    shown(&cut, &[], "file_preview_damaged").await;
}

/// Every size from 1x1 up draws the overlay (table, schema, a long error)
/// without a panic and fills the screen.
#[tokio::test]
async fn any_size_draws() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(fixture("types-deflate.avro")).unwrap();
    let cut = dir.path().join("cut.avro");
    std::fs::write(&cut, &whole[..whole.len() - 30]).unwrap();
    for path in [fixture("types.parquet"), cut] {
        let mut hs = ready(120, 40).await;
        hs.send(Msg::FilePreviewLoaded {
            path: path.clone(),
            result: preview(&path, 200).map(Box::new),
        });
        for schema in [false, true] {
            for w in [1u16, 2, 5, 10, 20, 40, 79, 200] {
                for h in [1u16, 2, 3, 4, 6, 10, 24, 60] {
                    hs.resize(w, h);
                    let screen = hs.screen();
                    assert_eq!(screen.lines().count(), usize::from(h), "{w}x{h}");
                }
            }
            if !schema {
                hs.key(KeyCode::Tab);
            }
        }
    }
}

/// A file with nothing to show: the status line says why, naming the file
/// once; no overlay opens.
#[tokio::test]
async fn nothing_to_show_is_a_status_line() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, b"PAR1 and then nothing").unwrap();
    let mut hs = ready(80, 24).await;
    hs.send(Msg::FilePreviewLoaded {
        path: cut.clone(),
        result: preview(&cut, 200).map(Box::new),
    });
    assert!(hs.app().overlay.is_none());
    let status = hs.app().status.as_ref().unwrap();
    assert!(
        status
            .text
            .starts_with("cannot preview cut.parquet: a Parquet file without its footer"),
        "{}",
        status.text
    );
    assert_eq!(status.text.matches("cut.parquet").count(), 1);
}
