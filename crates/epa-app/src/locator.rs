//! Use cases of the Project Evidence Locator (ADR 0091): the work-based
//! project report's annexes mapped to the project's KSBs, kept in whole
//! versions. The training provider or EPAO staff submit a version listing
//! every entry; anyone who may see the EPA reads the latest version and its
//! coverage (JSON and CSV), "the same way" as the portfolio's mapping.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use epa_domain::gateway::Problem;
use epa_domain::locator::LocatorRules;
use epa_domain::policy::Action;
use epa_plan::EffectivePlan;
use epa_store::audit::{self, NewAuditEvent};
use epa_store::locator::{self as store, NewEntry};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::gate::EpaContext;
use crate::gateway::{check_text, field_errors, normalise_ksbs, visible};
use crate::{Actor, App, AppError};

// ---------------------------------------------------------------------------
// Input and views.

/// A new version of the locator: every annex, in the report's order. It
/// replaces the previous version as a whole.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocatorInput {
    pub entries: Vec<LocatorEntryInput>,
}

/// One annex of the report and the project KSBs it shows.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocatorEntryInput {
    /// How the report refers to it, such as `Annex A`.
    pub annex: String,
    pub title: String,
    pub description: String,
    /// A document of this EPA uploaded as `annex` or `report`.
    #[serde(default)]
    pub document_id: Option<Uuid>,
    /// KSB codes of the project method, such as `K1`.
    pub ksbs: Vec<String>,
}

/// The latest version of an EPA's locator.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LocatorView {
    pub epa_id: Uuid,
    pub version: i32,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub entries: Vec<LocatorEntryView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LocatorEntryView {
    /// From 1, in the order submitted.
    pub number: i32,
    pub annex: String,
    pub title: String,
    pub description: String,
    pub document_id: Option<Uuid>,
    pub ksbs: Vec<String>,
}

