//! Sending the DfE service what it does not yet have in its current form:
//! EPA records (created, or replaced with every attempt), certificate
//! requests for passes whose appeal window has passed, their submission
//! (which claims the EPA's certificate), and reading back where submitted
//! certificates are. Only the EPAs marked due are read (ADR 0153). What
//! the service acknowledged is stored per EPA as each batch is answered,
//! so a push cut short loses nothing and a second push with nothing
//! changed sends nothing. A refused item is not sent again unchanged: it
//! waits in the queue until it is fixed here or EPAO staff resend it.

use std::collections::HashMap;

use chrono::NaiveDate;
use epa_dfe::model::{self as dfe, ItemResponse};
use epa_dfe::{BATCH_LIMIT, Client, DfeError};
use epa_domain::lifecycle::{self, Command};
use epa_store::Tx;
use epa_store::assessment::Claimant;
use epa_store::audit::{self, NewAuditEvent};
use epa_store::dfe::{self as store, Acknowledged, Attempt, Candidate, DfeRecord, RefusedItem};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::DfeSettings;
use super::items::{Items, fingerprint, items};
use crate::transitions::AuditActor;
use crate::{App, AppError};

/// One thing sent (or, in a dry run, that would be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub epa_id: Uuid,
    /// `epa_record`, `certificate` or `submission`.
    pub item: &'static str,
    /// `created`, `replaced`, `requested`, `changed` or `submitted`.
    pub action: &'static str,
    /// The service's reference, once it gave one.
    pub reference: Option<String>,
}

/// One item the service (or a check here) refused, with the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub epa_id: Uuid,
    /// `epa`, `certificate` or `submission`.
    pub item: &'static str,
    pub reasons: Vec<String>,
}

/// A certificate not claimed yet: its appeal window has not passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    pub epa_id: Uuid,
    pub claim_from: chrono::NaiveDate,
    pub claim_due: Option<chrono::NaiveDate>,
}

/// A certificate whose state in the service moved on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub epa_id: Uuid,
    pub reference: Option<String>,
    pub from: Option<String>,
    pub to: String,
}

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PushReport {
    pub dry_run: bool,
    pub sent: Vec<Sent>,
    pub refused: Vec<Refused>,
    /// Refused before and unchanged since: not sent again.
    pub still_refused: Vec<Refused>,
    pub waiting: Vec<Waiting>,
    pub statuses: Vec<StatusChange>,
    /// EPAs whose certificate the service accepted in this push: each is
    /// now `certificate_claimed`, claimed by the DfE integration.
    pub claimed: Vec<Uuid>,
}

impl PushReport {
    /// Everything sent was accepted.
    pub fn all_accepted(&self) -> bool {
        self.refused.is_empty() && self.still_refused.is_empty()
    }
}

/// Why a push stopped.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Dfe(#[from] DfeError),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<epa_store::StoreError> for PushError {
    fn from(err: epa_store::StoreError) -> Self {
        PushError::App(err.into())
    }
}

/// One EPA's state during a push.
struct Entry {
    candidate: Candidate,
    items: Items,
    /// The EPA record the service holds is the current one.
    epa_current: bool,
}

