//! The rules a booking of an assessment method must meet, read from the
//! policy's timings and order rules (ADR 0060). Pure: the use case gathers
//! the dates, this decides.
//!
//! Each rule is its own function returning a [`Finding`] when the booking
//! does not meet it: the rule's key, its strength, words and source, and
//! for a date that is too early the earliest date that would be allowed (or
//! for one too late, the latest). A "must" finding refuses the booking; a
//! "recommended" one is a warning shown with the accepted booking.
//!
//! How the plan's timings read at booking time:
//! - `observation_notice` (`before P from observation`): notice is given
//!   when the booking is made, so the observation is not before
//!   `booked_on + P`.
//! - `epa_period` (`within P from epa_period_start`): every assessment falls
//!   on or after the start and on or before `start + P`.
//! - `report_to_interview` (`at_least P from report_submission`, TQUK, or
//!   `before P from interview`, Innovate's "two weeks prior to the
//!   interview date"): once the report's submission date is known, the
//!   interview is not before `submitted + P`. Both are a minimum: a report
//!   handed in early is not a reason to refuse an interview (ADR 0103).
//! - `portfolio_due` (`before P from discussion`): the portfolio is due by
//!   `discussion - P`; the discussion is not before `submitted + P` when the
//!   portfolio's submission is known, else not before `booked_on + P`, so
//!   there is still time to submit it. A timing anchored elsewhere (Innovate:
//!   `at gateway`) does not constrain the booking.
//! - order rules (`first` before `then`): broken when the booking would put
//!   `then` on or before a booked `first`, or `first` on or after a booked
//!   `then`.

use chrono::NaiveDate;
use epa_plan::{Anchor, EffectivePlan, MethodId, OrderRule, Relation, Source, Strength, Timing};
use serde::Serialize;

use crate::calendar::{CalendarError, WorkingDays};

named_enum! {
    /// Where a booking stands. A booking is never deleted: cancelling,
    /// moving or recording a no-show changes its status.
    pub enum BookingStatus {
        Booked => "booked",
        Cancelled => "cancelled",
        Rescheduled => "rescheduled",
        NoShow => "no_show",
        /// The assessment took place: its sitting is recorded against it.
        Held => "held",
    }
}

named_enum! {
    /// What an apprentice hands in ahead of an assessment.
    pub enum SubmissionKind {
        Report => "report",
        Portfolio => "portfolio",
    }
}
use crate::plan::period_of;

/// One rule a booking does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The policy's key for the rule: `observation_notice`, `epa_period`,
    /// `report_to_interview`, `portfolio_due`, or an order rule's ID.
    pub rule: String,
    pub strength: Strength,
    /// What is wrong, in plain English, with the rule's own words.
    pub message: String,
    /// The soonest date the booking would meet this rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest_allowed: Option<NaiveDate>,
    /// The last date the booking would meet this rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_allowed: Option<NaiveDate>,
    pub source: Source,
}

impl Finding {
    pub fn refuses(&self) -> bool {
        self.strength == Strength::Must
    }
}

/// What is known when a method is booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingFacts {
    pub method: MethodId,
    /// The day of the assessment.
    pub date: NaiveDate,
    /// The day the booking is made: notice counts from here.
    pub booked_on: NaiveDate,
    /// The start of the EPA period (gateway approval).
    pub epa_period_start: Option<NaiveDate>,
    pub report_submitted_on: Option<NaiveDate>,
    pub portfolio_submitted_on: Option<NaiveDate>,
    /// The other methods' live bookings (not cancelled or replaced).
    pub booked: Vec<(MethodId, NaiveDate)>,
}

/// Every rule the booking does not meet, refusals and warnings together,
/// in the policy's order (timings first, then order rules).
pub fn check(
    plan: &EffectivePlan,
    facts: &BookingFacts,
    wd: &WorkingDays<'_>,
) -> Result<Vec<Finding>, CalendarError> {
    let timings = &plan.rules.timings;
    let mut findings = Vec::new();
    if facts.method == MethodId::Observation {
        findings.extend(observation_notice(
            &timings.observation_notice,
            facts.booked_on,
            facts.date,
            wd,
        )?);
    }
    if let Some(start) = facts.epa_period_start {
        findings.extend(epa_period(&timings.epa_period, start, facts.date, wd)?);
    }
    if facts.method == MethodId::Project
        && let Some(submitted) = facts.report_submitted_on
    {
        findings.extend(report_to_interview(
            &timings.report_to_interview,
            submitted,
            facts.date,
            wd,
        )?);
    }
    if facts.method == MethodId::Discussion {
        findings.extend(portfolio_due(
            &timings.portfolio_due,
            facts.portfolio_submitted_on,
            facts.booked_on,
            facts.date,
            wd,
        )?);
    }
    for rule in &plan.rules.order {
        findings.extend(order(rule, facts.method, facts.date, &facts.booked));
    }
    Ok(findings)
}

