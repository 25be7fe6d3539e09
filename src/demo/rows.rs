//! Deterministic sample event rows with the fields of an exported event
//! (API doc section 6), dated inside the job's range and restricted to the
//! requested event types, users and companies.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::rng::Rng;
use super::spec::JobSpec;
use crate::export::KNOWN_EVENT_TYPES;

/// The app token every demo row and answer carries.
pub const APP_TOKEN: &str = "NX-DEMO001";

/// Column order of the CSV header and the Avro schema.
pub(crate) const COLUMNS: [&str; 20] = [
    "app_token",
    "event_type",
    "event_name",
    "user_id",
    "company_id",
    "source",
    "inserted_at",
    "internal_event_id",
    "hostname",
    "pathname",
    "screen_width",
    "screen_height",
    "device_type",
    "user_agent",
    "operating_system",
    "browser",
    "browser_language",
    "session",
    "country_code",
    "metadata",
];

/// One exported event. Field order is [`COLUMNS`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Row {
    pub app_token: String,
    pub event_type: String,
    pub event_name: String,
    pub user_id: String,
    pub company_id: String,
    pub source: String,
    /// UTC with microseconds: `2026-10-03T14:05:09.123456Z`.
    pub inserted_at: String,
    pub internal_event_id: String,
    pub hostname: String,
    pub pathname: String,
    pub screen_width: i64,
    pub screen_height: i64,
    pub device_type: String,
    pub user_agent: String,
    pub operating_system: String,
    pub browser: String,
    pub browser_language: String,
    pub session: String,
    pub country_code: String,
    pub metadata: Value,
}

impl Row {
    /// The scalar columns as text, in [`COLUMNS`] order (metadata as JSON).
    pub(crate) fn cells(&self) -> [String; 20] {
        [
            self.app_token.clone(),
            self.event_type.clone(),
            self.event_name.clone(),
            self.user_id.clone(),
            self.company_id.clone(),
            self.source.clone(),
            self.inserted_at.clone(),
            self.internal_event_id.clone(),
            self.hostname.clone(),
            self.pathname.clone(),
            self.screen_width.to_string(),
            self.screen_height.to_string(),
            self.device_type.clone(),
            self.user_agent.clone(),
            self.operating_system.clone(),
            self.browser.clone(),
            self.browser_language.clone(),
            self.session.clone(),
            self.country_code.clone(),
            self.metadata.to_string(),
        ]
    }
}

struct Device {
    kind: &'static str,
    os: &'static str,
    browser: &'static str,
    agent: &'static str,
    size: (i64, i64),
}

const DEVICES: [Device; 5] = [
    Device {
        kind: "desktop",
        os: "Mac OS X",
        browser: "Chrome",
        agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        size: (1440, 900),
    },
    Device {
        kind: "desktop",
        os: "Windows",
        browser: "Firefox",
        agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
        size: (1920, 1080),
    },
    Device {
        kind: "desktop",
        os: "Windows",
        browser: "Edge",
        agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0",
        size: (1536, 864),
    },
    Device {
        kind: "mobile",
        os: "iOS",
        browser: "Mobile Safari",
        agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        size: (390, 844),
    },
    Device {
        kind: "tablet",
        os: "Android",
        browser: "Chrome",
        agent: "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        size: (1600, 2560),
    },
];

const PATHS: [&str; 8] = [
    "/dashboard",
    "/reports/weekly",
    "/settings/billing",
    "/projects/42/tasks",
    "/onboarding/welcome",
    "/integrations",
    "/team/members",
    "/help",
];
const LANGUAGES: [&str; 6] = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "pt-BR"];
const COUNTRIES: [&str; 8] = ["US", "GB", "DE", "FR", "ES", "BR", "CA", "IN"];
const TRACK_EVENTS: [&str; 5] = [
    "Signed Up",
    "Created Project",
    "Invited Teammate",
    "Exported Report",
    "Upgraded Plan",
];
const FEATURES: [&str; 4] = [
    "feature_a",
    "dashboard_filter_used",
    "report_shared",
    "dark_mode_enabled",
];
const INTERACTIONS: [&str; 4] = [
    "flow_started",
    "flow_completed",
    "checklist_item_completed",
    "survey_submitted",
];
const PLANS: [&str; 4] = ["free", "starter", "pro", "enterprise"];
const USERS: u64 = 60;
const COMPANIES: u64 = 15;

/// The `count` rows of part `part` (0-based) of `parts`: each part covers
/// its share of the range, rows in time order.
pub(crate) fn generate(
    spec: &JobSpec,
    seed: u64,
    part: usize,
    parts: usize,
    count: usize,
) -> Vec<Row> {
    let mut rng = Rng::new(seed ^ (part as u64).wrapping_mul(0x1000_0000_01B3));
    let span = (spec.until - spec.from)
        .num_microseconds()
        .unwrap_or(i64::MAX)
        .max(1);
    let parts = parts.max(1) as i64;
    let lo = span / parts * part as i64;
    let hi = if part as i64 + 1 >= parts {
        span
    } else {
        span / parts * (part as i64 + 1)
    };
    let width = (hi - lo).max(1) as u64;
    let mut offsets: Vec<i64> = (0..count).map(|_| lo + rng.below(width) as i64).collect();
    offsets.sort_unstable();

    let types: Vec<String> = if spec.event_types.is_empty() {
        KNOWN_EVENT_TYPES.iter().map(|s| (*s).to_owned()).collect()
    } else {
        spec.event_types.clone()
    };
    offsets
        .into_iter()
        .map(|off| {
            row(
                &mut rng,
                spec,
                &types,
                spec.from + Duration::microseconds(off),
            )
        })
        .collect()
}

