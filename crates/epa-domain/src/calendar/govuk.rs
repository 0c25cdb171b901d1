//! GOV.UK's `bank-holidays.json`:
//! `{"england-and-wales": {"division": "england-and-wales", "events":
//! [{"title": "...", "date": "YYYY-MM-DD", "notes": "...", "bunting": true}]},
//! "scotland": {...}, "northern-ireland": {...}}`.
//! Parsing only: the caller hands over the text, so this stays free of IO.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{CalendarError, Holiday, Region};

#[derive(Deserialize)]
struct Division {
    #[serde(default)]
    division: Option<String>,
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    title: String,
    date: String,
    #[serde(default)]
    notes: String,
    // Part of the format, unused here: whether GOV.UK shows bunting.
    #[serde(default, rename = "bunting")]
    _bunting: Option<bool>,
}

/// What an import brought in: for each division, its years and holiday counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub divisions: BTreeMap<Region, BTreeMap<i32, usize>>,
}

impl ImportSummary {
    pub(super) fn record(&mut self, region: Region, year: i32, count: usize) {
        self.divisions
            .entry(region)
            .or_default()
            .insert(year, count);
    }
}

pub(super) type Lists = BTreeMap<Region, BTreeMap<i32, Vec<Holiday>>>;

pub(super) fn parse(json: &str) -> Result<Lists, CalendarError> {
    let raw: BTreeMap<String, Division> = serde_json::from_str(json)
        .map_err(|e| CalendarError::Import(format!("not GOV.UK bank-holidays.json: {e}")))?;
    let mut lists = Lists::new();
    for (key, division) in raw {
        let region = Region::parse(&key)
            .map_err(|_| CalendarError::Import(format!("unknown division {key:?}")))?;
        if let Some(named) = &division.division
            && named != &key
        {
            return Err(CalendarError::Import(format!(
                "division {named:?} is filed under {key:?}"
            )));
        }
        let by_year = lists.entry(region).or_default();
        for event in division.events {
            let date = NaiveDate::parse_from_str(&event.date, "%Y-%m-%d").map_err(|_| {
                CalendarError::Import(format!(
                    "{key}: {:?} is not a date (YYYY-MM-DD)",
                    event.date
                ))
            })?;
            by_year.entry(date.year()).or_default().push(Holiday {
                date,
                // GOV.UK writes typographic apostrophes; the rules use plain ones.
                name: event.title.replace('\u{2019}', "'"),
                notes: event.notes,
            });
        }
        for list in by_year.values_mut() {
            list.sort_by_key(|h| h.date);
            list.dedup_by_key(|h| h.date);
        }
    }
    Ok(lists)
}

#[cfg(test)]
mod tests {
    use super::super::HolidayCalendar;
    use super::*;

    const SAMPLE: &str = r#"{
      "england-and-wales": {"division": "england-and-wales", "events": [
        {"title": "New Year’s Day", "date": "2030-01-01", "notes": "", "bunting": true},
        {"title": "Example extra day", "date": "2030-06-14", "notes": "", "bunting": true}
      ]},
      "scotland": {"division": "scotland", "events": [
        {"title": "2nd January", "date": "2025-01-02", "notes": "", "bunting": true},
        {"title": "St Andrew’s Day", "date": "2025-12-01", "notes": "Substitute day", "bunting": true}
      ]}
    }"#;

    #[test]
    fn import_replaces_the_years_it_covers() {
        let mut cal = HolidayCalendar::england_and_wales();
        let summary = cal.import_govuk(SAMPLE).unwrap();
        assert_eq!(summary.divisions[&Region::Scotland][&2025], 2);
        let ew2030 = cal.holidays(Region::EnglandAndWales, 2030).unwrap();
        assert_eq!(ew2030.len(), 2);
        assert_eq!(ew2030[0].name, "New Year's Day");
        // Other years still come from the rules.
        assert_eq!(
            cal.holidays(Region::EnglandAndWales, 2029).unwrap().len(),
            8
        );
        // Scotland is now answered for 2025, and only 2025.
        let wd = cal.working_days(Region::Scotland).unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(wd.add(d("2025-01-01"), 1).unwrap(), d("2025-01-03"));
        assert!(cal.holidays(Region::Scotland, 2026).is_err());
    }

    #[test]
    fn bad_imports_name_the_problem() {
        let mut cal = HolidayCalendar::england_and_wales();
        let err = cal
            .import_govuk("{\"wales\": {\"events\": []}}")
            .unwrap_err();
        assert!(err.to_string().contains("\"wales\""));
        let err = cal
            .import_govuk(r#"{"scotland": {"events": [{"title": "x", "date": "2025-02-30"}]}}"#)
            .unwrap_err();
        assert!(err.to_string().contains("2025-02-30"));
        assert!(cal.import_govuk("[").is_err());
    }
}
