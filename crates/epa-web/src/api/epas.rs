//! `/api/v1/epas`: register an apprentice's EPA, list EPAs, read one, and its timeline.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use epa_app::AppError;
use epa_app::epas::{self, EpaView, ListQuery};
use epa_app::registration::{self, Registration};
use epa_domain::lifecycle::Stage;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency::{self, text_at};
use super::input::ApiQuery;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

/// Register an apprentice and open their EPA.
#[utoipa::path(
    post, path = "/api/v1/epas", tag = "epas", operation_id = "register_apprentice",
    request_body = Registration,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours")),
    responses(
        (status = 201, description = "Registered", body = EpaView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn register(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    idempotency::command(
        &state,
        &actor,
        &headers,
        "POST /api/v1/epas",
        &body,
        StatusCode::CREATED,
        &|view| text_at(view, "/id").map(|id| format!("/api/v1/epas/{id}")),
        async |input: Registration| {
            registration::register(&state.app, &actor, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only EPAs at this stage.
    #[param(schema_with = super::closed::stage_parameter)]
    pub stage: Option<Stage>,
    /// Only EPAs under this EPAO policy (`tquk`, `innovate`; `GET
    /// /api/v1/plans` lists the policies this server knows).
    pub policy: Option<String>,
    /// A ULN (ten digits, exactly) or the start of a family name (any case).
    pub search: Option<String>,
    /// How many to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Where the previous page ended: follow its `next` link as given.
    pub after: Option<String>,
}

/// A page of EPAs, in order of registration.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EpaPage {
    pub items: Vec<EpaView>,
    pub limit: i64,
    /// The next page, when there is one: a link to follow as it is.
    pub next: Option<String>,
}

/// EPAs the caller may see, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/epas", tag = "epas", operation_id = "list_epas",
    params(ListParams),
    responses(
        (status = 200, description = "A page of EPAs", body = EpaPage),
        (status = 401, description = "No valid token", body = Problem),
        (status = 422, description = "A parameter needs fixing: an unknown stage or policy names the parameter and the values allowed", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<EpaPage>, ApiError> {
    // An unknown policy would match nothing; it is a mistake to say so, not
    // an empty page.
    if let Some(policy) = &params.policy {
        let known = state.app.plans.all_epaos();
        if !known.iter().any(|epao| epao == policy) {
            return Err(ApiError(AppError::field(
                "policy",
                format!(
                    "{policy:?} is not an EPAO policy; choose one of: {}",
                    known.join(", ")
                ),
            )));
        }
    }
    let query = ListQuery {
        stage: params.stage.map(|stage| stage.as_str().to_owned()),
        policy: params.policy,
        limit: params.limit,
        after: params.after,
        search: params.search,
    };
    let page = epas::list(&state.app, &actor, &query).await?;
    let next = page.next.map(|after| {
        let mut link = format!("/api/v1/epas?limit={}&after={after}", page.limit);
        if let Some(stage) = &query.stage {
            link.push_str(&format!("&stage={stage}"));
        }
        if let Some(policy) = &query.policy {
            link.push_str(&format!("&policy={policy}"));
        }
        if let Some(search) = &query.search {
            let search: String = form_urlencoded::byte_serialize(search.as_bytes()).collect();
            link.push_str(&format!("&search={search}"));
        }
        link
    });
    Ok(Json(EpaPage {
        items: page.items,
        limit: page.limit,
        next,
    }))
}

/// One EPA.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}", tag = "epas", operation_id = "get_epa",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The EPA", body = EpaView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Result<Json<EpaView>, ApiError> {
    // A malformed ID cannot name a visible EPA: answer as for any unknown one.
    let id = path_id(id)?;
    Ok(Json(epas::get(&state.app, &actor, id).await?))
}

/// One event in an EPA's history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    // Written whole, as the list writes its dates.
    #[serde(serialize_with = "epa_app::json_time::instant")]
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub actor_role: String,
    // Passed on as stored (JSON the product wrote), not parsed and written
    // again for every reader.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Box<serde_json::value::RawValue>>,
}

/// Everything that has happened to an EPA, oldest first.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/timeline", tag = "epas", operation_id = "get_epa_timeline",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The EPA's history", body = Vec<TimelineEntry>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn timeline(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let id = path_id(id)?;
    let events = epas::timeline(&state.app, &actor, id).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|event| TimelineEntry {
                at: event.occurred_at,
                action: event.action,
                actor_role: event.actor_role,
                after: event
                    .after_json
                    .and_then(|text| serde_json::value::RawValue::from_string(text).ok()),
            })
            .collect(),
    ))
}
