//! The DfE queue: what the DfE refused, for EPAO staff, with the DfE's
//! reasons and a resend; the page and `/api/v1/dfe/refusals` on the same
//! use cases; nobody else sees it.

use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header;
use uuid::Uuid;

use crate::on_both;
use crate::pages::{csrf_of, page, signed_in};
use crate::support::registered;

const REASON: &str = "ULN, FamilyName and Standard not found.";

/// Stores a refusal of the EPA record as a push stores the DfE's answer.
async fn refused(app: &TestApp, epa_id: Uuid) {
    let mut tx = app.db.begin_write().await.unwrap();
    epa_store::dfe::refuse(
        &mut tx,
        epa_id,
        epa_store::dfe::RefusedItem::Epa,
        "fingerprint",
        &[REASON.to_owned()],
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

on_both!(
    staff_see_refusals_and_send_one_again,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "innovate", 1).await;
        let epa_id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
        let staff = signed_in(app, &world.operations).await;
        let (status, html) = page(app, &staff, "/dfe").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Nothing is waiting"), "{html}");
        assert!(html.contains("Replacement certificates to ask the DfE for"));

        refused(app, epa_id).await;
        let (status, html) = page(app, &staff, "/dfe").await;
        assert_eq!(status, 200);
        assert!(html.contains("<title>Refused by the DfE – OpenEPA</title>"));
        assert!(html.contains(REASON), "{html}");
        assert!(html.contains("Apprentice 1"), "{html}");
        assert!(html.contains(&format!("action=\"/dfe/{epa_id}/resend\"")));

        // The API lists the same, for staff only.
        let listed: serde_json::Value = app
            .get_as(&world.operations.token, "/api/v1/dfe/refusals")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["refusals"][0]["epa_id"], epa_id.to_string());
        assert_eq!(listed["refusals"][0]["reasons"][0], REASON);
        assert_eq!(listed["refusals"][0]["item"], "epa");
        let refused_to = app
            .get_as(&world.provider_user.token, "/api/v1/dfe/refusals")
            .await;
        assert_eq!(refused_to.status(), 403);
        let (status, _) = page(app, &signed_in(app, &world.provider_user).await, "/dfe").await;
        assert_eq!(status, 403);

        // Send again: it goes at the next push, and the page says so.
        let token = csrf_of(&html);
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(app.url(&format!("/dfe/{epa_id}/resend")))
            .header(header::COOKIE, &staff)
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()[header::LOCATION].to_str().unwrap(),
            "/dfe?done=resent"
        );
        let (_, html) = page(app, &staff, "/dfe?done=resent").await;
        assert!(html.contains("Sent again at the next push"), "{html}");

        // Another organisation's or an unknown EPA: 404, as everywhere.
        let unknown = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/dfe/refusals/{}/resend", Uuid::now_v7()),
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(unknown.status(), 404);
        // An open replacement request is listed with its due date.
        let today = app.clock.now().date_naive();
        let mut tx = app.db.begin_write().await.unwrap();
        epa_store::dfe::insert_replacement(
            &mut tx,
            epa_id,
            today,
            "Lost in the post",
            Some(today + chrono::Duration::days(2)),
            world.operations.user_id,
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (_, html) = page(app, &staff, "/dfe").await;
        assert!(html.contains("Lost in the post"), "{html}");
        assert!(html.contains("04 November 2026"), "{html}");

        // An EPA with nothing refused: a conflict, saying so.
        let other = registered(app, world, "tquk", 2).await;
        let nothing = app
            .post_as(
                &world.operations.token,
                &format!(
                    "/api/v1/dfe/refusals/{}/resend",
                    other["id"].as_str().unwrap()
                ),
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(nothing.status(), 409);
    }
);

/// An Innovate EPA passed and released through the API.
async fn passed(app: &TestApp, world: &World, n: u32) -> Uuid {
    use crate::assessment::{grade_all, planned, post};
    let (epa, policy) = planned(app, world, "innovate", n, world.assessor.user_id).await;
    grade_all(
        app,
        &world.assessor.token,
        epa,
        &policy,
        ["pass", "pass", "pass"],
    )
    .await;
    let (status, released) = post(
        app,
        &world.operations.token,
        &format!("/api/v1/epas/{epa}/results/release"),
        &serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 200, "{released}");
    epa
}

