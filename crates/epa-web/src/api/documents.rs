//! `/api/v1` routes for uploaded documents: upload (the file's bytes as the
//! body, its name in `X-File-Name`), a document's record, its download as
//! an attachment, an EPA's documents, and suggested KSBs for a piece of
//! evidence.
//!
//! The body of an upload is read only after the caller is known to be
//! allowed, and never past the purpose's size limit (413 beyond it); the
//! JSON routes keep the API's small limit ([`super::JSON_BODY_LIMIT`]).

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use epa_app::documents::{self, DocumentView, LimitView, Purpose, UploadInput, WordsView};
use epa_app::mapping::{self, SuggestedKsb, SuggestionInput, SuggestionsView};
use epa_app::portfolio_archive::{self, ARCHIVE_MAX_BYTES};
use epa_app::{AppError, FieldError};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency::{self, text_at};
use super::input::{self, ApiJson, ApiQuery};
use super::problem::{ApiError, Problem, path_id, problem};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        upload_document, upload_portfolio_archive, list_documents, get_document, download,
        suggest_ksbs
    ),
    components(schemas(
        DocumentView, WordsView, LimitView, Purpose, SuggestionInput, SuggestionsView,
        SuggestedKsb
    )),
    tags((name = "documents", description = "Uploaded documents with their checks and word counts, and suggested KSB mappings"))
)]
pub struct Api;

/// The JSON routes of this part (under the API's body limit).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epas/{id}/documents", get(list_documents))
        .route("/documents/{id}", get(get_document))
        .route("/documents/{id}/content", get(download))
        .route("/ksb-suggestions", post(suggest_ksbs))
}

/// The upload routes: they read their own bodies, up to their limits.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/epas/{id}/documents", post(upload_document))
        .route(
            "/epas/{id}/documents/archive",
            post(upload_portfolio_archive),
        )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// `photo_id`, `evidence`, `proposal`, `report`, `annex` or `recording`.
    pub purpose: String,
}

/// The uploaded name: `X-File-Name`, percent-encoded when it is not plain
/// ASCII (as `encodeURIComponent` writes it).
fn declared_name(headers: &HeaderMap) -> Result<String, ApiError> {
    let raw = headers
        .get("x-file-name")
        .ok_or_else(|| {
            ApiError(AppError::field(
                "file_name",
                "send the file's name, with its extension, in the X-File-Name header",
            ))
        })?
        .as_bytes();
    let name = percent_decode(raw).ok_or_else(|| {
        ApiError(AppError::field(
            "file_name",
            "the X-File-Name header is not valid UTF-8 once percent-decoded",
        ))
    })?;
    input::check_line("file_name", &name)?;
    Ok(name)
}

