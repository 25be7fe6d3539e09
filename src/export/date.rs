//! Date bounds of an export: a calendar day (`YYYY-MM-DD`, what the form's
//! date picker produces) or, when the user types one, a full RFC 3339
//! datetime that is sent in UTC.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One end of the export's date range, as the user gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateBound {
    /// A calendar day, sent as `YYYY-MM-DD`.
    Date(NaiveDate),
    /// An instant, sent as RFC 3339 in UTC (`2026-11-01T08:00:00Z`).
    DateTime(DateTime<Utc>),
}

impl DateBound {
    /// Parse what a person typed. Accepts `YYYY-MM-DD` or an RFC 3339
    /// datetime with an offset (`2026-11-01T09:00:00+01:00`, `...Z`).
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err("empty date: use YYYY-MM-DD".into());
        }
        if s.len() <= 10 && !s.contains(['T', 't', ' ', ':']) {
            return parse_day(s).map(DateBound::Date);
        }
        let normalised = s.replacen(' ', "T", 1);
        match DateTime::parse_from_rfc3339(&normalised) {
            // An offset can move the instant out of the 4-digit years, and
            // RFC 3339 (the wire form) has no other years.
            Ok(dt) if !(0..=9999).contains(&dt.with_timezone(&Utc).year()) => Err(format!(
                "'{}' falls outside the years 0000-9999 in UTC",
                clip(s)
            )),
            Ok(dt) => Ok(DateBound::DateTime(dt.with_timezone(&Utc))),
            Err(_) => {
                let head: String = s.chars().take(10).collect();
                if parse_day(&head).is_err() {
                    return Err(not_a_date(s));
                }
                // `parse_day` took 10 ASCII characters: the rest starts at byte 10.
                let rest = &s[10..];
                let time = rest
                    .strip_prefix(['T', 't', ' '])
                    .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()));
                let Some(time) = time else {
                    // A day followed by something that is no time (an email
                    // typed after a picked date): not a date, whatever zone.
                    return Err(not_a_date(s));
                };
                let naive = format!("{head}T{time}");
                let reads = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
                    .iter()
                    .any(|f| chrono::NaiveDateTime::parse_from_str(&naive, f).is_ok());
                if reads {
                    // A correct day and time without an offset: say so.
                    Err(format!(
                        "'{}' has no time zone: add Z or an offset (e.g. {head}T00:00:00Z), or give just {head}",
                        clip(s)
                    ))
                } else {
                    Err(format!(
                        "'{}': the time cannot be read: use HH:MM:SS and Z or an offset (e.g. {head}T09:00:00Z), or give just {head}",
                        clip(s)
                    ))
                }
            }
        }
    }

    /// The calendar day of this bound (UTC for datetimes).
    pub fn day(&self) -> NaiveDate {
        match self {
            DateBound::Date(d) => *d,
            DateBound::DateTime(dt) => dt.date_naive(),
        }
    }

    /// The text sent to the API.
    pub fn to_wire(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for DateBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateBound::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            DateBound::DateTime(dt) => {
                f.write_str(&dt.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            }
        }
    }
}

impl Serialize for DateBound {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateBound {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DateBound::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Strict `YYYY-MM-DD`, with a message that says which part is wrong.
fn parse_day(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(not_a_date(s));
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4) as i32, num(5..7), num(8..10));
    if !(1..=12).contains(&m) {
        return Err(format!("{s}: month {m:02} does not exist (01-12)"));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        let days = days_in_month(y, m);
        let month = NaiveDate::from_ymd_opt(y, m, 1)
            .map(|first| first.format("%B %Y").to_string())
            .unwrap_or_default();
        format!("{s} is not a real date: {month} has {days} days")
    })
}

/// The message for text that is not date-like at all.
fn not_a_date(s: &str) -> String {
    format!(
        "'{}' is not a date: expected YYYY-MM-DD (e.g. 2026-11-01)",
        clip(s)
    )
}

/// Number of days in a month (28-31).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    match (
        NaiveDate::from_ymd_opt(year, month, 1),
        NaiveDate::from_ymd_opt(ny, nm, 1),
    ) {
        (Some(a), Some(b)) => (b - a).num_days() as u32,
        _ => 30,
    }
}

/// First day of the month holding `d`.
pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Keep user text short inside messages.
fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn plain_days() {
        assert_eq!(
            DateBound::parse("2026-11-01"),
            Ok(DateBound::Date(day(2026, 11, 1)))
        );
        assert_eq!(
            DateBound::parse(" 2024-02-29 ").unwrap().to_wire(),
            "2024-02-29"
        );
    }

    #[test]
    fn impossible_days_say_why() {
        let e = DateBound::parse("2026-02-30").unwrap_err();
        assert!(e.contains("February 2026 has 28 days"), "{e}");
        let e = DateBound::parse("2026-13-01").unwrap_err();
        assert!(e.contains("month 13"), "{e}");
        let e = DateBound::parse("2026-1-5").unwrap_err();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn datetimes_go_to_utc() {
        let b = DateBound::parse("2026-11-01T09:30:00+01:00").unwrap();
        assert_eq!(b.to_wire(), "2026-11-01T08:30:00Z");
        assert_eq!(b.day(), day(2026, 11, 1));
        let b = DateBound::parse("2026-11-01 00:00:00Z").unwrap();
        assert_eq!(b.to_wire(), "2026-11-01T00:00:00Z");
    }

    #[test]
    fn datetimes_outside_four_digit_years_in_utc_are_refused() {
        let e = DateBound::parse("9999-12-31T23:00:00-05:00").unwrap_err();
        assert!(e.contains("0000-9999"), "{e}");
        assert!(DateBound::parse("0000-01-01T01:00:00+05:00").is_err());
        let b = DateBound::parse("9999-12-31T23:00:00+05:00").unwrap();
        assert_eq!(DateBound::parse(&b.to_wire()), Ok(b));
    }

    #[test]
    fn datetime_without_zone_is_refused_with_a_hint() {
        let e = DateBound::parse("2026-11-01T09:30:00").unwrap_err();
        assert!(e.contains("no time zone"), "{e}");
        let e = DateBound::parse("2026-11-01 09:30").unwrap_err();
        assert!(e.contains("no time zone"), "{e}");
    }

    /// Text that is not date-like at all (an email typed into To after a
    /// picked date) is not a date; a time zone would not fix it.
    #[test]
    fn text_after_a_day_that_is_no_time_is_not_a_date() {
        for s in [
            "2026-12-06you@example.com",
            "2026-12-06 you@example.com",
            "you@example.com",
            "2026-12-06T",
            "2026-12-06Tnoon",
        ] {
            let e = DateBound::parse(s).unwrap_err();
            assert!(e.contains("not a date: expected YYYY-MM-DD"), "{s}: {e}");
            assert!(!e.contains("time zone"), "{s}: {e}");
        }
        // A day and a time that cannot be read is about the time.
        let e = DateBound::parse("2026-12-06T25:00:00Z").unwrap_err();
        assert!(e.contains("time"), "{e}");
        assert!(!e.contains("no time zone"), "{e}");
    }

    #[test]
    fn month_lengths() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2026, 2), 28);
        assert_eq!(days_in_month(2026, 12), 31);
    }
}
