//! Claiming the certificate and recording its receipt.

use epa_domain::lifecycle::{self, Command, Lifecycle};
use epa_domain::policy::Action;
use epa_store::Tx;
use epa_store::assessment::{self as store, CertificateClaim, Claimant, Reader};
use epa_store::epas::EpaRow;
use serde_json::json;
use uuid::Uuid;

use super::refusals::*;
use super::views::*;
use crate::calendar::working_days;
use crate::gate::EpaContext;
use crate::transitions::AuditActor;
use crate::{Actor, App, AppError, transitions};

/// Claims the certificate for an achieved EPA, with the policy's claim
/// deadline from the release where it states one.
pub async fn claim_certificate(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<CertificateView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ClaimCertificate,
        "only EPAO staff can claim a certificate",
    )
    .await?;
    let (claim, after) = claim_in(
        app,
        &mut tx,
        &ctx.row,
        AuditActor::person(actor),
        Claimant::Person(actor.user_id),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(certificate_view(&claim, after.stage.as_str()))
}

/// The claim itself, inside `tx`: the domain's transition to
/// `certificate_claimed`, the claim with the policy's deadline counted from
/// the final result, and the audit event naming `by`. Staff's claim and
/// the DfE integration's (once the service accepted the certificate) both
/// come through here, so they cannot differ.
pub(crate) async fn claim_in(
    app: &App,
    tx: &mut Tx,
    row: &EpaRow,
    by: AuditActor<'_>,
    claimant: Claimant<'_>,
) -> Result<(CertificateClaim, Lifecycle), AppError> {
    lifecycle::apply(&transitions::state_of(row)?, &Command::ClaimCertificate)
        .map_err(lifecycle_refusal)?;
    let epa_id = row.epa.id;
    let results = store::results(Reader::Tx(tx), epa_id).await?;
    let released = results
        .last()
        .ok_or_else(|| AppError::Conflict("there is no released result to claim for".to_owned()))?;
    let plan = crate::gate::plan_of(app, row)?;
    let due_on = match &plan.rules.timings.certificate_claim {
        Some(timing) => match epa_domain::plan::period_of(timing) {
            Some(period) => Some(
                period
                    .after(released.released_on, &working_days()?)
                    .map_err(AppError::internal)?,
            ),
            None => None,
        },
        None => None,
    };
    let claim =
        store::insert_claim(tx, epa_id, released.id, due_on, app.clock.today(), claimant).await?;
    let after = transitions::apply_as(
        app,
        tx,
        by,
        row,
        &Command::ClaimCertificate,
        "epa.certificate_claimed",
        json!({"claim_id": claim.id, "result_id": released.id, "due_on": due_on,
               "dfe_certificate_reference": claim.dfe_certificate_reference}),
    )
    .await?;
    Ok((claim, after))
}

/// Records the claimed certificate as received.
pub async fn receive_certificate(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReceiveInput,
) -> Result<CertificateView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ClaimCertificate,
        "only EPAO staff can record a certificate as received",
    )
    .await?;
    lifecycle::apply(&ctx.state, &Command::ReceiveCertificate).map_err(lifecycle_refusal)?;
    let claim = store::claim(Reader::Tx(&mut tx), epa_id)
        .await?
        .ok_or_else(|| AppError::Conflict("no certificate has been claimed".to_owned()))?;
    let today = app.clock.today();
    let received_on = input.received_on.unwrap_or(today);
    if received_on > today {
        return Err(AppError::field(
            "received_on",
            "the date received cannot be in the future",
        ));
    }
    if received_on < claim.claimed_on {
        return Err(AppError::field(
            "received_on",
            format!(
                "the certificate was claimed on {}; it cannot be received before that",
                claim.claimed_on
            ),
        ));
    }
    let claim =
        store::receive_claim(&mut tx, claim.id, claim.version, received_on, actor.user_id).await?;
    let after = transitions::apply(
        app,
        &mut tx,
        actor,
        &ctx.row,
        &Command::ReceiveCertificate,
        "epa.certificate_received",
        json!({"claim_id": claim.id, "received_on": received_on}),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(certificate_view(&claim, after.stage.as_str()))
}
