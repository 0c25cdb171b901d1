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
// The timeline's answer is written by `timeline_json`; this gives its
// schema.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    // Written whole, as the list writes its dates.
    #[serde(serialize_with = "epa_app::json_time::instant")]
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub actor_role: String,
    // What the event recorded: the JSON the product stored with it.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// The timeline's body. Each event's `after` is the JSON the product
/// stored with it, written into the answer as it is: serde_json's
/// `RawValue` parses it to check it, about a tenth of the timeline's CPU
/// at 100,000 apprentices (`docs/performance.md`, fifteenth section). The
/// text is the product's own, written by serde_json and kept under the
/// audit chain's hashes (`epa audit verify`).
fn timeline_json(events: &[epa_store::audit::HistoryEvent]) -> Result<Vec<u8>, serde_json::Error> {
    /// The event's other fields, written as the entry's start.
    #[derive(Serialize)]
    struct Head<'a> {
        #[serde(serialize_with = "epa_app::json_time::instant")]
        at: chrono::DateTime<chrono::Utc>,
        action: &'a str,
        actor_role: &'a str,
    }
    let mut out = Vec::with_capacity(2 + events.len() * 256);
    out.push(b'[');
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(
            &mut out,
            &Head {
                at: event.occurred_at,
                action: &event.action,
                actor_role: &event.actor_role,
            },
        )?;
        // The head's closing brace gives way to `after`.
        out.pop();
        out.extend_from_slice(b",\"after\":");
        let after = event.after_json.as_deref().map(str::trim);
        out.extend_from_slice(
            after
                .filter(|text| !text.is_empty())
                .unwrap_or("null")
                .as_bytes(),
        );
        out.push(b'}');
    }
    out.push(b']');
    Ok(out)
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
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let events = epas::timeline(&state.app, &actor, id).await?;
    let body = timeline_json(&events).map_err(|err| AppError::Internal(err.to_string()))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use epa_store::audit::HistoryEvent;
    use serde_json::json;

    fn event(action: &str, after: Option<&str>) -> HistoryEvent {
        HistoryEvent {
            occurred_at: chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap(),
            actor_role: "epao_operations".to_owned(),
            action: action.to_owned(),
            after_json: after.map(str::to_owned),
        }
    }

    #[test]
    fn the_timeline_passes_each_events_json_on_as_stored() {
        let events = [
            event(
                "epa.registered",
                Some(r#"{"stage":"registered","n":[1,2]}"#),
            ),
            // Escaped as any string is; no `after`, or an empty one, is null.
            event("a \"quoted\" action", None),
            event("booking.made", Some("  ")),
        ];
        let body = super::timeline_json(&events).unwrap();
        let read: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            read,
            json!([
                {"at": "2026-11-02T09:30:00Z", "action": "epa.registered",
                 "actor_role": "epao_operations", "after": {"stage": "registered", "n": [1, 2]}},
                {"at": "2026-11-02T09:30:00Z", "action": "a \"quoted\" action",
                 "actor_role": "epao_operations", "after": null},
                {"at": "2026-11-02T09:30:00Z", "action": "booking.made",
                 "actor_role": "epao_operations", "after": null},
            ])
        );
        // The stored text itself, not a copy parsed and written again.
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.contains(r#""after":{"stage":"registered","n":[1,2]}}"#),
            "{text}"
        );
        assert_eq!(super::timeline_json(&[]).unwrap(), b"[]");
    }
}
