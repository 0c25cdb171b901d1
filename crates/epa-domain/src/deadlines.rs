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
//!
//! Known dates are checked before anything is computed (ADR 0026): dates in
//! an order that cannot happen (a planning meeting before the gateway, an
//! assessment before the EPA period starts) are refused as a
//! [`DeadlineError::Contradictory`]. A date that can happen but breaks a
//! "must" rule (an observation booked before the notice allows) gives the
//! plan and a [`Warning`] naming the rule.

use std::collections::BTreeMap;
use std::fmt;

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
    /// the `met` state. Takes precedence over what the dates above imply
    /// (an observation date completes `earliest_observation`, a report
    /// submission `report_due`, ...).
    pub done: BTreeMap<String, NaiveDate>,
    /// `done` is the full record: every event that happened is in it (a
    /// case file that records them). Only then is a past due date with no
    /// completion known to be missed (`overdue`); otherwise, as on the
    /// command line where only a few dates are given, it is
    /// `overdue_unless_done`.
    pub record_complete: bool,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Not yet due (or, for a floor, not yet reached).
    Upcoming,
    /// Due within the "due soon" horizon.
    DueSoon,
    /// Past its date and, by a complete record, not done.
    Overdue,
    /// Past its date with no completion known, from a record that may be
    /// incomplete: missed unless it was done and not recorded.
    OverdueUnlessDone,
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
    /// When the event happened or is booked, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done: Option<NaiveDate>,
}

/// A deadline that cannot be computed until a date is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    pub timing: &'static str,
    pub needs: Anchor,
    pub rule: String,
}

/// A known date that breaks a "must" rule: possible, so the plan is still
/// computed, but someone has to look at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The deadline the date breaks: `earliest_observation`.
    pub deadline: String,
    /// The policy timing it comes from: `observation_notice`.
    pub timing: &'static str,
    /// The rule in words.
    pub rule: String,
    pub strength: Strength,
    pub source: Source,
    /// The date given (`observation`) and the deadline's date.
    pub event: &'static str,
    pub event_date: NaiveDate,
    pub deadline_date: NaiveDate,
    /// One sentence: what breaks what.
    pub message: String,
}

/// All deadlines of an EPA.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeadlinePlan {
    pub deadlines: Vec<Deadline>,
    pub waiting: Vec<Waiting>,
    /// Known dates that break a "must" rule, one per deadline broken.
    pub warnings: Vec<Warning>,
}

/// Two known dates in an order that cannot happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contradiction {
    /// The event dated too early, as a [`KnownDates`] field: `planning_meeting`.
    pub event: &'static str,
    pub date: NaiveDate,
    /// The event it cannot come before: `gateway`.
    pub before: &'static str,
    pub before_date: NaiveDate,
}

impl fmt::Display for Contradiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} {} is before the {} {}",
            self.event.replace('_', " "),
            self.date,
            self.before.replace('_', " "),
            self.before_date
        )
    }
}

/// Why no deadlines could be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The known dates contradict each other; every contradiction is listed.
    #[error("impossible dates: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Contradictory(Vec<Contradiction>),
}

/// How "due soon" is measured: due within this many working days of today.
pub const DUE_SOON: Period = Period::working_days(5);

impl KnownDates {
    /// Every pair of known dates in an order that cannot happen. Only
    /// orderings no policy could allow are here: nothing of the EPA happens
    /// before the gateway, no assessment before the EPA period starts, and
    /// no final result before an assessment. Orderings a policy forbids (too
    /// little notice, a report too late) are warnings of
    /// [`plan_deadlines`] instead, since they can happen.
    pub fn contradictions(&self) -> Vec<Contradiction> {
        let mut found = Vec::new();
        let mut check = |event: &'static str,
                         date: Option<NaiveDate>,
                         before: &'static str,
                         before_date: Option<NaiveDate>| {
            if let (Some(date), Some(before_date)) = (date, before_date)
                && date < before_date
            {
                found.push(Contradiction {
                    event,
                    date,
                    before,
                    before_date,
                });
            }
        };
        let gateway = self.gateway;
        check(
            "epa_period_start",
            self.epa_period_start,
            "gateway",
            gateway,
        );
        check(
            "planning_meeting",
            self.planning_meeting,
            "gateway",
            gateway,
        );
        // Named as the gateway when the period starts there, so the message
        // names the date that was given.
        let (start_name, start) = match self.epa_period_start {
            Some(start) => ("epa_period_start", Some(start)),
            None => ("gateway", gateway),
        };
        let assessments = [
            ("observation", self.observation),
            ("interview", self.interview),
            ("discussion", self.discussion),
        ];
        for (event, date) in [("report_submission", self.report_submission)]
            .into_iter()
            .chain(assessments)
            .chain([
                ("result_upload", self.result_upload),
                ("fail_result", self.fail_result),
                ("project_fail_result", self.project_fail_result),
            ])
        {
            check(event, date, start_name, start);
        }
        for (assessment, date) in assessments {
            check("result_upload", self.result_upload, assessment, date);
        }
        found
    }

