//! Releasing results one method at a time through real HTTP: who sees what
//! after each release, segregation of duties per method and for the overall
//! result the last release brings, Innovate's per-component results
//! deadline met or missed by the method's release, and the all-at-once
//! release still working after some methods went out alone. Each test runs
//! on SQLite and, when `EPA_TEST_PG_URL` is set, on PostgreSQL.

use chrono::{TimeZone, Utc};
use epa_plan::MethodId;
use epa_store::{apprentices, audit, epas, outbox};
use epa_testkit::TestApp;
use epa_testkit::seed::{Party, World};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::assessment::{
    admin_who_assesses, get, grade_all, grade_method, intact, judge, judgements_for, planned, post,
    stage,
};
use crate::journeys::apprentice_user;
use crate::on_both;

fn release_path(epa: Uuid, method: &str) -> String {
    format!("/api/v1/epas/{epa}/results/{method}/release")
}

async fn release(app: &TestApp, token: &str, epa: Uuid, method: &str) -> (u16, Value) {
    post(app, token, &release_path(epa, method), &json!({})).await
}

/// Links `apprentice` to the EPA's apprentice record (no API for it yet).
pub(crate) async fn link(app: &TestApp, epa: Uuid, apprentice: &Party) {
    let mut tx = app.db.begin_write().await.unwrap();
    let row = epas::get_in(&mut tx, epa).await.unwrap();
    apprentices::link_user(&mut tx, row.epa.apprentice_id, apprentice.user_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// SHORTCUT (no reallocation API in this suite): the EPA's allocated
/// assessor becomes `assessor`.
async fn allocate(app: &TestApp, epa: Uuid, assessor: Uuid) {
    let mut tx = app.db.begin_write().await.unwrap();
    let row = epas::get_in(&mut tx, epa).await.unwrap();
    epas::update(
        &mut tx,
        epa,
        row.epa.version,
        &epas::Change {
            assessor_id: Some(assessor),
            ..epas::Change::default()
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn method<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["method"] == name)
        .unwrap()
}

fn due<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {list}"))
}

/// The kinds of message sent to `email`, sorted.
async fn sent(app: &TestApp, email: &str) -> Vec<String> {
    let mut kinds: Vec<String> = outbox::for_recipient(&app.db, email)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.kind)
        .collect();
    kinds.sort();
    kinds
}

on_both!(
    one_method_released_is_seen_by_the_apprentice_side_and_the_last_releases_the_overall,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let apprentice = apprentice_user(app, world).await;
        link(app, epa, &apprentice).await;
        grade_all(
            app,
            &world.assessor.token,
            epa,
            &policy,
            ["distinction", "pass", "pass"],
        )
        .await;
        let ops = &world.operations.token;

        let (status, released) = release(app, ops, epa, "observation").await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["stage"], "awaiting_results");
        assert_eq!(method(&released, "observation")["status"], "released");
        assert_eq!(method(&released, "project")["status"], "provisional");
        assert!(released["overall"].is_null(), "{released}");
        assert_eq!(stage(app, epa).await, "awaiting_results");

        // The provider, employer and apprentice see the observation's grade
        // and explanation; the other methods stay hidden.
        for token in [
            &world.provider_user.token,
            &world.employer_user.token,
            &apprentice.token,
        ] {
            let seen = get(app, token, &format!("/api/v1/epas/{epa}/results")).await;
            let observation = method(&seen, "observation");
            assert_eq!(observation["grade"], "distinction", "{seen}");
            assert!(observation["explanation"].is_string(), "{seen}");
            assert!(observation["released_at"].is_string(), "{seen}");
            for hidden in ["project", "discussion"] {
                assert!(method(&seen, hidden)["grade"].is_null(), "{seen}");
                assert!(method(&seen, hidden)["explanation"].is_null(), "{seen}");
            }
            assert!(seen["overall"].is_null());
            assert!(seen["provisional_overall"].is_null());
        }
        // The timeline shows the observation's marks only.
        let timeline = get(
            app,
            &world.provider_user.token,
            &format!("/api/v1/epas/{epa}/timeline"),
        )
        .await;
        let marks: Vec<(&str, bool)> = timeline
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "judgements.recorded")
            .map(|e| {
                (
                    e["after"]["method"].as_str().unwrap(),
                    e["after"]["judgements"].is_array(),
                )
            })
            .collect();
        assert_eq!(
            marks,
            [
                ("observation", true),
                ("project", false),
                ("discussion", false)
            ]
        );
        let release_event = timeline
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "method_result.released")
            .expect("the release is audited");
        assert_eq!(release_event["after"]["method"], "observation");
        let stored = audit::for_entity(&app.db, "epa", &epa.to_string())
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.action == "method_result.released")
            .unwrap();
        assert_eq!(stored.actor_id, Some(world.operations.user_id));

        // Provider and employer are told, in plain English.
        for email in [&world.provider_user.email, &world.employer_user.email] {
            let messages = outbox::for_recipient(&app.db, email).await.unwrap();
            assert_eq!(messages.len(), 1, "{email}");
            assert_eq!(messages[0].kind, "method_result_released");
            assert!(
                messages[0].body.contains("Observation: distinction"),
                "{}",
                messages[0].body
            );
            assert!(
                messages[0]
                    .body
                    .contains("The overall result follows once every method's result is released"),
                "{}",
                messages[0].body
            );
        }
        assert!(sent(app, &world.other_provider_user.email).await.is_empty());

        // Released once only.
        let (status, problem) = release(app, ops, epa, "observation").await;
        assert_eq!(status, 409, "{problem}");

        let (status, released) = release(app, ops, epa, "project").await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["stage"], "awaiting_results");
        assert!(released["overall"].is_null());

        // The last method releases the overall result, through the policy's
        // table: observation distinction, the rest pass -> distinction.
        let (status, released) = release(app, ops, epa, "discussion").await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["stage"], "completed");
        assert_eq!(released["overall"]["grade"], "distinction", "{released}");
        assert_eq!(
            released["overall"]["released_by"],
            json!(world.operations.user_id)
        );
        for m in ["observation", "project", "discussion"] {
            assert_eq!(method(&released, m)["status"], "released");
        }
        assert_eq!(stage(app, epa).await, "completed");
        for email in [&world.provider_user.email, &world.employer_user.email] {
            assert_eq!(
                sent(app, email).await,
                [
                    "method_result_released",
                    "method_result_released",
                    "method_result_released",
                    "results_released"
                ],
                "{email}"
            );
        }
        let seen = get(
            app,
            &apprentice.token,
            &format!("/api/v1/epas/{epa}/results"),
        )
        .await;
        assert_eq!(seen["overall"]["grade"], "distinction");
        assert_eq!(method(&seen, "project")["grade"], "pass");

        // Nothing is left to release.
        let (status, problem) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 409, "{problem}");
        let (status, problem) = release(app, ops, epa, "discussion").await;
        assert_eq!(status, 409, "{problem}");
        intact(&app.db).await;
    }
);

