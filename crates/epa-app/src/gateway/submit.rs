//! The training provider submits the gateway: a new attempt, checked in
//! full; the accepted parts of a rejected attempt carry over.

use chrono::{DateTime, Utc};
use epa_domain::gateway::{
    self as rules, ComponentKind, GatewayComponents, Origin, SubmissionStatus,
};
use epa_domain::lifecycle::{self, Command};
use epa_domain::policy::Action;
use epa_plan::EffectivePlan;
use epa_store::Tx;
use epa_store::gateway::{self as store, Component, Submission};
use serde_json::{Value, json};
use uuid::Uuid;

use super::checks::{check_components, check_documents, field_errors, normalise_ksbs, sent_kinds};
use super::notify::{apprentice_name, notify};
use super::stored::Stored;
use super::views::{DeclarationInput, GatewayInput, GatewayView};
use crate::gate::EpaContext;
use crate::render::email::Message;
use crate::{Actor, App, AppError, transitions};

/// The training provider submits the gateway: a new attempt, checked in
/// full, that moves the EPA to `gateway_submitted`. Nothing is written
/// unless every check passes.
pub async fn submit(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: GatewayInput,
) -> Result<GatewayView, AppError> {
    let today = app.clock.today();
    let mut tx = app.db.begin_write().await?;
    let EpaContext {
        row, state, plan, ..
    } = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::SubmitGateway,
        "only the apprentice's training provider can submit the gateway",
    )
    .await?;
    lifecycle::apply(&state, &Command::SubmitGateway)
        .map_err(|err| AppError::Conflict(err.to_string()))?;
    let stored = Stored::read_in(&mut tx, epa_id).await?;
    // Only a rejected attempt's accepted parts carry over; after a retake
    // (approved, then failed) the new gateway starts afresh.
    let previous = stored
        .last()
        .filter(|s| s.status == SubmissionStatus::Rejected)
        .map(|s| (s, stored.statuses(s)));
    let sent = sent_kinds(&input);
    let proposal_name = &plan.rules.proposal.name;
    let mut problems = Vec::new();
    let layout = match rules::plan_attempt_for(
        &GatewayComponents::from_plan(&plan),
        &plan.epao_name,
        previous.as_ref().map(|(_, s)| s.as_slice()),
        &sent,
        proposal_name,
    ) {
        Ok(layout) => layout,
        Err(missing) => {
            problems.extend(missing);
            Vec::new()
        }
    };
    let (invalid, proposal_words) = check_components(&plan, &input, today);
    problems.extend(invalid);
    problems.extend(check_documents(&mut tx, epa_id, &input).await?);
    if !problems.is_empty() {
        return Err(AppError::Validation(field_errors(problems)));
    }
    // Recorded with the submission so the audit shows what was known then.
    let warnings = rules::training_warning(&plan, row.training_start, today)
        .map_err(AppError::internal)?
        .into_iter()
        .collect::<Vec<_>>();

    let after = transitions::apply(
        app,
        &mut tx,
        actor,
        &row,
        &Command::SubmitGateway,
        "gateway.submitted",
        json!({
            "components": layout.iter().map(|(k, o)| json!({"kind": k, "origin": o})).collect::<Vec<_>>(),
            "warnings": warnings,
        }),
    )
    .await?;
    let attempt = i32::try_from(after.gateway_attempts).map_err(AppError::internal)?;
    let now = app.now();
    let submission = store::insert_submission(&mut tx, epa_id, attempt, actor.user_id, now).await?;
    for (kind, origin) in &layout {
        match origin {
            Origin::Sent => {
                insert_sent(&mut tx, &submission, *kind, &input, &plan, proposal_words).await?;
            }
            Origin::CarriedOver => {
                let (prev, _) = previous.as_ref().ok_or_else(|| {
                    AppError::internal("a carried-over component without an attempt")
                })?;
                let source = stored
                    .components_of(prev)
                    .into_iter()
                    .find(|c| c.kind == *kind)
                    .ok_or_else(|| {
                        AppError::internal("a carried-over component that is not there")
                    })?;
                carry_over(&mut tx, &stored, source, submission.id, now).await?;
            }
        }
    }
    notify(
        app,
        &mut tx,
        row.epa.epao_id,
        "epao_operations",
        Message::GatewaySubmitted {
            attempt,
            apprentice: &apprentice_name(&row),
            epa_id: row.epa.id,
        },
    )
    .await?;
    // The answer is read in the transaction, before it commits: under an
    // Idempotency-Key it is kept with the work (ADR 0141).
    let after = epa_store::epas::get_in(&mut tx, epa_id).await?;
    let view = Stored::read_in(&mut tx, epa_id)
        .await?
        .view(&after, &plan, today)?;
    crate::deadlines::commit(app, tx).await?;
    Ok(view)
}

