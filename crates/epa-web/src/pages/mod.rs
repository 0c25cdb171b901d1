//! The web application's pages: server-rendered HTML that works without
//! JavaScript, on the same `epa-app` use cases as the JSON API (one
//! function, two faces). Every page is behind the session gate
//! ([`session::SignedIn`]); every form post behind the CSRF checks
//! ([`form::PostedForm`]); every answer carries the security headers.

mod assessor;
mod assets;
mod chart;
mod csrf;
mod dashboard;
mod deadline_rows;
mod epa_list;
mod epa_page;
mod error;
mod form;
mod grading;
mod headers;
mod home;
mod login;
mod register;
mod session;
mod sitting;
mod view;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(home::home))
        .route("/login", get(login::form).post(login::sign_in))
        .route("/logout", axum::routing::post(login::sign_out))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/assessor", get(assessor::home))
        .route("/epas", get(epa_list::list))
        .route("/epas/new", get(register::form).post(register::register))
        .route("/epas/{id}", get(epa_page::page))
        .route(
            "/epas/{id}/bookings/{booking}/sitting",
            get(sitting::form).post(sitting::record),
        )
        .route(
            "/epas/{id}/assessments/{assessment}",
            get(grading::form).post(grading::save),
        )
        .layer(axum::middleware::map_response(headers::on_pages));
    Router::new()
        .route("/static/site.css", get(assets::stylesheet))
        .merge(pages)
}
