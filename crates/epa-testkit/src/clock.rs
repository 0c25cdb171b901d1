//! A clock the test sets and moves, so deadlines and timestamps are exact.
//! Clones share one time: the app under test and the test see the same "now".

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone)]
pub struct FakeClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl epa_domain::Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        FakeClock::now(self)
    }
}

impl FakeClock {
    pub fn at(now: DateTime<Utc>) -> FakeClock {
        FakeClock {
            now: Arc::new(Mutex::new(now)),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.now.lock().expect("clock lock")
    }

    pub fn advance(&self, by: Duration) {
        *self.now.lock().expect("clock lock") += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().expect("clock lock") = to;
    }
}

#[cfg(test)]
mod tests {
    use super::FakeClock;
    use chrono::{Duration, NaiveDate, TimeZone, Utc};
    use epa_domain::Clock;

    #[test]
    fn clones_share_one_time_and_today_is_the_london_date() {
        let clock = FakeClock::at(Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap());
        let seen_by_app = clock.clone();
        // 23:30 UTC in summer is already 1 July in London.
        assert_eq!(
            Clock::today(&seen_by_app),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
        clock.advance(Duration::days(1));
        assert_eq!(
            Clock::today(&seen_by_app),
            NaiveDate::from_ymd_opt(2026, 7, 2).unwrap()
        );
    }
}
