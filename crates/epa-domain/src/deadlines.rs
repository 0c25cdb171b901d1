//! Every deadline that follows from an EPA's known dates and its policy.
//!
//! Deadlines are computed, never stored as truth: change a date or the
//! policy and they follow. Each names the policy rule it comes from (its
//! words and source document) and the date it counts from.
//!
//! How a plan timing becomes a date (ADR 0020, 0023):
//! - `within P from A`: due by `A + P` (that day included);
//! - `at_least P from A`: not before `A + P`;
//! - `exactly P from A`: on `A + P`;
//! - `before P from A` (notice, advance submission): due by `A - P`. The
//!   observation notice also gives the **earliest observation**: notice can
//!   be given at the start of the EPA period at the soonest, so the
//!   observation is not before `start + P`.
//! - The EPA period starts at the gateway (its approval) unless a separate
//!   start date is given.
//! - A timing whose anchor date is not known yet is listed as waiting.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use epa_plan::{Anchor, EffectivePlan, Relation, Source, Strength, Timing};
use serde::Serialize;

use crate::calendar::{CalendarError, Period, WorkingDays};
use crate::plan::period_of;

/// The dates known about one EPA. Every field is optional: deadlines follow
/// from whatever is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownDates {
    pub gateway: Option<NaiveDate>,
    /// Defaults to the gateway.
    pub epa_period_start: Option<NaiveDate>,
    pub planning_meeting: Option<NaiveDate>,
    pub proposal_rejection: Option<NaiveDate>,
    pub report_submission: Option<NaiveDate>,
    pub observation: Option<NaiveDate>,
    pub interview: Option<NaiveDate>,
    pub discussion: Option<NaiveDate>,
    pub result_upload: Option<NaiveDate>,
    /// The EPA's first fail result (opens the resit/retake window).
    pub fail_result: Option<NaiveDate>,
    /// The project's fail result (opens the project rework).
    pub project_fail_result: Option<NaiveDate>,
    pub replacement_request: Option<NaiveDate>,
    /// When each deadline's event actually happened, by deadline ID, for
    /// the `met` state.
    pub done: BTreeMap<String, NaiveDate>,
}

/// Whether a date is a limit or a floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// The event must happen on or before the date.
    DueBy,
    /// The event may not happen before the date.
    NotBefore,
    /// The event happens on the date.
    On,
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Not yet due (or, for a floor, not yet reached).
    Upcoming,
    /// Due within the "due soon" horizon.
    DueSoon,
    /// Past its date and not done.
    Overdue,
    /// Done in time (or, for a floor with nothing recorded, reached).
    Met,
    /// Done, but late (or, for a floor, too early).
    Missed,
}

/// One computed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// Stable ID: `epa_period_end`, `earliest_observation`, `report_due` ...
    pub id: String,
    pub date: NaiveDate,
    pub kind: DeadlineKind,
    /// The policy timing it comes from (`report_window`).
    pub timing: &'static str,
    /// The rule in words.
    pub rule: String,
    /// "2 months within planning_meeting".
    pub computation: String,
    pub from: Anchor,
    pub from_date: NaiveDate,
    pub strength: Strength,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    pub source: Source,
    pub state: DeadlineState,
}

/// A deadline that cannot be computed until a date is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    pub timing: &'static str,
    pub needs: Anchor,
    pub rule: String,
}

/// All deadlines of an EPA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlinePlan {
    pub deadlines: Vec<Deadline>,
    pub waiting: Vec<Waiting>,
}

/// How "due soon" is measured: due within this many working days of today.
pub const DUE_SOON: Period = Period::working_days(5);

