//! Calendar arithmetic for deadlines.
//!
//! The rules, written down once (ADR 0020):
//! - **Days and weeks** are exact: `add_weeks(d, n)` is `d + 7n` days.
//! - **Calendar months** move the month and keep the day of the month; when
//!   the target month is too short, the result is clamped to its last day:
//!   31 January + 1 month = 28 February (29 in a leap year); 31 August + 1
//!   month = 30 September; 29 February 2024 + 12 months = 28 February 2025.
//!   Clamping is not undone later: 31 January + 1 month + 1 month = 28 March,
//!   while 31 January + 2 months = 31 March. Every period is therefore added
//!   in one step from its anchor date, never chained.
//! - **Working days** ([`super::WorkingDays::add`]): the N-th working day
//!   after the date, N >= 1; the date itself never counts, even when it is a
//!   working day. A working day is Monday to Friday and not a bank holiday
//!   of the division.
//! - A deadline "within P of D" falls due on `D + P` (that day included).

use chrono::{Days, Months, NaiveDate};

use super::CalendarError;

/// `date + n` calendar months, clamped to the end of a shorter month.
pub fn add_months(date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
    // chrono's checked_add_months clamps to the last day of the month, which
    // is the rule above; the tests below pin that behaviour down.
    date.checked_add_months(Months::new(n))
        .ok_or_else(|| CalendarError::OutOfRange(format!("{n} months to {date}")))
}

/// `date + 7n` days.
pub fn add_weeks(date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
    add_days(date, u64::from(n) * 7)
}

/// `date + n` days.
pub fn add_days(date: NaiveDate, n: u64) -> Result<NaiveDate, CalendarError> {
    date.checked_add_days(Days::new(n))
        .ok_or_else(|| CalendarError::OutOfRange(format!("{n} days to {date}")))
}

/// The unit of a period. Kept apart because they count differently (see above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    Days,
    WorkingDays,
    Weeks,
    CalendarMonths,
}

/// An amount of time as the plans state it: "1 month", "7 working days".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Period {
    pub amount: u32,
    pub unit: PeriodUnit,
}

impl Period {
    pub const fn new(amount: u32, unit: PeriodUnit) -> Period {
        Period { amount, unit }
    }

    pub const fn months(amount: u32) -> Period {
        Period::new(amount, PeriodUnit::CalendarMonths)
    }

    pub const fn weeks(amount: u32) -> Period {
        Period::new(amount, PeriodUnit::Weeks)
    }

    pub const fn working_days(amount: u32) -> Period {
        Period::new(amount, PeriodUnit::WorkingDays)
    }

    /// `date` + this period, by the rules above. Working days need the
    /// calendar; zero working days is the date itself.
    pub fn after(
        self,
        date: NaiveDate,
        working_days: &super::WorkingDays<'_>,
    ) -> Result<NaiveDate, CalendarError> {
        match self.unit {
            PeriodUnit::Days => add_days(date, u64::from(self.amount)),
            PeriodUnit::Weeks => add_weeks(date, self.amount),
            PeriodUnit::CalendarMonths => add_months(date, self.amount),
            PeriodUnit::WorkingDays if self.amount == 0 => Ok(date),
            PeriodUnit::WorkingDays => working_days.add(date, self.amount),
        }
    }

    /// `date` - this period: the latest date that still gives this much
    /// notice before `date`. Months clamp as when adding; working days count
    /// back over working days only.
    pub fn before(
        self,
        date: NaiveDate,
        working_days: &super::WorkingDays<'_>,
    ) -> Result<NaiveDate, CalendarError> {
        let out = || CalendarError::OutOfRange(format!("{self} before {date}"));
        match self.unit {
            PeriodUnit::Days => date
                .checked_sub_days(Days::new(u64::from(self.amount)))
                .ok_or_else(out),
            PeriodUnit::Weeks => date
                .checked_sub_days(Days::new(u64::from(self.amount) * 7))
                .ok_or_else(out),
            PeriodUnit::CalendarMonths => date
                .checked_sub_months(Months::new(self.amount))
                .ok_or_else(out),
            PeriodUnit::WorkingDays => {
                let mut day = date;
                let mut left = self.amount;
                while left > 0 {
                    day = day.pred_opt().ok_or_else(out)?;
                    if working_days.is_working_day(day)? {
                        left -= 1;
                    }
                }
                Ok(day)
            }
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (one, many) = match self.unit {
            PeriodUnit::Days => ("day", "days"),
            PeriodUnit::WorkingDays => ("working day", "working days"),
            PeriodUnit::Weeks => ("week", "weeks"),
            PeriodUnit::CalendarMonths => ("month", "months"),
        };
        write!(
            f,
            "{} {}",
            self.amount,
            if self.amount == 1 { one } else { many }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn month_end_clamping() {
        assert_eq!(add_months(d("2025-01-31"), 1).unwrap(), d("2025-02-28"));
        assert_eq!(add_months(d("2024-01-31"), 1).unwrap(), d("2024-02-29"));
        assert_eq!(add_months(d("2025-08-31"), 1).unwrap(), d("2025-09-30"));
        assert_eq!(add_months(d("2024-02-29"), 12).unwrap(), d("2025-02-28"));
        assert_eq!(add_months(d("2025-01-31"), 2).unwrap(), d("2025-03-31"));
        let chained = add_months(add_months(d("2025-01-31"), 1).unwrap(), 1).unwrap();
        assert_eq!(chained, d("2025-03-28"));
        assert_eq!(add_months(d("2025-11-30"), 3).unwrap(), d("2026-02-28"));
        assert_eq!(add_months(d("2025-05-15"), 0).unwrap(), d("2025-05-15"));
    }

    #[test]
    fn weeks_and_days() {
        assert_eq!(add_weeks(d("2025-12-22"), 2).unwrap(), d("2026-01-05"));
        assert_eq!(add_days(d("2024-02-28"), 1).unwrap(), d("2024-02-29"));
        assert!(add_days(NaiveDate::MAX, 1).is_err());
    }

    #[test]
    fn periods() {
        let cal = super::super::HolidayCalendar::england_and_wales();
        let wd = cal
            .working_days(super::super::Region::EnglandAndWales)
            .unwrap();
        assert_eq!(
            Period::months(1).after(d("2025-01-31"), &wd).unwrap(),
            d("2025-02-28")
        );
        assert_eq!(
            Period::weeks(2).before(d("2025-03-14"), &wd).unwrap(),
            d("2025-02-28")
        );
        // Back over Easter Monday 2025 (21 April) and the weekend.
        assert_eq!(
            Period::working_days(1)
                .before(d("2025-04-22"), &wd)
                .unwrap(),
            d("2025-04-17")
        );
        assert_eq!(
            Period::working_days(15)
                .after(d("2025-12-19"), &wd)
                .unwrap(),
            d("2026-01-14")
        );
        assert_eq!(Period::working_days(7).to_string(), "7 working days");
        assert_eq!(Period::months(1).to_string(), "1 month");
    }
}
