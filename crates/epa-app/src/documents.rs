//! Uploaded documents (ADR 0090): photo ID, portfolio evidence, the project
//! proposal and report, annexes and recordings. An upload is checked before
//! anything is kept: its type is told from the bytes and must match its
//! name and suit its purpose, zip containers are inspected before they are
//! inflated, and a proposal's or report's words are counted and judged
//! against the EPA's policy. The bytes go to the file store under their
//! SHA-256; the record, its audit event and any message to the assessor go
//! in one transaction.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use epa_documents::{FileKind, Limits, Verdict, WordCount, WordLimit};
use epa_domain::policy::Action;
use epa_plan::EffectivePlan;
use epa_store::Tx;
use epa_store::audit::{self, NewAuditEvent};
use epa_store::documents::{self as store, Document, NewDocument};
use epa_store::files::{FileError, FileId, FileStore};
use epa_store::outbox;
use epa_store::users;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::gate::EpaContext;
use crate::render::email::{Message, WordLimitSide};
use crate::{Actor, App, AppError};

const MIB: u64 = 1024 * 1024;

/// The largest document (photo ID, evidence, proposal, report, annex).
pub const DOCUMENT_MAX_BYTES: u64 = 25 * MIB;
/// The largest recording (audio or video evidence, an assessment's recording).
pub const RECORDING_MAX_BYTES: u64 = 200 * MIB;
/// The longest file name kept (the name is data, shown to people).
const NAME_MAX_CHARS: usize = 255;

/// What a document is for: decides which kinds of file are accepted, how
/// large, and whether its words are judged against a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    PhotoId,
    Evidence,
    Proposal,
    Report,
    Annex,
    Recording,
}

impl Purpose {
    pub const ALL: [Purpose; 6] = [
        Purpose::PhotoId,
        Purpose::Evidence,
        Purpose::Proposal,
        Purpose::Report,
        Purpose::Annex,
        Purpose::Recording,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PhotoId => "photo_id",
            Purpose::Evidence => "evidence",
            Purpose::Proposal => "proposal",
            Purpose::Report => "report",
            Purpose::Annex => "annex",
            Purpose::Recording => "recording",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The most bytes an upload for this purpose may have.
    pub fn max_bytes(self) -> u64 {
        match self {
            Purpose::Recording => RECORDING_MAX_BYTES,
            _ => DOCUMENT_MAX_BYTES,
        }
    }

    /// The kinds of file accepted, by what the bytes are.
    pub fn accepts(self, kind: FileKind) -> bool {
        use FileKind::*;
        let document = matches!(kind, Docx | Odt | Pdf | Txt | Markdown);
        let image = matches!(kind, Png | Jpeg);
        let recording = matches!(kind, Mp3 | Mp4 | Wav | Webm | Ogg);
        match self {
            Purpose::PhotoId => image || kind == Pdf,
            Purpose::Proposal | Purpose::Report => document,
            Purpose::Evidence | Purpose::Annex => document || image || recording,
            Purpose::Recording => recording,
        }
    }

    /// What to accept, in words, for the refusal.
    fn accepted_kinds(self) -> &'static str {
        match self {
            Purpose::PhotoId => "a PNG or JPEG image, or a PDF",
            Purpose::Proposal | Purpose::Report => {
                "a Word (.docx), OpenDocument (.odt), PDF, text or Markdown document"
            }
            Purpose::Evidence | Purpose::Annex => {
                "a document (.docx, .odt, .pdf, .txt, .md), an image (.png, .jpg) or a recording"
            }
            Purpose::Recording => "an audio or video recording (.mp3, .mp4, .wav, .webm, .ogg)",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Purpose::PhotoId => "photo ID",
            Purpose::Evidence => "evidence",
            Purpose::Proposal => "a project proposal",
            Purpose::Report => "the project report",
            Purpose::Annex => "a report annex",
            Purpose::Recording => "a recording",
        }
    }
}