/// Pushes everything the service does not yet have. With `dry_run`,
/// nothing is sent or stored: the report says what would be sent.
pub async fn push(
    app: &App,
    client: &Client,
    settings: &DfeSettings,
    dry_run: bool,
) -> Result<PushReport, PushError> {
    let mut report = PushReport {
        dry_run,
        ..PushReport::default()
    };
    if !dry_run {
        // One authenticated look-up first: settings the service refuses
        // stop the push (and show in the worker's log) even on a round
        // with nothing due.
        client.grades().await?;
    }
    let today = app.clock.today();
    // Only the EPAs marked due (changed since the last push, or waiting
    // for a day that has come): an index range, not every released EPA.
    let mut by_epa: HashMap<Uuid, Vec<Attempt>> = HashMap::new();
    for attempt in store::due_attempts(&app.db, today).await? {
        by_epa.entry(attempt.epa_id).or_default().push(attempt);
    }
    let mut entries = Vec::new();
    for candidate in store::due_candidates(&app.db, today).await? {
        let attempts: Vec<&Attempt> = by_epa
            .get(&candidate.epa_id)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let items = items(
            app,
            &candidate,
            &attempts,
            settings.appeal_window(&candidate.policy),
        )?;
        entries.push(Entry {
            epa_current: items.epa.as_ref().is_some_and(|e| {
                candidate.record.epa_fingerprint.as_deref() == Some(&e.fingerprint)
            }),
            candidate,
            items,
        });
    }

    // 1. EPA records.
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let record = &entry.candidate.record;
        if !entry.items.problems.is_empty() {
            let print = fingerprint(&entry.items.problems);
            refuse_locally(
                app,
                &mut report,
                entry,
                RefusedItem::Epa,
                &print,
                &entry.items.problems,
            )
            .await?;
            continue;
        }
        let Some(item) = &entry.items.epa else {
            continue;
        };
        if entry.epa_current {
            continue;
        }
        if refused_unchanged(entry, RefusedItem::Epa, &item.fingerprint) {
            still_refused(&mut report, entry);
            continue;
        }
        let mut request = item.request.clone();
        request.request_id = entry.candidate.epa_id.to_string();
        match &record.epa_reference {
            Some(reference) => {
                request.epa_details.epa_reference = Some(reference.clone());
                updates.push((index, request));
            }
            None => creates.push((index, request)),
        }
    }
    for (requests, action) in [(creates, "created"), (updates, "replaced")] {
        for batch in requests.chunks(BATCH_LIMIT) {
            let sent: Vec<dfe::EpaRequest> = batch.iter().map(|(_, r)| r.clone()).collect();
            if dry_run {
                for (index, request) in batch {
                    report.sent.push(Sent {
                        epa_id: entries[*index].candidate.epa_id,
                        item: "epa_record",
                        action,
                        reference: request.epa_details.epa_reference.clone(),
                    });
                    entries[*index].epa_current = true;
                }
                continue;
            }
            let answers = if action == "created" {
                client.create_epas(&sent).await?
            } else {
                client.update_epas(&sent).await?
            };
            let mut tx = app.db.begin_write().await?;
            for ((index, request), answer) in batch.iter().zip(&answers) {
                let entry = &mut entries[*index];
                let print = entry
                    .items
                    .epa
                    .as_ref()
                    .map(|e| e.fingerprint.clone())
                    .unwrap_or_default();
                if !answer.validation_errors.is_empty() {
                    record_refusal(
                        app,
                        &mut tx,
                        &mut report,
                        entry.candidate.epa_id,
                        RefusedItem::Epa,
                        &print,
                        answer.validation_errors(),
                    )
                    .await?;
                    continue;
                }
                let reference = answer
                    .epa_reference
                    .clone()
                    .or_else(|| request.epa_details.epa_reference.clone());
                store::acknowledge(
                    &mut tx,
                    entry.candidate.epa_id,
                    &Acknowledged {
                        epa_reference: reference.as_deref(),
                        epa_fingerprint: Some(&print),
                        ..Acknowledged::default()
                    },
                    app.now(),
                )
                .await?;
                audit_epa(
                    app,
                    &mut tx,
                    entry.candidate.epa_id,
                    "dfe.epa_record_accepted",
                    json!({"epa_reference": reference, "action": action,
                           "attempts": request.epa_details.epas.len()}),
                )
                .await?;
                entry.epa_current = true;
                report.sent.push(Sent {
                    epa_id: entry.candidate.epa_id,
                    item: "epa_record",
                    action,
                    reference,
                });
            }
            crate::deadlines::commit(app, tx).await?;
        }
    }

    // 2. Certificate requests, once the EPA record is the service's and the
    // appeal window has passed.
    let mut requests = Vec::new();
    let mut submits = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let Some(item) = &entry.items.certificate else {
            continue;
        };
        if !entry.epa_current {
            continue;
        }
        let record = &entry.candidate.record;
        let submitted = record.submitted_on.is_some();
        let same = record.certificate_fingerprint.as_deref() == Some(&item.fingerprint);
        if submitted && same {
            continue;
        }
        if refused_unchanged(entry, RefusedItem::Certificate, &item.fingerprint)
            || refused_unchanged(entry, RefusedItem::Submission, &item.fingerprint)
        {
            still_refused(&mut report, entry);
            continue;
        }
        if !item.problems.is_empty() {
            refuse_locally(
                app,
                &mut report,
                entry,
                RefusedItem::Certificate,
                &item.fingerprint,
                &item.problems,
            )
            .await?;
            continue;
        }
        if submitted {
            let reasons = vec![format!(
                "the certificate was submitted on {}: the service takes no changes to it now; ask for a reprint with the change in the DfE service",
                record
                    .submitted_on
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            )];
            refuse_locally(
                app,
                &mut report,
                entry,
                RefusedItem::Certificate,
                &item.fingerprint,
                &reasons,
            )
            .await?;
            continue;
        }
        if today < item.claim_from {
            report.waiting.push(Waiting {
                epa_id: entry.candidate.epa_id,
                claim_from: item.claim_from,
                claim_due: item.claim_due,
            });
            continue;
        }
        if same {
            // Accepted as a Draft before, not yet submitted.
            submits.push(index);
            continue;
        }
        let mut request = item.request.clone();
        request.request_id = entry.candidate.epa_id.to_string();
        request.certificate_reference = record.certificate_reference.clone();
        requests.push((index, request));
    }
    for batch in requests.chunks(BATCH_LIMIT) {
        if dry_run {
            for (index, request) in batch {
                report.sent.push(Sent {
                    epa_id: entries[*index].candidate.epa_id,
                    item: "certificate",
                    action: certificate_action(request),
                    reference: request.certificate_reference.clone(),
                });
                submits.push(*index);
            }
            continue;
        }
        let (new, changed): (Vec<_>, Vec<_>) = batch
            .iter()
            .partition(|(_, r)| r.certificate_reference.is_none());
        for part in [new, changed] {
            if part.is_empty() {
                continue;
            }
            let sent: Vec<dfe::CertificateRequest> = part.iter().map(|(_, r)| r.clone()).collect();
            let answers = if sent[0].certificate_reference.is_none() {
                client.create_certificates(&sent).await?
            } else {
                client.update_certificates(&sent).await?
            };
            let mut tx = app.db.begin_write().await?;
            for ((index, request), answer) in part.iter().zip(&answers) {
                let entry = &entries[*index];
                let Some(item) = &entry.items.certificate else {
                    continue;
                };
                if !answer.validation_errors.is_empty() {
                    record_refusal(
                        app,
                        &mut tx,
                        &mut report,
                        entry.candidate.epa_id,
                        RefusedItem::Certificate,
                        &item.fingerprint,
                        answer.validation_errors(),
                    )
                    .await?;
                    continue;
                }
                let reference = answer
                    .certificate
                    .as_ref()
                    .map(|c| c.certificate_data.certificate_reference.clone())
                    .or_else(|| request.certificate_reference.clone());
                let status = answer
                    .certificate
                    .as_ref()
                    .map(|c| c.status.current_status.as_str().to_owned());
                store::acknowledge(
                    &mut tx,
                    entry.candidate.epa_id,
                    &Acknowledged {
                        certificate_reference: reference.as_deref(),
                        certificate_fingerprint: Some(&item.fingerprint),
                        certificate_status: status.as_deref(),
                        ..Acknowledged::default()
                    },
                    app.now(),
                )
                .await?;
                audit_epa(
                    app,
                    &mut tx,
                    entry.candidate.epa_id,
                    "dfe.certificate_requested",
                    json!({"certificate_reference": reference,
                           "grade": item.request.learning_details.overall_grade.as_str(),
                           "achievement_date": item.request.learning_details.achievement_date,
                           "claim_due": item.claim_due}),
                )
                .await?;
                report.sent.push(Sent {
                    epa_id: entry.candidate.epa_id,
                    item: "certificate",
                    action: certificate_action(request),
                    reference: reference.clone(),
                });
                submits.push(*index);
            }
            crate::deadlines::commit(app, tx).await?;
        }
    }

    // 3. Submission of every Draft this EPAO has in its current form.
    submit(app, client, dry_run, &mut report, &entries, &submits).await?;

    // 4. Where submitted certificates are now.
    if !dry_run {
        read_back(app, client, &mut report, &entries).await?;
        settle(app, &entries, today).await?;
    }
    // What was refused before and not looked at now is still refused.
    let looked_at: std::collections::HashSet<Uuid> =
        entries.iter().map(|e| e.candidate.epa_id).collect();
    for refusal in store::standing_refusals(&app.db).await? {
        if looked_at.contains(&refusal.epa_id) {
            continue;
        }
        let item = RefusedItem::parse(&refusal.refused_item).unwrap_or(RefusedItem::Epa);
        report.still_refused.push(Refused {
            epa_id: refusal.epa_id,
            item: item.as_str(),
            reasons: serde_json::from_str(&refusal.refusal_reasons).unwrap_or_default(),
        });
    }
    Ok(report)
}

