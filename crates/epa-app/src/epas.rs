//! Reading EPAs: one EPA, or a page of them, limited to what the caller may see.

use chrono::{DateTime, NaiveDate, Utc};
use epa_store::epas::{self, EpaRow, Filter, ListCursor, ListedEpa, Scope};
use epa_store::users::Role;
use serde::Serialize;
use uuid::Uuid;

use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::assessment::Reader;

use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

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
    // Dates written in one piece: a list writes fifty of each.
    #[serde(serialize_with = "crate::json_time::day_or_null")]
    pub gateway_approved_on: Option<NaiveDate>,
    #[serde(serialize_with = "crate::json_time::day_or_null")]
    pub planning_meeting_on: Option<NaiveDate>,
    pub overall_grade: Option<String>,
    #[serde(serialize_with = "crate::json_time::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json_time::instant")]
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
    /// Shown to those who may see the apprentice's personal details (EPAO
    /// staff, their provider and employer, the apprentice); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
}

impl From<ListedEpa> for EpaView {
    fn from(row: ListedEpa) -> Self {
        EpaView {
            id: row.id,
            stage: row.stage.as_str().to_owned(),
            standard: row.standard_reference,
            version: row.standard_version,
            policy: row.policy,
            apprentice: ApprenticeView {
                id: row.apprentice_id,
                uln: row.uln,
                given_names: row.given_names,
                family_name: row.family_name,
                date_of_birth: None,
            },
            employer_id: row.employer_id,
            provider_id: row.provider_id,
            assessor_id: row.assessor_id,
            gateway_approved_on: row.gateway_approved_on,
            planning_meeting_on: row.planning_meeting_on,
            overall_grade: row.overall_grade.map(|grade| grade.as_str().to_owned()),
            created_at: row.created_at,
            updated_at: row.updated_at,
            record_version: row.version,
        }
    }
}

impl From<EpaRow> for EpaView {
    fn from(row: EpaRow) -> Self {
        EpaView::from(ListedEpa::from(row))
    }
}

impl EpaView {
    /// The EPA as `actor` may see it, personal details included where the
    /// policy allows.
    pub fn for_reader(ctx: &EpaContext, actor: &Actor) -> EpaView {
        let mut view = EpaView::from(ctx.row.clone());
        if ctx.may(actor, Action::ViewPersonalDetails) {
            view.apprentice.date_of_birth = Some(ctx.row.date_of_birth);
        }
        view
    }
}

/// One EPA. Not found and not visible answer alike (no existence oracle).
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<EpaView, AppError> {
    let ctx = EpaContext::read(app, actor, id, Action::ViewEpa, "you cannot see this EPA").await?;
    Ok(EpaView::for_reader(&ctx, actor))
}

/// A page of the EPAs the caller may see, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub stage: Option<String>,
    pub policy: Option<String>,
    pub limit: Option<i64>,
    /// Where the previous page ended (its `next`).
    pub after: Option<String>,
    /// A ULN, or the start of a family name (see [`epas::Search`]).
    pub search: Option<String>,
}

/// A page of a list and where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub limit: i64,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

pub const PAGE_MAX: i64 = 200;

pub async fn list(app: &App, actor: &Actor, query: &ListQuery) -> Result<Page<EpaView>, AppError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("use a limit from 1 to {PAGE_MAX}"),
        ));
    }
    let after = query.after.as_deref().map(parse_cursor).transpose()?;
    // A stage the product does not know is a mistake in the query, not a
    // filter that matches nothing.
    let stage = match query.stage.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<Stage>().map_err(|_| {
            AppError::field(
                "stage",
                format!(
                    "use one of the stages: {}",
                    Stage::ALL.map(Stage::as_str).join(", ")
                ),
            )
        })?),
    };
    let filter = Filter {
        stage,
        policy: query.policy.as_deref(),
        search: query.search.as_deref().and_then(epas::Search::from_text),
    };
    // The widest relationship the actor has decides the scope; a person with
    // no relationship to any EPA sees an empty list.
    let Some(scope) = scope_of(actor) else {
        return Ok(Page {
            items: Vec::new(),
            limit,
            next: None,
        });
    };
    // One more than asked says whether there is a next page.
    let mut rows = epas::page(&app.db, &scope, &filter, after, limit + 1).await?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|row| format_cursor(row.cursor()))
    } else {
        None
    };
    Ok(Page {
        items: rows.into_iter().map(EpaView::from).collect(),
        limit,
        next,
    })
}

/// `<instant>.<epa id>` (see [`crate::cursor`]): opaque to callers, who
/// pass back `next`.
fn format_cursor(cursor: ListCursor) -> String {
    format!(
        "{}.{}",
        crate::cursor::instant_text(cursor.created_at),
        cursor.id
    )
}

/// The refusal of an `after` that is not a page's `next`, for every list.
pub(crate) fn cursor_refused() -> AppError {
    AppError::field("after", "pass back the `next` of the previous page")
}

fn parse_cursor(text: &str) -> Result<ListCursor, AppError> {
    let bad = cursor_refused;
    // The instant may hold a dot of its own; the ID never does.
    let (instant, id) = text.rsplit_once('.').ok_or_else(bad)?;
    Ok(ListCursor {
        created_at: crate::cursor::parse_instant(instant).ok_or_else(bad)?,
        id: id.parse().map_err(|_| bad())?,
    })
}

pub fn scope_of(actor: &Actor) -> Option<Scope> {
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

/// The EPA's audit events, oldest first: its history, for those who may
/// see it, with marks and grades withheld from those who may not see them
/// yet (see [`crate::timeline`]).
pub async fn timeline(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<epa_store::audit::HistoryEvent>, AppError> {
    let ctx = EpaContext::read(app, actor, id, Action::ViewEpa, "you cannot see this EPA").await?;
    let events = epa_store::audit::history(&app.db, "epa", &id.to_string()).await?;
    if ctx.may(actor, Action::ViewProvisionalResults) {
        return Ok(events);
    }
    let released = epa_store::assessment::method_results(Reader::Db(&app.db), id)
        .await?
        .into_iter()
        .filter(|r| r.released_at.is_some())
        .map(|r| (r.method.as_str().to_owned(), r.attempt))
        .collect();
    Ok(crate::timeline::withhold_marks(events, &released))
}

/// Which of `actions` the actor may take on the EPA now: what a page
/// offers them. Asked of the same gate as the actions themselves.
pub async fn permitted(
    app: &App,
    actor: &Actor,
    id: Uuid,
    actions: &[Action],
) -> Result<Vec<Action>, AppError> {
    let ctx = EpaContext::read(app, actor, id, Action::ViewEpa, "you cannot see this EPA").await?;
    Ok(actions
        .iter()
        .copied()
        .filter(|action| ctx.may(actor, *action))
        .collect())
}
