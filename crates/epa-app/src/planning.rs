//! Use cases of the EPA's planning: conflicts of interest, the planning
//! meeting that allocates the assessor, bookings of each method under the
//! plan's rules (cancelled, rescheduled, no-shows), the report and portfolio
//! submission dates, and an assessor's allocations (ADR 0060).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use epa_domain::booking::{self, BookingFacts, Finding};
use epa_domain::lifecycle::{self, Command, Lifecycle, Stage};
use epa_domain::policy::{self, Action, Decision};
use epa_plan::{EffectivePlan, MethodId, Mode, Strength};
use epa_store::audit::{self, NewAuditEvent};
use epa_store::conflicts::{self, Conflict};
use epa_store::epas::{self, Change, EpaRow, Filter, Scope};
use epa_store::organisations::{self, OrganisationKind};
use epa_store::outbox::{self, NewMessage};
use epa_store::planning::{self as store, Booking, NewBooking, NewPlanningMeeting};
use epa_store::users::Role;
use epa_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::epas::EpaView;
use crate::{Actor, App, AppError, FieldError, access, transitions};

const REASON_MAX: usize = 2_000;
const ATTENDEES_MAX: usize = 30;
const ATTENDEE_MAX: usize = 200;
/// A booking longer than a working day is a typing slip, not a plan.
const BOOKING_MINUTES_MAX: u32 = 480;

// ---------------------------------------------------------------------------
// Conflicts of interest

/// A conflict of interest to declare.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictInput {
    /// Whose conflict: yourself when absent. EPAO admin and operations may
    /// declare one for an assessor or quality assurer of their EPAO.
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// The employer or training provider the person is connected with.
    pub organisation_id: Uuid,
    /// How they are connected (worked there, related to someone there ...).
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConflictView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    /// `declared` or `derived`.
    pub source: String,
    pub reason: String,
    pub declared_at: DateTime<Utc>,
    pub declared_by: Option<Uuid>,
}

impl From<Conflict> for ConflictView {
    fn from(c: Conflict) -> Self {
        ConflictView {
            id: c.id,
            user_id: c.user_id,
            organisation_id: c.organisation_id,
            source: c.source,
            reason: c.reason,
            declared_at: c.declared_at,
            declared_by: c.declared_by,
        }
    }
}

/// EPAOs in which the actor is admin or operations.
fn staff_epaos(actor: &Actor) -> BTreeSet<Uuid> {
    actor
        .organisations_as(Role::EpaoAdmin)
        .chain(actor.organisations_as(Role::EpaoOperations))
        .collect()
}

/// EPAOs in which the actor assesses or quality-assures: the people a
/// conflict of interest concerns.
fn assessing_epaos(actor: &Actor) -> BTreeSet<Uuid> {
    actor
        .organisations_as(Role::Assessor)
        .chain(actor.organisations_as(Role::QualityAssurer))
        .collect()
}

