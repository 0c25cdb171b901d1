//! The web application: one axum router for pages, the JSON API and the
//! health checks. Handlers are thin; the work is in `epa-app`.

pub mod api;
mod health;
mod layers;
mod pages;

use axum::Router;
use axum::routing::get;
use epa_app::App;

/// What every handler can reach. Nothing here is kept in one process's
/// memory that another node would need: the database is the state.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
}

/// The whole application, with its middleware.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .nest("/api/v1", api::routes())
        .merge(api::docs())
        .merge(pages::routes())
        .with_state(state);
    layers::apply(routes)
}
