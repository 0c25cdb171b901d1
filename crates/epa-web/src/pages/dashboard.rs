//! EPAO staff's dashboard: the pipeline by stage (a chart with its table)
//! and the open deadlines, most urgent first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use epa_app::deadlines::{self, DueQuery};
use epa_app::pipeline;

use super::chart::{Bar, bar_chart};
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
    deadlines: Vec<DeadlineRow>,
    more_deadlines: bool,
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
        deadlines,
        more_deadlines: due.next.is_some(),
    }))
}