fn percent_decode(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%'
            && i + 2 < raw.len()
            && let (Some(hi), Some(lo)) = (hex(raw[i + 1]), hex(raw[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// 413 for an upload of `what` ("a report upload") past `limit` bytes.
fn too_large(what: &str, limit: u64) -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "The file is too large",
        Some(format!(
            "{what} may be at most {} MB ({limit} bytes)",
            limit / (1024 * 1024)
        )),
        vec![FieldError::new(
            "file",
            format!("upload a file of at most {} MB", limit / (1024 * 1024)),
        )],
    )
}

/// Upload a document for the EPA. The body is the file's bytes; its type
/// is told from them (the `Content-Type` sent is not trusted) and must
/// match the name's extension and suit the purpose. A proposal or report
/// has its words counted and judged against the policy's limit; a report
/// under the minimum or over the maximum is flagged to the allocated
/// assessor.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/documents", tag = "documents", operation_id = "upload_document",
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        UploadParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat an upload safely: the same key with the same file returns the first answer for at least 24 hours"),
        ("X-File-Name" = String, Header, description = "The file's name with its extension, percent-encoded if not ASCII (kept as data, never as a path)"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes: at most 25 MB, 200 MB for a recording"),
    responses(
        (status = 201, description = "Checked and kept: the record with any word counts, verdict and sentence", body = DocumentView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "May see the EPA but not upload for it", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 413, description = "Larger than the purpose's limit", body = Problem),
        (status = 415, description = "Sent as a multipart form rather than the file's bytes", body = Problem),
        (status = 422, description = "Refused: the type, name, content or purpose is wrong (the reason is in errors)", body = Problem),
        (status = 503, description = "This server keeps no uploads", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn upload_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    params: ApiQuery<UploadParams>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match upload_inner(state, actor, id, params, headers, body).await {
        Ok(response) | Err(response) => response,
    }
}

async fn upload_inner(
    state: AppState,
    actor: epa_app::Actor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiQuery(params): ApiQuery<UploadParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    let id = path_id(id).map_err(IntoResponse::into_response)?;
    let purpose = Purpose::parse(params.purpose.trim()).ok_or_else(|| {
        ApiError(AppError::field(
            "purpose",
            "choose photo_id, evidence, proposal, report, annex or recording",
        ))
        .into_response()
    })?;
    // Who may upload is decided before a byte of the body is read.
    documents::may_upload(&state.app, &actor, id, purpose)
        .await
        .map_err(|err| ApiError(err).into_response())?;
    let name = declared_name(&headers).map_err(IntoResponse::into_response)?;
    let what = format!("a {} upload", purpose.as_str());
    let bytes = read_file(&headers, body, purpose.max_bytes(), &what).await?;
    // The purpose and name are part of what the key's request is.
    let route = format!(
        "POST /api/v1/epas/{id}/documents?purpose={}\nX-File-Name: {name}",
        purpose.as_str()
    );
    let app = &state.app;
    Ok(idempotency::respond(
        &state,
        &actor,
        &headers,
        &route,
        &bytes,
        StatusCode::CREATED,
        &|view| text_at(view, "/id").map(|id| format!("/api/v1/documents/{id}")),
        async {
            let input = UploadInput {
                purpose,
                declared_name: name.clone(),
                bytes: Vec::from(bytes.clone()),
            };
            documents::upload(app, &actor, id, input)
                .await
                .map_err(ApiError)
        },
    )
    .await)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ArchiveParams {
    /// What the archive is: `portfolio` (the only kind sent as a zip).
    pub purpose: String,
}

/// Send a portfolio of evidence as one zip file (Innovate takes it "either
/// by inserting a link to a SharePoint or including a zip file"). The body
/// is the zip's bytes. Each file inside becomes an evidence document,
/// checked as an evidence upload is (type told from its bytes and matching
/// its name, at most 25 MB, Word and OpenDocument files inspected before
/// inflating); the archive is held to zip-bomb limits. Names inside are
/// kept as data only. All or nothing: if any file is refused, nothing is
/// kept and the 422 names each refused file and why.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/documents/archive", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ArchiveParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat an upload safely: the same key with the same zip returns the first answer for at least 24 hours"),
    ),
    request_body(content = Vec<u8>, content_type = "application/zip", description = "The zip's bytes: at most 50 MB, its files at most 25 MB each and 100 MB together"),
    responses(
        (status = 201, description = "Unpacked and kept: one evidence document per file, in the archive's order", body = Vec<DocumentView>,
            headers(("Location" = String, description = "The EPA's documents"))),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "May see the EPA but not upload for it", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 413, description = "Larger than 50 MB", body = Problem),
        (status = 415, description = "Sent as a multipart form rather than the zip's bytes", body = Problem),
        (status = 422, description = "Refused, and nothing kept: not a zip, unsafe to inflate, or a file inside refused (each named, with why, in errors)", body = Problem),
        (status = 503, description = "This server keeps no uploads", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn upload_portfolio_archive(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiQuery(params): ApiQuery<ArchiveParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    let id = path_id(id).map_err(IntoResponse::into_response)?;
    if params.purpose.trim() != "portfolio" {
        return Err(ApiError(AppError::field(
            "purpose",
            "only a portfolio is sent as a zip: choose portfolio, or upload each file on its own",
        ))
        .into_response());
    }
    // Who may upload is decided before a byte of the body is read.
    portfolio_archive::may_upload(&state.app, &actor, id)
        .await
        .map_err(|err| ApiError(err).into_response())?;
    let bytes = read_file(&headers, body, ARCHIVE_MAX_BYTES, "a portfolio archive").await?;
    let route = format!("POST /api/v1/epas/{id}/documents/archive?purpose=portfolio");
    let app = &state.app;
    Ok(idempotency::respond(
        &state,
        &actor,
        &headers,
        &route,
        &bytes,
        StatusCode::CREATED,
        &|_| Some(format!("/api/v1/epas/{id}/documents")),
        async {
            portfolio_archive::upload(app, &actor, id, Vec::from(bytes.clone()))
                .await
                .map_err(ApiError)
        },
    )
    .await)
}

/// Reads an upload's body: the file's bytes themselves, never past `limit`
/// (413 naming `what` beyond it, before reading when `Content-Length` says
/// so).
pub(super) async fn read_file(
    headers: &HeaderMap,
    body: Body,
    limit: u64,
    what: &str,
) -> Result<axum::body::Bytes, Response> {
    // A multipart form wraps the file in boundaries that would be sniffed
    // as text; other content types are ignored (curl's --data-binary sends
    // application/x-www-form-urlencoded by default).
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    if form {
        return Err(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send the file itself",
            Some(
                "send the file's bytes as the request body, with its name in X-File-Name, not a multipart form"
                    .to_owned(),
            ),
            Vec::new(),
        ));
    }
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > limit) {
        return Err(too_large(what, limit));
    }
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(body, limit_usize).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<LengthLimitError>() => Err(too_large(what, limit)),
        Err(err) => Err(
            ApiError::bad_request(format!("the upload was not received whole: {err}"))
                .into_response(),
        ),
    }
}

/// The EPA's documents, oldest first.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/documents", tag = "documents", operation_id = "list_documents",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The documents", body = Vec<DocumentView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_documents(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    Ok(Json(
        documents::list(&state.app, &actor, path_id(id)?).await?,
    ))
}

