//! Recording what happened at one sitting of a method, and reading the sittings.

use chrono::NaiveTime;
use epa_domain::attempts::SittingResult;
use epa_domain::attempts::{AttemptKind, Sitting};
use epa_domain::lifecycle::{Command, Stage};
use epa_domain::policy::Action;
use epa_domain::sessions::{self, SessionRecord};
use epa_domain::{Grade, MethodId};
use epa_store::StoreError;
use epa_store::assessment::{self as store, NewAssessment, Reader};
use epa_store::planning as bookings;
use serde_json::json;
use uuid::Uuid;

use super::refusals::*;
use super::snapshot::*;
use super::views::*;
use crate::calendar::working_days;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError, transitions};
use epa_domain::booking::BookingStatus;

/// Records what happened at one sitting of a method, by the allocated
/// assessor, against its booking: the sitting is on the booking's day and
/// the plan's booking rules are checked again for that day with the facts
/// known now. The booking becomes `held`. The first sitting of an attempt
/// moves the EPA to `in_assessment`.
pub async fn record_assessment(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: AssessmentInput,
) -> Result<RecordedAssessment, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::RecordJudgement,
        "only the EPA's allocated assessor can record its assessments",
    )
    .await?;
    let state = &ctx.state;
    if !matches!(state.stage, Stage::Planned | Stage::InAssessment) {
        return Err(AppError::Conflict(format!(
            "an assessment can be recorded only while the EPA is planned or in assessment; it is at stage {}",
            state.stage
        )));
    }
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let (kind, methods) = snap.current_attempt(state)?;

    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let method = MethodId::parse(input.method.trim());
    match method {
        None => problems.push(FieldError::new(
            "method",
            "choose observation, project or discussion",
        )),
        Some(m) if !methods.contains(&m) => problems.push(FieldError::new(
            "method",
            format!(
                "attempt {} ({}) covers {}; the {m} is not part of it",
                state.attempt,
                kind.as_str(),
                join(methods.iter().map(|m| m.as_str()))
            ),
        )),
        Some(_) => {}
    }
    let parse_time = |field: &str, text: &str, problems: &mut Vec<FieldError>| {
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map_err(|_| {
                problems.push(FieldError::new(
                    field,
                    "enter a time as HH:MM, such as 09:30",
                ))
            })
            .ok()
    };
    let start = parse_time("start_time", &input.start_time, &mut problems);
    let end = parse_time("end_time", &input.end_time, &mut problems);
    // The sitting is what its booking planned: the same EPA, method and
    // day. So every "must" rule checked at booking holds for what took
    // place; a sitting on another day is rescheduled first.
    let booking = match input.booking_id {
        None => {
            problems.push(FieldError::new(
                "booking_id",
                "choose the booking this sitting was held for: a method is booked before it is sat",
            ));
            None
        }
        Some(id) => match bookings::get_booking_in(&mut tx, id).await {
            Ok(booking) if booking.epa_id == epa_id => Some(booking),
            Ok(_) | Err(StoreError::NotFound) => {
                problems.push(FieldError::new(
                    "booking_id",
                    "this EPA has no booking with that ID: book the method first",
                ));
                None
            }
            Err(err) => return Err(err.into()),
        },
    };
    let booking = booking.filter(|b| {
        let live = b.status == BookingStatus::Booked;
        if !live {
            problems.push(FieldError::new(
                "booking_id",
                format!(
                    "this booking is {}: a sitting is recorded against a live booking",
                    b.status.as_str().replace('_', "-")
                ),
            ));
        }
        live
    });
    let booking = booking.filter(|b| match method {
        Some(m) if b.method != m => {
            problems.push(FieldError::new(
                "method",
                format!(
                    "the booking is for the {}, not the {}: record each method against its own booking",
                    b.method, m
                ),
            ));
            false
        }
        _ => true,
    });
    let held_on = booking.as_ref().map(|b| b.assessment_on);
    if let (Some(booked), Some(sent)) = (held_on, input.held_on)
        && booked != sent
    {
        problems.push(FieldError::new(
            "held_on",
            format!(
                "the booking is for {booked}: a sitting on another day needs the booking rescheduled to that day first"
            ),
        ));
    }
    let today = app.clock.today();
    if let Some(day) = held_on
        && day > today
    {
        problems.push(FieldError::new(
            "held_on",
            format!(
                "the booking is for {day}: an assessment is recorded after it has taken place, not before"
            ),
        ));
    }
    if let (Some(b), Some(m), true) = (&booking, method, problems.is_empty()) {
        let standing = crate::planning::standing_bookings(&mut tx, &ctx.row).await?;
        let (refusals, cautions) = crate::planning::rule_findings(
            &mut tx,
            &ctx,
            &standing,
            m,
            b.assessment_on,
            b.booked_on,
            Some(b.id),
        )
        .await?;
        for refusal in refusals {
            let earliest = refusal
                .earliest_allowed
                .map(|day| format!(" The earliest allowed date is {day}."))
                .unwrap_or_default();
            problems.push(FieldError::new(
                "held_on",
                format!(
                    "{} (rule {}; source: {}).{earliest} Reschedule the booking to a day the plan allows.",
                    refusal.message, refusal.rule, refusal.source
                ),
            ));
        }
        warnings.extend(cautions.into_iter().map(|w| w.message));
    }
    let mut duration = None;
    if let (Some(m), Some(start), Some(end)) = (method, start, end) {
        let spec = ctx
            .plan
            .method(m)
            .ok_or_else(|| AppError::internal(format!("the plan has no {m}")))?;
        match sessions::check_session_adjusted(
            spec,
            ctx.adjustment.as_ref(),
            &SessionRecord {
                start,
                end,
                observation_minutes: input.observation_minutes,
                questioning_minutes: input.questioning_minutes,
                interview_questions: input.interview_questions,
            },
        ) {
            Ok(minutes) => duration = Some(minutes),
            Err(found) => problems.extend(
                found
                    .into_iter()
                    .map(|p| FieldError::new(p.field, p.message)),
            ),
        }
    }
    if let (Some(m), Some(held_on)) = (method, held_on)
        && kind != AttemptKind::First
        && methods.contains(&m)
    {
        let history = snap.history(&ctx.plan, state)?;
        let sitting = Sitting {
            method: m,
            kind,
            held_on,
            result: SittingResult::Graded(Grade::Pass),
            result_issued_on: None,
        };
        if let Err(err) = history.check(&sitting, &working_days()?) {
            attempt_refusal(err, "held_on", &ctx.plan, &mut warnings, &mut problems);
        }
    }
    let (Some(m), Some(minutes), Some(booking), Some(held_on), true) =
        (method, duration, booking, held_on, problems.is_empty())
    else {
        return Err(AppError::Validation(problems));
    };
    if let Some(existing) = snap.assessment_in(m, state.attempt as i32) {
        return Err(AppError::Conflict(format!(
            "the {m} of attempt {} is already recorded (assessment {}); correct it with new judgements",
            state.attempt, existing.id
        )));
    }

    let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let start_time = input.start_time.trim().to_owned();
    let end_time = input.end_time.trim().to_owned();
    let assessment = store::insert_assessment(
        &mut tx,
        &NewAssessment {
            epa_id,
            method: m,
            attempt: state.attempt as i32,
            attempt_kind: kind,
            held_on,
            start_time: &start_time,
            end_time: &end_time,
            duration_minutes: to_i32(minutes),
            questioning_minutes: input.questioning_minutes.map(to_i32),
            interview_questions: input.interview_questions.map(to_i32),
            assessor_id: actor.user_id,
            booking_id: booking.id,
        },
        app.now(),
    )
    .await?;
    // The booking took place: it is no longer upcoming, nor live to move.
    bookings::set_status(
        &mut tx,
        booking.id,
        booking.version,
        BookingStatus::Held,
        "sat: the assessment is recorded",
        actor.user_id,
        app.now(),
    )
    .await?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "assessment.recorded",
        None,
        json!({
            "assessment_id": assessment.id,
            "booking_id": booking.id,
            "method": m.as_str(),
            "attempt": assessment.attempt,
            "attempt_kind": assessment.attempt_kind,
            "held_on": assessment.held_on,
            "start_time": assessment.start_time,
            "end_time": assessment.end_time,
            "duration_minutes": assessment.duration_minutes,
            "questioning_minutes": assessment.questioning_minutes,
            "interview_questions": assessment.interview_questions,
            "warnings": warnings,
        }),
    )
    .await?;
    let mut stage = state.stage;
    if state.stage == Stage::Planned {
        let after = transitions::apply(
            app,
            &mut tx,
            actor,
            &ctx.row,
            &Command::StartAssessment,
            "epa.assessment_started",
            json!({"assessment_id": assessment.id, "method": m.as_str()}),
        )
        .await?;
        stage = after.stage;
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(RecordedAssessment {
        assessment: AssessmentView::from(&assessment),
        stage: stage.as_str().to_owned(),
        warnings,
    })
}

/// An EPA's assessment records, for those who may see the EPA.
pub async fn assessments(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<AssessmentView>, AppError> {
    crate::epas::get(app, actor, epa_id).await?;
    Ok(store::assessments(Reader::Db(&app.db), epa_id)
        .await?
        .iter()
        .map(AssessmentView::from)
        .collect())
}
