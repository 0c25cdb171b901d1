//! Declaring a conflict of interest.

use epa_store::StoreError;
use epa_store::audit::{self, NewAuditEvent};
use epa_store::conflicts;
use epa_store::organisations::{self, OrganisationKind};
use epa_store::users;
use serde_json::json;

use super::REASON_MAX;
use super::people::{assesses_in, assessing_epaos, staff_epaos};
use super::views::{ConflictInput, ConflictView};
use crate::{Actor, App, AppError, FieldError};

/// Declares a conflict of interest between an assessor (or quality
/// assurer) and an employer or training provider. The access policy has no
/// action for this (it is about a person, not an EPA), so the rule is here:
/// the person themselves, or EPAO admin or operations of their EPAO.
pub async fn declare_conflict(
    app: &App,
    actor: &Actor,
    input: ConflictInput,
) -> Result<ConflictView, AppError> {
    let target = input.user_id.unwrap_or(actor.user_id);
    let mut tx = app.db.begin_write().await?;
    if target == actor.user_id {
        if assessing_epaos(actor).is_empty() {
            return Err(AppError::Forbidden(
                "only assessors and quality assurers declare conflicts of interest; EPAO staff can declare one for them".to_owned(),
            ));
        }
    } else {
        let epaos = staff_epaos(actor);
        if epaos.is_empty() {
            return Err(AppError::Forbidden(
                "you can declare a conflict of interest only for yourself".to_owned(),
            ));
        }
        if !assesses_in(&users::memberships_in(&mut tx, target).await?, &epaos) {
            return Err(AppError::field(
                "user_id",
                "no assessor or quality assurer of your EPAO has this ID",
            ));
        }
    }
    let mut problems = Vec::new();
    let reason = input.reason.trim();
    if reason.is_empty() {
        problems.push(FieldError::new(
            "reason",
            "say how the person is connected with the organisation",
        ));
    } else if reason.chars().count() > REASON_MAX {
        problems.push(FieldError::new(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
    }
    match organisations::get_in(&mut tx, input.organisation_id).await {
        Ok(org)
            if matches!(
                org.kind,
                OrganisationKind::Employer | OrganisationKind::Provider
            ) => {}
        Ok(_) | Err(StoreError::NotFound) => problems.push(FieldError::new(
            "organisation_id",
            "no employer or training provider with this ID",
        )),
        Err(other) => return Err(other.into()),
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let now = app.now();
    let conflict = conflicts::declare_by(
        &mut tx,
        target,
        input.organisation_id,
        reason,
        actor.user_id,
        now,
    )
    .await
    .map_err(|err| match err {
        StoreError::Conflict(_) => AppError::Conflict(
            "a conflict of interest with this organisation is already recorded for this person"
                .to_owned(),
        ),
        other => other.into(),
    })?;
    audit::append(
        &mut tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: Some(actor.user_id),
            actor_role: actor.audit_role(),
            action: "conflict.declared",
            entity_type: "user",
            entity_id: &target.to_string(),
            before: None,
            after: Some(json!({
                "conflict_id": conflict.id,
                "organisation_id": conflict.organisation_id,
                "source": conflict.source,
                "reason": conflict.reason,
            })),
            request_id: actor.request_id.as_deref(),
        },
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(conflict.into())
}
