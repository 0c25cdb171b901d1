//! Sittings belong to bookings, through real HTTP: a sitting is recorded
//! against a live booking of its EPA and method, on the booking's day, and
//! the plan's booking rules are checked again for that day; the booking
//! becomes `held`; a no-show stays one; a withdrawal cancels the EPA's live
//! bookings; held and cancelled bookings are not upcoming. Under TQUK the
//! interview is booked and the report submitted only once the proposal is
//! accepted. Each test runs on SQLite and, when `EPA_TEST_PG_URL` is set,
//! on PostgreSQL.

use std::sync::Arc;

use epa_domain::lifecycle::Command;
use epa_plan::Catalog;
use epa_store::{audit, epas, users};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::assessment::planned;
use crate::on_both;
use crate::support::{booked_ahead, proposal_on_file, registered};

/// The source TQUK's rules cite.
const TQUK_SPEC: &str = "TQUK ST0071 v1.2 Standard Specification";

/// TQUK's own sentence on signing off the proposal.
const TQUK_PROPOSAL: &str = "If the work-based project proposal is accepted, the End-Point Assessor will sign this off, and the apprentice will then commence work on the work-based project report.";

/// A sitting inside every limit of the plan, for `booking` (if any).
fn sitting(method: &str, booking: Option<Uuid>, held_on: Option<&str>) -> Value {
    let mut body = json!({
        "method": method,
        "start_time": "09:00",
        "end_time": "10:02",
    });
    if let Some(booking) = booking {
        body["booking_id"] = json!(booking);
    }
    if let Some(day) = held_on {
        body["held_on"] = json!(day);
    }
    match method {
        "observation" => body["questioning_minutes"] = json!(8),
        "project" => body["interview_questions"] = json!(10),
        _ => {}
    }
    body
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = app.post_as(token, path, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn sit(app: &TestApp, world: &World, epa: Uuid, body: &Value) -> (u16, Value) {
    post(
        app,
        &world.assessor.token,
        &format!("/api/v1/epas/{epa}/assessments"),
        body,
    )
    .await
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn messages(problem: &Value) -> String {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["message"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

async fn booking(app: &TestApp, world: &World, epa: Uuid, id: Uuid) -> Value {
    get(
        app,
        &world.operations.token,
        &format!("/api/v1/epas/{epa}/bookings"),
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .find(|b| b["id"] == json!(id))
    .cloned()
    .expect("the booking")
}

async fn recorded(app: &TestApp, world: &World, epa: Uuid) -> usize {
    get(
        app,
        &world.assessor.token,
        &format!("/api/v1/epas/{epa}/assessments"),
    )
    .await
    .as_array()
    .unwrap()
    .len()
}

/// The assessor's upcoming bookings, every EPA together.
async fn upcoming(app: &TestApp, world: &World) -> Vec<Uuid> {
    get(
        app,
        &world.assessor.token,
        "/api/v1/assessors/me/allocations",
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .flat_map(|a| a["upcoming"].as_array().unwrap().clone())
    .map(|b| b["id"].as_str().unwrap().parse().unwrap())
    .collect()
}

/// Books `method` on `date` through the API, as the allocated assessor.
async fn book(app: &TestApp, world: &World, epa: Uuid, method: &str, date: &str) -> (u16, Value) {
    let mode = if method == "observation" {
        "in_person"
    } else {
        "remote"
    };
    post(
        app,
        &world.assessor.token,
        &format!("/api/v1/epas/{epa}/bookings"),
        &json!({"method": method, "date": date, "start_time": "10:00", "mode": mode}),
    )
    .await
}

async fn booked(app: &TestApp, world: &World, epa: Uuid, method: &str, date: &str) -> Uuid {
    let (status, answer) = book(app, world, epa, method, date).await;
    assert_eq!(status, 201, "{answer}");
    answer["booking"]["id"].as_str().unwrap().parse().unwrap()
}

async fn intact(app: &TestApp) {
    assert!(
        matches!(
            audit::verify(&app.db).await.unwrap(),
            audit::Verdict::Intact { .. }
        ),
        "the audit chain is broken"
    );
}

/// SHORTCUT as in the assessment tests, but the TQUK proposal is on file
/// and not yet decided: gateway approved on 19 October 2026, planning
/// meeting held, `world.assessor` allocated.
async fn planned_undecided(app: &TestApp, world: &World, n: u32) -> Uuid {
    let epa = registered(app, world, "tquk", n).await;
    let id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
    let core = epa_app::App::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        Catalog::embedded(),
    );
    let actor = epa_app::Actor {
        user_id: world.epao_admin.user_id,
        memberships: users::memberships(&app.db, world.epao_admin.user_id)
            .await
            .unwrap(),
        request_id: None,
    };
    let mut tx = app.db.begin_write().await.unwrap();
    for command in [
        Command::SubmitGateway,
        Command::ApproveGateway {
            on: "2026-10-19".parse().unwrap(),
        },
        Command::HoldPlanningMeeting,
    ] {
        let row = epas::get_in(&mut tx, id).await.unwrap();
        epa_app::transitions::apply(
            &core,
            &mut tx,
            &actor,
            &row,
            &command,
            "test.shortcut",
            json!({}),
        )
        .await
        .unwrap();
    }
    let row = epas::get_in(&mut tx, id).await.unwrap();
    epas::update(
        &mut tx,
        id,
        row.epa.version,
        &epas::Change {
            assessor_id: Some(world.assessor.user_id),
            ..epas::Change::default()
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    proposal_on_file(app, id, world.provider_user.user_id, None).await;
    id
}

// ---------------------------------------------------------------------------

on_both!(
    a_sitting_without_a_booking_is_refused,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let (status, problem) = sit(
            app,
            world,
            epa,
            &sitting("observation", None, Some("2026-11-02")),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["booking_id"], "{problem}");

        let unknown = sitting("observation", Some(Uuid::now_v7()), Some("2026-11-02"));
        let (status, problem) = sit(app, world, epa, &unknown).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["booking_id"], "{problem}");

        assert_eq!(recorded(app, world, epa).await, 0);
        let stage = epas::get(&app.db, epa).await.unwrap().epa.stage;
        assert_eq!(stage.as_str(), "planned", "nothing changed");
    }
);

on_both!(
    a_sitting_is_on_its_bookings_day,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let booking = booked_ahead(app, epa, "observation", "2026-11-02").await;

        // The day before the booking, and the day after: another day needs
        // a reschedule first.
        for day in ["2026-10-30", "2026-11-03"] {
            let (status, problem) = sit(
                app,
                world,
                epa,
                &sitting("observation", Some(booking), Some(day)),
            )
            .await;
            assert_eq!(status, 422, "{day}: {problem}");
            assert!(
                fields(&problem).contains(&"held_on".to_owned()),
                "{problem}"
            );
            assert!(
                messages(&problem).contains("rescheduled"),
                "{day}: {problem}"
            );
        }
        assert_eq!(recorded(app, world, epa).await, 0);
        assert_eq!(booking_status(app, world, epa, booking).await, "booked");

        // Without a day, the sitting is on its booking's day.
        let (status, answer) = sit(
            app,
            world,
            epa,
            &sitting("observation", Some(booking), None),
        )
        .await;
        assert_eq!(status, 201, "{answer}");
        assert_eq!(answer["assessment"]["held_on"], "2026-11-02");
        assert_eq!(answer["assessment"]["booking_id"], json!(booking));
        intact(app).await;
    }
);

async fn booking_status(app: &TestApp, world: &World, epa: Uuid, id: Uuid) -> String {
    booking(app, world, epa, id).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

on_both!(
    a_booking_of_another_method_or_epa_is_refused,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let (other, _) = planned(app, world, "tquk", 2, world.assessor.user_id).await;
        let interview = booked_ahead(app, epa, "project", "2026-11-02").await;
        let elsewhere = booked_ahead(app, other, "observation", "2026-11-02").await;

        let (status, problem) = sit(
            app,
            world,
            epa,
            &sitting("observation", Some(interview), None),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["method"], "{problem}");
        assert!(messages(&problem).contains("project"), "{problem}");

        let (status, problem) = sit(
            app,
            world,
            epa,
            &sitting("observation", Some(elsewhere), None),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["booking_id"], "{problem}");

        assert_eq!(recorded(app, world, epa).await, 0);
        assert_eq!(recorded(app, world, other).await, 0);
        assert_eq!(booking_status(app, world, epa, interview).await, "booked");
        assert_eq!(booking_status(app, world, other, elsewhere).await, "booked");
    }
);

on_both!(
    a_sitting_before_the_rules_allow_names_the_rule_its_source_and_the_earliest_date,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let interview = booked_ahead(app, epa, "project", "2026-11-02").await;
        // The report came in after the interview was booked, a week before
        // it: TQUK's interview is at least two weeks after the report.
        let (status, answer) = post(
            app,
            &world.provider_user.token,
            &format!("/api/v1/epas/{epa}/submissions"),
            &json!({"kind": "report", "submitted_on": "2026-10-26"}),
        )
        .await;
        assert_eq!(status, 201, "{answer}");

        let (status, problem) =
            sit(app, world, epa, &sitting("project", Some(interview), None)).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["held_on"], "{problem}");
        let said = messages(&problem);
        assert!(said.contains("report_to_interview"), "the rule: {said}");
        assert!(said.contains(TQUK_SPEC), "its source: {said}");
        assert!(
            said.contains("2026-11-09"),
            "the earliest allowed date: {said}"
        );
        assert_eq!(recorded(app, world, epa).await, 0);
        assert_eq!(booking_status(app, world, epa, interview).await, "booked");
    }
);

on_both!(
    a_sat_booking_is_held_and_no_longer_upcoming,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let observation = booked(app, world, epa, "observation", "2026-11-16").await;
        let discussion = booked(app, world, epa, "discussion", "2026-11-20").await;
        assert_eq!(upcoming(app, world).await, [observation, discussion]);

        app.clock.advance(chrono::Duration::days(14));
        let (status, answer) = sit(
            app,
            world,
            epa,
            &sitting("observation", Some(observation), Some("2026-11-16")),
        )
        .await;
        assert_eq!(status, 201, "{answer}");
        let held = booking(app, world, epa, observation).await;
        assert_eq!(held["status"], "held", "{held}");
        // Sat today, it would still count as "from today on" if it were live.
        assert_eq!(upcoming(app, world).await, [discussion]);

        // A held booking is neither sat again, nor moved, nor missed.
        let (status, problem) = sit(
            app,
            world,
            epa,
            &sitting("observation", Some(observation), None),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert!(messages(&problem).contains("held"), "{problem}");
        let (status, _) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/bookings/{observation}/no-show"),
            &json!({"reason": "Not there."}),
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(recorded(app, world, epa).await, 1);
        intact(app).await;
    }
);

on_both!(
    a_no_show_stays_a_no_show,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let observation = booked(app, world, epa, "observation", "2026-11-16").await;
        app.clock.advance(chrono::Duration::days(14));
        let (status, answer) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/bookings/{observation}/no-show"),
            &json!({"reason": "The apprentice did not attend."}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");

        let (status, problem) = sit(
            app,
            world,
            epa,
            &sitting("observation", Some(observation), None),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["booking_id"], "{problem}");
        assert!(messages(&problem).contains("no-show"), "{problem}");
        assert_eq!(
            booking_status(app, world, epa, observation).await,
            "no_show"
        );
        assert!(upcoming(app, world).await.is_empty());
        assert_eq!(recorded(app, world, epa).await, 0);
    }
);

on_both!(
    a_withdrawal_cancels_the_live_bookings,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let (kept, _) = planned(app, world, "tquk", 2, world.assessor.user_id).await;
        let observation = booked(app, world, epa, "observation", "2026-11-16").await;
        let discussion = booked(app, world, epa, "discussion", "2026-11-20").await;
        let other = booked(app, world, kept, "observation", "2026-11-17").await;

        let (status, answer) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/withdraw"),
            &json!({"reason": "Left the employer."}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        for id in [observation, discussion] {
            let cancelled = booking(app, world, epa, id).await;
            assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
            assert_eq!(cancelled["status_reason"], "withdrawn", "{cancelled}");
        }
        assert_eq!(booking_status(app, world, kept, other).await, "booked");
        assert_eq!(upcoming(app, world).await, [other]);
        intact(app).await;
    }
);

on_both!(
    tquk_report_and_interview_wait_for_the_accepted_proposal,
    async |app: &TestApp, world: &World| {
        let epa = planned_undecided(app, world, 1).await;
        let report = json!({"kind": "report", "submitted_on": "2026-11-02"});
        let submissions = format!("/api/v1/epas/{epa}/submissions");

        let (status, problem) = book(app, world, epa, "project", "2026-11-23").await;
        assert_eq!(status, 422, "{problem}");
        let refusal = &problem["refusals"][0];
        assert_eq!(refusal["rule"], "proposal_accepted", "{problem}");
        assert!(
            refusal["message"].as_str().unwrap().contains(TQUK_PROPOSAL),
            "TQUK's own sentence: {problem}"
        );
        assert!(
            refusal["source"].as_str().unwrap().contains(TQUK_SPEC),
            "its source: {problem}"
        );
        let (status, problem) = post(app, &world.provider_user.token, &submissions, &report).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["kind"], "{problem}");
        assert!(messages(&problem).contains(TQUK_PROPOSAL), "{problem}");
        assert!(messages(&problem).contains(TQUK_SPEC), "{problem}");
        // The other methods are not held back.
        booked(app, world, epa, "observation", "2026-11-16").await;
        let bookings = get(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/bookings"),
        )
        .await;
        assert_eq!(bookings.as_array().unwrap().len(), 1, "{bookings}");

        // The End-Point Assessor (the allocated assessor) signs it off.
        let (status, decided) = post(
            app,
            &world.assessor.token,
            &format!("/api/v1/epas/{epa}/proposal/decision"),
            &json!({"decision": "accepted"}),
        )
        .await;
        assert_eq!(status, 200, "{decided}");
        let (status, answer) = post(app, &world.provider_user.token, &submissions, &report).await;
        assert_eq!(status, 201, "{answer}");
        booked(app, world, epa, "project", "2026-11-23").await;
        intact(app).await;
    }
);

on_both!(
    innovate_books_the_interview_without_a_proposal_decision,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "innovate", 1, world.assessor.user_id).await;
        let (status, answer) = post(
            app,
            &world.provider_user.token,
            &format!("/api/v1/epas/{epa}/submissions"),
            &json!({"kind": "report", "submitted_on": "2026-11-02"}),
        )
        .await;
        assert_eq!(status, 201, "{answer}");
        booked(app, world, epa, "project", "2026-11-23").await;
    }
);