/// Whether `user` assesses or quality-assures in one of `epaos`.
async fn assesses_in(tx: &mut Tx, user: Uuid, epaos: &BTreeSet<Uuid>) -> Result<bool, AppError> {
    for epao in epaos {
        for role in [Role::Assessor, Role::QualityAssurer] {
            if store::holds_role_in(tx, user, *epao, role.as_str()).await? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Declares a conflict of interest between an assessor (or quality
/// assurer) and an employer or training provider. The access policy has no
/// action for this (it is about a person, not an EPA), so the rule is here:
/// the person themselves, or EPAO admin or operations of their EPAO.
pub async fn declare_conflict(
    app: &App,
    actor: &Actor,
    input: ConflictInput,
) -> Result<ConflictView, AppError> {
    let target = input.user_id.unwrap_or(actor.user_id);
    let mut tx = app.db.begin_write().await?;
    if target == actor.user_id {
        if assessing_epaos(actor).is_empty() {
            return Err(AppError::Forbidden(
                "only assessors and quality assurers declare conflicts of interest; EPAO staff can declare one for them".to_owned(),
            ));
        }
    } else {
        let epaos = staff_epaos(actor);
        if epaos.is_empty() {
            return Err(AppError::Forbidden(
                "you can declare a conflict of interest only for yourself".to_owned(),
            ));
        }
        if !assesses_in(&mut tx, target, &epaos).await? {
            return Err(AppError::field(
                "user_id",
                "no assessor or quality assurer of your EPAO has this ID",
            ));
        }
    }
    let mut problems = Vec::new();
    let reason = input.reason.trim();
    if reason.is_empty() {
        problems.push(FieldError::new(
            "reason",
            "say how the person is connected with the organisation",
        ));
    } else if reason.chars().count() > REASON_MAX {
        problems.push(FieldError::new(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
    }
    match organisations::get(&app.db, input.organisation_id).await {
        Ok(org)
            if matches!(
                org.kind,
                OrganisationKind::Employer | OrganisationKind::Provider
            ) => {}
        Ok(_) | Err(StoreError::NotFound) => problems.push(FieldError::new(
            "organisation_id",
            "no employer or training provider with this ID",
        )),
        Err(other) => return Err(other.into()),
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let now = app.now();
    let conflict = conflicts::declare_by(
        &mut tx,
        target,
        input.organisation_id,
        reason,
        actor.user_id,
        now,
    )
    .await
    .map_err(|err| match err {
        StoreError::Conflict(_) => AppError::Conflict(
            "a conflict of interest with this organisation is already recorded for this person"
                .to_owned(),
        ),
        other => other.into(),
    })?;
    audit::append(
        &mut tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: Some(actor.user_id),
            actor_role: actor.audit_role(),
            action: "conflict.declared",
            entity_type: "user",
            entity_id: &target.to_string(),
            before: None,
            after: Some(json!({
                "conflict_id": conflict.id,
                "organisation_id": conflict.organisation_id,
                "source": conflict.source,
                "reason": conflict.reason,
            })),
            request_id: actor.request_id.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(conflict.into())
}

/// One person's conflicts: for themselves, or for EPAO admin and operations
/// of their EPAO. Anyone else is told nothing (404).
pub async fn conflicts_of(
    app: &App,
    actor: &Actor,
    user_id: Uuid,
) -> Result<Vec<ConflictView>, AppError> {
    if user_id != actor.user_id {
        let epaos = staff_epaos(actor);
        let mut tx = app.db.begin_write().await?;
        let visible = !epaos.is_empty() && assesses_in(&mut tx, user_id, &epaos).await?;
        drop(tx);
        if !visible {
            return Err(AppError::NotFound);
        }
    }
    Ok(conflicts::of_user(&app.db, user_id)
        .await?
        .into_iter()
        .map(ConflictView::from)
        .collect())
}

/// The people conflicted for an EPA: declared or derived links with its
/// employer or training provider.
async fn conflicts_for(tx: &mut Tx, row: &EpaRow) -> Result<Vec<Conflict>, AppError> {
    Ok(conflicts::for_organisations(tx, row.employer_id, row.provider_id).await?)
}

fn conflicted_ids(conflicts: &[Conflict]) -> Vec<Uuid> {
    conflicts.iter().map(|c| c.user_id).collect()
}

/// Why `assessor` may not assess this EPA, if they may not.
fn conflict_reason(conflicts: &[Conflict], row: &EpaRow, assessor: Uuid) -> Option<String> {
    conflicts.iter().find(|c| c.user_id == assessor).map(|c| {
        let with = if c.organisation_id == row.employer_id {
            "the apprentice's employer"
        } else {
            "the apprentice's training provider"
        };
        format!(
            "this assessor has a conflict of interest with {with} ({} on {}: {}), so cannot assess this apprentice; choose another assessor",
            c.source,
            c.declared_at.date_naive(),
            c.reason
        )
    })
}

/// Checks that `assessor` assesses for the EPA's EPAO and is not conflicted.
async fn check_assessor(
    tx: &mut Tx,
    row: &EpaRow,
    conflicts: &[Conflict],
    assessor: Uuid,
    problems: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if !store::holds_role_in(tx, assessor, row.epa.epao_id, Role::Assessor.as_str()).await? {
        problems.push(FieldError::new(
            "assessor_id",
            "this person is not an assessor of the EPA's EPAO",
        ));
    } else if let Some(reason) = conflict_reason(conflicts, row, assessor) {
        problems.push(FieldError::new("assessor_id", reason));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The planning meeting

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanningMeetingInput {
    /// The day the meeting was held: from the gateway approval to today.
    pub held_on: NaiveDate,
    /// Who attended, as free text ("Jo Bloggs, employer").
    pub attendees: Vec<String>,
    /// The assessor allocated to the EPA.
    pub assessor_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanningMeetingView {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub held_on: NaiveDate,
    pub attendees: Vec<String>,
    pub assessor_id: Uuid,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl From<store::PlanningMeeting> for PlanningMeetingView {
    fn from(m: store::PlanningMeeting) -> Self {
        PlanningMeetingView {
            id: m.id,
            epa_id: m.epa_id,
            held_on: m.held_on,
            attendees: serde_json::from_str(&m.attendees).unwrap_or_default(),
            assessor_id: m.assessor_id,
            recorded_by: m.recorded_by,
            recorded_at: m.recorded_at,
        }
    }
}

/// What holding the planning meeting answers: the meeting and the EPA as it now is.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanningMeetingHeld {
    pub meeting: PlanningMeetingView,
    pub epa: EpaView,
}

/// A refusal of the lifecycle, checked before the input so the caller
/// hears first that the step is not allowed now, with what is.
fn stage_allows(row: &EpaRow, command: &Command) -> Result<Lifecycle, AppError> {
    let state = transitions::state_of(row)?;
    lifecycle::apply(&state, command).map_err(|err| AppError::Conflict(err.to_string()))?;
    Ok(state)
}

/// Records the assessment planning meeting of an EPA whose gateway is
/// approved: allocates the assessor, moves the EPA to `planned`, and emails
/// the apprentice's provider and employer users and the assessor.
pub async fn hold_planning_meeting(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: PlanningMeetingInput,
) -> Result<PlanningMeetingHeld, AppError> {
    let mut tx = app.db.begin_write().await?;
    let row = epas::get_in(&mut tx, epa_id).await?;
    let conflicts = conflicts_for(&mut tx, &row).await?;
    access::authorize(
        actor,
        Action::AllocateAssessor,
        &access::epa_resource(&row, &conflicted_ids(&conflicts)),
        "only EPAO staff without a conflict of interest can hold the planning meeting and allocate the assessor",
    )?;
    let state = stage_allows(&row, &Command::HoldPlanningMeeting)?;
    let today = app.clock.today();
    let mut problems = Vec::new();
    let period_start = state.epa_period_start.or(row.epa.gateway_approved_on);
    if let Some(start) = period_start
        && input.held_on < start
    {
        problems.push(FieldError::new(
            "held_on",
            format!("the meeting follows the gateway approval on {start}: enter that day or later"),
        ));
    }
    if input.held_on > today {
        problems.push(FieldError::new(
            "held_on",
            "record the meeting once it has been held: the date cannot be in the future",
        ));
    }
    let attendees: Vec<String> = input
        .attendees
        .iter()
        .map(|a| a.trim().to_owned())
        .collect();
    if attendees.is_empty() {
        problems.push(FieldError::new("attendees", "list who attended"));
    } else if attendees.len() > ATTENDEES_MAX {
        problems.push(FieldError::new(
            "attendees",
            format!("list at most {ATTENDEES_MAX} attendees"),
        ));
    } else if attendees.iter().any(String::is_empty) {
        problems.push(FieldError::new("attendees", "an attendee cannot be blank"));
    } else if attendees.iter().any(|a| a.chars().count() > ATTENDEE_MAX) {
        problems.push(FieldError::new(
            "attendees",
            format!("use at most {ATTENDEE_MAX} characters for each attendee"),
        ));
    }
    check_assessor(&mut tx, &row, &conflicts, input.assessor_id, &mut problems).await?;
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let plan = plan_of(app, &row)?;

    let now = app.now();
    let attendees_json =
        serde_json::to_string(&attendees).map_err(|err| AppError::Internal(err.to_string()))?;
    let meeting = store::insert_meeting(
        &mut tx,
        &NewPlanningMeeting {
            epa_id,
            held_on: input.held_on,
            attendees: &attendees_json,
            assessor_id: input.assessor_id,
            recorded_by: actor.user_id,
        },
        now,
    )
    .await?;
    transitions::apply(
        app,
        &mut tx,
        actor,
        &row,
        &Command::HoldPlanningMeeting,
        "epa.planning_meeting_held",
        json!({
            "meeting_id": meeting.id,
            "held_on": input.held_on,
            "assessor_id": input.assessor_id,
            "attendees": attendees.len(),
        }),
    )
    .await?;
    // `transitions::apply` moved the version on by one.
    epas::update(
        &mut tx,
        epa_id,
        row.epa.version + 1,
        &Change {
            planning_meeting_on: Some(input.held_on),
            assessor_id: Some(input.assessor_id),
            ..Change::default()
        },
        now,
    )
    .await?;

    let wd = working_days()?;
    let period_end = match (
        period_start,
        epa_domain::plan::period_of(&plan.rules.timings.epa_period),
    ) {
        (Some(start), Some(period)) => Some(
            period
                .after(start, &wd)
                .map_err(|err| AppError::Internal(err.to_string()))?,
        ),
        _ => None,
    };
    let mut body = format!(
        "The assessment planning meeting for {} {} ({} v{}, {}) was held on {}.\n\
         An assessor has been allocated; the assessments will be booked with you.\n",
        row.given_names,
        row.family_name,
        plan.reference,
        plan.version,
        plan.epao_name,
        input.held_on,
    );
    if let Some(end) = period_end {
        body.push_str(&format!(
            "{} The EPA period ends on {end}.\n",
            plan.rules.timings.epa_period.text
        ));
    }
    body.push_str(&format!("{}\n", plan.rules.timings.observation_notice.text));
    body.push_str(&format!("EPA reference: {epa_id}\n"));
    let recipients = recipients(&mut tx, &row, input.assessor_id).await?;
    for recipient in &recipients {
        outbox::enqueue(
            &mut tx,
            &NewMessage {
                kind: "email",
                recipient,
                subject: "EPA planning meeting held: assessor allocated",
                body: &body,
            },
            now,
        )
        .await?;
    }
    let epa = epas::get_in(&mut tx, epa_id).await?;
    tx.commit().await?;
    Ok(PlanningMeetingHeld {
        meeting: meeting.into(),
        epa: EpaView::from(epa),
    })
}

/// The EPA's planning meetings, for those who may see the EPA.
pub async fn planning_meetings(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<PlanningMeetingView>, AppError> {
    view_epa(app, actor, epa_id).await?;
    Ok(store::meetings(&app.db, epa_id)
        .await?
        .into_iter()
        .map(PlanningMeetingView::from)
        .collect())
}

/// Who hears about the EPA's planning: the provider's and employer's users,
/// the apprentice when they sign in, and the assessor; each once.
async fn recipients(tx: &mut Tx, row: &EpaRow, assessor: Uuid) -> Result<Vec<String>, AppError> {
    let mut emails = BTreeSet::new();
    emails.extend(
        store::emails_with_role_in(tx, row.provider_id, Role::ProviderUser.as_str()).await?,
    );
    emails.extend(
        store::emails_with_role_in(tx, row.employer_id, Role::EmployerUser.as_str()).await?,
    );
    for user in row.apprentice_user_id.into_iter().chain([assessor]) {
        emails.extend(store::email_of_in(tx, user).await?);
    }
    Ok(emails.into_iter().collect())
}

fn plan_of(app: &App, row: &EpaRow) -> Result<EffectivePlan, AppError> {
    app.plans
        .effective(
            &row.epa.standard_reference,
            Some(&row.epa.standard_version),
            &row.epa.policy,
        )
        .map_err(|err| AppError::Internal(format!("EPA {} has no plan: {err}", row.epa.id)))
}

use crate::calendar::working_days;

async fn view_epa(app: &App, actor: &Actor, epa_id: Uuid) -> Result<EpaRow, AppError> {
    let row = epas::get(&app.db, epa_id).await?;
    let conflicts =
        conflicts::for_organisations_db(&app.db, row.employer_id, row.provider_id).await?;
    access::authorize(
        actor,
        Action::ViewEpa,
        &access::epa_resource(&row, &conflicted_ids(&conflicts)),
        "you cannot see this EPA",
    )?;
    Ok(row)
}

// ---------------------------------------------------------------------------
// Bookings

/// A plan rule a booking does not meet, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RuleFinding {
    /// The policy's key: `observation_notice`, `epa_period`,
    /// `report_to_interview`, `portfolio_due`, or an order rule's ID.
    pub rule: String,
    /// `must` refuses; `recommended` warns.
    pub strength: String,
    pub message: String,
    /// The document, section and quote the rule rests on.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest_allowed: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_allowed: Option<NaiveDate>,
}

impl From<Finding> for RuleFinding {
    fn from(f: Finding) -> Self {
        RuleFinding {
            strength: match f.strength {
                Strength::Must => "must",
                Strength::Recommended => "recommended",
            }
            .to_owned(),
            rule: f.rule,
            message: f.message,
            source: f.source.to_string(),
            earliest_allowed: f.earliest_allowed,
            latest_allowed: f.latest_allowed,
        }
    }
}

/// A booking refused by the plan's rules, or any other answer.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    App(#[from] AppError),
    /// A "must" rule is not met: nothing was written.
    #[error("the booking does not meet the assessment plan's rules")]
    Refused {
        refusals: Vec<RuleFinding>,
        warnings: Vec<RuleFinding>,
    },
}

impl From<StoreError> for BookingError {
    fn from(err: StoreError) -> Self {
        BookingError::App(err.into())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    /// `observation`, `project` (the interview) or `discussion`.
    pub method: String,
    pub date: NaiveDate,
    /// Local time in England, `HH:MM`.
    pub start_time: String,
    /// The method's length in the plan when absent.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// `in_person` or `remote`, as the plan allows for the method.
    pub mode: String,
    /// The allocated assessor when absent.
    #[serde(default)]
    pub assessor_id: Option<Uuid>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleInput {
    pub date: NaiveDate,
    /// Local time in England, `HH:MM`.
    pub start_time: String,
    /// As before when absent.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// As before when absent.
    #[serde(default)]
    pub mode: Option<String>,
    /// As before when absent.
    #[serde(default)]
    pub assessor_id: Option<Uuid>,
    /// Why it moves.
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub method: String,
    pub date: NaiveDate,
    /// `HH:MM`, local time in England.
    pub start_time: String,
    pub duration_minutes: i32,
    pub mode: String,
    pub assessor_id: Uuid,
    /// `booked`, `cancelled`, `rescheduled` or `no_show`.
    pub status: String,
    pub status_reason: Option<String>,
    pub status_changed_at: Option<DateTime<Utc>>,
    /// The booking this one replaced.
    pub replaces_id: Option<Uuid>,
    /// The booking that replaced this one, once rescheduled.
    pub replaced_by: Option<Uuid>,
    pub booked_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub record_version: i64,
}

impl From<Booking> for BookingView {
    fn from(b: Booking) -> Self {
        BookingView {
            id: b.id,
            epa_id: b.epa_id,
            method: b.method,
            date: b.assessment_on,
            start_time: b.starts_at.format("%H:%M").to_string(),
            duration_minutes: b.duration_minutes,
            mode: b.mode,
            assessor_id: b.assessor_id,
            status: b.status,
            status_reason: b.status_reason,
            status_changed_at: b.status_changed_at,
            replaces_id: b.replaces_id,
            replaced_by: None,
            booked_on: b.booked_on,
            created_at: b.created_at,
            record_version: b.version,
        }
    }
}

/// A booking accepted, with any "recommended" rule it does not follow.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Booked {
    pub booking: BookingView,
    pub warnings: Vec<RuleFinding>,
}

fn mode_str(mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => "in_person",
        Mode::Remote => "remote",
    }
}

/// The EPA's live stages for booking: planned, and in assessment (the
/// methods not yet sat are still booked or moved then).
fn check_bookable(row: &EpaRow) -> Result<(), AppError> {
    let state = transitions::state_of(row)?;
    if matches!(state.stage, Stage::Planned | Stage::InAssessment) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "You cannot book an assessment now: the EPA is at stage {}. Assessments are booked once the planning meeting has been held (stage planned) and until they have all been assessed.",
            state.stage.as_str()
        )))
    }
}

/// What a booking asks for, checked.
struct Slot {
    method: MethodId,
    date: NaiveDate,
    starts_at: NaiveTime,
    duration: u32,
    mode: &'static str,
    assessor: Uuid,
}

struct SlotRequest<'a> {
    method: &'a str,
    date: NaiveDate,
    start_time: &'a str,
    duration_minutes: Option<u32>,
    mode: &'a str,
    assessor_id: Option<Uuid>,
}

/// Checks the fields of a booking, every problem at once.
async fn check_slot(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    row: &EpaRow,
    conflicts: &[Conflict],
    plan: &EffectivePlan,
    request: &SlotRequest<'_>,
) -> Result<Slot, AppError> {
    let mut problems = Vec::new();
    let method = MethodId::parse(request.method).and_then(|m| plan.method(m));
    if method.is_none() {
        problems.push(FieldError::new(
            "method",
            "choose observation, project (the interview) or discussion",
        ));
    }
    if request.date < app.clock.today() {
        problems.push(FieldError::new("date", "the date cannot be in the past"));
    }
    let starts_at = NaiveTime::parse_from_str(request.start_time.trim(), "%H:%M")
        .map_err(|_| {
            problems.push(FieldError::new(
                "start_time",
                "enter a time of day as HH:MM, such as 09:30",
            ))
        })
        .ok();
    let mut mode = None;
    let mut duration = None;
    if let Some(method) = method {
        mode = method
            .modes
            .iter()
            .map(|m| mode_str(*m))
            .find(|m| *m == request.mode);
        if mode.is_none() {
            let allowed: Vec<&str> = method.modes.iter().map(|m| mode_str(*m)).collect();
            problems.push(FieldError::new(
                "mode",
                format!(
                    "the plan allows the {} {}",
                    booking::method_word(method.id),
                    allowed.join(" or ")
                ),
            ));
        }
        let minutes = request.duration_minutes.unwrap_or(method.duration_minutes);
        if minutes < method.min_minutes || minutes > BOOKING_MINUTES_MAX {
            problems.push(FieldError::new(
                "duration_minutes",
                format!(
                    "book at least the plan's shortest {} ({} minutes) and at most {BOOKING_MINUTES_MAX} minutes",
                    booking::method_word(method.id),
                    method.min_minutes
                ),
            ));
        } else {
            duration = Some(minutes);
        }
    }
    let assessor = request.assessor_id.or(row.epa.assessor_id);
    match assessor {
        None => problems.push(FieldError::new(
            "assessor_id",
            "no assessor is allocated: choose one",
        )),
        Some(assessor) => {
            if assessor != actor.user_id && !staff_epaos(actor).contains(&row.epa.epao_id) {
                return Err(AppError::Forbidden(
                    "an assessor can book assessments only for themselves".to_owned(),
                ));
            }
            check_assessor(tx, row, conflicts, assessor, &mut problems).await?;
        }
    }
    match (
        method,
        starts_at,
        mode,
        duration,
        assessor,
        problems.is_empty(),
    ) {
        (Some(method), Some(starts_at), Some(mode), Some(duration), Some(assessor), true) => {
            Ok(Slot {
                method: method.id,
                date: request.date,
                starts_at,
                duration,
                mode,
                assessor,
            })
        }
        _ => Err(AppError::Validation(problems)),
    }
}

/// The EPA's live bookings for its current attempt. A booking made before
/// the current resit, project rework or retake started was for a sitting of
/// an earlier attempt, which has taken place: it neither blocks booking the
/// method again nor bears on the new bookings' rules.
async fn current_bookings(tx: &mut Tx, row: &EpaRow) -> Result<Vec<Booking>, AppError> {
    let live = store::live_bookings_in(tx, row.epa.id).await?;
    let started =
        epa_store::assessment::attempts(epa_store::assessment::Reader::Tx(tx), row.epa.id)
            .await?
            .into_iter()
            .map(|attempt| attempt.started_at)
            .max();
    Ok(match started {
        Some(started) => live
            .into_iter()
            .filter(|b| b.created_at >= started)
            .collect(),
        None => live,
    })
}

/// The plan's rules for `slot`, against the EPA's other live bookings
/// (`replacing` excluded): refused, or the warnings.
async fn check_rules(
    app: &App,
    tx: &mut Tx,
    row: &EpaRow,
    plan: &EffectivePlan,
    slot: &Slot,
    replacing: Option<Uuid>,
) -> Result<Vec<RuleFinding>, BookingError> {
    let live = current_bookings(tx, row).await?;
    if let Some(same) = live
        .iter()
        .find(|b| b.method == slot.method.as_str() && Some(b.id) != replacing)
    {
        return Err(AppError::Conflict(format!(
            "the {} is already booked for {}: reschedule or cancel that booking instead",
            booking::method_word(slot.method),
            same.assessment_on
        ))
        .into());
    }
    let state = transitions::state_of(row)?;
    let facts = BookingFacts {
        method: slot.method,
        date: slot.date,
        booked_on: app.clock.today(),
        epa_period_start: state.epa_period_start.or(row.epa.gateway_approved_on),
        report_submitted_on: store::latest_submission_in(tx, row.epa.id, "report").await?,
        portfolio_submitted_on: store::latest_submission_in(tx, row.epa.id, "portfolio").await?,
        booked: live
            .iter()
            .filter(|b| Some(b.id) != replacing)
            .filter_map(|b| MethodId::parse(&b.method).map(|m| (m, b.assessment_on)))
            .collect(),
    };
    let findings = booking::check(plan, &facts, &working_days()?)
        .map_err(|err| AppError::Internal(err.to_string()))?;
    let (refusals, warnings): (Vec<Finding>, Vec<Finding>) =
        findings.into_iter().partition(Finding::refuses);
    let warnings: Vec<RuleFinding> = warnings.into_iter().map(RuleFinding::from).collect();
    if refusals.is_empty() {
        Ok(warnings)
    } else {
        Err(BookingError::Refused {
            refusals: refusals.into_iter().map(RuleFinding::from).collect(),
            warnings,
        })
    }
}

/// The EPA read for a booking change, with its conflicts, after the policy allowed it.
async fn booking_context(
    tx: &mut Tx,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<(EpaRow, Vec<Conflict>), AppError> {
    let row = epas::get_in(tx, epa_id).await?;
    let conflicts = conflicts_for(tx, &row).await?;
    access::authorize(
        actor,
        Action::BookAssessment,
        &access::epa_resource(&row, &conflicted_ids(&conflicts)),
        "only EPAO staff or the allocated assessor can book, move or cancel assessments",
    )?;
    Ok((row, conflicts))
}

fn booking_json(b: &Booking) -> Value {
    json!({
        "booking_id": b.id,
        "method": b.method,
        "date": b.assessment_on,
        "start_time": b.starts_at.format("%H:%M").to_string(),
        "duration_minutes": b.duration_minutes,
        "mode": b.mode,
        "assessor_id": b.assessor_id,
        "status": b.status,
        "replaces_id": b.replaces_id,
    })
}

/// Emails the people who must turn up about a booking change.
async fn notify_booking(
    app: &App,
    tx: &mut Tx,
    row: &EpaRow,
    booking: &Booking,
    what: &str,
) -> Result<(), AppError> {
    let method = MethodId::parse(&booking.method)
        .map(booking::method_word)
        .unwrap_or("assessment");
    let subject = format!("EPA {method} {what}");
    let mode = if booking.mode == "remote" {
        "by video call"
    } else {
        "in person"
    };
    let body = format!(
        "The {method} for {} {} is {what}: {} at {} (UK time), {} minutes, {mode}.\nEPA reference: {}\n",
        row.given_names,
        row.family_name,
        booking.assessment_on,
        booking.starts_at.format("%H:%M"),
        booking.duration_minutes,
        row.epa.id,
    );
    for recipient in recipients(tx, row, booking.assessor_id).await? {
        outbox::enqueue(
            tx,
            &NewMessage {
                kind: "email",
                recipient: &recipient,
                subject: &subject,
                body: &body,
            },
            app.now(),
        )
        .await?;
    }
    Ok(())
}

/// Books one method of a planned EPA under the plan's rules: a "must" rule
/// refuses with the earliest (or latest) allowed date; a "recommended" one
/// is returned as a warning. The first booking does not move the lifecycle.
pub async fn book(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: BookingInput,
) -> Result<Booked, BookingError> {
    let mut tx = app.db.begin_write().await?;
    let (row, conflicts) = booking_context(&mut tx, actor, epa_id).await?;
    check_bookable(&row)?;
    let plan = plan_of(app, &row)?;
    let slot = check_slot(
        app,
        &mut tx,
        actor,
        &row,
        &conflicts,
        &plan,
        &SlotRequest {
            method: input.method.trim(),
            date: input.date,
            start_time: &input.start_time,
            duration_minutes: input.duration_minutes,
            mode: input.mode.trim(),
            assessor_id: input.assessor_id,
        },
    )
    .await?;
    let warnings = check_rules(app, &mut tx, &row, &plan, &slot, None).await?;
    let booking = insert(app, &mut tx, actor, &row, &slot, None).await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "booking.made",
        None,
        json!({"booking": booking_json(&booking), "warnings": warnings.iter().map(|w| &w.rule).collect::<Vec<_>>()}),
    )
    .await?;
    notify_booking(app, &mut tx, &row, &booking, "booked").await?;
    tx.commit().await?;
    Ok(Booked {
        booking: booking.into(),
        warnings,
    })
}

async fn insert(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    row: &EpaRow,
    slot: &Slot,
    replaces: Option<Uuid>,
) -> Result<Booking, AppError> {
    let duration =
        i32::try_from(slot.duration).map_err(|err| AppError::Internal(err.to_string()))?;
    Ok(store::insert_booking(
        tx,
        &NewBooking {
            epa_id: row.epa.id,
            method: slot.method.as_str(),
            assessment_on: slot.date,
            starts_at: slot.starts_at,
            duration_minutes: duration,
            mode: slot.mode,
            assessor_id: slot.assessor,
            replaces_id: replaces,
            booked_on: app.clock.today(),
            created_by: actor.user_id,
        },
        app.now(),
    )
    .await?)
}

fn check_reason(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(AppError::field("reason", "give the reason"))
    } else if reason.chars().count() > REASON_MAX {
        Err(AppError::field(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ))
    } else {
        Ok(reason)
    }
}

/// A live booking and its EPA, for a change the caller may make.
async fn live_booking(
    tx: &mut Tx,
    actor: &Actor,
    booking_id: Uuid,
) -> Result<(Booking, EpaRow, Vec<Conflict>), AppError> {
    let booking = store::get_booking_in(tx, booking_id).await?;
    let (row, conflicts) = booking_context(tx, actor, booking.epa_id).await?;
    if booking.status != "booked" {
        return Err(AppError::Conflict(format!(
            "this booking is already {}: only a live booking can be changed",
            booking.status.replace('_', "-")
        )));
    }
    Ok((booking, row, conflicts))
}

/// Moves a booking: the old one is kept as `rescheduled` with the reason,
/// and a new booking, linked to it, is checked against the plan's rules
/// as any new booking is (notice counts from today).
pub async fn reschedule(
    app: &App,
    actor: &Actor,
    booking_id: Uuid,
    input: RescheduleInput,
) -> Result<Booked, BookingError> {
    let mut tx = app.db.begin_write().await?;
    let (old, row, conflicts) = live_booking(&mut tx, actor, booking_id).await?;
    check_bookable(&row)?;
    let reason = check_reason(&input.reason)?;
    let plan = plan_of(app, &row)?;
    let slot = check_slot(
        app,
        &mut tx,
        actor,
        &row,
        &conflicts,
        &plan,
        &SlotRequest {
            method: &old.method,
            date: input.date,
            start_time: &input.start_time,
            duration_minutes: input
                .duration_minutes
                .or(u32::try_from(old.duration_minutes).ok()),
            mode: input.mode.as_deref().unwrap_or(&old.mode).trim(),
            assessor_id: input.assessor_id.or(Some(old.assessor_id)),
        },
    )
    .await?;
    let warnings = check_rules(app, &mut tx, &row, &plan, &slot, Some(old.id)).await?;
    let now = app.now();
    store::set_status(
        &mut tx,
        old.id,
        old.version,
        "rescheduled",
        reason,
        actor.user_id,
        now,
    )
    .await?;
    let booking = insert(app, &mut tx, actor, &row, &slot, Some(old.id)).await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        row.epa.id,
        "booking.rescheduled",
        Some(booking_json(&old)),
        json!({"booking": booking_json(&booking), "reason": reason, "warnings": warnings.iter().map(|w| &w.rule).collect::<Vec<_>>()}),
    )
    .await?;
    notify_booking(app, &mut tx, &row, &booking, "moved").await?;
    tx.commit().await?;
    Ok(Booked {
        booking: booking.into(),
        warnings,
    })
}

/// Cancels a live booking with the reason; the booking is kept.
pub async fn cancel(
    app: &App,
    actor: &Actor,
    booking_id: Uuid,
    input: ReasonInput,
) -> Result<BookingView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (booking, row, _) = live_booking(&mut tx, actor, booking_id).await?;
    let reason = check_reason(&input.reason)?;
    finish_booking(app, tx, actor, &booking, &row, "cancelled", reason).await
}

/// Records that the apprentice did not attend. A no-show is not an
/// attempt: the method is booked again as a new booking.
pub async fn record_no_show(
    app: &App,
    actor: &Actor,
    booking_id: Uuid,
    input: ReasonInput,
) -> Result<BookingView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (booking, row, _) = live_booking(&mut tx, actor, booking_id).await?;
    if booking.assessment_on > app.clock.today() {
        return Err(AppError::Conflict(format!(
            "this booking is on {}: a no-show can be recorded from that day",
            booking.assessment_on
        )));
    }
    let reason = check_reason(&input.reason)?;
    finish_booking(app, tx, actor, &booking, &row, "no_show", reason).await
}

async fn finish_booking(
    app: &App,
    mut tx: Tx,
    actor: &Actor,
    booking: &Booking,
    row: &EpaRow,
    status: &str,
    reason: &str,
) -> Result<BookingView, AppError> {
    store::set_status(
        &mut tx,
        booking.id,
        booking.version,
        status,
        reason,
        actor.user_id,
        app.now(),
    )
    .await?;
    let after = store::get_booking_in(&mut tx, booking.id).await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        row.epa.id,
        if status == "no_show" {
            "booking.no_show"
        } else {
            "booking.cancelled"
        },
        Some(booking_json(booking)),
        // A no-show is recorded against the booking and never counts as an attempt.
        json!({"booking": booking_json(&after), "reason": reason, "counts_as_attempt": false}),
    )
    .await?;
    if status == "cancelled" {
        notify_booking(app, &mut tx, row, &after, "cancelled").await?;
    }
    tx.commit().await?;
    Ok(after.into())
}

