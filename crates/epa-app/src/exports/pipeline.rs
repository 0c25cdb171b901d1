//! The pipeline export: every EPA the caller may see that was registered in
//! the period, with where it stands now.

use epa_store::exports;

use super::{Days, MAX_ROWS, Rows, instants, text};
use crate::{Actor, App};

pub const HEADER: &[&str] = &[
    "epa_id",
    "uln",
    "given_names",
    "family_name",
    "standard",
    "version",
    "policy",
    "stage",
    "registered_on",
    "gateway_approved_on",
    "planning_meeting_on",
    "overall_grade",
];

pub(super) async fn rows(app: &App, actor: &Actor, days: Days) -> Rows {
    let Some(scope) = crate::epas::scope_of(actor) else {
        return Ok(Vec::new());
    };
    let (start, until) = instants(days);
    Ok(exports::pipeline(&app.db, &scope, start, until, MAX_ROWS)
        .await?
        .into_iter()
        .map(|epa| {
            vec![
                epa.id.to_string(),
                epa.uln,
                epa.given_names,
                epa.family_name,
                epa.standard_reference,
                epa.standard_version,
                epa.policy,
                epa.stage.as_str().to_owned(),
                epa.created_at.date_naive().to_string(),
                text(epa.gateway_approved_on),
                text(epa.planning_meeting_on),
                text(epa.overall_grade.map(|g| g.as_str())),
            ]
        })
        .collect())
}
