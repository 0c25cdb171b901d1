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
mod people;
mod plan_rules;
mod plans;
mod register;
mod session;
mod sitting;
mod uploads;
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
        .route("/plans", get(plans::list))
        .route(
            "/plans/{standard}/{version}/differences",
            get(plans::compare),
        )
        .route("/plans/{standard}/{version}/{epao}", get(plans::policy))
        .route("/people", get(people::list))
        .route(
            "/people/invite",
            get(people::invite_form).post(people::invite),
        )
        .route(
            "/people/{id}/{change}",
            get(people::confirm_switch).post(people::switch),
        )
        .route(
            "/epas/{id}/upload",
            get(uploads::form)
                .post(uploads::upload)
                .layer(axum::extract::DefaultBodyLimit::max(uploads::UPLOAD_LIMIT)),
        )
        .layer(axum::middleware::map_response(headers::on_pages));
    Router::new()
        .route("/static/site.css", get(assets::stylesheet))
        .merge(pages)
}
