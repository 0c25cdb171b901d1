//! An assessor's home: their calendar (every live booking from today, by
//! day) and the EPAs allocated to them, with what each needs next.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use epa_app::planning;

use super::error::PageError;
use super::session::SignedIn;
use super::view::{Chrome, long_date, method_name, render, stage_name};
use crate::AppState;

#[derive(Template)]
#[template(path = "assessor.html")]
struct AssessorPage {
    chrome: Chrome,
    days: Vec<Day>,
    epas: Vec<EpaRow>,
}

struct Day {
    date: String,
    sittings: Vec<Sitting>,
}

struct Sitting {
    epa_id: uuid::Uuid,
    time: String,
    who: String,
    method: &'static str,
    mode: String,
    minutes: i32,
}

struct EpaRow {
    id: uuid::Uuid,
    name: String,
    stage: &'static str,
}

pub async fn home(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let allocations = planning::my_allocations(&state.app, &signed_in.actor).await?;
    let mut sittings: Vec<(chrono::NaiveDate, Sitting)> = Vec::new();
    let mut epas = Vec::new();
    for allocation in allocations {
        let epa = &allocation.epa;
        let who = format!(
            "{} {}",
            epa.apprentice.given_names, epa.apprentice.family_name
        );
        for booking in &allocation.upcoming {
            sittings.push((
                booking.date,
                Sitting {
                    epa_id: epa.id,
                    time: booking.start_time.clone(),
                    who: who.clone(),
                    method: method_name(&booking.method),
                    mode: booking.mode.replace('_', " "),
                    minutes: booking.duration_minutes,
                },
            ));
        }
        epas.push(EpaRow {
            id: epa.id,
            name: who,
            stage: stage_name(&epa.stage),
        });
    }
    sittings.sort_by(|a, b| (a.0, &a.1.time).cmp(&(b.0, &b.1.time)));
    let mut days: Vec<Day> = Vec::new();
    for (date, sitting) in sittings {
        let label = long_date(date);
        match days.last_mut() {
            Some(day) if day.date == label => day.sittings.push(sitting),
            _ => days.push(Day {
                date: label,
                sittings: vec![sitting],
            }),
        }
    }
    Ok(render(&AssessorPage {
        chrome: Chrome::new(&signed_in, "My assessments", "/assessor"),
        days,
        epas,
    }))
}
