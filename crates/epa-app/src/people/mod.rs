//! People and organisations an EPAO runs (ADR 0113): organisations with
//! their postal contacts, people invited to a role, their accounts switched
//! off and on, their API tokens. Who may do what is decided by
//! `epa_domain::people`; [`authorize`] enforces it.

pub mod accept_invitation;
pub mod assessor_profile;
pub mod create_organisation;
pub mod deactivate;
pub mod edit_organisation;
pub mod invite;
pub mod organisations;
pub mod reset_password;
pub mod second_factor;
pub mod tokens;
pub mod users;
pub mod web_sessions;

use chrono::{DateTime, Utc};
use epa_domain::people::{
    self, Decision, Grant, OrgId, OrgKind, PeopleAction, PeopleActor, Target, TargetOrg, UserId,
};
use epa_domain::policy::Role;
use epa_store::organisations::{self as orgs, Organisation, OrganisationKind};
use epa_store::users::{self as store_users, User};
use serde::Serialize;
use uuid::Uuid;

use crate::{Actor, App, AppError};

fn org_id(id: Uuid) -> OrgId {
    OrgId(id.as_u128())
}

pub(crate) fn kind_of(kind: OrganisationKind) -> OrgKind {
    match kind {
        OrganisationKind::Epao => OrgKind::Epao,
        OrganisationKind::Provider => OrgKind::Provider,
        OrganisationKind::Employer => OrgKind::Employer,
    }
}

/// The actor in the people policy's terms.
pub(crate) async fn people_actor(app: &App, actor: &Actor) -> Result<PeopleActor, AppError> {
    let administers = store_users::administers(&app.db, actor.user_id).await?;
    Ok(PeopleActor {
        user: UserId(actor.user_id.as_u128()),
        grants: actor
            .memberships
            .iter()
            .map(|m| Grant {
                role: m.role,
                org: org_id(m.organisation_id),
            })
            .collect(),
        administers: administers.into_iter().map(org_id).collect(),
    })
}

/// One organisation concerned, with `role` in it (`None`: the organisation
/// itself), and for an employer the providers of its apprentices.
pub(crate) async fn target_org(
    app: &App,
    organisation: &Organisation,
    role: Option<Role>,
) -> Result<TargetOrg, AppError> {
    let providers = if organisation.kind == OrganisationKind::Employer {
        orgs::providers_of_employer(&app.db, organisation.id)
            .await?
            .into_iter()
            .map(org_id)
            .collect()
    } else {
        Vec::new()
    };
    Ok(TargetOrg {
        id: org_id(organisation.id),
        kind: kind_of(organisation.kind),
        role,
        providers,
    })
}

/// A person, with every role they hold.
pub(crate) async fn person_target(app: &App, user_id: Uuid) -> Result<Target, AppError> {
    let mut target = Target {
        user: Some(UserId(user_id.as_u128())),
        orgs: Vec::new(),
    };
    for membership in store_users::memberships(&app.db, user_id).await? {
        let organisation = orgs::get(&app.db, membership.organisation_id).await?;
        target
            .orgs
            .push(target_org(app, &organisation, Some(membership.role)).await?);
    }
    Ok(target)
}

/// Allow, or the error the caller sees (403 when they may know of the
/// target, 404 when not).
pub(crate) fn authorize(
    actor: &PeopleActor,
    action: PeopleAction,
    target: &Target,
    refused: &str,
) -> Result<(), AppError> {
    match people::can(actor, action, target) {
        Decision::Allow => Ok(()),
        Decision::Deny => Err(AppError::Forbidden(refused.to_owned())),
        Decision::NotFound => Err(AppError::NotFound),
    }
}

/// Loads a person and checks `action` on them; an unknown ID is 404.
pub(crate) async fn load_person(
    app: &App,
    actor: &Actor,
    user_id: Uuid,
    action: PeopleAction,
    refused: &str,
) -> Result<(User, PeopleActor), AppError> {
    let user = store_users::get(&app.db, user_id).await?;
    let me = people_actor(app, actor).await?;
    authorize(&me, action, &person_target(app, user_id).await?, refused)?;
    Ok((user, me))
}

