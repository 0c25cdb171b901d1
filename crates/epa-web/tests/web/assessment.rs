//! `/api/v1` assessment through real HTTP: assessment records, judgements,
//! method results, release by someone other than the grader, the
//! certificate, a fail with its resit or project rework and the grade cap,
//! exceptional circumstances, withdrawal, and every refusal. Each test runs
//! on SQLite and, when `EPA_TEST_PG_URL` is set, on PostgreSQL.

use std::sync::Arc;

use epa_domain::lifecycle::Command;
use epa_plan::{Catalog, CriterionLevel, MethodId};
use epa_store::users::{self, Role};
use epa_store::{Db, audit, epas, outbox, tokens};
use epa_testkit::TestApp;
use epa_testkit::seed::{Party, World};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;
use crate::support::{proposal_on_file, registered, with_booking};

// ---------------------------------------------------------------------------
// Shortcuts

/// SHORTCUT for the gateway and planning parts, which are built and tested
/// elsewhere: moves a registered EPA through gateway submission, approval
/// (the EPA period starting on 19 October 2026) and the planning meeting by
/// applying the lifecycle directly as the EPAO admin, and allocates
/// `assessor`. Everything from `planned` on goes through the API.
pub(crate) async fn planned(
    app: &TestApp,
    world: &World,
    policy: &str,
    n: u32,
    assessor: Uuid,
) -> (Uuid, String) {
    let epa = registered(app, world, policy, n).await;
    let id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
    through_gateway(app, world, id, "2026-10-19", assessor).await;
    (id, policy.to_owned())
}

/// SHORTCUT (see [`planned`]): gateway submitted, approved `on`, planning
/// meeting held and `assessor` allocated, for an EPA at `registered`.
async fn through_gateway(app: &TestApp, world: &World, id: Uuid, on: &str, assessor: Uuid) {
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
            on: on.parse().unwrap(),
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
            assessor_id: Some(assessor),
            ..epas::Change::default()
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // TQUK's proposal, accepted by the assessor (Innovate agrees its
    // synopsis at gateway).
    let policy = epas::get(&app.db, id).await.unwrap().epa.policy;
    if policy == "tquk" {
        proposal_on_file(app, id, world.provider_user.user_id, Some(assessor)).await;
    }
}

/// A user holding two roles at the EPAO, EPAO admin and assessor: the person
/// segregation of duties is about.
pub(crate) async fn admin_who_assesses(app: &TestApp, world: &World) -> Party {
    let now = app.clock.now();
    let mut tx = app.db.begin_write().await.unwrap();
    let user = users::insert(&mut tx, "admin-assessor@test.example", "A", None, now)
        .await
        .unwrap();
    for role in [Role::EpaoAdmin, Role::Assessor] {
        users::grant(&mut tx, user.id, world.epao, role, now)
            .await
            .unwrap();
    }
    let token = tokens::create(&mut tx, user.id, "tests", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Party {
        user_id: user.id,
        email: user.email,
        token,
    }
}

fn criteria(policy: &str, method: MethodId) -> Vec<(String, CriterionLevel)> {
    Catalog::embedded()
        .effective("ST0071", None, policy)
        .unwrap()
        .criteria_for(method)
        .map(|c| (c.id.clone(), c.grade))
        .collect()
}

/// A sitting inside every limit of the plan.
fn sitting(method: &str, held_on: &str) -> Value {
    let mut body = json!({
        "method": method,
        "held_on": held_on,
        "start_time": "09:00",
        "end_time": "10:02",
    });
    match method {
        "observation" => body["questioning_minutes"] = json!(8),
        "project" => body["interview_questions"] = json!(10),
        _ => {}
    }
    body
}

/// Records a sitting against its booking: the body's, or one made ahead
/// for its method and day (see [`with_booking`]).
async fn record(app: &TestApp, token: &str, epa: Uuid, body: &Value) -> reqwest::Response {
    let body = with_booking(app, epa, body).await;
    app.post_as(token, &format!("/api/v1/epas/{epa}/assessments"), &body)
        .await
}

/// Records a sitting and returns the assessment's ID.
async fn assess(app: &TestApp, token: &str, epa: Uuid, method: &str, held_on: &str) -> Uuid {
    let response = record(app, token, epa, &sitting(method, held_on)).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body["assessment"]["id"].as_str().unwrap().parse().unwrap()
}

/// Judgements giving `grade` for the method: every criterion met for a
/// distinction; distinction criteria not met for a pass; the first pass
/// criterion not met for a fail.
pub(crate) fn judgements_for(policy: &str, method: MethodId, grade: &str) -> Value {
    let mut first_pass = true;
    let items: Vec<Value> = criteria(policy, method)
        .into_iter()
        .map(|(id, level)| {
            let met = match (grade, level) {
                ("distinction", _) => true,
                ("pass", CriterionLevel::Distinction) => false,
                ("fail", CriterionLevel::Pass) if first_pass => {
                    first_pass = false;
                    false
                }
                _ => true,
            };
            if met {
                json!({"criterion": id, "met": true, "note": "Seen in the session."})
            } else {
                json!({"criterion": id, "met": false, "note": "Not shown in the session."})
            }
        })
        .collect();
    json!({ "judgements": items })
}

pub(crate) async fn judge(
    app: &TestApp,
    token: &str,
    epa: Uuid,
    assessment: Uuid,
    body: &Value,
) -> reqwest::Response {
    app.post_as(
        token,
        &format!("/api/v1/epas/{epa}/assessments/{assessment}/judgements"),
        body,
    )
    .await
}

/// Assesses and judges one method to `grade`; returns the save's answer.
pub(crate) async fn grade_method(
    app: &TestApp,
    token: &str,
    epa: Uuid,
    policy: &str,
    method: MethodId,
    grade: &str,
    held_on: &str,
) -> Value {
    let assessment = assess(app, token, epa, method.as_str(), held_on).await;
    let response = judge(
        app,
        token,
        epa,
        assessment,
        &judgements_for(policy, method, grade),
    )
    .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["result"]["grade"], grade, "{body}");
    body
}