/// Stores one component sent with `submission`, as its submitter sent it.
async fn insert_sent(
    tx: &mut Tx,
    submission: &Submission,
    kind: ComponentKind,
    input: &GatewayInput,
    plan: &EffectivePlan,
    proposal_words: Option<u64>,
) -> Result<(), AppError> {
    let now = submission.submitted_at;
    let mut document_id = None;
    let mut word_count = None;
    let details = match kind {
        ComponentKind::PhotoId => {
            let photo = input
                .photo_id
                .as_ref()
                .ok_or_else(|| AppError::internal("no photo ID"))?;
            document_id = photo.document_id;
            json!({"description": photo.description.trim(), "seen": photo.seen})
        }
        ComponentKind::Portfolio => {
            let portfolio = input
                .portfolio
                .as_ref()
                .ok_or_else(|| AppError::internal("no portfolio"))?;
            json!({"items": portfolio.items.len()})
        }
        ComponentKind::Proposal => {
            let proposal = input
                .proposal
                .as_ref()
                .ok_or_else(|| AppError::internal("no proposal"))?;
            word_count = proposal_words.map(|w| w as i64);
            json!({"kind": plan.rules.proposal.kind, "text": proposal.text})
        }
        ComponentKind::EnglishMaths => declaration(&input.english_maths)?,
        ComponentKind::EmployerDeclaration => declaration(&input.employer_declaration)?,
        ComponentKind::ProviderDeclaration => declaration(&input.provider_declaration)?,
        ComponentKind::ReasonableAdjustments => {
            json!({"text": input.reasonable_adjustments.as_deref().unwrap_or_default().trim()})
        }
    };
    let details = details.to_string();
    let component_id = store::insert_component(
        tx,
        &store::NewComponent {
            submission_id: submission.id,
            kind,
            document_id,
            details: &details,
            word_count,
            carried_from: None,
        },
        now,
    )
    .await?;
    if let (ComponentKind::Portfolio, Some(portfolio)) = (kind, &input.portfolio) {
        for (i, item) in portfolio.items.iter().enumerate() {
            let ksbs = normalise_ksbs(&item.ksbs);
            let link = item.link.as_deref().map(str::trim);
            store::insert_evidence_item(
                tx,
                component_id,
                &store::NewEvidenceItem {
                    position: i32::try_from(i + 1).map_err(AppError::internal)?,
                    title: item.title.trim(),
                    evidence_type: item.evidence_type.trim(),
                    evidence_date: item.date,
                    description: item.description.trim(),
                    link,
                    link_added_by: link.map(|_| submission.submitted_by),
                    link_added_at: link.map(|_| now),
                    document_id: item.document_id,
                    ksbs: &ksbs,
                },
            )
            .await?;
        }
    }
    Ok(())
}

fn declaration(input: &Option<DeclarationInput>) -> Result<Value, AppError> {
    let d = input
        .as_ref()
        .ok_or_else(|| AppError::internal("no declaration"))?;
    Ok(json!({"confirmed": d.confirmed, "signed_by": d.signed_by.trim(), "signed_on": d.signed_on}))
}

/// Copies an accepted component (and its evidence) into the new attempt,
/// pointing back at the original: each attempt reads complete on its own.
async fn carry_over(
    tx: &mut Tx,
    stored: &Stored,
    source: &Component,
    submission_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let component_id = store::insert_component(
        tx,
        &store::NewComponent {
            submission_id,
            kind: source.kind,
            document_id: source.document_id,
            details: &source.details,
            word_count: source.word_count,
            carried_from: Some(source.id),
        },
        now,
    )
    .await?;
    for item in stored.items_of(source) {
        let ksbs = stored.ksbs_of(item);
        store::insert_evidence_item(
            tx,
            component_id,
            &store::NewEvidenceItem {
                position: item.position,
                title: &item.title,
                evidence_type: &item.evidence_type,
                evidence_date: item.evidence_date,
                description: &item.description,
                link: item.link.as_deref(),
                link_added_by: item.link_added_by,
                link_added_at: item.link_added_at,
                document_id: item.document_id,
                ksbs: &ksbs,
            },
        )
        .await?;
    }
    Ok(())
}
