//! The results export: every result released in the period on an EPA the
//! caller may see. Released results are what every party may read; marks
//! before release are not exported.

use epa_store::exports;

use super::{Days, MAX_ROWS, Rows};
use crate::{Actor, App};

pub const HEADER: &[&str] = &[
    "epa_id",
    "uln",
    "given_names",
    "family_name",
    "policy",
    "attempt",
    "attempt_kind",
    "observation",
    "project",
    "discussion",
    "overall",
    "grade_capped",
    "released_on",
];

pub(super) async fn rows(app: &App, actor: &Actor, days: Days) -> Rows {
    let Some(scope) = crate::epas::scope_of(actor) else {
        return Ok(Vec::new());
    };
    Ok(
        exports::results(&app.db, &scope, days.from, days.to, MAX_ROWS)
            .await?
            .into_iter()
            .map(|r| {
                vec![
                    r.epa_id.to_string(),
                    r.uln,
                    r.given_names,
                    r.family_name,
                    r.policy,
                    r.attempt.to_string(),
                    r.attempt_kind.as_str().to_owned(),
                    r.observation_grade.as_str().to_owned(),
                    r.project_grade.as_str().to_owned(),
                    r.discussion_grade.as_str().to_owned(),
                    r.overall_grade.as_str().to_owned(),
                    if r.cap_applied { "yes" } else { "no" }.to_owned(),
                    r.released_on.to_string(),
                ]
            })
            .collect(),
    )
}