/// Grades all three methods: observation, project, discussion.
pub(crate) async fn grade_all(
    app: &TestApp,
    token: &str,
    epa: Uuid,
    policy: &str,
    grades: [&str; 3],
) -> Value {
    let mut last = Value::Null;
    for (method, grade) in MethodId::ALL.into_iter().zip(grades) {
        last = grade_method(app, token, epa, policy, method, grade, "2026-11-02").await;
    }
    last
}

pub(crate) async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// `POST path`; the status and the JSON answer. A 201 says where the new
/// record can be read, and its creator can read it there.
pub(crate) async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = app.post_as(token, path, body).await;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned());
    let answer = response.json().await.unwrap_or(Value::Null);
    if status == 201 {
        let location = location.unwrap_or_else(|| panic!("POST {path}: 201 without Location"));
        assert_eq!(
            app.get_as(token, &location).await.status(),
            200,
            "{location}"
        );
    }
    (status, answer)
}

pub(crate) async fn stage(app: &TestApp, epa: Uuid) -> String {
    epas::get(&app.db, epa)
        .await
        .unwrap()
        .epa
        .stage
        .as_str()
        .to_owned()
}

pub(crate) async fn intact(db: &Db) {
    assert!(
        matches!(
            audit::verify(db).await.unwrap(),
            audit::Verdict::Intact { .. }
        ),
        "the audit chain is broken"
    );
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

// ---------------------------------------------------------------------------
// Journeys

on_both!(
    tquk_a_distinction_from_assessment_to_certificate_received,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let assessor = &world.assessor.token;
        let admin = &world.epao_admin.token;

        let response = record(app, assessor, epa, &sitting("observation", "2026-11-02")).await;
        assert_eq!(response.status(), 201);
        let recorded: Value = response.json().await.unwrap();
        assert_eq!(
            recorded["stage"], "in_assessment",
            "the first sitting starts assessment"
        );
        assert_eq!(recorded["assessment"]["duration_minutes"], 62);
        let observation: Uuid = recorded["assessment"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();

        // Judged in two saves: half, then the rest.
        let all = judgements_for(&policy, MethodId::Observation, "distinction");
        let items = all["judgements"].as_array().unwrap();
        let (first, rest) = items.split_at(items.len() / 2);
        let progress: Value = judge(
            app,
            assessor,
            epa,
            observation,
            &json!({"judgements": first}),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(progress["judged"], first.len());
        assert!(
            progress["result"].is_null(),
            "no grade until every criterion is judged"
        );
        let progress: Value = judge(
            app,
            assessor,
            epa,
            observation,
            &json!({"judgements": rest}),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(progress["result"]["grade"], "distinction");
        assert_eq!(progress["result"]["status"], "provisional");
        assert_eq!(progress["stage"], "in_assessment");

        grade_method(
            app,
            assessor,
            epa,
            &policy,
            MethodId::Project,
            "pass",
            "2026-11-02",
        )
        .await;
        let last = grade_method(
            app,
            assessor,
            epa,
            &policy,
            MethodId::Discussion,
            "pass",
            "2026-11-02",
        )
        .await;
        assert_eq!(last["stage"], "awaiting_results");
        assert!(
            last["result"]["explanation"]
                .as_str()
                .unwrap()
                .contains("distinction criteria"),
            "{last}"
        );

        // Before release: EPAO staff see the provisional grades; the
        // apprentice's side sees that results are pending release.
        let results = get(app, admin, &format!("/api/v1/epas/{epa}/results")).await;
        assert_eq!(
            results["provisional_overall"]["grade"], "distinction",
            "{results}"
        );
        assert_eq!(results["methods"][0]["grade"], "distinction");
        assert_eq!(
            results["methods"][0]["graded_by"],
            json!([world.assessor.user_id])
        );
        assert!(results["methods"][0]["sampled"].is_null());
        assert!(results["overall"].is_null());
        let seen_by_provider = get(
            app,
            &world.provider_user.token,
            &format!("/api/v1/epas/{epa}/results"),
        )
        .await;
        assert!(
            seen_by_provider["methods"][0]["grade"].is_null(),
            "{seen_by_provider}"
        );
        assert!(seen_by_provider["provisional_overall"].is_null());

        // TQUK's table: observation distinction, project and discussion pass -> distinction.
        let (status, released) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["stage"], "completed");
        assert_eq!(released["overall"]["grade"], "distinction");
        assert_eq!(released["overall"]["cap_applied"], false);
        assert_eq!(
            released["overall"]["released_by"],
            json!(world.operations.user_id)
        );
        assert_eq!(released["methods"][1]["status"], "released");
        for email in [&world.provider_user.email, &world.employer_user.email] {
            let sent = outbox::for_recipient(&app.db, email).await.unwrap();
            assert_eq!(sent.len(), 1, "{email}");
            assert_eq!(sent[0].kind, "results_released");
            assert!(sent[0].body.contains("Overall grade: distinction"));
        }
        assert!(
            outbox::for_recipient(&app.db, &world.other_provider_user.email)
                .await
                .unwrap()
                .is_empty()
        );
        let seen_by_employer = get(
            app,
            &world.employer_user.token,
            &format!("/api/v1/epas/{epa}/results"),
        )
        .await;
        assert_eq!(seen_by_employer["methods"][0]["grade"], "distinction");
        assert_eq!(seen_by_employer["overall"]["grade"], "distinction");

        // TQUK states no claim deadline.
        let (status, claim) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/certificate/claim"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 201, "{claim}");
        assert_eq!(claim["stage"], "certificate_claimed");
        assert!(claim["due_on"].is_null());
        let (status, received) = post(
            app,
            admin,
            &format!("/api/v1/epas/{epa}/certificate/receive"),
            &json!({"received_on": "2026-11-02"}),
        )
        .await;
        assert_eq!(status, 200, "{received}");
        assert_eq!(received["stage"], "certificate_received");
        assert_eq!(received["received_on"], "2026-11-02");

        let timeline = get(app, admin, &format!("/api/v1/epas/{epa}/timeline")).await;
        let actions: Vec<&str> = timeline
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .filter(|a| !a.starts_with("test."))
            .collect();
        assert_eq!(
            actions,
            [
                "epa.registered",
                "assessment.recorded",
                "epa.assessment_started",
                "judgements.recorded",
                "judgements.recorded",
                "assessment.recorded",
                "judgements.recorded",
                "assessment.recorded",
                "judgements.recorded",
                "epa.all_assessed",
                "epa.results_released",
                "epa.certificate_claimed",
                "epa.certificate_received",
            ]
        );
        intact(&app.db).await;
    }
);

on_both!(
    innovate_needs_distinction_in_every_method_and_states_due_dates,
    async |app: &TestApp, world: &World| {
        let assessor = &world.assessor.token;
        let ops = &world.operations.token;

        // (D, P, P): Innovate gives a pass where TQUK gives a distinction.
        let (mixed, policy) = planned(app, world, "innovate", 1, world.assessor.user_id).await;
        grade_all(
            app,
            assessor,
            mixed,
            &policy,
            ["distinction", "pass", "pass"],
        )
        .await;
        let results = get(app, ops, &format!("/api/v1/epas/{mixed}/results")).await;
        assert_eq!(results["provisional_overall"]["grade"], "pass", "{results}");
        // Results within seven working days of each assessment (Monday 2
        // November 2026 -> Wednesday 11 November).
        let due: Vec<(&str, &str)> = results["due"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["id"].as_str().unwrap(), d["date"].as_str().unwrap()))
            .collect();
        assert!(
            due.contains(&("results_due_observation", "2026-11-11")),
            "{due:?}"
        );
        assert_eq!(results["methods"][0]["result_due_on"], "2026-11-11");
        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{mixed}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["overall"]["grade"], "pass");
        let met = released["due"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "results_due_observation")
            .unwrap()["state"]
            .clone();
        assert_eq!(met, "met");

        // All distinction: a distinction, and the claim due 15 working days
        // after the release (Monday 23 November 2026).
        let (all, _) = planned(app, world, "innovate", 2, world.assessor.user_id).await;
        grade_all(app, assessor, all, &policy, ["distinction"; 3]).await;
        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{all}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["overall"]["grade"], "distinction");
        let (status, claim) = post(
            app,
            ops,
            &format!("/api/v1/epas/{all}/certificate/claim"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 201, "{claim}");
        assert_eq!(claim["due_on"], "2026-11-23");
        let results = get(app, ops, &format!("/api/v1/epas/{all}/results")).await;
        let claim_due = results["due"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "certificate_claim_due")
            .unwrap()
            .clone();
        assert_eq!(claim_due["date"], "2026-11-23");
        assert_eq!(claim_due["state"], "met");
        assert_eq!(claim_due["strength"], "must");
        let (status, received) = post(
            app,
            ops,
            &format!("/api/v1/epas/{all}/certificate/receive"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{received}");
        assert_eq!(received["stage"], "certificate_received");
        intact(&app.db).await;
    }
);

/// Fails the observation of a TQUK EPA and releases the fail; returns the EPA.
async fn failed_observation(app: &TestApp, world: &World, n: u32) -> Uuid {
    failed_observation_under(app, world, "tquk", n).await
}

/// As [`failed_observation`], under `policy`.
async fn failed_observation_under(app: &TestApp, world: &World, policy: &str, n: u32) -> Uuid {
    let (epa, policy) = planned(app, world, policy, n, world.assessor.user_id).await;
    grade_all(
        app,
        &world.assessor.token,
        epa,
        &policy,
        ["fail", "pass", "pass"],
    )
    .await;
    let (status, released) = post(
        app,
        &world.operations.token,
        &format!("/api/v1/epas/{epa}/results/release"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["overall"]["grade"], "fail");
    let explanation = released["overall"]["explanation"].to_string();
    assert!(
        explanation.contains("OBS-P01"),
        "the unmet criterion is named: {explanation}"
    );
    epa
}

on_both!(
    a_fail_a_resit_of_the_failed_method_and_a_capped_pass,
    async |app: &TestApp, world: &World| {
        let epa = failed_observation(app, world, 1).await;
        let ops = &world.operations.token;
        let assessor = &world.assessor.token;
        let results = get(app, ops, &format!("/api/v1/epas/{epa}/results")).await;
        let window = results["due"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "resit_retake_window_end")
            .unwrap()
            .clone();
        assert_eq!(window["date"], "2027-11-02");

        // No resit of a passed method: there is no resit to improve a grade.
        let (status, problem) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation", "project"]}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), ["methods"]);
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("no resit to improve a grade"),
            "{problem}"
        );
        assert_eq!(stage(app, epa).await, "completed");
        // Not the assessor's decision.
        let (status, _) = post(
            app,
            assessor,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 403);

        let (status, attempt) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 201, "{attempt}");
        assert_eq!(attempt["stage"], "planned");
        assert_eq!(attempt["attempt"], 2);
        assert_eq!(attempt["kind"], "resit");
        assert_eq!(attempt["due_on"], "2027-11-02");

        // Two weeks later the observation is resat; only it is part of the resit.
        app.clock.advance(chrono::Duration::days(14));
        let response = record(app, assessor, epa, &sitting("project", "2026-11-16")).await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(fields(&problem), ["method"], "{problem}");
        // Distinction-level judgements on the resit still release as a pass.
        let saved = grade_method(
            app,
            assessor,
            epa,
            "tquk",
            MethodId::Observation,
            "distinction",
            "2026-11-16",
        )
        .await;
        assert_eq!(saved["stage"], "awaiting_results");
        let results = get(app, ops, &format!("/api/v1/epas/{epa}/results")).await;
        assert_eq!(results["attempt_kind"], "resit");
        assert_eq!(results["provisional_overall"]["grade"], "pass", "{results}");
        assert_eq!(
            results["provisional_overall"]["uncapped_grade"],
            "distinction"
        );
        assert_eq!(
            results["methods"][1]["status"], "released",
            "the project's pass stands"
        );

        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["overall"]["grade"], "pass");
        assert_eq!(released["overall"]["uncapped_grade"], "distinction");
        assert_eq!(released["overall"]["cap_applied"], true);
        assert_eq!(released["released"].as_array().unwrap().len(), 2);
        assert!(
            released["overall"]["explanation"]
                .to_string()
                .contains("capped at pass"),
            "{released}"
        );
        let (status, claim) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/certificate/claim"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 201, "{claim}");
        // The product recorded the resit: its window is met, never an alarm.
        let plan = get(app, ops, &format!("/api/v1/epas/{epa}/deadlines")).await;
        let window = plan["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "resit_retake_window_end")
            .cloned()
            .unwrap_or_default();
        assert_eq!(window["state"], "met", "{plan}");
        assert_eq!(window["done"], "2026-11-16", "{plan}");
        // Once achieved, no more resits.
        let (status, _) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 409);
        intact(&app.db).await;
    }
);

