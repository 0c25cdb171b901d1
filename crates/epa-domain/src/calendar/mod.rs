//! Bank holidays, working days and calendar arithmetic.
//!
//! England and Wales is answered by rule ([`rules`]) plus the one-off changes
//! in an embedded data file that an administrator can correct or replace
//! ([`HolidayCalendar::with_changes`]). Any division, England and Wales
//! included, can be loaded from GOV.UK's `bank-holidays.json`
//! ([`HolidayCalendar::import_govuk`]); for a year that an import covers, the
//! imported list is the answer. An import replaces whole years: a division
//! and year with even one event in the file take the file's list as the
//! whole list for that year, and the rules' holidays for it are dropped, not
//! merged (GOV.UK's file lists whole years, so a partial year there would
//! be a mistake in the file). Scotland and Northern Ireland have no rules
//! here, so they are answered only for imported years.
//!
//! Date arithmetic (working days, weeks, calendar months with end-of-month
//! clamping) is in [`arith`].

pub mod arith;
mod govuk;
pub mod rules;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

pub use arith::{Period, PeriodUnit, add_days, add_months, add_weeks};
pub use govuk::ImportSummary;

/// The embedded one-off changes for England and Wales (see the file's header).
pub const ENGLAND_AND_WALES_CHANGES: &str = include_str!("england-and-wales.txt");

/// A UK division with its own bank holidays. IDs are GOV.UK's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

impl Region {
    pub const ALL: [Region; 3] = [
        Region::EnglandAndWales,
        Region::Scotland,
        Region::NorthernIreland,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::EnglandAndWales => "england-and-wales",
            Region::Scotland => "scotland",
            Region::NorthernIreland => "northern-ireland",
        }
    }

    pub fn parse(text: &str) -> Result<Region, CalendarError> {
        Region::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| CalendarError::UnknownRegion(text.to_owned()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One bank holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    /// "Substitute day" where a holiday moved off a weekend; empty otherwise.
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown region {0:?}: expected england-and-wales, scotland or northern-ireland")]
    UnknownRegion(String),
    #[error(
        "no bank holiday data for {region} in {year}; import GOV.UK's bank-holidays.json to add it"
    )]
    NoData { region: Region, year: i32 },
    #[error("no bank holiday data for {0}; import GOV.UK's bank-holidays.json to add it")]
    NoRegionData(Region),
    #[error("line {line} of the bank holiday changes: {message}")]
    Changes { line: usize, message: String },
    #[error("bank holiday import: {0}")]
    Import(String),
    #[error("the number of working days must be at least 1, not {0}")]
    ZeroWorkingDays(u32),
    #[error("date out of range after adding {0}")]
    OutOfRange(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Add(String),
    Remove(String),
}

/// Bank holidays of the UK divisions, immutable once built.
#[derive(Debug, Clone)]
pub struct HolidayCalendar {
    /// England and Wales one-off changes by date.
    changes: BTreeMap<NaiveDate, Vec<Change>>,
    /// Imported lists, per division and year; authoritative for those years.
    imported: BTreeMap<(Region, i32), Vec<Holiday>>,
}

impl Default for HolidayCalendar {
    fn default() -> Self {
        HolidayCalendar::england_and_wales()
    }
}

impl HolidayCalendar {
    /// The rules plus the embedded one-off changes.
    pub fn england_and_wales() -> HolidayCalendar {
        HolidayCalendar::with_changes(ENGLAND_AND_WALES_CHANGES)
            .expect("the embedded bank holiday changes are valid (tested)")
    }

