//! Holding the assessment planning meeting: the assessor is allocated.

use epa_domain::lifecycle::{self, Command, Lifecycle};
use epa_domain::policy::Action;
use epa_store::epas::{self, Change};
use epa_store::outbox;
use epa_store::planning::{self as store, NewPlanningMeeting};
use serde_json::json;
use uuid::Uuid;

use super::notify::recipients;
use super::people::check_assessor;
use super::views::{PlanningMeetingHeld, PlanningMeetingInput};
use crate::calendar::working_days;
use crate::epas::EpaView;
use crate::gate::EpaContext;
use crate::render::email::Message;
use crate::{Actor, App, AppError, FieldError, transitions};

const ATTENDEES_MAX: usize = 30;
const ATTENDEE_MAX: usize = 200;

/// A refusal of the lifecycle, checked before the input so the caller
/// hears first that the step is not allowed now, with what is.
fn stage_allows(state: &Lifecycle, command: &Command) -> Result<(), AppError> {
    lifecycle::apply(state, command).map_err(|err| AppError::Conflict(err.to_string()))?;
    Ok(())
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
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::AllocateAssessor,
        "only EPAO staff without a conflict of interest can hold the planning meeting and allocate the assessor",
    )
    .await?;
    let (row, state, plan) = (&ctx.row, &ctx.state, &ctx.plan);
    stage_allows(state, &Command::HoldPlanningMeeting)?;
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
    check_assessor(&mut tx, &ctx, input.assessor_id, &mut problems).await?;
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
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
        row,
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
    let email = Message::PlanningMeetingHeld {
        given_names: &row.given_names,
        family_name: &row.family_name,
        standard: &plan.reference,
        version: &plan.version,
        epao: &plan.epao_name,
        held_on: input.held_on,
        period_end: period_end.map(|end| (plan.rules.timings.epa_period.text.as_str(), end)),
        observation_notice: &plan.rules.timings.observation_notice.text,
        epa_id,
    }
    .render(&app.accounts.public_url);
    let recipients = recipients(&mut tx, row, input.assessor_id).await?;
    outbox::enqueue_all(&mut tx, &email.to_each(&recipients), now).await?;
    let epa = epas::get_in(&mut tx, epa_id).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(PlanningMeetingHeld {
        meeting: meeting.into(),
        epa: EpaView::from(epa),
    })
}
