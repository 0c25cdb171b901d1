//! The EPA's gateway through the API: submission with its checks, review
//! per component, approval and rejection with every attempt kept, the
//! portfolio's coverage as JSON and CSV, and TQUK's proposal decision.
//! Each test runs on SQLite and, when `EPA_TEST_PG_URL` is set, PostgreSQL.

use epa_store::{audit, gateway as store, outbox};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};

use crate::on_both;
use crate::support::{declaration, gateway_components, gateway_submission, portfolio, registered};

fn words(n: usize) -> String {
    vec!["word"; n].join(" ")
}

/// A complete, valid TQUK submission.
fn submission() -> Value {
    gateway_submission("tquk")
}

fn path(epa: &Value, rest: &str) -> String {
    format!("/api/v1/epas/{}{rest}", epa["id"].as_str().unwrap())
}

async fn submit(app: &TestApp, token: &str, epa: &Value, body: &Value) -> reqwest::Response {
    app.post_as(token, &path(epa, "/gateway"), body).await
}

async fn review(
    app: &TestApp,
    world: &World,
    epa: &Value,
    component: &str,
    decision: &str,
    reasons: &[&str],
) -> reqwest::Response {
    app.post_as(
        &world.operations.token,
        &path(epa, "/gateway/reviews"),
        &json!({"component": component, "decision": decision, "reasons": reasons}),
    )
    .await
}

/// Accepts every component of the attempt under review.
async fn accept_all(app: &TestApp, world: &World, epa: &Value, view: &Value) {
    let attempt = view["attempts"].as_array().unwrap().last().unwrap();
    for component in attempt["components"].as_array().unwrap() {
        if component["status"] == "unreviewed" {
            let kind = component["kind"].as_str().unwrap();
            let response = review(app, world, epa, kind, "accepted", &[]).await;
            assert_eq!(response.status(), 200, "{kind}");
        }
    }
}

async fn post_empty(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
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

fn message_for<'a>(problem: &'a Value, field: &str) -> &'a str {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == field)
        .unwrap_or_else(|| panic!("no error for {field}: {problem}"))["message"]
        .as_str()
        .unwrap()
}

async fn assert_intact(app: &TestApp) {
    assert!(matches!(
        audit::verify(&app.db).await.unwrap(),
        audit::Verdict::Intact { .. }
    ));
}