on_both!(
    a_resit_after_the_recommended_window_is_allowed_with_a_warning,
    async |app: &TestApp, world: &World| {
        // Both policies say a resit "should" be within 12 months: a
        // recommended rule, so a later resit is warned about, not refused.
        let epa = failed_observation(app, world, 1).await;
        app.clock.advance(chrono::Duration::days(400));
        let (status, attempt) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 201, "{attempt}");
        let warning = attempt["warnings"][0].as_str().unwrap();
        assert!(warning.contains("window closed on 2027-11-02"), "{warning}");
        assert!(warning.contains("recommends"), "{warning}");
        intact(&app.db).await;
    }
);

on_both!(
    exceptional_circumstances_lift_the_cap,
    async |app: &TestApp, world: &World| {
        let epa = failed_observation(app, world, 1).await;
        let ops = &world.operations.token;
        let (status, _) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 201);
        // The assessor who graded the fail does not decide the circumstances.
        let (status, _) = post(
            app,
            &world.assessor.token,
            &format!("/api/v1/epas/{epa}/exceptional-circumstances"),
            &json!({"reason": "Bereavement in the week of the observation"}),
        )
        .await;
        assert_eq!(status, 403);
        let (status, problem) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/exceptional-circumstances"),
            &json!({"reason": "  "}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["reason"]);
        // TQUK decides them in one step: there is nothing to confirm.
        let (status, problem) = post(
            app,
            ops,
            &format!(
                "/api/v1/epas/{epa}/exceptional-circumstances/{}/confirm",
                Uuid::now_v7()
            ),
            &json!({}),
        )
        .await;
        assert_eq!(status, 409, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("no confirmation is needed"),
            "{problem}"
        );
        let (status, problem) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/exceptional-circumstances"),
            &json!({"reason": "  "}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["reason"]);
        let (status, recorded) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/exceptional-circumstances"),
            &json!({"reason": "Bereavement in the week of the observation"}),
        )
        .await;
        assert_eq!(status, 201, "{recorded}");
        assert_eq!(recorded["awaiting_confirmation"], false);
        assert_eq!(recorded["lifts_cap"], true);

        grade_method(
            app,
            &world.assessor.token,
            epa,
            "tquk",
            MethodId::Observation,
            "distinction",
            "2026-11-02",
        )
        .await;
        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["overall"]["grade"], "distinction");
        assert_eq!(released["overall"]["cap_applied"], false);
        assert_eq!(released["overall"]["exceptional_circumstances"], true);
        assert!(
            released["overall"]["explanation"]
                .to_string()
                .contains("lifted by exceptional circumstances"),
            "{released}"
        );
        // Settled now: too late to record more.
        let (status, _) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/exceptional-circumstances"),
            &json!({"reason": "Another"}),
        )
        .await;
        assert_eq!(status, 409);
        intact(&app.db).await;
    }
);

