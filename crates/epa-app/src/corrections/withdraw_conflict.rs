//! Withdrawing a conflict of interest declared in error. The record stays
//! (with who withdrew it, when and why); it no longer counts anywhere.

use epa_domain::policy::{self, Action, Decision, OrgId, Resource};
use epa_store::audit::{self, NewAuditEvent};
use epa_store::conflicts;
use epa_store::users::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{checked, reason};
use crate::planning::ConflictView;
use crate::{Actor, App, AppError, access};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictWithdrawal {
    /// Why the declaration was wrong (kept in the audit trail).
    pub reason: String,
}

pub async fn withdraw_conflict(
    app: &App,
    actor: &Actor,
    conflict_id: Uuid,
    input: ConflictWithdrawal,
) -> Result<ConflictView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let conflict = conflicts::get_in(&mut tx, conflict_id).await?;
    // The conflict belongs to the EPAO(s) where its person works: EPAO
    // staff of one of those decide (organisation-wide in the policy).
    let memberships = epa_store::users::memberships_in(&mut tx, conflict.user_id).await?;
    let who = access::as_policy_actor(actor);
    let decisions: Vec<Decision> = memberships
        .iter()
        .filter(|m| {
            matches!(
                m.role,
                Role::Assessor | Role::QualityAssurer | Role::EpaoAdmin | Role::EpaoOperations
            )
        })
        .map(|m| {
            policy::can(
                &who,
                Action::WithdrawConflict,
                &Resource::organisation(OrgId(m.organisation_id.as_u128())),
            )
        })
        .collect();
    if !decisions.contains(&Decision::Allow) {
        return Err(if decisions.contains(&Decision::Deny) {
            AppError::Forbidden("only EPAO staff can withdraw a conflict of interest".to_owned())
        } else {
            AppError::NotFound
        });
    }
    let mut problems = Vec::new();
    let reason = reason(&input.reason, &mut problems);
    checked(problems)?;
    let reason = reason.unwrap_or_default();
    let now = app.now();
    let withdrawn = conflicts::withdraw(&mut tx, conflict_id, actor.user_id, &reason, now).await?;
    audit::append(
        &mut tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: Some(actor.user_id),
            actor_role: actor.audit_role(),
            action: "conflict.withdrawn",
            entity_type: "conflict",
            entity_id: &conflict_id.to_string(),
            before: Some(json!({"user_id": conflict.user_id, "organisation_id": conflict.organisation_id, "reason": conflict.reason})),
            after: Some(json!({"withdrawal_reason": reason})),
            request_id: actor.request_id.as_deref(),
        },
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(ConflictView::from(withdrawn))
}
