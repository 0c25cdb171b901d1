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
//! - `at A` (Innovate's portfolio "at gateway"): due by `A`.
//! - A timing whose anchor date is not known yet is listed as waiting.
//!
//! Every deadline the product decides from its own records (ADR 0105) is
//! `met` or `missed` once its date has passed: the observation's notice
//! (booked on vs the observation), gateway processing (submission vs
//! approval), each method's result (its release), the certificate claim,
//! the report, the portfolio, the reworks and the resit window. Only what
//! happens outside the product (the replacement certificate's request to
//! the ESFA) can be `overdue_unless_done`. An EPA that is finished
//! (certificate received, or withdrawn) has no open deadline but a
//! replacement certificate's.
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
use epa_plan::{Anchor, EffectivePlan, MethodId, Relation, Source, Strength, Timing};
use serde::Serialize;

use crate::calendar::{CalendarError, Period, WorkingDays};
use crate::plan::period_of;

/// The dates known about one EPA. Every field is optional: deadlines follow
/// from whatever is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownDates {
    /// The gateway's approval: the EPA period starts here by default.
    pub gateway: Option<NaiveDate>,
    /// The gateway's submission: the EPAO's gateway processing counts from
    /// here, and the approval (`gateway`) completes it.
    pub gateway_submitted: Option<NaiveDate>,
    /// Defaults to the gateway.
    pub epa_period_start: Option<NaiveDate>,
    pub planning_meeting: Option<NaiveDate>,
    pub proposal_rejection: Option<NaiveDate>,
    /// The reworked proposal's submission (completes its rework).
    pub proposal_resubmission: Option<NaiveDate>,
    pub report_submission: Option<NaiveDate>,
    /// The portfolio's submission (completes `portfolio_due`). Where the
    /// policy takes it at gateway, the gateway that held it.
    pub portfolio_submission: Option<NaiveDate>,
    pub observation: Option<NaiveDate>,
    /// The day the observation was booked: notice is given then, so it
    /// completes `observation_notice_due`.
    pub observation_booked_on: Option<NaiveDate>,
    pub interview: Option<NaiveDate>,
    pub discussion: Option<NaiveDate>,
    /// Each method's result release (completes its `results_due_*`).
    pub results_released: BTreeMap<MethodId, NaiveDate>,
    /// The final (overall) result's upload.
    pub result_upload: Option<NaiveDate>,
    /// The certificate claim (completes `certificate_claim_due`).
    pub certificate_claim: Option<NaiveDate>,
    /// The EPA's first fail result (opens the resit/retake window).
    pub fail_result: Option<NaiveDate>,
    /// The latest resit or retake sitting (completes the window).
    pub resit_retake: Option<NaiveDate>,
    /// The project's fail result (opens the project rework).
    pub project_fail_result: Option<NaiveDate>,
    /// The reworked project's submission (completes its rework).
    pub project_rework: Option<NaiveDate>,
    pub replacement_request: Option<NaiveDate>,
    /// When a deadline's event happened, where no field above says: for
    /// events outside the product. Takes precedence over the fields.
    pub done: BTreeMap<DeadlineId, NaiveDate>,
    /// The dates above are the product's full record: an event of the
    /// product that is not given did not happen, so a past due date without
    /// it is `missed`. Without it (the command line, where only a few dates
    /// are given) such a deadline is `overdue_unless_done`. Events outside
    /// the product are `overdue_unless_done` either way.
    pub record_complete: bool,
    /// The EPA is finished (certificate received, or withdrawn): no
    /// deadline stays open.
    pub finished: bool,
    /// The attempt is a retake: its EPA period started at a new gateway,
    /// after the fail results that opened the retake.
    pub retake: bool,
}

/// A deadline's stable ID. On the wire the snake_case names below
/// (`epa_period_end`, `results_due_observation` ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeadlineId {
    EpaPeriodEnd,
    GatewayProcessingEnd,
    ObservationNoticeDue,
    EarliestObservation,
    ProposalReworkDue,
    ReportDue,
    EarliestInterview,
    ReportDueBeforeInterview,
    InterviewDue,
    PortfolioDue,
    /// One method's result: `results_due_observation`,
    /// `results_due_interview` (the project), `results_due_discussion`.
    ResultsDue(MethodId),
    CertificateClaimDue,
    ReplacementCertificateDue,
    ProjectReworkDue,
    ResitRetakeWindowEnd,
    /// Not a plan timing: the allocated assessor became conflicted and the
    /// EPA needs another before anything can be assessed (ADR 0110).
    AssessorReallocation,
}

