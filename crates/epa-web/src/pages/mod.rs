//! The web application's pages: server-rendered HTML that works without
//! JavaScript, on the same `epa-app` use cases as the JSON API (one
//! function, two faces). Every page is behind the session gate
//! ([`session::SignedIn`]); every form post behind the CSRF checks
//! ([`form::PostedForm`]); every answer carries the security headers.

mod account;
mod assessor;
mod assets;
mod chart;
mod choices;
mod csrf;
mod dashboard;
mod deadline_rows;
mod dfe;
mod epa_list;
mod epa_page;
mod error;
mod exports;
mod form;
mod gateway_review;
mod gateway_submit;
mod grading;
mod headers;
mod home;
mod import;
mod login;
mod people;
mod plan_rules;
mod planning;
mod plans;
mod queues;
mod reallocate;
mod register;
mod replacements;
mod reports;
mod results;
mod schedule;
mod second_factor;
mod session;
mod sitting;
mod uploads;
mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(home::home))
        .route("/login", get(login::form).post(login::sign_in))
        .route("/logout", post(login::sign_out))
        .route(
            "/second-factor",
            get(second_factor::form).post(second_factor::confirm),
        )
        .route("/account", get(account::page))
        .route("/account/emails", post(account::save_emails))
        .route("/account/calendar/{action}", post(account::calendar))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/assessor", get(assessor::home))
        .route("/epas", get(epa_list::list))
        .route("/gateway", get(queues::gateway_reviews))
        .route("/results", get(queues::results))
        .route("/certificates", get(queues::certificates))
        .route("/schedule", get(schedule::page).post(schedule::confirm))
        .route("/dfe", get(dfe::page))
        .route("/dfe/{id}/resend", post(dfe::resend))
        .route("/epas/new", get(register::form).post(register::register))
        .route(
            "/epas/import",
            get(import::form)
                .post(import::import)
                .layer(axum::extract::DefaultBodyLimit::max(import::IMPORT_LIMIT)),
        )
        .route("/epas/{id}", get(epa_page::page))
        .route("/epas/{id}/gateway", get(gateway_review::page))
        .route(
            "/epas/{id}/gateway/submit",
            get(gateway_submit::form).post(gateway_submit::submit),
        )
        .route(
            "/epas/{id}/gateway/components/{kind}",
            post(gateway_review::decide_component),
        )
        .route("/epas/{id}/gateway/approve", post(gateway_review::approve))
        .route("/epas/{id}/gateway/reject", post(gateway_review::reject))
        .route(
            "/epas/{id}/assessor",
            get(reallocate::form).post(reallocate::reallocate),
        )
        .route("/epas/{id}/results", get(results::page))
        .route("/epas/{id}/results.pdf", get(reports::results_pdf))
        .route("/epas/{id}/gateway.pdf", get(reports::gateway_pdf))
        .route("/epas/{id}/results/release", post(results::release))
        .route(
            "/epas/{id}/results/{method}/release",
            post(results::release_method),
        )
        .route("/epas/{id}/certificate", post(results::claim_certificate))
        .route(
            "/epas/{id}/replacements",
            get(replacements::show).post(replacements::record),
        )
        .route(
            "/epas/{id}/replacements/{replacement}/requested",
            post(replacements::requested),
        )
        .route(
            "/epas/{id}/planning-meeting",
            get(planning::meeting_form).post(planning::hold_meeting),
        )
        .route(
            "/epas/{id}/bookings/new",
            get(planning::booking_form).post(planning::book),
        )
        .route(
            "/epas/{id}/bookings/{booking}/sitting",
            get(sitting::form).post(sitting::record),
        )
        .route(
            "/epas/{id}/assessments/{assessment}",
            get(grading::form).post(grading::save),
        )
        .route("/exports", get(exports::page))
        .route("/exports/{file}", get(exports::file))
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
        .layer(axum::middleware::map_response(error::styled_rejections))
        .layer(axum::middleware::map_response(headers::on_pages));
    Router::new()
        .route("/static/site.css", get(assets::stylesheet))
        .merge(pages)
}
