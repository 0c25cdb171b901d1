//! Correcting an apprentice's registration: names, date of birth, ULN (with
//! its check digit), employer and provider. Refused when the caller edited
//! an older version of the EPA than the one stored, so nobody overwrites a
//! change they have not seen.

use chrono::NaiveDate;
use epa_domain::policy::Action;
use epa_domain::{Uln, UlnMode};
use epa_store::apprentices::{self, Correction};
use epa_store::epas::{self, Change};
use epa_store::organisations::{self, OrganisationKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{checked, reason};
use crate::epas::EpaView;
use crate::gate::EpaContext;
use crate::registration::check_name;
use crate::{Actor, App, AppError, FieldError, transitions};

/// The corrected details: every field is optional, and what is absent
/// stays as it is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationCorrection {
    #[serde(default)]
    pub uln: Option<String>,
    #[serde(default)]
    pub given_names: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default)]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    pub employer_id: Option<Uuid>,
    #[serde(default)]
    pub provider_id: Option<Uuid>,
    /// Why the registration was wrong (kept in the audit trail).
    pub reason: String,
    /// The EPA's `record_version` as last read; the `If-Match` header may
    /// carry it instead. A stale version is refused.
    #[serde(default)]
    pub record_version: Option<i64>,
}

pub async fn correct_registration(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: RegistrationCorrection,
) -> Result<EpaView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::CorrectRegistration,
        "only EPAO staff can correct a registration",
    )
    .await?;
    let mut problems = Vec::new();
    let Some(expected) = input.record_version else {
        return Err(AppError::field(
            "record_version",
            "send the record_version you last read (or an If-Match header) so a newer change is not overwritten",
        ));
    };
    if expected != ctx.row.epa.version {
        return Err(AppError::Stale(format!(
            "the EPA changed since you read it (version {expected}, now {}); reload it and make the correction again",
            ctx.row.epa.version
        )));
    }
    let reason = reason(&input.reason, &mut problems);
    let before = apprentices::get_in(&mut tx, ctx.row.epa.apprentice_id).await?;

    let uln = match &input.uln {
        Some(text) => Uln::parse_with(text.trim(), UlnMode::Strict)
            .map(|uln| uln.to_string())
            .map_err(|err| problems.push(FieldError::new("uln", err.to_string())))
            .ok(),
        None => Some(before.uln.clone()),
    };
    if let Some(uln) = &uln
        && *uln != before.uln
        && apprentices::uln_taken_in(&mut tx, uln, before.id).await?
    {
        problems.push(FieldError::new(
            "uln",
            "another apprentice is registered with this ULN",
        ));
    }
    let given = input.given_names.as_deref().unwrap_or(&before.given_names);
    let family = input.family_name.as_deref().unwrap_or(&before.family_name);
    check_name("given_names", given, &mut problems);
    check_name("family_name", family, &mut problems);
    let date_of_birth = input.date_of_birth.unwrap_or(before.date_of_birth);
    if date_of_birth >= before.start_date {
        problems.push(FieldError::new(
            "date_of_birth",
            "check the date of birth: it is not before the apprentice's start date",
        ));
    }
    for (field, id, kind) in [
        ("employer_id", input.employer_id, OrganisationKind::Employer),
        ("provider_id", input.provider_id, OrganisationKind::Provider),
    ] {
        let Some(id) = id else { continue };
        match organisations::get_in(&mut tx, id).await {
            Ok(org) if org.kind == kind => {}
            Ok(_) | Err(epa_store::StoreError::NotFound) => problems.push(FieldError::new(
                field,
                format!("no {} with this ID", kind.as_str()),
            )),
            Err(other) => return Err(other.into()),
        }
    }
    checked(problems)?;
    let (Some(uln), Some(reason)) = (uln, reason) else {
        return Err(AppError::internal("a checked correction lost a field"));
    };
    let after = apprentices::correct(
        &mut tx,
        before.id,
        before.version,
        &Correction {
            uln: &uln,
            given_names: given.trim(),
            family_name: family.trim(),
            date_of_birth,
            employer_id: input.employer_id.unwrap_or(before.employer_id),
            provider_id: input.provider_id.unwrap_or(before.provider_id),
        },
    )
    .await?;
    // The EPA's version moves too: it is what the caller's precondition names.
    epas::update(&mut tx, epa_id, expected, &Change::default(), app.now()).await?;
    // Which fields changed, never their values: personal data stays out of
    // the append-only audit trail (as at registration).
    let changed: Vec<&str> = [
        ("uln", before.uln != after.uln),
        ("given_names", before.given_names != after.given_names),
        ("family_name", before.family_name != after.family_name),
        ("date_of_birth", before.date_of_birth != after.date_of_birth),
        ("employer_id", before.employer_id != after.employer_id),
        ("provider_id", before.provider_id != after.provider_id),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect();
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "apprentice.corrected",
        None,
        json!({"apprentice_id": after.id, "changed": changed, "reason": reason}),
    )
    .await?;
    let corrected = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(EpaView::for_reader(&corrected, actor))
}