/// Whether a person can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Invited, no password set yet.
    Invited,
    Active,
    /// Switched off: no sign-in, no token works.
    Deactivated,
}

/// One role a person holds in one organisation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    pub organisation_id: Uuid,
    /// `epao_admin`, `epao_operations`, `assessor`, `quality_assurer`,
    /// `provider_user`, `employer_user` or `apprentice`.
    pub role: String,
}

/// A person with an account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub status: AccountStatus,
    pub roles: Vec<RoleView>,
    /// Providers and employers whose people they manage.
    pub administers: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
    /// Send back as `If-Match` when changing the person.
    pub record_version: i64,
}

pub(crate) async fn user_view(app: &App, user: &User) -> Result<UserView, AppError> {
    let roles = store_users::memberships(&app.db, user.id)
        .await?
        .into_iter()
        .map(|m| RoleView {
            organisation_id: m.organisation_id,
            role: m.role.as_str().to_owned(),
        })
        .collect();
    let administers = store_users::administers(&app.db, user.id).await?;
    Ok(user_view_of(user, roles, administers))
}

/// The person as shown, with the roles and organisations administered
/// already known.
pub(crate) fn user_view_of(user: &User, roles: Vec<RoleView>, administers: Vec<Uuid>) -> UserView {
    let status = if user.deactivated_at.is_some() {
        AccountStatus::Deactivated
    } else if user.password_hash.is_none() {
        AccountStatus::Invited
    } else {
        AccountStatus::Active
    };
    UserView {
        id: user.id,
        email: user.email.clone(),
        name: user.display_name.clone(),
        status,
        roles,
        administers,
        created_at: user.created_at,
        deactivated_at: user.deactivated_at,
        record_version: user.version,
    }
}

/// An organisation, with where its certificates are posted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganisationView {
    pub id: Uuid,
    /// `epao`, `provider` or `employer`.
    pub kind: String,
    pub name: String,
    /// The UK Provider Reference Number (providers).
    pub ukprn: Option<String>,
    pub contact_name: Option<String>,
    pub contact_organisation: Option<String>,
    pub address_line_1: Option<String>,
    pub address_line_2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    /// Employers: the region their apprentices work in, where the
    /// observation takes place (`london`, `north_west` ...).
    pub region: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Send back as `If-Match` (or `record_version`) when editing.
    pub record_version: i64,
}

impl From<Organisation> for OrganisationView {
    fn from(o: Organisation) -> Self {
        OrganisationView {
            id: o.id,
            kind: o.kind.as_str().to_owned(),
            name: o.name,
            ukprn: o.ukprn,
            contact_name: o.contact.contact_name,
            contact_organisation: o.contact.contact_organisation,
            address_line_1: o.contact.address_line_1,
            address_line_2: o.contact.address_line_2,
            city: o.contact.city,
            postcode: o.contact.postcode,
            region: o.region.map(|r| r.as_str().to_owned()),
            created_at: o.created_at,
            record_version: o.version,
        }
    }
}

/// Appends the audit event of a change to a person or organisation.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    tx: &mut epa_store::Tx,
    app: &App,
    actor: Option<&Actor>,
    action: &str,
    entity_type: &str,
    entity_id: Uuid,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    epa_store::audit::append(
        tx,
        &epa_store::audit::NewAuditEvent {
            occurred_at: app.now(),
            actor_id: actor.map(|a| a.user_id),
            // Someone acting on their own account may hold no role.
            actor_role: actor
                .filter(|a| !a.memberships.is_empty())
                .map_or("user", Actor::audit_role),
            action,
            entity_type,
            entity_id: &entity_id.to_string(),
            before,
            after,
            request_id: actor.and_then(|a| a.request_id.as_deref()),
        },
    )
    .await?;
    Ok(())
}
