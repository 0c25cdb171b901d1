//! A portfolio sent as one zip file. Innovate takes the portfolio "either
//! by inserting a link to a SharePoint or including a zip file"; this is
//! the zip (ADR 0092). The archive is unpacked in memory (never onto a
//! disk) and becomes one evidence document per file inside it, each
//! checked exactly as an upload of evidence is: its type told from its
//! bytes and matching its name, within the evidence size limit, a Word or
//! OpenDocument file inspected before it is inflated. The archive itself is
//! held to the zip-bomb limits of the documents crate, with limits of its
//! own on its size, its files and what they inflate to.
//!
//! All or nothing: if any file inside is refused, nothing is stored and the
//! answer names every refused file and why. Names inside the archive are
//! data only: a document keeps the last part of its name (as an upload
//! does), and files are stored under their content hash.

use std::sync::Arc;

use epa_documents::{ArchiveEntry, Limits};
use epa_store::files::FileId;
use uuid::Uuid;

use crate::documents::{
    self, Checked, DocumentView, Purpose, Recorded, authorize_upload, check, clean_name, files,
};
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError};
use epa_domain::policy::Action;

const MIB: u64 = 1024 * 1024;

/// The largest archive accepted (the request body's limit too).
pub const ARCHIVE_MAX_BYTES: u64 = 50 * MIB;
/// The most all the files inside may inflate to together.
pub const ARCHIVE_MAX_INFLATED_BYTES: u64 = 100 * MIB;
/// The most entries (files, folders) an archive may hold.
pub const ARCHIVE_MAX_ENTRIES: usize = 200;

/// What the files inside become: portfolio evidence.
const PURPOSE: Purpose = Purpose::Evidence;

/// The archive's limits: the documents crate's bomb checks (entry count,
/// declared sizes, inflation ratio) with this route's sizes, and each file
/// no larger than an evidence upload may be.
fn limits() -> Limits {
    Limits {
        max_input_bytes: ARCHIVE_MAX_BYTES,
        max_entries: ARCHIVE_MAX_ENTRIES,
        max_entry_declared: PURPOSE.max_bytes(),
        max_total_declared: ARCHIVE_MAX_INFLATED_BYTES,
        ..Limits::default()
    }
}

/// Checks, before the body is read, that `actor` may send a portfolio for
/// the EPA (as they may upload evidence) and that uploads are possible.
pub async fn may_upload(app: &App, actor: &Actor, epa_id: Uuid) -> Result<(), AppError> {
    documents::may_upload(app, actor, epa_id, PURPOSE).await
}

/// One file from the archive, checked and ready to record.
struct Accepted {
    name: String,
    size: u64,
    bytes: Arc<Vec<u8>>,
    checked: Checked,
}

/// A refusal of one file inside, naming it as the archive does.
fn refused(entry: &str, why: impl std::fmt::Display) -> FieldError {
    FieldError::new("file", format!("{entry:?} in the archive: {why}"))
}

/// Checks one file from the archive as an evidence upload is checked.
/// `Ok(Err(..))` is a refusal of this file (the others are checked too,
/// so every refusal is listed); `Err` is our fault.
async fn check_entry(entry: ArchiveEntry) -> Result<Result<Accepted, Vec<FieldError>>, AppError> {
    let name = match clean_name(&entry.name) {
        Ok(name) => name,
        Err(AppError::Validation(errors)) => {
            return Ok(Err(errors
                .iter()
                .map(|e| refused(&entry.name, &e.message))
                .collect()));
        }
        Err(other) => return Err(other),
    };
    let size = entry.bytes.len() as u64;
    let bytes = Arc::new(entry.bytes);
    match check(Arc::clone(&bytes), name.clone(), PURPOSE).await {
        Ok(checked) => Ok(Ok(Accepted {
            name,
            size,
            bytes,
            checked,
        })),
        Err(AppError::Validation(errors)) => Ok(Err(errors
            .iter()
            .map(|e| refused(&entry.name, &e.message))
            .collect())),
        Err(other) => Err(other),
    }
}

/// Unpacks a portfolio archive into evidence documents for the EPA, one
/// per file inside, in the archive's order. Nothing is kept if the archive
/// or any file in it is refused.
pub async fn upload(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    archive: Vec<u8>,
) -> Result<Vec<DocumentView>, AppError> {
    may_upload(app, actor, epa_id).await?;
    let store = files(app)?;
    let size = archive.len() as u64;
    if size > ARCHIVE_MAX_BYTES {
        return Err(AppError::field(
            "file",
            format!("the archive is {size} bytes, more than the {ARCHIVE_MAX_BYTES}-byte limit"),
        ));
    }
    let archive_id = FileId::of(&archive);
    // Inflating is CPU work: off the async threads.
    let entries = tokio::task::spawn_blocking(move || epa_documents::unpack(&archive, &limits()))
        .await
        .map_err(AppError::internal)?
        .map_err(|err| AppError::field("file", format!("the archive: {err}")))?;

    let mut accepted = Vec::with_capacity(entries.len());
    let mut refusals = Vec::new();
    for entry in entries {
        match check_entry(entry).await? {
            Ok(file) => accepted.push(file),
            Err(errors) => refusals.extend(errors),
        }
    }
    if !refusals.is_empty() {
        return Err(AppError::Validation(refusals));
    }

    // As for an upload: the bytes are stored before the records are
    // written, so a record never names a missing file.
    let mut contents = Vec::with_capacity(accepted.len());
    for file in &accepted {
        contents.push(documents::put(&store, Arc::clone(&file.bytes)).await?);
    }

    let now = app.now();
    let mut tx = app.db.begin_write().await?;
    // Decided again on the row as it is inside the transaction.
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ViewEpa,
        documents::UPLOAD_REFUSED,
    )
    .await?;
    authorize_upload(&ctx, actor, PURPOSE)?;
    let mut views = Vec::with_capacity(accepted.len());
    for (file, content) in accepted.iter().zip(&contents) {
        let document = documents::record(
            &mut tx,
            actor,
            Recorded {
                epa_id,
                purpose: PURPOSE,
                name: &file.name,
                size: file.size,
                content,
                checked: &file.checked,
                limit: None,
                archive: Some(archive_id.as_str()),
            },
            now,
        )
        .await?;
        views.push(documents::view(&document));
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(views)
}