/// Moves each looked-at EPA's mark to the day it needs looking at again,
/// or removes it: a pass waits for its appeal window, a submitted
/// certificate is read back daily until its state settles, and anything
/// refused waits for a change or a resend (both mark it again).
async fn settle(app: &App, entries: &[Entry], today: NaiveDate) -> Result<(), PushError> {
    for batch in entries.chunks(100) {
        // Read before the write begins: what the service holds now.
        let mut settled = Vec::with_capacity(batch.len());
        for entry in batch {
            let Some(version) = entry.candidate.pending_version else {
                continue;
            };
            let record = store::candidate(&app.db, entry.candidate.epa_id)
                .await?
                .map(|c| c.record)
                .unwrap_or_default();
            settled.push((
                entry.candidate.epa_id,
                version,
                next_look(entry, &record, today),
            ));
        }
        let mut tx = app.db.begin_write().await?;
        for (epa_id, version, next) in settled {
            store::settle(&mut tx, epa_id, version, next).await?;
        }
        crate::deadlines::commit(app, tx).await?;
    }
    Ok(())
}

/// When the EPA needs the push again, from what the service now holds.
fn next_look(entry: &Entry, record: &DfeRecord, today: NaiveDate) -> Option<NaiveDate> {
    if record.refused_fingerprint.is_some() || !entry.items.problems.is_empty() {
        return None;
    }
    let item = entry.items.certificate.as_ref()?;
    if !item.problems.is_empty() {
        return None;
    }
    match record.submitted_on {
        None if today < item.claim_from => Some(item.claim_from),
        // Due and not yet claimed without a refusal: the next round tries.
        None => Some(today),
        Some(_) => {
            let settled = record
                .certificate_status
                .as_deref()
                .map(dfe::CertificateStatus::parse)
                .is_some_and(|status| status.is_settled());
            // The printers move in days: once a day is often enough.
            (!settled).then(|| today.succ_opt().unwrap_or(today))
        }
    }
}

