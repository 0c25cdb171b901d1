//! Enforcing the domain's access policy (`epa_domain::policy::can`): the
//! store's people and EPA rows turned into the policy's terms, and its
//! decision turned into an answer.

use epa_domain::policy::{self, Action, Decision, Grant, OrgId, Resource, UserId};
use epa_store::epas::EpaRow;
use uuid::Uuid;

use crate::{Actor, AppError};

fn user(id: Uuid) -> UserId {
    UserId(id.as_u128())
}

fn org(id: Uuid) -> OrgId {
    OrgId(id.as_u128())
}

/// The actor in the policy's terms. Role names are shared, so the mapping
/// is by name and a role the policy does not know grants nothing.
pub fn as_policy_actor(actor: &Actor) -> policy::Actor {
    policy::Actor {
        user: user(actor.user_id),
        grants: actor
            .memberships
            .iter()
            .filter_map(|m| {
                policy::Role::ALL
                    .into_iter()
                    .find(|role| role.as_str() == m.role.as_str())
                    .map(|role| Grant {
                        role,
                        org: org(m.organisation_id),
                    })
            })
            .collect(),
    }
}

/// An EPA's relationships, with the people conflicted for it.
pub fn epa_resource(row: &EpaRow, conflicted: &[Uuid]) -> Resource {
    Resource {
        epao: Some(org(row.epa.epao_id)),
        employer: Some(org(row.employer_id)),
        provider: Some(org(row.provider_id)),
        apprentice: row.apprentice_user_id.map(user),
        assessor: row.epa.assessor_id.map(user),
        graders: Vec::new(),
        conflicted: conflicted.iter().copied().map(user).collect(),
    }
}

/// A record that does not exist yet (a registration): who it will belong to.
pub fn new_record(epao: Uuid, employer: Uuid, provider: Uuid) -> Resource {
    Resource {
        epao: Some(org(epao)),
        employer: Some(org(employer)),
        provider: Some(org(provider)),
        ..Resource::default()
    }
}

/// Allow, or the error the caller sees: 403 with what is not allowed when
/// they may know the record exists, 404 when they may not.
pub fn authorize(
    actor: &Actor,
    action: Action,
    resource: &Resource,
    refused: &str,
) -> Result<(), AppError> {
    match policy::can(&as_policy_actor(actor), action, resource) {
        Decision::Allow => Ok(()),
        Decision::Deny => Err(AppError::Forbidden(refused.to_owned())),
        Decision::NotFound => Err(AppError::NotFound),
    }
}
