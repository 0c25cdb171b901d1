//! An assessor's diary: what a booking's time says, apart from the plan's
//! date rules in [`crate::booking`]. Pure: the use case gathers the
//! assessor's other bookings and passes them in (ADR 0102).
//!
//! - A booking that overlaps another of the same assessor's live bookings
//!   is refused, naming the clash. Intervals are half-open: one booking
//!   ending at 10:00 and another starting at 10:00 do not clash.
//! - A booking on a weekend or an England and Wales bank holiday is
//!   allowed with a warning: workplaces open then, and the observation
//!   happens at work.
//! - A start outside working hours (a setting, 08:00 to 18:00 by default)
//!   is allowed with a warning.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::Serialize;

use crate::calendar::{CalendarError, HolidayCalendar, Region};

/// A span of time on one day: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Slot {
    fn from(&self) -> NaiveDateTime {
        self.date.and_time(self.start)
    }

    fn to(&self) -> NaiveDateTime {
        self.date.and_time(self.end)
    }

    /// Whether two slots share any minute (touching ends do not).
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.from() < other.to() && other.from() < self.to()
    }
}

/// Another booking of the same assessor that a new one overlaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clash<Id> {
    /// The other booking's ID, as the use case knows it.
    pub booking: Id,
    pub slot: Slot,
    /// "the assessor is already booked on 2026-11-16 from 09:00 to 10:10".
    pub message: String,
}

/// Every live booking of the assessor (not cancelled, not the booking
/// being moved) that `slot` overlaps, earliest first. Any clash refuses
/// the booking.
pub fn clashes<Id: Clone>(slot: &Slot, others: &[(Id, Slot)]) -> Vec<Clash<Id>> {
    let mut found: Vec<Clash<Id>> = others
        .iter()
        .filter(|(_, other)| slot.overlaps(other))
        .map(|(id, other)| Clash {
            booking: id.clone(),
            slot: *other,
            message: format!(
                "the assessor is already booked on {} from {} to {}",
                other.date,
                other.start.format("%H:%M"),
                other.end.format("%H:%M")
            ),
        })
        .collect();
    found.sort_by_key(|c| (c.slot.date, c.slot.start));
    found
}

/// The hours a booking is expected to start in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkingHours {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl Default for WorkingHours {
    /// 08:00 to 18:00.
    fn default() -> Self {
        WorkingHours {
            from: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            to: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

/// Why a booking's time deserves a second look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiaryRule {
    Weekend,
    BankHoliday,
    OutsideWorkingHours,
}

/// A warning shown with an accepted booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiaryWarning {
    pub rule: DiaryRule,
    pub message: String,
}

/// The warnings a booking's day and start time give: a weekend, an
/// England and Wales bank holiday (named), a start outside `hours`. None
/// refuses the booking.
pub fn diary_warnings(
    slot: &Slot,
    hours: WorkingHours,
    calendar: &HolidayCalendar,
) -> Result<Vec<DiaryWarning>, CalendarError> {
    let mut warnings = Vec::new();
    if matches!(slot.date.weekday(), Weekday::Sat | Weekday::Sun) {
        warnings.push(DiaryWarning {
            rule: DiaryRule::Weekend,
            message: format!(
                "{} is a {}: check the workplace is open and the apprentice is working that day",
                slot.date,
                slot.date.format("%A")
            ),
        });
    }
    if let Some(holiday) = calendar
        .holidays(Region::EnglandAndWales, slot.date.year())?
        .into_iter()
        .find(|h| h.date == slot.date)
    {
        warnings.push(DiaryWarning {
            rule: DiaryRule::BankHoliday,
            message: format!(
                "{} is a bank holiday in England and Wales ({}): check the workplace is open and the apprentice is working that day",
                slot.date, holiday.name
            ),
        });
    }
    if slot.start < hours.from || slot.start >= hours.to {
        warnings.push(DiaryWarning {
            rule: DiaryRule::OutsideWorkingHours,
            message: format!(
                "the booking starts at {}, outside working hours ({} to {})",
                slot.start.format("%H:%M"),
                hours.from.format("%H:%M"),
                hours.to.format("%H:%M")
            ),
        });
    }
    Ok(warnings)
}
