//! The lookups under [`super::FaultMode::VendorDiffers`]: answers a vendor
//! might give where its documentation is silent (how paging ends, how big
//! a lookup gets, which fields an item has). None of this is documented
//! behaviour; it is what the client must survive:
//! - `segments` ignores `after_cursor`: every answer is the first page,
//!   with a new cursor each time (a client that follows cursors until one
//!   repeats never stops; it must notice that nothing new arrives);
//! - `events_properties` pages overlap by [`OVERLAP`] items, and the last
//!   page hands back its own cursor instead of `null`;
//! - `features_events` has [`BIG_FEATURES`] items, about 5 MB;
//! - every item gets fields the vendor never documented, one of them
//!   (`vendor_revision`) different on every answer, so the same item on
//!   two pages is equal by `id` only; every page gets them too (`request_id`,
//!   `links`, `metadata.has_more`, `metadata.cursor.self`), its
//!   `total_count` is a string, and error envelopes carry a `request_id`
//!   and a `trace_id`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::lookups::{LookupError, cursor, decode_cursor, event_properties, segments};

/// Items shared by two neighbouring `events_properties` pages.
pub const OVERLAP: usize = 5;
/// Items of the big `features_events` lookup.
pub const BIG_FEATURES: usize = 32_000;
const PAGE: usize = super::lookups::DEFAULT_LIMIT;

/// Numbers every answer: the fresh cursors and the changing field.
static ANSWERS: AtomicU64 = AtomicU64::new(0);

/// The answer body for `name`, as a differently-behaved vendor gives it.
pub(crate) fn lookup(name: &str, query: &HashMap<String, String>) -> Result<Value, LookupError> {
    let n = ANSWERS.fetch_add(1, Ordering::Relaxed) + 1;
    let mut v = match name {
        "segments" => {
            let all = segments();
            let total = all.len();
            paged(
                all.into_iter().take(PAGE).collect(),
                Some(format!("fresh-{n}")),
                total,
            )
        }
        "events_properties" => {
            let all = event_properties();
            let total = all.len();
            let start = match query.get("after_cursor").filter(|c| !c.is_empty()) {
                None => 0,
                Some(c) => decode_cursor(c)
                    .filter(|&o| o < total)
                    .ok_or_else(|| LookupError::BadCursor(c.clone()))?,
            };
            let end = (start + PAGE).min(total);
            // The next page starts OVERLAP items back; the last one names
            // itself as the next.
            let after = if end < total {
                cursor(end - OVERLAP)
            } else {
                cursor(start)
            };
            paged(all[start..end].to_vec(), Some(after), total)
        }
        "features_events" => big_features(),
        _ => super::lookups::lookup(name, query)?,
    };
    pad(&mut v, n);
    Ok(v)
}

/// A page with the documented envelope, plus undocumented fields.
fn paged(items: Vec<Value>, after: Option<String>, total: usize) -> Value {
    json!({
        "data": items,
        "metadata": {
            "cursor": {"after": after, "before": null, "self": "current"},
            "limit": PAGE,
            "total_count": total.to_string(),
            "has_more": true,
        },
        "links": {"self": "/api/v1/analytics/exports/lookups", "next": null},
    })
}

/// About 5 MB of features: `{display_name, key, data_type}` each.
fn big_features() -> Value {
    const AREA: [&str; 8] = [
        "Dashboard",
        "Reports",
        "Settings",
        "Billing",
        "Editor",
        "Search",
        "Inbox",
        "Admin",
    ];
    const ACTION: [&str; 5] = ["Opened", "Filter Used", "Shared", "Exported", "Pinned"];
    (0..BIG_FEATURES)
        .map(|i| {
            let area = AREA[i % AREA.len()];
            let action = ACTION[(i / AREA.len()) % ACTION.len()];
            let name = format!("{area} {action} {i:05}");
            json!({
                "display_name": name,
                "key": name.to_lowercase().replace(' ', "_"),
                "data_type": if i % 7 == 0 { "boolean" } else { "string" },
            })
        })
        .collect()
}

