//! The audit log export: every event in the period, for those the access
//! policy lets view the audit (`view_audit`: EPAO administrators). Each
//! event's hash is included, so a copy can be checked against the chain.

use epa_domain::policy::{Action, OrgId, Resource};
use epa_store::audit;
use epa_store::users::Role;

use super::{Days, MAX_ROWS, Rows, instants, text};
use crate::{Actor, App, AppError, access};

pub const HEADER: &[&str] = &[
    "seq",
    "occurred_at",
    "actor_id",
    "actor_role",
    "action",
    "entity_type",
    "entity_id",
    "before",
    "after",
    "request_id",
    "hash",
];

pub(super) async fn rows(app: &App, actor: &Actor, days: Days) -> Rows {
    let epao = [Role::EpaoAdmin, Role::EpaoOperations, Role::QualityAssurer]
        .into_iter()
        .find_map(|role| actor.organisations_as(role).next())
        .ok_or_else(|| {
            AppError::Forbidden("the audit log is for EPAO administrators".to_owned())
        })?;
    access::authorize(
        actor,
        Action::ViewAudit,
        &Resource::organisation(OrgId(epao.as_u128())),
        "the audit log is for EPAO administrators",
    )?;
    let (start, until) = instants(days);
    Ok(audit::between(&app.db, start, until, MAX_ROWS)
        .await?
        .into_iter()
        .map(|event| {
            vec![
                event.seq.to_string(),
                event
                    .occurred_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                text(event.actor_id),
                event.actor_role,
                event.action,
                event.entity_type,
                event.entity_id,
                event.before_json.unwrap_or_default(),
                event.after_json.unwrap_or_default(),
                event.request_id.unwrap_or_default(),
                event.hash,
            ]
        })
        .collect())
}