    /// The event that completes a deadline, as far as these dates tell:
    /// its name and date. A deadline of all assessments is completed by the
    /// last of them once all are known, and broken as soon as one known
    /// assessment falls after it.
    fn completion_of(&self, id: &str, date: NaiveDate) -> Option<(&'static str, NaiveDate)> {
        let named = |name: &'static str, d: Option<NaiveDate>| d.map(|d| (name, d));
        match id {
            "earliest_observation" => named("observation", self.observation),
            "earliest_interview" | "interview_due" => named("interview", self.interview),
            "report_due" | "report_due_before_interview" => {
                named("report_submission", self.report_submission)
            }
            "epa_period_end" => {
                let known = [
                    ("observation", self.observation),
                    ("interview", self.interview),
                    ("discussion", self.discussion),
                ];
                let last = known
                    .iter()
                    .filter_map(|(name, d)| d.map(|d| (*name, d)))
                    .max_by_key(|(_, d)| *d)?;
                let all_known = known.iter().all(|(_, d)| d.is_some());
                (all_known || last.1 > date).then_some(last)
            }
            _ => None,
        }
    }

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
/// `record_complete` says whether a missing `done` means "not done" (see
/// [`KnownDates::record_complete`]).
pub fn state_of(
    kind: DeadlineKind,
    date: NaiveDate,
    done: Option<NaiveDate>,
    today: NaiveDate,
    record_complete: bool,
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
            if today > date && record_complete {
                DeadlineState::Overdue
            } else if today > date {
                DeadlineState::OverdueUnlessDone
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
/// its state on `today`, and the known dates that break a "must" rule.
/// Known dates that contradict each other are refused.
pub fn plan_deadlines(
    plan: &EffectivePlan,
    known: &KnownDates,
    today: NaiveDate,
    wd: &WorkingDays<'_>,
) -> Result<DeadlinePlan, DeadlineError> {
    let contradictions = known.contradictions();
    if !contradictions.is_empty() {
        return Err(DeadlineError::Contradictory(contradictions));
    }
    let mut deadlines = Vec::new();
    let mut warnings = Vec::new();
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
            let completion = match known.done.get(&id) {
                Some(&d) => Some(("recorded completion", d)),
                None => known.completion_of(&id, date),
            };
            let done = completion.map(|(_, d)| d);
            let state = state_of(kind, date, done, today, known.record_complete, wd)?;
            if let (DeadlineState::Missed, Strength::Must, Some((event, event_date))) =
                (state, timing.strength, completion)
            {
                let broken = match kind {
                    DeadlineKind::DueBy => "after",
                    DeadlineKind::NotBefore => "before",
                    DeadlineKind::On => "not on",
                };
                warnings.push(Warning {
                    message: format!(
                        "{} {event_date} is {broken} {id} {date}, which breaks the rule \"{}\"",
                        event.replace('_', " "),
                        timing.text
                    ),
                    deadline: id.clone(),
                    timing: key,
                    rule: timing.text.clone(),
                    strength: timing.strength,
                    source: timing.source.clone(),
                    event,
                    event_date,
                    deadline_date: date,
                });
            }
            deadlines.push(Deadline {
                state,
                done,
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
    warnings.sort_by(|a, b| {
        a.deadline_date
            .cmp(&b.deadline_date)
            .then_with(|| a.deadline.cmp(&b.deadline))
    });
    Ok(DeadlinePlan {
        deadlines,
        waiting,
        warnings,
    })
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
        let s =
            |done, today| state_of(DeadlineKind::DueBy, due, done, d(today), true, &wd).unwrap();
        assert_eq!(s(None, "2025-07-01"), DeadlineState::Upcoming);
        assert_eq!(s(None, "2025-07-08"), DeadlineState::DueSoon);
        assert_eq!(s(None, "2025-07-15"), DeadlineState::DueSoon);
        assert_eq!(s(None, "2025-07-16"), DeadlineState::Overdue);
        // Without a complete record, nothing recorded is not "not done".
        assert_eq!(
            state_of(DeadlineKind::DueBy, due, None, d("2025-07-16"), false, &wd).unwrap(),
            DeadlineState::OverdueUnlessDone
        );
        assert_eq!(s(Some(d("2025-07-15")), "2025-08-01"), DeadlineState::Met);
        assert_eq!(
            s(Some(d("2025-07-16")), "2025-08-01"),
            DeadlineState::Missed
        );
        let f = |done, today| {
            state_of(DeadlineKind::NotBefore, due, done, d(today), true, &wd).unwrap()
        };
        assert_eq!(f(None, "2025-07-14"), DeadlineState::Upcoming);
        assert_eq!(f(None, "2025-07-15"), DeadlineState::Met);
        assert_eq!(
            f(Some(d("2025-07-14")), "2025-07-20"),
            DeadlineState::Missed
        );
    }
}
