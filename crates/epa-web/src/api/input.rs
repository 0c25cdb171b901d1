//! Reading a request's input, in one place for every API route: the JSON
//! body ([`json`], [`ApiJson`]), the query string ([`ApiQuery`]) and the
//! text of headers ([`check_line`]).
//!
//! Every piece of text is refused, with a 422 naming its field, when it holds
//! a control character other than tab, new line or carriage return. NUL in
//! particular: PostgreSQL cannot store it in text (the insert fails, which
//! would surface as a 500) and SQLite stores it silently, so two databases
//! would disagree. Refusing it here, before any use case runs, keeps every
//! route and both databases alike without a check in each handler.
//!
//! A body that does not fit the route's type names the field where serde
//! can say which (`portfolio.items[3].title`), through `serde_path_to_error`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::{AppError, FieldError};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::problem::{ApiError, problem};

/// Whether `c` may appear in text the API accepts.
fn allowed(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// The first control character in `text` that is not allowed, as a message.
fn control_message(text: &str) -> Option<String> {
    text.chars().enumerate().find(|(_, c)| !allowed(*c)).map(|(at, c)| {
        format!(
            "remove the control character U+{:04X} (character {}): only tab, new line and carriage return are allowed in text",
            u32::from(c),
            at + 1
        )
    })
}

/// Refuses `text` if it holds any control character at all, naming `field`:
/// for one-line values such as a file name, where even a tab or a new line
/// is a mistake (or an attempt to forge a header).
pub fn check_line(field: &str, text: &str) -> Result<(), ApiError> {
    match text.chars().enumerate().find(|(_, c)| c.is_control()) {
        Some((at, c)) => Err(ApiError(AppError::field(
            field,
            format!(
                "remove the control character U+{:04X} (character {}): this is one line of text",
                u32::from(c),
                at + 1
            ),
        ))),
        None => Ok(()),
    }
}

/// Every string (and object key) in `value` with a control character, each
/// named by its JSON path as `serde_path_to_error` writes it.
fn control_characters(value: &Value, path: &str, found: &mut Vec<FieldError>) {
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        Value::String(text) => {
            if let Some(message) = control_message(text) {
                found.push(FieldError::new(&field(path), message));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                control_characters(item, &format!("{path}[{index}]"), found);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if let Some(message) = control_message(key) {
                    found.push(FieldError::new(&field(&inner), message));
                    continue;
                }
                control_characters(item, &inner, found);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The field a deserialization error is about: its path, or for a missing
/// field the path it is missing from with its name, or `fallback` when serde
/// cannot tell.
fn error_field<E: std::fmt::Display>(
    err: &serde_path_to_error::Error<E>,
    fallback: &str,
) -> String {
    let path = err.path().to_string();
    let message = err.inner().to_string();
    let parent = if path == "." { "" } else { path.as_str() };
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        };
    }
    if parent.is_empty() {
        fallback.to_owned()
    } else {
        parent.to_owned()
    }
}

/// Why a body was not read: sent as problem details.
#[derive(Debug)]
pub enum BodyError {
    /// 415: the body is declared as something other than JSON.
    NotJson,
    /// 422: every field to fix.
    Invalid(Vec<FieldError>),
}

impl BodyError {
    fn field(field: &str, message: impl Into<String>) -> BodyError {
        BodyError::Invalid(vec![FieldError::new(field, message)])
    }
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        match self {
            BodyError::NotJson => problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Send JSON",
                Some("send the body as JSON, with Content-Type: application/json".to_owned()),
                Vec::new(),
            ),
            BodyError::Invalid(errors) => ApiError(AppError::Validation(errors)).into_response(),
        }
    }
}

/// Whether the request declares a JSON body, or declares nothing (a client
/// that sends no `Content-Type` is taken at its word that the body is JSON).
fn declares_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads a JSON body as `T`: 415 when it is declared as something else, 422
/// naming the field when it is not JSON, holds a control character in any
/// text, or does not fit `T`.
pub fn json<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, BodyError> {
    if !declares_json(headers) {
        return Err(BodyError::NotJson);
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| BodyError::field("body", format!("the body is not valid JSON: {err}")))?;
    let mut found = Vec::new();
    control_characters(&value, "", &mut found);
    if !found.is_empty() {
        return Err(BodyError::Invalid(found));
    }
    // The bytes again rather than `value`: numbers, duplicate keys and
    // borrowed strings behave exactly as a direct read would.
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let field = error_field(&err, "body");
        BodyError::field(&field, err.inner().to_string())
    })
}

/// A JSON body read by [`json`]; the rejection is the problem to send.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        json(&headers, &body)
            .map(ApiJson)
            .map_err(IntoResponse::into_response)
    }
}