/// An upload as received: the purpose, the name the uploader gave it (data
/// only, never a path) and the bytes, already within [`Purpose::max_bytes`].
#[derive(Debug, Clone)]
pub struct UploadInput {
    pub purpose: Purpose,
    pub declared_name: String,
    pub bytes: Vec<u8>,
}

/// An uploaded document and what its checks found.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub epa_id: Uuid,
    /// `photo_id`, `evidence`, `proposal`, `report`, `annex` or `recording`.
    pub purpose: String,
    /// The name it was uploaded with (shown only; it is stored by content).
    pub declared_name: String,
    /// What the bytes are: `docx`, `odt`, `pdf`, `txt`, `md`, `png`, `jpeg`, `mp3` ...
    pub kind: String,
    /// The media type it is served with.
    pub media_type: String,
    pub size_bytes: i64,
    /// The SHA-256 of the content, in hex: the file's ID in the store.
    pub sha256: String,
    /// The word counts, for documents with words.
    pub words: Option<WordsView>,
    /// A report under the policy's minimum or over its maximum: the
    /// allocated assessor is told.
    pub flag_for_assessor: bool,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
}

/// Words counted as `epa wordcount` counts them (ADR 0031).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WordsView {
    /// The main text: headings, paragraphs, lists, tables and notes before the annexes.
    pub words: i64,
    /// From the first annex heading to the end.
    pub annex_words: i64,
    /// Best effort (PDF).
    pub approximate: bool,
    /// The heading that started the annexes.
    pub annex_heading: Option<String>,
    /// The words the limit compares (the main text, or with the annexes
    /// when the policy's limit does not exclude them); absent with no limit.
    pub counted_words: Option<i64>,
    /// The policy's limit for a proposal or report, when it sets one.
    pub limit: Option<LimitView>,
    /// `under`, `within` or `over` the limit.
    pub verdict: Option<String>,
    /// The sentence a person reads, such as
    /// "2,480 words in the report and 700 in annexes: within 2,250-2,750".
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LimitView {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

pub(crate) fn view(doc: &Document) -> DocumentView {
    let words = doc.words.map(|words| WordsView {
        words,
        annex_words: doc.annex_words.unwrap_or(0),
        approximate: doc.approximate.unwrap_or(false),
        annex_heading: doc.annex_heading.clone(),
        counted_words: doc.counted_words,
        limit: (doc.limit_min.is_some() || doc.limit_max.is_some()).then_some(LimitView {
            min: doc.limit_min,
            max: doc.limit_max,
        }),
        verdict: doc.verdict.clone(),
        summary: doc.summary.clone().unwrap_or_default(),
    });
    DocumentView {
        id: doc.id,
        epa_id: doc.epa_id,
        purpose: doc.purpose.clone(),
        declared_name: doc.declared_name.clone(),
        kind: doc.kind.clone(),
        media_type: doc.media_type.clone(),
        size_bytes: doc.size_bytes,
        sha256: doc.content_hash.clone(),
        words,
        flag_for_assessor: doc.flag_for_assessor,
        uploaded_by: doc.uploaded_by,
        uploaded_at: doc.uploaded_at,
    }
}

// ---------------------------------------------------------------------------
// Word limits from the policy.

/// A limit from the EPAO's policy and what it applies to.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyLimit {
    /// `None` when the policy sets no limit (Innovate's synopsis).
    pub limit: Option<WordLimit>,
    /// The report's limit leaves the annexes out; TQUK's proposal's does not.
    pub excludes_annexes: bool,
    /// "the report", "the work-based project proposal".
    pub what: String,
}

