//! The JSON API, `/api/v1`, and its OpenAPI document at `/api/openapi.json`
//! with Swagger UI at `/api/docs`.

mod accounts;
mod assessment;
mod auth;
mod corrections;
mod deadlines;
mod documents;
mod epas;
mod gateway;
mod idempotency;
mod locator;
mod planning;
pub mod problem;

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
        .route("/deadlines", get(deadlines::due))
        .route("/epas/{id}/deadlines", get(deadlines::for_epa))
        .merge(gateway::routes())
        .merge(planning::routes())
        .merge(assessment::routes())
        .merge(documents::routes())
        .merge(locator::routes())
        .merge(corrections::routes())
        .layer(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
        // After the layer: the upload route reads its body itself, up to
        // its purpose's limit, and answers 413 as a problem.
        .merge(documents::upload_routes())
        .fallback(|| async {
            problem::problem(
                axum::http::StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                None,
                Vec::new(),
            )
        })
}

/// The whole OpenAPI document: the EPA routes and each part's own.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(accounts::Api::openapi());
    document.merge(deadlines::Api::openapi());
    document.merge(gateway::Api::openapi());
    document.merge(planning::Api::openapi());
    document.merge(assessment::Api::openapi());
    document.merge(documents::Api::openapi());
    document.merge(locator::Api::openapi());
    document.merge(corrections::Api::openapi());
    problems_as_problem_json(&mut document);
    document
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