on_both!(
    a_tquk_gateway_is_accepted_and_approved_and_its_proposal_decided,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 1).await;
        let response = submit(app, &world.provider_user.token, &epa, &submission()).await;
        assert_eq!(response.status(), 201);
        let view: Value = response.json().await.unwrap();
        assert_eq!(view["stage"], "gateway_submitted");
        assert_eq!(view["proposal_kind"], "proposal");
        assert_eq!(view["proposal_word_limit"], 500);
        assert_eq!(
            (view["portfolio_min"].clone(), view["portfolio_max"].clone()),
            (json!(10), json!(15))
        );
        let attempt = &view["attempts"][0];
        assert_eq!(attempt["attempt"], 1);
        assert_eq!(attempt["status"], "under_review");
        let kinds: Vec<&str> = attempt["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, gateway_components("tquk"));
        // What TQUK asks for, each with the words that ask for it.
        let asked = view["components_asked"].as_array().unwrap();
        assert_eq!(asked.len(), 4);
        assert_eq!(asked[0]["kind"], "photo_id");
        assert_eq!(asked[0]["required"], true);
        assert!(
            asked[0]["source"].as_str().unwrap().contains("TQUK"),
            "{asked:?}"
        );
        assert_eq!(view["warnings"], json!([]));
        let portfolio = &attempt["components"][1];
        assert_eq!(portfolio["evidence_items"].as_array().unwrap().len(), 12);
        assert_eq!(portfolio["evidence_items"][0]["ksbs"], json!(["K2", "B8"]));
        assert_eq!(attempt["components"][2]["word_count"], 450);
        assert_eq!(
            attempt["components"][2]["name"],
            "work-based project proposal"
        );
        // The EPAO is told there is a gateway to review.
        let sent = outbox::for_recipient(&app.db, &world.operations.email)
            .await
            .unwrap();
        assert_eq!(sent.len(), 1);

        // Before every component is accepted, approval is refused.
        let early = post_empty(
            app,
            &world.operations.token,
            &path(&epa, "/gateway/approve"),
        )
        .await;
        assert_eq!(early.status(), 409);
        let problem: Value = early.json().await.unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("the photo ID is not reviewed yet"),
            "{problem}"
        );

        accept_all(app, world, &epa, &view).await;
        let approved = post_empty(
            app,
            &world.operations.token,
            &path(&epa, "/gateway/approve"),
        )
        .await;
        assert_eq!(approved.status(), 200);
        let view: Value = approved.json().await.unwrap();
        assert_eq!(view["stage"], "gateway_approved");
        assert_eq!(view["attempts"][0]["status"], "approved");
        let read: Value = app
            .get_as(&world.employer_user.token, &path(&epa, ""))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(read["stage"], "gateway_approved");
        assert_eq!(
            read["gateway_approved_on"], "2026-11-02",
            "the EPA period starts today"
        );

        // The coverage matrix, as JSON and as CSV.
        let coverage: Value = app
            .get_as(&world.provider_user.token, &path(&epa, "/gateway/coverage"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(coverage["attempt"], 1);
        assert_eq!(coverage["ksbs"].as_array().unwrap().len(), 13);
        assert_eq!(coverage["ksbs"][0]["ksb"], "K2");
        assert_eq!(coverage["ksbs"][0]["evidence"][0]["number"], 1);
        assert_eq!(coverage["uncovered"], json!([]));
        let csv = app
            .get_as(
                &world.epao_admin.token,
                &path(&epa, "/gateway/coverage.csv"),
            )
            .await;
        assert_eq!(csv.status(), 200);
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = csv.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "ksb,statement,covered,evidence_numbers,evidence_titles"
        );
        assert_eq!(lines.len(), 14);
        assert!(lines[1].starts_with("K2,"), "{}", lines[1]);
        assert!(lines[1].ends_with(",yes,1,Evidence 1"), "{}", lines[1]);
        assert!(lines[13].starts_with("B8,"), "{}", lines[13]);

        // The proposal: rejected with a week to rework, reworked, accepted.
        let proposal: Value = app
            .get_as(&world.provider_user.token, &path(&epa, "/proposal"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(proposal["status"], "awaiting_decision");
        assert_eq!(proposal["versions"][0]["word_count"], 450);
        let blank = app
            .post_as(
                &world.operations.token,
                &path(&epa, "/proposal/decision"),
                &json!({"decision": "rejected", "feedback": "  "}),
            )
            .await;
        assert_eq!(blank.status(), 422);
        let by_provider = app
            .post_as(
                &world.provider_user.token,
                &path(&epa, "/proposal/decision"),
                &json!({"decision": "accepted"}),
            )
            .await;
        assert_eq!(by_provider.status(), 403);
        let rejected = app
            .post_as(
                &world.operations.token,
                &path(&epa, "/proposal/decision"),
                &json!({"decision": "rejected", "feedback": "Narrow the scope to one team."}),
            )
            .await;
        assert_eq!(rejected.status(), 200);
        let proposal: Value = rejected.json().await.unwrap();
        assert_eq!(proposal["status"], "rework_due");
        assert_eq!(proposal["rework_due_on"], "2026-11-09");
        assert_eq!(proposal["rework_overdue"], false);
        assert!(
            proposal["rework_rule"]
                .as_str()
                .unwrap()
                .contains("one week")
        );
        let mail = outbox::for_recipient(&app.db, &world.provider_user.email)
            .await
            .unwrap();
        assert!(mail[0].subject.contains("Project proposal"), "{mail:?}");
        assert!(mail[0].body.contains("by 2026-11-09"), "{}", mail[0].body);

        let again = app
            .post_as(
                &world.operations.token,
                &path(&epa, "/proposal/decision"),
                &json!({"decision": "accepted"}),
            )
            .await;
        assert_eq!(again.status(), 409, "version 1 is already decided");
        let too_long = app
            .post_as(
                &world.provider_user.token,
                &path(&epa, "/proposal"),
                &json!({"text": words(501)}),
            )
            .await;
        assert_eq!(too_long.status(), 422);
        app.clock.advance(chrono::Duration::days(3));
        let reworked = app
            .post_as(
                &world.provider_user.token,
                &path(&epa, "/proposal"),
                &json!({"text": words(300)}),
            )
            .await;
        assert_eq!(reworked.status(), 201);
        let location = reworked.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, path(&epa, "/proposal"));
        let proposal: Value = reworked.json().await.unwrap();
        assert_eq!(proposal["status"], "awaiting_decision");
        assert_eq!(proposal["versions"][1]["version"], 2);
        assert_eq!(proposal["versions"][1]["late"], false);
        let accepted: Value = app
            .post_as(
                &world.operations.token,
                &path(&epa, "/proposal/decision"),
                &json!({"decision": "accepted"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(accepted["status"], "accepted");
        assert_eq!(accepted["versions"][0]["decision"]["decision"], "rejected");
        assert_eq!(accepted["versions"][1]["decision"]["decision"], "accepted");

        let timeline: Value = app
            .get_as(&world.epao_admin.token, &path(&epa, "/timeline"))
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
        assert_eq!(actions[1], "gateway.submitted");
        assert_eq!(
            actions
                .iter()
                .filter(|a| **a == "gateway.component_reviewed")
                .count(),
            4
        );
        assert!(actions.ends_with(&[
            "gateway.approved",
            "proposal.decided",
            "proposal.reworked",
            "proposal.decided"
        ]));
        assert_intact(app).await;
    }
);

on_both!(
    an_innovate_gateway_agrees_its_synopsis_at_gateway,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "innovate", 2).await;
        let mut body = gateway_submission("innovate");
        // No word limit on a synopsis, and no adjustments requested.
        body["proposal"] = json!({"text": words(1200)});
        body.as_object_mut()
            .unwrap()
            .remove("reasonable_adjustments");
        let response = submit(app, &world.provider_user.token, &epa, &body).await;
        assert_eq!(response.status(), 201);
        let view: Value = response.json().await.unwrap();
        assert_eq!(view["proposal_kind"], "synopsis");
        assert_eq!(view["proposal_word_limit"], Value::Null);
        let kinds: Vec<&str> = view["attempts"][0]["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "portfolio",
                "proposal",
                "english_maths",
                "employer_declaration",
                "provider_declaration"
            ],
            "no photo ID: Innovate does not ask for one"
        );
        assert_eq!(
            view["attempts"][0]["components"][1]["name"],
            "project synopsis"
        );
        accept_all(app, world, &epa, &view).await;
        let approved: Value = post_empty(
            app,
            &world.epao_admin.token,
            &path(&epa, "/gateway/approve"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(approved["stage"], "gateway_approved");
        let read: Value = app
            .get_as(&world.provider_user.token, &path(&epa, ""))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(read["gateway_approved_on"], "2026-11-02");

        let decision = app
            .post_as(
                &world.operations.token,
                &path(&epa, "/proposal/decision"),
                &json!({"decision": "accepted"}),
            )
            .await;
        assert_eq!(decision.status(), 409);
        let problem: Value = decision.json().await.unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("Innovate Awarding agrees the project synopsis at gateway"),
            "{problem}"
        );
        assert_eq!(
            app.get_as(&world.provider_user.token, &path(&epa, "/proposal"))
                .await
                .status(),
            409
        );
        assert_intact(app).await;
    }
);

on_both!(
    a_rejected_component_is_resubmitted_and_both_attempts_are_kept,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 3).await;
        assert_eq!(
            submit(app, &world.provider_user.token, &epa, &submission())
                .await
                .status(),
            201
        );
        for kind in ["photo_id", "proposal", "english_maths"] {
            assert_eq!(
                review(app, world, &epa, kind, "accepted", &[])
                    .await
                    .status(),
                200
            );
        }
        // Rejecting needs every component reviewed first.
        let early = post_empty(app, &world.operations.token, &path(&epa, "/gateway/reject")).await;
        assert_eq!(early.status(), 409);
        let rejected = review(
            app,
            world,
            &epa,
            "portfolio",
            "rejected",
            &["Evidence 3 is a template, not the apprentice's work"],
        )
        .await;
        assert_eq!(rejected.status(), 200);
        let approve = post_empty(
            app,
            &world.operations.token,
            &path(&epa, "/gateway/approve"),
        )
        .await;
        assert_eq!(approve.status(), 409);
        let problem: Value = approve.json().await.unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("the portfolio of evidence was rejected")
        );

        let response =
            post_empty(app, &world.operations.token, &path(&epa, "/gateway/reject")).await;
        assert_eq!(response.status(), 200);
        let view_after: Value = response.json().await.unwrap();
        assert_eq!(view_after["stage"], "registered");
        assert_eq!(view_after["attempts"][0]["status"], "rejected");
        assert_eq!(
            view_after["attempts"][0]["reasons"],
            json!(["portfolio of evidence: Evidence 3 is a template, not the apprentice's work"])
        );
        let mail = outbox::for_recipient(&app.db, &world.provider_user.email)
            .await
            .unwrap();
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].kind, "gateway_rejected");
        assert!(
            mail[0]
                .body
                .contains("portfolio of evidence: Evidence 3 is a template"),
            "{}",
            mail[0].body
        );
        assert!(
            outbox::for_recipient(&app.db, &world.other_provider_user.email)
                .await
                .unwrap()
                .is_empty()
        );

        // The resubmission must send the rejected portfolio again.
        let missing = submit(app, &world.provider_user.token, &epa, &json!({})).await;
        assert_eq!(missing.status(), 422);
        let problem: Value = missing.json().await.unwrap();
        assert_eq!(fields(&problem), ["portfolio"]);

        let mut second = portfolio(11);
        second["items"][2]["title"] = json!("Complaint log I kept, March to May");
        let response = submit(
            app,
            &world.provider_user.token,
            &epa,
            &json!({"portfolio": second}),
        )
        .await;
        assert_eq!(response.status(), 201);
        let view: Value = response.json().await.unwrap();
        let attempts = view["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 2);
        // The first attempt is as it was: its rejected portfolio, items and review.
        assert_eq!(attempts[0]["components"][1]["status"], "rejected");
        assert_eq!(
            attempts[0]["components"][1]["evidence_items"]
                .as_array()
                .unwrap()
                .len(),
            12
        );
        assert_eq!(
            attempts[0]["components"][1]["evidence_items"][2]["title"],
            "Evidence 3"
        );
        assert_eq!(attempts[0]["components"], view["attempts"][0]["components"]);
        // The second carries over what was accepted and has the new portfolio.
        assert_eq!(attempts[1]["attempt"], 2);
        assert_eq!(attempts[1]["components"].as_array().unwrap().len(), 4);
        let photo = &attempts[1]["components"][0];
        assert_eq!(photo["status"], "accepted");
        assert_eq!(photo["carried_over_from_attempt"], 1);
        let new_portfolio = &attempts[1]["components"][1];
        assert_eq!(new_portfolio["status"], "unreviewed");
        assert_eq!(new_portfolio["carried_over_from_attempt"], Value::Null);
        assert_eq!(
            new_portfolio["evidence_items"][2]["title"],
            "Complaint log I kept, March to May"
        );
        let coverage: Value = app
            .get_as(
                &world.provider_user.token,
                &path(&epa, "/gateway/coverage?attempt=1"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(coverage["attempt"], 1);

        let early = post_empty(
            app,
            &world.operations.token,
            &path(&epa, "/gateway/approve"),
        )
        .await;
        assert_eq!(early.status(), 409, "the new portfolio is unreviewed");
        assert_eq!(
            review(app, world, &epa, "portfolio", "accepted", &[])
                .await
                .status(),
            200
        );
        let approved: Value = post_empty(
            app,
            &world.operations.token,
            &path(&epa, "/gateway/approve"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(approved["stage"], "gateway_approved");
        assert_eq!(approved["attempts"][0]["status"], "rejected");
        assert_eq!(approved["attempts"][1]["status"], "approved");
        assert_eq!(store::counts(&app.db).await.unwrap(), (2, 8, 23));
        assert_intact(app).await;
    }
);

on_both!(
    a_bad_submission_lists_every_problem_and_writes_nothing,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 4).await;
        let token = &world.provider_user.token;
        let refused = async |body: Value| -> Value {
            let response = submit(app, token, &epa, &body).await;
            assert_eq!(response.status(), 422);
            response.json().await.unwrap()
        };

        let mut nine = submission();
        nine["portfolio"] = portfolio(9);
        let problem = refused(nine).await;
        assert_eq!(fields(&problem), ["portfolio.items"]);
        assert!(message_for(&problem, "portfolio.items").contains("has 9 pieces of evidence"));

        let mut sixteen = submission();
        sixteen["portfolio"] = portfolio(16);
        let problem = refused(sixteen).await;
        assert!(message_for(&problem, "portfolio.items").contains("has 16 pieces"));
        assert!(message_for(&problem, "portfolio.items").contains("from 10 to 15"));

        let mut uncovered = submission();
        for item in uncovered["portfolio"]["items"].as_array_mut().unwrap() {
            let ksbs: Vec<Value> = item["ksbs"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|k| *k != "K18")
                .cloned()
                .collect();
            item["ksbs"] = if ksbs.is_empty() {
                json!(["K2"])
            } else {
                json!(ksbs)
            };
        }
        let problem = refused(uncovered).await;
        assert_eq!(fields(&problem), ["portfolio.ksbs"]);
        assert!(
            message_for(&problem, "portfolio.ksbs").starts_with("no evidence item covers K18:")
        );

        let mut other_method = submission();
        other_method["portfolio"]["items"][0]["ksbs"] = json!(["K2", "B8", "K11"]);
        let problem = refused(other_method).await;
        assert_eq!(fields(&problem), ["portfolio.items[0].ksbs"]);
        assert!(
            message_for(&problem, "portfolio.items[0].ksbs").contains(
                "K11 is assessed by the practical observation with questions and answers"
            )
        );

        let mut long = submission();
        long["proposal"] = json!({"text": words(501)});
        let problem = refused(long).await;
        assert_eq!(fields(&problem), ["proposal.text"]);
        assert!(message_for(&problem, "proposal.text").contains("has 501 words"));
        assert!(message_for(&problem, "proposal.text").contains("no more than 500"));

        // Everything wrong at once is reported at once.
        let mut many = submission();
        many.as_object_mut().unwrap().remove("english_maths");
        many["photo_id"] = json!({"description": "", "seen": false});
        many["portfolio"]["items"][1]["date"] = json!("2027-01-01");
        many["portfolio"]["items"][1]["link"] = json!("javascript:alert(1)");
        many["proposal"] = json!({"text": words(501)});
        let problem = refused(many).await;
        assert_eq!(
            fields(&problem),
            [
                "english_maths",
                "photo_id.description",
                "photo_id.seen",
                "portfolio.items[1].date",
                "portfolio.items[1].link",
                "proposal.text",
            ],
            "{problem}"
        );

        // A part TQUK does not ask for is refused, not stored unreviewed.
        let mut unasked = submission();
        unasked["employer_declaration"] = declaration();
        let problem = refused(unasked).await;
        assert_eq!(fields(&problem), ["employer_declaration"]);
        assert_eq!(
            message_for(&problem, "employer_declaration"),
            "TQUK does not ask for the employer declaration at gateway: leave it out"
        );

        let malformed = app
            .client
            .post(app.url(&path(&epa, "/gateway")))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body("{\"portfolio\": 3")
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), 422);

        assert_eq!(store::counts(&app.db).await.unwrap(), (0, 0, 0));
        let read: Value = app
            .get_as(token, &path(&epa, ""))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(read["stage"], "registered");
        assert_eq!(
            audit::verify(&app.db).await.unwrap(),
            audit::Verdict::Intact { events: 1 },
            "only the registration"
        );
    }
);

