//! Proposing a schedule for everyone waiting after gateway.

use std::time::{Duration, Instant};

use epa_scheduler::{Observer, Options, Progress};
use uuid::Uuid;

use super::instance::{answer, build};
use super::views::{Figures, Proposal, ScheduleInput};
use super::waiting::gather;
use crate::planning::staff_epaos;
use crate::{Actor, App, AppError};

/// How long the search may run: a person is waiting for the page. The
/// search's own budget ends it sooner on all but the largest EPAOs
/// (`docs/scheduling.md`: 2,000 apprentices in about 5 s of one core).
pub const TIME_LIMIT: Duration = Duration::from_secs(5);

/// Stops the search at the time limit.
struct Deadline(Instant);

impl Observer for Deadline {
    fn progress(&mut self, _: &Progress) -> bool {
        Instant::now() < self.0
    }
}

/// Which EPAO the actor schedules: the one they are staff of, or the one
/// they name among theirs.
pub(super) fn epao_for(actor: &Actor, asked: Option<Uuid>) -> Result<Uuid, AppError> {
    let mine = staff_epaos(actor);
    match asked {
        Some(epao) if mine.contains(&epao) => Ok(epao),
        Some(_) => Err(AppError::Forbidden(
            "only the EPAO's administrators and operations staff can schedule its assessments"
                .to_owned(),
        )),
        None => match mine.len() {
            1 => Ok(mine.into_iter().next().unwrap_or_default()),
            0 => Err(AppError::Forbidden(
                "only EPAO administrators and operations staff can schedule assessments".to_owned(),
            )),
            _ => Err(AppError::field(
                "epao_id",
                "you are on the staff of more than one EPAO: choose which to schedule",
            )),
        },
    }
}

/// Proposes who assesses each waiting apprentice's remaining methods, and
/// when, under the scheduler's rules (`docs/scheduling.md`), built from
/// the assessors' profiles and bookings and the apprentices' dates. Reads
/// only: nothing is booked until the proposal is confirmed.
pub async fn propose(app: &App, actor: &Actor, input: ScheduleInput) -> Result<Proposal, AppError> {
    let epao = epao_for(actor, input.epao_id)?;
    let today = app.clock.today();
    let gathered = gather(app, actor, epao, today).await?;
    let built = build(&gathered, today);
    let instance = built.instance.clone();
    // The search is CPU-bound for up to the time limit: off the async
    // workers.
    let (schedule, stats) = tokio::task::spawn_blocking(move || {
        let mut deadline = Deadline(Instant::now() + TIME_LIMIT);
        epa_scheduler::schedule(
            &instance,
            crate::calendar::holidays(),
            &Options::default(),
            &mut deadline,
        )
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|err| AppError::Internal(format!("the scheduler refused its instance: {err}")))?;
    let (bookings, unscheduled) = answer(&gathered, &built, &schedule);
    let objective = &schedule.objective;
    let figures = Figures {
        apprentices: gathered.waiting.len(),
        assessors: gathered.assessors.len(),
        proposed: bookings.len(),
        unscheduled: unscheduled.len(),
        lead_time_days: objective.lead_time_days,
        travel_hours: objective.travel_hours,
        order_violations: objective.order_violations,
        total: objective.total,
        complete: !stats.stopped,
    };
    Ok(Proposal {
        epao_id: epao,
        today,
        bookings,
        unscheduled,
        figures,
    })
}
