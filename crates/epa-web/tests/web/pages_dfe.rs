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
