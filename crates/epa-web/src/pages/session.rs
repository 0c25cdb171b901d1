//! Who is asking for a page: the session cookie, checked in the database on
//! every request (ADR 0117), so signing out or deactivation takes effect at
//! once on every node.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use epa_app::Actor;
use epa_app::people::web_sessions;
use epa_store::users::{self, Role};

use super::csrf;
use super::error::PageError;
use crate::AppState;

/// The pages that set up a second factor: all a restricted session reaches.
pub const SETTING_UP: &str = "/second-factor";

/// The session cookie's name.
pub const COOKIE: &str = "epa_session";

/// A signed-in person, as every page handler receives them.
pub struct SignedIn {
    pub actor: Actor,
    pub display_name: String,
    /// The token every form of this session carries (see [`csrf`]).
    pub csrf: String,
    /// The session is good only for setting up a second factor.
    pub restricted: bool,
}

impl SignedIn {
    /// The most senior role the person holds: it picks their home page.
    pub fn main_role(&self) -> Option<Role> {
        self.actor.memberships.iter().map(|m| m.role).min()
    }

    pub fn is_epao_staff(&self) -> bool {
        [Role::EpaoAdmin, Role::EpaoOperations, Role::QualityAssurer]
            .into_iter()
            .any(|role| self.actor.has_role(role))
    }
}

/// A visitor who may or may not be signed in (the sign-in page, `/`).
pub struct MaybeSignedIn(pub Option<SignedIn>);

/// The cookie that carries a new session: not readable by scripts, sent on
/// same-site requests and top-level navigations only.
pub fn cookie(session_id: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, session_id))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

/// The cookie that ends a session in the browser.
pub fn removal() -> Cookie<'static> {
    Cookie::build((COOKIE, "")).path("/").build()
}

/// The session id the browser sent, if any.
pub fn session_id(parts: &Parts) -> Option<String> {
    CookieJar::from_headers(&parts.headers)
        .get(COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}

async fn load(parts: &Parts, state: &AppState) -> Result<Option<SignedIn>, PageError> {
    let Some(session_id) = session_id(parts) else {
        return Ok(None);
    };
    let app = &state.app;
    let Some(session) = web_sessions::current(app, &session_id).await? else {
        return Ok(None);
    };
    let user = users::get(&app.db, session.user_id)
        .await
        .map_err(epa_app::AppError::from)?;
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    Ok(Some(SignedIn {
        actor: Actor {
            user_id: session.user_id,
            memberships: session.memberships,
            request_id,
        },
        display_name: user.display_name,
        csrf: csrf::token_for(&session_id),
        restricted: session.restricted,
    }))
}

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        load(parts, state)
            .await
            .map(MaybeSignedIn)
            .map_err(IntoResponse::into_response)
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    /// Not signed in: to the sign-in page, which brings them back here.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match load(parts, state).await {
            // Someone who must set up a second factor does that first.
            Ok(Some(signed_in))
                if signed_in.restricted && !parts.uri.path().starts_with(SETTING_UP) =>
            {
                Err(Redirect::to(SETTING_UP).into_response())
            }
            Ok(Some(signed_in)) => Ok(signed_in),
            Ok(None) => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |pq| pq.as_str())
                    .to_owned();
                let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
            Err(err) => Err(err.into_response()),
        }
    }
}
