//! The EPA's planning through the API: conflicts of interest, the planning
//! meeting, bookings under each EPAO's rules with their refusals and
//! warnings, cancelling, rescheduling, no-shows and allocations. Each test
//! runs on SQLite and, when `EPA_TEST_PG_URL` is set, on PostgreSQL.

use std::sync::Arc;

use epa_app::{Actor, transitions};
use epa_domain::Clock;
use epa_domain::lifecycle::Command;
use epa_store::audit::{self, Verdict};
use epa_store::{epas, outbox, users};
use epa_testkit::TestApp;
use epa_testkit::seed::{Party, World};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;
use crate::support::{proposal_on_file, registered};

/// A registered EPA taken through its gateway today (2 November 2026), as
/// the gateway part of the API will do: the EPA period runs to 2 February 2027.
pub(crate) async fn approved(app: &TestApp, world: &World, policy: &str, n: u32) -> String {
    let epa = registered(app, world, policy, n).await;
    let id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
    let core = epa_app::App::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        epa_plan::Catalog::embedded(),
    );
    let actor = Actor {
        user_id: world.operations.user_id,
        memberships: users::memberships(&app.db, world.operations.user_id)
            .await
            .unwrap(),
        request_id: None,
    };
    for command in [
        Command::SubmitGateway,
        Command::ApproveGateway {
            on: app.clock.today(),
        },
    ] {
        let mut tx = app.db.begin_write().await.unwrap();
        let row = epas::get_in(&mut tx, id).await.unwrap();
        transitions::apply(
            &core,
            &mut tx,
            &actor,
            &row,
            &command,
            "epa.test_gateway",
            json!({}),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // TQUK's proposal, accepted by EPAO staff (Innovate agrees its synopsis
    // at gateway).
    if policy == "tquk" {
        proposal_on_file(
            app,
            id,
            world.provider_user.user_id,
            Some(world.operations.user_id),
        )
        .await;
    }
    id.to_string()
}

async fn hold_meeting(
    app: &TestApp,
    world: &World,
    epa: &str,
    assessor: &Party,
) -> reqwest::Response {
    app.post_as(
        &world.operations.token,
        &format!("/api/v1/epas/{epa}/planning-meeting"),
        &json!({
            "held_on": "2026-11-02",
            "attendees": ["Test Apprentice", "Line manager, Acme Retail", "Tutor, Northfield Training"],
            "assessor_id": assessor.user_id,
        }),
    )
    .await
}

/// An EPA through its planning meeting with `world.assessor` allocated.
pub(crate) async fn planned(app: &TestApp, world: &World, policy: &str, n: u32) -> String {
    let epa = approved(app, world, policy, n).await;
    let response = hold_meeting(app, world, &epa, &world.assessor).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    epa
}

async fn book(app: &TestApp, token: &str, epa: &str, body: Value) -> reqwest::Response {
    app.post_as(token, &format!("/api/v1/epas/{epa}/bookings"), &body)
        .await
}

pub(crate) fn slot(method: &str, date: &str, mode: &str) -> Value {
    json!({"method": method, "date": date, "start_time": "10:00", "mode": mode})
}

async fn booked(app: &TestApp, token: &str, epa: &str, body: Value) -> Value {
    let response = book(app, token, epa, body).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{answer}");
    answer
}

pub(crate) async fn submit_report(app: &TestApp, world: &World, epa: &str, on: &str) -> Value {
    let response = app
        .post_as(
            &world.provider_user.token,
            &format!("/api/v1/epas/{epa}/submissions"),
            &json!({"kind": "report", "submitted_on": on}),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

pub(crate) async fn bookings_of(app: &TestApp, world: &World, epa: &str) -> Vec<Value> {
    app.get_as(
        &world.operations.token,
        &format!("/api/v1/epas/{epa}/bookings"),
    )
    .await
    .json::<Vec<Value>>()
    .await
    .unwrap()
}

pub(crate) async fn events(app: &TestApp) -> u64 {
    match audit::verify(&app.db).await.unwrap() {
        Verdict::Intact { events } => events,
        broken => panic!("audit chain broken: {broken:?}"),
    }
}

async fn stage_of(app: &TestApp, world: &World, epa: &str) -> Value {
    let epa: Value = app
        .get_as(&world.operations.token, &format!("/api/v1/epas/{epa}"))
        .await
        .json()
        .await
        .unwrap();
    epa["stage"].clone()
}

on_both!(
    tquk_planning_meeting_and_three_bookings,
    async |app: &TestApp, world: &World| {
        let epa = approved(app, world, "tquk", 1).await;
        let response = hold_meeting(app, world, &epa, &world.assessor).await;
        assert_eq!(response.status(), 201);
        let held: Value = response.json().await.unwrap();
        assert_eq!(held["epa"]["stage"], "planned");
        assert_eq!(held["epa"]["planning_meeting_on"], "2026-11-02");
        assert_eq!(held["epa"]["assessor_id"], json!(world.assessor.user_id));
        assert_eq!(held["meeting"]["attendees"].as_array().unwrap().len(), 3);

        // The confirmation reaches the provider, the employer and the assessor.
        for party in [&world.provider_user, &world.employer_user, &world.assessor] {
            let mail = outbox::for_recipient(&app.db, &party.email).await.unwrap();
            assert_eq!(mail.len(), 1, "{}", party.email);
            assert_eq!(
                mail[0].subject,
                "EPA planning meeting held: assessor allocated"
            );
            assert!(mail[0].body.contains("2026-11-02"), "{}", mail[0].body);
            assert!(mail[0].body.contains("2027-02-02"), "the EPA period's end");
        }
        assert!(
            outbox::for_recipient(&app.db, &world.other_provider_user.email)
                .await
                .unwrap()
                .is_empty()
        );

        let meetings: Value = app
            .get_as(
                &world.employer_user.token,
                &format!("/api/v1/epas/{epa}/planning-meeting"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(meetings[0]["held_on"], "2026-11-02");

        submit_report(app, world, &epa, "2026-11-02").await;
        let observation = booked(
            app,
            &world.operations.token,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        assert_eq!(
            observation["booking"]["duration_minutes"], 60,
            "the plan's length"
        );
        assert_eq!(observation["booking"]["start_time"], "10:00");
        assert_eq!(observation["warnings"], json!([]));
        // The allocated assessor books their own interview.
        let interview = booked(
            app,
            &world.assessor.token,
            &epa,
            slot("project", "2026-11-23", "remote"),
        )
        .await;
        assert_eq!(interview["warnings"], json!([]));
        let mut discussion = slot("discussion", "2026-11-30", "remote");
        discussion["duration_minutes"] = json!(66);
        let discussion = booked(app, &world.operations.token, &epa, discussion).await;
        assert_eq!(discussion["booking"]["duration_minutes"], 66);
        assert_eq!(discussion["warnings"], json!([]));

        let list = bookings_of(app, world, &epa).await;
        let methods: Vec<&str> = list.iter().map(|b| b["method"].as_str().unwrap()).collect();
        assert_eq!(methods, ["observation", "project", "discussion"]);
        assert!(list.iter().all(|b| b["status"] == "booked"));
        // Booking moves nothing: the first assessment starting does.
        assert_eq!(stage_of(app, world, &epa).await, "planned");

        let timeline: Value = app
            .get_as(
                &world.epao_admin.token,
                &format!("/api/v1/epas/{epa}/timeline"),
            )
            .await
            .json()
            .await
            .unwrap();
        let actions: Vec<&str> = timeline
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"epa.planning_meeting_held"),
            "{actions:?}"
        );
        assert_eq!(actions.iter().filter(|a| **a == "booking.made").count(), 3);
        assert!(
            !timeline.to_string().contains("Apprentice 1"),
            "no names in the audit"
        );
        events(app).await;
    }
);

on_both!(
    innovate_planning_meeting_and_three_bookings,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "innovate", 2).await;
        // Innovate: only an in-person observation, and the discussion before it.
        let response = book(
            app,
            &world.operations.token,
            &epa,
            slot("observation", "2026-11-30", "remote"),
        )
        .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "mode");

        submit_report(app, world, &epa, "2026-11-02").await;
        for (method, date, mode) in [
            ("project", "2026-11-16", "remote"),
            ("discussion", "2026-11-20", "in_person"),
            ("observation", "2026-11-30", "in_person"),
        ] {
            let answer = booked(app, &world.operations.token, &epa, slot(method, date, mode)).await;
            assert_eq!(answer["warnings"], json!([]), "{method}: {answer}");
        }
        assert_eq!(bookings_of(app, world, &epa).await.len(), 3);
        let mail = outbox::for_recipient(&app.db, &world.assessor.email)
            .await
            .unwrap();
        assert_eq!(mail.len(), 4, "the meeting and each booking");
        events(app).await;
    }
);

on_both!(
    rule_refusals_name_the_rule_its_source_and_the_allowed_date,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 3).await;
        submit_report(app, world, &epa, "2026-11-02").await;
        let before = events(app).await;

        // Too little notice for the observation.
        let response = book(
            app,
            &world.operations.token,
            &epa,
            slot("observation", "2026-11-10", "in_person"),
        )
        .await;
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["earliest_allowed"], "2026-11-16", "{problem}");
        assert_eq!(problem["refusals"][0]["rule"], "observation_notice");
        assert_eq!(problem["refusals"][0]["strength"], "must");
        assert!(
            problem["refusals"][0]["source"]
                .as_str()
                .unwrap()
                .contains("TQUK")
        );
        assert_eq!(problem["errors"][0]["field"], "date");
        assert!(problem["detail"].as_str().unwrap().contains("2026-11-16"));

        // Outside the EPA period (gateway approval + 3 months).
        let response = book(
            app,
            &world.operations.token,
            &epa,
            slot("discussion", "2027-02-03", "remote"),
        )
        .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["refusals"][0]["rule"], "epa_period", "{problem}");
        assert_eq!(problem["latest_allowed"], "2027-02-02");
        assert!(problem["detail"].as_str().unwrap().contains("2027-02-02"));

        // The interview too soon after the report.
        let response = book(
            app,
            &world.assessor.token,
            &epa,
            slot("project", "2026-11-12", "remote"),
        )
        .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            problem["refusals"][0]["rule"], "report_to_interview",
            "{problem}"
        );
        assert_eq!(problem["earliest_allowed"], "2026-11-16");

        // Nothing was written by any of them.
        assert!(bookings_of(app, world, &epa).await.is_empty());
        assert_eq!(events(app).await, before);

        // A day in the past and bad fields: every problem at once.
        let response = book(
            app,
            &world.operations.token,
            &epa,
            json!({"method": "essay", "date": "2026-10-01", "start_time": "9am", "mode": "remote"}),
        )
        .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["method", "date", "start_time"], "{problem}");
        assert_eq!(events(app).await, before);
    }
);

