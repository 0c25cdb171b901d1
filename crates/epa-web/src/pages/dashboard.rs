//! EPAO staff's dashboard: the pipeline by stage now and over the last
//! weeks (each a chart with its table) and the open deadlines, most urgent
//! first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use epa_app::deadlines::{self, DueQuery};
use epa_app::pipeline::{self, WeekCounts};
use epa_domain::lifecycle::Stage;

use super::chart::{Bar, Column, bar_chart, stacked_columns};
use super::deadline_rows::{DeadlineRow, row_of};
use super::error::PageError;
use super::session::SignedIn;
use super::view::{Chrome, render, stage_name};
use crate::AppState;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    stages: Vec<StageRow>,
    chart: String,
    history_stages: Vec<&'static str>,
    history: Vec<HistoryRow>,
    history_chart: String,
    deadlines: Vec<DeadlineRow>,
    more_deadlines: bool,
}

/// How many weeks the pipeline over time shows: a quarter, the span of an
/// EPA period.
const WEEKS_SHOWN: u32 = 13;

/// The stages an EPA passes through before its result: the ones whose
/// counts rise and fall. Finished and withdrawn EPAs only ever accumulate,
/// and would dwarf them.
fn in_progress() -> impl Iterator<Item = Stage> {
    Stage::ALL
        .into_iter()
        .take_while(|stage| *stage != Stage::Completed)
}

struct HistoryRow {
    week: String,
    counts: Vec<i64>,
    total: i64,
}

impl HistoryRow {
    fn of(week: &WeekCounts) -> Self {
        let counts: Vec<i64> = in_progress()
            .map(|stage| {
                week.counts
                    .iter()
                    .find(|count| count.stage == stage)
                    .map_or(0, |count| count.count)
            })
            .collect();
        HistoryRow {
            week: week.week.format("%-d %b").to_string(),
            total: counts.iter().sum(),
            counts,
        }
    }
}

struct StageRow {
    stage: &'static str,
    label: &'static str,
    count: i64,
}

pub async fn dashboard(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let app = &state.app;
    let counts = pipeline::pipeline(app, &signed_in.actor).await?;
    let stages: Vec<StageRow> = counts
        .iter()
        .map(|count| StageRow {
            stage: count.stage.as_str(),
            label: stage_name(count.stage.as_str()),
            count: count.count,
        })
        .collect();
    let chart = bar_chart(
        "EPAs at each stage",
        &stages
            .iter()
            .map(|row| Bar {
                label: row.label.to_owned(),
                value: row.count,
            })
            .collect::<Vec<_>>(),
    );
    let history: Vec<HistoryRow> = pipeline::history(app, &signed_in.actor, WEEKS_SHOWN)
        .await?
        .iter()
        .map(HistoryRow::of)
        .collect();
    let history_stages: Vec<&'static str> = in_progress()
        .map(|stage| stage_name(stage.as_str()))
        .collect();
    let history_chart = stacked_columns(
        "EPAs in progress at the end of each week, by stage",
        &history_stages,
        &history
            .iter()
            .map(|row| Column {
                label: row.week.clone(),
                values: row.counts.clone(),
            })
            .collect::<Vec<_>>(),
    );
    let due = deadlines::due(
        app,
        &signed_in.actor,
        &DueQuery {
            limit: Some(20),
            ..DueQuery::default()
        },
    )
    .await?;
    let deadlines = due.items.iter().filter_map(row_of).collect();
    Ok(render(&Dashboard {
        chrome: Chrome::new(&signed_in, "Dashboard", "/dashboard"),
        stages,
        chart,
        history_stages,
        history,
        history_chart,
        deadlines,
        more_deadlines: due.next.is_some(),
    }))
}
