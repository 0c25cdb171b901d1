//! The JSON API, `/api/v1`, and its OpenAPI document at `/api/openapi.json`
//! with Swagger UI at `/api/docs`.

mod accounts;
mod assessment;
mod auth;
pub use auth::ClientAddress;
mod closed;
mod corrections;
mod deadlines;
mod dfe;
mod documents;
mod epas;
pub mod exports;
mod gateway;
mod idempotency;
pub mod imports;
mod input;
mod locator;
mod me_notifications;
mod outbox;
mod people;
mod planning;
mod plans;
pub mod problem;
pub mod reports;
mod schedule;

use axum::Router;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "OpenEPA API", version = "1", description = "End-point assessment: EPAs, gateway, bookings, judgements, results. Errors are RFC 9457 problem details."),
    paths(epas::register, epas::list, epas::get, epas::timeline),
    components(schemas(problem::Problem, epa_app::FieldError)),
    modifiers(&TokenAuth),
    tags((name = "epas", description = "Apprentices' EPAs"))
)]
pub struct ApiDoc;

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The most bytes a JSON request body may have. Upload routes set their
/// own, larger, limit per purpose.
pub const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The `/api/v1` routes, relative to where they are nested. Unknown API
/// paths answer 404 as problem details too.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epas", get(epas::list).post(epas::register))
        .route("/epas/{id}", get(epas::get))
        .route("/epas/{id}/timeline", get(epas::timeline))
        .route("/tokens", axum::routing::post(accounts::sign_in))
        .route(
            "/tokens/current",
            get(accounts::current_token).delete(accounts::sign_out),
        )
        .route("/deadlines", get(deadlines::due))
        .route("/exports/{file}", get(exports::download_export))
        .route("/epas/{id}/deadlines", get(deadlines::for_epa))
        .merge(gateway::routes())
        .merge(planning::routes())
        .merge(assessment::routes())
        .merge(documents::routes())
        .merge(locator::routes())
        .merge(corrections::routes())
        .merge(plans::routes())
        .merge(people::routes())
        .merge(schedule::routes())
        .merge(reports::routes())
        .route(
            "/me/email-preferences",
            get(me_notifications::list_email_preferences),
        )
        .route(
            "/me/email-preferences/{kind}",
            axum::routing::put(me_notifications::set_email_preference),
        )
        .route(
            "/me/calendar",
            get(me_notifications::get_calendar_feed)
                .post(me_notifications::renew_calendar_feed)
                .delete(me_notifications::revoke_calendar_feed),
        )
        .route("/calendar/{feed}", get(me_notifications::get_calendar))
        .merge(dfe::routes())
        .route("/outbox", get(outbox::list_outbox))
        .route(
            "/outbox/{id}/retry",
            axum::routing::post(outbox::retry_outbox_message),
        )
        .layer(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
        // After the layer: the upload route reads its body itself, up to
        // its purpose's limit, and answers 413 as a problem.
        .merge(documents::upload_routes())
        // Reads its own body too, up to an import's limit.
        .route(
            "/imports/apprentices",
            axum::routing::post(imports::import_apprentices),
        )
        .fallback(|| async {
            problem::problem(
                axum::http::StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                None,
                Vec::new(),
            )
        })
        // Last, so it sees every answer: axum's own 405, the body limit's
        // 413 and any other error not yet in problem details.
        .layer(axum::middleware::map_response(problem::problems_only))
}

/// Each part's own document, named.
fn parts() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    vec![
        ("epas", ApiDoc::openapi()),
        ("accounts", accounts::Api::openapi()),
        ("deadlines", deadlines::Api::openapi()),
        ("gateway", gateway::Api::openapi()),
        ("planning", planning::Api::openapi()),
        ("assessment", assessment::Api::openapi()),
        ("documents", documents::Api::openapi()),
        ("locator", locator::Api::openapi()),
        ("plans", plans::Api::openapi()),
        ("corrections", corrections::Api::openapi()),
        ("people", people::Api::openapi()),
        ("schedule", schedule::Api::openapi()),
        ("notifications", me_notifications::Api::openapi()),
        ("outbox", outbox::Api::openapi()),
        ("dfe", dfe::Api::openapi()),
        ("imports", imports::Api::openapi()),
        ("exports", exports::Api::openapi()),
        ("reports", reports::Api::openapi()),
    ]
}

/// The whole OpenAPI document: the EPA routes and each part's own.
pub fn openapi() -> utoipa::openapi::OpenApi {
    with_closed_sets(merged())
}

/// The parts merged, with what every route answers alike.
fn merged() -> utoipa::openapi::OpenApi {
    let mut parts = parts().into_iter().map(|(_, part)| part);
    let mut document = parts.next().unwrap_or_else(ApiDoc::openapi);
    for part in parts {
        document.merge(part);
    }
    problems_as_problem_json(&mut document);
    common_answers(&mut document);
    document
}

/// See [`closed::closed_sets_in_views`]. Done on the document's JSON and
/// read back; should the round trip ever fail, the document is served as
/// it was (and the tests fail).
fn with_closed_sets(document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut value) = serde_json::to_value(&document) else {
        return document;
    };
    let missed = closed::closed_sets_in_views(&mut value);
    if !missed.is_empty() {
        tracing::warn!(?missed, "closed sets not found in the OpenAPI document");
    }
    serde_json::from_value(value).unwrap_or(document)
}

