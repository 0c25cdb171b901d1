//! The validator: every problem in a plan or policy, all at once, each
//! named by file and line.

use crate::files::{Plan, Policy};
use crate::load::Problem;

/// Every problem in a plan on its own.
pub fn plan(_plan: &Plan) -> Vec<Problem> {
    Vec::new()
}

/// Every problem in a policy read against its plan.
pub fn policy(_policy: &Policy, _plan: &Plan) -> Vec<Problem> {
    Vec::new()
}

/// The problem of a policy whose plan is not loaded.
pub fn missing_plan(policy: &Policy) -> Problem {
    Problem::at(
        &policy.origin,
        None,
        format!(
            "policy {:?} names plan {} v{}, which is not loaded",
            policy.policy.epao, policy.policy.standard, policy.policy.version
        ),
    )
}