fn certificate_action(request: &dfe::CertificateRequest) -> &'static str {
    if request.certificate_reference.is_some() {
        "changed"
    } else {
        "requested"
    }
}

/// The item was refused before in exactly this form (and nobody asked
/// for it to go again).
fn refused_unchanged(entry: &Entry, item: RefusedItem, print: &str) -> bool {
    let record = &entry.candidate.record;
    record.refused_item.as_deref() == Some(item.as_str())
        && record.refused_fingerprint.as_deref() == Some(print)
}

/// Notes an item refused before and not sent again, with its reasons.
fn still_refused(report: &mut PushReport, entry: &Entry) {
    let record = &entry.candidate.record;
    let item = record
        .refused_item
        .as_deref()
        .and_then(RefusedItem::parse)
        .unwrap_or(RefusedItem::Epa);
    report.still_refused.push(Refused {
        epa_id: entry.candidate.epa_id,
        item: item.as_str(),
        reasons: record.reasons(),
    });
}

async fn submit(
    app: &App,
    client: &Client,
    dry_run: bool,
    report: &mut PushReport,
    entries: &[Entry],
    submits: &[usize],
) -> Result<(), PushError> {
    for batch in submits.chunks(BATCH_LIMIT) {
        let mut sent = Vec::new();
        let mut sent_for = Vec::new();
        for index in batch {
            let entry = &entries[*index];
            let Some(item) = &entry.items.certificate else {
                continue;
            };
            // Accepted in this push, or before: its reference is stored.
            let reference = match (dry_run, reference_of(app, entry.candidate.epa_id).await?) {
                (_, Some(reference)) => reference,
                (true, None) => String::new(),
                (false, None) => continue,
            };
            sent.push(dfe::SubmitRequest {
                request_id: entry.candidate.epa_id.to_string(),
                uln: item.request.learner.uln,
                family_name: item.request.learner.family_name.clone(),
                standard_code: item.request.standard.standard_code,
                standard_reference: item.request.standard.standard_reference.clone(),
                certificate_reference: reference,
            });
            sent_for.push(*index);
        }
        if sent.is_empty() {
            continue;
        }
        if dry_run {
            for (index, request) in sent_for.iter().zip(&sent) {
                report.sent.push(Sent {
                    epa_id: entries[*index].candidate.epa_id,
                    item: "submission",
                    action: "submitted",
                    reference: Some(request.certificate_reference.clone())
                        .filter(|r| !r.is_empty()),
                });
            }
            continue;
        }
        let answers = client.submit_certificates(&sent).await?;
        let mut tx = app.db.begin_write().await?;
        for ((index, request), answer) in sent_for.iter().zip(&sent).zip(&answers) {
            let entry = &entries[*index];
            let Some(item) = &entry.items.certificate else {
                continue;
            };
            if !answer.validation_errors().is_empty() {
                record_refusal(
                    app,
                    &mut tx,
                    report,
                    entry.candidate.epa_id,
                    RefusedItem::Submission,
                    &item.fingerprint,
                    answer.validation_errors(),
                )
                .await?;
                continue;
            }
            let status = answer
                .certificate
                .as_ref()
                .map(|c| c.status.current_status.as_str().to_owned())
                .unwrap_or_else(|| "Submitted".to_owned());
            let today = app.clock.today();
            store::acknowledge(
                &mut tx,
                entry.candidate.epa_id,
                &Acknowledged {
                    certificate_status: Some(&status),
                    submitted_on: Some(today),
                    ..Acknowledged::default()
                },
                app.now(),
            )
            .await?;
            audit_epa(
                app,
                &mut tx,
                entry.candidate.epa_id,
                "dfe.certificate_submitted",
                json!({"certificate_reference": request.certificate_reference,
                       "submitted_on": today, "claim_due": item.claim_due,
                       "on_time": item.claim_due.is_none_or(|due| today <= due)}),
            )
            .await?;
            if claim_accepted(
                app,
                &mut tx,
                entry.candidate.epa_id,
                &request.certificate_reference,
            )
            .await?
            {
                report.claimed.push(entry.candidate.epa_id);
            }
            report.sent.push(Sent {
                epa_id: entry.candidate.epa_id,
                item: "submission",
                action: "submitted",
                reference: Some(request.certificate_reference.clone()),
            });
        }
        crate::deadlines::commit(app, tx).await?;
    }
    Ok(())
}

