//! Paginated lookups against small 127.0.0.1 servers that page the way a
//! vendor might where its documentation is silent: ignoring `after_cursor`,
//! handing out a fresh cursor with the same items, never ending, or
//! overlapping pages. The client must stop promptly, keep each item once
//! and say when a list may be cut off.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use upexport::api::{EarlyStop, MAX_LOOKUP_PAGES};

use crate::support::demo::client_for;
use crate::support::within;

/// Past this many requests the server answers 500: a client that does not
/// stop fails at once instead of running for minutes.
const ANSWERED: usize = 1_100;

#[derive(Default)]
pub(crate) struct Paging {
    pub(crate) requests: AtomicUsize,
}

fn item(id: usize) -> Value {
    json!({"id": id, "title": format!("Segment {id}")})
}

fn page(ids: std::ops::Range<usize>, after: Option<String>, total: Option<usize>) -> Value {
    let mut metadata = json!({"cursor": {"after": after, "before": null}, "limit": 50});
    if let Some(t) = total {
        metadata["total_count"] = json!(t);
    }
    json!({"data": ids.map(item).collect::<Vec<_>>(), "metadata": metadata})
}

/// The behaviour is the lookup's name:
/// - `ignores_cursor`: every answer is the first page with cursor `c1`;
/// - `fresh_cursor`: every answer is the first page with a new cursor
///   (and no `total_count`);
/// - `endless`: every answer holds 50 new items and a new cursor;
/// - `overlap`: 3 pages of 120 items overlapping by 5, whose last page
///   hands back its own cursor instead of `null`.
async fn lookup(
    State(s): State<Arc<Paging>>,
    Path(name): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let n = s.requests.fetch_add(1, Ordering::SeqCst) + 1;
    if n > ANSWERED {
        return (StatusCode::INTERNAL_SERVER_ERROR, "too many requests\n").into_response();
    }
    let at: usize = q
        .get("after_cursor")
        .and_then(|c| c.strip_prefix('c'))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = match name.as_str() {
        "ignores_cursor" => page(0..50, Some("c1".into()), Some(120)),
        "fresh_cursor" => page(0..50, Some(format!("c{n}")), None),
        "endless" => page(at * 50..at * 50 + 50, Some(format!("c{}", at + 1)), None),
        "overlap" => {
            // Pages start at 0, 45 and 90; the last one (90..120) answers
            // with its own cursor again.
            let start = at * 45;
            let end = (start + 50).min(120);
            let next = if end == 120 { at } else { at + 1 };
            page(start..end, Some(format!("c{next}")), Some(120))
        }
        _ => return (StatusCode::NOT_FOUND, "no such lookup\n").into_response(),
    };
    axum::Json(body).into_response()
}

pub(crate) async fn paging_server() -> (String, Arc<Paging>) {
    let state = Arc::new(Paging::default());
    let app = Router::new()
        .route("/api/v1/analytics/exports/lookups/{name}", get(lookup))
        .with_state(state.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", l.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (base, state)
}

fn ids(items: &[Value]) -> Vec<u64> {
    items.iter().filter_map(|v| v["id"].as_u64()).collect()
}

#[tokio::test]
async fn a_server_that_ignores_the_cursor_gives_each_item_once() {
    within(async {
        let (base, s) = paging_server().await;
        let got = client_for(&base).lookup("ignores_cursor").await.unwrap();
        assert_eq!(
            ids(&got.items),
            (0..50).collect::<Vec<_>>(),
            "each item once"
        );
        assert_eq!(s.requests.load(Ordering::SeqCst), 2);
        assert_eq!(got.repeats, 50);
        assert_eq!(got.early_stop, Some(EarlyStop::NothingNew));
        assert!(!got.is_complete(), "the server counts 120");
        let w = got.warning().unwrap();
        assert!(
            w.contains("after page 2") && w.contains("50 of the 120") && w.contains("incomplete"),
            "{w}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_fresh_cursor_with_the_same_items_stops_at_the_second_page() {
    within(async {
        let (base, s) = paging_server().await;
        let got = client_for(&base).lookup("fresh_cursor").await.unwrap();
        assert_eq!(ids(&got.items), (0..50).collect::<Vec<_>>());
        assert_eq!(s.requests.load(Ordering::SeqCst), 2, "no third request");
        assert_eq!(got.early_stop, Some(EarlyStop::NothingNew));
        assert!(!got.is_complete(), "no total_count to vouch for it");
        assert!(got.warning().unwrap().contains("may be incomplete"));
    })
    .await;
}

#[tokio::test]
async fn overlapping_pages_are_merged_and_a_repeated_last_cursor_ends_them() {
    within(async {
        let (base, s) = paging_server().await;
        let got = client_for(&base).lookup("overlap").await.unwrap();
        assert_eq!(ids(&got.items), (0..120).collect::<Vec<_>>());
        assert_eq!(s.requests.load(Ordering::SeqCst), 3);
        assert_eq!((got.pages, got.repeats), (3, 10));
        assert_eq!(got.early_stop, Some(EarlyStop::RepeatedCursor));
        assert!(got.is_complete(), "all 120 the server counts");
        assert!(got.warning().unwrap().contains("all 120 items"));
    })
    .await;
}

#[tokio::test]
async fn an_endless_lookup_stops_at_the_page_cap() {
    within(async {
        let (base, s) = paging_server().await;
        let got = client_for(&base).lookup("endless").await.unwrap();
        assert_eq!(MAX_LOOKUP_PAGES, 1_000);
        assert_eq!(s.requests.load(Ordering::SeqCst), MAX_LOOKUP_PAGES);
        assert_eq!(got.items.len(), 50 * MAX_LOOKUP_PAGES);
        assert_eq!(got.early_stop, Some(EarlyStop::PageCap));
        assert!(!got.is_complete());
        assert!(got.warning().unwrap().contains("limit of 1000 pages"));
    })
    .await;
}