on_both!(
    a_grader_cannot_release_their_method_nor_the_overall_result_it_brings,
    async |app: &TestApp, world: &World| {
        let grader = admin_who_assesses(app, world).await;
        let (epa, policy) = planned(app, world, "tquk", 1, grader.user_id).await;
        grade_method(
            app,
            &grader.token,
            epa,
            &policy,
            MethodId::Observation,
            "pass",
            "2026-11-02",
        )
        .await;
        let ops = &world.operations.token;

        // Not a method: 422 naming the field; nothing changes.
        let before = audit::for_entity(&app.db, "epa", &epa.to_string())
            .await
            .unwrap()
            .len();
        let (status, problem) = release(app, ops, epa, "interview").await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "method", "{problem}");
        // A method with no result: 409, saying what is missing.
        let (status, problem) = release(app, ops, epa, "project").await;
        assert_eq!(status, 409, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("no result"),
            "{problem}"
        );
        // The observation's grader, EPAO admin though they are: 403.
        let (status, problem) = release(app, &grader.token, epa, "observation").await;
        assert_eq!(status, 403, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("you graded"),
            "{problem}"
        );
        // Not EPAO staff: refused too.
        let (status, _) = release(app, &world.provider_user.token, epa, "observation").await;
        assert!(status == 403 || status == 404, "{status}");
        let after = audit::for_entity(&app.db, "epa", &epa.to_string())
            .await
            .unwrap()
            .len();
        assert_eq!(before, after, "refusals change nothing");
        assert!(sent(app, &world.provider_user.email).await.is_empty());

        let (status, released) = release(app, ops, epa, "observation").await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["stage"], "in_assessment");
        // A released method's result cannot be judged again.
        let observation: Uuid = method(&released, "observation")["assessment_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let response = judge(
            app,
            &grader.token,
            epa,
            observation,
            &judgements_for(&policy, MethodId::Observation, "distinction"),
        )
        .await;
        assert_eq!(response.status(), 409);

        // Another assessor grades the project and the discussion: the
        // observation's grader may release those...
        allocate(app, epa, world.assessor.user_id).await;
        for m in [MethodId::Project, MethodId::Discussion] {
            grade_method(
                app,
                &world.assessor.token,
                epa,
                &policy,
                m,
                "pass",
                "2026-11-02",
            )
            .await;
        }
        let (status, released) = release(app, &grader.token, epa, "project").await;
        assert_eq!(status, 200, "{released}");
        // ...but not the last, which releases the overall result they
        // stand on in part.
        let (status, problem) = release(app, &grader.token, epa, "discussion").await;
        assert_eq!(status, 403, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("releases the overall result"),
            "{problem}"
        );
        assert_eq!(stage(app, epa).await, "awaiting_results");
        let (status, released) = release(app, ops, epa, "discussion").await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["stage"], "completed");
        assert_eq!(released["overall"]["grade"], "pass");
        intact(&app.db).await;
    }
);

