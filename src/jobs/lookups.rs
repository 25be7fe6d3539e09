//! Lookups (segments, features_events, …) cached per profile and server,
//! so pickers open without the network and the paginated lookups are
//! fetched once. The server is part of the key: the same profile pointed at
//! another host (`--base-url`) never sees the first host's segments.
//!
//! Files: `cache_dir/lookups/<profile>/<host[:port]>/<name>.json`, where
//! each part is percent-encoded to one safe path component. Each file is
//! `{"version":1,"fetched_at":"…","items":[…]}`, written atomically (a
//! temp file in the same directory, then rename), readable by the owner
//! only. A cached value is used whatever its age until the caller asks
//! for a refresh; a missing or unreadable file simply counts as no cache.
//!
//! Only complete lists are cached: a list whose paging stopped early
//! without the server's `total_count` vouching for it
//! ([`crate::api::Lookup::is_complete`]) is handed back with its warning
//! but never written, so an older complete copy stays and the next load
//! asks the server again.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{ApiClient, ApiError};
use crate::export::KNOWN_EVENT_TYPES;

/// The format of the files; another number reads as no cache.
const VERSION: u32 = 1;
/// Files larger than this are not read (they were not written by us).
const MAX_FILE: u64 = 256 << 20;

/// The lookup cache of one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupCache {
    dir: PathBuf,
}

/// A lookup's items and when they were fetched; from the cache, or fresh
/// from the API with how its paging went.
#[derive(Clone, Debug, PartialEq)]
pub struct Cached {
    pub items: Vec<Value>,
    pub fetched_at: DateTime<Utc>,
    /// False for a fresh list that may be cut off (never from the cache).
    pub complete: bool,
    /// Why paging stopped early, in a sentence; and in a few words for a
    /// one-line note. `None` from the cache and for a list that ended as
    /// the server said.
    pub warning: Option<String>,
    pub short_warning: Option<String>,
    /// Items dropped because an earlier page held them (0 from the cache).
    pub repeats: usize,
}

impl Cached {
    fn read(items: Vec<Value>, fetched_at: DateTime<Utc>) -> Cached {
        Cached {
            items,
            fetched_at,
            complete: true,
            warning: None,
            short_warning: None,
            repeats: 0,
        }
    }
}

#[derive(Deserialize)]
struct File {
    version: u32,
    fetched_at: DateTime<Utc>,
    items: Vec<Value>,
}

/// [`File`] to write: the items borrowed, not copied (a lookup may be
/// megabytes).
#[derive(Serialize)]
struct FileRef<'a> {
    version: u32,
    fetched_at: DateTime<Utc>,
    items: &'a [Value],
}

/// `s` as one path component: ASCII letters, digits, `-`, `_` and `.`
/// (not leading) kept, every other byte as `%XX`. Distinct inputs give
/// distinct outputs; the empty string gives `%`.
fn component(s: &str) -> String {
    if s.is_empty() {
        return "%".into();
    }
    let mut out = String::with_capacity(s.len());
    for (i, b) in s.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl LookupCache {
    /// The cache of `profile` talking to `base_url`, under `cache_dir`
    /// (nothing is created yet).
    pub fn new(cache_dir: &Path, profile: &str, base_url: &str) -> LookupCache {
        let server = url::Url::parse(base_url)
            .ok()
            .and_then(|u| {
                let host = u.host_str()?.to_owned();
                Some(match u.port() {
                    Some(p) => format!("{host}:{p}"),
                    None => host,
                })
            })
            .unwrap_or_else(|| base_url.to_owned());
        LookupCache {
            dir: cache_dir
                .join("lookups")
                .join(component(profile))
                .join(component(&server)),
        }
    }

    /// The directory holding this profile's files for this server.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a lookup is cached in.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{}.json", component(name)))
    }

    /// The cached lookup; `None` when missing or unreadable (a damaged
    /// file is ignored and replaced by the next `put`).
    pub fn get(&self, name: &str) -> Option<Cached> {
        let path = self.path(name);
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_FILE {
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        match serde_json::from_slice::<File>(&bytes) {
            Ok(f) if f.version == VERSION => Some(Cached::read(f.items, f.fetched_at)),
            Ok(f) => {
                tracing::debug!(path = %path.display(), version = f.version, "lookup cache of another version ignored");
                None
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), "unreadable lookup cache ignored: {e}");
                None
            }
        }
    }

    /// Store `items` as fetched now.
    pub fn put(&self, name: &str, items: &[Value]) -> std::io::Result<()> {
        self.put_at(name, items, Utc::now())
    }

    fn put_at(&self, name: &str, items: &[Value], at: DateTime<Utc>) -> std::io::Result<()> {
        let body = serde_json::to_vec(&FileRef {
            version: VERSION,
            fetched_at: at,
            items,
        })
        .map_err(std::io::Error::other)?;
        crate::config::write_private(&self.path(name), &body)
    }
}

