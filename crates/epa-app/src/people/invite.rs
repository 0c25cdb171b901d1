//! Inviting a person to a role in an organisation: their account is made
//! without a password, and an emailed link (valid seven days, single use)
//! lets them set one. An apprentice is invited to their own EPA record.

use chrono::Duration;
use epa_domain::people::{PeopleAction, Target};
use epa_domain::policy::Role;
use epa_store::account_links::{self, Purpose};
use epa_store::apprentices;
use epa_store::organisations::{self as orgs, OrganisationKind};
use epa_store::outbox;
use epa_store::users as store;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{
    RoleView, UserView, audit, authorize, kind_of, people_actor, target_org, user_view_of,
};
use crate::render::account_email::{AccountMessage, role_words};
use crate::{Actor, App, AppError, FieldError};

/// How long an invitation's link works.
pub const INVITATION_DAYS: i64 = 7;

/// Someone to invite.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    pub email: String,
    pub name: String,
    /// `epao_admin`, `epao_operations`, `assessor`, `quality_assurer`
    /// (in the EPAO), `provider_user` (in a provider), `employer_user` or
    /// `apprentice` (in an employer).
    pub role: String,
    pub organisation_id: Uuid,
    /// For an apprentice: the record (registered with this employer) their
    /// account is linked to.
    #[serde(default)]
    pub apprentice_id: Option<Uuid>,
    /// A provider or employer user who will manage their organisation's people.
    #[serde(default)]
    pub organisation_admin: bool,
}

/// The email as given, checked: something@domain.
pub(crate) fn checked_email(email: &str) -> Result<String, FieldError> {
    let email = store::normalise_email(email);
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(FieldError::new(
            "email",
            "enter an email address such as name@example.org",
        ))
    }
}

pub async fn invite(app: &App, actor: &Actor, input: Invitation) -> Result<UserView, AppError> {
    Ok(invite_with_secret(app, actor, input).await?.0)
}

/// [`invite`], also returning the link's secret (for the demo, which
/// accepts its own invitations).
pub(crate) async fn invite_with_secret(
    app: &App,
    actor: &Actor,
    input: Invitation,
) -> Result<(UserView, String), AppError> {
    let mut problems = Vec::new();
    let email = checked_email(&input.email)
        .map_err(|p| problems.push(p))
        .ok();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        problems.push(FieldError::new(
            "name",
            "enter the person's name (at most 200 characters)",
        ));
    }
    let role = Role::parse(&input.role);
    if role.is_none() {
        problems.push(FieldError::new(
            "role",
            "choose epao_admin, epao_operations, assessor, quality_assurer, provider_user, employer_user or apprentice",
        ));
    }
    let (Some(email), Some(role), true) = (email, role, problems.is_empty()) else {
        return Err(AppError::Validation(problems));
    };
    let organisation = orgs::get(&app.db, input.organisation_id).await?;
    let me = people_actor(app, actor).await?;
    let action = if role == Role::Apprentice {
        PeopleAction::InviteApprentice
    } else {
        PeopleAction::InviteUser
    };
    authorize(
        &me,
        action,
        &Target {
            user: None,
            orgs: vec![target_org(app, &organisation, Some(role)).await?],
        },
        "you may not invite people to this organisation",
    )?;
    if !kind_of(organisation.kind).roles().contains(&role) {
        return Err(AppError::field(
            "role",
            format!(
                "this role is not held in {} organisations",
                organisation.kind.as_str()
            ),
        ));
    }
    if input.organisation_admin && organisation.kind == OrganisationKind::Epao {
        return Err(AppError::field(
            "organisation_admin",
            "EPAO staff manage people as EPAO administrators: leave this out",
        ));
    }
    if input.organisation_admin && role == Role::Apprentice {
        return Err(AppError::field(
            "organisation_admin",
            "an apprentice does not manage their employer's people",
        ));
    }
    let apprentice = match (role, input.apprentice_id) {
        (Role::Apprentice, None) => {
            return Err(AppError::field(
                "apprentice_id",
                "name the apprentice's record to link their account to",
            ));
        }
        (Role::Apprentice, Some(id)) => {
            let record = apprentices::get(&app.db, id).await.map_err(|_| {
                AppError::field("apprentice_id", "there is no apprentice with this ID")
            })?;
            if record.employer_id != organisation.id {
                return Err(AppError::field(
                    "organisation_id",
                    "an apprentice is invited to their employer: use the employer on their record",
                ));
            }
            if record.user_id.is_some() {
                return Err(AppError::Conflict(
                    "this apprentice already has an account".to_owned(),
                ));
            }
            Some(record)
        }
        (_, Some(_)) => {
            return Err(AppError::field(
                "apprentice_id",
                "only an apprentice is linked to a record: leave this out",
            ));
        }
        (_, None) => None,
    };
    if store::find_by_email(&app.db, &email).await?.is_some() {
        return Err(AppError::Conflict(
            "someone with this email already has an account".to_owned(),
        ));
    }
    let inviter = store::get(&app.db, actor.user_id).await?;
    let now = app.now();
    let expires_at = now + Duration::days(INVITATION_DAYS);
    let mut tx = app.db.begin_write().await?;
    let user = store::insert(&mut tx, &email, &name, None, now)
        .await
        .map_err(|err| match err {
            epa_store::StoreError::Conflict(_) => {
                AppError::Conflict("someone with this email already has an account".to_owned())
            }
            other => other.into(),
        })?;
    store::grant(&mut tx, user.id, organisation.id, role, now).await?;
    if input.organisation_admin {
        store::make_organisation_admin(&mut tx, user.id, organisation.id, now).await?;
    }
    if let Some(record) = &apprentice {
        apprentices::link_user(&mut tx, record.id, user.id).await?;
    }
    let secret =
        account_links::create(&mut tx, user.id, Purpose::Invitation, now, expires_at).await?;
    let link = format!("{}/invitations/{secret}", app.accounts.public_url);
    let email_text = AccountMessage::Invitation {
        name: &name,
        invited_by: &inviter.display_name,
        role: role_words(role),
        organisation: &organisation.name,
        link: &link,
        expires_at,
    }
    .render();
    outbox::enqueue(&mut tx, &email_text.to(&email), now).await?;
    audit(
        &mut tx,
        app,
        Some(actor),
        "user.invited",
        "user",
        user.id,
        None,
        Some(json!({
            "role": role.as_str(),
            "organisation_id": organisation.id,
            "organisation_admin": input.organisation_admin,
            "apprentice_id": apprentice.as_ref().map(|a| a.id),
            "invitation_expires_at": expires_at,
        })),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    // A new person holds the one role granted above: the answer is built
    // without reading after the commit, so under an Idempotency-Key it is
    // kept with the work (ADR 0141).
    let roles = vec![RoleView {
        organisation_id: organisation.id,
        role: role.as_str().to_owned(),
    }];
    let administers = if input.organisation_admin {
        vec![organisation.id]
    } else {
        Vec::new()
    };
    Ok((user_view_of(&user, roles, administers), secret))
}
