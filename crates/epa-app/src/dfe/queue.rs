//! The DfE queue: EPAs whose record or certificate the DfE service (or a
//! check here) refused, with its reasons, for EPAO staff to fix (most
//! often the ULN or family name, which must match the service's) and send
//! again. A fix that changes what is sent goes at the next push by itself;
//! "resend" sends it again unchanged, after staff sorted it out with the
//! service.

use chrono::{DateTime, Utc};
use epa_domain::policy::Action;
use epa_store::dfe::{self as store, Refusal};
use epa_store::users::Role;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// One refused EPA as EPAO staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefusalView {
    pub epa_id: Uuid,
    /// The apprentice's name as it is sent (the family name must match the
    /// service's).
    pub apprentice: String,
    pub family_name: String,
    pub uln: String,
    pub policy: String,
    /// `epa` (the EPA record), `certificate` or `submission`.
    pub item: String,
    /// What was refused, in words.
    pub item_label: &'static str,
    /// The service's reasons, as it gave them.
    pub reasons: Vec<String>,
    pub refused_at: DateTime<Utc>,
    /// Staff asked for it to go again unchanged: it goes at the next push.
    pub resend_requested: bool,
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QueuePage {
    pub refusals: Vec<RefusalView>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

const PAGE: i64 = 50;

fn label(item: &str) -> &'static str {
    match store::RefusedItem::parse(item) {
        Some(store::RefusedItem::Epa) => "EPA record",
        Some(store::RefusedItem::Certificate) => "Certificate request",
        Some(store::RefusedItem::Submission) => "Certificate submission",
        None => "Item",
    }
}

impl From<Refusal> for RefusalView {
    fn from(r: Refusal) -> Self {
        let reasons = serde_json::from_str(&r.refusal_reasons).unwrap_or_default();
        RefusalView {
            epa_id: r.epa_id,
            apprentice: format!("{} {}", r.given_names, r.family_name),
            family_name: r.family_name,
            uln: r.uln,
            policy: r.policy,
            item_label: label(&r.refused_item),
            item: r.refused_item,
            reasons,
            refused_at: r.refused_at,
            resend_requested: r.resend_requested,
        }
    }
}

/// The EPAO whose queue the actor may work: EPAO admins and operations
/// staff only.
fn epao_of(actor: &Actor) -> Result<Uuid, AppError> {
    actor
        .organisations_as(Role::EpaoAdmin)
        .chain(actor.organisations_as(Role::EpaoOperations))
        .next()
        .ok_or_else(|| {
            AppError::Forbidden("only EPAO staff can see what the DfE refused".to_owned())
        })
}

fn cursor(view: &RefusalView) -> String {
    format!(
        "{}_{}",
        crate::cursor::instant_text(view.refused_at),
        view.epa_id
    )
}

fn parse_cursor(text: &str) -> Result<(DateTime<Utc>, Uuid), AppError> {
    let bad = || AppError::field("after", "use the next value of the previous page");
    let (instant, id) = text.split_once('_').ok_or_else(bad)?;
    let at = crate::cursor::parse_instant(instant).ok_or_else(bad)?;
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((at, id))
}

/// The refusals of the actor's EPAO, oldest first.
pub async fn refusals(
    app: &App,
    actor: &Actor,
    after: Option<&str>,
) -> Result<QueuePage, AppError> {
    let epao = epao_of(actor)?;
    let after = after.map(parse_cursor).transpose()?;
    let mut rows = store::refused(&app.db, epao, after, PAGE + 1).await?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let refusals: Vec<RefusalView> = rows.into_iter().map(RefusalView::from).collect();
    let next = more.then(|| refusals.last().map(cursor)).flatten();
    Ok(QueuePage { refusals, next })
}

/// Asks for a refused item to go again at the next push, unchanged.
/// `NotFound` for an EPA the actor may not see; `Conflict` when nothing of
/// it is refused.
pub async fn resend(app: &App, actor: &Actor, epa_id: Uuid) -> Result<RefusalView, AppError> {
    let mut tx = app.db.begin_write().await?;
    // The gate: another organisation's EPA answers 404, as everywhere.
    EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ClaimCertificate,
        "only EPAO staff can send an EPA to the DfE again",
    )
    .await?;
    if !store::resend(&mut tx, epa_id, app.now()).await? {
        return Err(AppError::Conflict(
            "the DfE has refused nothing of this EPA: there is nothing to resend".to_owned(),
        ));
    }
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "dfe.resend_requested",
        None,
        json!({"dfe": "resend_requested"}),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    store::refusal(&app.db, epa_id)
        .await?
        .map(RefusalView::from)
        .ok_or(AppError::NotFound)
}

/// For the demo: the DfE's usual refusal (a family name that does not
/// match its records) of the first completed EPA's record, stored as a
/// push stores one, so the queue shows what it holds without any network.
pub(crate) async fn demo_refusal(app: &App) -> Result<Option<Uuid>, AppError> {
    use epa_domain::lifecycle::Stage;
    let candidates = store::candidates(&app.db).await?;
    let Some(candidate) = candidates.into_iter().find(|c| c.stage == Stage::Completed) else {
        return Ok(None);
    };
    let attempts: Vec<_> = store::attempts(&app.db)
        .await?
        .into_iter()
        .filter(|a| a.epa_id == candidate.epa_id)
        .collect();
    let attempts: Vec<&store::Attempt> = attempts.iter().collect();
    let items = super::items::items(app, &candidate, &attempts, super::DEFAULT_APPEAL_WINDOW)?;
    let Some(epa) = items.epa else {
        return Ok(None);
    };
    let mut tx = app.db.begin_write().await?;
    store::refuse(
        &mut tx,
        candidate.epa_id,
        store::RefusedItem::Epa,
        &epa.fingerprint,
        &["ULN, FamilyName and Standard not found.".to_owned()],
        app.now(),
    )
    .await?;
    epa_store::audit::append(
        &mut tx,
        &epa_store::audit::NewAuditEvent {
            occurred_at: app.now(),
            actor_id: None,
            actor_role: "system",
            action: "dfe.refused",
            entity_type: "epa",
            entity_id: &candidate.epa_id.to_string(),
            before: None,
            after: Some(
                json!({"item": "epa", "reasons": ["ULN, FamilyName and Standard not found."]}),
            ),
            request_id: None,
        },
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(Some(candidate.epa_id))
}