/// What every route answers alike, said once here rather than in each
/// annotation: every 201 carries `Location`, where the created record can be
/// read (see `idempotency::command`); every 401 carries `WWW-Authenticate`;
/// a route reading a JSON body may answer 413 (over the body limit), 415
/// (a body declared as something else) and 422 (a body that is not JSON).
fn common_answers(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let header = |description: &str| {
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(description))
                .build(),
        )
    };
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let reads_json = operation
                .request_body
                .as_ref()
                .is_some_and(|body| match body {
                    RefOr::T(body) => body.content.contains_key("application/json"),
                    RefOr::Ref(_) => false,
                });
            if reads_json {
                let responses = &mut operation.responses.responses;
                responses
                    .entry("413".to_owned())
                    .or_insert_with(|| problem("The body is over the API's limit of 2 MB"));
                responses.entry("415".to_owned()).or_insert_with(|| {
                    problem("The body is declared as something other than JSON")
                });
                responses.entry("422".to_owned()).or_insert_with(|| {
                    problem("The body is not JSON or does not fit: each field to fix is named")
                });
            }
            if let Some(RefOr::T(response)) = operation.responses.responses.get_mut("401") {
                response
                    .headers
                    .entry("WWW-Authenticate".to_owned())
                    .or_insert_with(|| header("`Bearer`: send `Authorization: Bearer TOKEN`"));
            }
            let Some(RefOr::T(response)) = operation.responses.responses.get_mut("201") else {
                continue;
            };
            response
                .headers
                .entry("Location".to_owned())
                .or_insert_with(|| {
                    header("The path where the created record (or the list holding it) can be read")
                });
        }
    }
}

/// Every error answer (4xx and 5xx) is a problem-details document sent as
/// `application/problem+json`; the path annotations give only its schema, so
/// the document is corrected here once rather than in every annotation.
fn problems_as_problem_json(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                if let Some(content) = response.content.shift_remove("application/json") {
                    response
                        .content
                        .insert("application/problem+json".to_owned(), content);
                }
            }
        }
    }
}

/// Swagger UI and the document it reads.
pub fn docs() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Two Rust types with one schema name would share one entry in the
    /// document, so a client would be generated with the wrong shape for
    /// one of them. Each part's document holds its own types (and those
    /// they use): one name must mean the same schema in every part.
    /// Every row of the table of text properties with a closed set finds its
    /// property, still text: a view that changed shape fails here.
    #[test]
    fn every_closed_set_row_finds_its_property() {
        let mut document = serde_json::to_value(merged()).unwrap();
        assert_eq!(
            closed::closed_sets_in_views(&mut document),
            Vec::<String>::new()
        );
    }

    #[test]
    fn schema_names_are_unique() {
        let mut seen: BTreeMap<String, (&str, serde_json::Value)> = BTreeMap::new();
        let mut clashes = Vec::new();
        for (part, document) in parts() {
            let Some(components) = document.components else {
                continue;
            };
            for (name, schema) in components.schemas {
                let schema = serde_json::to_value(&schema).unwrap();
                match seen.get(&name) {
                    Some((first, earlier)) if *earlier != schema => {
                        clashes.push(format!("{name} in {first} and {part}"));
                    }
                    Some(_) => {}
                    None => {
                        seen.insert(name, (part, schema));
                    }
                }
            }
        }
        assert!(clashes.is_empty(), "schema names used twice: {clashes:?}");
    }

    /// The verbs an operation ID may start with: each says what it does.
    const VERBS: &[&str] = &[
        "accept",
        "approve",
        "book",
        "cancel",
        "claim",
        "confirm",
        "correct",
        "create",
        "deactivate",
        "declare",
        "decide",
        "download",
        "edit",
        "get",
        "hold",
        "import",
        "invite",
        "list",
        "propose",
        "reactivate",
        "receive",
        "record",
        "register",
        "reallocate",
        "reject",
        "release",
        "renew",
        "request",
        "reschedule",
        "retry",
        "resend",
        "reset",
        "revoke",
        "review",
        "rework",
        "set",
        "sign",
        "start",
        "submit",
        "suggest",
        "upload",
        "withdraw",
    ];

    #[test]
    fn operation_ids_are_unique_and_say_what_they_do() {
        let document = serde_json::to_value(openapi()).unwrap();
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} has no operationId"))
                    .to_owned();
                let (verb, object) = id
                    .split_once('_')
                    .unwrap_or_else(|| panic!("{id:?} ({method} {path}) names no object"));
                assert!(
                    VERBS.contains(&verb) && !object.is_empty(),
                    "{id:?} ({method} {path}) does not start with a verb"
                );
                if let Some(other) = ids.insert(id.clone(), format!("{method} {path}")) {
                    panic!("{id:?} is both {other} and {method} {path}");
                }
            }
        }
    }

    #[test]
    fn every_201_declares_its_location_and_every_401_its_challenge() {
        let document = serde_json::to_value(openapi()).unwrap();
        let mut created = 0;
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if let Some(response) = operation["responses"].get("401") {
                    assert!(
                        response["headers"].get("WWW-Authenticate").is_some(),
                        "{method} {path}: 401 without WWW-Authenticate"
                    );
                }
                if operation["requestBody"]["content"]
                    .get("application/json")
                    .is_some()
                {
                    for status in ["413", "415", "422"] {
                        assert!(
                            operation["responses"].get(status).is_some(),
                            "{method} {path}: reads JSON but declares no {status}"
                        );
                    }
                }
                if let Some(response) = operation["responses"].get("201") {
                    created += 1;
                    assert!(
                        response["headers"].get("Location").is_some(),
                        "{method} {path}: 201 without Location"
                    );
                }
            }
        }
        assert!(created >= 15, "only {created} operations create");
    }
}
