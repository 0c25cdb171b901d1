//! Uploading a document for an EPA from a page: the portfolio's evidence,
//! the project proposal and the report, sent as a multipart form to the
//! same use case as the API's `POST /api/v1/epas/{id}/documents`. The word
//! count and any over- or under-length warning are shown on arrival.
//!
//! A multipart body is not read to find the form's token: the token rides
//! in the form's action (`?csrf=`), and both CSRF checks are made before a
//! byte of the body is read. Who may upload is asked before the file is.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use epa_app::documents::{self, DOCUMENT_MAX_BYTES, DocumentView, Purpose, UploadInput};
use epa_app::{AppError, FieldError};
use serde::Deserialize;
use uuid::Uuid;

use super::csrf;
use super::error::{PageError, sentence, sentences};
use super::form::{FormData, cross_site};
use super::session::{self, SignedIn};
use super::view::{Chrome, Field, render, render_with, summary};
use crate::AppState;

/// What the upload form offers, in the order asked for.
const PURPOSES: [(Purpose, &str); 3] = [
    (Purpose::Evidence, "Portfolio evidence"),
    (Purpose::Proposal, "Project proposal"),
    (Purpose::Report, "Project report"),
];

/// The most bytes an upload post may have: the largest document and the
/// form around it.
pub const UPLOAD_LIMIT: usize = DOCUMENT_MAX_BYTES as usize + 64 * 1024;

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    chrome: Chrome,
    epa_id: Uuid,
    arrived: Option<Arrival>,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
    documents: Vec<Arrival>,
}

/// A document as received: its name, what it is for and its words.
struct Arrival {
    name: String,
    purpose: &'static str,
    words: Option<String>,
    /// `under` or `over` the policy's limit.
    warning: Option<String>,
}

fn purpose_name(purpose: &str) -> &'static str {
    match purpose {
        "evidence" => "Portfolio evidence",
        "proposal" => "Project proposal",
        "report" => "Project report",
        "annex" => "Report annex",
        "photo_id" => "Photo ID",
        "recording" => "Recording",
        _ => "Document",
    }
}

fn arrival(document: &DocumentView) -> Arrival {
    let words = document.words.as_ref();
    Arrival {
        name: document.declared_name.clone(),
        purpose: purpose_name(&document.purpose),
        words: words.map(|words| sentence(&words.summary)),
        warning: words
            .and_then(|words| words.verdict.as_deref())
            .and_then(|verdict| match verdict {
                "under" => Some(
                    "This is shorter than the EPAO's limit allows. It is flagged for the assessor; upload a longer version if you can.",
                ),
                "over" => Some(
                    "This is longer than the EPAO's limit allows. It is flagged for the assessor; upload a shorter version if you can.",
                ),
                _ => None,
            })
            .map(str::to_owned),
    }
}