fn row(rng: &mut Rng, spec: &JobSpec, types: &[String], at: DateTime<Utc>) -> Row {
    let user_no = rng.below(USERS) + 1;
    let user_id = if spec.user_ids.is_empty() {
        format!("user-{user_no:04}")
    } else {
        rng.pick(&spec.user_ids).clone()
    };
    let company_no = user_no % COMPANIES + 1;
    let company_id = if spec.company_ids.is_empty() {
        format!("company-{company_no:03}")
    } else {
        rng.pick(&spec.company_ids).clone()
    };
    let event_type = rng.pick(types).clone();
    let device = rng.pick(&DEVICES);
    let pathname = (*rng.pick(&PATHS)).to_owned();
    let (event_name, metadata, source) = match event_type.as_str() {
        "page_view" => (
            "page_view".to_owned(),
            json!({"title": title_of(&pathname), "referrer": ""}),
            "web-client",
        ),
        "track" => {
            let name = *rng.pick(&TRACK_EVENTS);
            (
                name.to_owned(),
                json!({"plan": *rng.pick(&PLANS), "value": rng.below(10) + 1}),
                "web-client",
            )
        }
        "track_feature" => (
            (*rng.pick(&FEATURES)).to_owned(),
            json!({"feature_id": 300 + rng.below(40)}),
            "web-client",
        ),
        "interaction" => (
            (*rng.pick(&INTERACTIONS)).to_owned(),
            json!({"flow_id": 120 + rng.below(12), "step": rng.below(5) + 1}),
            "web-client",
        ),
        "identify_user" => (
            "identify_user".to_owned(),
            json!({"email": format!("{user_id}@acme-demo.com"), "plan": *rng.pick(&PLANS), "name": format!("Demo User {user_no}")}),
            "web-client",
        ),
        "identify_company" => (
            "identify_company".to_owned(),
            json!({"name": format!("Acme Demo {company_no}"), "employees": 10 * (rng.below(50) + 1)}),
            "server-api",
        ),
        "session_start" => (
            "session_start".to_owned(),
            json!({"referrer": "https://www.google.com/"}),
            "web-client",
        ),
        other => (other.to_owned(), json!({}), "server-api"),
    };
    Row {
        app_token: APP_TOKEN.to_owned(),
        event_type,
        event_name,
        user_id,
        company_id,
        source: source.to_owned(),
        inserted_at: at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        internal_event_id: rng.uuid_like(),
        hostname: "app.acme-demo.com".to_owned(),
        pathname,
        screen_width: device.size.0,
        screen_height: device.size.1,
        device_type: device.kind.to_owned(),
        user_agent: device.agent.to_owned(),
        operating_system: device.os.to_owned(),
        browser: device.browser.to_owned(),
        browser_language: (*rng.pick(&LANGUAGES)).to_owned(),
        session: rng.uuid_like(),
        country_code: (*rng.pick(&COUNTRIES)).to_owned(),
        metadata,
    }
}

fn title_of(path: &str) -> String {
    let last = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("home");
    let mut t = last.replace(['-', '_'], " ");
    if let Some(first) = t.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{t} · Acme")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Format;

    fn spec() -> JobSpec {
        let d = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        JobSpec {
            from: d("2026-10-01T00:00:00Z"),
            until: d("2026-11-01T00:00:00Z"),
            format: Format::Ndjson,
            event_types: vec!["track".into(), "page_view".into()],
            user_ids: vec!["alice".into()],
            company_ids: vec![],
        }
    }

    #[test]
    fn rows_follow_the_request() {
        let s = spec();
        let a = generate(&s, 42, 0, 2, 50);
        let b = generate(&s, 42, 1, 2, 50);
        assert_eq!(a, generate(&s, 42, 0, 2, 50), "deterministic");
        assert_eq!(a.len(), 50);
        for r in a.iter().chain(&b) {
            assert!(r.event_type == "track" || r.event_type == "page_view");
            assert_eq!(r.user_id, "alice");
            assert!(r.inserted_at.starts_with("2026-10-"), "{}", r.inserted_at);
            assert_eq!(r.inserted_at.len(), "2026-10-03T14:05:09.123456Z".len());
            assert!(r.metadata.is_object());
        }
        assert!(a.windows(2).all(|w| w[0].inserted_at <= w[1].inserted_at));
        assert!(
            a.last().unwrap().inserted_at <= b[0].inserted_at,
            "parts in order"
        );
    }

    #[test]
    fn json_keys_in_column_order() {
        let r = &generate(&spec(), 1, 0, 1, 1)[0];
        let text = serde_json::to_string(r).unwrap();
        let mut last = 0;
        for c in COLUMNS {
            let at = text.find(&format!("\"{c}\":")).unwrap();
            assert!(at >= last, "{c}");
            last = at;
        }
    }
}