fn finding(
    rule: &str,
    timing: &Timing,
    message: String,
    earliest: Option<NaiveDate>,
    latest: Option<NaiveDate>,
) -> Finding {
    Finding {
        rule: rule.to_owned(),
        strength: timing.strength,
        message,
        earliest_allowed: earliest,
        latest_allowed: latest,
        source: timing.source.clone(),
    }
}

/// The observation is booked with the notice the policy asks for.
pub fn observation_notice(
    timing: &Timing,
    booked_on: NaiveDate,
    date: NaiveDate,
    wd: &WorkingDays<'_>,
) -> Result<Option<Finding>, CalendarError> {
    let (Some(period), Relation::Before) = (period_of(timing), timing.relation) else {
        return Ok(None);
    };
    let earliest = period.after(booked_on, wd)?;
    Ok((date < earliest).then(|| {
        finding(
            "observation_notice",
            timing,
            format!(
                "{} Booked on {booked_on}, the observation can be on {earliest} at the soonest.",
                timing.text
            ),
            Some(earliest),
            None,
        )
    }))
}

/// The assessment falls inside the EPA period.
pub fn epa_period(
    timing: &Timing,
    start: NaiveDate,
    date: NaiveDate,
    wd: &WorkingDays<'_>,
) -> Result<Option<Finding>, CalendarError> {
    let (Some(period), Relation::Within) = (period_of(timing), timing.relation) else {
        return Ok(None);
    };
    let end = period.after(start, wd)?;
    Ok(if date < start {
        Some(finding(
            "epa_period",
            timing,
            format!(
                "{} The EPA period starts on {start}: book on or after it.",
                timing.text
            ),
            Some(start),
            Some(end),
        ))
    } else if date > end {
        Some(finding(
            "epa_period",
            timing,
            format!(
                "{} The EPA period runs from {start} to {end}: book on or before {end}.",
                timing.text
            ),
            None,
            Some(end),
        ))
    } else {
        None
    })
}

/// The interview keeps its distance from the report's submission.
pub fn report_to_interview(
    timing: &Timing,
    submitted: NaiveDate,
    date: NaiveDate,
    wd: &WorkingDays<'_>,
) -> Result<Option<Finding>, CalendarError> {
    let Some(period) = period_of(timing) else {
        return Ok(None);
    };
    // "At least P after the submission" (TQUK) and "submitted P before the
    // interview" (Innovate) are the same floor on the interview: a report
    // handed in earlier is no breach (ADR 0103).
    let floor = matches!(
        (timing.from, timing.relation),
        (
            Some(Anchor::ReportSubmission),
            Relation::AtLeast | Relation::Exactly
        ) | (Some(Anchor::Interview), Relation::Before)
    );
    if !floor {
        return Ok(None);
    }
    let earliest = period.after(submitted, wd)?;
    Ok((date < earliest).then(|| {
        finding(
            "report_to_interview",
            timing,
            format!(
                "{} The report was submitted on {submitted}, so the interview can be on {earliest} at the soonest.",
                timing.text
            ),
            Some(earliest),
            None,
        )
    }))
}

/// The portfolio can be in the assessor's hands in time for the discussion.
pub fn portfolio_due(
    timing: &Timing,
    submitted: Option<NaiveDate>,
    booked_on: NaiveDate,
    date: NaiveDate,
    wd: &WorkingDays<'_>,
) -> Result<Option<Finding>, CalendarError> {
    let (Some(period), Relation::Before, Some(Anchor::Discussion)) =
        (period_of(timing), timing.relation, timing.from)
    else {
        return Ok(None);
    };
    let (earliest, why) = match submitted {
        Some(day) => (
            period.after(day, wd)?,
            format!("The portfolio was submitted on {day}"),
        ),
        None => (
            period.after(booked_on, wd)?,
            format!("The portfolio has not been submitted yet (booked on {booked_on})"),
        ),
    };
    Ok((date < earliest).then(|| {
        finding(
            "portfolio_due",
            timing,
            format!(
                "{} {why}, so the discussion can be on {earliest} at the soonest.",
                timing.text
            ),
            Some(earliest),
            None,
        )
    }))
}

/// The order of methods: `rule.first` before `rule.then`.
pub fn order(
    rule: &OrderRule,
    method: MethodId,
    date: NaiveDate,
    booked: &[(MethodId, NaiveDate)],
) -> Option<Finding> {
    let clash = booked.iter().find_map(|(other, other_date)| {
        if method == rule.then && *other == rule.first && date <= *other_date {
            Some((*other, *other_date, other_date.succ_opt()))
        } else if method == rule.first && *other == rule.then && date >= *other_date {
            Some((*other, *other_date, None))
        } else {
            None
        }
    })?;
    let (other, other_date, earliest) = clash;
    Some(Finding {
        rule: rule.id.clone(),
        strength: rule.strength,
        message: format!(
            "{} The {} is booked for {other_date}.",
            rule.text,
            method_word(other)
        ),
        earliest_allowed: earliest,
        latest_allowed: None,
        source: rule.source.clone(),
    })
}

