//! Integration tests of the rules, driven by the embedded ST0071 plan and
//! both EPAO policies: one test binary for the crate.

mod calendar;
mod cap;
mod deadlines;
mod diary;
mod gateway;
mod grading;
mod properties;
mod sittings;

use chrono::NaiveDate;

pub fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}
