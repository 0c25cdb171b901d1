//! What a booking asks for (method, day, time, length, mode, assessor),
//! checked field by field against the plan, and when an EPA can be booked.

use chrono::{NaiveDate, NaiveTime};
use epa_domain::booking;
use epa_domain::lifecycle::{Lifecycle, Stage};
use epa_plan::{MethodId, Mode};
use epa_store::Tx;
use uuid::Uuid;

use super::people::{check_assessor, staff_epaos};
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError};
use epa_domain::sessions;

/// A booking longer than a working day is a typing slip, not a plan.
const BOOKING_MINUTES_MAX: u32 = 480;

/// The EPA's live stages for booking: planned, and in assessment (the
/// methods not yet sat are still booked or moved then).
pub(super) fn check_bookable(state: &Lifecycle) -> Result<(), AppError> {
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
pub(super) struct Slot {
    pub(super) method: MethodId,
    pub(super) date: NaiveDate,
    pub(super) starts_at: NaiveTime,
    pub(super) duration: u32,
    pub(super) mode: Mode,
    pub(super) assessor: Uuid,
}

/// What a booking or a move asks for, as typed.
pub(super) struct SlotRequest<'a> {
    pub(super) method: &'a str,
    pub(super) date: NaiveDate,
    pub(super) start_time: &'a str,
    pub(super) duration_minutes: Option<u32>,
    pub(super) mode: &'a str,
    pub(super) assessor_id: Option<Uuid>,
}

/// Checks the fields of a booking, every problem at once.
pub(super) async fn check_slot(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    ctx: &EpaContext,
    request: &SlotRequest<'_>,
) -> Result<Slot, AppError> {
    let (row, plan) = (&ctx.row, &ctx.plan);
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
            .copied()
            .find(|m| m.as_str() == request.mode);
        if mode.is_none() {
            let allowed: Vec<&str> = method.modes.iter().map(|m| m.as_str()).collect();
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
        // The length fits the method's window, or the apprentice's adjusted
        // one, and for TQUK's observation the questions that follow it.
        let fits = starts_at.map(|start| {
            let (end, wrapped) =
                start.overflowing_add_signed(chrono::Duration::minutes(i64::from(minutes)));
            if wrapped != 0 {
                return Err(FieldError::new(
                    "duration_minutes",
                    "the booking must end on the day it starts",
                ));
            }
            sessions::check_booking_length(method, ctx.adjustment.as_ref(), start, end)
                .map(|_| ())
                .map_err(|p| FieldError::new("duration_minutes", p.message))
        });
        if let Some(Err(problem)) = fits {
            problems.push(problem);
        } else if minutes < method.min_minutes || minutes > BOOKING_MINUTES_MAX {
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
            check_assessor(tx, ctx, assessor, &mut problems).await?;
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
