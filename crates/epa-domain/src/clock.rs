//! Where "now" and "today" come from. The rules never read the system clock
//! themselves: callers pass a [`Clock`], so tests can fix the date and the
//! same code runs identically on every node.

use chrono::{DateTime, NaiveDate, Utc};

/// A source of the current instant. Day arithmetic uses [`Clock::today`],
/// which is the calendar date in Europe/London (EPA deadlines are English
/// calendar dates, whatever the server's time zone).
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;

    fn today(&self) -> NaiveDate {
        self.now()
            .with_timezone(&chrono_tz::Europe::London)
            .date_naive()
    }
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same instant (tests, replays, `--today` options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl FixedClock {
    /// Noon UTC on the given date: the same calendar date in London in
    /// winter and summer alike.
    pub fn on(date: NaiveDate) -> FixedClock {
        FixedClock(date.and_hms_opt(12, 0, 0).expect("noon exists").and_utc())
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_the_london_date() {
        // 23:30 UTC on 30 June is 00:30 BST on 1 July.
        let clock = FixedClock(Utc.with_ymd_and_hms(2025, 6, 30, 23, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
        // In winter London is on UTC.
        let clock = FixedClock(Utc.with_ymd_and_hms(2025, 12, 31, 23, 30, 0).unwrap());
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
    }

    #[test]
    fn fixed_on_a_date() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        assert_eq!(FixedClock::on(d).today(), d);
        let _ = SystemClock.today();
    }
}
