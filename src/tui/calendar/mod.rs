//! The date picker popup's state: a cursor day moved by keys, and the
//! range presets (which set both ends of the range).

mod update;
pub mod view;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::keymap::Action;
use crate::export::Field;
use crate::export::date::month_start;

/// A named range relative to today (in UTC, as typed relative dates are).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Today,
    Yesterday,
    Last7,
    Last30,
    Last90,
    ThisMonth,
    LastMonth,
}

impl Preset {
    pub const ALL: [Preset; 7] = [
        Preset::Today,
        Preset::Yesterday,
        Preset::Last7,
        Preset::Last30,
        Preset::Last90,
        Preset::ThisMonth,
        Preset::LastMonth,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Preset::Today => "today",
            Preset::Yesterday => "yesterday",
            Preset::Last7 => "last 7 days",
            Preset::Last30 => "last 30 days",
            Preset::Last90 => "last 90 days",
            Preset::ThisMonth => "this month",
            Preset::LastMonth => "last month",
        }
    }

    /// The preset behind key `n` (1-based).
    pub fn from_number(n: u8) -> Option<Preset> {
        Preset::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// First and last day, inclusive. "Last N days" ends today.
    pub fn range(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let back = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
        match self {
            Preset::Today => (today, today),
            Preset::Yesterday => (back(1), back(1)),
            Preset::Last7 => (back(6), today),
            Preset::Last30 => (back(29), today),
            Preset::Last90 => (back(89), today),
            Preset::ThisMonth => (month_start(today), today),
            Preset::LastMonth => {
                let this = month_start(today);
                let last_day = this.pred_opt().unwrap_or(this);
                (month_start(last_day), last_day)
            }
        }
    }
}

/// What a key did to the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalOutcome {
    Stay,
    Pick(NaiveDate),
    Preset(Preset),
    Ignored,
}

/// The open calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// The field it will fill (From or To).
    pub field: Field,
    pub cursor: NaiveDate,
    /// The other end of the range, shown for context.
    pub other: Option<NaiveDate>,
}

impl Calendar {
    pub fn new(
        field: Field,
        current: Option<NaiveDate>,
        other: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        Calendar {
            field,
            cursor: current.or(other).unwrap_or(today),
            other,
        }
    }

    pub fn apply(&mut self, action: Action, today: NaiveDate) -> CalOutcome {
        let c = self.cursor;
        let moved = match action {
            Action::Left => c.checked_sub_days(Days::new(1)),
            Action::Right => c.checked_add_days(Days::new(1)),
            Action::Up => c.checked_sub_days(Days::new(7)),
            Action::Down => c.checked_add_days(Days::new(7)),
            Action::PageUp => c.checked_sub_months(Months::new(1)),
            Action::PageDown => c.checked_add_months(Months::new(1)),
            Action::Today => Some(today),
            Action::Open => return CalOutcome::Pick(c),
            Action::Preset(n) => {
                return Preset::from_number(n).map_or(CalOutcome::Ignored, CalOutcome::Preset);
            }
            _ => return CalOutcome::Ignored,
        };
        if let Some(d) = moved {
            self.cursor = d;
        }
        CalOutcome::Stay
    }

    /// The weeks (Monday first) of the cursor's month, `None` outside it.
    pub fn weeks(&self) -> Vec<[Option<NaiveDate>; 7]> {
        let first = month_start(self.cursor);
        let lead = first.weekday().num_days_from_monday() as usize;
        let days = crate::export::date::days_in_month(first.year(), first.month()) as usize;
        let mut weeks = Vec::new();
        let mut week = [None; 7];
        for i in 0..lead + days {
            if i >= lead {
                week[i % 7] = first.checked_add_days(Days::new((i - lead) as u64));
            }
            if i % 7 == 6 {
                weeks.push(week);
                week = [None; 7];
            }
        }
        if week.iter().any(Option::is_some) {
            weeks.push(week);
        }
        weeks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn presets() {
        let today = d(2026, 3, 15);
        assert_eq!(Preset::Last7.range(today), (d(2026, 3, 9), today));
        assert_eq!(Preset::ThisMonth.range(today), (d(2026, 3, 1), today));
        assert_eq!(
            Preset::LastMonth.range(today),
            (d(2026, 2, 1), d(2026, 2, 28))
        );
        assert_eq!(
            Preset::LastMonth.range(d(2026, 1, 5)),
            (d(2025, 12, 1), d(2025, 12, 31))
        );
        assert_eq!(Preset::from_number(7), Some(Preset::LastMonth));
        assert_eq!(Preset::from_number(0), None);
    }

    #[test]
    fn keys_move_by_day_week_month() {
        let today = d(2026, 1, 31);
        let mut c = Calendar::new(Field::From, None, None, today);
        c.apply(Action::PageDown, today);
        assert_eq!(
            c.cursor,
            d(2026, 2, 28),
            "month moves clamp to the month's end"
        );
        c.apply(Action::Down, today);
        assert_eq!(c.cursor, d(2026, 3, 7));
        c.apply(Action::Left, today);
        c.apply(Action::Up, today);
        assert_eq!(c.cursor, d(2026, 2, 27));
        c.apply(Action::Today, today);
        assert_eq!(c.apply(Action::Open, today), CalOutcome::Pick(today));
    }

    #[test]
    fn month_grid_is_monday_first() {
        let c = Calendar::new(Field::To, Some(d(2026, 11, 27)), None, d(2026, 11, 27));
        let w = c.weeks();
        // 1 November 2026 is a Sunday.
        assert_eq!(w[0][6], Some(d(2026, 11, 1)));
        assert_eq!(w[0][0], None);
        assert_eq!(
            w.last().unwrap().iter().flatten().last(),
            Some(&d(2026, 11, 30))
        );
    }
}
