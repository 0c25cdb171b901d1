//! The Project Evidence Locator through the API: the project report's
//! annexes mapped to the project's KSBs, kept in whole versions, with the
//! coverage as JSON and CSV; refusals list every problem and write nothing.
//! Each test runs on SQLite and, when `EPA_TEST_PG_URL` is set, PostgreSQL.

use epa_documents::samples;
use epa_plan::MethodId;
use epa_store::{audit, locator};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::on_both;
use crate::support::registered;

fn id_of(epa: &Value) -> String {
    epa["id"].as_str().unwrap().to_owned()
}

/// The project's KSB codes of the plan `registered` uses, in plan order.
fn project_ksbs() -> Vec<String> {
    let plan = epa_plan::Catalog::embedded()
        .effective("ST0071", None, "tquk")
        .unwrap();
    plan.ksbs
        .iter()
        .filter(|k| k.method == MethodId::Project)
        .map(|k| k.code.clone())
        .collect()
}

/// Uploads as the provider and answers the new document's ID.
async fn uploaded(app: &TestApp, world: &World, epa: &str, purpose: &str) -> String {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/epas/{epa}/documents?purpose={purpose}")))
        .bearer_auth(&world.provider_user.token)
        .header("X-File-Name", format!("{purpose}.docx"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(samples::sized_docx(300, 0))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

fn entry(annex: &str, title: &str, document: Option<&str>, ksbs: &[String]) -> Value {
    json!({
        "annex": annex,
        "title": title,
        "description": format!("{title}: what it shows and where"),
        "document_id": document,
        "ksbs": ksbs,
    })
}

async fn submit(app: &TestApp, token: &str, epa: &str, entries: Vec<Value>) -> reqwest::Response {
    let path = format!("/api/v1/epas/{epa}/evidence-locator");
    let response = app
        .post_as(token, &path, &json!({ "entries": entries }))
        .await;
    if response.status() == 201 {
        assert_eq!(response.headers()["location"], path.as_str());
    }
    response
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let got = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

async fn assert_audit_intact(app: &TestApp) {
    assert!(matches!(
        audit::verify(&app.db).await.unwrap(),
        audit::Verdict::Intact { .. }
    ));
}

on_both!(a_locator_covering_every_project_ksb, async |app, world| {
    let epa = id_of(&registered(app, world, "tquk", 1).await);
    let ksbs = project_ksbs();
    assert_eq!(ksbs.len(), 14, "{ksbs:?}");
    let annex = uploaded(app, world, &epa, "annex").await;
    let report = uploaded(app, world, &epa, "report").await;
    let (first, rest) = ksbs.split_at(5);
    let (second, third) = rest.split_at(5);
    let path = format!("/api/v1/epas/{epa}/evidence-locator");
    // Nothing to read before the first version.
    assert_eq!(
        app.get_as(&world.provider_user.token, &path).await.status(),
        409
    );

    let sent = vec![
        entry("Annex A", "Process map", Some(&annex), first),
        // Lower case and repeated codes are kept once, upper case.
        entry(
            "Annex B",
            "Stakeholder survey",
            Some(&report),
            &[second, &[second[0].to_lowercase()]].concat(),
        ),
        entry("Annex C", "Benefits log", None, third),
    ];
    let view = json_of(
        submit(app, &world.provider_user.token, &epa, sent).await,
        201,
    )
    .await;
    assert_eq!(view["version"], 1);
    assert_eq!(view["entries"].as_array().unwrap().len(), 3);
    assert_eq!(view["entries"][0]["document_id"], annex.as_str());
    assert_eq!(view["entries"][1]["ksbs"], json!(second));
    assert_eq!(view["entries"][2]["annex"], "Annex C");
    // Anyone who may see the EPA reads the same; the employer too.
    let read = json_of(app.get_as(&world.employer_user.token, &path).await, 200).await;
    assert_eq!(read, view);

    let coverage = json_of(
        app.get_as(&world.operations.token, &format!("{path}/coverage"))
            .await,
        200,
    )
    .await;
    assert_eq!(coverage["uncovered"], json!([]));
    let rows = coverage["ksbs"].as_array().unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r["ksb"].as_str().unwrap()).collect();
    assert_eq!(codes, ksbs.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        rows.iter()
            .all(|r| r["entries"].as_array().unwrap().len() == 1)
    );
    assert_eq!(rows[5]["entries"][0]["annex"], "Annex B");
    assert!(!rows[0]["statement"].as_str().unwrap().is_empty());

    let csv = app
        .get_as(&world.provider_user.token, &format!("{path}/coverage.csv"))
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(
        csv.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"evidence-locator-")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 15);
    assert_eq!(lines[0], "ksb,statement,covered,annexes,titles");
    assert!(lines[1..].iter().all(|l| l.contains(",yes,")), "{text}");

    // EPAO staff correct it: a whole new version, the first kept.
    let again = vec![entry("Annex A", "Process map", Some(&annex), &ksbs)];
    let view = json_of(submit(app, &world.operations.token, &epa, again).await, 201).await;
    assert_eq!(view["version"], 2);
    assert_eq!(view["entries"].as_array().unwrap().len(), 1);
    assert_eq!(locator::counts(&app.db).await.unwrap(), (2, 4));
    assert_audit_intact(app).await;
});

on_both!(
    an_uncovered_ksb_is_named_in_the_coverage,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 2).await);
        let ksbs = project_ksbs();
        let (missing, rest) = ksbs.split_last().unwrap();
        let sent = vec![entry("Annex A", "Project plan", None, rest)];
        json_of(
            submit(app, &world.provider_user.token, &epa, sent).await,
            201,
        )
        .await;
        let path = format!("/api/v1/epas/{epa}/evidence-locator/coverage");
        let coverage = json_of(app.get_as(&world.provider_user.token, &path).await, 200).await;
        assert_eq!(coverage["uncovered"], json!([missing]));
        let last = coverage["ksbs"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["ksb"], missing.as_str());
        assert_eq!(last["entries"], json!([]));
        let text = app
            .get_as(&world.provider_user.token, &format!("{path}.csv"))
            .await
            .text()
            .await
            .unwrap();
        let row = text
            .split("\r\n")
            .find(|l| l.starts_with(&format!("{missing},")))
            .unwrap();
        assert!(row.ends_with(",no,,"), "{row}");
        assert_audit_intact(app).await;
    }
);

