//! The one gate through real HTTP: marks and grades shown only to those who
//! may see them before release, a conflict outranking an allocation on every
//! read, reallocation, withdrawn conflicts and registration corrections.
//! Each test runs on SQLite and, when `EPA_TEST_PG_URL` is set, PostgreSQL.

use epa_store::{apprentices, audit, epas};
use epa_testkit::TestApp;
use epa_testkit::seed::{Party, World};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::assessment::{grade_all, planned};
use crate::journeys::apprentice_user;
use crate::on_both;

async fn status_of(app: &TestApp, token: &str, path: &str) -> u16 {
    app.get_as(token, path).await.status().as_u16()
}

async fn read(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// Links `apprentice` to the EPA's apprentice record (no API for it yet).
async fn link(app: &TestApp, epa: Uuid, apprentice: &Party) {
    let mut tx = app.db.begin_write().await.unwrap();
    let row = epas::get_in(&mut tx, epa).await.unwrap();
    apprentices::link_user(&mut tx, row.epa.apprentice_id, apprentice.user_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Whether any text of the timeline shows a criterion's mark.
fn shows_marks(timeline: &Value) -> bool {
    timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "judgements.recorded")
        .any(|e| e["after"]["judgements"].is_array())
}

on_both!(
    marks_reach_provider_employer_and_apprentice_only_once_released,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let apprentice = apprentice_user(app, world).await;
        link(app, epa, &apprentice).await;
        grade_all(
            app,
            &world.assessor.token,
            epa,
            &policy,
            ["pass", "pass", "pass"],
        )
        .await;
        let outside = [
            ("provider", &world.provider_user),
            ("employer", &world.employer_user),
            ("apprentice", &apprentice),
        ];
        let inside = [
            ("admin", &world.epao_admin),
            ("assessor", &world.assessor),
            ("quality assurer", &world.quality_assurer),
        ];
        let timeline = format!("/api/v1/epas/{epa}/timeline");
        let results = format!("/api/v1/epas/{epa}/results");
        for (who, party) in outside {
            let events = read(app, &party.token, &timeline).await;
            assert!(!shows_marks(&events), "{who} sees marks before release");
            let text = events.to_string();
            assert!(
                !text.contains("\"met\""),
                "{who} sees a criterion before release"
            );
            let answer = read(app, &party.token, &results).await;
            for method in answer["methods"].as_array().unwrap() {
                assert!(method["grade"].is_null(), "{who}: {method}");
                assert!(method["unmet"].as_array().unwrap().is_empty(), "{who}");
            }
            assert!(answer["provisional_overall"].is_null(), "{who}");
            let one = read(app, &party.token, &format!("/api/v1/epas/{epa}")).await;
            assert!(one["overall_grade"].is_null(), "{who}");
            assert_eq!(
                status_of(app, &party.token, &format!("/api/v1/epas/{epa}/judgements")).await,
                403,
                "{who} reads judgements"
            );
        }
        for (who, party) in inside {
            let events = read(app, &party.token, &timeline).await;
            assert!(shows_marks(&events), "{who} does not see marks");
            let answer = read(app, &party.token, &results).await;
            assert_eq!(answer["methods"][0]["grade"], "pass", "{who}");
        }

        let response = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/epas/{epa}/results/release"),
                &json!({}),
            )
            .await;
        assert_eq!(response.status(), 200);
        for (who, party) in outside {
            let events = read(app, &party.token, &timeline).await;
            assert!(shows_marks(&events), "{who} does not see released marks");
            let answer = read(app, &party.token, &results).await;
            assert_eq!(answer["methods"][0]["grade"], "pass", "{who}");
            assert_eq!(answer["overall"]["grade"], "pass", "{who}");
            let one = read(app, &party.token, &format!("/api/v1/epas/{epa}")).await;
            assert_eq!(one["overall_grade"], "pass", "{who}");
        }
    }
);

/// Every read of one EPA an allocated assessor may make.
fn reads(epa: Uuid) -> Vec<String> {
    [
        "",
        "/timeline",
        "/results",
        "/judgements",
        "/assessments",
        "/documents",
        "/deadlines",
        "/gateway",
        "/bookings",
        "/planning-meeting",
    ]
    .into_iter()
    .map(|tail| format!("/api/v1/epas/{epa}{tail}"))
    .collect()
}

