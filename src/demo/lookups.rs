//! `GET /api/v1/analytics/exports/lookups/{name}`: believable lookup data.
//! Most lookups are bare arrays; `segments` and `events_properties` are
//! paginated with opaque cursors (`?after_cursor=`, `?before_cursor=`,
//! optional `?limit=` 1-100, default 50).

use std::collections::HashMap;

use serde_json::{Value, json};

/// Every lookup the demo knows: all the API documents.
pub use crate::api::LOOKUPS;

/// Page size when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 50;

/// Why a lookup has no answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LookupError {
    Unknown,
    BadCursor(String),
    BadLimit(String),
}

/// The answer body for `name` with the query parameters given. Items are
/// shaped as the vendor's OpenAPI response examples show them (field names
/// and JSON types); the values are made up.
pub(crate) fn lookup(name: &str, query: &HashMap<String, String>) -> Result<Value, LookupError> {
    let titled = |items: &[(u64, &str)]| -> Value {
        items
            .iter()
            .map(|(id, t)| json!({"id": id, "title": t}))
            .collect()
    };
    Ok(match name {
        "user_properties" => properties(
            "user_property",
            1,
            &[
                ("Email", "email", "string", false),
                ("Name", "name", "string", false),
                ("Created At", "created_at", "date", false),
                ("Plan", "plan", "string", false),
                ("Role", "role", "string", false),
                ("Last Seen", "last_seen_at", "date", true),
                ("Login Count", "login_count", "numeric", true),
                ("Locale", "locale", "string", true),
                ("Is Admin", "is_admin", "boolean", false),
                ("Signup Source", "signup_source", "string", false),
            ],
        ),
        "company_properties" => properties(
            "company_property",
            20,
            &[
                ("Company Name", "company_name", "string", false),
                ("Plan", "plan", "string", false),
                ("Employees", "employees", "numeric", false),
                ("Industry", "industry", "string", false),
                ("MRR", "mrr", "numeric", false),
                ("Created At", "created_at", "date", true),
                ("Country", "country", "string", true),
            ],
        ),
        "features_events" => typed(&[
            ("Feature A", "feature_a", "string"),
            ("Dashboard Filter Used", "dashboard_filter_used", "string"),
            ("Report Shared", "report_shared", "string"),
            ("Dark Mode Enabled", "dark_mode_enabled", "boolean"),
            ("Signed Up", "signed_up", "string"),
            ("Created Project", "created_project", "string"),
            ("Invited Teammate", "invited_teammate", "string"),
            ("Exported Report", "exported_report", "string"),
            ("Upgraded Plan", "upgraded_plan", "string"),
        ]),
        "flows" => titled(&[
            (120, "Onboarding Flow"),
            (121, "Welcome Tour"),
            (122, "New Dashboard Walkthrough"),
            (123, "Invite Your Team"),
            (124, "Billing Page Tips"),
            (125, "Reports 2.0 Announcement"),
            (126, "Integrations Setup"),
            (127, "Trial Ending Reminder"),
        ]),
        "banners" => titled(&[
            (210, "Scheduled Maintenance"),
            (211, "Webinar: Getting More From Reports"),
            (212, "Upgrade to Pro"),
        ]),
        "embeds" => json!([
            {"id": 230, "title": "Pricing Page Explainer", "type": "card"},
            {"id": 231, "title": "Help Center Video", "type": "banner"},
        ]),
        "spotlights" => titled(&[
            (250, "Export Button Hotspot"),
            (251, "New Filter Tooltip"),
            (252, "Keyboard Shortcuts Hint"),
        ]),
        "surveys" => json!([
            survey(
                270,
                "NPS Survey",
                "web",
                &[
                    ("nps", "How likely are you to recommend us?"),
                    ("open_text", "What is the main reason for your score?")
                ]
            ),
            survey(
                271,
                "Onboarding Feedback",
                "web",
                &[("open_text", "How was getting started?")]
            ),
            survey(
                272,
                "Feature Request Poll",
                "web",
                &[("multiple_choice", "Which should we build next?")]
            ),
            survey(
                273,
                "Churn Survey",
                "mobile",
                &[
                    ("multiple_choice", "Why are you leaving?"),
                    ("open_text", "Anything else?")
                ]
            ),
        ]),
        "resource_center_modules" => typed(&[
            ("Getting Started", "getting_started", "string"),
            ("Knowledge Base", "knowledge_base", "string"),
            ("Contact Support", "contact_support", "string"),
            ("What's New", "whats_new", "string"),
        ]),
        "checklists" => typed(&[
            (
                "Account Setup Checklist",
                "account_setup_checklist",
                "string",
            ),
            (
                "Admin Onboarding Checklist",
                "admin_onboarding_checklist",
                "string",
            ),
        ]),
        "segments" => page(segments(), query)?,
        "events_properties" => page(event_properties(), query)?,
        _ => return Err(LookupError::Unknown),
    })
}

fn typed(items: &[(&str, &str, &str)]) -> Value {
    items
        .iter()
        .map(|(d, k, t)| json!({"display_name": d, "key": k, "data_type": t}))
        .collect()
}

/// User or company properties (`kind` is `user_property` or
/// `company_property`), numbered from `first_id`.
fn properties(kind: &str, first_id: u64, items: &[(&str, &str, &str, bool)]) -> Value {
    (first_id..)
        .zip(items)
        .map(|(id, (d, k, t, auto))| {
            json!({
                "id": id,
                "type": kind,
                "key": k,
                "display_name": d,
                "data_type": t,
                "is_auto_property": auto,
            })
        })
        .collect()
}