impl DeadlineId {
    pub const ALL: [DeadlineId; 18] = [
        DeadlineId::EpaPeriodEnd,
        DeadlineId::GatewayProcessingEnd,
        DeadlineId::ObservationNoticeDue,
        DeadlineId::EarliestObservation,
        DeadlineId::ProposalReworkDue,
        DeadlineId::ReportDue,
        DeadlineId::EarliestInterview,
        DeadlineId::ReportDueBeforeInterview,
        DeadlineId::InterviewDue,
        DeadlineId::PortfolioDue,
        DeadlineId::ResultsDue(MethodId::Observation),
        DeadlineId::ResultsDue(MethodId::Project),
        DeadlineId::ResultsDue(MethodId::Discussion),
        DeadlineId::CertificateClaimDue,
        DeadlineId::ReplacementCertificateDue,
        DeadlineId::ProjectReworkDue,
        DeadlineId::ResitRetakeWindowEnd,
        DeadlineId::AssessorReallocation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineId::EpaPeriodEnd => "epa_period_end",
            DeadlineId::GatewayProcessingEnd => "gateway_processing_end",
            DeadlineId::ObservationNoticeDue => "observation_notice_due",
            DeadlineId::EarliestObservation => "earliest_observation",
            DeadlineId::ProposalReworkDue => "proposal_rework_due",
            DeadlineId::ReportDue => "report_due",
            DeadlineId::EarliestInterview => "earliest_interview",
            DeadlineId::ReportDueBeforeInterview => "report_due_before_interview",
            DeadlineId::InterviewDue => "interview_due",
            DeadlineId::PortfolioDue => "portfolio_due",
            DeadlineId::ResultsDue(MethodId::Observation) => "results_due_observation",
            DeadlineId::ResultsDue(MethodId::Project) => "results_due_interview",
            DeadlineId::ResultsDue(MethodId::Discussion) => "results_due_discussion",
            DeadlineId::CertificateClaimDue => "certificate_claim_due",
            DeadlineId::ReplacementCertificateDue => "replacement_certificate_due",
            DeadlineId::ProjectReworkDue => "project_rework_due",
            DeadlineId::ResitRetakeWindowEnd => "resit_retake_window_end",
            DeadlineId::AssessorReallocation => "assessor_reallocation",
        }
    }

    /// Its place in [`DeadlineId::ALL`], which is the order of the IDs.
    pub fn ordinal(self) -> usize {
        DeadlineId::ALL
            .iter()
            .position(|id| *id == self)
            .unwrap_or(DeadlineId::ALL.len())
    }

    pub fn parse(text: &str) -> Option<DeadlineId> {
        DeadlineId::ALL.into_iter().find(|id| id.as_str() == text)
    }

    /// Whether the product records the event that completes it, so that
    /// its own record decides `met` or `missed`. The replacement
    /// certificate is requested from the ESFA outside the product.
    pub fn decided_by_product(self) -> bool {
        self != DeadlineId::ReplacementCertificateDue
    }
}

impl fmt::Display for DeadlineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DeadlineId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for DeadlineId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
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

impl DeadlineKind {
    pub const ALL: [DeadlineKind; 3] = [
        DeadlineKind::DueBy,
        DeadlineKind::NotBefore,
        DeadlineKind::On,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::DueBy => "due_by",
            DeadlineKind::NotBefore => "not_before",
            DeadlineKind::On => "on",
        }
    }

    pub fn parse(text: &str) -> Option<DeadlineKind> {
        DeadlineKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// How long a deadline stays open (upcoming, due soon or overdue unless
/// done) if nothing more is recorded: what a list of open deadlines can
/// keep without knowing the day it is read (ADR 0121).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenWhile {
    /// Whatever the date: its event happens outside the product.
    Always,
    /// Up to and including this day.
    Until(NaiveDate),
    /// Not open: met or missed by what was recorded.
    Never,
}