    /// The rules plus the one-off changes in `text` (the format of the
    /// embedded `england-and-wales.txt`), which replaces the embedded list.
    pub fn with_changes(text: &str) -> Result<HolidayCalendar, CalendarError> {
        let mut changes: BTreeMap<NaiveDate, Vec<Change>> = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let err = |message: String| CalendarError::Changes { line, message };
            let mut fields = trimmed.split_whitespace();
            let date_text = fields.next().unwrap_or_default();
            let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
                .map_err(|_| err(format!("{date_text:?} is not a date (YYYY-MM-DD)")))?;
            let action = fields.next().unwrap_or_default();
            let name = fields.collect::<Vec<_>>().join(" ");
            let name = name.as_str();
            if name.is_empty() {
                return Err(err(format!("{date} needs a holiday name")));
            }
            let change = match action {
                "add" => Change::Add(name.to_owned()),
                "remove" => {
                    let year = date.year();
                    if !(rules::FIRST_RULE_YEAR..=rules::LAST_RULE_YEAR).contains(&year) {
                        return Err(err(format!("{date} is outside the years answered by rule")));
                    }
                    let ruled = rules::rule_holidays(year)
                        .into_iter()
                        .any(|(d, n, _)| d == date && n == name);
                    if !ruled {
                        return Err(err(format!(
                            "the rules put no holiday called {name:?} on {date}, so there is nothing to remove"
                        )));
                    }
                    Change::Remove(name.to_owned())
                }
                other => {
                    return Err(err(format!("{other:?} is not a change: use add or remove")));
                }
            };
            changes.entry(date).or_default().push(change);
        }
        Ok(HolidayCalendar {
            changes,
            imported: BTreeMap::new(),
        })
    }

    /// Loads GOV.UK's `bank-holidays.json` (the divisions it holds). For each
    /// division and each year with at least one event in the file, the file's
    /// list replaces whatever this calendar said for that year.
    ///
    /// The replacement is of the whole year, never a merge: a file holding
    /// only one event of a year leaves that year with that one holiday.
    /// GOV.UK's file always lists whole years, which is what this expects;
    /// a hand-made file must do the same.
    pub fn import_govuk(&mut self, json: &str) -> Result<ImportSummary, CalendarError> {
        let lists = govuk::parse(json)?;
        let mut summary = ImportSummary::default();
        for (region, by_year) in lists {
            for (year, holidays) in by_year {
                summary.record(region, year, holidays.len());
                self.imported.insert((region, year), holidays);
            }
        }
        Ok(summary)
    }

    /// Years that imported data covers for a division.
    pub fn imported_years(&self, region: Region) -> Vec<i32> {
        self.imported
            .keys()
            .filter(|(r, _)| *r == region)
            .map(|(_, y)| *y)
            .collect()
    }

    /// Whether this calendar can answer for a division at all.
    pub fn has_region(&self, region: Region) -> bool {
        region == Region::EnglandAndWales || self.imported.keys().any(|(r, _)| *r == region)
    }

    /// The bank holidays of one year in one division, in date order.
    pub fn holidays(&self, region: Region, year: i32) -> Result<Vec<Holiday>, CalendarError> {
        if let Some(list) = self.imported.get(&(region, year)) {
            return Ok(list.clone());
        }
        if region != Region::EnglandAndWales
            || !(rules::FIRST_RULE_YEAR..=rules::LAST_RULE_YEAR).contains(&year)
        {
            return Err(CalendarError::NoData { region, year });
        }
        let mut list: Vec<Holiday> = rules::rule_holidays(year)
            .into_iter()
            .filter(|(date, name, _)| {
                !self
                    .changes
                    .get(date)
                    .is_some_and(|cs| cs.contains(&Change::Remove((*name).to_owned())))
            })
            .map(|(date, name, notes)| Holiday {
                date,
                name: name.to_owned(),
                notes: notes.to_owned(),
            })
            .collect();
        let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
        let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December");
        for (date, cs) in self.changes.range(start..=end) {
            for c in cs {
                if let Change::Add(name) = c {
                    list.push(Holiday {
                        date: *date,
                        name: name.clone(),
                        notes: String::new(),
                    });
                }
            }
        }
        list.sort_by_key(|h| h.date);
        Ok(list)
    }

    /// A set of one division's holiday dates for one year, for fast lookups.
    fn holiday_dates(&self, region: Region, year: i32) -> Result<Vec<NaiveDate>, CalendarError> {
        Ok(self
            .holidays(region, year)?
            .into_iter()
            .map(|h| h.date)
            .collect())
    }

    /// Monday to Friday and not a bank holiday of the division.
    pub fn is_working_day(&self, region: Region, date: NaiveDate) -> Result<bool, CalendarError> {
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return Ok(false);
        }
        Ok(!self.holiday_dates(region, date.year())?.contains(&date))
    }

    /// A view of this calendar for one division, for working-day arithmetic.
    pub fn working_days(&self, region: Region) -> Result<WorkingDays<'_>, CalendarError> {
        if self.has_region(region) {
            Ok(WorkingDays {
                calendar: self,
                region,
            })
        } else {
            Err(CalendarError::NoRegionData(region))
        }
    }
}

/// Working-day arithmetic in one division. See [`arith`] for the rules.
#[derive(Debug, Clone, Copy)]
pub struct WorkingDays<'a> {
    calendar: &'a HolidayCalendar,
    region: Region,
}

