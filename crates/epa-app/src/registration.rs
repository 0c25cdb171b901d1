//! Registering an apprentice for an EPA: the first step of the journey.

use chrono::{Datelike, NaiveDate};
use epa_domain::lifecycle::Lifecycle;
use epa_domain::policy::{Action, Decision};
use epa_domain::{Uln, UlnMode};
use epa_store::apprentices::{self, NewApprentice};
use epa_store::audit::{self, NewAuditEvent};
use epa_store::epas::{self, NewEpa};
use epa_store::organisations::{self, OrganisationKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::epas::EpaView;
use crate::gate;
use crate::{Actor, App, AppError, FieldError, access};

/// What a registration form or API call sends.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub uln: String,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub employer_id: Uuid,
    pub provider_id: Uuid,
    /// Standard reference, such as `ST0071`.
    pub standard: String,
    /// Plan version; the newest loaded when absent.
    #[serde(default)]
    pub version: Option<String>,
    /// EPAO policy the EPA runs under, such as `tquk` or `innovate`.
    pub policy: String,
    /// The apprentice's start date on programme.
    pub start_date: NaiveDate,
}

const NAME_MAX: usize = 100;

/// Registers the apprentice and opens their EPA at `registered`.
/// Who may is the access policy's `register_apprentice`: EPAO staff, or
/// the apprentice's own training provider.
pub async fn register(app: &App, actor: &Actor, input: Registration) -> Result<EpaView, AppError> {
    let epao = the_epao(app).await?;
    let refused =
        "only EPAO staff, or the apprentice's training provider, can register an apprentice";
    match access::authorize(
        actor,
        Action::RegisterApprentice,
        &access::new_record(epao.id, input.employer_id, input.provider_id),
        refused,
    ) {
        // The apprentice may be on file already, and the caller linked to
        // their record (the apprentice themselves, their assessor): they know
        // it exists, so the policy's answer is a refusal, not "not found".
        Err(AppError::NotFound) if knows_apprentice(app, actor, &input.uln).await? => {
            return Err(AppError::Forbidden(refused.to_owned()));
        }
        decided => decided?,
    }

    let checked = check(app, &input).await?;
    let mut tx = app.db.begin_write().await?;
    let epa_id = insert(
        app,
        &mut tx,
        &Registrant::person(actor),
        epao.id,
        &input,
        &checked,
    )
    .await?;
    // Read back through the gate: the answer shows what the registrant may see.
    let registered = gate::EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(EpaView::for_reader(&registered, actor))
}

/// The EPAO this installation runs: every registration opens its EPA there.
pub(crate) async fn the_epao(app: &App) -> Result<organisations::Organisation, AppError> {
    organisations::first_of_kind(&app.db, OrganisationKind::Epao)
        .await?
        .ok_or_else(|| AppError::Conflict("no EPAO organisation is set up yet".to_owned()))
}

/// Who a registration is recorded against in the audit: a signed-in
/// person, or the operator running a command on the server.
pub(crate) use crate::transitions::AuditActor as Registrant;

/// Writes one checked registration in `tx`: the apprentice, their EPA at
/// `registered`, and the audit event. Returns the EPA's ID.
pub(crate) async fn insert(
    app: &App,
    tx: &mut epa_store::Tx,
    by: &Registrant<'_>,
    epao_id: Uuid,
    input: &Registration,
    checked: &Checked,
) -> Result<Uuid, AppError> {
    let lifecycle = Lifecycle::new();
    let state =
        serde_json::to_string(&lifecycle).map_err(|err| AppError::Internal(err.to_string()))?;
    let now = app.now();
    let apprentice = apprentices::insert(
        tx,
        &NewApprentice {
            uln: &checked.uln.to_string(),
            given_names: input.given_names.trim(),
            family_name: input.family_name.trim(),
            date_of_birth: input.date_of_birth,
            employer_id: input.employer_id,
            provider_id: input.provider_id,
            user_id: None,
            start_date: input.start_date,
        },
        now,
    )
    .await
    .map_err(|err| match err {
        epa_store::StoreError::Conflict(_) => {
            AppError::field("uln", "an apprentice with this ULN is already registered")
        }
        other => other.into(),
    })?;
    let epa_id = epas::insert(
        tx,
        &NewEpa {
            apprentice_id: apprentice.id,
            epao_id,
            standard_reference: &checked.reference,
            standard_version: &checked.version,
            policy: &checked.policy,
            stage: lifecycle.stage,
            lifecycle: &state,
        },
        now,
    )
    .await?;
    // Nothing else is recorded about the EPA here: its graders, adjustment
    // and the records its deadlines follow from need no reading.
    tx.note_new(epa_id);
    audit::append(
        tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: by.actor_id,
            actor_role: by.role,
            action: "epa.registered",
            entity_type: "epa",
            entity_id: &epa_id.to_string(),
            before: None,
            // Identifiers only: names and dates of birth stay out of the audit payload.
            after: Some(json!({
                "apprentice_id": apprentice.id,
                "standard": checked.reference,
                "version": checked.version,
                "policy": checked.policy,
                "stage": lifecycle.stage.as_str(),
            })),
            request_id: by.request_id,
        },
    )
    .await?;
    Ok(epa_id)
}