/// How the plan's methods are named in a sentence.
pub fn method_word(method: MethodId) -> &'static str {
    match method {
        MethodId::Observation => "observation",
        MethodId::Project => "project interview",
        MethodId::Discussion => "professional discussion",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{HolidayCalendar, Region};
    use epa_plan::Catalog;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn plan(policy: &str) -> EffectivePlan {
        Catalog::embedded()
            .effective("ST0071", None, policy)
            .unwrap()
    }

    fn facts(method: MethodId, date: &str) -> BookingFacts {
        BookingFacts {
            method,
            date: d(date),
            booked_on: d("2026-11-02"),
            epa_period_start: Some(d("2026-11-02")),
            report_submitted_on: None,
            portfolio_submitted_on: None,
            booked: Vec::new(),
        }
    }

    fn run(policy: &str, facts: &BookingFacts) -> Vec<Finding> {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        check(&plan(policy), facts, &wd).unwrap()
    }

    #[test]
    fn observation_needs_two_weeks_notice() {
        for policy in ["tquk", "innovate"] {
            let found = run(policy, &facts(MethodId::Observation, "2026-11-13"));
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].rule, "observation_notice");
            assert!(found[0].refuses());
            assert_eq!(found[0].earliest_allowed, Some(d("2026-11-16")));
            assert!(found[0].source.document.contains(if policy == "tquk" {
                "TQUK"
            } else {
                "Innovate"
            }));
            assert!(run(policy, &facts(MethodId::Observation, "2026-11-16")).is_empty());
        }
    }

    #[test]
    fn every_assessment_falls_inside_the_epa_period() {
        let found = run("tquk", &facts(MethodId::Project, "2027-02-03"));
        assert_eq!(found[0].rule, "epa_period");
        assert!(found[0].refuses());
        assert_eq!(found[0].latest_allowed, Some(d("2027-02-02")));
        assert_eq!(found[0].earliest_allowed, None);
        assert!(run("tquk", &facts(MethodId::Project, "2027-02-02")).is_empty());
        let mut early = facts(MethodId::Project, "2026-11-20");
        early.epa_period_start = Some(d("2026-11-23"));
        let found = run("innovate", &early);
        assert_eq!(found[0].earliest_allowed, Some(d("2026-11-23")));
    }

    #[test]
    fn the_interview_waits_for_two_weeks_after_the_report() {
        for policy in ["tquk", "innovate"] {
            let mut booking = facts(MethodId::Project, "2026-11-20");
            booking.report_submitted_on = Some(d("2026-11-10"));
            let found = run(policy, &booking);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].rule, "report_to_interview");
            assert_eq!(found[0].earliest_allowed, Some(d("2026-11-24")));
            booking.date = d("2026-11-24");
            assert!(run(policy, &booking).is_empty());
        }
        // Unknown report: nothing to check yet.
        assert!(run("tquk", &facts(MethodId::Project, "2026-11-05")).is_empty());
    }

    #[test]
    fn tquk_wants_the_portfolio_two_weeks_before_the_discussion() {
        let found = run("tquk", &facts(MethodId::Discussion, "2026-11-10"));
        assert_eq!(found[0].rule, "portfolio_due");
        assert!(found[0].refuses());
        assert_eq!(found[0].earliest_allowed, Some(d("2026-11-16")));
        let mut submitted = facts(MethodId::Discussion, "2026-11-10");
        submitted.portfolio_submitted_on = Some(d("2026-10-20"));
        submitted.epa_period_start = Some(d("2026-10-20"));
        assert!(run("tquk", &submitted).is_empty());
        // Innovate takes the portfolio at gateway only.
        assert!(run("innovate", &facts(MethodId::Discussion, "2026-11-10")).is_empty());
    }

    #[test]
    fn order_rules_only_warn() {
        let mut discussion = facts(MethodId::Discussion, "2026-11-20");
        discussion.booked = vec![(MethodId::Project, d("2026-11-25"))];
        let found = run("tquk", &discussion);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "project_before_discussion");
        assert!(!found[0].refuses());
        assert_eq!(found[0].earliest_allowed, Some(d("2026-11-26")));

        // Innovate reads the observation as after the discussion.
        let mut observation = facts(MethodId::Observation, "2026-11-20");
        observation.booked = vec![(MethodId::Discussion, d("2026-11-25"))];
        let found = run("innovate", &observation);
        assert_eq!(found[0].rule, "observation_and_discussion");
        assert!(!found[0].refuses());
        // TQUK says the opposite: the same booking is in its recommended order.
        assert!(run("tquk", &observation).is_empty());
    }
}
