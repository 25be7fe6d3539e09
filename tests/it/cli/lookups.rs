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