/// The cached value unless `refresh` is set or there is none; otherwise
/// every page fetched with `client`, and stored when the list is complete
/// (a cut-off list is returned with its warning and not stored). A
/// failure to store is logged, not returned: the fetched items are still
/// good.
pub async fn load(
    cache: &LookupCache,
    client: &ApiClient,
    name: &str,
    refresh: bool,
) -> Result<Cached, ApiError> {
    if !refresh && let Some(c) = cache.get(name) {
        return Ok(c);
    }
    fetch(Some(cache), client, name).await
}

/// Every page of a lookup from the API, stored in `cache` (if any) when
/// complete.
pub async fn fetch(
    cache: Option<&LookupCache>,
    client: &ApiClient,
    name: &str,
) -> Result<Cached, ApiError> {
    let got = client.lookup(name).await?;
    let fetched_at = Utc::now();
    let complete = got.is_complete();
    if let Some(w) = got.warning() {
        tracing::warn!(lookup = name, "{w}");
    }
    if let Some(cache) = cache.filter(|_| complete)
        && let Err(e) = cache.put_at(name, &got.items, fetched_at)
    {
        tracing::warn!(path = %cache.path(name).display(), "could not cache the lookup: {e}");
    }
    Ok(Cached {
        complete,
        warning: got.warning(),
        short_warning: got.short_warning(),
        repeats: got.repeats,
        items: got.items,
        fetched_at,
    })
}

/// One entry of a picker: the value sent to the API, what is shown, and
/// an optional second column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub label: String,
    pub detail: Option<String>,
}

/// A field as text: strings as they are, numbers and bools printed,
/// `null`, objects and arrays as `None`.
fn text(item: &Value, key: &str) -> Option<String> {
    match item.get(key)? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        v @ (Value::Number(_) | Value::Bool(_)) => Some(v.to_string()),
        _ => None,
    }
}

