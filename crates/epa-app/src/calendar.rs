//! The working-day calendar every use case counts in: the bank holidays of
//! England and Wales (EPA under the apprenticeship standards is England's),
//! built once per process.

use std::sync::OnceLock;

use epa_domain::calendar::{HolidayCalendar, Region, WorkingDays};

use crate::AppError;

pub fn working_days() -> Result<WorkingDays<'static>, AppError> {
    static CALENDAR: OnceLock<HolidayCalendar> = OnceLock::new();
    CALENDAR
        .get_or_init(HolidayCalendar::england_and_wales)
        .working_days(Region::EnglandAndWales)
        .map_err(|err| AppError::Internal(err.to_string()))
}