on_both!(
    a_conflicted_assessor_is_neither_allocated_nor_booked,
    async |app: &TestApp, world: &World| {
        let epa = approved(app, world, "tquk", 4).await;
        // The assessor declares a conflict with the apprentice's employer.
        let response = app
            .post_as(
                &world.assessor.token,
                "/api/v1/conflicts",
                &json!({"organisation_id": world.employer, "reason": "Worked at Acme Retail until 2025"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let conflict: Value = response.json().await.unwrap();
        assert_eq!(conflict["user_id"], json!(world.assessor.user_id));
        assert_eq!(conflict["declared_by"], json!(world.assessor.user_id));
        assert_eq!(conflict["source"], "declared");
        let again = app
            .post_as(
                &world.assessor.token,
                "/api/v1/conflicts",
                &json!({"organisation_id": world.employer, "reason": "again"}),
            )
            .await;
        assert_eq!(again.status(), 409);
        let path = format!("/api/v1/users/{}/conflicts", world.assessor.user_id);
        for (party, status) in [
            (&world.assessor, 200),
            (&world.operations, 200),
            (&world.second_assessor, 404),
            (&world.provider_user, 404),
        ] {
            assert_eq!(
                app.get_as(&party.token, &path).await.status(),
                status,
                "{}",
                party.email
            );
        }

        let before = events(app).await;
        let response = hold_meeting(app, world, &epa, &world.assessor).await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "assessor_id");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("conflict of interest with the apprentice's employer"),
            "{message}"
        );
        assert_eq!(stage_of(app, world, &epa).await, "gateway_approved");
        assert_eq!(events(app).await, before, "nothing written");
        assert!(
            outbox::for_recipient(&app.db, &world.assessor.email)
                .await
                .unwrap()
                .is_empty()
        );

        let response = hold_meeting(app, world, &epa, &world.second_assessor).await;
        assert_eq!(response.status(), 201);
        let mut body = slot("observation", "2026-11-16", "in_person");
        body["assessor_id"] = json!(world.assessor.user_id);
        let response = book(app, &world.operations.token, &epa, body).await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("conflict of interest")
        );

        // EPAO operations declare a conflict for the allocated assessor:
        // from then on the EPA is hidden from them and they cannot book for it.
        let response = app
            .post_as(
                &world.operations.token,
                "/api/v1/conflicts",
                &json!({"user_id": world.second_assessor.user_id, "organisation_id": world.provider, "reason": "Sister teaches at Northfield"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let conflict: Value = response.json().await.unwrap();
        assert_eq!(conflict["declared_by"], json!(world.operations.user_id));
        let response = book(
            app,
            &world.second_assessor.token,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        assert_eq!(response.status(), 404);
        let mine: Value = app
            .get_as(
                &world.second_assessor.token,
                "/api/v1/assessors/me/allocations",
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine, json!([]));

        // Only EPAO staff declare for someone else; only employers and providers.
        let response = app
            .post_as(
                &world.provider_user.token,
                "/api/v1/conflicts",
                &json!({"user_id": world.assessor.user_id, "organisation_id": world.provider, "reason": "x"}),
            )
            .await;
        assert_eq!(response.status(), 403);
        let response = app
            .post_as(
                &world.quality_assurer.token,
                "/api/v1/conflicts",
                &json!({"organisation_id": world.epao, "reason": " "}),
            )
            .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
        events(app).await;
    }
);

on_both!(
    no_planning_meeting_before_gateway_approval,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 5).await;
        let id = epa["id"].as_str().unwrap();
        let before = events(app).await;
        let response = hold_meeting(app, world, id, &world.assessor).await;
        assert_eq!(response.status(), 409);
        let problem: Value = response.json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("hold the planning meeting"), "{detail}");
        assert!(
            detail.contains("submit the gateway"),
            "says what is allowed next: {detail}"
        );
        assert_eq!(events(app).await, before);
        // Nor bookings before the meeting.
        let response = book(
            app,
            &world.operations.token,
            id,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        assert_eq!(response.status(), 409);
    }
);

on_both!(
    only_epao_staff_and_the_allocated_assessor_book,
    async |app: &TestApp, world: &World| {
        let epa = approved(app, world, "tquk", 6).await;
        for (party, status) in [
            (&world.provider_user, 403),
            (&world.employer_user, 403),
            (&world.quality_assurer, 403),
            (&world.assessor, 404),
            (&world.other_provider_user, 404),
            (&world.nobody, 404),
        ] {
            let response = hold_meeting_as(app, party, &epa, &world.assessor).await;
            assert_eq!(response.status(), status, "meeting by {}", party.email);
        }
        let response = hold_meeting(app, world, &epa, &world.second_assessor).await;
        assert_eq!(response.status(), 201);
        for (party, status) in [
            (&world.provider_user, 403),
            (&world.employer_user, 403),
            (&world.other_provider_user, 404),
            (&world.other_employer_user, 404),
            (&world.nobody, 404),
            // Not allocated to this EPA.
            (&world.assessor, 404),
        ] {
            let response = book(
                app,
                &party.token,
                &epa,
                slot("observation", "2026-11-16", "in_person"),
            )
            .await;
            assert_eq!(response.status(), status, "booking by {}", party.email);
        }
        // The allocated assessor books only themselves.
        let mut body = slot("observation", "2026-11-16", "in_person");
        body["assessor_id"] = json!(world.assessor.user_id);
        let response = book(app, &world.second_assessor.token, &epa, body).await;
        assert_eq!(response.status(), 403);
        let response = app
            .get_as(
                &world.other_employer_user.token,
                &format!("/api/v1/epas/{epa}/bookings"),
            )
            .await;
        assert_eq!(response.status(), 404);
        let response = app
            .get_as(&world.nobody.token, "/api/v1/epas/not-a-uuid/bookings")
            .await;
        assert_eq!(response.status(), 404);
        assert!(bookings_of(app, world, &epa).await.is_empty());
    }
);

async fn hold_meeting_as(
    app: &TestApp,
    party: &Party,
    epa: &str,
    assessor: &Party,
) -> reqwest::Response {
    app.post_as(
        &party.token,
        &format!("/api/v1/epas/{epa}/planning-meeting"),
        &json!({"held_on": "2026-11-02", "attendees": ["Someone"], "assessor_id": assessor.user_id}),
    )
    .await
}

on_both!(
    a_recommended_order_breach_is_booked_with_a_warning,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 7).await;
        booked(
            app,
            &world.operations.token,
            &epa,
            slot("discussion", "2026-11-20", "remote"),
        )
        .await;
        let answer = booked(
            app,
            &world.operations.token,
            &epa,
            slot("project", "2026-11-25", "remote"),
        )
        .await;
        let warnings = answer["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 1, "{answer}");
        assert_eq!(warnings[0]["rule"], "project_before_discussion");
        assert_eq!(warnings[0]["strength"], "recommended");
        assert!(
            warnings[0]["source"]
                .as_str()
                .unwrap()
                .contains("Assessment Order")
        );
        assert!(
            warnings[0]["message"]
                .as_str()
                .unwrap()
                .contains("2026-11-20")
        );
        // The same method twice is a conflict: move or cancel the first.
        let response = book(
            app,
            &world.operations.token,
            &epa,
            slot("project", "2026-11-26", "remote"),
        )
        .await;
        assert_eq!(response.status(), 409);
        events(app).await;
    }
);

on_both!(
    cancel_and_reschedule_keep_history,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 8).await;
        let first = booked(
            app,
            &world.operations.token,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        let first_id = first["booking"]["id"].as_str().unwrap().to_owned();

        let response = app
            .post_as(
                &world.assessor.token,
                &format!("/api/v1/bookings/{first_id}/reschedule"),
                &json!({"date": "2026-11-19", "start_time": "14:30", "reason": " "}),
            )
            .await;
        assert_eq!(response.status(), 422, "a reason is needed");
        let response = app
            .post_as(
                &world.assessor.token,
                &format!("/api/v1/bookings/{first_id}/reschedule"),
                &json!({"date": "2026-11-19", "start_time": "14:30", "reason": "Apprentice on leave that week"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, format!("/api/v1/epas/{epa}/bookings"));
        let second: Value = response.json().await.unwrap();
        assert_eq!(second["booking"]["replaces_id"], json!(first_id));
        assert_eq!(second["booking"]["start_time"], "14:30");
        assert_eq!(
            second["booking"]["mode"], "in_person",
            "kept from the first"
        );
        let second_id = second["booking"]["id"].as_str().unwrap().to_owned();

        let response = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/bookings/{second_id}/cancel"),
                &json!({"reason": "Employer closed for refit"}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let cancelled: Value = response.json().await.unwrap();
        assert_eq!(cancelled["status"], "cancelled");

        for path in [
            format!("/api/v1/bookings/{second_id}/cancel"),
            format!("/api/v1/bookings/{first_id}/cancel"),
        ] {
            let response = app
                .post_as(&world.operations.token, &path, &json!({"reason": "again"}))
                .await;
            assert_eq!(response.status(), 409, "{path}");
        }
        let response = app
            .post_as(
                &world.provider_user.token,
                &format!("/api/v1/bookings/{second_id}/cancel"),
                &json!({"reason": "x"}),
            )
            .await;
        assert_eq!(response.status(), 403);
        let response = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/bookings/{}/cancel", Uuid::now_v7()),
                &json!({"reason": "x"}),
            )
            .await;
        assert_eq!(response.status(), 404);

        let list = bookings_of(app, world, &epa).await;
        assert_eq!(list.len(), 2, "both kept");
        assert_eq!(list[0]["id"], json!(first_id));
        assert_eq!(list[0]["status"], "rescheduled");
        assert_eq!(list[0]["status_reason"], "Apprentice on leave that week");
        assert_eq!(list[0]["replaced_by"], json!(second_id));
        assert_eq!(list[1]["status"], "cancelled");
        assert_eq!(list[1]["status_reason"], "Employer closed for refit");

        // A cancelled method can be booked again.
        booked(
            app,
            &world.operations.token,
            &epa,
            slot("observation", "2026-11-24", "in_person"),
        )
        .await;
        let actions: Vec<String> = audit::for_entity(&app.db, "epa", &epa)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for action in ["booking.made", "booking.rescheduled", "booking.cancelled"] {
            assert!(
                actions.iter().any(|a| a == action),
                "{action} in {actions:?}"
            );
        }
        events(app).await;
    }
);

on_both!(
    a_no_show_is_recorded_not_counted,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "innovate", 9).await;
        let answer = booked(
            app,
            &world.operations.token,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        let id = answer["booking"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/bookings/{id}/no-show");
        let early = app
            .post_as(
                &world.assessor.token,
                &path,
                &json!({"reason": "Did not attend"}),
            )
            .await;
        assert_eq!(early.status(), 409, "not before its day");

        app.clock.advance(chrono::Duration::days(14));
        let response = app
            .post_as(
                &world.assessor.token,
                &path,
                &json!({"reason": "Did not attend"}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let view: Value = response.json().await.unwrap();
        assert_eq!(view["status"], "no_show");
        assert_eq!(stage_of(app, world, &epa).await, "planned");
        let last = audit::for_entity(&app.db, "epa", &epa)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(last.action, "booking.no_show");
        let after: Value = serde_json::from_str(&last.after_json.unwrap()).unwrap();
        assert_eq!(after["counts_as_attempt"], false);
        events(app).await;
    }
);

on_both!(
    an_assessor_sees_only_their_allocations,
    async |app: &TestApp, world: &World| {
        let mine = planned(app, world, "tquk", 10).await;
        let theirs = approved(app, world, "innovate", 11).await;
        assert_eq!(
            hold_meeting(app, world, &theirs, &world.second_assessor)
                .await
                .status(),
            201
        );
        booked(
            app,
            &world.operations.token,
            &mine,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        booked(
            app,
            &world.operations.token,
            &theirs,
            slot("observation", "2026-11-17", "in_person"),
        )
        .await;

        let list: Value = app
            .get_as(&world.assessor.token, "/api/v1/assessors/me/allocations")
            .await
            .json()
            .await
            .unwrap();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["epa"]["id"], json!(mine));
        assert_eq!(list[0]["upcoming"].as_array().unwrap().len(), 1);
        assert_eq!(list[0]["upcoming"][0]["date"], "2026-11-16");

        let response = app
            .get_as(&world.operations.token, "/api/v1/assessors/me/allocations")
            .await;
        assert_eq!(response.status(), 403);
        let response = app.get("/api/v1/assessors/me/allocations").await;
        assert_eq!(response.status(), 401);
    }
);

on_both!(
    the_report_date_is_recorded_and_checked_against_the_interview,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 12).await;
        booked(
            app,
            &world.operations.token,
            &epa,
            slot("project", "2026-11-20", "remote"),
        )
        .await;
        app.clock.advance(chrono::Duration::days(7));
        // The report arrives late: the interview booked is now too soon.
        let answer = submit_report(app, world, &epa, "2026-11-09").await;
        assert_eq!(answer["kind"], "report");
        assert_eq!(
            answer["warnings"][0]["rule"], "report_to_interview",
            "{answer}"
        );
        assert_eq!(answer["warnings"][0]["earliest_allowed"], "2026-11-23");

        let response = app
            .post_as(
                &world.provider_user.token,
                &format!("/api/v1/epas/{epa}/submissions"),
                &json!({"kind": "essay", "submitted_on": "2027-01-01"}),
            )
            .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
        let response = app
            .post_as(
                &world.employer_user.token,
                &format!("/api/v1/epas/{epa}/submissions"),
                &json!({"kind": "report", "submitted_on": "2026-11-09"}),
            )
            .await;
        assert_eq!(response.status(), 403);
        events(app).await;
    }
);

on_both!(
    an_assessor_who_declares_a_conflict_loses_the_allocation,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 13).await;
        booked(
            app,
            &world.operations.token,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        let allocations = async || -> Value {
            let response = app
                .get_as(&world.assessor.token, "/api/v1/assessors/me/allocations")
                .await;
            assert_eq!(response.status(), 200);
            response.json().await.unwrap()
        };
        let before = allocations().await;
        assert_eq!(before.as_array().unwrap().len(), 1, "{before}");
        assert_eq!(before[0]["epa"]["id"], json!(epa));

        // Allocated first, conflicted after: the conflict outranks the allocation.
        let response = app
            .post_as(
                &world.assessor.token,
                "/api/v1/conflicts",
                &json!({"organisation_id": world.employer, "reason": "Married to the line manager"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        assert_eq!(allocations().await, json!([]));
        // Nor can they reach the EPA or its bookings another way.
        for path in [
            format!("/api/v1/epas/{epa}"),
            format!("/api/v1/epas/{epa}/bookings"),
            format!("/api/v1/epas/{epa}/planning-meeting"),
        ] {
            let response = app.get_as(&world.assessor.token, &path).await;
            assert_eq!(response.status(), 404, "{path}");
        }
        // The EPA is still allocated to them: it needs reallocating.
        let row = epas::get(&app.db, epa.parse().unwrap()).await.unwrap();
        assert_eq!(row.epa.assessor_id, Some(world.assessor.user_id));
        events(app).await;
    }
);
