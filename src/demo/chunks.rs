//! How a job's range is split into chunks (`all_chunks`): the real API's
//! chunk fields are undocumented, so the demo picks a plausible reading:
//! one chunk per month for long ranges, per week for short ones, at least 2
//! and at most 12, named `FIRST..LAST` (inclusive days).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::export::date::{days_in_month, month_start};

/// Most chunks a job has.
pub(crate) const MAX_CHUNKS: usize = 12;

/// The chunk names for the half-open range `from..until`.
pub(crate) fn chunks(from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<String> {
    let first = from.date_naive();
    let last = (until - Duration::microseconds(1)).date_naive().max(first);
    let days = (last - first).num_days() + 1;
    let name = |a: NaiveDate, b: NaiveDate| format!("{a}..{b}");
    if days == 1 {
        // One day: two half-day chunks, named by instant.
        let mid = from + (until - from) / 2;
        let t = |d: DateTime<Utc>| d.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        return vec![
            format!("{}..{}", t(from), t(mid)),
            format!("{}..{}", t(mid), t(until)),
        ];
    }
    if days <= 7 {
        let half = (days + 1) / 2;
        let split = first + Duration::days(half);
        return vec![name(first, split - Duration::days(1)), name(split, last)];
    }
    if days <= 62 {
        let mut out = Vec::new();
        let mut start = first;
        while start <= last {
            let end = (start + Duration::days(6)).min(last);
            out.push(name(start, end));
            start = end + Duration::days(1);
        }
        return out;
    }
    let mut months = Vec::new();
    let mut m = month_start(first);
    while m <= last {
        months.push(m);
        m = m + Duration::days(i64::from(days_in_month(m.year(), m.month())));
    }
    let groups = months.len().min(MAX_CHUNKS);
    (0..groups)
        .map(|g| {
            let a = months[g * months.len() / groups];
            let b = months[(g + 1) * months.len() / groups - 1];
            let b_end = b + Duration::days(i64::from(days_in_month(b.year(), b.month())) - 1);
            name(a.max(first), b_end.min(last))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .unwrap()
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
    }

    #[test]
    fn months_for_long_ranges() {
        let c = chunks(at("2026-08-15"), at("2026-11-01"));
        assert_eq!(
            c,
            [
                "2026-08-15..2026-08-31",
                "2026-09-01..2026-09-30",
                "2026-10-01..2026-10-31"
            ]
        );
    }

    #[test]
    fn weeks_for_short_ranges() {
        let c = chunks(at("2026-10-01"), at("2026-11-01"));
        assert_eq!(c.len(), 5);
        assert_eq!(c[0], "2026-10-01..2026-10-07");
        assert_eq!(c[4], "2026-10-29..2026-10-31");
    }

    #[test]
    fn at_least_two_at_most_twelve() {
        assert_eq!(chunks(at("2026-10-01"), at("2026-10-02")).len(), 2);
        assert_eq!(
            chunks(at("2026-10-01"), at("2026-10-04")),
            ["2026-10-01..2026-10-02", "2026-10-03..2026-10-03"]
        );
        let long = chunks(at("2020-01-01"), at("2026-01-01"));
        assert_eq!(long.len(), 12);
        assert_eq!(long[0], "2020-01-01..2020-06-30");
        assert_eq!(long[11], "2025-07-01..2025-12-31");
    }
}
