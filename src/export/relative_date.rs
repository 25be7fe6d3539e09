//! Relative dates: `today`, `yesterday` and `Nd` (N days ago, e.g. `7d`),
//! taken wherever a date is (the TUI's date fields, `submit` and `queue
//! add --from/--to`, `--plain`) and resolved here, once, against the
//! current day in UTC (the exported rows' `inserted_at` is UTC; a local
//! day would name another day near midnight). The front ends show what a
//! word became: the TUI puts the day in the field, the CLI says it on
//! stderr, `--plain` says it back.

use chrono::{Days, NaiveDate, Utc};

/// Today in UTC: the day relative dates (and the calendar's presets) count
/// from.
pub fn today_utc() -> NaiveDate {
    Utc::now().date_naive()
}

/// The day `input` names when it is a relative date (any case, spaces
/// around it ignored); `None` for anything else (the date parser judges
/// it) and for a day before year 1.
pub fn resolve(input: &str, today: NaiveDate) -> Option<NaiveDate> {
    let a = input.trim().to_ascii_lowercase();
    let back = match a.as_str() {
        "today" => 0,
        "yesterday" => 1,
        _ => a
            .strip_suffix('d')
            .filter(|n| !n.is_empty() && n.len() <= 5 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u64>().ok())?,
    };
    today.checked_sub_days(Days::new(back))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn words_and_day_counts() {
        let today = day(2026, 11, 27);
        assert_eq!(resolve("today", today), Some(today));
        assert_eq!(resolve(" Yesterday ", today), Some(day(2026, 11, 26)));
        assert_eq!(resolve("7d", today), Some(day(2026, 11, 20)));
        assert_eq!(resolve("30D", today), Some(day(2026, 10, 28)));
        assert_eq!(resolve("0d", today), Some(today));
        for other in ["d", "2026-01-01", "99999999d", "-1d", "7 d", "1w", ""] {
            assert_eq!(resolve(other, today), None, "{other}");
        }
    }
}