on_both!(
    innovate_exceptional_circumstances_are_identified_by_the_assessor_and_confirmed,
    async |app: &TestApp, world: &World| {
        // "The maximum grade awarded to a re-sit will be pass, unless the
        // Innovate Awarding Assessor identifies exceptional circumstances
        // accounting for the original fail."
        let epa = failed_observation_under(app, world, "innovate", 1).await;
        let ops = &world.operations.token;
        let assessor = &world.assessor.token;
        let (status, _) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 201);
        let record = format!("/api/v1/epas/{epa}/exceptional-circumstances");
        let reason = json!({"reason": "Bereavement in the week of the observation"});

        // EPAO staff do not identify them under Innovate: its assessor does.
        let (status, problem) = post(app, ops, &record, &reason).await;
        assert_eq!(status, 403, "{problem}");
        assert_eq!(
            problem["detail"],
            "Innovate Awarding: only the EPA's assessor can identify exceptional circumstances (\"unless the Innovate Awarding Assessor identifies exceptional circumstances accounting for the original fail\")"
        );
        let (status, identified) = post(app, assessor, &record, &reason).await;
        assert_eq!(status, 201, "{identified}");
        assert_eq!(identified["awaiting_confirmation"], true);
        assert_eq!(identified["lifts_cap"], false);
        let confirm = format!("{record}/{}/confirm", identified["id"].as_str().unwrap());

        // The assessor who identified them (and graded the fail) does not
        // confirm them; nor does an unknown record exist to confirm.
        let (status, _) = post(app, assessor, &confirm, &json!({})).await;
        assert_eq!(status, 403);
        let (status, _) = post(
            app,
            ops,
            &format!("{record}/{}/confirm", Uuid::now_v7()),
            &json!({}),
        )
        .await;
        assert_eq!(status, 404);

        // Unconfirmed, they lift nothing: the provisional result is capped.
        grade_method(
            app,
            assessor,
            epa,
            "innovate",
            MethodId::Observation,
            "distinction",
            "2026-11-02",
        )
        .await;
        let results = get(app, ops, &format!("/api/v1/epas/{epa}/results")).await;
        assert_eq!(
            results["exceptional_circumstances"][0]["lifts_cap"], false,
            "{results}"
        );

        // EPAO staff who graded none of the EPA confirm; once only.
        let (status, confirmed) = post(app, ops, &confirm, &json!({})).await;
        assert_eq!(status, 200, "{confirmed}");
        assert_eq!(
            confirmed["confirmed_by"],
            world.operations.user_id.to_string()
        );
        assert_eq!(confirmed["awaiting_confirmation"], false);
        assert_eq!(confirmed["lifts_cap"], true);
        let (status, _) = post(app, &world.epao_admin.token, &confirm, &json!({})).await;
        assert_eq!(status, 409);

        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["overall"]["exceptional_circumstances"], true);
        assert_eq!(released["overall"]["cap_applied"], false, "{released}");
        let events: Vec<String> = audit::for_entity(&app.db, "epa", &epa.to_string())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(events.contains(&"exceptional_circumstances.recorded".to_owned()));
        assert!(events.contains(&"exceptional_circumstances.confirmed".to_owned()));
        intact(&app.db).await;
    }
);