/// The service accepted the EPA's certificate: it is claimed, by the DfE
/// integration, through the lifecycle's own transition (with the policy's
/// claim deadline met or missed), in the transaction that stores the
/// acknowledgement. An EPA staff claimed already, or one no longer
/// completed and achieved, is left as it is. `true` when it was claimed.
async fn claim_accepted(
    app: &App,
    tx: &mut Tx,
    epa_id: Uuid,
    certificate_reference: &str,
) -> Result<bool, PushError> {
    let row = epa_store::epas::get_in(tx, epa_id).await?;
    let state = crate::transitions::state_of(&row)?;
    if lifecycle::apply(&state, &Command::ClaimCertificate).is_err() {
        return Ok(false);
    }
    crate::assessment::claim_in(
        app,
        tx,
        &row,
        AuditActor::DFE,
        Claimant::Dfe {
            certificate_reference,
        },
    )
    .await?;
    tx.note_dfe_answer(epa_id);
    Ok(true)
}

/// The certificate reference stored for an EPA now (a push may have just
/// stored it).
async fn reference_of(app: &App, epa_id: Uuid) -> Result<Option<String>, PushError> {
    Ok(store::candidate(&app.db, epa_id)
        .await?
        .and_then(|c| c.record.certificate_reference))
}

async fn read_back(
    app: &App,
    client: &Client,
    report: &mut PushReport,
    entries: &[Entry],
) -> Result<(), PushError> {
    for entry in entries {
        let Some(item) = &entry.items.certificate else {
            continue;
        };
        let Some(current) = store::candidate(&app.db, entry.candidate.epa_id).await? else {
            continue;
        };
        let record = current.record;
        if record.submitted_on.is_none() {
            continue;
        }
        let known = record
            .certificate_status
            .as_deref()
            .map(dfe::CertificateStatus::parse);
        if known
            .as_ref()
            .is_some_and(dfe::CertificateStatus::is_settled)
        {
            continue;
        }
        let Some(certificate) = client
            .certificate(&item.request.learner, &item.request.standard)
            .await?
        else {
            continue;
        };
        let now_status = certificate.status.current_status.as_str().to_owned();
        if record.certificate_status.as_deref() == Some(&now_status) {
            continue;
        }
        let mut tx = app.db.begin_write().await?;
        store::record_status(&mut tx, entry.candidate.epa_id, &now_status, app.now()).await?;
        audit_epa(
            app,
            &mut tx,
            entry.candidate.epa_id,
            "dfe.certificate_status",
            json!({"certificate_reference": record.certificate_reference,
                   "from": record.certificate_status, "to": now_status}),
        )
        .await?;
        crate::deadlines::commit(app, tx).await?;
        report.statuses.push(StatusChange {
            epa_id: entry.candidate.epa_id,
            reference: record.certificate_reference.clone(),
            from: record.certificate_status.clone(),
            to: now_status,
        });
    }
    Ok(())
}

