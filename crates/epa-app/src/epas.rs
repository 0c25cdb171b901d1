//! Reading EPAs: one EPA, or a page of them, limited to what the caller may see.

use chrono::{DateTime, NaiveDate, Utc};
use epa_store::epas::{self, EpaRow, Filter, Scope};
use epa_store::users::Role;
use serde::Serialize;
use uuid::Uuid;

use epa_domain::policy::Action;

use crate::{Actor, App, AppError, access};

/// An EPA as callers see it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EpaView {
    pub id: Uuid,
    pub stage: String,
    pub standard: String,
    pub version: String,
    pub policy: String,
    pub apprentice: ApprenticeView,
    pub employer_id: Uuid,
    pub provider_id: Uuid,
    pub assessor_id: Option<Uuid>,
    pub gateway_approved_on: Option<NaiveDate>,
    pub planning_meeting_on: Option<NaiveDate>,
    pub overall_grade: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send back with a change, so a stale edit is refused rather than lost.
    pub record_version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ApprenticeView {
    pub id: Uuid,
    pub uln: String,
    pub given_names: String,
    pub family_name: String,
}

impl From<EpaRow> for EpaView {
    fn from(row: EpaRow) -> Self {
        EpaView {
            id: row.epa.id,
            stage: row.epa.stage,
            standard: row.epa.standard_reference,
            version: row.epa.standard_version,
            policy: row.epa.policy,
            apprentice: ApprenticeView {
                id: row.epa.apprentice_id,
                uln: row.uln,
                given_names: row.given_names,
                family_name: row.family_name,
            },
            employer_id: row.employer_id,
            provider_id: row.provider_id,
            assessor_id: row.epa.assessor_id,
            gateway_approved_on: row.epa.gateway_approved_on,
            planning_meeting_on: row.epa.planning_meeting_on,
            overall_grade: row.epa.overall_grade,
            created_at: row.epa.created_at,
            updated_at: row.epa.updated_at,
            record_version: row.epa.version,
        }
    }
}

/// One EPA. Not found and not visible answer alike (no existence oracle).
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<EpaView, AppError> {
    let row = epas::get(&app.db, id).await?;
    let conflicted: Vec<Uuid> =
        epa_store::conflicts::for_organisations_db(&app.db, row.employer_id, row.provider_id)
            .await?
            .into_iter()
            .map(|conflict| conflict.user_id)
            .collect();
    access::authorize(
        actor,
        Action::ViewEpa,
        &access::epa_resource(&row, &conflicted),
        "you cannot see this EPA",
    )?;
    Ok(EpaView::from(row))
}

/// A page of the EPAs the caller may see, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub stage: Option<String>,
    pub policy: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub limit: i64,
    pub offset: i64,
}

pub const PAGE_MAX: i64 = 200;

pub async fn list(app: &App, actor: &Actor, query: &ListQuery) -> Result<Page<EpaView>, AppError> {
    let limit = query.limit.unwrap_or(50);
    let offset = query.offset.unwrap_or(0);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("use a limit from 1 to {PAGE_MAX}"),
        ));
    }
    if offset < 0 {
        return Err(AppError::field("offset", "use an offset of 0 or more"));
    }
    let filter = Filter {
        stage: query.stage.as_deref(),
        policy: query.policy.as_deref(),
    };
    // The widest relationship the actor has decides the scope; a person with
    // no relationship to any EPA sees an empty list.
    let Some(scope) = scope_of(actor) else {
        return Ok(Page {
            items: Vec::new(),
            limit,
            offset,
        });
    };
    let rows = epas::list(&app.db, &scope, &filter, limit, offset).await?;
    Ok(Page {
        items: rows.into_iter().map(EpaView::from).collect(),
        limit,
        offset,
    })
}

pub(crate) fn scope_of(actor: &Actor) -> Option<Scope> {
    let first = |role: Role| actor.organisations_as(role).next();
    if let Some(epao) = first(Role::EpaoAdmin)
        .or_else(|| first(Role::EpaoOperations))
        .or_else(|| first(Role::QualityAssurer))
    {
        return Some(Scope {
            epao_id: Some(epao),
            ..Scope::default()
        });
    }
    if let Some(provider) = first(Role::ProviderUser) {
        return Some(Scope {
            provider_id: Some(provider),
            ..Scope::default()
        });
    }
    if let Some(employer) = first(Role::EmployerUser) {
        return Some(Scope {
            employer_id: Some(employer),
            ..Scope::default()
        });
    }
    if actor.has_role(Role::Assessor) {
        return Some(Scope {
            assessor_id: Some(actor.user_id),
            ..Scope::default()
        });
    }
    if actor.has_role(Role::Apprentice) {
        return Some(Scope {
            apprentice_user_id: Some(actor.user_id),
            ..Scope::default()
        });
    }
    None
}

/// The EPA's audit events, oldest first: its history, for those who may see it.
pub async fn timeline(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<epa_store::audit::AuditEvent>, AppError> {
    get(app, actor, id).await?;
    Ok(epa_store::audit::for_entity(&app.db, "epa", &id.to_string()).await?)
}