fn is_true(item: &Value, key: &str) -> bool {
    match item.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A segment's detail: `user · published`, `· hidden` added for hidden
/// ones; `None` when it says none of these.
fn segment_detail(item: &Value) -> Option<String> {
    let category = text(item, "category").map(|c| match c.as_str() {
        "user_id" => "user".to_owned(),
        "company_id" => "company".to_owned(),
        _ => c,
    });
    let parts: Vec<String> = [
        category,
        text(item, "status"),
        is_true(item, "is_hidden").then(|| "hidden".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| crate::api::sanitise(&parts.join(" · "), 100))
}

/// Segments as choices: id (numbers as strings), title, and a detail such
/// as `user · published` (`· hidden` added for hidden ones, which come
/// last). Items without an id are left out: they cannot be sent.
pub fn segments(items: &[Value]) -> Vec<Choice> {
    let mut shown = Vec::new();
    let mut hidden = Vec::new();
    for item in items {
        let Some(id) = text(item, "id") else { continue };
        let label = text(item, "title")
            .or_else(|| text(item, "name"))
            .unwrap_or_else(|| id.clone());
        let choice = Choice {
            id,
            label: crate::api::sanitise(&label, 200),
            detail: segment_detail(item),
        };
        if is_true(item, "is_hidden") {
            hidden.push(choice);
        } else {
            shown.push(choice);
        }
    }
    shown.extend(hidden);
    shown
}

/// The first of `keys` that `item` holds as text.
fn first_text(item: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(item, k))
}

/// How one item of the lookup `name` is listed: the field a person knows
/// it by (`id` is the value: what is sent as `segment_id`, or what names a
/// flow; `key` for properties, features, modules and checklists, whose
/// numeric `id`s mean nothing to a reader), its name (`display_name` or
/// `title`), and a detail where the lookup has one (a segment's category
/// and status, a property's type, an event property's event, an embed's
/// type, a survey's platform and question count). The fields follow the
/// vendor's response examples; an item shaped otherwise still gets a line
/// (its `key`, `id` or `name`, and its JSON when it has no name).
pub fn row(name: &str, item: &Value) -> Choice {
    let by_id = matches!(
        name,
        "segments" | "flows" | "banners" | "embeds" | "spotlights" | "surveys"
    );
    let value = if by_id {
        first_text(item, &["id", "key", "name"])
    } else {
        first_text(item, &["key", "id", "name"])
    };
    let label = first_text(item, &["display_name", "title", "name", "label"])
        .unwrap_or_else(|| item.to_string());
    let data_type = || {
        let t = text(item, "data_type");
        match (t, is_true(item, "is_auto_property")) {
            (Some(t), true) => Some(format!("{t} · auto")),
            (t, _) => t,
        }
    };
    let detail = match name {
        "segments" => segment_detail(item),
        "events_properties" => {
            let event = match item.get("event") {
                Some(e @ Value::Object(_)) => first_text(e, &["display_name", "name", "id"]),
                _ => text(item, "event"),
            };
            let parts: Vec<String> = [
                event,
                text(item, "data_type"),
                is_true(item, "is_archived").then(|| "archived".to_owned()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!parts.is_empty()).then(|| parts.join(" · "))
        }
        "embeds" => text(item, "type"),
        "surveys" => {
            let questions = match item.get("modules") {
                Some(Value::Array(m)) => Some(match m.len() {
                    1 => "1 question".to_owned(),
                    n => format!("{n} questions"),
                }),
                _ => None,
            };
            let parts: Vec<String> = [text(item, "platform"), questions]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" · "))
        }
        _ => data_type(),
    };
    Choice {
        id: crate::api::sanitise(&value.unwrap_or_default(), 200),
        label: crate::api::sanitise(&label, 200),
        detail: detail.map(|d| crate::api::sanitise(&d, 100)),
    }
}

/// Event types to pick from: the 7 the API documents (detail `event
/// type`). `event_type` takes event types only: the keys of the
/// `features_events` lookup are features, not event types (their events
/// are exported as `track_feature`), so they are not offered here; a
/// type the API may know beyond these can still be typed.
pub fn event_types() -> Vec<Choice> {
    KNOWN_EVENT_TYPES
        .iter()
        .map(|t| Choice {
            id: (*t).to_owned(),
            label: (*t).to_owned(),
            detail: Some("event type".into()),
        })
        .collect()
}