/// Whether the apprentice with this ULN is on file and `actor` has a
/// relationship to one of their EPAs that the policy lets them know of.
/// This only ever turns a 404 into a 403: a new record is still decided on
/// its own.
async fn knows_apprentice(app: &App, actor: &Actor, uln: &str) -> Result<bool, AppError> {
    let Ok(uln) = Uln::parse_with(uln.trim(), UlnMode::Strict) else {
        return Ok(false);
    };
    for row in epas::for_uln(&app.db, &uln.to_string()).await? {
        let decision = gate::decision_for(app, actor, &row, Action::RegisterApprentice).await?;
        if decision != Decision::NotFound {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A name as registered: present, and of a sensible length.
pub(crate) fn check_name(field: &str, value: &str, problems: &mut Vec<FieldError>) {
    let value = value.trim();
    if value.is_empty() {
        problems.push(FieldError::new(field, "enter a name"));
    } else if value.chars().count() > NAME_MAX {
        problems.push(FieldError::new(
            field,
            format!("use at most {NAME_MAX} characters"),
        ));
    }
}

/// A registration that meets the rules, with its plan chosen.
pub(crate) struct Checked {
    pub uln: Uln,
    pub reference: String,
    pub version: String,
    pub policy: String,
}

/// Every problem with the input at once, each against its field.
async fn check(app: &App, input: &Registration) -> Result<Checked, AppError> {
    let mut problems = Vec::new();
    let checked = check_rules(app, input, &mut problems);
    // The two organisations named, in one indexed read.
    let named = organisations::with_ids(&app.db, &[input.employer_id, input.provider_id]).await?;
    for (field, id, kind) in [
        ("employer_id", input.employer_id, OrganisationKind::Employer),
        ("provider_id", input.provider_id, OrganisationKind::Provider),
    ] {
        if !named.iter().any(|org| org.id == id && org.kind == kind) {
            problems.push(FieldError::new(
                field,
                format!("no {} with this ID", kind.as_str()),
            ));
        }
    }
    match checked {
        Some(checked) if problems.is_empty() => Ok(checked),
        _ => {
            // In the order the fields are asked for, so an error summary
            // reads down the form.
            problems.sort_by_key(|problem| {
                FIELD_ORDER
                    .iter()
                    .position(|field| *field == problem.field)
                    .unwrap_or(FIELD_ORDER.len())
            });
            Err(AppError::Validation(problems))
        }
    }
}

/// A registration's fields in the order the form and the API document them.
const FIELD_ORDER: [&str; 9] = [
    "uln",
    "given_names",
    "family_name",
    "date_of_birth",
    "employer_id",
    "provider_id",
    "standard",
    "policy",
    "start_date",
];

/// The rules of a registration that need nothing stored: the ULN, the
/// names, the dates and the plan. Problems are added to `problems`; the
/// checked registration comes back when this part has none.
pub(crate) fn check_rules(
    app: &App,
    input: &Registration,
    problems: &mut Vec<FieldError>,
) -> Option<Checked> {
    let before = problems.len();
    let uln = Uln::parse_with(input.uln.trim(), UlnMode::Strict)
        .map_err(|err| problems.push(FieldError::new("uln", err.to_string())))
        .ok();
    check_name("given_names", &input.given_names, problems);
    check_name("family_name", &input.family_name, problems);
    let age_at_start = input.start_date.year() - input.date_of_birth.year();
    if !(15..=100).contains(&age_at_start) {
        problems.push(FieldError::new(
            "date_of_birth",
            "check the date of birth: the apprentice would be under 15 or over 100 at the start date",
        ));
    }
    if input.start_date > app.clock.today() {
        problems.push(FieldError::new(
            "start_date",
            "the start date cannot be in the future",
        ));
    }
    let plan = app
        .plans
        .shared(&input.standard, input.version.as_deref(), &input.policy)
        .map_err(|err| {
            // An unknown standard or version is the standard's to fix, an
            // unknown EPAO the policy's.
            let field = match err {
                epa_plan::SelectError::UnknownEpao { .. } => "policy",
                _ => "standard",
            };
            problems.push(FieldError::new(field, err.to_string()));
        })
        .ok();
    match (uln, plan, problems.len() == before) {
        (Some(uln), Some(plan), true) => Some(Checked {
            uln,
            reference: plan.reference.clone(),
            version: plan.version.clone(),
            policy: plan.epao.clone(),
        }),
        _ => None,
    }
}
