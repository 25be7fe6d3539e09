//! Which partitions a sync still needs: every day (or month) from the
//! definition's start to the last complete UTC day, less those already
//! complete. A day is complete once it has ended in UTC (Userpilot's own
//! Data Sync runs after the UTC day ends too); a month once its last day is.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How much one partition (one export, one `dt=` folder) covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartitionSize {
    #[default]
    Day,
    Month,
}

/// One partition: the days it covers, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Partition {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Partition {
    /// Its `dt` value, the folder name after `dt=`: `2026-11-03` for a
    /// day, `2026-11` for a month.
    pub fn dt(&self, size: PartitionSize) -> String {
        match size {
            PartitionSize::Day => self.first.format("%Y-%m-%d").to_string(),
            PartitionSize::Month => self.first.format("%Y-%m").to_string(),
        }
    }

    /// Days covered.
    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }
}

/// The last UTC day that has ended at `now`: yesterday in UTC.
pub fn last_complete_day(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive() - Days::new(1)
}

fn month_of(d: NaiveDate) -> Option<Partition> {
    let first = d.with_day(1)?;
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
    Some(Partition { first, last })
}

/// Every whole partition from the one holding `start` to the last that
/// ends on or before `until`, oldest first. A month partition whose last
/// day is after `until` is not complete yet, so not listed.
pub fn partitions(start: NaiveDate, until: NaiveDate, size: PartitionSize) -> Vec<Partition> {
    let mut out = Vec::new();
    let mut day = start;
    while day <= until {
        let p = match size {
            PartitionSize::Day => Partition {
                first: day,
                last: day,
            },
            PartitionSize::Month => match month_of(day) {
                Some(p) => p,
                None => break,
            },
        };
        if p.last > until {
            break;
        }
        out.push(p);
        match p.last.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

/// The partitions of `partitions(start, until, size)` whose `dt` is not in
/// `complete`.
pub fn missing(
    start: NaiveDate,
    until: NaiveDate,
    size: PartitionSize,
    complete: &BTreeSet<String>,
) -> Vec<Partition> {
    partitions(start, until, size)
        .into_iter()
        .filter(|p| !complete.contains(&p.dt(size)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn yesterday_in_utc_is_the_last_complete_day() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T00:30:00+02:00")
            .unwrap()
            .with_timezone(&Utc);
        // 22:30 UTC on the 5th: the 4th is the last whole UTC day.
        assert_eq!(last_complete_day(now), d("2026-12-04"));
    }

    #[test]
    fn days_and_whole_months() {
        let days = partitions(d("2026-02-27"), d("2026-03-02"), PartitionSize::Day);
        let dts: Vec<String> = days.iter().map(|p| p.dt(PartitionSize::Day)).collect();
        assert_eq!(
            dts,
            ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
        );
        // Months: the one holding the start, whole, up to the last that has
        // ended; March is not over on the 30th.
        let months = partitions(d("2026-01-15"), d("2026-03-30"), PartitionSize::Month);
        assert_eq!(
            months,
            [
                Partition {
                    first: d("2026-01-01"),
                    last: d("2026-01-31")
                },
                Partition {
                    first: d("2026-02-01"),
                    last: d("2026-02-28")
                },
            ]
        );
        assert_eq!(months[1].dt(PartitionSize::Month), "2026-02");
        assert_eq!(months[1].days(), 28);
        assert!(partitions(d("2026-03-02"), d("2026-03-01"), PartitionSize::Day).is_empty());
    }

    #[test]
    fn complete_partitions_are_not_planned_again() {
        let done: BTreeSet<String> = ["2026-11-02".to_owned()].into();
        let m = missing(d("2026-11-01"), d("2026-11-03"), PartitionSize::Day, &done);
        let dts: Vec<String> = m.iter().map(|p| p.dt(PartitionSize::Day)).collect();
        assert_eq!(dts, ["2026-11-01", "2026-11-03"]);
    }
}