on_both!(
    a_failed_project_is_reworked_within_a_month,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "innovate", 1, world.assessor.user_id).await;
        let ops = &world.operations.token;
        grade_all(
            app,
            &world.assessor.token,
            epa,
            &policy,
            ["pass", "fail", "pass"],
        )
        .await;
        let (status, _) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200);
        let (status, attempt) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/project-rework"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 201, "{attempt}");
        assert_eq!(attempt["kind"], "project_rework");
        assert_eq!(attempt["methods"], json!(["project"]));
        assert_eq!(
            attempt["due_on"], "2026-12-02",
            "one month from the fail result"
        );

        // After the rework date the reworked project cannot be assessed.
        app.clock.advance(chrono::Duration::days(31));
        let response = record(
            app,
            &world.assessor.token,
            epa,
            &sitting("project", "2026-12-03"),
        )
        .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(fields(&problem), ["held_on"], "{problem}");
        assert!(problem.to_string().contains("2026-12-02"), "{problem}");

        grade_method(
            app,
            &world.assessor.token,
            epa,
            &policy,
            MethodId::Project,
            "distinction",
            "2026-12-01",
        )
        .await;
        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["overall"]["grade"], "pass");
        assert_eq!(released["overall"]["attempt_kind"], "project_rework");
        intact(&app.db).await;
    }
);

on_both!(
    a_fail_then_a_retake_after_a_new_gateway_and_a_capped_pass,
    async |app: &TestApp, world: &World| {
        let epa = failed_observation(app, world, 1).await;
        let ops = &world.operations.token;
        let (status, attempt) =
            post(app, ops, &format!("/api/v1/epas/{epa}/retake"), &json!({})).await;
        assert_eq!(status, 201, "{attempt}");
        assert_eq!(attempt["stage"], "registered");
        assert_eq!(attempt["kind"], "retake");
        assert_eq!(attempt["methods"], json!(["observation"]));

        // After further learning, a new gateway (the gateway part's work).
        app.clock.advance(chrono::Duration::days(28));
        through_gateway(app, world, epa, "2026-11-23", world.assessor.user_id).await;
        // The first attempt's planning meeting and sittings came before the
        // new gateway: they are history, not contradictions that would leave
        // the retake without deadlines. Its fail still opens the window.
        let deadlines: Value = app
            .get_as(ops, &format!("/api/v1/epas/{epa}/deadlines"))
            .await
            .json()
            .await
            .unwrap();
        let ids: Vec<&str> = deadlines["deadlines"]
            .as_array()
            .unwrap_or_else(|| panic!("{deadlines}"))
            .iter()
            .filter_map(|d| d["id"].as_str())
            .collect();
        assert!(ids.contains(&"resit_retake_window_end"), "{deadlines}");
        let period_end = deadlines["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "epa_period_end")
            .unwrap_or_else(|| panic!("{deadlines}"));
        assert_eq!(period_end["from_date"], "2026-11-23", "the new EPA period");
        assert_eq!(period_end["date"], "2027-02-23");
        let saved = grade_method(
            app,
            &world.assessor.token,
            epa,
            "tquk",
            MethodId::Observation,
            "distinction",
            "2026-11-30",
        )
        .await;
        assert_eq!(saved["stage"], "awaiting_results");
        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["overall"]["attempt_kind"], "retake");
        assert_eq!(released["overall"]["grade"], "pass");
        assert_eq!(released["overall"]["cap_applied"], true);
        intact(&app.db).await;
    }
);