/// The policy's limit on a proposal or report; `None` for other purposes.
/// Stated `min`/`max` are used, and `target` +/- `tolerance_percent` fills a
/// missing bound (ADR 0034).
pub fn policy_limit(plan: &EffectivePlan, purpose: Purpose) -> Option<PolicyLimit> {
    let limits = &plan.rules.word_limits;
    let (stated, what) = match purpose {
        Purpose::Report => (Some(&limits.report), "the report".to_owned()),
        Purpose::Proposal => (
            limits.proposal.as_ref(),
            format!("the {}", plan.rules.proposal.name.to_lowercase()),
        ),
        _ => return None,
    };
    Some(match stated {
        Some(stated) => PolicyLimit {
            limit: Some(word_limit(stated)),
            excludes_annexes: stated.excludes_annexes,
            what,
        },
        None => PolicyLimit {
            limit: None,
            excludes_annexes: false,
            what,
        },
    })
}

/// A policy's stated limit as the documents crate's inclusive bounds.
pub fn word_limit(stated: &epa_plan::WordLimit) -> WordLimit {
    let (min, max) = stated.bounds();
    WordLimit {
        min: min.map(u64::from),
        max: max.map(u64::from),
    }
}

/// The counts judged against `limit`: (counted words, verdict, sentence).
fn judge(count: &WordCount, limit: Option<&PolicyLimit>) -> (Option<u64>, Option<Verdict>, String) {
    let Some(policy) = limit else {
        return (
            None,
            None,
            epa_documents::summary(count, "the document", None),
        );
    };
    let Some(bounds) = &policy.limit else {
        return (
            None,
            None,
            epa_documents::summary(count, &policy.what, Some(&WordLimit::NONE)),
        );
    };
    let counted = if policy.excludes_annexes {
        count.words
    } else {
        count.words + count.annex_words
    };
    // The sentence shows what was compared: annex words apart only when the
    // limit leaves them out.
    let judged = WordCount {
        words: counted,
        annex_words: if policy.excludes_annexes {
            count.annex_words
        } else {
            0
        },
        ..count.clone()
    };
    (
        Some(counted),
        Some(bounds.verdict(counted)),
        epa_documents::summary(&judged, &policy.what, Some(bounds)),
    )
}

// ---------------------------------------------------------------------------
// Access.

/// Who may upload: the apprentice's training provider (as for the gateway),
/// EPAO staff, and for recordings the allocated assessor. Anyone else who
/// may see the EPA is refused (403); others are told it does not exist.
pub(crate) const UPLOAD_REFUSED: &str =
    "only the apprentice, their training provider or EPAO staff can upload documents for this EPA";

pub(crate) fn authorize_upload(
    ctx: &EpaContext,
    actor: &Actor,
    purpose: Purpose,
) -> Result<(), AppError> {
    let mut actions = vec![Action::SubmitGateway, Action::ReviewGateway];
    if purpose == Purpose::Recording {
        actions.push(Action::RecordJudgement);
    }
    // The apprentice uploads their own work (portfolio evidence, proposal,
    // report and its annex), as the issue of their EPA's pages asks; the
    // photo ID and recordings stay with the provider, EPAO and assessor.
    let own_work = matches!(
        purpose,
        Purpose::Evidence | Purpose::Proposal | Purpose::Report | Purpose::Annex
    ) && ctx.row.apprentice_user_id == Some(actor.user_id);
    if own_work || actions.into_iter().any(|action| ctx.may(actor, action)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(UPLOAD_REFUSED.to_owned()))
    }
}

pub(crate) fn files(app: &App) -> Result<Arc<dyn FileStore>, AppError> {
    app.files.clone().ok_or_else(|| {
        AppError::Unavailable(
            "uploads are not available: this server has no file store configured".to_owned(),
        )
    })
}

/// Checks, before the body is read, that `actor` may upload for the EPA and
/// that uploads are possible: a refused upload costs no bandwidth.
pub async fn may_upload(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    purpose: Purpose,
) -> Result<(), AppError> {
    let ctx = EpaContext::read(app, actor, epa_id, Action::ViewEpa, UPLOAD_REFUSED).await?;
    authorize_upload(&ctx, actor, purpose)?;
    files(app)?;
    Ok(())
}

