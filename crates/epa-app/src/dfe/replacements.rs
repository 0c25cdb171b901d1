//! Replacement certificates: the DfE service takes a reprint only through
//! its own pages, so OpenEPA records the request when it arrives, with the
//! policy's deadline for asking the DfE (Innovate: within two days), and
//! when staff asked; the open ones are listed with their due dates.

use chrono::NaiveDate;
use epa_domain::Grade;
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::assessment::Reader;
use epa_store::dfe::{self as store, Replacement};
use epa_store::users::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::calendar::working_days;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError, transitions};

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
    #[serde(default)]
    pub reason: String,
}

/// A replacement certificate request as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReplacementView {
    pub id: Uuid,
    pub epa_id: Uuid,
    /// The day the request arrived.
    pub received_on: NaiveDate,
    pub reason: String,
    /// The policy's deadline for asking the DfE (Innovate: two days from
    /// the request); none where the policy states none.
    pub due_on: Option<NaiveDate>,
    /// The day staff asked the DfE for it; none while it is still to do.
    pub requested_on: Option<NaiveDate>,
    /// Asked by the deadline: none while still to do or without one.
    pub on_time: Option<bool>,
}

impl From<Replacement> for ReplacementView {
    fn from(r: Replacement) -> Self {
        ReplacementView {
            on_time: r.requested_on.zip(r.due_on).map(|(on, due)| on <= due),
            id: r.id,
            epa_id: r.epa_id,
            received_on: r.received_on,
            reason: r.reason,
            due_on: r.due_on,
            requested_on: r.requested_on,
        }
    }
}

/// The EPA's replacement certificate requests, oldest first (EPAO staff).
pub async fn list(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<ReplacementView>, AppError> {
    EpaContext::read(
        app,
        actor,
        epa_id,
        Action::ClaimCertificate,
        "only EPAO staff can see replacement certificate requests",
    )
    .await?;
    Ok(store::replacements_of(Reader::Db(&app.db), epa_id)
        .await?
        .into_iter()
        .map(ReplacementView::from)
        .collect())
}

/// Records a replacement certificate request for an achieved EPA, due to
/// be asked of the DfE by the policy's deadline.
pub async fn record(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReplacementInput,
) -> Result<ReplacementView, AppError> {
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
    let achieved = matches!(
        ctx.state.stage,
        Stage::Completed | Stage::CertificateClaimed | Stage::CertificateReceived
    ) && ctx.state.overall.is_some_and(|g| g > Grade::Fail);
    if !achieved {
        return Err(AppError::Conflict(
            "only an EPA passed has a certificate to replace".to_owned(),
        ));
    }
    // Every field's problem at once, in the order the form asks.
    let mut problems = Vec::new();
    let today = app.clock.today();
    let received_on = input.received_on.unwrap_or(today);
    let released = epa_store::assessment::results(Reader::Tx(&mut tx), epa_id)
        .await?
        .last()
        .map(|r| r.released_on);
    if received_on > today {
        problems.push(FieldError::new(
            "received_on",
            "the day the request arrived cannot be in the future",
        ));
    } else if let Some(released) = released.filter(|released| received_on < *released) {
        problems.push(FieldError::new(
            "received_on",
            format!(
                "the result was released on {released}: a request for a replacement cannot have arrived before that"
            ),
        ));
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        problems.push(FieldError::new(
            "reason",
            "say why a replacement is needed (lost, damaged, a name corrected)",
        ));
    } else if reason.chars().count() > REASON_MAX {
        problems.push(FieldError::new(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
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
    Ok(replacement.into())
}

/// Records that the replacement was asked of the DfE today.
pub async fn requested(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    replacement_id: Uuid,
) -> Result<ReplacementView, AppError> {
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
    Ok(replacement.into())
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