/// Each project KSB and the annexes covering it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LocatorCoverageView {
    pub epa_id: Uuid,
    pub version: i32,
    pub method: String,
    pub ksbs: Vec<LocatorCoverageRow>,
    /// Project KSB codes no annex covers.
    pub uncovered: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LocatorCoverageRow {
    pub ksb: String,
    pub statement: String,
    pub entries: Vec<CoveringAnnex>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CoveringAnnex {
    pub number: i32,
    pub annex: String,
    pub title: String,
}

// ---------------------------------------------------------------------------
// Helpers.

const ANNEX_MAX: usize = 50;
const TITLE_MAX: usize = 200;
const TEXT_MAX: usize = 5_000;
/// A report has a handful of annexes; this bounds what one request writes.
const ENTRIES_MAX: usize = 100;

fn rules_of(plan: &EffectivePlan) -> Result<LocatorRules, AppError> {
    LocatorRules::from_plan(plan).ok_or_else(|| {
        AppError::Conflict(
            "this EPA's plan has no work-based project to locate evidence for".to_owned(),
        )
    })
}

/// Loads the EPA in `tx` for a submitter: the apprentice's training
/// provider (as for the gateway) and EPAO staff (as for uploads). Anyone
/// else who may see the EPA is refused (403); others are told it does not
/// exist.
async fn submitter(
    app: &App,
    tx: &mut epa_store::Tx,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<EpaContext, AppError> {
    let refused =
        "only the apprentice's training provider or EPAO staff can submit the evidence locator";
    let ctx = EpaContext::write(app, tx, actor, epa_id, Action::ViewEpa, refused).await?;
    if [Action::SubmitGateway, Action::ReviewGateway]
        .iter()
        .any(|a| ctx.may(actor, *a))
    {
        Ok(ctx)
    } else {
        Err(AppError::Forbidden(refused.to_owned()))
    }
}

/// Every problem with the entries but their documents, each by field.
fn check_entries(rules: &LocatorRules, input: &LocatorInput) -> Vec<Problem> {
    let mut problems = Vec::new();
    if input.entries.is_empty() {
        problems.push(Problem::new(
            "entries",
            "list at least one annex of the project report",
        ));
    } else if input.entries.len() > ENTRIES_MAX {
        problems.push(Problem::new(
            "entries",
            format!("list at most {ENTRIES_MAX} annexes"),
        ));
        return problems;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, entry) in input.entries.iter().enumerate() {
        let n = i + 1;
        let at = |f: &str| format!("entries[{i}].{f}");
        check_text(
            &mut problems,
            &at("annex"),
            &format!("the annex reference of entry {n}, such as Annex A"),
            &entry.annex,
            ANNEX_MAX,
        );
        check_text(
            &mut problems,
            &at("title"),
            &format!("a title for entry {n}"),
            &entry.title,
            TITLE_MAX,
        );
        check_text(
            &mut problems,
            &at("description"),
            &format!("a description of entry {n}"),
            &entry.description,
            TEXT_MAX,
        );
        let key = entry.annex.trim().to_lowercase();
        if !key.is_empty() {
            if let Some(first) = seen.get(&key) {
                problems.push(Problem::new(
                    at("annex"),
                    format!(
                        "entry {n} repeats {}, already entry {first}: list each annex once",
                        entry.annex.trim()
                    ),
                ));
            } else {
                seen.insert(key, n);
            }
        }
    }
    let mapped: Vec<Vec<String>> = input
        .entries
        .iter()
        .map(|e| normalise_ksbs(&e.ksbs))
        .collect();
    problems.extend(rules.check(&mapped));
    problems
}

/// Every `document_id` must name a document of this EPA uploaded as an
/// annex or as the report (an annex may sit inside the report's file).
async fn check_documents(
    tx: &mut epa_store::Tx,
    epa_id: Uuid,
    input: &LocatorInput,
) -> Result<Vec<Problem>, AppError> {
    let wanted: Vec<(usize, Uuid)> = input
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.document_id.map(|id| (i, id)))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = wanted
        .iter()
        .map(|(_, id)| *id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let found: BTreeMap<Uuid, String> = epa_store::documents::purposes_in(tx, epa_id, &ids)
        .await?
        .into_iter()
        .collect();
    Ok(wanted
        .into_iter()
        .filter_map(|(i, id)| {
            let field = format!("entries[{i}].document_id");
            match found.get(&id).map(String::as_str) {
                None => Some(Problem::new(
                    field,
                    "no document uploaded for this EPA has this ID: upload the annex first",
                )),
                Some("annex" | "report") => None,
                Some(purpose) => Some(Problem::new(
                    field,
                    format!(
                        "this document was uploaded as {purpose}, not as an annex or the report"
                    ),
                )),
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------
// Use cases.

/// Submits a new version of the locator, replacing the previous one as a
/// whole. Checked in full; nothing is written unless every check passes.
pub async fn submit(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: LocatorInput,
) -> Result<LocatorView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = submitter(app, &mut tx, actor, epa_id).await?;
    let rules = rules_of(&ctx.plan)?;
    let mut problems = check_entries(&rules, &input);
    problems.extend(check_documents(&mut tx, epa_id, &input).await?);
    if !problems.is_empty() {
        return Err(AppError::Validation(field_errors(problems)));
    }
    let mapped: Vec<Vec<String>> = input
        .entries
        .iter()
        .map(|e| normalise_ksbs(&e.ksbs))
        .collect();
    let new: Vec<NewEntry<'_>> = input
        .entries
        .iter()
        .zip(&mapped)
        .enumerate()
        .map(|(i, (e, ksbs))| {
            Ok(NewEntry {
                position: i32::try_from(i + 1).map_err(AppError::internal)?,
                annex: e.annex.trim(),
                title: e.title.trim(),
                description: e.description.trim(),
                document_id: e.document_id,
                ksbs,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let previous = store::latest_in(&mut tx, epa_id).await?;
    let version = previous.as_ref().map_or(1, |l| l.version + 1);
    let now = app.now();
    let locator = store::insert(&mut tx, epa_id, version, actor.user_id, &new, now).await?;
    let coverage = rules.coverage(&mapped);
    audit::append(
        &mut tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: Some(actor.user_id),
            actor_role: actor.audit_role(),
            action: "evidence_locator.submitted",
            entity_type: "epa",
            entity_id: &epa_id.to_string(),
            before: previous.map(|p| json!({"locator_id": p.id, "version": p.version})),
            // Titles and descriptions are left out: free text that may name people.
            after: Some(json!({
                "locator_id": locator.id,
                "version": version,
                "entries": new.len(),
                "document_ids": new.iter().filter_map(|e| e.document_id).collect::<Vec<_>>(),
                "uncovered": coverage.uncovered,
            })),
            request_id: actor.request_id.as_deref(),
        },
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    // The answer is what was written, built without reading after the
    // commit: under an Idempotency-Key it is kept with the work (ADR 0141).
    let mut view = LocatorView {
        epa_id,
        version,
        submitted_by: locator.submitted_by,
        submitted_at: locator.submitted_at,
        entries: new
            .iter()
            .map(|e| LocatorEntryView {
                number: e.position,
                annex: e.annex.to_owned(),
                title: e.title.to_owned(),
                description: e.description.to_owned(),
                document_id: e.document_id,
                ksbs: e.ksbs.to_vec(),
            })
            .collect(),
    };
    in_plan_order(&ctx.plan, &mut view);
    Ok(view)
}

async fn latest(app: &App, epa_id: Uuid) -> Result<LocatorView, AppError> {
    let locator = store::latest(&app.db, epa_id).await?.ok_or_else(|| {
        AppError::Conflict("no evidence locator has been submitted for this EPA yet".to_owned())
    })?;
    let mut ksbs: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for (entry, code) in store::entry_ksbs(&app.db, locator.id).await? {
        ksbs.entry(entry).or_default().push(code);
    }
    let entries = store::entries(&app.db, locator.id)
        .await?
        .into_iter()
        .map(|e| LocatorEntryView {
            number: e.position,
            ksbs: ksbs.remove(&e.id).unwrap_or_default(),
            annex: e.annex,
            title: e.title,
            description: e.description,
            document_id: e.document_id,
        })
        .collect();
    Ok(LocatorView {
        epa_id,
        version: locator.version,
        submitted_by: locator.submitted_by,
        submitted_at: locator.submitted_at,
        entries,
    })
}

/// The latest version of the locator, for anyone who may see the EPA; KSB
/// codes in the plan's order.
pub async fn get(app: &App, actor: &Actor, epa_id: Uuid) -> Result<LocatorView, AppError> {
    let EpaContext { plan, .. } = visible(app, actor, epa_id).await?;
    let mut view = latest(app, epa_id).await?;
    in_plan_order(&plan, &mut view);
    Ok(view)
}

/// Each entry's KSB codes in the plan's order (codes the plan does not
/// know last, alphabetically).
fn in_plan_order(plan: &EffectivePlan, view: &mut LocatorView) {
    for entry in &mut view.entries {
        entry.ksbs.sort_by_cached_key(|code| {
            let place = plan.ksbs.iter().position(|k| k.code == *code);
            (place.unwrap_or(usize::MAX), code.clone())
        });
    }
}

/// Each project KSB and the annexes of the latest version covering it.
pub async fn coverage(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<LocatorCoverageView, AppError> {
    let EpaContext { plan, .. } = visible(app, actor, epa_id).await?;
    let rules = rules_of(&plan)?;
    let view = latest(app, epa_id).await?;
    let mapped: Vec<Vec<String>> = view.entries.iter().map(|e| e.ksbs.clone()).collect();
    let coverage = rules.coverage(&mapped);
    Ok(LocatorCoverageView {
        epa_id,
        version: view.version,
        method: rules.method_name.clone(),
        ksbs: coverage
            .rows
            .iter()
            .map(|r| LocatorCoverageRow {
                ksb: r.ksb.clone(),
                statement: plan.ksb(&r.ksb).map(|k| k.text.clone()).unwrap_or_default(),
                entries: r
                    .items
                    .iter()
                    .filter_map(|n| view.entries.get(n - 1))
                    .map(|e| CoveringAnnex {
                        number: e.number,
                        annex: e.annex.clone(),
                        title: e.title.clone(),
                    })
                    .collect(),
            })
            .collect(),
        uncovered: coverage.uncovered,
    })
}