async fn declare_conflict(app: &TestApp, party: &Party, organisation: Uuid) -> Value {
    let response = app
        .post_as(
            &party.token,
            "/api/v1/conflicts",
            &json!({"organisation_id": organisation, "reason": "My sister manages this store"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

on_both!(
    an_assessor_conflicted_after_allocation_reads_nothing_and_staff_reallocate,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let booked = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/epas/{epa}/bookings"),
                &json!({"method": "observation", "date": "2026-11-23", "start_time": "10:00", "mode": "in_person"}),
            )
            .await;
        assert_eq!(booked.status(), 201);
        let booking: Value = booked.json().await.unwrap();
        for path in reads(epa) {
            assert_eq!(
                status_of(app, &world.assessor.token, &path).await,
                200,
                "{path}"
            );
        }

        declare_conflict(app, &world.assessor, world.employer).await;
        for path in reads(epa) {
            assert_eq!(
                status_of(app, &world.assessor.token, &path).await,
                404,
                "a conflicted assessor still reads {path}"
            );
        }
        let list = read(app, &world.assessor.token, "/api/v1/epas").await;
        assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
        let allocations = read(
            app,
            &world.assessor.token,
            "/api/v1/assessors/me/allocations",
        )
        .await;
        assert!(allocations.as_array().unwrap().is_empty(), "{allocations}");
        let sitting = app
            .post_as(
                &world.assessor.token,
                &format!("/api/v1/epas/{epa}/assessments"),
                &json!({"method": "observation", "held_on": "2026-11-02", "start_time": "09:00", "end_time": "10:02", "questioning_minutes": 10}),
            )
            .await;
        assert_eq!(sitting.status(), 404);

        // The EPAO's deadline list shows the EPA as needing another assessor.
        let due = read(app, &world.operations.token, "/api/v1/deadlines").await;
        assert!(
            due["items"].as_array().unwrap().iter().any(
                |d| d["epa_id"] == json!(epa) && d["deadline"]["id"] == "assessor_reallocation"
            ),
            "{due}"
        );

        // EPAO staff move the EPA: not to the conflicted assessor, not without a reason.
        let path = format!("/api/v1/epas/{epa}/assessor");
        let (status, problem) = post(
            app,
            &world.operations.token,
            &path,
            &json!({"assessor_id": world.second_assessor.user_id, "reason": "  "}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "reason");
        declare_conflict(app, &world.second_assessor, world.provider).await;
        let (status, problem) = post(
            app,
            &world.operations.token,
            &path,
            &json!({"assessor_id": world.second_assessor.user_id, "reason": "conflict declared"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("conflict of interest"),
            "{problem}"
        );
        let (status, _) = post(
            app,
            &world.assessor.token,
            &path,
            &json!({"assessor_id": world.second_assessor.user_id, "reason": "mine"}),
        )
        .await;
        assert_eq!(status, 404, "an assessor cannot reallocate");

        // The second assessor's conflict was declared in error: withdrawn, it no longer counts.
        let second: Value = app
            .get_as(
                &world.operations.token,
                &format!("/api/v1/users/{}/conflicts", world.second_assessor.user_id),
            )
            .await
            .json()
            .await
            .unwrap();
        let second_id = second[0]["id"].as_str().unwrap().to_owned();
        // Staff see the conflicts of those who assess in their EPAO; of
        // anyone else, and to anyone else, they are not there.
        for (token, person) in [
            (&world.operations.token, world.provider_user.user_id),
            (&world.operations.token, world.epao_admin.user_id),
            (&world.assessor.token, world.second_assessor.user_id),
        ] {
            let status = app
                .get_as(token, &format!("/api/v1/users/{person}/conflicts"))
                .await
                .status();
            assert_eq!(status, 404, "{person}'s conflicts");
        }
        let withdraw = format!("/api/v1/conflicts/{second_id}/withdraw");
        let (status, _) = post(
            app,
            &world.second_assessor.token,
            &withdraw,
            &json!({"reason": "wrong store"}),
        )
        .await;
        assert_eq!(status, 403, "an assessor cannot withdraw a conflict");
        let (status, answer) = post(
            app,
            &world.operations.token,
            &withdraw,
            &json!({"reason": "declared for the wrong provider"}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(
            answer["withdrawal_reason"],
            "declared for the wrong provider"
        );
        assert!(answer["withdrawn_at"].is_string());
        let (status, _) = post(
            app,
            &world.operations.token,
            &withdraw,
            &json!({"reason": "again"}),
        )
        .await;
        assert_eq!(status, 409, "a conflict is withdrawn once");

        let (status, moved) = post(
            app,
            &world.operations.token,
            &path,
            &json!({"assessor_id": world.second_assessor.user_id, "reason": "conflict declared"}),
        )
        .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["bookings_moved"], json!([booking["booking"]["id"]]));
        let bookings = read(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/bookings"),
        )
        .await;
        assert_eq!(
            bookings[0]["assessor_id"],
            json!(world.second_assessor.user_id)
        );
        let now = read(
            app,
            &world.second_assessor.token,
            &format!("/api/v1/epas/{epa}"),
        )
        .await;
        assert_eq!(now["assessor_id"], json!(world.second_assessor.user_id));
        for path in reads(epa) {
            assert_eq!(
                status_of(app, &world.second_assessor.token, &path).await,
                200,
                "{path}"
            );
        }
        for party in [
            &world.assessor,
            &world.second_assessor,
            &world.provider_user,
        ] {
            let messages = epa_store::outbox::for_recipient(&app.db, &party.email)
                .await
                .unwrap();
            assert!(
                messages.iter().any(|m| m.kind == "assessor_reallocated"),
                "{} not told",
                party.email
            );
        }
        intact(app).await;
    }
);

on_both!(
    a_registration_is_corrected_with_a_reason_and_never_over_a_newer_change,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "innovate", 1, world.assessor.user_id).await;
        let path = format!("/api/v1/epas/{epa}/apprentice");
        let current = read(app, &world.operations.token, &format!("/api/v1/epas/{epa}")).await;
        let version = current["record_version"].as_i64().unwrap();
        assert_eq!(current["apprentice"]["date_of_birth"], "2003-04-17");

        let patch = |token: &str, if_match: Option<String>, body: Value| {
            let mut request = app
                .client
                .patch(app.url(&path))
                .bearer_auth(token)
                .json(&body);
            if let Some(tag) = if_match {
                request = request.header("If-Match", tag);
            }
            request.send()
        };
        let change = json!({"family_name": "Okafor-Smith", "reason": "Married name"});

        let stale = patch(
            &world.operations.token,
            Some(format!("\"{}\"", version - 1)),
            change.clone(),
        )
        .await
        .unwrap();
        assert_eq!(stale.status(), 412);
        let missing = patch(&world.operations.token, None, change.clone())
            .await
            .unwrap();
        assert_eq!(missing.status(), 422);
        let bad = patch(
            &world.operations.token,
            Some(format!("\"{version}\"")),
            json!({"uln": "1234567890", "reason": "typo"}),
        )
        .await
        .unwrap();
        assert_eq!(bad.status(), 422);
        let provider = patch(
            &world.provider_user.token,
            Some(format!("\"{version}\"")),
            change.clone(),
        )
        .await
        .unwrap();
        assert_eq!(provider.status(), 403, "only EPAO staff correct");
        let unchanged = read(app, &world.operations.token, &format!("/api/v1/epas/{epa}")).await;
        assert_eq!(unchanged["apprentice"]["family_name"], "Apprentice 1");
        assert_eq!(unchanged["record_version"], version);

        let good = patch(
            &world.operations.token,
            Some(format!("\"{version}\"")),
            change.clone(),
        )
        .await
        .unwrap();
        assert_eq!(good.status(), 200);
        let corrected: Value = good.json().await.unwrap();
        assert_eq!(corrected["apprentice"]["family_name"], "Okafor-Smith");
        assert!(corrected["record_version"].as_i64().unwrap() > version);
        // The same version again is now stale.
        let again = patch(
            &world.operations.token,
            Some(format!("\"{version}\"")),
            change,
        )
        .await
        .unwrap();
        assert_eq!(again.status(), 412);

        let seen = read(
            app,
            &world.provider_user.token,
            &format!("/api/v1/epas/{epa}"),
        )
        .await;
        assert_eq!(seen["apprentice"]["date_of_birth"], "2003-04-17");
        let assessor = read(app, &world.assessor.token, &format!("/api/v1/epas/{epa}")).await;
        assert!(assessor["apprentice"].get("date_of_birth").is_none());
        let events = read(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/timeline"),
        )
        .await;
        let corrections: Vec<&Value> = events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "apprentice.corrected")
            .collect();
        assert_eq!(corrections.len(), 1);
        assert_eq!(corrections[0]["after"]["reason"], "Married name");
        assert_eq!(corrections[0]["after"]["changed"], json!(["family_name"]));
        assert!(
            !events.to_string().contains("Okafor"),
            "personal data stays out of the audit trail"
        );
        intact(app).await;
    }
);

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = app.post_as(token, path, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn intact(app: &TestApp) {
    assert!(matches!(
        audit::verify(&app.db).await.unwrap(),
        audit::Verdict::Intact { .. }
    ));
}