/// [`OpenWhile`] for a deadline, agreeing with [`state_of`] on every day:
/// `state_of(..).is_open()` exactly when the day is within it.
pub fn open_while(
    kind: DeadlineKind,
    date: NaiveDate,
    done: Option<NaiveDate>,
    record_complete: bool,
) -> OpenWhile {
    match (kind, done) {
        (_, Some(_)) => OpenWhile::Never,
        (DeadlineKind::NotBefore, None) => {
            date.pred_opt().map_or(OpenWhile::Never, OpenWhile::Until)
        }
        (DeadlineKind::DueBy | DeadlineKind::On, None) if record_complete => OpenWhile::Until(date),
        (DeadlineKind::DueBy | DeadlineKind::On, None) => OpenWhile::Always,
    }
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Not yet due (or, for a floor, not yet reached).
    Upcoming,
    /// Due within the "due soon" horizon.
    DueSoon,
    /// Past its date with no completion known, for an event outside the
    /// product (or a record that may be incomplete): missed unless it was
    /// done and not recorded.
    OverdueUnlessDone,
    /// Done in time (or, for a floor with nothing recorded, reached).
    Met,
    /// Done, but late (or, for a floor, too early); or, by the product's
    /// own complete record, not done by its date. (`overdue`, the old name
    /// of the latter, is read as this.)
    #[serde(alias = "overdue")]
    Missed,
}

impl DeadlineState {
    /// Still needs someone: not yet decided met or missed.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            DeadlineState::Upcoming | DeadlineState::DueSoon | DeadlineState::OverdueUnlessDone
        )
    }

    /// Most urgent first: past its date, then due soon, then upcoming;
    /// decided ones last.
    pub fn urgency(self) -> u8 {
        match self {
            DeadlineState::OverdueUnlessDone => 0,
            DeadlineState::DueSoon => 1,
            DeadlineState::Upcoming => 2,
            DeadlineState::Missed => 3,
            DeadlineState::Met => 4,
        }
    }
}

/// One computed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// Stable ID: `epa_period_end`, `earliest_observation`, `report_due` ...
    pub id: DeadlineId,
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
    pub deadline: DeadlineId,
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