on_both!(
    innovate_results_due_per_component_are_met_or_missed_by_each_release,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "innovate", 1, world.assessor.user_id).await;
        // All three assessed on Monday 2 November 2026: each result is due
        // within seven working days, by Wednesday 11 November.
        grade_all(app, &world.assessor.token, epa, &policy, ["pass"; 3]).await;
        let ops = &world.operations.token;

        let (status, released) = release(app, ops, epa, "observation").await;
        assert_eq!(status, 200, "{released}");
        let observation = due(&released["due"], "results_due_observation");
        assert_eq!(observation["date"], "2026-11-11");
        assert_eq!(observation["state"], "met", "{observation}");
        assert_eq!(observation["done"], "2026-11-02");
        let interview = due(&released["due"], "results_due_interview");
        assert_ne!(interview["state"], "met", "{interview}");
        assert!(interview["done"].is_null());
        let deadlines = get(app, ops, &format!("/api/v1/epas/{epa}/deadlines")).await;
        let observation = due(&deadlines["deadlines"], "results_due_observation");
        assert_eq!(observation["state"], "met", "{observation}");
        assert_eq!(observation["done"], "2026-11-02");
        assert_ne!(
            due(&deadlines["deadlines"], "results_due_interview")["state"],
            "met"
        );

        // Eight working days on (Thursday 12 November): the project's
        // result released now misses its deadline.
        app.clock
            .set(Utc.with_ymd_and_hms(2026, 11, 12, 10, 0, 0).unwrap());
        let (status, released) = release(app, ops, epa, "project").await;
        assert_eq!(status, 200, "{released}");
        let interview = due(&released["due"], "results_due_interview");
        assert_eq!(interview["date"], "2026-11-11");
        assert_eq!(interview["state"], "missed", "{interview}");
        assert_eq!(interview["done"], "2026-11-12");
        let deadlines = get(app, ops, &format!("/api/v1/epas/{epa}/deadlines")).await;
        let interview = due(&deadlines["deadlines"], "results_due_interview");
        assert_eq!(interview["state"], "missed", "{interview}");
        assert_eq!(interview["done"], "2026-11-12");
        // The observation's release stays met on its own date.
        assert_eq!(
            due(&deadlines["deadlines"], "results_due_observation")["state"],
            "met"
        );

        // The last release brings the overall result.
        let (status, released) = release(app, ops, epa, "discussion").await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["stage"], "completed");
        assert_eq!(released["overall"]["grade"], "pass");
        assert_eq!(released["overall"]["released_on"], "2026-11-12");
        assert_eq!(
            due(&released["due"], "results_due_discussion")["state"],
            "missed"
        );
        intact(&app.db).await;
    }
);

on_both!(
    releasing_all_at_once_still_works_after_a_method_went_out_alone,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "innovate", 1, world.assessor.user_id).await;
        grade_all(app, &world.assessor.token, epa, &policy, ["distinction"; 3]).await;
        let ops = &world.operations.token;
        let (status, released) = release(app, ops, epa, "observation").await;
        assert_eq!(status, 200, "{released}");
        let observation_released_at = method(&released, "observation")["released_at"].clone();

        app.clock.advance(chrono::Duration::days(1));
        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["stage"], "completed");
        assert_eq!(released["overall"]["grade"], "distinction");
        for m in ["observation", "project", "discussion"] {
            assert_eq!(method(&released, m)["status"], "released");
        }
        // The observation keeps its own release time (and deadline date).
        assert_eq!(
            method(&released, "observation")["released_at"],
            observation_released_at
        );
        assert_eq!(
            due(&released["due"], "results_due_observation")["done"],
            "2026-11-02"
        );
        assert_eq!(
            due(&released["due"], "results_due_interview")["done"],
            "2026-11-03"
        );
        assert_eq!(
            sent(app, &world.provider_user.email).await,
            ["method_result_released", "results_released"]
        );
        intact(&app.db).await;
    }
);