/// The name as kept: its last path component, without control characters.
pub(crate) fn clean_name(name: &str) -> Result<String, AppError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return Err(AppError::field(
            "file_name",
            "give the file's name with its extension (such as report.docx)",
        ));
    }
    if cleaned.chars().count() > NAME_MAX_CHARS {
        return Err(AppError::field(
            "file_name",
            format!("use a file name of at most {NAME_MAX_CHARS} characters"),
        ));
    }
    Ok(cleaned)
}

pub(crate) fn file_error(err: FileError) -> AppError {
    match err {
        FileError::NotFound(id) => {
            AppError::Internal(format!("a document names file {id}, which is not stored"))
        }
        other => AppError::Internal(other.to_string()),
    }
}

/// What the checks of the bytes found.
pub(crate) struct Checked {
    kind: FileKind,
    count: Option<WordCount>,
}

/// Sniffs, inspects and counts on a blocking thread (zip inspection and
/// PDF text are CPU work). Any refusal is the uploader's to fix: 422.
pub(crate) async fn check(
    bytes: Arc<Vec<u8>>,
    name: String,
    purpose: Purpose,
) -> Result<Checked, AppError> {
    tokio::task::spawn_blocking(move || {
        let limits = Limits {
            max_input_bytes: purpose.max_bytes(),
            ..Limits::default()
        };
        let refuse = |err: epa_documents::DocumentError| AppError::field("file", err.to_string());
        let check = epa_documents::inspect_with(&bytes, &name, &limits).map_err(refuse)?;
        if !purpose.accepts(check.kind) {
            return Err(AppError::field(
                "file",
                format!(
                    "{} cannot be {}: upload {}",
                    capitalise(check.kind.described()),
                    purpose.label(),
                    purpose.accepted_kinds()
                ),
            ));
        }
        let count = if check.kind.has_words() {
            Some(epa_documents::count_words_with(check.kind, &bytes, &limits).map_err(refuse)?)
        } else {
            None
        };
        Ok(Checked {
            kind: check.kind,
            count,
        })
    })
    .await
    .map_err(AppError::internal)?
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Commands and reads.

/// Uploads a document for the EPA: checked in full, stored by content,
/// recorded with its counts and verdict. Nothing is kept if a check fails.
pub async fn upload(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: UploadInput,
) -> Result<DocumentView, AppError> {
    let ctx = EpaContext::read(app, actor, epa_id, Action::ViewEpa, UPLOAD_REFUSED).await?;
    authorize_upload(&ctx, actor, input.purpose)?;
    let store = files(app)?;
    let name = clean_name(&input.declared_name)?;
    let size = input.bytes.len() as u64;
    if size > input.purpose.max_bytes() {
        return Err(AppError::field(
            "file",
            format!(
                "the file is {size} bytes, more than the {}-byte limit for {}",
                input.purpose.max_bytes(),
                input.purpose.label()
            ),
        ));
    }
    let bytes = Arc::new(input.bytes);
    let checked = check(Arc::clone(&bytes), name.clone(), input.purpose).await?;
    let limit = policy_limit(&ctx.plan, input.purpose);

    // The bytes are stored before the record is written: a record never
    // names a missing file. Should the transaction fail, the stored file is
    // unreferenced and harmless (the same upload later reuses it).
    let content = put(&store, bytes).await?;

    let now = app.now();
    let mut tx = app.db.begin_write().await?;
    // Decided again on the row as it is inside the transaction.
    let ctx =
        EpaContext::write(app, &mut tx, actor, epa_id, Action::ViewEpa, UPLOAD_REFUSED).await?;
    authorize_upload(&ctx, actor, input.purpose)?;
    let row = &ctx.row;
    let document = record(
        &mut tx,
        actor,
        Recorded {
            epa_id,
            purpose: input.purpose,
            name: &name,
            size,
            content: &content,
            checked: &checked,
            limit: limit.as_ref(),
            archive: None,
        },
        now,
    )
    .await?;
    if document.flag_for_assessor
        && let Some(assessor) = row.epa.assessor_id
    {
        let assessor = users::get_in(&mut tx, assessor).await?;
        let summary = document.summary.clone().unwrap_or_default();
        let side = if document.verdict.as_deref() == Some(Verdict::Over.as_str()) {
            WordLimitSide::Over
        } else {
            WordLimitSide::Under
        };
        let email = Message::ReportOffWordLimit {
            side,
            given_names: &row.given_names,
            family_name: &row.family_name,
            epa_id: row.epa.id,
            summary: &summary,
            document_id: document.id,
        }
        .render(&app.accounts.public_url);
        outbox::enqueue(&mut tx, &email.to(&assessor.email), now).await?;
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(view(&document))
}

/// Stores bytes in the file store, on a blocking thread.
pub(crate) async fn put(
    store: &Arc<dyn FileStore>,
    bytes: Arc<Vec<u8>>,
) -> Result<FileId, AppError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || store.put(&bytes))
        .await
        .map_err(AppError::internal)?
        .map_err(file_error)
}