/// A document's record: what it is, its size and hash, its word counts.
#[utoipa::path(
    get, path = "/api/v1/documents/{id}", tag = "documents", operation_id = "get_document",
    params(("id" = Uuid, Path, description = "The document's ID")),
    responses(
        (status = 200, description = "The document's record", body = DocumentView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such document, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(
        documents::get(&state.app, &actor, path_id(id)?).await?,
    ))
}

/// A name safe inside a quoted `filename="..."`: ASCII letters, digits and
/// `._- ` only; the exact name goes in `filename*`.
fn ascii_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.trim().is_empty() {
        "document".to_owned()
    } else {
        safe
    }
}

/// RFC 8187 encoding for `filename*=UTF-8''...`.
fn rfc8187(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Download a document, always as an attachment: the browser never renders
/// it in the product's origin, and `nosniff` stops it guessing another type.
#[utoipa::path(
    get, path = "/api/v1/documents/{id}/content", tag = "documents", operation_id = "download_document",
    params(("id" = Uuid, Path, description = "The document's ID")),
    responses(
        (status = 200, description = "The file's bytes, with the media type of its sniffed kind", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such document, or not yours to see", body = Problem),
        (status = 503, description = "This server keeps no uploads", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn download(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Response, ApiError> {
    let (view, bytes) = documents::content(&state.app, &actor, path_id(id)?).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_name(&view.declared_name),
        rfc8187(&view.declared_name)
    );
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(headers, header::CONTENT_TYPE, &view.media_type);
    set(headers, header::CONTENT_DISPOSITION, &disposition);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Should it be opened in a tab after all, it runs nothing.
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; sandbox",
    );
    set(headers, header::CACHE_CONTROL, "private, no-store");
    Ok(response)
}

/// Suggest the KSBs an evidence item's description most resembles (BM25
/// over the plan's KSB statements and this EPAO's criteria). Suggestions
/// only: the user confirms the mapping.
#[utoipa::path(
    post, path = "/api/v1/ksb-suggestions", tag = "documents", operation_id = "suggest_ksbs",
    request_body = SuggestionInput,
    responses(
        (status = 200, description = "The suggestions, best first", body = SuggestionsView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 422, description = "The description or method needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn suggest_ksbs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<SuggestionInput>,
) -> Result<Json<SuggestionsView>, ApiError> {
    Ok(Json(mapping::suggest(&state.app, &actor, input).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_decode_and_encode() {
        assert_eq!(
            percent_decode(b"r%C3%A9sum%C3%A9.docx").unwrap(),
            "résumé.docx"
        );
        assert_eq!(percent_decode(b"100%.txt").unwrap(), "100%.txt");
        assert_eq!(ascii_name("résumé \"x\".docx"), "r_sum_ _x_.docx");
        assert_eq!(rfc8187("a b.docx"), "a%20b.docx");
    }
}