/// A survey with its questions (`modules`).
fn survey(id: u64, title: &str, platform: &str, questions: &[(&str, &str)]) -> Value {
    let modules: Vec<Value> = (1..)
        .zip(questions)
        .map(|(order, (kind, q))| {
            json!({"id": id * 10 + order, "order": order, "type": kind, "question": q})
        })
        .collect();
    json!({"id": id, "title": title, "platform": platform, "modules": modules})
}

/// 120 segments (ids 101-220): three pages of 50.
pub(super) fn segments() -> Vec<Value> {
    const WHO: [&str; 12] = [
        "Active",
        "New",
        "Trial",
        "Paying",
        "Dormant",
        "Power",
        "Churned",
        "Enterprise",
        "EU",
        "US",
        "Mobile",
        "Beta",
    ];
    const ROLE: [&str; 10] = [
        "Users",
        "Admins",
        "Managers",
        "Developers",
        "Designers",
        "Marketers",
        "Sales Reps",
        "Owners",
        "Analysts",
        "Support Agents",
    ];
    let mut out = Vec::new();
    for (i, who) in WHO.iter().enumerate() {
        for (j, role) in ROLE.iter().enumerate() {
            let n = i * ROLE.len() + j;
            let company = n % 4 == 3;
            let usage = ["all", "flows", "analytics"][n % 3];
            out.push(json!({
                "id": 101 + n,
                "title": format!("{who} {role}"),
                "usage": usage,
                "category": if company { "company_id" } else { "user_id" },
                "is_hidden": n % 17 == 5,
                "is_protected": n.is_multiple_of(23),
                "status": if n % 11 == 10 { "draft" } else { "published" },
            }));
        }
    }
    out
}

/// Properties of the tracked events (72): two pages of 50.
pub(super) fn event_properties() -> Vec<Value> {
    const EVENTS: [&str; 8] = [
        "Signed Up",
        "Created Project",
        "Invited Teammate",
        "Exported Report",
        "Upgraded Plan",
        "Opened Settings",
        "Connected Integration",
        "Viewed Pricing",
    ];
    const PROPS: [(&str, &str, &str); 9] = [
        ("plan", "string", "event_property"),
        ("value", "numeric", "event_property"),
        ("source", "string", "event_property"),
        ("duration_ms", "numeric", "event_property"),
        ("is_first_time", "boolean", "event_property"),
        ("page", "string", "css_attribute"),
        ("team_size", "numeric", "event_property"),
        ("occurred_at", "date", "event_property"),
        ("campaign", "string", "event_property"),
    ];
    let mut out = Vec::new();
    for (e, event) in (33u64..).zip(EVENTS) {
        for (p, (key, ty, category)) in (0u64..).zip(PROPS) {
            let words = key.replace('_', " ");
            out.push(json!({
                "id": 1000 + (e - 33) * 10 + p,
                "key": key,
                "display_name": format!("{event}: {words}"),
                "is_auto_property": category == "css_attribute",
                "is_mobile_auto_property": false,
                "data_type": ty,
                "category": category,
                "description": format!("The {words} of {event}"),
                "is_archived": e == 40 && p == 8,
                "event": {"id": e, "display_name": event},
                "inserted_at": "2025-01-01T00:00:00Z",
                "last_seen": "2026-11-01T00:00:00Z",
            }));
        }
    }
    out
}

pub(super) fn page(
    items: Vec<Value>,
    query: &HashMap<String, String>,
) -> Result<Value, LookupError> {
    let limit = match query.get("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| LookupError::BadLimit(l.clone()))?,
    };
    let start = match query
        .get("after_cursor")
        .or_else(|| query.get("before_cursor"))
    {
        None => 0,
        Some(c) if c.is_empty() => 0,
        Some(c) => decode_cursor(c)
            .filter(|&o| o < items.len())
            .ok_or_else(|| LookupError::BadCursor(c.clone()))?,
    };
    let end = (start + limit).min(items.len());
    let after = (end < items.len()).then(|| cursor(end));
    let before = (start > 0).then(|| cursor(start.saturating_sub(limit)));
    Ok(json!({
        "data": items[start..end],
        "metadata": {
            "cursor": {"after": after, "before": before},
            "limit": limit,
            "total_count": items.len(),
        },
    }))
}

/// An opaque cursor: the hex of `o:<offset>`.
pub(super) fn cursor(offset: usize) -> String {
    format!("o:{offset}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) fn decode_cursor(c: &str) -> Option<usize> {
    if !c.len().is_multiple_of(2) || !c.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..c.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&c[i..i + 2], 16).ok())
        .collect();
    String::from_utf8(bytes?)
        .ok()?
        .strip_prefix("o:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_answers() {
        for name in LOOKUPS {
            let v = lookup(name, &HashMap::new()).unwrap();
            assert!(v.is_array() || v["data"].is_array(), "{name}");
        }
        assert_eq!(lookup("nope", &HashMap::new()), Err(LookupError::Unknown));
    }

    #[test]
    fn pages_link_up() {
        let mut q = HashMap::new();
        let mut seen = Vec::new();
        loop {
            let v = lookup("segments", &q).unwrap();
            seen.extend(
                v["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["id"].as_u64().unwrap()),
            );
            match v["metadata"]["cursor"]["after"].as_str() {
                Some(a) => q.insert("after_cursor".into(), a.into()),
                None => break,
            };
        }
        assert_eq!(seen, (101..=220).collect::<Vec<_>>());
        q.insert("after_cursor".into(), "zz".into());
        assert!(matches!(
            lookup("segments", &q),
            Err(LookupError::BadCursor(_))
        ));
    }
}
