//! Reading the rules out of an [`EffectivePlan`]: the grading scheme, the
//! attempt policy. Done once per plan, so the hot paths never touch the plan.

use epa_plan::{EffectivePlan, Strength, TimeUnit, Timing};

use crate::attempts::AttemptPolicy;
use crate::calendar::{Period, PeriodUnit};
use crate::grading::{CapRule, CriterionSpec, GradingError, GradingScheme};

/// A plan timing as a period, or `None` for lengths in minutes (they are
/// durations of a meeting, not distances between dates).
pub fn period_of(timing: &Timing) -> Option<Period> {
    let unit = match timing.unit {
        TimeUnit::Days => PeriodUnit::Days,
        TimeUnit::WorkingDays => PeriodUnit::WorkingDays,
        TimeUnit::Weeks => PeriodUnit::Weeks,
        TimeUnit::CalendarMonths => PeriodUnit::CalendarMonths,
        TimeUnit::Minutes => return None,
    };
    Some(Period::new(timing.amount, unit))
}

impl GradingScheme {
    /// The grading rules of one plan read through one EPAO's policy: its
    /// criteria (only those the policy uses), its overall table, its cap.
    pub fn from_plan(plan: &EffectivePlan) -> Result<GradingScheme, GradingError> {
        let criteria: Vec<CriterionSpec> = plan
            .criteria
            .iter()
            .map(|c| CriterionSpec {
                id: c.id.clone(),
                method: c.method,
                level: c.grade,
            })
            .collect();
        let rows: Vec<_> = plan
            .overall_grading
            .table
            .iter()
            .map(|r| ([r.observation, r.project, r.discussion], r.overall))
            .collect();
        let cap = &plan.rules.grade_cap;
        GradingScheme::new(
            &criteria,
            &rows,
            plan.overall_grading.any_fail,
            Some(CapRule {
                cap: cap.cap,
                applies_to_resit: cap.applies_to_resit,
                applies_to_retake: cap.applies_to_retake,
                lifted_by_exceptional_circumstances: cap.lifted_by_exceptional_circumstances,
                scope: cap.scope,
            }),
            plan.overall_grading.rule.clone(),
        )
    }
}

impl AttemptPolicy {
    /// The attempt rules of a policy; a timing in minutes (which no policy
    /// uses for these) falls back to ST0071's figures.
    pub fn from_plan(plan: &EffectivePlan) -> AttemptPolicy {
        let default = AttemptPolicy::default();
        let t = &plan.rules.timings;
        AttemptPolicy {
            resit_retake_window: period_of(&t.resit_retake_window)
                .unwrap_or(default.resit_retake_window),
            project_rework: period_of(&t.project_rework).unwrap_or(default.project_rework),
            resit_to_improve_allowed: plan.rules.grade_cap.resit_to_improve_allowed,
            window_required: t.resit_retake_window.strength == Strength::Must,
        }
    }
}
