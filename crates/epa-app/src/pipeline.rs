//! The EPAO's pipeline, for the dashboard: how many EPAs stand at each stage
//! now, and at the end of each of the last weeks. Both come from the kept
//! weekly movements (`epa_store::stage_weeks`), so the dashboard reads a few
//! rows per week of history rather than counting every EPA.

use chrono::{Datelike, Duration, NaiveDate};
use epa_domain::lifecycle::Stage;
use epa_store::stage_weeks::{self, StageWeek};
use epa_store::users::Role;
use serde::Serialize;
use uuid::Uuid;

use crate::{Actor, App, AppError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageCount {
    pub stage: Stage,
    pub count: i64,
}

/// The counts at the end of one week (Monday to Sunday; the current week
/// ends today).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekCounts {
    /// The Monday that starts the week.
    pub week: NaiveDate,
    /// Every stage in lifecycle order, zero included.
    pub counts: Vec<StageCount>,
}

/// Every stage in lifecycle order with its count (zero included), for EPAO
/// staff; anyone else is refused.
pub async fn pipeline(app: &App, actor: &Actor) -> Result<Vec<StageCount>, AppError> {
    let epao = staff_epao(actor)?;
    let counts = stage_weeks::now(&app.db, epao).await?;
    Ok(in_stage_order(|stage| {
        counts
            .iter()
            .find(|(counted, _)| *counted == stage)
            .map_or(0, |(_, count)| *count)
    }))
}

/// The counts at the end of each of the last `weeks` weeks, oldest first,
/// the current week last; for EPAO staff only.
pub async fn history(app: &App, actor: &Actor, weeks: u32) -> Result<Vec<WeekCounts>, AppError> {
    let epao = staff_epao(actor)?;
    let this_week = monday_of(app.clock.today());
    let movements = stage_weeks::up_to(&app.db, epao, this_week).await?;
    Ok(weekly_counts(&movements, this_week, weeks))
}

fn staff_epao(actor: &Actor) -> Result<Uuid, AppError> {
    [Role::EpaoAdmin, Role::EpaoOperations, Role::QualityAssurer]
        .into_iter()
        .find_map(|role| actor.organisations_as(role).next())
        .ok_or_else(|| AppError::Forbidden("the pipeline is for EPAO staff".to_owned()))
}

fn in_stage_order(count_of: impl Fn(Stage) -> i64) -> Vec<StageCount> {
    Stage::ALL
        .into_iter()
        .map(|stage| StageCount {
            stage,
            count: count_of(stage),
        })
        .collect()
}

/// A stage's place in [`Stage::ALL`], which lists the stages in the order
/// they are declared (a test below holds it to that).
fn position(stage: Stage) -> usize {
    stage as usize
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Folds the movements (oldest first) into the counts at the end of each of
/// the `weeks` weeks ending with `this_week`: everything before the first
/// shown week is its starting point.
fn weekly_counts(movements: &[StageWeek], this_week: NaiveDate, weeks: u32) -> Vec<WeekCounts> {
    let first = this_week - Duration::weeks(i64::from(weeks.max(1)) - 1);
    let mut running = [0_i64; Stage::ALL.len()];
    let mut next = movements.iter().peekable();
    let mut shown = Vec::new();
    let mut week = first;
    while week <= this_week {
        while let Some(movement) = next.next_if(|movement| movement.week <= week) {
            running[position(movement.stage)] += movement.entered - movement.exited;
        }
        shown.push(WeekCounts {
            week,
            counts: in_stage_order(|stage| running[position(stage)]),
        });
        week += Duration::weeks(1);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn moved(week: &str, stage: Stage, entered: i64, exited: i64) -> StageWeek {
        StageWeek {
            week: day(week),
            stage,
            entered,
            exited,
        }
    }

    fn count(week: &WeekCounts, stage: Stage) -> i64 {
        week.counts
            .iter()
            .find(|count| count.stage == stage)
            .unwrap()
            .count
    }

    #[test]
    fn stages_are_declared_in_lifecycle_order() {
        for (index, stage) in Stage::ALL.into_iter().enumerate() {
            assert_eq!(position(stage), index, "{stage:?}");
        }
    }

    #[test]
    fn a_week_starts_on_monday() {
        assert_eq!(monday_of(day("2026-11-30")), day("2026-11-30"));
        assert_eq!(monday_of(day("2026-11-29")), day("2026-11-23"));
        assert_eq!(monday_of(day("2027-01-01")), day("2026-12-28"));
    }

    #[test]
    fn movements_before_the_first_week_shown_are_its_starting_point() {
        let movements = [
            moved("2026-01-05", Stage::Registered, 10, 0),
            moved("2026-01-12", Stage::Registered, 0, 4),
            moved("2026-01-12", Stage::GatewaySubmitted, 4, 0),
            moved("2026-11-16", Stage::Registered, 2, 0),
            moved("2026-11-23", Stage::GatewaySubmitted, 0, 1),
            moved("2026-11-23", Stage::GatewayApproved, 1, 0),
        ];
        let weeks = weekly_counts(&movements, day("2026-11-23"), 3);
        let mondays: Vec<NaiveDate> = weeks.iter().map(|week| week.week).collect();
        assert_eq!(
            mondays,
            [day("2026-11-09"), day("2026-11-16"), day("2026-11-23")]
        );
        assert_eq!(count(&weeks[0], Stage::Registered), 6);
        assert_eq!(count(&weeks[0], Stage::GatewaySubmitted), 4);
        assert_eq!(count(&weeks[1], Stage::Registered), 8);
        assert_eq!(count(&weeks[2], Stage::GatewaySubmitted), 3);
        assert_eq!(count(&weeks[2], Stage::GatewayApproved), 1);
        assert_eq!(weeks[2].counts.len(), Stage::ALL.len());
    }

    #[test]
    fn no_history_gives_zero_weeks_and_at_least_one_week_is_shown() {
        let weeks = weekly_counts(&[], day("2026-11-23"), 0);
        assert_eq!(weeks.len(), 1);
        assert!(weeks[0].counts.iter().all(|count| count.count == 0));
    }
}
