//! An EPAO admin edits an organisation's name, UKPRN or postal contact,
//! under an optimistic lock (`record_version` or `If-Match`).

use epa_domain::people::{PeopleAction, Target};
use epa_store::organisations as store;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::create_organisation::{ContactInput, checked};
use super::{OrganisationView, audit, authorize, people_actor, target_org};
use crate::{Actor, App, AppError};

/// What changes: a field left out stays as it is; an empty text clears it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationEdit {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub ukprn: Option<String>,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_organisation: Option<String>,
    #[serde(default)]
    pub address_line_1: Option<String>,
    #[serde(default)]
    pub address_line_2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    /// Employers: the region their apprentices work in (`london`,
    /// `north_west` ...); an empty text clears it.
    #[serde(default)]
    pub region: Option<String>,
    /// The `record_version` last read (or send it as `If-Match`).
    #[serde(default)]
    pub record_version: Option<i64>,
}

pub async fn edit_organisation(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: OrganisationEdit,
) -> Result<OrganisationView, AppError> {
    let before = store::get(&app.db, id).await?;
    let me = people_actor(app, actor).await?;
    let target = Target {
        user: None,
        orgs: vec![target_org(app, &before, None).await?],
    };
    authorize(
        &me,
        PeopleAction::EditOrganisation,
        &target,
        "only an EPAO administrator can edit organisations",
    )?;
    let Some(version) = input.record_version else {
        return Err(AppError::field(
            "record_version",
            "send the organisation's record_version (or If-Match) as last read",
        ));
    };
    if version != before.version {
        return Err(AppError::Stale(
            "the organisation was changed since you read it; reload and try again".to_owned(),
        ));
    }
    let or = |new: Option<String>, old: &Option<String>| new.or_else(|| old.clone());
    let old = &before.contact;
    let entered = ContactInput {
        contact_name: or(input.contact_name, &old.contact_name),
        contact_organisation: or(input.contact_organisation, &old.contact_organisation),
        address_line_1: or(input.address_line_1, &old.address_line_1),
        address_line_2: or(input.address_line_2, &old.address_line_2),
        city: or(input.city, &old.city),
        postcode: or(input.postcode, &old.postcode),
    };
    let name = input.name.unwrap_or_else(|| before.name.clone());
    let ukprn = or(input.ukprn, &before.ukprn);
    let region = input
        .region
        .or_else(|| before.region.map(|r| r.as_str().to_owned()));
    let checked = checked(before.kind, &name, &ukprn, &entered, &region)?;
    if let Some(u) = &checked.ukprn
        && store::ukprn_taken(&app.db, u, Some(id)).await?
    {
        return Err(AppError::field(
            "ukprn",
            "another provider already has this UKPRN",
        ));
    }
    let mut tx = app.db.begin_write().await?;
    let saved = store::update_details(&mut tx, id, version, &checked.details()).await?;
    // An employer's name and postal contact go on its apprentices'
    // certificates: the DfE push looks at their EPAs again.
    epa_store::dfe::mark_employer(&mut tx, id, app.clock.today()).await?;
    let view = OrganisationView::from(saved);
    audit(
        &mut tx,
        app,
        Some(actor),
        "organisation.edited",
        "organisation",
        id,
        Some(json!(OrganisationView::from(before))),
        Some(json!(view)),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(view)
}