on_both!(
    refusals_name_every_problem_and_write_nothing,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 3).await);
        let other_epa = id_of(&registered(app, world, "tquk", 4).await);
        let theirs = uploaded(app, world, &other_epa, "annex").await;
        let evidence = uploaded(app, world, &epa, "evidence").await;
        let ksbs = project_ksbs();
        let events_before = audit_count(app).await;
        let sent = vec![
            // K2 is assessed by the professional discussion.
            entry(
                "Annex A",
                "Process map",
                None,
                &[ksbs[0].clone(), "K2".into()],
            ),
            // Another EPA's document.
            entry("Annex B", "Survey", Some(&theirs), &ksbs[1..3]),
            // A blank title, a KSB that does not exist and evidence, not an annex.
            entry("Annex C", "  ", Some(&evidence), &["K99".into()]),
            // The same annex twice, with no KSB.
            entry("annex a", "Again", None, &[]),
        ];
        let answer = json_of(
            submit(app, &world.provider_user.token, &epa, sent).await,
            422,
        )
        .await;
        let mut fields: Vec<&str> = answer["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "entries[0].ksbs",
                "entries[1].document_id",
                "entries[2].document_id",
                "entries[2].ksbs",
                "entries[2].title",
                "entries[3].annex",
                "entries[3].ksbs",
            ],
            "{answer}"
        );
        let message = |field: &str| {
            answer["errors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["field"] == field)
                .unwrap()["message"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert!(
            message("entries[0].ksbs").contains("K2 is assessed by the professional discussion")
        );
        assert!(message("entries[1].document_id").contains("no document uploaded for this EPA"));
        assert!(message("entries[2].document_id").contains("uploaded as evidence"));
        assert!(message("entries[2].ksbs").contains("K99 is not a KSB"));
        assert!(message("entries[3].annex").contains("already entry 1"));
        // No entries at all.
        let answer = json_of(
            submit(app, &world.provider_user.token, &epa, vec![]).await,
            422,
        )
        .await;
        assert_eq!(answer["errors"][0]["field"], "entries");

        assert_eq!(locator::counts(&app.db).await.unwrap(), (0, 0));
        assert_eq!(audit_count(app).await, events_before);
        assert_audit_intact(app).await;
    }
);

on_both!(who_may_submit_and_see_the_locator, async |app, world| {
    let epa = id_of(&registered(app, world, "tquk", 5).await);
    let ksbs = project_ksbs();
    let path = format!("/api/v1/epas/{epa}/evidence-locator");
    let sent = || vec![entry("Annex A", "Process map", None, &ksbs)];
    // Another provider: the EPA does not exist, for writing or reading.
    let other = &world.other_provider_user.token;
    json_of(submit(app, other, &epa, sent()).await, 404).await;
    // The employer may see the EPA but not submit.
    json_of(
        submit(app, &world.employer_user.token, &epa, sent()).await,
        403,
    )
    .await;
    assert_eq!(locator::counts(&app.db).await.unwrap(), (0, 0));
    json_of(
        submit(app, &world.provider_user.token, &epa, sent()).await,
        201,
    )
    .await;
    for suffix in ["", "/coverage", "/coverage.csv"] {
        let url = format!("{path}{suffix}");
        assert_eq!(app.get_as(other, &url).await.status(), 404, "{url}");
        assert_eq!(
            app.get_as(&world.other_employer_user.token, &url)
                .await
                .status(),
            404,
            "{url}"
        );
        assert_eq!(
            app.get_as(&world.employer_user.token, &url).await.status(),
            200,
            "{url}"
        );
    }
    assert_eq!(locator::counts(&app.db).await.unwrap(), (1, 1));
    assert_audit_intact(app).await;
});

async fn audit_count(app: &TestApp) -> u64 {
    match audit::verify(&app.db).await.unwrap() {
        audit::Verdict::Intact { events, .. } => events,
        other => panic!("audit chain broken: {other:?}"),
    }
}
