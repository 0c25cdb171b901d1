//! The England and Wales bank holidays that follow from fixed rules.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The first year the rules below describe: the early May bank holiday was
/// first held in 1978. Earlier years had different holidays, so they are
/// refused rather than answered wrongly.
pub const FIRST_RULE_YEAR: i32 = 1978;
/// The last year answered by rule (four-digit years keep dates `YYYY-MM-DD`).
pub const LAST_RULE_YEAR: i32 = 9999;

pub const NEW_YEAR: &str = "New Year's Day";
pub const GOOD_FRIDAY: &str = "Good Friday";
pub const EASTER_MONDAY: &str = "Easter Monday";
pub const EARLY_MAY: &str = "Early May bank holiday";
pub const SPRING: &str = "Spring bank holiday";
pub const SUMMER: &str = "Summer bank holiday";
pub const CHRISTMAS: &str = "Christmas Day";
pub const BOXING: &str = "Boxing Day";

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian
/// computus, also called the Meeus/Jones/Butcher algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("the computus gives a real date")
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a fixed calendar date")
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    let first = ymd(year, month, 1);
    let ahead = (7 - first.weekday().num_days_from_monday() as i64) % 7;
    first + Duration::days(ahead)
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let last = if month == 12 {
        ymd(year, 12, 31)
    } else {
        ymd(year, month + 1, 1)
            .pred_opt()
            .expect("not the first day ever")
    };
    last - Duration::days(last.weekday().num_days_from_monday() as i64)
}

/// The rule-made holidays of one year, in date order, each with its name and
/// a note ("Substitute day" where the holiday moved off a weekend).
pub fn rule_holidays(year: i32) -> Vec<(NaiveDate, &'static str, &'static str)> {
    let mut days = Vec::with_capacity(9);

    let new_year = ymd(year, 1, 1);
    match new_year.weekday() {
        Weekday::Sat => days.push((ymd(year, 1, 3), NEW_YEAR, "Substitute day")),
        Weekday::Sun => days.push((ymd(year, 1, 2), NEW_YEAR, "Substitute day")),
        _ => days.push((new_year, NEW_YEAR, "")),
    }

    let easter = easter_sunday(year);
    days.push((easter - Duration::days(2), GOOD_FRIDAY, ""));
    days.push((easter + Duration::days(1), EASTER_MONDAY, ""));
    days.push((first_monday(year, 5), EARLY_MAY, ""));
    days.push((last_monday(year, 5), SPRING, ""));
    days.push((last_monday(year, 8), SUMMER, ""));

    // Christmas and Boxing Day: when either falls at a weekend, the holiday
    // moves to the next weekday that is not already a holiday.
    match ymd(year, 12, 25).weekday() {
        Weekday::Sat => {
            days.push((ymd(year, 12, 27), CHRISTMAS, "Substitute day"));
            days.push((ymd(year, 12, 28), BOXING, "Substitute day"));
        }
        Weekday::Sun => {
            days.push((ymd(year, 12, 26), BOXING, ""));
            days.push((ymd(year, 12, 27), CHRISTMAS, "Substitute day"));
        }
        Weekday::Fri => {
            days.push((ymd(year, 12, 25), CHRISTMAS, ""));
            days.push((ymd(year, 12, 28), BOXING, "Substitute day"));
        }
        _ => {
            days.push((ymd(year, 12, 25), CHRISTMAS, ""));
            days.push((ymd(year, 12, 26), BOXING, ""));
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_dates() {
        // Published Easter Sundays, including the earliest (22 March, 2285)
        // and latest (25 April, 2038) possible dates.
        for (y, m, d) in [
            (1981, 4, 19),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), ymd(y, m, d), "Easter {y}");
        }
    }

    #[test]
    fn easter_always_a_sunday_in_range() {
        for y in FIRST_RULE_YEAR..=3000 {
            let e = easter_sunday(y);
            assert_eq!(e.weekday(), Weekday::Sun);
            assert!(e >= ymd(y, 3, 22) && e <= ymd(y, 4, 25));
        }
    }

    #[test]
    fn mondays() {
        assert_eq!(first_monday(2025, 5), ymd(2025, 5, 5));
        assert_eq!(first_monday(2023, 5), ymd(2023, 5, 1));
        assert_eq!(last_monday(2025, 5), ymd(2025, 5, 26));
        assert_eq!(last_monday(2025, 8), ymd(2025, 8, 25));
        assert_eq!(last_monday(2021, 5), ymd(2021, 5, 31));
        assert_eq!(last_monday(2025, 12), ymd(2025, 12, 29));
    }
}