on_both!(
    a_resit_is_booked_after_the_first_sittings_are_held,
    async |app: &TestApp, world: &World| {
        // A booking becomes `held` once its sitting is recorded. The resit
        // of that method must still be bookable, and the order rules must
        // not read the first attempt's sittings as bookings of the resit.
        let (epa, policy) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let ops = &world.operations.token;
        let assessor = &world.assessor.token;
        let bookings = format!("/api/v1/epas/{epa}/bookings");
        for (method, date, mode) in [
            ("observation", "2026-11-16", "in_person"),
            ("project", "2026-11-17", "remote"),
            ("discussion", "2026-11-18", "remote"),
        ] {
            let body = json!({"method": method, "date": date, "start_time": "10:00", "mode": mode});
            let (status, booked) = post(app, assessor, &bookings, &body).await;
            assert_eq!(status, 201, "{booked}");
            assert_eq!(booked["warnings"], json!([]), "{booked}");
        }
        app.clock.advance(chrono::Duration::days(16));
        for (method, grade, held_on) in [
            (MethodId::Observation, "fail", "2026-11-16"),
            (MethodId::Project, "pass", "2026-11-17"),
            (MethodId::Discussion, "pass", "2026-11-18"),
        ] {
            grade_method(app, assessor, epa, &policy, method, grade, held_on).await;
        }
        let statuses: Vec<String> = get(app, ops, &bookings)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["status"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            statuses,
            ["held", "held", "held"],
            "each sat booking is held"
        );
        let (status, _) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200);
        let (status, attempt) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 201, "{attempt}");

        // Booked on 18 November, two weeks' notice: 2 December at the soonest.
        let resit = json!({"method": "observation", "date": "2026-12-07", "start_time": "10:00", "mode": "in_person"});
        let (status, booked) = post(app, assessor, &bookings, &resit).await;
        assert_eq!(status, 201, "{booked}");
        assert_eq!(
            booked["warnings"],
            json!([]),
            "the discussion already held is not a live booking: {booked}"
        );
        // The resit's own booking is live: a second one is refused.
        let (status, _) = post(app, assessor, &bookings, &resit).await;
        assert_eq!(status, 409);

        app.clock.advance(chrono::Duration::days(19));
        let saved = grade_method(
            app,
            assessor,
            epa,
            &policy,
            MethodId::Observation,
            "pass",
            "2026-12-07",
        )
        .await;
        assert_eq!(saved["stage"], "awaiting_results");
        intact(&app.db).await;
    }
);

on_both!(
    a_withdrawal_needs_a_reason_and_the_epao,
    async |app: &TestApp, world: &World| {
        let epa = failed_observation(app, world, 1).await;
        let ops = &world.operations.token;
        let path = format!("/api/v1/epas/{epa}/withdraw");
        let (status, problem) = post(app, ops, &path, &json!({"reason": " "})).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["reason"]);
        for party in [&world.provider_user, &world.assessor] {
            let (status, _) = post(
                app,
                &party.token,
                &path,
                &json!({"reason": "Left the employer"}),
            )
            .await;
            assert_eq!(status, 403);
        }
        assert_eq!(stage(app, epa).await, "completed");
        let (status, withdrawn) =
            post(app, ops, &path, &json!({"reason": "Left the employer"})).await;
        assert_eq!(status, 200, "{withdrawn}");
        assert_eq!(withdrawn["stage"], "withdrawn");
        let (status, _) = post(app, ops, &path, &json!({"reason": "Again"})).await;
        assert_eq!(status, 409);
        let (status, _) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 409, "nothing follows a withdrawal");
        let timeline = get(app, ops, &format!("/api/v1/epas/{epa}/timeline")).await;
        let last = timeline.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "epa.withdrawn");
        assert_eq!(last["after"]["details"]["reason"], "Left the employer");
        intact(&app.db).await;
    }
);

// ---------------------------------------------------------------------------
// Refusals

