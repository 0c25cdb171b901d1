//! The EPA lifecycle: which stage an EPA is in and what may happen next.
//!
//! ```text
//! registered -> gateway_submitted -> gateway_approved (EPA period starts)
//!   -> planned -> in_assessment -> awaiting_results -> completed (overall grade)
//!   -> certificate_claimed -> certificate_received
//! ```
//!
//! - A rejected gateway goes back to `registered` with a `gateway_rejected`
//!   event; the count of gateway submissions is kept, so the next submission
//!   is attempt 2 and every attempt stays on record.
//! - `withdrawn` is reachable from every stage until the outcome is settled:
//!   `registered` to `awaiting_results`, and `completed` with a fail. Once a
//!   pass or distinction is released the apprentice has achieved: a
//!   withdrawal would misstate that, and a result is challenged by appeal.
//! - After a fail (ADR 0040) the EPA re-enters the cycle in one of two ways:
//!   a **resit** (no further learning) goes back to `planned` to book the
//!   failed methods again, keeping the gateway and the EPA period; a
//!   **retake** (further learning) goes back to `registered` for a new
//!   gateway. The 12-month window, the eligible methods and the grade cap are
//!   [`crate::attempts`]' business; this module only decides the stage.
//!
//! [`apply`] is total: every (state, command) pair either moves the EPA on
//! or returns a [`LifecycleError`] that says, in plain English, where the EPA
//! is and what is allowed next. It never panics and reads no clock: dates
//! come in on the commands.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use epa_plan::{Grade, MethodId};
use serde::{Deserialize, Serialize};

use crate::attempts::AttemptKind;

/// The lifecycle stage of one EPA. The snake_case names are database and
/// API values: never rename one without a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Registered,
    GatewaySubmitted,
    /// The EPA period starts on the approval date.
    GatewayApproved,
    Planned,
    InAssessment,
    AwaitingResults,
    /// An overall grade has been released (it may be a fail).
    Completed,
    CertificateClaimed,
    CertificateReceived,
    Withdrawn,
}

