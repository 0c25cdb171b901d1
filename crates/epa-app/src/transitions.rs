//! Moving an EPA through its lifecycle inside a use case's transaction: the
//! domain decides (`epa_domain::lifecycle::apply`), this stores the new
//! state and appends the audit event that records it.

use epa_domain::lifecycle::{self, Command, Lifecycle, LifecycleError};
use epa_store::Tx;
use epa_store::audit::{self, NewAuditEvent};
use epa_store::epas::{self, EpaRow};
use serde_json::{Value, json};

use crate::{Actor, App, AppError, FieldError};

/// The EPA's lifecycle state as stored.
pub fn state_of(row: &EpaRow) -> Result<Lifecycle, AppError> {
    if row.epa.lifecycle.is_empty() {
        return Ok(Lifecycle::new());
    }
    serde_json::from_str(&row.epa.lifecycle).map_err(|err| {
        AppError::Internal(format!(
            "EPA {} has an unreadable lifecycle: {err}",
            row.epa.id
        ))
    })
}

/// Who an audit event names as having acted.
#[derive(Debug, Clone, Copy)]
pub struct AuditActor<'a> {
    pub actor_id: Option<uuid::Uuid>,
    pub role: &'a str,
    pub request_id: Option<&'a str>,
}

impl<'a> AuditActor<'a> {
    /// The person behind the request.
    pub fn person(actor: &'a Actor) -> AuditActor<'a> {
        AuditActor {
            actor_id: Some(actor.user_id),
            role: actor.audit_role(),
            request_id: actor.request_id.as_deref(),
        }
    }

    /// The operator at the command line: the server's own authority, as
    /// `epa create-admin` acts with.
    pub fn operator() -> AuditActor<'static> {
        AuditActor {
            actor_id: None,
            role: "system",
            request_id: None,
        }
    }

    /// The DfE integration: no person acted, the service's answer did
    /// (a certificate claimed once the service accepted it).
    pub const DFE: AuditActor<'static> = AuditActor {
        actor_id: None,
        role: "dfe_integration",
        request_id: None,
    };
}

/// Applies `command` to the EPA in `row` (read inside `tx`), stores the
/// result and appends an audit event named `action` carrying `details`.
pub async fn apply(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    row: &EpaRow,
    command: &Command,
    action: &str,
    details: Value,
) -> Result<Lifecycle, AppError> {
    apply_as(
        app,
        tx,
        AuditActor::person(actor),
        row,
        command,
        action,
        details,
    )
    .await
}

/// [`apply`], naming `by` as the actor (the DfE integration acts with no
/// person behind it).
pub async fn apply_as(
    app: &App,
    tx: &mut Tx,
    by: AuditActor<'_>,
    row: &EpaRow,
    command: &Command,
    action: &str,
    details: Value,
) -> Result<Lifecycle, AppError> {
    let before = state_of(row)?;
    let (after, events) = lifecycle::apply(&before, command).map_err(refusal)?;
    let state = serde_json::to_string(&after).map_err(|err| AppError::Internal(err.to_string()))?;
    let now = app.now();
    epas::update_lifecycle(
        tx,
        row.epa.id,
        row.epa.version,
        after.stage,
        &state,
        after.overall,
        after.epa_period_start,
        now,
    )
    .await?;
    audit::append(
        tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: by.actor_id,
            actor_role: by.role,
            action,
            entity_type: "epa",
            entity_id: &row.epa.id.to_string(),
            before: Some(json!({"stage": before.stage.as_str()})),
            after: Some(
                json!({"stage": after.stage.as_str(), "events": events, "details": details}),
            ),
            request_id: by.request_id,
        },
    )
    .await?;
    Ok(after)
}

/// The domain's refusal in the use case's terms: a step not allowed now is
/// a conflict with the EPA's state; a bad payload is a field to fix.
fn refusal(err: LifecycleError) -> AppError {
    match err {
        LifecycleError::Invalid { field, message } => {
            AppError::Validation(vec![FieldError::new(field, message)])
        }
        other => AppError::Conflict(other.to_string()),
    }
}

/// Appends an audit event about the EPA (so it shows on its timeline) in the
/// use case's transaction, for changes that are not lifecycle moves.
#[allow(clippy::too_many_arguments)]
pub async fn audit_epa(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    epa_id: uuid::Uuid,
    action: &str,
    before: Option<Value>,
    after: Value,
) -> Result<(), AppError> {
    audit::append(
        tx,
        &NewAuditEvent {
            occurred_at: app.now(),
            actor_id: Some(actor.user_id),
            actor_role: actor.audit_role(),
            action,
            entity_type: "epa",
            entity_id: &epa_id.to_string(),
            before,
            after: Some(after),
            request_id: actor.request_id.as_deref(),
        },
    )
    .await?;
    Ok(())
}