/// A checked document to record ([`record`]).
pub(crate) struct Recorded<'a> {
    pub(crate) epa_id: Uuid,
    pub(crate) purpose: Purpose,
    /// The name as kept ([`clean_name`]).
    pub(crate) name: &'a str,
    pub(crate) size: u64,
    pub(crate) content: &'a FileId,
    pub(crate) checked: &'a Checked,
    pub(crate) limit: Option<&'a PolicyLimit>,
    /// The SHA-256 of the archive it came out of, if it did.
    pub(crate) archive: Option<&'a str>,
}

/// Writes a checked document's record, with its counts, verdict and flag
/// for the assessor (a report outside the policy's limit, either side),
/// and its audit event, in `tx`.
pub(crate) async fn record(
    tx: &mut Tx,
    actor: &Actor,
    doc: Recorded<'_>,
    now: DateTime<Utc>,
) -> Result<Document, AppError> {
    let judged = doc
        .checked
        .count
        .as_ref()
        .map(|count| (count, judge(count, doc.limit)));
    let verdict = judged.as_ref().and_then(|(_, (_, v, _))| *v);
    // A report outside the policy's limit, either side, is the assessor's to
    // see: both specifications state the report's length as a rule
    // ("must be 2500 words (+/- 10%), excluding annexes").
    let flag =
        doc.purpose == Purpose::Report && matches!(verdict, Some(Verdict::Under | Verdict::Over));
    let as_i64 = |n: u64| i64::try_from(n).map_err(AppError::internal);
    let bounds = doc.limit.and_then(|l| l.limit);
    let document = store::insert(
        tx,
        &NewDocument {
            epa_id: doc.epa_id,
            purpose: doc.purpose.as_str(),
            content_hash: doc.content.as_str(),
            declared_name: doc.name,
            kind: doc.checked.kind.as_str(),
            media_type: doc.checked.kind.mime(),
            size_bytes: as_i64(doc.size)?,
            words: judged.as_ref().map(|(c, _)| as_i64(c.words)).transpose()?,
            annex_words: judged
                .as_ref()
                .map(|(c, _)| as_i64(c.annex_words))
                .transpose()?,
            approximate: judged.as_ref().map(|(c, _)| c.approximate),
            annex_heading: judged
                .as_ref()
                .and_then(|(c, _)| c.annex_heading.as_deref()),
            counted_words: judged
                .as_ref()
                .and_then(|(_, (counted, _, _))| *counted)
                .map(as_i64)
                .transpose()?,
            limit_min: bounds.and_then(|b| b.min).map(as_i64).transpose()?,
            limit_max: bounds.and_then(|b| b.max).map(as_i64).transpose()?,
            verdict: verdict.map(Verdict::as_str),
            summary: judged.as_ref().map(|(_, (_, _, s))| s.as_str()),
            flag_for_assessor: flag,
            uploaded_by: actor.user_id,
        },
        now,
    )
    .await?;
    let mut after = json!({
        "document_id": document.id,
        "purpose": document.purpose,
        "kind": document.kind,
        "size_bytes": document.size_bytes,
        "sha256": document.content_hash,
        "words": document.words,
        "annex_words": document.annex_words,
        "verdict": document.verdict,
        "flag_for_assessor": document.flag_for_assessor,
    });
    if let Some(archive) = doc.archive {
        after["archive_sha256"] = json!(archive);
    }
    audit::append(
        tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: Some(actor.user_id),
            actor_role: actor.audit_role(),
            action: "document.uploaded",
            entity_type: "epa",
            entity_id: &doc.epa_id.to_string(),
            before: None,
            // The uploaded name is left out: it may name the apprentice.
            after: Some(after),
            request_id: actor.request_id.as_deref(),
        },
    )
    .await?;
    Ok(document)
}