on_both!(
    the_grader_cannot_release_their_own_result,
    async |app: &TestApp, world: &World| {
        let grader = admin_who_assesses(app, world).await;
        let (epa, policy) = planned(app, world, "tquk", 1, grader.user_id).await;
        grade_all(app, &grader.token, epa, &policy, ["pass", "pass", "pass"]).await;
        let events_before = audit::for_entity(&app.db, "epa", &epa.to_string())
            .await
            .unwrap()
            .len();

        let (status, problem) = post(
            app,
            &grader.token,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 403, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("you graded"),
            "{problem}"
        );
        assert_eq!(stage(app, epa).await, "awaiting_results");
        assert_eq!(
            audit::for_entity(&app.db, "epa", &epa.to_string())
                .await
                .unwrap()
                .len(),
            events_before,
            "nothing written"
        );
        let results = get(
            app,
            &world.epao_admin.token,
            &format!("/api/v1/epas/{epa}/results"),
        )
        .await;
        assert!(results["overall"].is_null());
        assert!(
            outbox::for_recipient(&app.db, &world.provider_user.email)
                .await
                .unwrap()
                .is_empty()
        );
        // The assessor alone cannot release either; the apprentice's side never can.
        for party in [&world.provider_user, &world.quality_assurer] {
            let (status, _) = post(
                app,
                &party.token,
                &format!("/api/v1/epas/{epa}/results/release"),
                &json!({}),
            )
            .await;
            assert_eq!(status, 403);
        }

        // Someone who did not grade it releases it.
        let (status, released) = post(
            app,
            &world.epao_admin.token,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        assert_eq!(released["overall"]["grade"], "pass");
        intact(&app.db).await;
    }
);

on_both!(
    only_the_allocated_unconflicted_assessor_records_and_judges,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let body = sitting("discussion", "2026-11-02");
        // Another assessor is not told the EPA exists; EPAO staff may see it
        // but do not judge.
        assert_eq!(
            record(app, &world.second_assessor.token, epa, &body)
                .await
                .status(),
            404
        );
        assert_eq!(
            record(app, &world.epao_admin.token, epa, &body)
                .await
                .status(),
            403
        );
        assert_eq!(
            record(app, &world.other_provider_user.token, epa, &body)
                .await
                .status(),
            404
        );
        assert_eq!(stage(app, epa).await, "planned");

        let assessment = assess(app, &world.assessor.token, epa, "discussion", "2026-11-02").await;
        let judgements = judgements_for(&policy, MethodId::Discussion, "pass");
        assert_eq!(
            judge(
                app,
                &world.second_assessor.token,
                epa,
                assessment,
                &judgements
            )
            .await
            .status(),
            404
        );
        assert_eq!(
            judge(
                app,
                &world.quality_assurer.token,
                epa,
                assessment,
                &judgements
            )
            .await
            .status(),
            403
        );

        // A conflict declared with the apprentice's employer shuts the
        // allocated assessor out.
        let mut tx = app.db.begin_write().await.unwrap();
        epa_store::conflicts::declare(
            &mut tx,
            world.assessor.user_id,
            world.employer,
            "declared",
            "Worked there until 2025",
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            judge(app, &world.assessor.token, epa, assessment, &judgements)
                .await
                .status(),
            404
        );
        assert_eq!(
            record(
                app,
                &world.assessor.token,
                epa,
                &sitting("project", "2026-11-02")
            )
            .await
            .status(),
            404
        );
        let history = get(
            app,
            &world.epao_admin.token,
            &format!("/api/v1/epas/{epa}/judgements"),
        )
        .await;
        assert!(history.as_array().unwrap().is_empty(), "{history}");
        intact(&app.db).await;
    }
);

on_both!(
    bad_assessment_records_name_what_to_fix_and_write_nothing,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let token = &world.assessor.token;

        // TQUK's questions follow the observation: 09:00-10:15 less the 8
        // minutes of questions is a 67-minute observation.
        let mut long = sitting("observation", "2026-11-02");
        long["end_time"] = json!("10:15");
        let response = record(app, token, epa, &long).await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(fields(&problem), ["end_time"]);
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("54–66 minutes"),
            "{problem}"
        );

        let response = record(
            app,
            token,
            epa,
            &json!({
                "method": "observation",
                "held_on": "2026-11-09",
                "start_time": "9am",
                "end_time": "10:00",
                "questioning_minutes": 12,
                "interview_questions": 10,
            }),
        )
        .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            fields(&problem),
            ["start_time", "held_on"],
            "the checks needing a valid time wait for one: {problem}"
        );

        // TQUK: "up to 10 minutes" of questions after a full observation.
        let mut questions = sitting("observation", "2026-11-02");
        questions["end_time"] = json!("10:13");
        questions["questioning_minutes"] = json!(11);
        let problem: Value = record(app, token, epa, &questions)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(fields(&problem), ["questioning_minutes"]);
        assert!(
            problem.to_string().contains("at most 10 minutes"),
            "{problem}"
        );

        let mut interview = sitting("project", "2026-11-02");
        interview["interview_questions"] = json!(7);
        let problem: Value = record(app, token, epa, &interview)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(fields(&problem), ["interview_questions"]);

        let early = sitting("discussion", "2026-10-16");
        let problem: Value = record(app, token, epa, &early).await.json().await.unwrap();
        assert_eq!(
            fields(&problem),
            ["held_on"],
            "before the EPA period: {problem}"
        );

        let response = record(app, token, epa, &json!({"method": "observation"})).await;
        assert_eq!(response.status(), 422, "missing fields are bad input too");

        assert_eq!(stage(app, epa).await, "planned");
        let listed = get(app, token, &format!("/api/v1/epas/{epa}/assessments")).await;
        assert!(listed.as_array().unwrap().is_empty());

        // A retried POST with its key gets the first answer, not a second record.
        let observed = with_booking(app, epa, &sitting("observation", "2026-11-02")).await;
        let send = || {
            app.client
                .post(app.url(&format!("/api/v1/epas/{epa}/assessments")))
                .bearer_auth(token)
                .header("Idempotency-Key", "obs-1")
                .json(&observed)
                .send()
        };
        let first = send().await.unwrap();
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let replay = send().await.unwrap();
        assert_eq!(replay.status(), 201);
        assert_eq!(replay.headers()["idempotent-replay"], "true");
        assert_eq!(replay.json::<Value>().await.unwrap(), first);
        // Without the key, the same method twice in one attempt is a conflict.
        let again = record(app, token, epa, &sitting("observation", "2026-11-02")).await;
        assert_eq!(again.status(), 409);
        let listed = get(app, token, &format!("/api/v1/epas/{epa}/assessments")).await;
        assert_eq!(listed.as_array().unwrap().len(), 1);
        intact(&app.db).await;
    }
);