impl WorkingDays<'_> {
    pub fn region(&self) -> Region {
        self.region
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.calendar.is_working_day(self.region, date)
    }

    /// The `n`-th working day after `date`; `date` itself never counts, even
    /// when it is a working day, and `n` must be at least 1. "Results within
    /// 7 working days of the assessment" on Friday 4 July 2025 is due on
    /// Tuesday 15 July 2025.
    pub fn add(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Err(CalendarError::ZeroWorkingDays(n));
        }
        let mut year = date.year();
        let mut holidays = self.calendar.holiday_dates(self.region, year)?;
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day
                .succ_opt()
                .ok_or_else(|| CalendarError::OutOfRange(format!("{n} working days to {date}")))?;
            if day.year() != year {
                year = day.year();
                holidays = self.calendar.holiday_dates(self.region, year)?;
            }
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            if !weekend && !holidays.contains(&day) {
                left -= 1;
            }
        }
        Ok(day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn dates(cal: &HolidayCalendar, year: i32) -> Vec<String> {
        cal.holidays(Region::EnglandAndWales, year)
            .unwrap()
            .into_iter()
            .map(|h| h.date.to_string())
            .collect()
    }

    #[test]
    fn the_embedded_changes_load() {
        let cal = HolidayCalendar::england_and_wales();
        assert!(!cal.changes.is_empty());
    }

    #[test]
    fn year_2025() {
        let cal = HolidayCalendar::england_and_wales();
        assert_eq!(
            dates(&cal, 2025),
            [
                "2025-01-01",
                "2025-04-18",
                "2025-04-21",
                "2025-05-05",
                "2025-05-26",
                "2025-08-25",
                "2025-12-25",
                "2025-12-26"
            ]
        );
    }

    #[test]
    fn changes_file_errors_name_the_line() {
        let bad = "# header\n2020-13-01 add X\n";
        assert!(matches!(
            HolidayCalendar::with_changes(bad),
            Err(CalendarError::Changes { line: 2, .. })
        ));
        let bad = "2020-05-05 remove Early May bank holiday\n";
        assert!(matches!(
            HolidayCalendar::with_changes(bad),
            Err(CalendarError::Changes { line: 1, .. })
        ));
        let bad = "2020-05-04 move Early May bank holiday\n";
        assert!(HolidayCalendar::with_changes(bad).is_err());
        let bad = "2020-05-04 add\n";
        assert!(HolidayCalendar::with_changes(bad).is_err());
    }

    #[test]
    fn an_administrator_can_add_a_new_one_off() {
        let text = format!("{ENGLAND_AND_WALES_CHANGES}\n2031-06-06  add  Example jubilee\n");
        let cal = HolidayCalendar::with_changes(&text).unwrap();
        assert!(dates(&cal, 2031).contains(&"2031-06-06".to_owned()));
        assert!(
            !cal.is_working_day(Region::EnglandAndWales, d("2031-06-06"))
                .unwrap()
        );
    }

    #[test]
    fn years_before_the_rules_are_refused() {
        let cal = HolidayCalendar::england_and_wales();
        assert_eq!(
            cal.holidays(Region::EnglandAndWales, 1977),
            Err(CalendarError::NoData {
                region: Region::EnglandAndWales,
                year: 1977
            })
        );
    }

    #[test]
    fn scotland_needs_imported_data() {
        let cal = HolidayCalendar::england_and_wales();
        assert!(cal.working_days(Region::Scotland).is_err());
        assert!(cal.holidays(Region::Scotland, 2025).is_err());
    }

    #[test]
    fn add_working_days_basics() {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        // Friday -> Monday; the start date never counts.
        assert_eq!(wd.add(d("2025-07-04"), 1).unwrap(), d("2025-07-07"));
        assert_eq!(wd.add(d("2025-07-04"), 7).unwrap(), d("2025-07-15"));
        // Over Easter 2025 (Good Friday 18, Easter Monday 21 April).
        assert_eq!(wd.add(d("2025-04-17"), 1).unwrap(), d("2025-04-22"));
        // Over Christmas and New Year 2025/26.
        assert_eq!(wd.add(d("2025-12-24"), 1).unwrap(), d("2025-12-29"));
        assert_eq!(wd.add(d("2025-12-31"), 1).unwrap(), d("2026-01-02"));
        // From a Saturday.
        assert_eq!(wd.add(d("2025-07-05"), 1).unwrap(), d("2025-07-07"));
        assert_eq!(
            wd.add(d("2025-07-04"), 0),
            Err(CalendarError::ZeroWorkingDays(0))
        );
    }
}
