//! Exceptional circumstances: who may say the original fail had them, and
//! when that lifts the grade cap. Read from the policy's
//! `grade_cap.exceptional_circumstances` (ADR 0104):
//! - TQUK: "Training Qualifications UK determines" them: EPAO staff decide,
//!   and that is enough.
//! - Innovate: "the Innovate Awarding Assessor identifies" them; EPAO staff
//!   who graded no part of the EPA confirm, and only then is the cap lifted.

use epa_plan::{Decider, ExceptionalCircumstances};

/// Who is acting, as far as this rule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Party {
    pub epao_staff: bool,
    /// The EPA's allocated assessor.
    pub assessor_of_epa: bool,
    /// Graded (judged a criterion of) any part of this EPA.
    pub graded_any: bool,
}

/// The two steps of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Identify,
    Confirm,
}

fn fits(decider: Decider, party: Party) -> bool {
    match decider {
        Decider::EpaoStaff => party.epao_staff,
        Decider::Assessor => party.assessor_of_epa,
        Decider::EpaoStaffNotGrader => party.epao_staff && !party.graded_any,
    }
}

/// "EPAO staff", "the EPA's assessor", "EPAO staff who graded none of it".
pub fn describe(decider: Decider) -> &'static str {
    match decider {
        Decider::EpaoStaff => "EPAO staff",
        Decider::Assessor => "the EPA's assessor",
        Decider::EpaoStaffNotGrader => "EPAO staff who graded no part of this EPA",
    }
}

/// Whether `party` may take `step`; the refusal names who may, and the
/// policy's words.
pub fn may_act(rule: &ExceptionalCircumstances, step: Step, party: Party) -> Result<(), String> {
    let quote = rule
        .source
        .quote
        .as_deref()
        .or(rule.source.section.as_deref())
        .unwrap_or(&rule.source.document);
    let who = match step {
        Step::Identify => rule.identified_by,
        Step::Confirm => match rule.confirmed_by {
            Some(who) => who,
            None => {
                return Err(format!(
                    "no confirmation is needed: {} decide exceptional circumstances (\"{quote}\")",
                    describe(rule.identified_by)
                ));
            }
        },
    };
    if fits(who, party) {
        Ok(())
    } else {
        let verb = match step {
            Step::Identify => "identify",
            Step::Confirm => "confirm",
        };
        Err(format!(
            "only {} can {verb} exceptional circumstances (\"{quote}\")",
            describe(who)
        ))
    }
}

/// Whether the recorded steps lift the cap: identified, and confirmed
/// where the policy wants a confirmation.
pub fn lifts_cap(rule: &ExceptionalCircumstances, identified: bool, confirmed: bool) -> bool {
    identified && (rule.confirmed_by.is_none() || confirmed)
}