/// The query string read as `T`: 422 naming the parameter when one holds a
/// control character or does not fit `T` (an unknown value of a closed set
/// lists the allowed ones).
pub struct ApiQuery<T>(pub T);

/// Reads `query` (without the `?`) as `T`; see [`ApiQuery`].
pub fn query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|err| {
        ApiError(AppError::field(
            "query",
            format!("the query string is not valid: {err}"),
        ))
    })?;
    let mut found = Vec::new();
    for (name, value) in &pairs {
        if let Some(message) = control_message(name).or_else(|| control_message(value)) {
            found.push(FieldError::new(name, message));
        }
    }
    if !found.is_empty() {
        return Err(ApiError(AppError::Validation(found)));
    }
    let deserializer = serde_urlencoded::Deserializer::new(form_pairs(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let field = error_field(&err, "query");
        ApiError(AppError::field(&field, err.inner().to_string()))
    })
}

fn form_pairs(bytes: &[u8]) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(bytes)
}

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        query(parts.uri.query().unwrap_or_default())
            .map(ApiQuery)
            .map_err(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        title: String,
        pieces: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        items: Vec<Item>,
    }

    fn field_names(body: &str) -> Vec<String> {
        let value: Value = serde_json::from_str(body).unwrap();
        let mut found = Vec::new();
        control_characters(&value, "", &mut found);
        found.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn control_characters_are_named_by_their_json_path() {
        assert_eq!(
            field_names(
                r#"{"name": "a\u0000b", "items": [{"title": "ok"}, {"title": "x\u0007"}]}"#
            ),
            ["items[1].title", "name"]
        );
        assert!(field_names(r#"{"name": "tab\there\nline\r\n", "items": []}"#).is_empty());
        assert_eq!(field_names(r#"["\u007f"]"#), ["[0]"]);
        assert_eq!(field_names(r#""\u0085""#), ["body"]);
        assert_eq!(field_names(r#"{"a\u0000": 1}"#), ["a\u{0}"]);
        let refused = json::<Body>(&HeaderMap::new(), br#"{"name": "\u0000", "items": []}"#);
        assert!(matches!(refused, Err(BodyError::Invalid(_))));
    }

    #[test]
    fn a_mismatch_names_its_path() {
        let headers = HeaderMap::new();
        let mut de = serde_json::Deserializer::from_str(
            r#"{"name": "n", "items": [{"title": "t", "pieces": 1}, {"title": "t", "pieces": "two"}]}"#,
        );
        let err = serde_path_to_error::deserialize::<_, Body>(&mut de).unwrap_err();
        assert_eq!(error_field(&err, "body"), "items[1].pieces");
        let mut de =
            serde_json::Deserializer::from_str(r#"{"name": "n", "items": [{"title": "t"}]}"#);
        let err = serde_path_to_error::deserialize::<_, Body>(&mut de).unwrap_err();
        assert_eq!(error_field(&err, "body"), "items[0].pieces");
        let mut de = serde_json::Deserializer::from_str(r#"{"items": []}"#);
        let err = serde_path_to_error::deserialize::<_, Body>(&mut de).unwrap_err();
        assert_eq!(error_field(&err, "body"), "name");
        assert!(json::<Body>(&headers, br#"{"name": "n", "items": []}"#).is_ok());
    }

    #[test]
    fn only_json_is_read() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        let err = json::<Body>(&headers, br#"{"name": "n", "items": []}"#).unwrap_err();
        assert!(matches!(err, BodyError::NotJson));
        headers.insert(
            header::CONTENT_TYPE,
            "Application/JSON; charset=utf-8".parse().unwrap(),
        );
        assert!(json::<Body>(&headers, br#"{"name": "n", "items": []}"#).is_ok());
        headers.insert(
            header::CONTENT_TYPE,
            "application/merge-patch+json".parse().unwrap(),
        );
        assert!(json::<Body>(&headers, br#"{"name": "n", "items": []}"#).is_ok());
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        limit: Option<i64>,
        grade: Option<epa_plan::Grade>,
    }

    #[test]
    fn a_query_names_its_parameter() {
        let field = |q: &str| match query::<Params>(q) {
            Ok(_) => None,
            Err(ApiError(AppError::Validation(errors))) => Some(errors[0].field.clone()),
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(field("limit=5&grade=pass"), None);
        assert_eq!(field("limit=five"), Some("limit".to_owned()));
        assert_eq!(field("grade=excellent"), Some("grade".to_owned()));
        assert_eq!(field("grade=pa%00ss"), Some("grade".to_owned()));
        assert_eq!(field(""), None);
    }
}
