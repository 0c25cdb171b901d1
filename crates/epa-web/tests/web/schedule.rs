//! Scheduling everyone waiting after gateway through the API: the
//! proposal keeps the assessors' regions, conflicts and allocations and
//! says why anything is left out; confirming books each row through the
//! booking rules and their notifications, and a row the rules refuse is
//! reported with the rule's message and writes nothing. Each test runs on
//! SQLite and, when `EPA_TEST_PG_URL` is set, on PostgreSQL.

use chrono::{Datelike, NaiveDate, Weekday};
use epa_store::{outbox, planning as store};
use epa_testkit::TestApp;
use epa_testkit::seed::{Party, World};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;
use crate::planning::{approved, bookings_of, events, planned, submit_report};

/// Sends `method path` with a JSON body as the holder of `token`.
pub(crate) async fn send(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let url = app.url(path);
    let request = match method {
        "PUT" => app.client.put(url),
        "PATCH" => app.client.patch(url),
        _ => app.client.post(url),
    };
    let response = request.bearer_auth(token).json(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Sets where the employer's apprentices work.
pub(crate) async fn employer_in(app: &TestApp, world: &World, region: &str) {
    let current = epa_store::organisations::get(&app.db, world.employer)
        .await
        .unwrap();
    let (status, view) = send(
        app,
        &world.epao_admin.token,
        "PATCH",
        &format!("/api/v1/organisations/{}", world.employer),
        &json!({"region": region, "record_version": current.version}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["region"], region);
}

pub(crate) async fn profile(app: &TestApp, world: &World, who: &Party, regions: &[&str]) {
    let (status, view) = send(
        app,
        &world.operations.token,
        "PUT",
        &format!("/api/v1/users/{}/assessor-profile", who.user_id),
        &json!({"regions": regions, "max_per_day": 2, "max_per_week": 6, "unavailable_days": ["2026-11-23"]}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
}

/// The employer in Yorkshire; the allocated assessor works there, the
/// second assessor in London only.
pub(crate) async fn ready(app: &TestApp, world: &World) {
    employer_in(app, world, "yorkshire_and_the_humber").await;
    profile(app, world, &world.assessor, &["yorkshire_and_the_humber"]).await;
    profile(app, world, &world.second_assessor, &["london"]).await;
}

pub(crate) async fn propose(app: &TestApp, world: &World) -> Value {
    let (status, proposal) = send(
        app,
        &world.operations.token,
        "POST",
        "/api/v1/schedule/proposals",
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{proposal}");
    proposal
}

fn rows_of<'a>(proposal: &'a Value, epa: &str) -> Vec<&'a Value> {
    proposal["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["epa_id"] == epa)
        .collect()
}

fn date(value: &Value) -> NaiveDate {
    value.as_str().unwrap().parse().unwrap()
}

/// A proposed row as a confirmation row.
fn confirm_row(row: &Value) -> Value {
    json!({"epa_id": row["epa_id"], "booking": {
        "method": row["method"], "date": row["date"], "start_time": row["start_time"],
        "mode": row["mode"], "assessor_id": row["assessor_id"],
    }})
}

async fn confirm(app: &TestApp, world: &World, rows: Vec<Value>) -> Value {
    let (status, answer) = send(
        app,
        &world.operations.token,
        "POST",
        "/api/v1/schedule/confirmations",
        &json!({"bookings": rows}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

on_both!(
    a_planned_epa_is_proposed_with_its_allocated_assessor_under_the_rules,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 1).await;
        submit_report(app, world, &epa, "2026-11-02").await;
        // Before the employer has a region, the observation has no place.
        profile(app, world, &world.assessor, &["yorkshire_and_the_humber"]).await;
        let proposal = propose(app, world).await;
        assert!(rows_of(&proposal, &epa).is_empty(), "{proposal}");
        let reasons = proposal["unscheduled"].as_array().unwrap();
        assert_eq!(reasons.len(), 3, "{proposal}");
        assert!(
            reasons[0]["reason"]
                .as_str()
                .unwrap()
                .contains("Acme Retail, has no region"),
            "{proposal}"
        );

        employer_in(app, world, "yorkshire_and_the_humber").await;
        profile(app, world, &world.second_assessor, &["london"]).await;
        let proposal = propose(app, world).await;
        let rows = rows_of(&proposal, &epa);
        assert_eq!(rows.len(), 3, "{proposal}");
        assert_eq!(proposal["figures"]["unscheduled"], 0, "{proposal}");
        assert_eq!(proposal["figures"]["apprentices"], 1);
        let today: NaiveDate = "2026-11-02".parse().unwrap();
        let mut days = Vec::new();
        for row in &rows {
            // The allocated assessor, never the one working elsewhere.
            assert_eq!(row["assessor_id"], json!(world.assessor.user_id), "{row}");
            assert_eq!(row["needs_planning_meeting"], false);
            let on = date(&row["date"]);
            assert!(on > today, "{row}");
            assert!(
                !matches!(on.weekday(), Weekday::Sat | Weekday::Sun),
                "{row}"
            );
            assert_ne!(on.to_string(), "2026-11-23", "the assessor's day off");
            days.push(on);
        }
        let observation = rows.iter().find(|r| r["method"] == "observation").unwrap();
        assert_eq!(observation["mode"], "in_person");
        assert_eq!(observation["region"], "yorkshire_and_the_humber");
        assert!(date(&observation["date"]) >= today + chrono::Days::new(14));
        days.sort();
        days.dedup();
        assert_eq!(days.len(), 3, "one assessment a day for the apprentice");
        // Proposing writes nothing.
        assert!(bookings_of(app, world, &epa).await.is_empty());
    }
);

on_both!(
    a_proposal_keeps_regions_and_conflicts_and_says_why_it_leaves_out,
    async |app: &TestApp, world: &World| {
        ready(app, world).await;
        // Waiting for its planning meeting: anyone may be proposed, but
        // only where they work.
        let epa = approved(app, world, "innovate", 2).await;
        let proposal = propose(app, world).await;
        let rows = rows_of(&proposal, &epa);
        assert_eq!(rows.len(), 3, "{proposal}");
        for row in &rows {
            assert_eq!(row["assessor_id"], json!(world.assessor.user_id), "{row}");
            assert_eq!(row["needs_planning_meeting"], true);
        }
        // The only assessor in Yorkshire declares a conflict with the
        // employer: nobody is left to propose, and the proposal says why.
        let (status, conflict) = send(
            app,
            &world.operations.token,
            "POST",
            "/api/v1/conflicts",
            &json!({"user_id": world.assessor.user_id, "organisation_id": world.employer, "reason": "Worked there until last year"}),
        )
        .await;
        assert_eq!(status, 201, "{conflict}");
        let proposal = propose(app, world).await;
        assert!(rows_of(&proposal, &epa).is_empty(), "{proposal}");
        let left: Vec<&Value> = proposal["unscheduled"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["epa_id"] == epa)
            .collect();
        assert_eq!(left.len(), 3);
        assert!(
            left[0]["reason"]
                .as_str()
                .unwrap()
                .contains("no assessor with a profile works in Yorkshire and the Humber"),
            "{}",
            left[0]
        );
        assert_eq!(proposal["figures"]["unscheduled"], 3);
    }
);

on_both!(
    confirming_books_each_row_and_tells_everyone,
    async |app: &TestApp, world: &World| {
        ready(app, world).await;
        let epa = planned(app, world, "tquk", 3).await;
        submit_report(app, world, &epa, "2026-11-02").await;
        let mail_before = outbox::for_recipient(&app.db, &world.assessor.email)
            .await
            .unwrap()
            .len();
        let proposal = propose(app, world).await;
        let rows: Vec<Value> = rows_of(&proposal, &epa)
            .into_iter()
            .map(confirm_row)
            .collect();
        assert_eq!(rows.len(), 3);
        let answer = confirm(app, world, rows.clone()).await;
        assert_eq!(answer["booked"], 3, "{answer}");
        assert_eq!(answer["refused"], 0);
        for (i, outcome) in answer["rows"].as_array().unwrap().iter().enumerate() {
            assert_eq!(outcome["row"], i);
            assert_eq!(outcome["booking"]["date"], rows[i]["booking"]["date"]);
            assert_eq!(outcome["booking"]["status"], "booked");
        }
        assert_eq!(bookings_of(app, world, &epa).await.len(), 3);
        let mail = outbox::for_recipient(&app.db, &world.assessor.email)
            .await
            .unwrap();
        assert_eq!(mail.len(), mail_before + 3, "one message per booking");
        for party in [&world.provider_user, &world.employer_user] {
            assert!(
                !outbox::for_recipient(&app.db, &party.email)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }

        // The same rows again: the proposal is stale, the rules refuse every
        // row with their own words, and nothing more is written.
        let before = events(app).await;
        let answer = confirm(app, world, rows).await;
        assert_eq!(
            (answer["booked"].clone(), answer["refused"].clone()),
            (json!(0), json!(3))
        );
        let message = answer["rows"][0]["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("is already booked"), "{message}");
        assert_eq!(bookings_of(app, world, &epa).await.len(), 3);
        assert_eq!(events(app).await, before);
        // Nothing is waiting any more.
        let proposal = propose(app, world).await;
        assert!(rows_of(&proposal, &epa).is_empty(), "{proposal}");
    }
);

on_both!(
    a_row_the_rules_refuse_writes_nothing_and_the_others_book,
    async |app: &TestApp, world: &World| {
        ready(app, world).await;
        let epa = planned(app, world, "tquk", 4).await;
        submit_report(app, world, &epa, "2026-11-02").await;
        let proposal = propose(app, world).await;
        let mut rows: Vec<Value> = rows_of(&proposal, &epa)
            .into_iter()
            .map(confirm_row)
            .collect();
        // The observation moved to tomorrow: too little notice.
        let at = rows
            .iter()
            .position(|r| r["booking"]["method"] == "observation")
            .unwrap();
        rows[at]["booking"]["date"] = json!("2026-11-03");
        let answer = confirm(app, world, rows).await;
        assert_eq!(answer["booked"], 2, "{answer}");
        assert_eq!(answer["refused"], 1);
        let refused = &answer["rows"][at];
        assert!(refused["booking"].is_null());
        assert_eq!(refused["errors"][0]["field"], "date");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("notice"),
            "{refused}"
        );
        let booked = bookings_of(app, world, &epa).await;
        assert_eq!(booked.len(), 2);
        assert!(booked.iter().all(|b| b["method"] != "observation"));
        let epa_id: Uuid = epa.parse().unwrap();
        assert_eq!(store::bookings(&app.db, epa_id).await.unwrap().len(), 2);
    }
);

on_both!(
    only_epao_staff_schedule_and_an_empty_confirmation_is_refused,
    async |app: &TestApp, world: &World| {
        for party in [
            &world.assessor,
            &world.provider_user,
            &world.quality_assurer,
        ] {
            for path in [
                "/api/v1/schedule/proposals",
                "/api/v1/schedule/confirmations",
            ] {
                let body = if path.ends_with("proposals") {
                    json!({})
                } else {
                    json!({"bookings": []})
                };
                let (status, problem) = send(app, &party.token, "POST", path, &body).await;
                assert_eq!(status, 403, "{} {path}: {problem}", party.email);
            }
        }
        let (status, problem) = send(
            app,
            &world.operations.token,
            "POST",
            "/api/v1/schedule/confirmations",
            &json!({"bookings": []}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0]["field"], "bookings");
        let (status, problem) = send(
            app,
            &world.operations.token,
            "POST",
            "/api/v1/schedule/proposals",
            &json!({"epao_id": world.other_employer}),
        )
        .await;
        assert_eq!(status, 403, "{problem}");
        let (status, _) = send(
            app,
            &world.operations.token,
            "POST",
            "/api/v1/schedule/proposals",
            &json!({"colour": "blue"}),
        )
        .await;
        assert_eq!(status, 422);
        // A region that is not one is refused by name, and changes nothing.
        let current = epa_store::organisations::get(&app.db, world.employer)
            .await
            .unwrap();
        let (status, problem) = send(
            app,
            &world.epao_admin.token,
            "PATCH",
            &format!("/api/v1/organisations/{}", world.employer),
            &json!({"region": "wales", "record_version": current.version}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0]["field"], "region");
        let (status, problem) = send(
            app,
            &world.epao_admin.token,
            "PATCH",
            &format!("/api/v1/organisations/{}", world.provider),
            &json!({"region": "london", "record_version": epa_store::organisations::get(&app.db, world.provider).await.unwrap().version}),
        )
        .await;
        assert_eq!(status, 422, "a provider has no region: {problem}");
        let after = epa_store::organisations::get(&app.db, world.employer)
            .await
            .unwrap();
        assert_eq!((after.version, after.region), (current.version, None));
    }
);