on_both!(
    replacement_certificates_through_the_api_and_the_page,
    async |app: &TestApp, world: &World| {
        use crate::assessment::post;
        let epa = passed(app, world, 1).await;
        let ops = &world.operations.token;
        let path = format!("/api/v1/epas/{epa}/certificate/replacements");
        let today = app.clock.now().date_naive();

        // Bad input: every problem at its field, nothing stored.
        let (status, problem) = post(
            app,
            ops,
            &path,
            &serde_json::json!({"reason": " ", "received_on": today + chrono::Duration::days(1)}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["received_on", "reason"], "{problem}");
        let (status, unknown) = post(app, ops, &path, &serde_json::json!({"why": "x"})).await;
        assert_eq!(status, 422, "{unknown}");
        let listed: serde_json::Value = app.get_as(ops, &path).await.json().await.unwrap();
        assert_eq!(listed, serde_json::json!([]));

        // Innovate: the DfE is asked within two days of the request.
        let (status, recorded) = post(
            app,
            ops,
            &path,
            &serde_json::json!({"reason": "Lost in a house move"}),
        )
        .await;
        assert_eq!(status, 201, "{recorded}");
        let due = (today + chrono::Duration::days(2)).to_string();
        assert_eq!(recorded["due_on"], due);
        assert!(recorded["requested_on"].is_null());
        // Shown among the EPA's deadlines until it is asked of the DfE.
        let deadlines: serde_json::Value = app
            .get_as(ops, &format!("/api/v1/epas/{epa}/deadlines"))
            .await
            .json()
            .await
            .unwrap();
        let deadline = deadlines["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "replacement_certificate_due")
            .unwrap_or_else(|| panic!("{deadlines}"))
            .clone();
        assert_eq!(deadline["date"], due);

        // Others: the provider may not see or record them; another EPA's
        // request cannot be marked through this one.
        let provider = &world.provider_user.token;
        assert_eq!(app.get_as(provider, &path).await.status(), 403);
        let (status, _) = post(app, provider, &path, &serde_json::json!({"reason": "x"})).await;
        assert_eq!(status, 403);
        let unknown = app
            .get_as(
                ops,
                &format!("/api/v1/epas/{}/certificate/replacements", Uuid::now_v7()),
            )
            .await;
        assert_eq!(unknown.status(), 404);
        let id = recorded["id"].as_str().unwrap();
        let other = registered(app, world, "tquk", 2).await;
        let (status, _) = post(
            app,
            ops,
            &format!(
                "/api/v1/epas/{}/certificate/replacements/{id}/requested",
                other["id"].as_str().unwrap()
            ),
            &serde_json::json!({}),
        )
        .await;
        assert_eq!(status, 409);

        // The page lists it, with a button to record it as asked.
        let staff = signed_in(app, &world.operations).await;
        let (status, html) = page(app, &staff, &format!("/epas/{epa}/replacements")).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Lost in a house move"), "{html}");
        assert!(html.contains(&format!(
            "action=\"/epas/{epa}/replacements/{id}/requested\""
        )));
        let (_, results) = page(app, &staff, &format!("/epas/{epa}/results")).await;
        assert!(results.contains(&format!("href=\"/epas/{epa}/replacements\"")));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        // A form with a problem comes back with it at the field.
        let token = csrf_of(&html);
        let sent_back = client
            .post(app.url(&format!("/epas/{epa}/replacements")))
            .header(header::COOKIE, &staff)
            .form(&[
                ("csrf", token.as_str()),
                ("received_on", "2026-02-30"),
                ("reason", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(sent_back.status(), 422);
        let html = sent_back.text().await.unwrap();
        assert!(html.contains("id=\"received_on-error\""), "{html}");
        assert!(html.contains("id=\"reason-error\""), "{html}");
        let asked = client
            .post(app.url(&format!("/epas/{epa}/replacements/{id}/requested")))
            .header(header::COOKIE, &staff)
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), 303);
        let (_, html) = page(
            app,
            &staff,
            &format!("/epas/{epa}/replacements?done=requested"),
        )
        .await;
        assert!(html.contains("in time"), "{html}");
        let listed: serde_json::Value = app.get_as(ops, &path).await.json().await.unwrap();
        assert_eq!(listed[0]["requested_on"], today.to_string());
        assert_eq!(listed[0]["on_time"], true);
        // Once only.
        let (status, _) = post(
            app,
            ops,
            &format!("{path}/{id}/requested"),
            &serde_json::json!({}),
        )
        .await;
        assert_eq!(status, 409);
    }
);
