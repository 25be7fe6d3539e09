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

/// The answer body for `name` with the query parameters given.
pub(crate) fn lookup(name: &str, query: &HashMap<String, String>) -> Result<Value, LookupError> {
    let titled = |items: &[(u64, &str)]| -> Value {
        items
            .iter()
            .map(|(id, t)| json!({"id": id, "title": t}))
            .collect()
    };
    Ok(match name {
        "user_properties" => typed(&[
            ("Email", "email", "string"),
            ("Name", "name", "string"),
            ("Created At", "created_at", "date"),
            ("Plan", "plan", "string"),
            ("Role", "role", "string"),
            ("Last Seen", "last_seen_at", "date"),
            ("Login Count", "login_count", "numeric"),
            ("Locale", "locale", "string"),
            ("Is Admin", "is_admin", "boolean"),
            ("Signup Source", "signup_source", "string"),
        ]),
        "company_properties" => typed(&[
            ("Name", "name", "string"),
            ("Plan", "plan", "string"),
            ("Employees", "employees", "numeric"),
            ("Industry", "industry", "string"),
            ("MRR", "mrr", "numeric"),
            ("Created At", "created_at", "date"),
            ("Country", "country", "string"),
        ]),
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
        "embeds" => titled(&[(230, "Pricing Page Explainer"), (231, "Help Center Video")]),
        "spotlights" => titled(&[
            (250, "Export Button Hotspot"),
            (251, "New Filter Tooltip"),
            (252, "Keyboard Shortcuts Hint"),
        ]),
        "surveys" => titled(&[
            (270, "NPS Survey"),
            (271, "Onboarding Feedback"),
            (272, "Feature Request Poll"),
            (273, "Churn Survey"),
        ]),
        "resource_center_modules" => titled(&[
            (290, "Getting Started"),
            (291, "Knowledge Base"),
            (292, "Contact Support"),
            (293, "What's New"),
        ]),
        "checklists" => titled(&[
            (310, "Account Setup Checklist"),
            (311, "Admin Onboarding Checklist"),
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

/// 120 segments (ids 101-220): three pages of 50.
fn segments() -> Vec<Value> {
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

/// Properties of the tracked events: two pages of 50.
fn event_properties() -> Vec<Value> {
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
    const PROPS: [(&str, &str); 9] = [
        ("plan", "string"),
        ("value", "numeric"),
        ("source", "string"),
        ("duration_ms", "numeric"),
        ("is_first_time", "boolean"),
        ("page", "string"),
        ("team_size", "numeric"),
        ("occurred_at", "date"),
        ("campaign", "string"),
    ];
    let mut out = Vec::new();
    for event in EVENTS {
        for (key, ty) in PROPS {
            out.push(json!({
                "event": event,
                "display_name": format!("{event}: {}", key.replace('_', " ")),
                "key": key,
                "data_type": ty,
            }));
        }
    }
    out
}

fn page(items: Vec<Value>, query: &HashMap<String, String>) -> Result<Value, LookupError> {
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
fn cursor(offset: usize) -> String {
    format!("o:{offset}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_cursor(c: &str) -> Option<usize> {
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