/// The choices whose id or label contains every whitespace-separated word
/// of `query` (case-insensitive; a word may match either), in order. An
/// empty query keeps all.
pub fn filter<'a>(choices: &'a [Choice], query: &str) -> Vec<&'a Choice> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    choices
        .iter()
        .filter(|c| {
            let id = c.id.to_lowercase();
            let label = c.label.to_lowercase();
            words
                .iter()
                .all(|w| id.contains(w.as_str()) || label.contains(w.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn components_are_safe_and_distinct() {
        assert_eq!(component("default"), "default");
        assert_eq!(component("eu.prod-2_x"), "eu.prod-2_x");
        assert_eq!(component("../x"), "%2E.%2Fx");
        assert_eq!(component("a/b"), "a%2Fb");
        assert_ne!(component("a/b"), component("a_b"));
        assert_ne!(component("a%2Fb"), component("a/b"));
        assert_eq!(component(""), "%");
        assert_eq!(component("é"), "%C3%A9");
    }

    #[test]
    fn segment_choices() {
        let items = vec![
            json!({"id": 101, "title": "Active Users", "category": "user_id", "status": "published", "is_hidden": false}),
            json!({"id": 102, "title": "Secret", "category": "company_id", "status": "draft", "is_hidden": true}),
            json!({"title": "no id"}),
            json!({"id": "103", "title": "Line\nbreak"}),
        ];
        let c = segments(&items);
        let ids: Vec<&str> = c.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["101", "103", "102"], "hidden last, no-id dropped");
        assert_eq!(c[0].label, "Active Users");
        assert_eq!(c[0].detail.as_deref(), Some("user · published"));
        assert_eq!(c[1].label, "Line break");
        assert_eq!(c[1].detail, None);
        assert_eq!(c[2].detail.as_deref(), Some("company · draft · hidden"));
    }

    /// The vendor's example items: property lookups are listed by key,
    /// never by their numeric id.
    #[test]
    fn rows_use_each_lookups_meaningful_fields() {
        let row = |name: &str, item: Value| {
            let c = super::row(name, &item);
            (c.id, c.label, c.detail)
        };
        let s = |v: &str| v.to_owned();
        assert_eq!(
            row(
                "user_properties",
                json!({"id": 1, "type": "user_property", "key": "email", "display_name": "Email", "data_type": "string", "is_auto_property": false})
            ),
            (s("email"), s("Email"), Some(s("string")))
        );
        assert_eq!(
            row(
                "company_properties",
                json!({"id": 10, "type": "company_property", "key": "company_name", "display_name": "Company Name", "data_type": "string", "is_auto_property": true})
            ),
            (
                s("company_name"),
                s("Company Name"),
                Some(s("string · auto"))
            )
        );
        assert_eq!(
            row(
                "events_properties",
                json!({"id": 12, "key": "url", "display_name": "URL", "data_type": "string", "event": {"id": 33, "display_name": "page_view"}, "is_archived": true})
            ),
            (s("url"), s("URL"), Some(s("page_view · string · archived")))
        );
        assert_eq!(
            row(
                "checklists",
                json!({"display_name": "Checklist A", "key": "checklist_a", "data_type": "string"})
            ),
            (s("checklist_a"), s("Checklist A"), Some(s("string")))
        );
        assert_eq!(
            row("flows", json!({"id": 123, "title": "Onboarding Flow"})),
            (s("123"), s("Onboarding Flow"), None)
        );
        assert_eq!(
            row(
                "embeds",
                json!({"id": 77, "title": "Promo Banner", "type": "banner"})
            ),
            (s("77"), s("Promo Banner"), Some(s("banner")))
        );
        assert_eq!(
            row(
                "surveys",
                json!({"id": 45, "title": "CSAT Survey", "platform": "web", "modules": [{"id": 1}]})
            ),
            (s("45"), s("CSAT Survey"), Some(s("web · 1 question")))
        );
        // Shaped otherwise: still a line, and no control characters.
        assert_eq!(
            row("flows", json!({"key": "k\u{1b}[2J", "x": 1})),
            (s("k [2J"), s(r#"{"key":"k\u001b[2J","x":1}"#), None)
        );
    }

    #[test]
    fn event_type_choices_are_the_documented_types_only() {
        let c = event_types();
        let ids: Vec<&str> = c.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, KNOWN_EVENT_TYPES);
        assert!(c.iter().all(|c| c.detail.as_deref() == Some("event type")));
    }

    #[test]
    fn filtering() {
        let c = |id: &str, label: &str| Choice {
            id: id.into(),
            label: label.into(),
            detail: None,
        };
        let all = vec![
            c("101", "Active Users"),
            c("102", "New Admins"),
            c("203", "Active Admins"),
            c("feature_a", "Feature A"),
        ];
        let ids =
            |q: &str| -> Vec<String> { filter(&all, q).iter().map(|c| c.id.clone()).collect() };
        assert_eq!(ids(""), ["101", "102", "203", "feature_a"]);
        assert_eq!(ids("   "), ids(""));
        assert_eq!(ids("ADMINS"), ["102", "203"]);
        assert_eq!(ids("admins active"), ["203"], "every word, any order");
        assert_eq!(ids("10"), ["101", "102"], "ids match");
        assert_eq!(
            ids("20 admins"),
            ["203"],
            "one word on the id, one on the label"
        );
        assert_eq!(ids("feature_"), ["feature_a"]);
        assert!(ids("zzz").is_empty());
    }
}
