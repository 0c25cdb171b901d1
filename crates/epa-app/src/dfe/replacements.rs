//! Replacement certificates: the DfE service takes a reprint only through
//! its own pages, so OpenEPA records the request when it arrives, with the
//! policy's deadline for asking the DfE (Innovate: within two days), and
//! when staff asked; the open ones are listed with their due dates.

use chrono::NaiveDate;
use epa_domain::Grade;
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::dfe::{self as store, Replacement};
use epa_store::users::Role;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::calendar::working_days;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};

/// The longest reason kept.
const REASON_MAX: usize = 1000;

/// A request for a replacement certificate.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacementInput {
    /// The day the request arrived (default today).
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    /// Why it is needed (lost, damaged, a name corrected).
    pub reason: String,
}

/// Records a replacement certificate request for an achieved EPA, due to
/// be asked of the DfE by the policy's deadline.
pub async fn record(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReplacementInput,
) -> Result<Replacement, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ClaimCertificate,
        "only EPAO staff can record a replacement certificate request",
    )
    .await?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "say why a replacement is needed (lost, damaged, a name corrected)",
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::field(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
    }
    let today = app.clock.today();
    let received_on = input.received_on.unwrap_or(today);
    if received_on > today {
        return Err(AppError::field(
            "received_on",
            "the day the request arrived cannot be in the future",
        ));
    }
    let achieved = matches!(
        ctx.state.stage,
        Stage::Completed | Stage::CertificateClaimed | Stage::CertificateReceived
    ) && ctx.state.overall.is_some_and(|g| g > Grade::Fail);
    if !achieved {
        return Err(AppError::Conflict(
            "only an EPA passed has a certificate to replace".to_owned(),
        ));
    }
    let due_on = match ctx
        .plan
        .rules
        .timings
        .replacement_certificate
        .as_ref()
        .and_then(epa_domain::plan::period_of)
    {
        Some(period) => Some(
            period
                .after(received_on, &working_days()?)
                .map_err(AppError::internal)?,
        ),
        None => None,
    };
    let replacement = store::insert_replacement(
        &mut tx,
        epa_id,
        received_on,
        reason,
        due_on,
        actor.user_id,
        app.now(),
    )
    .await?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "dfe.replacement_recorded",
        None,
        json!({"replacement_id": replacement.id, "received_on": received_on, "due_on": due_on}),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(replacement)
}

/// Records that the replacement was asked of the DfE today.
pub async fn requested(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    replacement_id: Uuid,
) -> Result<Replacement, AppError> {
    let mut tx = app.db.begin_write().await?;
    EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ClaimCertificate,
        "only EPAO staff can record a replacement certificate as requested",
    )
    .await?;
    let today = app.clock.today();
    let replacement =
        store::mark_replacement_requested(&mut tx, replacement_id, epa_id, today, actor.user_id)
            .await?
            .ok_or_else(|| {
                AppError::Conflict(
                    "this replacement is not open: it was requested already, or is not this EPA's"
                        .to_owned(),
                )
            })?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "dfe.replacement_requested",
        None,
        json!({"replacement_id": replacement_id, "requested_on": today,
               "on_time": replacement.due_on.is_none_or(|due| today <= due)}),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(replacement)
}

/// The actor's EPAO's replacements not yet requested, soonest due first.
pub async fn open(app: &App, actor: &Actor) -> Result<Vec<Replacement>, AppError> {
    let epao = actor
        .organisations_as(Role::EpaoAdmin)
        .chain(actor.organisations_as(Role::EpaoOperations))
        .next()
        .ok_or_else(|| {
            AppError::Forbidden("only EPAO staff can see replacement certificates".to_owned())
        })?;
    Ok(store::open_replacements(&app.db, epao).await?)
}