/// Every booking of an EPA, history included, each linked to the one that
/// replaced it.
pub async fn bookings(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<BookingView>, AppError> {
    view_epa(app, actor, epa_id).await?;
    let rows = store::bookings(&app.db, epa_id).await?;
    let mut views: Vec<BookingView> = rows.into_iter().map(BookingView::from).collect();
    let links: Vec<(Uuid, Uuid)> = views
        .iter()
        .filter_map(|v| v.replaces_id.map(|old| (old, v.id)))
        .collect();
    for view in &mut views {
        view.replaced_by = links
            .iter()
            .find(|(old, _)| *old == view.id)
            .map(|(_, new)| *new);
    }
    Ok(views)
}

// ---------------------------------------------------------------------------
// Report and portfolio submission

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    /// `report` (the work-based project's report) or `portfolio`.
    pub kind: String,
    /// The day it reached the EPAO.
    pub submitted_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub kind: String,
    pub submitted_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    /// Live bookings the date puts at odds with the plan (to reschedule).
    pub warnings: Vec<RuleFinding>,
}

/// Records when the report or the portfolio was submitted: the interview
/// and discussion bookings are checked against it. EPAO staff, the
/// allocated assessor or the apprentice's training provider may record it.
pub async fn record_submission(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: SubmissionInput,
) -> Result<SubmissionView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let row = epas::get_in(&mut tx, epa_id).await?;
    let conflicts = conflicts_for(&mut tx, &row).await?;
    let resource = access::epa_resource(&row, &conflicted_ids(&conflicts));
    let who = access::as_policy_actor(actor);
    let decisions = [
        policy::can(&who, Action::BookAssessment, &resource),
        policy::can(&who, Action::SubmitGateway, &resource),
    ];
    if !decisions.contains(&Decision::Allow) {
        return Err(if decisions.contains(&Decision::Deny) {
            AppError::Forbidden(
                "only EPAO staff, the allocated assessor or the training provider can record a submission".to_owned(),
            )
        } else {
            AppError::NotFound
        });
    }
    let state = transitions::state_of(&row)?;
    if !matches!(
        state.stage,
        Stage::GatewayApproved | Stage::Planned | Stage::InAssessment
    ) {
        return Err(AppError::Conflict(format!(
            "You cannot record a submission now: the EPA is at stage {}. The report and portfolio are recorded between the gateway approval and the last assessment.",
            state.stage.as_str()
        )));
    }
    let method = match input.kind.trim() {
        "report" => Some(MethodId::Project),
        "portfolio" => Some(MethodId::Discussion),
        _ => None,
    };
    let mut problems = Vec::new();
    if method.is_none() {
        problems.push(FieldError::new("kind", "choose report or portfolio"));
    }
    if input.submitted_on > app.clock.today() {
        problems.push(FieldError::new(
            "submitted_on",
            "the date cannot be in the future",
        ));
    }
    let start = state.epa_period_start.or(row.epa.gateway_approved_on);
    if let Some(start) = start
        && input.submitted_on < start
        && method == Some(MethodId::Project)
    {
        problems.push(FieldError::new(
            "submitted_on",
            format!("the report follows the gateway approval on {start}: enter that day or later"),
        ));
    }
    let Some(method) = method else {
        return Err(AppError::Validation(problems));
    };
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let kind = input.kind.trim();
    let now = app.now();
    let submission = store::insert_submission(
        &mut tx,
        epa_id,
        kind,
        input.submitted_on,
        actor.user_id,
        now,
    )
    .await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        if method == MethodId::Project {
            "epa.report_submitted"
        } else {
            "epa.portfolio_submitted"
        },
        None,
        json!({"submission_id": submission.id, "kind": kind, "submitted_on": input.submitted_on}),
    )
    .await?;
    // A booking already made may now be too soon: say so, for rescheduling.
    let plan = plan_of(app, &row)?;
    let wd = working_days()?;
    let timings = &plan.rules.timings;
    let mut warnings = Vec::new();
    for booked in current_bookings(&mut tx, &row).await? {
        if booked.method != method.as_str() {
            continue;
        }
        let finding = if method == MethodId::Project {
            booking::report_to_interview(
                &timings.report_to_interview,
                input.submitted_on,
                booked.assessment_on,
                &wd,
            )
        } else {
            booking::portfolio_due(
                &timings.portfolio_due,
                Some(input.submitted_on),
                booked.booked_on,
                booked.assessment_on,
                &wd,
            )
        }
        .map_err(|err| AppError::Internal(err.to_string()))?;
        warnings.extend(finding.map(RuleFinding::from));
    }
    tx.commit().await?;
    Ok(SubmissionView {
        id: submission.id,
        epa_id,
        kind: submission.kind,
        submitted_on: submission.submitted_on,
        recorded_at: submission.recorded_at,
        warnings,
    })
}