/// A refusal from a check here (nothing was sent): stored like the
/// service's, once per form of the item.
async fn refuse_locally(
    app: &App,
    report: &mut PushReport,
    entry: &Entry,
    item: RefusedItem,
    print: &str,
    reasons: &[String],
) -> Result<(), PushError> {
    if refused_unchanged(entry, item, print) {
        still_refused(report, entry);
        return Ok(());
    }
    if report.dry_run {
        report.refused.push(Refused {
            epa_id: entry.candidate.epa_id,
            item: item.as_str(),
            reasons: reasons.to_vec(),
        });
        return Ok(());
    }
    let mut tx = app.db.begin_write().await?;
    record_refusal(
        app,
        &mut tx,
        report,
        entry.candidate.epa_id,
        item,
        print,
        reasons,
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(())
}

async fn record_refusal(
    app: &App,
    tx: &mut Tx,
    report: &mut PushReport,
    epa_id: Uuid,
    item: RefusedItem,
    print: &str,
    reasons: &[String],
) -> Result<(), PushError> {
    store::refuse(tx, epa_id, item, print, reasons, app.now()).await?;
    audit_epa(
        app,
        tx,
        epa_id,
        "dfe.refused",
        json!({"item": item.as_str(), "reasons": reasons}),
    )
    .await?;
    report.refused.push(Refused {
        epa_id,
        item: item.as_str(),
        reasons: reasons.to_vec(),
    });
    Ok(())
}

/// An audit event about the EPA by the DfE integration (no person acted).
async fn audit_epa(
    app: &App,
    tx: &mut Tx,
    epa_id: Uuid,
    action: &str,
    after: Value,
) -> Result<(), PushError> {
    // What the service answered changes nothing it needs to hear about.
    tx.note_dfe_answer(epa_id);
    audit::append(
        tx,
        &NewAuditEvent {
            occurred_at: app.now(),
            actor_id: None,
            actor_role: AuditActor::DFE.role,
            action,
            entity_type: "epa",
            entity_id: &epa_id.to_string(),
            before: None,
            after: Some(after),
            request_id: None,
        },
    )
    .await?;
    Ok(())
}
