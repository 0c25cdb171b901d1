//! The working-day calendar every use case counts in: the bank holidays of
//! England and Wales (EPA under the apprenticeship standards is England's),
//! built once per process.

use std::sync::OnceLock;

use epa_domain::calendar::{HolidayCalendar, Region, WorkingDays};

use crate::AppError;

static CALENDAR: OnceLock<HolidayCalendar> = OnceLock::new();

/// The bank holidays of England and Wales, built once.
pub fn holidays() -> &'static HolidayCalendar {
    CALENDAR.get_or_init(HolidayCalendar::england_and_wales)
}

/// The calendar date in London of a stored instant: the rules count days
/// in English dates, by the domain's own clock conversion.
pub(crate) fn london_date(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    epa_domain::Clock::today(&epa_domain::FixedClock(at))
}

pub fn working_days() -> Result<WorkingDays<'static>, AppError> {
    holidays()
        .working_days(Region::EnglandAndWales)
        .map_err(|err| AppError::Internal(err.to_string()))
}