// ---------------------------------------------------------------------------
// An assessor's allocations

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Allocation {
    pub epa: EpaView,
    /// Live bookings from today on, soonest first.
    pub upcoming: Vec<BookingView>,
}

/// The EPAs allocated to the signed-in assessor (never one they are
/// conflicted for), with their upcoming bookings.
pub async fn my_allocations(app: &App, actor: &Actor) -> Result<Vec<Allocation>, AppError> {
    if !actor.has_role(Role::Assessor) {
        return Err(AppError::Forbidden(
            "only assessors have allocations".to_owned(),
        ));
    }
    let scope = Scope {
        assessor_id: Some(actor.user_id),
        ..Scope::default()
    };
    let conflicted: BTreeSet<Uuid> = conflicts::organisations_of(&app.db, actor.user_id)
        .await?
        .into_iter()
        .collect();
    let rows = epas::list(
        &app.db,
        &scope,
        &Filter::default(),
        crate::epas::PAGE_MAX,
        0,
    )
    .await?;
    let upcoming = store::upcoming_for_assessor(&app.db, actor.user_id, app.clock.today()).await?;
    Ok(rows
        .into_iter()
        .filter(|row| {
            !conflicted.contains(&row.employer_id) && !conflicted.contains(&row.provider_id)
        })
        .map(|row| Allocation {
            upcoming: upcoming
                .iter()
                .filter(|b| b.epa_id == row.epa.id)
                .cloned()
                .map(BookingView::from)
                .collect(),
            epa: EpaView::from(row),
        })
        .collect())
}
