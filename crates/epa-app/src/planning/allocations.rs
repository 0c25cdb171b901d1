//! An assessor's allocations: the EPAs they assess, with what is booked.

use std::collections::BTreeSet;

use epa_domain::policy::{self, Action, Decision};
use epa_store::conflicts;
use epa_store::epas::{self, Filter, Scope};
use epa_store::planning as store;
use epa_store::users::Role;
use uuid::Uuid;

use super::views::{Allocation, BookingView};
use crate::epas::EpaView;
use crate::{Actor, App, AppError, access};

/// The EPAs allocated to the signed-in assessor (never one they are
/// conflicted for), with their upcoming bookings.
pub async fn my_allocations(app: &App, actor: &Actor) -> Result<Vec<Allocation>, AppError> {
    if !actor.has_role(Role::Assessor) {
        return Err(AppError::Forbidden(
            "only assessors have allocations".to_owned(),
        ));
    }
    let scope = Scope {
        assessor_id: Some(actor.user_id),
        ..Scope::default()
    };
    let conflicted: BTreeSet<Uuid> = conflicts::organisations_of(&app.db, actor.user_id)
        .await?
        .into_iter()
        .collect();
    let rows = epas::list(
        &app.db,
        &scope,
        &Filter::default(),
        crate::epas::PAGE_MAX,
        0,
    )
    .await?;
    let upcoming = store::upcoming_for_assessor(&app.db, actor.user_id, app.clock.today()).await?;
    let who = access::as_policy_actor(actor);
    Ok(rows
        .into_iter()
        // The policy decides, as the gate does for one EPA: a conflict with
        // the employer or the provider outranks the allocation, so the EPA
        // is not the assessor's to see. The gate per row would read each
        // EPA's plan and graders, which seeing it does not need.
        .filter(|row| {
            let conflicts = [row.employer_id, row.provider_id]
                .iter()
                .any(|org| conflicted.contains(org));
            let conflicted_people: &[Uuid] = if conflicts { &[actor.user_id] } else { &[] };
            let resource = access::epa_resource(row, conflicted_people);
            policy::can(&who, Action::ViewEpa, &resource) == Decision::Allow
        })
        .map(|row| Allocation {
            upcoming: upcoming
                .iter()
                .filter(|b| b.epa_id == row.epa.id)
                .cloned()
                .map(BookingView::from)
                .collect(),
            epa: EpaView::from(row),
        })
        .collect())
}