on_both!(
    judgements_name_bad_criteria_and_corrections_supersede,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let token = &world.assessor.token;
        let assessment = assess(app, token, epa, "project", "2026-11-02").await;

        let response = judge(
            app,
            token,
            epa,
            assessment,
            &json!({"judgements": [
                {"criterion": "WBP-P99", "met": true},
                {"criterion": "OBS-P01", "met": true},
                {"criterion": "WBP-P01", "met": false, "note": "  "},
            ]}),
        )
        .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            fields(&problem),
            [
                "judgements[0].criterion",
                "judgements[1].criterion",
                "judgements[2].note"
            ]
        );
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("WBP-P99")
        );
        assert!(
            problem["errors"][1]["message"]
                .as_str()
                .unwrap()
                .contains("OBS-P01 is a criterion of the observation"),
            "{problem}"
        );
        let history = get(app, token, &format!("/api/v1/epas/{epa}/judgements")).await;
        assert!(history.as_array().unwrap().is_empty());

        // Everything met, then a correction: WBP-P01 not met after all.
        let all = judgements_for(&policy, MethodId::Project, "distinction");
        let saved: Value = judge(app, token, epa, assessment, &all)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(saved["result"]["grade"], "distinction");
        let correction: Value = judge(
            app,
            token,
            epa,
            assessment,
            &json!({"judgements": [
                {"criterion": "WBP-P01", "met": false, "note": "The report does not cover it."}
            ]}),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(correction["result"]["grade"], "fail", "{correction}");
        assert_eq!(correction["result"]["unmet"][0], "WBP-P01");

        let history = get(
            app,
            &world.epao_admin.token,
            &format!("/api/v1/epas/{epa}/judgements"),
        )
        .await;
        let rows: Vec<&Value> = history
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["criterion"] == "WBP-P01")
            .collect();
        assert_eq!(rows.len(), 2, "both kept");
        assert_eq!(rows[0]["superseded"], true);
        assert_eq!(rows[1]["superseded"], false);
        assert_eq!(rows[1]["supersedes_id"], rows[0]["id"]);
        assert_eq!(rows[1]["met"], false);
        // The apprentice's side does not read the assessor's notes.
        assert_eq!(
            app.get_as(
                &world.provider_user.token,
                &format!("/api/v1/epas/{epa}/judgements")
            )
            .await
            .status(),
            403
        );

        // The database itself refuses to change or remove a judgement.
        let id: Uuid = rows[0]["id"].as_str().unwrap().parse().unwrap();
        let update = "UPDATE judgements SET met = NOT met WHERE id = $1";
        let delete = "DELETE FROM judgements WHERE id = $1";
        for sql in [update, delete] {
            let refused = match &app.db {
                Db::Sqlite(sqlite) => sqlx::query(sql).bind(id).execute(sqlite.pool()).await.err(),
                Db::Postgres(pool) => sqlx::query(sql).bind(id).execute(pool).await.err(),
            };
            let refused = refused.unwrap_or_else(|| panic!("{sql} was allowed"));
            assert!(
                refused.to_string().contains("judgements are never changed"),
                "{refused}"
            );
        }
        let after = get(
            app,
            &world.epao_admin.token,
            &format!("/api/v1/epas/{epa}/judgements"),
        )
        .await;
        assert_eq!(after, history);
        intact(&app.db).await;
    }
);

on_both!(
    results_are_not_released_before_every_method_is_assessed,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let path = format!("/api/v1/epas/{epa}/results/release");
        let (status, _) = post(app, &world.operations.token, &path, &json!({})).await;
        assert_eq!(status, 409);
        grade_method(
            app,
            &world.assessor.token,
            epa,
            &policy,
            MethodId::Observation,
            "pass",
            "2026-11-02",
        )
        .await;
        let (status, problem) = post(app, &world.operations.token, &path, &json!({})).await;
        assert_eq!(status, 409, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("project and discussion"), "{detail}");
        assert_eq!(stage(app, epa).await, "in_assessment");
        // Nor is a certificate claimed for an EPA without a result.
        let (status, _) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/certificate/claim"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 409);
        // Unknown IDs and bodies.
        let (status, _) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{}/results/release", Uuid::now_v7()),
            &json!({}),
        )
        .await;
        assert_eq!(status, 404);
        let (status, _) = post(
            app,
            &world.operations.token,
            &path,
            &json!({"colour": "red"}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            app.get_as(&world.operations.token, "/api/v1/epas/not-an-id/results")
                .await
                .status(),
            404
        );
        intact(&app.db).await;
    }
);

on_both!(
    innovate_caps_the_resat_methods_grade_released_on_its_own,
    async |app: &TestApp, world: &World| {
        // "the maximum grade awarded to a re-sit" is a pass: the re-sat
        // method's grade is capped, whether released alone or with the rest.
        let (epa, policy) = planned(app, world, "innovate", 1, world.assessor.user_id).await;
        grade_all(
            app,
            &world.assessor.token,
            epa,
            &policy,
            ["fail", "pass", "pass"],
        )
        .await;
        let ops = &world.operations.token;
        let (status, released) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");
        let (status, attempt) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/resit"),
            &json!({"methods": ["observation"]}),
        )
        .await;
        assert_eq!(status, 201, "{attempt}");
        app.clock.advance(chrono::Duration::days(14));
        grade_method(
            app,
            &world.assessor.token,
            epa,
            &policy,
            MethodId::Observation,
            "distinction",
            "2026-11-16",
        )
        .await;
        let (status, answer) = post(
            app,
            ops,
            &format!("/api/v1/epas/{epa}/results/observation/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        let seen = get(
            app,
            &world.provider_user.token,
            &format!("/api/v1/epas/{epa}/results"),
        )
        .await;
        let observation = &seen["methods"][0];
        assert_eq!(observation["method"], "observation");
        assert_eq!(observation["grade"], "pass", "{seen}");
        assert!(
            observation["explanation"]
                .as_str()
                .unwrap()
                .contains("Capped at pass"),
            "{observation}"
        );
        assert_eq!(seen["overall"]["grade"], "pass", "{seen}");
    }
);