impl KnownDates {
    fn dates_of(&self, anchor: Anchor, timing: &str) -> Vec<(NaiveDate, Option<&'static str>)> {
        let one = |d: Option<NaiveDate>| d.map(|d| (d, None)).into_iter().collect::<Vec<_>>();
        match anchor {
            Anchor::Gateway => one(self.gateway),
            Anchor::EpaPeriodStart => one(self.epa_period_start.or(self.gateway)),
            Anchor::PlanningMeeting => one(self.planning_meeting),
            Anchor::ProposalRejection => one(self.proposal_rejection),
            Anchor::ReportSubmission => one(self.report_submission),
            Anchor::Interview => one(self.interview),
            Anchor::Observation => one(self.observation),
            Anchor::Discussion => one(self.discussion),
            Anchor::AssessmentDate => [
                (self.observation, "observation"),
                (self.interview, "interview"),
                (self.discussion, "discussion"),
            ]
            .into_iter()
            .filter_map(|(d, name)| d.map(|d| (d, Some(name))))
            .collect(),
            Anchor::ResultUpload => one(self.result_upload),
            Anchor::FailResult if timing == "project_rework" => one(self.project_fail_result),
            Anchor::FailResult => one(self.fail_result),
            Anchor::ReplacementRequest => one(self.replacement_request),
        }
    }
}

fn deadline_id(timing: &str, relation: Relation, anchor: Anchor, suffix: Option<&str>) -> String {
    let base = match (timing, relation) {
        ("epa_period", _) => "epa_period_end".to_owned(),
        ("gateway_processing", _) => "gateway_processing_end".to_owned(),
        ("observation_notice", _) => "observation_notice_due".to_owned(),
        ("proposal_rework", _) => "proposal_rework_due".to_owned(),
        ("report_window", _) => "report_due".to_owned(),
        ("report_to_interview", Relation::AtLeast) => "earliest_interview".to_owned(),
        ("report_to_interview", _) if anchor == Anchor::Interview => {
            "report_due_before_interview".to_owned()
        }
        ("report_to_interview", _) => "interview_due".to_owned(),
        ("portfolio_due", _) => "portfolio_due".to_owned(),
        ("results_release", _) => "results_due".to_owned(),
        ("certificate_claim", _) => "certificate_claim_due".to_owned(),
        ("replacement_certificate", _) => "replacement_certificate_due".to_owned(),
        ("project_rework", _) => "project_rework_due".to_owned(),
        ("resit_retake_window", _) => "resit_retake_window_end".to_owned(),
        (other, _) => other.to_owned(),
    };
    match suffix {
        Some(s) => format!("{base}_{s}"),
        None => base,
    }
}

/// The state of a deadline on `today`, given when its event happened.
pub fn state_of(
    kind: DeadlineKind,
    date: NaiveDate,
    done: Option<NaiveDate>,
    today: NaiveDate,
    wd: &WorkingDays<'_>,
) -> Result<DeadlineState, CalendarError> {
    Ok(match (kind, done) {
        (DeadlineKind::DueBy, Some(d)) => {
            if d <= date {
                DeadlineState::Met
            } else {
                DeadlineState::Missed
            }
        }
        (DeadlineKind::NotBefore, Some(d)) => {
            if d >= date {
                DeadlineState::Met
            } else {
                DeadlineState::Missed
            }
        }
        (DeadlineKind::On, Some(d)) => {
            if d == date {
                DeadlineState::Met
            } else {
                DeadlineState::Missed
            }
        }
        (DeadlineKind::NotBefore, None) => {
            if today >= date {
                DeadlineState::Met
            } else {
                DeadlineState::Upcoming
            }
        }
        (DeadlineKind::DueBy | DeadlineKind::On, None) => {
            if today > date {
                DeadlineState::Overdue
            } else if date <= DUE_SOON.after(today, wd)? {
                DeadlineState::DueSoon
            } else {
                DeadlineState::Upcoming
            }
        }
    })
}

fn describe(timing: &Timing, period: Period, anchor: Anchor) -> String {
    format!("{period} {} {anchor}", timing.relation)
}