fn fields(form: &FormData, errors: &[FieldError]) -> Vec<Field> {
    let mut choices = vec![(String::new(), "Choose one".to_owned())];
    choices.extend(
        PURPOSES
            .iter()
            .map(|(purpose, label)| (purpose.as_str().to_owned(), (*label).to_owned())),
    );
    vec![
        Field::new("purpose", "What is it?", "select")
            .options(choices)
            .filled(form, errors),
        Field::new("file", "The file", "file")
            .hint("A Word (.docx), OpenDocument (.odt), PDF, text or Markdown document; evidence may also be an image or a recording. At most 25 MB.")
            .filled(form, errors),
    ]
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    epa_id: Uuid,
    arrived: Option<Arrival>,
    form: &FormData,
    errors: Vec<FieldError>,
) -> Result<UploadPage, PageError> {
    let documents = documents::list(&state.app, &signed_in.actor, epa_id).await?;
    let fields = fields(form, &errors);
    let title = if errors.is_empty() {
        "Upload a document"
    } else {
        "Error: Upload a document"
    };
    Ok(UploadPage {
        chrome: Chrome::new(signed_in, title, ""),
        epa_id,
        arrived,
        errors: summary(&errors, &fields),
        fields,
        documents: documents
            .iter()
            .filter(|document| PURPOSES.iter().any(|(p, _)| p.as_str() == document.purpose))
            .map(arrival)
            .collect(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct Arrived {
    #[serde(default)]
    uploaded: Option<Uuid>,
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    Query(query): Query<Arrived>,
) -> Result<Response, PageError> {
    // Only those who may upload see the form (the post asks again).
    documents::may_upload(&state.app, &signed_in.actor, epa_id, Purpose::Evidence).await?;
    let arrived = match query.uploaded {
        Some(id) => {
            let document = documents::get(&state.app, &signed_in.actor, id).await?;
            (document.epa_id == epa_id).then(|| arrival(&document))
        }
        None => None,
    };
    let page = page(
        &state,
        &signed_in,
        epa_id,
        arrived,
        &FormData::default(),
        Vec::new(),
    )
    .await?;
    Ok(render(&page))
}

/// An upload posted from one of this session's own pages: the same two
/// checks as [`super::form::PostedForm`], the token read from the query.
pub struct PostedUpload(pub Multipart);

#[derive(Deserialize)]
struct Token {
    csrf: Option<String>,
}

impl FromRequest<AppState> for PostedUpload {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !csrf::same_origin(request.headers()) {
            return Err(cross_site());
        }
        let Some(session_id) = CookieJar::from_headers(request.headers())
            .get(session::COOKIE)
            .map(|cookie| cookie.value().to_owned())
        else {
            return Err(cross_site());
        };
        let sent = request
            .uri()
            .query()
            .and_then(|query| serde_urlencoded::from_str::<Token>(query).ok())
            .and_then(|token| token.csrf);
        if !csrf::matches(&csrf::token_for(&session_id), sent.as_deref()) {
            return Err(cross_site());
        }
        Multipart::from_request(request, state)
            .await
            .map(PostedUpload)
            .map_err(IntoResponse::into_response)
    }
}

/// The form's fields as sent: the purpose, then the file.
struct Sent {
    purpose: Option<Purpose>,
    form: FormData,
    file: Option<(String, Vec<u8>)>,
}

fn unreadable() -> AppError {
    AppError::field(
        "file",
        "the file could not be read, or is larger than 25 MB: choose it and send it again",
    )
}

async fn read(
    state: &AppState,
    signed_in: &SignedIn,
    epa_id: Uuid,
    mut multipart: Multipart,
) -> Result<Sent, AppError> {
    let mut sent = Sent {
        purpose: None,
        form: FormData::default(),
        file: None,
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().map(str::to_owned);
        match name.as_deref() {
            Some("purpose") => {
                let text = field.text().await.map_err(|_| unreadable())?;
                sent.purpose = PURPOSES
                    .iter()
                    .map(|(purpose, _)| *purpose)
                    .find(|purpose| purpose.as_str() == text.trim());
                sent.form.0.push(("purpose".to_owned(), text));
            }
            Some("file") => {
                let Some(purpose) = sent.purpose else {
                    // The purpose comes first in the form; without it the
                    // file is passed over.
                    continue;
                };
                // Who may upload is decided before the file is read.
                documents::may_upload(&state.app, &signed_in.actor, epa_id, purpose).await?;
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                if !file_name.is_empty() || !bytes.is_empty() {
                    sent.file = Some((file_name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    Ok(sent)
}

pub async fn upload(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedUpload(multipart): PostedUpload,
) -> Result<Response, PageError> {
    let (form, errors) = match read(&state, &signed_in, epa_id, multipart).await {
        Err(AppError::Validation(problems)) => (FormData::default(), problems),
        Err(err) => return Err(err.into()),
        Ok(Sent {
            purpose: None,
            form,
            ..
        }) => (
            form,
            vec![FieldError::new("purpose", "Choose what the document is")],
        ),
        Ok(Sent {
            file: None, form, ..
        }) => (
            form,
            vec![FieldError::new("file", "Choose the file to upload")],
        ),
        Ok(Sent {
            purpose: Some(purpose),
            file: Some((name, bytes)),
            form,
        }) => {
            let input = UploadInput {
                purpose,
                declared_name: name,
                bytes,
            };
            match documents::upload(&state.app, &signed_in.actor, epa_id, input).await {
                Ok(document) => {
                    return Ok(Redirect::to(&format!(
                        "/epas/{epa_id}/upload?uploaded={}",
                        document.id
                    ))
                    .into_response());
                }
                Err(AppError::Validation(problems)) => (form, problems),
                Err(err) => return Err(err.into()),
            }
        }
    };
    let errors = sentences(
        errors
            .into_iter()
            .map(|err| FieldError {
                // The file's name is the file's own problem here.
                field: if err.field == "file_name" {
                    "file".to_owned()
                } else {
                    err.field
                },
                message: err.message,
            })
            .collect(),
    );
    let page = page(&state, &signed_in, epa_id, None, &form, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