on_both!(
    only_the_provider_submits_and_only_epao_staff_review,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 5).await;
        for (who, party, status) in [
            ("employer", &world.employer_user, 403),
            ("EPAO operations", &world.operations, 403),
            ("another provider", &world.other_provider_user, 404),
            ("no role", &world.nobody, 404),
            ("unallocated assessor", &world.assessor, 404),
        ] {
            let response = submit(app, &party.token, &epa, &submission()).await;
            assert_eq!(response.status(), status, "{who}");
        }
        assert_eq!(store::counts(&app.db).await.unwrap(), (0, 0, 0));
        let unknown = format!("/api/v1/epas/{}/gateway", uuid::Uuid::now_v7());
        assert_eq!(
            app.post_as(&world.provider_user.token, &unknown, &submission())
                .await
                .status(),
            404
        );
        assert_eq!(
            app.get_as(&world.provider_user.token, "/api/v1/epas/nope/gateway")
                .await
                .status(),
            404
        );
        // Nothing is under review yet.
        assert_eq!(
            review(app, world, &epa, "photo_id", "accepted", &[])
                .await
                .status(),
            409
        );

        assert_eq!(
            submit(app, &world.provider_user.token, &epa, &submission())
                .await
                .status(),
            201
        );
        let twice = submit(app, &world.provider_user.token, &epa, &submission()).await;
        assert_eq!(twice.status(), 409, "one attempt is under review");
        let problem: Value = twice.json().await.unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("gateway_submitted"),
            "{problem}"
        );
        assert_eq!(store::counts(&app.db).await.unwrap().0, 1);

        let body = json!({"component": "photo_id", "decision": "accepted"});
        for (who, party, status) in [
            ("unallocated assessor", &world.assessor, 404),
            ("quality assurer", &world.quality_assurer, 403),
            ("provider", &world.provider_user, 403),
            ("employer", &world.employer_user, 403),
            ("another provider", &world.other_provider_user, 404),
        ] {
            let response = app
                .post_as(&party.token, &path(&epa, "/gateway/reviews"), &body)
                .await;
            assert_eq!(response.status(), status, "{who}");
            let approve = post_empty(app, &party.token, &path(&epa, "/gateway/approve")).await;
            assert_eq!(approve.status(), status, "{who} approving");
        }
        for party in [
            &world.employer_user,
            &world.provider_user,
            &world.other_employer_user,
        ] {
            let reading = app
                .get_as(&party.token, &path(&epa, "/gateway"))
                .await
                .status();
            assert_eq!(
                reading,
                if party.email.contains("other") {
                    404
                } else {
                    200
                }
            );
        }

        // A rejection must say what to fix.
        for reasons in [json!([]), json!(["  "]), json!(["Blurred", ""])] {
            let response = app
                .post_as(
                    &world.operations.token,
                    &path(&epa, "/gateway/reviews"),
                    &json!({"component": "photo_id", "decision": "rejected", "reasons": reasons}),
                )
                .await;
            assert_eq!(response.status(), 422, "{reasons}");
            let problem: Value = response.json().await.unwrap();
            assert_eq!(fields(&problem), ["reasons"]);
        }
        let unknown_component = app
            .post_as(
                &world.operations.token,
                &path(&epa, "/gateway/reviews"),
                &json!({"component": "passport", "decision": "accepted"}),
            )
            .await;
        assert_eq!(unknown_component.status(), 422);
        let view: Value = app
            .get_as(&world.operations.token, &path(&epa, "/gateway"))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            view["attempts"][0]["components"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["reviews"].as_array().unwrap().is_empty())
        );
        assert_intact(app).await;
    }
);

