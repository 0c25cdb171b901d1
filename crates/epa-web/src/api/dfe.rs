//! `GET /api/v1/dfe/refusals` (EPAO staff: what the DfE service refused,
//! with its reasons) and `POST /api/v1/dfe/refusals/{epa_id}/resend` (send
//! a refused item again at the next push).

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use epa_app::dfe::queue::{self, QueuePage, RefusalView};
use serde::Deserialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::input::ApiQuery;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_dfe_refusals, resend_dfe_refusal),
    components(schemas(QueuePage, RefusalView))
)]
pub struct Api;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RefusalsQuery {
    /// The `next` value of the previous page.
    after: Option<String>,
}

/// EPAs whose record, certificate request or submission the DfE refused,
/// oldest first, with the service's reasons (a ULN or family name that
/// does not match the service's is the usual cause). EPAO staff only.
#[utoipa::path(
    get, path = "/api/v1/dfe/refusals", tag = "dfe", operation_id = "list_dfe_refusals",
    params(RefusalsQuery),
    responses(
        (status = 200, description = "A page of refusals", body = QueuePage),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 422, description = "A parameter needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_dfe_refusals(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<RefusalsQuery>,
) -> Result<Json<QueuePage>, ApiError> {
    Ok(Json(
        queue::refusals(&state.app, &actor, query.after.as_deref()).await?,
    ))
}

/// Send the refused item of an EPA again, unchanged, at the next push
/// (after the service's data was put right). A fix made here goes by
/// itself.
#[utoipa::path(
    post, path = "/api/v1/dfe/refusals/{epa_id}/resend", tag = "dfe", operation_id = "resend_dfe_refusal",
    params(("epa_id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "It goes again at the next push", body = RefusalView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA", body = Problem),
        (status = 409, description = "Nothing of this EPA is refused", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn resend_dfe_refusal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    epa_id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<RefusalView>, ApiError> {
    let epa_id = path_id(epa_id)?;
    Ok(Json(queue::resend(&state.app, &actor, epa_id).await?))
}
