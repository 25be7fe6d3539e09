//! `upexport lookups NAME` against a `demo-server` child: what each line
//! shows, and every lookup against a vendor that pages and pads its
//! answers unlike its documentation (`--mode vendor-differs`).

use assert_cmd::Command;
use upexport::demo::DEMO_KEY;

use crate::support::{Out, Sandbox};

/// Run and insist on an exit code, showing both streams when it differs.
#[track_caller]
fn expect_code(mut c: Command, args: &[&str], code: i32) -> Out {
    c.args(args);
    let r = crate::support::run(c);
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

/// The first line's columns, split at runs of two or more spaces.
fn columns(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Each lookup's line starts with the field a person knows it by (the key
/// of a property, the id of a segment or flow) and then its name; the
/// vendor's property items carry numeric ids that mean nothing to a reader.
#[test]
fn each_lookup_line_shows_its_meaningful_fields() {
    let sb = Sandbox::new();
    let server = sb.demo_server("normal", 600.0, &[]);
    for (name, first) in [
        ("segments", &["101", "Active Users", "user · published"][..]),
        (
            "events_properties",
            &["plan", "Signed Up: plan", "Signed Up · string"],
        ),
        ("user_properties", &["email", "Email", "string"]),
        (
            "company_properties",
            &["company_name", "Company Name", "string"],
        ),
        ("features_events", &["feature_a", "Feature A", "string"]),
        ("flows", &["120", "Onboarding Flow"]),
        ("banners", &["210", "Scheduled Maintenance"]),
        ("embeds", &["230", "Pricing Page Explainer", "card"]),
        ("spotlights", &["250", "Export Button Hotspot"]),
        ("surveys", &["270", "NPS Survey", "web · 2 questions"]),
        (
            "resource_center_modules",
            &["getting_started", "Getting Started", "string"],
        ),
        (
            "checklists",
            &[
                "account_setup_checklist",
                "Account Setup Checklist",
                "string",
            ],
        ),
    ] {
        let r = expect_code(
            sb.with_key(DEMO_KEY),
            &["lookups", "--base-url", &server.url, name],
            0,
        );
        let line = r.stdout.lines().next().unwrap_or_default();
        assert_eq!(columns(line), first, "{name}: {line:?}");
    }
}

/// What identifies an item: its `id`, else the whole item.
fn identity(item: &serde_json::Value) -> String {
    match &item["id"] {
        serde_json::Value::Null => item.to_string(),
        id => id.to_string(),
    }
}

/// Every lookup against a vendor that pages, sizes and pads its answers
/// unlike its documentation: `segments` ignores `after_cursor` and hands
/// out a fresh cursor each time, `events_properties` overlaps its pages
/// and repeats its last cursor, `features_events` is about 5 MB, and every
/// item and page carries fields the client does not know. Each command
/// ends (within the commands' limit), keeps each item once and passes the
/// unknown fields through; a list that may be cut off is printed, warned
/// about, exits 5 and is not cached; one that stopped early but holds all
/// the server counts is warned about, exits 0 and is cached.
#[test]
fn every_lookup_against_vendor_differs_ends_deduplicated_and_warned() {
    let sb = Sandbox::new();
    let server = sb.demo_server("vendor-differs", 600.0, &[]);
    let url = server.url.clone();
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let cache = sb.root().join(format!(
        "cache/upexport/lookups/default/{}",
        host.replace(':', "%3A")
    ));
    for name in upexport::api::LOOKUPS {
        let cut_off = name == "segments";
        let code = if cut_off { 5 } else { 0 };
        let r = expect_code(
            sb.with_key(DEMO_KEY),
            &["lookups", "--base-url", &url, name, "--json"],
            code,
        );
        let out = crate::support::json(&r.stdout);
        assert_eq!(out["complete"], !cut_off, "{name}");
        let items = out["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: {}", r.stdout));
        let ids: std::collections::HashSet<String> = items.iter().map(identity).collect();
        assert_eq!(ids.len(), items.len(), "{name}: each item once");
        assert!(
            items.iter().all(|i| i.get("vendor_revision").is_some()),
            "{name}: the unknown fields are kept"
        );
        let want = match name {
            "segments" => 50,
            "events_properties" => 72,
            "features_events" => upexport::demo::BIG_FEATURES,
            _ => items.len(),
        };
        assert_eq!(items.len(), want, "{name}");
        let file = cache.join(format!("{name}.json"));
        if cut_off {
            assert!(
                r.stderr.contains("paging stopped after page 2")
                    && r.stderr.contains("50 of the 120")
                    && r.stderr.contains("not cached"),
                "{name}: {}",
                r.stderr
            );
            assert!(!file.exists(), "{name}: a cut-off list is not cached");
        } else {
            assert!(file.is_file(), "{name}: cached");
        }
        if name == "events_properties" {
            assert!(
                r.stderr.contains("warning")
                    && r.stderr.contains("cursor of an earlier page")
                    && r.stderr.contains("all 72 items"),
                "{}",
                r.stderr
            );
        }
        if name == "features_events" {
            assert!(r.stdout.len() > 5_000_000, "{} bytes", r.stdout.len());
        }
    }
    // The cut-off list is asked for again (not served from a cache), the
    // complete ones come from the cache, in the text form too.
    let r = expect_code(
        sb.with_key(DEMO_KEY),
        &["lookups", "--base-url", &url, "segments"],
        5,
    );
    assert_eq!(r.stdout.lines().count(), 50);
    assert!(!r.stderr.contains("(cached"), "{}", r.stderr);
    assert!(r.stderr.contains("incomplete"), "{}", r.stderr);
    let r = expect_code(
        sb.cmd(),
        &["lookups", "--base-url", &url, "events_properties"],
        0,
    );
    assert_eq!(r.stdout.lines().count(), 72);
    assert!(r.stderr.contains("72 items (cached"), "{}", r.stderr);
}