impl DeadlinePlan {
    /// The open deadlines, most urgent first (past due, due soon,
    /// upcoming), then by date.
    pub fn open(&self) -> Vec<&Deadline> {
        let mut open: Vec<&Deadline> = self
            .deadlines
            .iter()
            .filter(|d| d.state.is_open())
            .collect();
        open.sort_by_key(|d| (d.state.urgency(), d.date, d.id));
        open
    }
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
            "gateway",
            gateway,
            "gateway_submitted",
            self.gateway_submitted,
        );
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
            .chain([("result_upload", self.result_upload)])
            // A retake's fails came before its new EPA period, by definition.
            .chain(
                [
                    ("fail_result", self.fail_result),
                    ("project_fail_result", self.project_fail_result),
                ]
                .into_iter()
                .filter(|_| !self.retake),
            )
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
    fn completion_of(&self, id: DeadlineId, date: NaiveDate) -> Option<(&'static str, NaiveDate)> {
        let named = |name: &'static str, d: Option<NaiveDate>| d.map(|d| (name, d));
        match id {
            DeadlineId::EarliestObservation => named("observation", self.observation),
            DeadlineId::EarliestInterview | DeadlineId::InterviewDue => {
                named("interview", self.interview)
            }
            DeadlineId::ReportDue | DeadlineId::ReportDueBeforeInterview => {
                named("report_submission", self.report_submission)
            }
            DeadlineId::GatewayProcessingEnd => named(
                "gateway",
                self.gateway.filter(|_| self.gateway_submitted.is_some()),
            ),
            DeadlineId::ObservationNoticeDue => {
                named("observation_booked_on", self.observation_booked_on)
            }
            DeadlineId::ProposalReworkDue => {
                named("proposal_resubmission", self.proposal_resubmission)
            }
            DeadlineId::PortfolioDue => named("portfolio_submission", self.portfolio_submission),
            DeadlineId::ResultsDue(method) => named(
                "results_released",
                self.results_released.get(&method).copied(),
            ),
            DeadlineId::CertificateClaimDue => named("certificate_claim", self.certificate_claim),
            DeadlineId::ProjectReworkDue => named("project_rework", self.project_rework),
            DeadlineId::ResitRetakeWindowEnd => named("resit_retake", self.resit_retake),
            DeadlineId::ReplacementCertificateDue | DeadlineId::AssessorReallocation => None,
            DeadlineId::EpaPeriodEnd => {
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
        }
    }

    fn dates_of(&self, anchor: Anchor, timing: &str) -> Vec<(NaiveDate, Option<MethodId>)> {
        let one = |d: Option<NaiveDate>| d.map(|d| (d, None)).into_iter().collect::<Vec<_>>();
        match anchor {
            // The EPAO's processing runs from the submission when known.
            Anchor::Gateway if timing == "gateway_processing" => {
                one(self.gateway_submitted.or(self.gateway))
            }
            Anchor::Gateway => one(self.gateway),
            Anchor::EpaPeriodStart => one(self.epa_period_start.or(self.gateway)),
            Anchor::PlanningMeeting => one(self.planning_meeting),
            Anchor::ProposalRejection => one(self.proposal_rejection),
            Anchor::ReportSubmission => one(self.report_submission),
            Anchor::Interview => one(self.interview),
            Anchor::Observation => one(self.observation),
            Anchor::Discussion => one(self.discussion),
            Anchor::AssessmentDate => [
                (self.observation, MethodId::Observation),
                (self.interview, MethodId::Project),
                (self.discussion, MethodId::Discussion),
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

fn deadline_id(
    timing: &str,
    relation: Relation,
    anchor: Anchor,
    method: Option<MethodId>,
) -> Option<DeadlineId> {
    Some(match (timing, relation) {
        ("epa_period", _) => DeadlineId::EpaPeriodEnd,
        ("gateway_processing", _) => DeadlineId::GatewayProcessingEnd,
        ("observation_notice", _) => DeadlineId::ObservationNoticeDue,
        ("proposal_rework", _) => DeadlineId::ProposalReworkDue,
        ("report_window", _) => DeadlineId::ReportDue,
        ("report_to_interview", Relation::AtLeast) => DeadlineId::EarliestInterview,
        ("report_to_interview", _) if anchor == Anchor::Interview => {
            DeadlineId::ReportDueBeforeInterview
        }
        ("report_to_interview", _) => DeadlineId::InterviewDue,
        ("portfolio_due", _) => DeadlineId::PortfolioDue,
        ("results_release", _) => DeadlineId::ResultsDue(method?),
        ("certificate_claim", _) => DeadlineId::CertificateClaimDue,
        ("replacement_certificate", _) => DeadlineId::ReplacementCertificateDue,
        ("project_rework", _) => DeadlineId::ProjectReworkDue,
        ("resit_retake_window", _) => DeadlineId::ResitRetakeWindowEnd,
        _ => return None,
    })
}

/// The state of a deadline on `today`, given when its event happened.
/// `record_complete` says whether a missing `done` means "not done" (see
/// [`KnownDates::record_complete`]): then a past due date is `missed`.
pub fn state_of(
    kind: DeadlineKind,
    date: NaiveDate,
    done: Option<NaiveDate>,
    today: NaiveDate,
    record_complete: bool,
    wd: &WorkingDays<'_>,
) -> Result<DeadlineState, CalendarError> {
    let mut soon = None;
    state_reusing(&mut soon, kind, date, done, today, record_complete, wd)
}

/// [`state_of`], working out the day's [`DueSoon`] at most once across
/// calls that share `soon`, and only where it decides the state (so a
/// calendar that does not reach past `today` fails nothing else).
fn state_reusing(
    soon: &mut Option<DueSoon>,
    kind: DeadlineKind,
    date: NaiveDate,
    done: Option<NaiveDate>,
    today: NaiveDate,
    record_complete: bool,
    wd: &WorkingDays<'_>,
) -> Result<DeadlineState, CalendarError> {
    let reading = match (kind, done, *soon) {
        (_, _, Some(reading)) => reading,
        (DeadlineKind::DueBy | DeadlineKind::On, None, None) if today <= date => {
            let reading = DueSoon::on(today, wd)?;
            *soon = Some(reading);
            reading
        }
        // The horizon does not decide this state.
        _ => DueSoon {
            today,
            until: today,
        },
    };
    Ok(reading.state_of(kind, date, done, record_complete))
}

/// The day's reading of deadline states: `today` and the last day that is
/// "due soon" from it, worked out once for any number of deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueSoon {
    today: NaiveDate,
    until: NaiveDate,
}

impl DueSoon {
    /// The reading on `today`: due soon up to [`DUE_SOON`] from it.
    pub fn on(today: NaiveDate, wd: &WorkingDays<'_>) -> Result<DueSoon, CalendarError> {
        Ok(DueSoon {
            today,
            until: DUE_SOON.after(today, wd)?,
        })
    }

    /// As [`state_of`], on this reading's day.
    pub fn state_of(
        &self,
        kind: DeadlineKind,
        date: NaiveDate,
        done: Option<NaiveDate>,
        record_complete: bool,
    ) -> DeadlineState {
        let today = self.today;
        match (kind, done) {
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
                    DeadlineState::Missed
                } else if today > date {
                    DeadlineState::OverdueUnlessDone
                } else if date <= self.until {
                    DeadlineState::DueSoon
                } else {
                    DeadlineState::Upcoming
                }
            }
        }
    }
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
    let mut soon = None;
    for (key, timing) in plan.rules.timings.entries() {
        let Some(timing) = timing else { continue };
        let (Some(period), Some(anchor)) = (period_of(timing), timing.from) else {
            continue;
        };
        let mut push = |id: DeadlineId,
                        date: NaiveDate,
                        kind: DeadlineKind,
                        from: Anchor,
                        from_date: NaiveDate,
                        computation: String|
         -> Result<(), CalendarError> {
            let completion = match known.done.get(&id) {
                Some(&d) => Some(("recorded completion", d)),
                None => known.completion_of(id, date),
            };
            let done = completion.map(|(_, d)| d);
            let decided = known.record_complete && id.decided_by_product();
            let state = state_reusing(&mut soon, kind, date, done, today, decided, wd)?;
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
                    deadline: id,
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
                DeadlineId::EarliestObservation,
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
        for (from_date, method) in anchors {
            let Some(id) = deadline_id(key, timing.relation, anchor, method) else {
                continue;
            };
            let (date, kind) = match timing.relation {
                Relation::Within => (period.after(from_date, wd)?, DeadlineKind::DueBy),
                Relation::AtLeast => (period.after(from_date, wd)?, DeadlineKind::NotBefore),
                Relation::Exactly => (period.after(from_date, wd)?, DeadlineKind::On),
                Relation::Before => (period.before(from_date, wd)?, DeadlineKind::DueBy),
                // "Uploaded at gateway": by the gateway, not on that day only.
                Relation::At => (from_date, DeadlineKind::DueBy),
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
    // A finished EPA (certificate received, or withdrawn) keeps what was
    // decided, met or missed, and nothing open; except a replacement
    // certificate asked for, which comes after the certificate by nature.
    if known.finished {
        deadlines.retain(|d: &Deadline| {
            !d.state.is_open() || d.id == DeadlineId::ReplacementCertificateDue
        });
        waiting.clear();
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
    fn ordinals_follow_the_order_of_ids() {
        for (i, id) in DeadlineId::ALL.into_iter().enumerate() {
            assert_eq!(id.ordinal(), i, "{id}");
            if let Some(next) = DeadlineId::ALL.get(i + 1) {
                assert!(id < *next, "{id} sorts before {next}");
            }
        }
    }

    #[test]
    fn open_while_agrees_with_the_state_on_every_day() {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        let due = d("2025-07-15");
        let days: Vec<NaiveDate> = (0..40)
            .map(|n| d("2025-06-25") + chrono::Duration::days(n))
            .collect();
        for kind in DeadlineKind::ALL {
            for done in [None, Some(d("2025-07-10")), Some(d("2025-07-20"))] {
                for complete in [true, false] {
                    let open = open_while(kind, due, done, complete);
                    for today in &days {
                        let state = state_of(kind, due, done, *today, complete, &wd).unwrap();
                        let within = match open {
                            OpenWhile::Always => true,
                            OpenWhile::Until(last) => *today <= last,
                            OpenWhile::Never => false,
                        };
                        assert_eq!(
                            state.is_open(),
                            within,
                            "{kind:?} done {done:?} complete {complete} on {today}: {state:?}"
                        );
                    }
                }
            }
        }
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
        assert_eq!(s(None, "2025-07-16"), DeadlineState::Missed);
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
