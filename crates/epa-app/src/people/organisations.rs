//! Reading organisations: one, or those the caller may see.

use epa_domain::people::{self, Decision, PeopleAction, Target};
use epa_store::organisations::{self as store, OrganisationKind};
use uuid::Uuid;

use super::{OrganisationView, authorize, people_actor, target_org};
use crate::{Actor, App, AppError};

pub async fn get_organisation(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<OrganisationView, AppError> {
    let organisation = store::get(&app.db, id).await?;
    let me = people_actor(app, actor).await?;
    let target = Target {
        user: None,
        orgs: vec![target_org(app, &organisation, None).await?],
    };
    authorize(&me, PeopleAction::ViewOrganisation, &target, "not allowed")?;
    Ok(organisation.into())
}

/// Every organisation the caller may see, by name, optionally of one kind.
pub async fn list_organisations(
    app: &App,
    actor: &Actor,
    kind: Option<&str>,
) -> Result<Vec<OrganisationView>, AppError> {
    let kind = match kind {
        None => None,
        Some("epao") => Some(OrganisationKind::Epao),
        Some("provider") => Some(OrganisationKind::Provider),
        Some("employer") => Some(OrganisationKind::Employer),
        Some(_) => {
            return Err(AppError::field("kind", "use epao, provider or employer"));
        }
    };
    let me = people_actor(app, actor).await?;
    let mut seen = Vec::new();
    for organisation in store::list(&app.db, kind).await? {
        let target = Target {
            user: None,
            orgs: vec![target_org(app, &organisation, None).await?],
        };
        if people::can(&me, PeopleAction::ViewOrganisation, &target) == Decision::Allow {
            seen.push(organisation.into());
        }
    }
    Ok(seen)
}
