//! The JSON API, `/api/v1`, and its OpenAPI document at `/api/openapi.json`
//! with Swagger UI at `/api/docs`.

mod accounts;
mod assessment;
mod auth;
mod epas;
mod gateway;
mod idempotency;
mod planning;
pub mod problem;

use axum::Router;
use axum::routing::get;
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

/// The `/api/v1` routes, relative to where they are nested. Unknown API
/// paths answer 404 as problem details too.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epas", get(epas::list).post(epas::register))
        .route("/epas/{id}", get(epas::get))
        .route("/epas/{id}/timeline", get(epas::timeline))
        .route("/tokens", axum::routing::post(accounts::sign_in))
        .merge(gateway::routes())
        .merge(planning::routes())
        .merge(assessment::routes())
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
    document.merge(gateway::Api::openapi());
    document.merge(planning::Api::openapi());
    document.merge(assessment::Api::openapi());
    document
}

/// Swagger UI and the document it reads.
pub fn docs() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi()))
}