/// Undocumented fields on every item (one changes with each answer) and
/// on a page's envelope.
fn pad(v: &mut Value, n: u64) {
    let items = match v {
        Value::Array(items) => items,
        Value::Object(page) => {
            page.insert("request_id".into(), json!(format!("req-{n}")));
            match page.get_mut("data") {
                Some(Value::Array(items)) => items,
                _ => return,
            }
        }
        _ => return,
    };
    for item in items {
        if let Value::Object(m) = item {
            m.insert("vendor_revision".into(), json!(n));
            m.insert(
                "updated_by".into(),
                json!({"id": 7, "name": "sync", "via": ["api"]}),
            );
        }
    }
}

/// An error envelope with the undocumented fields of this vendor.
pub(crate) fn pad_envelope(mut body: Value) -> Value {
    let n = ANSWERS.fetch_add(1, Ordering::Relaxed) + 1;
    if let Value::Object(m) = &mut body {
        m.insert("request_id".into(), json!(format!("req-{n}")));
        if let Some(Value::Array(errors)) = m.get_mut("errors") {
            for e in errors {
                if let Value::Object(e) = e {
                    e.insert("trace_id".into(), json!(format!("trace-{n}")));
                }
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(after: Option<&str>) -> HashMap<String, String> {
        after
            .map(|a| HashMap::from([("after_cursor".to_owned(), a.to_owned())]))
            .unwrap_or_default()
    }

    #[test]
    fn segments_ignore_the_cursor_and_hand_out_fresh_ones() {
        let a = lookup("segments", &q(None)).unwrap();
        let after = a["metadata"]["cursor"]["after"]
            .as_str()
            .unwrap()
            .to_owned();
        let b = lookup("segments", &q(Some(&after))).unwrap();
        assert_eq!(a["data"].as_array().unwrap().len(), PAGE);
        assert_eq!(a["data"][0]["id"], b["data"][0]["id"]);
        assert_ne!(a["data"][0], b["data"][0], "vendor_revision differs");
        assert_ne!(b["metadata"]["cursor"]["after"], after.as_str());
        assert_eq!(b["metadata"]["total_count"], "120");
    }

    #[test]
    fn event_properties_overlap_and_the_last_page_repeats_its_cursor() {
        let a = lookup("events_properties", &q(None)).unwrap();
        let after = a["metadata"]["cursor"]["after"]
            .as_str()
            .unwrap()
            .to_owned();
        let b = lookup("events_properties", &q(Some(&after))).unwrap();
        let ids = |v: &Value| -> Vec<u64> {
            v["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_u64().unwrap())
                .collect()
        };
        assert_eq!(ids(&a)[PAGE - OVERLAP..], ids(&b)[..OVERLAP]);
        assert_eq!(ids(&a).len() + ids(&b).len() - OVERLAP, 72);
        assert_eq!(b["metadata"]["cursor"]["after"], after.as_str());
    }

    #[test]
    fn features_are_about_5_mb_and_every_item_is_padded() {
        let v = lookup("features_events", &q(None)).unwrap();
        let items = v.as_array().unwrap();
        assert_eq!(items.len(), BIG_FEATURES);
        let size = v.to_string().len();
        assert!((5_000_000..6_000_000).contains(&size), "{size}");
        let keys: std::collections::HashSet<&str> =
            items.iter().map(|i| i["key"].as_str().unwrap()).collect();
        assert_eq!(keys.len(), BIG_FEATURES);
        for name in super::super::lookups::LOOKUPS {
            let v = lookup(name, &q(None)).unwrap();
            let items = v.as_array().or_else(|| v["data"].as_array()).unwrap();
            assert!(
                items.iter().all(|i| i["vendor_revision"].is_u64()),
                "{name}"
            );
        }
    }
}