/// Every deadline that follows from `known` under the plan's policy, with
/// its state on `today`.
pub fn plan_deadlines(
    plan: &EffectivePlan,
    known: &KnownDates,
    today: NaiveDate,
    wd: &WorkingDays<'_>,
) -> Result<DeadlinePlan, CalendarError> {
    let mut deadlines = Vec::new();
    let mut waiting = Vec::new();
    for (key, timing) in plan.rules.timings.entries() {
        let Some(timing) = timing else { continue };
        let (Some(period), Some(anchor)) = (period_of(timing), timing.from) else {
            continue;
        };
        let mut push = |id: String,
                        date: NaiveDate,
                        kind: DeadlineKind,
                        from: Anchor,
                        from_date: NaiveDate,
                        computation: String|
         -> Result<(), CalendarError> {
            let done = known.done.get(&id).copied();
            deadlines.push(Deadline {
                state: state_of(kind, date, done, today, wd)?,
                id,
                date,
                kind,
                timing: key,
                rule: timing.text.clone(),
                computation,
                from,
                from_date,
                strength: timing.strength,
                reading: timing.reading.clone(),
                source: timing.source.clone(),
            });
            Ok(())
        };
        // The earliest observation follows from the notice rule even before
        // the observation is booked: notice can be given from the start of
        // the EPA period at the soonest.
        if key == "observation_notice"
            && let Some(start) = known.epa_period_start.or(known.gateway)
        {
            push(
                "earliest_observation".to_owned(),
                period.after(start, wd)?,
                DeadlineKind::NotBefore,
                Anchor::EpaPeriodStart,
                start,
                format!("{period} after epa_period_start, the soonest notice can be given"),
            )?;
        }
        let anchors = known.dates_of(anchor, key);
        if anchors.is_empty() {
            waiting.push(Waiting {
                timing: key,
                needs: anchor,
                rule: timing.text.clone(),
            });
            continue;
        }
        for (from_date, suffix) in anchors {
            let id = deadline_id(key, timing.relation, anchor, suffix);
            let (date, kind) = match timing.relation {
                Relation::Within => (period.after(from_date, wd)?, DeadlineKind::DueBy),
                Relation::AtLeast => (period.after(from_date, wd)?, DeadlineKind::NotBefore),
                Relation::Exactly => (period.after(from_date, wd)?, DeadlineKind::On),
                Relation::Before => (period.before(from_date, wd)?, DeadlineKind::DueBy),
                Relation::At => (from_date, DeadlineKind::On),
            };
            push(
                id,
                date,
                kind,
                anchor,
                from_date,
                describe(timing, period, anchor),
            )?;
        }
    }
    deadlines.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    Ok(DeadlinePlan { deadlines, waiting })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{HolidayCalendar, Region};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn states() {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        let due = d("2025-07-15");
        let s = |done, today| state_of(DeadlineKind::DueBy, due, done, d(today), &wd).unwrap();
        assert_eq!(s(None, "2025-07-01"), DeadlineState::Upcoming);
        assert_eq!(s(None, "2025-07-08"), DeadlineState::DueSoon);
        assert_eq!(s(None, "2025-07-15"), DeadlineState::DueSoon);
        assert_eq!(s(None, "2025-07-16"), DeadlineState::Overdue);
        assert_eq!(s(Some(d("2025-07-15")), "2025-08-01"), DeadlineState::Met);
        assert_eq!(
            s(Some(d("2025-07-16")), "2025-08-01"),
            DeadlineState::Missed
        );
        let f = |done, today| state_of(DeadlineKind::NotBefore, due, done, d(today), &wd).unwrap();
        assert_eq!(f(None, "2025-07-14"), DeadlineState::Upcoming);
        assert_eq!(f(None, "2025-07-15"), DeadlineState::Met);
        assert_eq!(
            f(Some(d("2025-07-14")), "2025-07-20"),
            DeadlineState::Missed
        );
    }
}
