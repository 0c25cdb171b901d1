//! Who is who for planning: the EPAO staff and assessing people among the
//! actor's roles, and whether a chosen assessor may assess an EPA.

use std::collections::BTreeSet;

use epa_store::Tx;
use epa_store::conflicts;
use epa_store::planning as store;
use epa_store::users::{Membership, Role};
use uuid::Uuid;

use crate::gate::EpaContext;
use crate::{Actor, AppError, FieldError};

/// EPAOs in which the actor is admin or operations.
pub(crate) fn staff_epaos(actor: &Actor) -> BTreeSet<Uuid> {
    actor
        .organisations_as(Role::EpaoAdmin)
        .chain(actor.organisations_as(Role::EpaoOperations))
        .collect()
}

/// EPAOs in which the actor assesses or quality-assures: the people a
/// conflict of interest concerns.
pub(super) fn assessing_epaos(actor: &Actor) -> BTreeSet<Uuid> {
    actor
        .organisations_as(Role::Assessor)
        .chain(actor.organisations_as(Role::QualityAssurer))
        .collect()
}

/// Whether a person with these memberships assesses or quality-assures in
/// one of `epaos`: the people whose conflicts EPAO staff may see and
/// declare. One read of the person's memberships answers it, whichever
/// connection the caller reads on.
pub(super) fn assesses_in(memberships: &[Membership], epaos: &BTreeSet<Uuid>) -> bool {
    memberships.iter().any(|membership| {
        epaos.contains(&membership.organisation_id)
            && matches!(membership.role, Role::Assessor | Role::QualityAssurer)
    })
}

/// Why `assessor` may not assess this EPA, if they may not. The gate says
/// who is conflicted; the sentence names the link and when it was recorded,
/// so it is read only on this refusal.
async fn conflict_reason(
    tx: &mut Tx,
    ctx: &EpaContext,
    assessor: Uuid,
) -> Result<Option<String>, AppError> {
    if !ctx.is_conflicted(assessor) {
        return Ok(None);
    }
    let row = &ctx.row;
    let conflicts = conflicts::for_organisations(tx, row.employer_id, row.provider_id).await?;
    Ok(conflicts.iter().find(|c| c.user_id == assessor).map(|c| {
        let with = if c.organisation_id == row.employer_id {
            "the apprentice's employer"
        } else {
            "the apprentice's training provider"
        };
        format!(
            "this assessor has a conflict of interest with {with} ({} on {}: {}), so cannot assess this apprentice; choose another assessor",
            c.source,
            c.declared_at.date_naive(),
            c.reason
        )
    }))
}

/// Checks that `assessor` assesses for the EPA's EPAO and is not conflicted.
pub(super) async fn check_assessor(
    tx: &mut Tx,
    ctx: &EpaContext,
    assessor: Uuid,
    problems: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if !store::holds_role_in(tx, assessor, ctx.row.epa.epao_id, Role::Assessor.as_str()).await? {
        problems.push(FieldError::new(
            "assessor_id",
            "this person is not an assessor of the EPA's EPAO",
        ));
    } else if let Some(reason) = conflict_reason(tx, ctx, assessor).await? {
        problems.push(FieldError::new("assessor_id", reason));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(organisation_id: Uuid, role: Role) -> Membership {
        Membership {
            organisation_id,
            role,
        }
    }

    #[test]
    fn only_an_assessing_role_in_one_of_the_epaos_counts() {
        let (ours, theirs) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let epaos = BTreeSet::from([ours]);
        assert!(assesses_in(&[member(ours, Role::Assessor)], &epaos));
        assert!(assesses_in(
            &[
                member(theirs, Role::Assessor),
                member(ours, Role::QualityAssurer)
            ],
            &epaos
        ));
        // An assessor elsewhere, or staff here, is not one of ours to see.
        assert!(!assesses_in(&[member(theirs, Role::Assessor)], &epaos));
        assert!(!assesses_in(
            &[
                member(ours, Role::EpaoAdmin),
                member(ours, Role::EpaoOperations)
            ],
            &epaos
        ));
        assert!(!assesses_in(&[], &epaos));
        assert!(!assesses_in(
            &[member(ours, Role::Assessor)],
            &BTreeSet::new()
        ));
    }
}