on_both!(
    a_repeated_submission_with_its_key_replays_the_first_answer,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "innovate", 6).await;
        let post = || {
            app.client
                .post(app.url(&path(&epa, "/gateway")))
                .bearer_auth(&world.provider_user.token)
                .header("Idempotency-Key", "gw-1")
                .json(&gateway_submission("innovate"))
                .send()
        };
        let first = post().await.unwrap();
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let replay = post().await.unwrap();
        assert_eq!(replay.status(), 201);
        assert_eq!(replay.headers()["idempotent-replay"], "true");
        assert_eq!(replay.json::<Value>().await.unwrap(), first);
        assert_eq!(store::counts(&app.db).await.unwrap().0, 1);
        assert_intact(app).await;
    }
);

async fn decide(app: &TestApp, token: &str, epa: &Value, body: &Value) -> reqwest::Response {
    app.post_as(token, &path(epa, "/proposal/decision"), body)
        .await
}

/// A conflict of interest with the apprentice's employer, as declared.
async fn conflict(app: &TestApp, world: &World, user: uuid::Uuid) {
    let mut tx = app.db.begin_write().await.unwrap();
    epa_store::conflicts::declare(
        &mut tx,
        user,
        world.employer,
        "declared",
        "Worked there until 2025",
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

on_both!(
    the_proposal_is_decided_by_the_allocated_assessor_or_staff_without_a_conflict,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 5).await;
        let id: uuid::Uuid = epa["id"].as_str().unwrap().parse().unwrap();
        let view: Value = submit(app, &world.provider_user.token, &epa, &submission())
            .await
            .json()
            .await
            .unwrap();
        accept_all(app, world, &epa, &view).await;
        let approve = post_empty(
            app,
            &world.operations.token,
            &path(&epa, "/gateway/approve"),
        )
        .await;
        assert_eq!(approve.status(), 200);
        let accept = json!({"decision": "accepted"});

        // Not yet allocated, the assessor is not told the EPA exists.
        let unallocated = decide(app, &world.assessor.token, &epa, &accept).await;
        assert_eq!(unallocated.status(), 404);

        // EPAO staff with a conflict still see the EPA but do not sign off
        // its proposal.
        conflict(app, world, world.operations.user_id).await;
        let conflicted = decide(app, &world.operations.token, &epa, &accept).await;
        assert_eq!(conflicted.status(), 403);
        let proposal: Value = app
            .get_as(&world.operations.token, &path(&epa, "/proposal"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(proposal["status"], "awaiting_decision", "nothing decided");

        // TQUK: the allocated End-Point Assessor signs off the proposal.
        let row = epa_store::epas::get(&app.db, id).await.unwrap();
        let mut tx = app.db.begin_write().await.unwrap();
        epa_store::epas::update(
            &mut tx,
            id,
            row.epa.version,
            &epa_store::epas::Change {
                assessor_id: Some(world.assessor.user_id),
                ..epa_store::epas::Change::default()
            },
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let decided = decide(app, &world.assessor.token, &epa, &accept).await;
        assert_eq!(decided.status(), 200);
        let proposal: Value = decided.json().await.unwrap();
        assert_eq!(proposal["status"], "accepted");
        assert_eq!(
            proposal["versions"][0]["decision"]["decided_by"],
            json!(world.assessor.user_id)
        );

        // Once conflicted, the same assessor is shut out of every gateway
        // read, although still allocated.
        conflict(app, world, world.assessor.user_id).await;
        for rest in ["/gateway", "/gateway/coverage", "/proposal"] {
            let read = app.get_as(&world.assessor.token, &path(&epa, rest)).await;
            assert_eq!(read.status(), 404, "{rest}");
        }
        assert_intact(app).await;
    }
);

/// Registers an Innovate apprentice whose training started on `start_date`.
async fn registered_innovate_started(app: &TestApp, world: &World, start_date: &str) -> Value {
    let response = app
        .post_as(
            &world.operations.token,
            "/api/v1/epas",
            &json!({
                "uln": crate::support::uln(40),
                "given_names": "Recent",
                "family_name": "Starter",
                "date_of_birth": "2003-04-17",
                "employer_id": world.employer,
                "provider_id": world.provider,
                "standard": "ST0071",
                "policy": "innovate",
                "start_date": start_date,
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

on_both!(
    innovate_asks_for_its_own_components_and_warns_of_short_training,
    async |app: &TestApp, world: &World| {
        // Today is 2026-11-02: training from 2025-11-03 is a day short of
        // Innovate's "typically ... a minimum of 12 months".
        let epa = registered_innovate_started(app, world, "2025-11-03").await;
        let before: Value = app
            .get_as(&world.provider_user.token, &path(&epa, "/gateway"))
            .await
            .json()
            .await
            .unwrap();
        let warning = &before["warnings"][0];
        assert_eq!(warning["requirement"], "minimum_training", "{before}");
        assert_eq!(warning["strength"], "recommended");
        assert!(
            warning["message"]
                .as_str()
                .unwrap()
                .contains("12 months are reached on 2026-11-03"),
            "{warning}"
        );
        assert!(warning["source"].as_str().unwrap().contains("Innovate"));
        let asked: Vec<&str> = before["components_asked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect();
        assert_eq!(asked, gateway_components("innovate"));
        assert_eq!(before["components_asked"][5]["required"], false);

        // Innovate states no photo ID: one sent is refused and nothing kept.
        let mut with_photo = gateway_submission("innovate");
        with_photo["photo_id"] = json!({"description": "UK passport", "seen": true});
        let refused = submit(app, &world.provider_user.token, &epa, &with_photo).await;
        assert_eq!(refused.status(), 422);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(fields(&problem), ["photo_id"]);
        assert_eq!(
            message_for(&problem, "photo_id"),
            "Innovate Awarding does not ask for the photo ID at gateway: leave it out"
        );
        assert_eq!(store::counts(&app.db).await.unwrap().0, 0);

        // The warning does not stop the gateway; the audit keeps it.
        let response = submit(
            app,
            &world.provider_user.token,
            &epa,
            &gateway_submission("innovate"),
        )
        .await;
        assert_eq!(response.status(), 201);
        let view: Value = response.json().await.unwrap();
        assert_eq!(view["warnings"], before["warnings"]);
        let events = audit::for_entity(&app.db, "epa", epa["id"].as_str().unwrap())
            .await
            .unwrap();
        let submitted = events
            .iter()
            .find(|e| e.action == "gateway.submitted")
            .unwrap();
        assert!(
            submitted
                .after_json
                .as_deref()
                .unwrap_or_default()
                .contains("minimum_training"),
            "{submitted:?}"
        );

        // Twelve months to the day is enough.
        let on_time = registered(app, world, "innovate", 41).await;
        let view: Value = app
            .get_as(&world.provider_user.token, &path(&on_time, "/gateway"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(view["warnings"], json!([]));
    }
);

on_both!(
    a_portfolio_link_is_kept_with_who_gave_it_and_when_and_still_mapped_to_ksbs,
    async |app: &TestApp, world: &World| {
        // Innovate: "either by inserting a link to a SharePoint or including
        // a zip file".
        let epa = registered(app, world, "innovate", 42).await;
        let sharepoint = "https://contoso.sharepoint.com/sites/apprentices/Portfolio";
        let mut body = gateway_submission("innovate");
        body["portfolio"]["items"][0]["link"] = json!(format!("  {sharepoint}  "));
        let submitted_at = app.clock.now();
        let response = submit(app, &world.provider_user.token, &epa, &body).await;
        assert_eq!(response.status(), 201);
        let view: Value = response.json().await.unwrap();
        let item = &view["attempts"][0]["components"][0]["evidence_items"][0];
        assert_eq!(item["link"], sharepoint, "kept trimmed: {item}");
        assert_eq!(
            item["link_added_by"],
            world.provider_user.user_id.to_string()
        );
        let added_at: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(item["link_added_at"].clone()).unwrap();
        assert_eq!(added_at, submitted_at);
        assert_eq!(item["ksbs"], json!(["K2", "B8"]));
        let other = &view["attempts"][0]["components"][0]["evidence_items"][1];
        assert_eq!(other["link_added_by"], Value::Null, "no link, no adder");

        // The employer's declaration is sent again; the accepted portfolio
        // carries over with the link's first adder and time.
        for kind in gateway_components("innovate") {
            let (decision, reasons): (&str, &[&str]) = if *kind == "employer_declaration" {
                ("rejected", &["Signed by a colleague, not the line manager"])
            } else {
                ("accepted", &[])
            };
            if *kind != "reasonable_adjustments" || body.get(*kind).is_some() {
                let response = review(app, world, &epa, kind, decision, reasons).await;
                assert_eq!(response.status(), 200, "{kind}");
            }
        }
        let rejected =
            post_empty(app, &world.operations.token, &path(&epa, "/gateway/reject")).await;
        assert_eq!(rejected.status(), 200);
        app.clock.advance(chrono::Duration::days(2));
        let response = submit(
            app,
            &world.provider_user.token,
            &epa,
            &json!({"employer_declaration": declaration()}),
        )
        .await;
        assert_eq!(response.status(), 201);
        let view: Value = response.json().await.unwrap();
        let carried = &view["attempts"][1]["components"][0];
        assert_eq!(carried["carried_over_from_attempt"], 1);
        let item = &carried["evidence_items"][0];
        assert_eq!(item["link"], sharepoint);
        assert_eq!(
            item["link_added_by"],
            world.provider_user.user_id.to_string()
        );
        let kept: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(item["link_added_at"].clone()).unwrap();
        assert_eq!(kept, submitted_at, "the link's time is the first attempt's");
        assert_intact(app).await;
    }
);
