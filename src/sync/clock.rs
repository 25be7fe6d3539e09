//! The clock a sync plans by: the system's UTC clock.
//!
//! Under the `testing` cargo feature only (never in a release build),
//! `UPEXPORT_TEST_NOW` (RFC 3339) sets where the clock starts when the
//! process first asks; it then runs on at real speed. The tests use it to
//! put a run a moment before midnight UTC, so "yesterday" changes while it
//! runs (the run keeps the `until` it started with; the next run picks the
//! new day up).

use chrono::{DateTime, Utc};

/// Now, in UTC.
pub fn now() -> DateTime<Utc> {
    #[cfg(feature = "testing")]
    if let Some(t) = test_now() {
        return t;
    }
    Utc::now()
}

#[cfg(feature = "testing")]
fn test_now() -> Option<DateTime<Utc>> {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Option<(DateTime<Utc>, Instant)>> = OnceLock::new();
    let (at, since) = START
        .get_or_init(|| {
            let raw = std::env::var("UPEXPORT_TEST_NOW").ok()?;
            let at = DateTime::parse_from_rfc3339(raw.trim()).ok()?;
            Some((at.with_timezone(&Utc), Instant::now()))
        })
        .as_ref()?;
    let run = chrono::Duration::from_std(since.elapsed()).unwrap_or_default();
    Some(*at + run)
}
