//! Form posts: the fields as sent, once the post has shown it came from one
//! of this session's own pages (see [`super::csrf`]). A post that has not is
//! refused before any handler runs, and changes nothing.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::error::refusal;
use super::{csrf, session};
use crate::AppState;

/// The fields of a form, in the order sent (a name may repeat).
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value sent for `name`, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// The date sent for `name` (`YYYY-MM-DD`, as a date field sends it);
    /// when it is missing or not a real date (2027-02-30), the problem is
    /// added to `errors`, naming `what` was asked for.
    pub fn date(
        &self,
        name: &str,
        what: &str,
        errors: &mut Vec<epa_app::FieldError>,
    ) -> Option<chrono::NaiveDate> {
        let date = self.get(name).and_then(|text| text.parse().ok());
        if date.is_none() {
            errors.push(epa_app::FieldError::new(
                name,
                format!("Enter {what} as a real date"),
            ));
        }
        date
    }
}

/// The most bytes a form post may have (uploads have their own route).
const FORM_LIMIT: usize = 256 * 1024;

/// A form posted by a signed-in person from one of their own pages.
pub struct PostedForm(pub FormData);

/// A form posted before signing in (the sign-in form itself): only the
/// browser's word on its origin is checked, as there is no session yet.
pub struct PublicForm(pub FormData);

async fn body(request: Request, state: &AppState) -> Result<FormData, Response> {
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(IntoResponse::into_response)?;
    if bytes.len() > FORM_LIMIT {
        return Err(refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "That form was too large",
            "Shorten what you typed and send it again.",
        ));
    }
    Ok(FormData::parse(&bytes))
}

pub(super) fn cross_site() -> Response {
    refusal(
        StatusCode::FORBIDDEN,
        "That form could not be accepted",
        "It did not come from a page of this site, or the page had expired. Go back, reload the page and send the form again.",
    )
}

impl FromRequest<AppState> for PostedForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !csrf::same_origin(request.headers()) {
            return Err(cross_site());
        }
        let session_id = CookieJar::from_headers(request.headers())
            .get(session::COOKIE)
            .map(|cookie| cookie.value().to_owned());
        let form = body(request, state).await?;
        let Some(session_id) = session_id else {
            return Err(cross_site());
        };
        if !csrf::matches(&csrf::token_for(&session_id), form.get("csrf")) {
            return Err(cross_site());
        }
        Ok(PostedForm(form))
    }
}

impl FromRequest<AppState> for PublicForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !csrf::same_origin(request.headers()) {
            return Err(cross_site());
        }
        Ok(PublicForm(body(request, state).await?))
    }
}