impl Stage {
    /// In lifecycle order.
    pub const ALL: [Stage; 10] = [
        Stage::Registered,
        Stage::GatewaySubmitted,
        Stage::GatewayApproved,
        Stage::Planned,
        Stage::InAssessment,
        Stage::AwaitingResults,
        Stage::Completed,
        Stage::CertificateClaimed,
        Stage::CertificateReceived,
        Stage::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Registered => "registered",
            Stage::GatewaySubmitted => "gateway_submitted",
            Stage::GatewayApproved => "gateway_approved",
            Stage::Planned => "planned",
            Stage::InAssessment => "in_assessment",
            Stage::AwaitingResults => "awaiting_results",
            Stage::Completed => "completed",
            Stage::CertificateClaimed => "certificate_claimed",
            Stage::CertificateReceived => "certificate_received",
            Stage::Withdrawn => "withdrawn",
        }
    }

    /// Nothing can follow a final stage.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::CertificateReceived | Stage::Withdrawn)
    }

    /// Where the EPA is, in words a user reads after "the EPA is".
    fn describe(self, overall: Option<Grade>) -> String {
        match self {
            Stage::Registered => "registered and waiting for its gateway submission".into(),
            Stage::GatewaySubmitted => "at gateway, waiting for the gateway review".into(),
            Stage::GatewayApproved => "through gateway and waiting for its planning meeting".into(),
            Stage::Planned => "planned and waiting for its assessments to start".into(),
            Stage::InAssessment => "in assessment".into(),
            Stage::AwaitingResults => "assessed and waiting for its results".into(),
            Stage::Completed => match overall {
                Some(grade) => format!("completed with an overall grade of {grade}"),
                None => "completed".into(),
            },
            Stage::CertificateClaimed => "completed, with its certificate claimed".into(),
            Stage::CertificateReceived => "completed, with its certificate received".into(),
            Stage::Withdrawn => "withdrawn".into(),
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stage name that is not one of [`Stage::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an EPA stage")]
pub struct UnknownStage(pub String);

impl FromStr for Stage {
    type Err = UnknownStage;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == text)
            .ok_or_else(|| UnknownStage(text.to_owned()))
    }
}

epa_plan::stored_as_text!(Stage, |text: &str| text.parse::<Stage>().ok());

/// Everything the transitions need to know about one EPA, besides its stage.
/// The use case loads this from the EPA's row and stores what [`apply`]
/// returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub stage: Stage,
    /// Gateway submissions so far, rejected ones included; a retake's new
    /// gateway continues the count, so attempt numbers never repeat.
    pub gateway_attempts: u32,
    /// The EPA attempt: 1 for the first, one more for each resit or retake.
    pub attempt: u32,
    /// What the current attempt is.
    pub attempt_kind: AttemptKind,
    /// Set when the gateway is approved; a retake clears it until its new
    /// gateway is approved.
    pub epa_period_start: Option<NaiveDate>,
    /// The standing overall grade, once released; cleared by a resit or
    /// retake until the next release.
    pub overall: Option<Grade>,
    /// The methods a resit is for; empty on first attempts and retakes.
    pub resit_methods: Vec<MethodId>,
}

impl Lifecycle {
    /// A newly registered EPA.
    pub fn new() -> Self {
        Lifecycle {
            stage: Stage::Registered,
            gateway_attempts: 0,
            attempt: 1,
            attempt_kind: AttemptKind::First,
            epa_period_start: None,
            overall: None,
            resit_methods: Vec::new(),
        }
    }

    /// The commands [`apply`] would accept now (payload permitting).
    pub fn allowed_next(&self) -> Vec<CommandKind> {
        CommandKind::ALL
            .into_iter()
            .filter(|kind| target(self, *kind).is_some())
            .collect()
    }

    fn failed(&self) -> bool {
        self.stage == Stage::Completed && self.overall == Some(Grade::Fail)
    }

    fn achieved(&self) -> bool {
        self.stage == Stage::Completed && matches!(self.overall, Some(g) if g > Grade::Fail)
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle::new()
    }
}

/// Something a person asks to happen to an EPA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    SubmitGateway,
    /// The EPA period starts `on` this date.
    ApproveGateway {
        on: NaiveDate,
    },
    /// At least one reason, each non-blank: the provider must know what to fix.
    RejectGateway {
        reasons: Vec<String>,
    },
    HoldPlanningMeeting,
    StartAssessment,
    AllAssessed,
    ReleaseResults {
        overall: Grade,
    },
    ClaimCertificate,
    ReceiveCertificate,
    Withdraw {
        reason: String,
    },
    /// After a fail: sit the failed methods again without further learning.
    Resit {
        methods: Vec<MethodId>,
    },
    /// After a fail: further learning, then a new gateway.
    Retake,
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::SubmitGateway => CommandKind::SubmitGateway,
            Command::ApproveGateway { .. } => CommandKind::ApproveGateway,
            Command::RejectGateway { .. } => CommandKind::RejectGateway,
            Command::HoldPlanningMeeting => CommandKind::HoldPlanningMeeting,
            Command::StartAssessment => CommandKind::StartAssessment,
            Command::AllAssessed => CommandKind::AllAssessed,
            Command::ReleaseResults { .. } => CommandKind::ReleaseResults,
            Command::ClaimCertificate => CommandKind::ClaimCertificate,
            Command::ReceiveCertificate => CommandKind::ReceiveCertificate,
            Command::Withdraw { .. } => CommandKind::Withdraw,
            Command::Resit { .. } => CommandKind::Resit,
            Command::Retake => CommandKind::Retake,
        }
    }
}

/// A [`Command`] without its payload: what the transition table is keyed on
/// and what an error lists as allowed next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    SubmitGateway,
    ApproveGateway,
    RejectGateway,
    HoldPlanningMeeting,
    StartAssessment,
    AllAssessed,
    ReleaseResults,
    ClaimCertificate,
    ReceiveCertificate,
    Withdraw,
    Resit,
    Retake,
}

impl CommandKind {
    pub const ALL: [CommandKind; 12] = [
        CommandKind::SubmitGateway,
        CommandKind::ApproveGateway,
        CommandKind::RejectGateway,
        CommandKind::HoldPlanningMeeting,
        CommandKind::StartAssessment,
        CommandKind::AllAssessed,
        CommandKind::ReleaseResults,
        CommandKind::ClaimCertificate,
        CommandKind::ReceiveCertificate,
        CommandKind::Withdraw,
        CommandKind::Resit,
        CommandKind::Retake,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::SubmitGateway => "submit_gateway",
            CommandKind::ApproveGateway => "approve_gateway",
            CommandKind::RejectGateway => "reject_gateway",
            CommandKind::HoldPlanningMeeting => "hold_planning_meeting",
            CommandKind::StartAssessment => "start_assessment",
            CommandKind::AllAssessed => "all_assessed",
            CommandKind::ReleaseResults => "release_results",
            CommandKind::ClaimCertificate => "claim_certificate",
            CommandKind::ReceiveCertificate => "receive_certificate",
            CommandKind::Withdraw => "withdraw",
            CommandKind::Resit => "resit",
            CommandKind::Retake => "retake",
        }
    }

    /// Plain English, to follow "cannot" or to stand in a list of what is allowed.
    pub fn describe(self) -> &'static str {
        match self {
            CommandKind::SubmitGateway => "submit the gateway",
            CommandKind::ApproveGateway => "approve the gateway",
            CommandKind::RejectGateway => "reject the gateway",
            CommandKind::HoldPlanningMeeting => "hold the planning meeting",
            CommandKind::StartAssessment => "start the assessments",
            CommandKind::AllAssessed => "mark every method assessed",
            CommandKind::ReleaseResults => "release the results",
            CommandKind::ClaimCertificate => "claim the certificate",
            CommandKind::ReceiveCertificate => "record the certificate as received",
            CommandKind::Withdraw => "withdraw the apprentice",
            CommandKind::Resit => "book a resit",
            CommandKind::Retake => "start a retake",
        }
    }
}

impl fmt::Display for CommandKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened, for the audit trail, the timeline and the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    GatewaySubmitted {
        gateway_attempt: u32,
    },
    GatewayApproved {
        gateway_attempt: u32,
        epa_period_start: NaiveDate,
    },
    /// The EPA goes back to `registered`; the attempt stays on record.
    GatewayRejected {
        gateway_attempt: u32,
        reasons: Vec<String>,
    },
    PlanningMeetingHeld {
        attempt: u32,
    },
    AssessmentStarted {
        attempt: u32,
    },
    AllMethodsAssessed {
        attempt: u32,
    },
    ResultsReleased {
        attempt: u32,
        overall: Grade,
    },
    CertificateClaimed,
    CertificateReceived,
    Withdrawn {
        from: Stage,
        reason: String,
    },
    ResitStarted {
        attempt: u32,
        methods: Vec<MethodId>,
    },
    RetakeStarted {
        attempt: u32,
    },
}

/// Why a command was refused. The messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The command does not fit the EPA's stage.
    #[error("{}", not_allowed_message(*command, *stage, *overall, allowed))]
    NotAllowed {
        command: CommandKind,
        stage: Stage,
        overall: Option<Grade>,
        allowed: Vec<CommandKind>,
    },
    /// The command fits the stage but its details are incomplete.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
}

fn not_allowed_message(
    command: CommandKind,
    stage: Stage,
    overall: Option<Grade>,
    allowed: &[CommandKind],
) -> String {
    let mut text = format!(
        "You cannot {} now: the EPA is {} (stage {}).",
        command.describe(),
        stage.describe(overall),
        stage.as_str()
    );
    match allowed {
        [] => text.push_str(" Nothing more can happen to it."),
        [only] => {
            text.push_str(" The only thing allowed next is to ");
            text.push_str(only.describe());
            text.push('.');
        }
        [first @ .., last] => {
            let firsts: Vec<&str> = first.iter().map(|k| k.describe()).collect();
            text.push_str(" Allowed next: ");
            text.push_str(&firsts.join(", "));
            text.push_str(", or ");
            text.push_str(last.describe());
            text.push('.');
        }
    }
    text
}

/// The transition table: the one place that says which command moves which
/// stage where. [`apply`] and [`Lifecycle::allowed_next`] both read it, so
/// the error's "allowed next" can never disagree with what is accepted.
fn target(state: &Lifecycle, kind: CommandKind) -> Option<Stage> {
    use CommandKind as K;
    use Stage as S;
    match (state.stage, kind) {
        (S::Registered, K::SubmitGateway) => Some(S::GatewaySubmitted),
        (S::GatewaySubmitted, K::ApproveGateway) => Some(S::GatewayApproved),
        (S::GatewaySubmitted, K::RejectGateway) => Some(S::Registered),
        (S::GatewayApproved, K::HoldPlanningMeeting) => Some(S::Planned),
        (S::Planned, K::StartAssessment) => Some(S::InAssessment),
        (S::InAssessment, K::AllAssessed) => Some(S::AwaitingResults),
        (S::AwaitingResults, K::ReleaseResults) => Some(S::Completed),
        (S::Completed, K::ClaimCertificate) if state.achieved() => Some(S::CertificateClaimed),
        (S::CertificateClaimed, K::ReceiveCertificate) => Some(S::CertificateReceived),
        // A resit keeps the gateway, the EPA period and the planning meeting:
        // only the failed methods are booked again.
        (S::Completed, K::Resit) if state.failed() => Some(S::Planned),
        // A retake follows further learning, which the plan wants evidenced
        // by a new gateway.
        (S::Completed, K::Retake) if state.failed() => Some(S::Registered),
        (
            S::Registered
            | S::GatewaySubmitted
            | S::GatewayApproved
            | S::Planned
            | S::InAssessment
            | S::AwaitingResults,
            K::Withdraw,
        ) => Some(S::Withdrawn),
        // An apprentice who fails may leave rather than resit; one who has
        // achieved may not be recorded as withdrawn.
        (S::Completed, K::Withdraw) if state.failed() => Some(S::Withdrawn),
        _ => None,
    }
}

fn invalid(field: &'static str, message: &'static str) -> LifecycleError {
    LifecycleError::Invalid { field, message }
}

/// Apply `command` to an EPA in `state`: the new state and what happened,
/// or why not. Pure and total.
pub fn apply(
    state: &Lifecycle,
    command: &Command,
) -> Result<(Lifecycle, Vec<Event>), LifecycleError> {
    let kind = command.kind();
    let Some(stage) = target(state, kind) else {
        return Err(LifecycleError::NotAllowed {
            command: kind,
            stage: state.stage,
            overall: if state.stage == Stage::Completed {
                state.overall
            } else {
                None
            },
            allowed: state.allowed_next(),
        });
    };
    let mut next = state.clone();
    next.stage = stage;
    let event = match command {
        Command::SubmitGateway => {
            next.gateway_attempts = state.gateway_attempts.saturating_add(1);
            Event::GatewaySubmitted {
                gateway_attempt: next.gateway_attempts,
            }
        }
        Command::ApproveGateway { on } => {
            next.epa_period_start = Some(*on);
            Event::GatewayApproved {
                gateway_attempt: state.gateway_attempts,
                epa_period_start: *on,
            }
        }
        Command::RejectGateway { reasons } => {
            if reasons.is_empty() {
                return Err(invalid(
                    "reasons",
                    "Give at least one reason for rejecting the gateway",
                ));
            }
            if reasons.iter().any(|r| r.trim().is_empty()) {
                return Err(invalid(
                    "reasons",
                    "A reason for rejecting the gateway cannot be blank",
                ));
            }
            Event::GatewayRejected {
                gateway_attempt: state.gateway_attempts,
                reasons: reasons.iter().map(|r| r.trim().to_owned()).collect(),
            }
        }
        Command::HoldPlanningMeeting => Event::PlanningMeetingHeld {
            attempt: state.attempt,
        },
        Command::StartAssessment => Event::AssessmentStarted {
            attempt: state.attempt,
        },
        Command::AllAssessed => Event::AllMethodsAssessed {
            attempt: state.attempt,
        },
        Command::ReleaseResults { overall } => {
            next.overall = Some(*overall);
            Event::ResultsReleased {
                attempt: state.attempt,
                overall: *overall,
            }
        }
        Command::ClaimCertificate => Event::CertificateClaimed,
        Command::ReceiveCertificate => Event::CertificateReceived,
        Command::Withdraw { reason } => {
            if reason.trim().is_empty() {
                return Err(invalid("reason", "Give the reason for the withdrawal"));
            }
            Event::Withdrawn {
                from: state.stage,
                reason: reason.trim().to_owned(),
            }
        }
        Command::Resit { methods } => {
            if methods.is_empty() {
                return Err(invalid(
                    "methods",
                    "Choose at least one failed method to resit",
                ));
            }
            let mut sorted = methods.clone();
            sorted.sort();
            sorted.dedup();
            if sorted.len() != methods.len() {
                return Err(invalid("methods", "Choose each method to resit only once"));
            }
            next.attempt = state.attempt.saturating_add(1);
            next.attempt_kind = AttemptKind::Resit;
            next.overall = None;
            next.resit_methods = sorted.clone();
            Event::ResitStarted {
                attempt: next.attempt,
                methods: sorted,
            }
        }
        Command::Retake => {
            next.attempt = state.attempt.saturating_add(1);
            next.attempt_kind = AttemptKind::Retake;
            next.overall = None;
            next.epa_period_start = None;
            next.resit_methods.clear();
            Event::RetakeStarted {
                attempt: next.attempt,
            }
        }
    };
    Ok((next, vec![event]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    /// One command of each kind, with a valid payload.
    fn sample(kind: CommandKind) -> Command {
        match kind {
            CommandKind::SubmitGateway => Command::SubmitGateway,
            CommandKind::ApproveGateway => Command::ApproveGateway {
                on: date(2025, 3, 3),
            },
            CommandKind::RejectGateway => Command::RejectGateway {
                reasons: vec!["Photo ID is unreadable".into()],
            },
            CommandKind::HoldPlanningMeeting => Command::HoldPlanningMeeting,
            CommandKind::StartAssessment => Command::StartAssessment,
            CommandKind::AllAssessed => Command::AllAssessed,
            CommandKind::ReleaseResults => Command::ReleaseResults {
                overall: Grade::Pass,
            },
            CommandKind::ClaimCertificate => Command::ClaimCertificate,
            CommandKind::ReceiveCertificate => Command::ReceiveCertificate,
            CommandKind::Withdraw => Command::Withdraw {
                reason: "Left the employer".into(),
            },
            CommandKind::Resit => Command::Resit {
                methods: vec![MethodId::Project],
            },
            CommandKind::Retake => Command::Retake,
        }
    }

    /// Every distinct situation: each stage, with `completed` split by grade
    /// because what follows a fail differs from what follows a pass.
    fn situations() -> Vec<(&'static str, Lifecycle)> {
        let mut all = Vec::new();
        for stage in Stage::ALL {
            if stage == Stage::Completed {
                for (label, grade) in [
                    ("completed(fail)", Grade::Fail),
                    ("completed(pass)", Grade::Pass),
                    ("completed(distinction)", Grade::Distinction),
                ] {
                    all.push((
                        label,
                        Lifecycle {
                            stage,
                            overall: Some(grade),
                            ..Lifecycle::new()
                        },
                    ));
                }
            } else {
                let overall = matches!(
                    stage,
                    Stage::CertificateClaimed | Stage::CertificateReceived
                )
                .then_some(Grade::Pass);
                all.push((
                    stage.as_str(),
                    Lifecycle {
                        stage,
                        overall,
                        ..Lifecycle::new()
                    },
                ));
            }
        }
        all
    }

    /// The allowed transitions, written out independently of [`target`].
    /// Every (situation, command) pair not listed here must be refused.
    const ALLOWED: &[(&str, CommandKind, Stage)] = &[
        (
            "registered",
            CommandKind::SubmitGateway,
            Stage::GatewaySubmitted,
        ),
        ("registered", CommandKind::Withdraw, Stage::Withdrawn),
        (
            "gateway_submitted",
            CommandKind::ApproveGateway,
            Stage::GatewayApproved,
        ),
        (
            "gateway_submitted",
            CommandKind::RejectGateway,
            Stage::Registered,
        ),
        ("gateway_submitted", CommandKind::Withdraw, Stage::Withdrawn),
        (
            "gateway_approved",
            CommandKind::HoldPlanningMeeting,
            Stage::Planned,
        ),
        ("gateway_approved", CommandKind::Withdraw, Stage::Withdrawn),
        ("planned", CommandKind::StartAssessment, Stage::InAssessment),
        ("planned", CommandKind::Withdraw, Stage::Withdrawn),
        (
            "in_assessment",
            CommandKind::AllAssessed,
            Stage::AwaitingResults,
        ),
        ("in_assessment", CommandKind::Withdraw, Stage::Withdrawn),
        (
            "awaiting_results",
            CommandKind::ReleaseResults,
            Stage::Completed,
        ),
        ("awaiting_results", CommandKind::Withdraw, Stage::Withdrawn),
        ("completed(fail)", CommandKind::Resit, Stage::Planned),
        ("completed(fail)", CommandKind::Retake, Stage::Registered),
        ("completed(fail)", CommandKind::Withdraw, Stage::Withdrawn),
        (
            "completed(pass)",
            CommandKind::ClaimCertificate,
            Stage::CertificateClaimed,
        ),
        (
            "completed(distinction)",
            CommandKind::ClaimCertificate,
            Stage::CertificateClaimed,
        ),
        (
            "certificate_claimed",
            CommandKind::ReceiveCertificate,
            Stage::CertificateReceived,
        ),
    ];

    #[test]
    fn every_situation_and_command_is_either_in_the_table_or_refused() {
        let mut allowed_seen = 0;
        let mut refused_seen = 0;
        for (label, state) in situations() {
            for kind in CommandKind::ALL {
                let expected = ALLOWED
                    .iter()
                    .find(|(l, k, _)| *l == label && *k == kind)
                    .map(|(_, _, to)| *to);
                let result = apply(&state, &sample(kind));
                match (expected, result) {
                    (Some(to), Ok((next, events))) => {
                        assert_eq!(next.stage, to, "{label} + {kind}");
                        assert_eq!(events.len(), 1, "{label} + {kind}");
                        assert!(state.allowed_next().contains(&kind), "{label} + {kind}");
                        allowed_seen += 1;
                    }
                    (
                        None,
                        Err(LifecycleError::NotAllowed {
                            command,
                            stage,
                            allowed,
                            ..
                        }),
                    ) => {
                        assert_eq!(command, kind);
                        assert_eq!(stage, state.stage);
                        assert_eq!(allowed, state.allowed_next(), "{label} + {kind}");
                        assert!(!allowed.contains(&kind), "{label} + {kind}");
                        refused_seen += 1;
                    }
                    (expected, result) => {
                        panic!("{label} + {kind}: expected {expected:?}, got {result:?}")
                    }
                }
            }
        }
        assert_eq!(allowed_seen, ALLOWED.len());
        assert_eq!(allowed_seen + refused_seen, 12 * 12);
    }

    #[test]
    fn refusals_say_where_the_epa_is_and_what_is_allowed() {
        let state = Lifecycle {
            stage: Stage::Planned,
            ..Lifecycle::new()
        };
        let err = apply(
            &state,
            &Command::ApproveGateway {
                on: date(2025, 1, 6),
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "You cannot approve the gateway now: the EPA is planned and waiting for its \
             assessments to start (stage planned). Allowed next: start the assessments, \
             or withdraw the apprentice."
        );

        let failed = Lifecycle {
            stage: Stage::Completed,
            overall: Some(Grade::Fail),
            ..Lifecycle::new()
        };
        let err = apply(&failed, &Command::ClaimCertificate).unwrap_err();
        assert_eq!(
            err.to_string(),
            "You cannot claim the certificate now: the EPA is completed with an overall grade \
             of fail (stage completed). Allowed next: withdraw the apprentice, book a resit, \
             or start a retake."
        );

        let claimed = Lifecycle {
            stage: Stage::CertificateClaimed,
            ..Lifecycle::new()
        };
        let err = apply(&claimed, &Command::Withdraw { reason: "x".into() }).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("The only thing allowed next is to record the certificate as received.")
        );

        let withdrawn = Lifecycle {
            stage: Stage::Withdrawn,
            ..Lifecycle::new()
        };
        let err = apply(&withdrawn, &Command::SubmitGateway).unwrap_err();
        assert_eq!(
            err.to_string(),
            "You cannot submit the gateway now: the EPA is withdrawn (stage withdrawn). \
             Nothing more can happen to it."
        );
    }

    #[test]
    fn final_stages_allow_nothing_and_others_allow_something() {
        for (label, state) in situations() {
            assert_eq!(
                state.allowed_next().is_empty(),
                state.stage.is_final(),
                "{label}"
            );
        }
    }

    fn run(mut state: Lifecycle, commands: &[Command]) -> (Lifecycle, Vec<Event>) {
        let mut events = Vec::new();
        for command in commands {
            let (next, mut new) = apply(&state, command)
                .unwrap_or_else(|e| panic!("{command:?} from {:?}: {e}", state.stage));
            events.append(&mut new);
            state = next;
        }
        (state, events)
    }

    #[test]
    fn a_first_time_distinction_runs_from_registration_to_certificate() {
        let (state, events) = run(
            Lifecycle::new(),
            &[
                Command::SubmitGateway,
                Command::ApproveGateway {
                    on: date(2025, 2, 3),
                },
                Command::HoldPlanningMeeting,
                Command::StartAssessment,
                Command::AllAssessed,
                Command::ReleaseResults {
                    overall: Grade::Distinction,
                },
                Command::ClaimCertificate,
                Command::ReceiveCertificate,
            ],
        );
        assert_eq!(state.stage, Stage::CertificateReceived);
        assert_eq!(state.overall, Some(Grade::Distinction));
        assert_eq!(state.epa_period_start, Some(date(2025, 2, 3)));
        assert_eq!((state.attempt, state.gateway_attempts), (1, 1));
        assert_eq!(events.len(), 8);
        assert_eq!(
            events[1],
            Event::GatewayApproved {
                gateway_attempt: 1,
                epa_period_start: date(2025, 2, 3)
            }
        );
    }

    #[test]
    fn a_rejected_gateway_returns_to_registered_and_keeps_the_attempt_count() {
        let (state, events) = run(
            Lifecycle::new(),
            &[
                Command::SubmitGateway,
                Command::RejectGateway {
                    reasons: vec!["  Portfolio has 9 items ".into()],
                },
            ],
        );
        assert_eq!(state.stage, Stage::Registered);
        assert_eq!(state.gateway_attempts, 1);
        assert_eq!(
            events[1],
            Event::GatewayRejected {
                gateway_attempt: 1,
                reasons: vec!["Portfolio has 9 items".into()]
            }
        );
        let (state, events) = run(state, &[Command::SubmitGateway]);
        assert_eq!(state.stage, Stage::GatewaySubmitted);
        assert_eq!(events, vec![Event::GatewaySubmitted { gateway_attempt: 2 }]);
    }

    #[test]
    fn a_fail_then_a_resit_goes_back_to_planned_for_the_failed_methods() {
        let first = [
            Command::SubmitGateway,
            Command::ApproveGateway {
                on: date(2025, 2, 3),
            },
            Command::HoldPlanningMeeting,
            Command::StartAssessment,
            Command::AllAssessed,
            Command::ReleaseResults {
                overall: Grade::Fail,
            },
        ];
        let (failed, _) = run(Lifecycle::new(), &first);
        let (resit, events) = run(
            failed,
            &[Command::Resit {
                methods: vec![MethodId::Project, MethodId::Observation],
            }],
        );
        assert_eq!(resit.stage, Stage::Planned);
        assert_eq!(resit.attempt, 2);
        assert_eq!(resit.attempt_kind, AttemptKind::Resit);
        assert_eq!(resit.overall, None);
        assert_eq!(
            resit.epa_period_start,
            Some(date(2025, 2, 3)),
            "a resit keeps the EPA period"
        );
        assert_eq!(
            events,
            vec![Event::ResitStarted {
                attempt: 2,
                methods: vec![MethodId::Observation, MethodId::Project]
            }]
        );
        let (done, _) = run(
            resit,
            &[
                Command::StartAssessment,
                Command::AllAssessed,
                Command::ReleaseResults {
                    overall: Grade::Pass,
                },
                Command::ClaimCertificate,
            ],
        );
        assert_eq!(done.stage, Stage::CertificateClaimed);
        assert_eq!(done.overall, Some(Grade::Pass));
    }

    #[test]
    fn a_fail_then_a_retake_needs_a_new_gateway_and_a_new_epa_period() {
        let (failed, _) = run(
            Lifecycle::new(),
            &[
                Command::SubmitGateway,
                Command::ApproveGateway {
                    on: date(2025, 2, 3),
                },
                Command::HoldPlanningMeeting,
                Command::StartAssessment,
                Command::AllAssessed,
                Command::ReleaseResults {
                    overall: Grade::Fail,
                },
                Command::Retake,
            ],
        );
        assert_eq!(failed.stage, Stage::Registered);
        assert_eq!(failed.attempt_kind, AttemptKind::Retake);
        assert_eq!(failed.epa_period_start, None);
        let (state, events) = run(
            failed,
            &[
                Command::SubmitGateway,
                Command::ApproveGateway {
                    on: date(2025, 9, 1),
                },
            ],
        );
        assert_eq!(state.gateway_attempts, 2);
        assert_eq!(state.attempt, 2);
        assert_eq!(state.epa_period_start, Some(date(2025, 9, 1)));
        assert_eq!(events[0], Event::GatewaySubmitted { gateway_attempt: 2 });
    }

    #[test]
    fn a_withdrawal_records_the_stage_it_left_and_the_reason() {
        let state = Lifecycle {
            stage: Stage::InAssessment,
            ..Lifecycle::new()
        };
        let (next, events) = apply(
            &state,
            &Command::Withdraw {
                reason: " Left the employer ".into(),
            },
        )
        .unwrap();
        assert_eq!(next.stage, Stage::Withdrawn);
        assert_eq!(
            events,
            vec![Event::Withdrawn {
                from: Stage::InAssessment,
                reason: "Left the employer".into()
            }]
        );
    }

    #[test]
    fn incomplete_commands_are_refused_with_the_field_to_fix() {
        let submitted = Lifecycle {
            stage: Stage::GatewaySubmitted,
            ..Lifecycle::new()
        };
        for reasons in [vec![], vec!["ok".to_owned(), "  ".to_owned()]] {
            let err = apply(&submitted, &Command::RejectGateway { reasons }).unwrap_err();
            assert!(matches!(
                err,
                LifecycleError::Invalid {
                    field: "reasons",
                    ..
                }
            ));
        }
        let err = apply(
            &submitted,
            &Command::Withdraw {
                reason: "\t".into(),
            },
        )
        .unwrap_err();
        assert!(matches!(
            err,
            LifecycleError::Invalid {
                field: "reason",
                ..
            }
        ));

        let failed = Lifecycle {
            stage: Stage::Completed,
            overall: Some(Grade::Fail),
            ..Lifecycle::new()
        };
        for methods in [vec![], vec![MethodId::Project, MethodId::Project]] {
            let err = apply(&failed, &Command::Resit { methods }).unwrap_err();
            assert!(matches!(
                err,
                LifecycleError::Invalid {
                    field: "methods",
                    ..
                }
            ));
        }
    }

    #[test]
    fn stage_names_are_the_snake_case_database_and_api_values() {
        let names = [
            "registered",
            "gateway_submitted",
            "gateway_approved",
            "planned",
            "in_assessment",
            "awaiting_results",
            "completed",
            "certificate_claimed",
            "certificate_received",
            "withdrawn",
        ];
        for (stage, name) in Stage::ALL.into_iter().zip(names) {
            assert_eq!(stage.as_str(), name);
            assert_eq!(
                serde_json::to_string(&stage).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(
                serde_json::from_str::<Stage>(&format!("\"{name}\"")).unwrap(),
                stage
            );
            assert_eq!(name.parse::<Stage>(), Ok(stage));
        }
        assert_eq!(
            "gateway_rejected".parse::<Stage>(),
            Err(UnknownStage("gateway_rejected".into()))
        );
        for kind in CommandKind::ALL {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
    }

    #[test]
    fn events_serialise_with_a_snake_case_tag() {
        let event = Event::GatewayRejected {
            gateway_attempt: 2,
            reasons: vec!["No photo ID".into()],
        };
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"event":"gateway_rejected","gateway_attempt":2,"reasons":["No photo ID"]}"#
        );
    }

    fn any_command() -> impl Strategy<Value = Command> {
        let grade = prop_oneof![
            Just(Grade::Fail),
            Just(Grade::Pass),
            Just(Grade::Distinction)
        ];
        let method = prop_oneof![
            Just(MethodId::Observation),
            Just(MethodId::Project),
            Just(MethodId::Discussion)
        ];
        prop_oneof![
            Just(Command::SubmitGateway),
            (0i32..3000).prop_map(|d| Command::ApproveGateway {
                on: date(2020, 1, 1) + chrono::Days::new(d as u64)
            }),
            prop::collection::vec("[ a-z]{0,4}", 0..3)
                .prop_map(|reasons| Command::RejectGateway { reasons }),
            Just(Command::HoldPlanningMeeting),
            Just(Command::StartAssessment),
            Just(Command::AllAssessed),
            grade.prop_map(|overall| Command::ReleaseResults { overall }),
            Just(Command::ClaimCertificate),
            Just(Command::ReceiveCertificate),
            "[ a-z]{0,4}".prop_map(|reason| Command::Withdraw { reason }),
            prop::collection::vec(method, 0..4).prop_map(|methods| Command::Resit { methods }),
            Just(Command::Retake),
        ]
    }

    proptest! {
        /// Any sequence of commands: never a panic, a refusal never changes
        /// anything, and the state's fields stay consistent with its stage.
        #[test]
        fn any_sequence_keeps_the_state_consistent(commands in prop::collection::vec(any_command(), 0..60)) {
            let mut state = Lifecycle::new();
            for command in &commands {
                match apply(&state, command) {
                    Ok((next, events)) => {
                        prop_assert_eq!(events.len(), 1);
                        prop_assert!(next.gateway_attempts >= state.gateway_attempts);
                        prop_assert!(next.attempt >= state.attempt);
                        state = next;
                    }
                    Err(err) => prop_assert!(!err.to_string().is_empty()),
                }
                let past_gateway = matches!(
                    state.stage,
                    Stage::GatewayApproved | Stage::Planned | Stage::InAssessment | Stage::AwaitingResults
                        | Stage::Completed | Stage::CertificateClaimed | Stage::CertificateReceived
                );
                if past_gateway {
                    prop_assert!(state.epa_period_start.is_some());
                    prop_assert!(state.gateway_attempts >= 1);
                }
                if matches!(state.stage, Stage::Completed | Stage::CertificateClaimed | Stage::CertificateReceived) {
                    prop_assert!(state.overall.is_some());
                }
                if matches!(state.stage, Stage::CertificateClaimed | Stage::CertificateReceived) {
                    prop_assert!(state.overall > Some(Grade::Fail));
                }
            }
        }
    }
}
