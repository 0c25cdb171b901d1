//! The deadlines export: every kept deadline falling in the period on an
//! EPA the caller may see, in any state, read through the same use case as
//! the deadlines list (`deadlines::due`), page by page.

use chrono::NaiveDate;
use epa_domain::deadlines::DeadlineState;
use serde_json::Value;

use super::{Days, MAX_ROWS, Rows};
use crate::deadlines::{DueQuery, due};
use crate::{Actor, App, AppError};

pub const HEADER: &[&str] = &[
    "epa_id", "policy", "stage", "deadline", "date", "kind", "state", "rule",
];

const ALL_STATES: [DeadlineState; 5] = [
    DeadlineState::OverdueUnlessDone,
    DeadlineState::DueSoon,
    DeadlineState::Upcoming,
    DeadlineState::Met,
    DeadlineState::Missed,
];

pub(super) async fn rows(app: &App, actor: &Actor, days: Days) -> Rows {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let page = due(
            app,
            actor,
            &DueQuery {
                states: ALL_STATES.to_vec(),
                limit: Some(crate::epas::PAGE_MAX),
                after: after.take(),
            },
        )
        .await?;
        for item in &page.items {
            let deadline: Value =
                serde_json::from_str(item.deadline.get()).map_err(AppError::internal)?;
            let field = |name: &str| deadline[name].as_str().unwrap_or_default().to_owned();
            let Ok(date) = field("date").parse::<NaiveDate>() else {
                continue;
            };
            if date < days.from || date > days.to {
                continue;
            }
            rows.push(vec![
                item.epa_id.to_string(),
                item.policy.clone(),
                item.stage.clone(),
                field("id"),
                date.to_string(),
                field("kind"),
                field("state"),
                field("rule"),
            ]);
        }
        match page.next {
            Some(next) if (rows.len() as i64) < MAX_ROWS => after = Some(next),
            _ => break,
        }
    }
    rows.sort_by(|a, b| (&a[4], &a[0]).cmp(&(&b[4], &b[0])));
    Ok(rows)
}
