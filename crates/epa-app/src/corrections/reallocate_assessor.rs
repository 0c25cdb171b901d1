//! Moving an EPA to another assessor: when the allocated one became
//! conflicted, left, or cannot attend. Conflicts are checked for the new
//! assessor; bookings still to come move with the EPA; the old and new
//! assessors and the apprentice's provider are told.

use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::epas::{self, Change};
use epa_store::outbox;
use epa_store::planning;
use epa_store::users::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{checked, reason};
use crate::gate::EpaContext;
use crate::render::email::{Message, ReallocationAudience};
use crate::{Actor, App, AppError, FieldError, transitions};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reallocation {
    /// The assessor who takes the EPA over.
    pub assessor_id: Uuid,
    /// Why the EPA moves (kept in the audit trail).
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reallocated {
    pub epa_id: Uuid,
    pub previous_assessor_id: Uuid,
    pub assessor_id: Uuid,
    /// The bookings still to come, now with the new assessor.
    pub bookings_moved: Vec<Uuid>,
}

pub async fn reallocate_assessor(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: Reallocation,
) -> Result<Reallocated, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ReallocateAssessor,
        "only EPAO staff without a conflict of interest can reallocate the assessor",
    )
    .await?;
    let Some(previous) = ctx.row.epa.assessor_id else {
        return Err(AppError::Conflict(
            "no assessor is allocated yet: the planning meeting allocates the first".to_owned(),
        ));
    };
    if matches!(
        ctx.state.stage,
        Stage::CertificateClaimed | Stage::CertificateReceived | Stage::Withdrawn
    ) {
        return Err(AppError::Conflict(format!(
            "the EPA is at stage {}: there is no assessment left to reallocate",
            ctx.state.stage
        )));
    }
    let mut problems = Vec::new();
    let reason = reason(&input.reason, &mut problems);
    let new = input.assessor_id;
    if new == previous {
        problems.push(FieldError::new(
            "assessor_id",
            "this is already the EPA's assessor; choose another",
        ));
    } else if !planning::holds_role_in(&mut tx, new, ctx.row.epa.epao_id, Role::Assessor.as_str())
        .await?
    {
        problems.push(FieldError::new(
            "assessor_id",
            "this person is not an assessor of the EPA's EPAO",
        ));
    } else if ctx.is_conflicted(new) {
        problems.push(FieldError::new(
            "assessor_id",
            "this assessor has a conflict of interest with the apprentice's employer or training provider; choose another",
        ));
    }
    checked(problems)?;
    let reason = reason.unwrap_or_default();

    let now = app.now();
    epas::update(
        &mut tx,
        epa_id,
        ctx.row.epa.version,
        &Change {
            assessor_id: Some(new),
            ..Change::default()
        },
        now,
    )
    .await?;
    let moved = planning::move_future_bookings(&mut tx, epa_id, app.clock.today(), new).await?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "epa.assessor_reallocated",
        Some(json!({"assessor_id": previous})),
        json!({"assessor_id": new, "reason": reason, "bookings_moved": moved}),
    )
    .await?;

    crate::planning::notify::invite_handed_over(app, &mut tx, &ctx.row, &moved, previous).await?;
    let name = &ctx.row.given_names;
    let mut told: Vec<(String, ReallocationAudience)> = Vec::new();
    if let Some(email) = planning::email_of_in(&mut tx, new).await? {
        told.push((
            email,
            ReallocationAudience::NewAssessor {
                bookings_moved: moved.len(),
            },
        ));
    }
    if let Some(email) = planning::email_of_in(&mut tx, previous).await? {
        told.push((email, ReallocationAudience::PreviousAssessor));
    }
    for email in
        planning::emails_with_role_in(&mut tx, ctx.row.provider_id, Role::ProviderUser.as_str())
            .await?
    {
        told.push((email, ReallocationAudience::Provider));
    }
    for (recipient, audience) in told {
        let email = Message::AssessorReallocated {
            apprentice: name,
            audience,
            epa_id,
        }
        .render(&app.accounts.public_url);
        outbox::enqueue(&mut tx, &email.to(&recipient), now).await?;
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(Reallocated {
        epa_id,
        previous_assessor_id: previous,
        assessor_id: new,
        bookings_moved: moved,
    })
}