/// A document's record and the EPA row it belongs to, for someone who may
/// see the EPA; anyone else is told it does not exist.
async fn visible(app: &App, actor: &Actor, id: Uuid) -> Result<Document, AppError> {
    let document = store::get(&app.db, id).await?;
    // A document the caller may not see answers as a missing one.
    EpaContext::read(app, actor, document.epa_id, Action::ViewEpa, "")
        .await
        .map_err(|err| match err {
            AppError::Forbidden(_) => AppError::NotFound,
            other => other,
        })?;
    Ok(document)
}

/// A document's record, for anyone who may see its EPA.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<DocumentView, AppError> {
    Ok(view(&visible(app, actor, id).await?))
}

/// The EPA's documents, oldest first, for anyone who may see the EPA.
pub async fn list(app: &App, actor: &Actor, epa_id: Uuid) -> Result<Vec<DocumentView>, AppError> {
    EpaContext::read(
        app,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    Ok(store::for_epa(&app.db, epa_id)
        .await?
        .iter()
        .map(view)
        .collect())
}

/// A document's record and its bytes, checked against their hash.
pub async fn content(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<(DocumentView, Vec<u8>), AppError> {
    let document = visible(app, actor, id).await?;
    let store = files(app)?;
    let file = FileId::parse(&document.content_hash)
        .ok_or_else(|| AppError::internal(format!("document {id} has a malformed content hash")))?;
    let bytes = tokio::task::spawn_blocking(move || store.get(&file))
        .await
        .map_err(AppError::internal)?
        .map_err(file_error)?;
    Ok((view(&document), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_accept_what_they_are_for() {
        assert!(Purpose::PhotoId.accepts(FileKind::Png));
        assert!(Purpose::PhotoId.accepts(FileKind::Pdf));
        assert!(!Purpose::PhotoId.accepts(FileKind::Docx));
        assert!(Purpose::Report.accepts(FileKind::Docx));
        assert!(!Purpose::Report.accepts(FileKind::Mp4));
        assert!(Purpose::Recording.accepts(FileKind::Webm));
        assert!(!Purpose::Recording.accepts(FileKind::Pdf));
        assert!(Purpose::Evidence.accepts(FileKind::Jpeg));
        assert!(Purpose::Recording.max_bytes() > Purpose::Report.max_bytes());
        for purpose in Purpose::ALL {
            assert_eq!(Purpose::parse(purpose.as_str()), Some(purpose));
        }
    }

    #[test]
    fn names_are_kept_as_their_last_component() {
        assert_eq!(clean_name("../../etc/passwd.txt").unwrap(), "passwd.txt");
        assert_eq!(
            clean_name("C:\\Users\\me\\report.docx").unwrap(),
            "report.docx"
        );
        assert_eq!(clean_name("a\u{0}b\n.txt").unwrap(), "ab.txt");
        assert!(clean_name("dir/").is_err());
        assert!(clean_name("..").is_err());
        assert!(clean_name(&"x".repeat(300)).is_err());
    }
}
