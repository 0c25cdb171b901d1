//! The PDF documents through real HTTP: the result letter only once
//! released (and nothing of it before), the gateway summary, the API's and
//! the pages' routes, and the text each reads as. Each test runs on SQLite
//! and, when `EPA_TEST_PG_URL` is set, on PostgreSQL.

use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header;
use serde_json::json;
use uuid::Uuid;

use crate::assessment::{grade_all, planned, post};
use crate::journeys::apprentice_user;
use crate::on_both;
use crate::pages::signed_in;
use crate::release::link;
use crate::support::{gateway_submission, registered, uln};

/// `GET path` with a token: status, headers and body.
async fn fetch(app: &TestApp, token: &str, path: &str) -> (u16, header::HeaderMap, Vec<u8>) {
    let response = app.get_as(token, path).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// The text of a PDF; pdf-extract can panic, which fails the test plainly.
fn text_of(pdf: &[u8]) -> String {
    let read = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(pdf));
    let text = match read {
        Ok(Ok(text)) => text,
        Ok(Err(err)) => panic!("the PDF's text could not be read: {err}"),
        Err(_) => panic!("pdf-extract panicked on the PDF"),
    };
    // Blank lines and trailing spaces follow the layout, not the content.
    text.lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_pdf(headers: &header::HeaderMap, body: &[u8], filename: &str) {
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"{filename}\"").as_str()
    );
    // The pages' security headers make it `no-store` outright.
    let cache = headers[header::CACHE_CONTROL].to_str().unwrap();
    assert!(cache.contains("no-store"), "{cache}");
    assert!(body.starts_with(b"%PDF-"), "not a PDF");
}

on_both!(
    the_result_letter_is_there_only_once_released_and_reads_as_the_results,
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
        let path = format!("/api/v1/epas/{epa}/results.pdf");

        // Graded, not released: the apprentice's side is told nothing is
        // there, not even that grades exist; staff are told why.
        for token in [
            &apprentice.token,
            &world.provider_user.token,
            &world.employer_user.token,
        ] {
            let (status, headers, body) = fetch(app, token, &path).await;
            assert_eq!(status, 404);
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            let body = String::from_utf8(body).unwrap().to_lowercase();
            for leak in ["distinction", "pass", "grade", "released"] {
                assert!(!body.contains(leak), "{leak} in {body}");
            }
        }
        let (status, _, body) = fetch(app, &world.operations.token, &path).await;
        assert_eq!(status, 409, "{}", String::from_utf8_lossy(&body));
        // Another provider's user does not learn the EPA exists.
        let (status, _, _) = fetch(app, &world.other_provider_user.token, &path).await;
        assert_eq!(status, 404);

        let (status, released) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{released}");

        let filename = format!("results-{}-attempt-1.pdf", uln(1));
        for token in [
            &apprentice.token,
            &world.provider_user.token,
            &world.employer_user.token,
            &world.operations.token,
        ] {
            let (status, headers, body) = fetch(app, token, &path).await;
            assert_eq!(status, 200);
            assert_pdf(&headers, &body, &filename);
        }
        let (_, _, body) = fetch(app, &apprentice.token, &path).await;
        insta::assert_snapshot!("results_pdf", text_of(&body));
        let (status, _, _) = fetch(app, &world.other_provider_user.token, &path).await;
        assert_eq!(status, 404);
    }
);

on_both!(
    the_gateway_summary_shows_each_attempt_its_decisions_and_the_coverage,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 3).await;
        let id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
        let path = format!("/api/v1/epas/{id}/gateway.pdf");
        let (status, _, _) = fetch(app, &world.provider_user.token, &path).await;
        assert_eq!(status, 409, "nothing submitted yet");

        let submitted = app
            .post_as(
                &world.provider_user.token,
                &format!("/api/v1/epas/{id}/gateway"),
                &gateway_submission("tquk"),
            )
            .await;
        assert_eq!(submitted.status(), 201);
        for (kind, decision, reasons) in [
            ("photo_id", "accepted", vec![]),
            ("proposal", "accepted", vec![]),
            ("english_maths", "accepted", vec![]),
            (
                "portfolio",
                "rejected",
                vec!["Evidence 3 is a template, not the apprentice's work"],
            ),
        ] {
            let reviewed = app
                .post_as(
                    &world.operations.token,
                    &format!("/api/v1/epas/{id}/gateway/reviews"),
                    &json!({"component": kind, "decision": decision, "reasons": reasons}),
                )
                .await;
            assert_eq!(reviewed.status(), 200, "{kind}");
        }
        let rejected = app
            .client
            .post(app.url(&format!("/api/v1/epas/{id}/gateway/reject")))
            .bearer_auth(&world.operations.token)
            .send()
            .await
            .unwrap();
        assert_eq!(rejected.status(), 200);

        let filename = format!("gateway-{}-attempt-1.pdf", uln(3));
        let (status, headers, body) = fetch(app, &world.provider_user.token, &path).await;
        assert_eq!(status, 200);
        assert_pdf(&headers, &body, &filename);
        insta::assert_snapshot!("gateway_pdf", text_of(&body));
        let (status, _, _) = fetch(app, &world.other_employer_user.token, &path).await;
        assert_eq!(status, 404);
    }
);

on_both!(
    the_epa_page_links_the_documents_it_may_give_and_serves_them_by_session,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "tquk", 4, world.assessor.user_id).await;
        grade_all(
            app,
            &world.assessor.token,
            epa,
            &policy,
            ["pass", "pass", "pass"],
        )
        .await;
        let cookie = signed_in(app, &world.provider_user).await;
        let (status, html) = crate::pages::page(app, &cookie, &format!("/epas/{epa}")).await;
        assert_eq!(status, 200);
        assert!(!html.contains("results.pdf"), "linked before release");
        assert!(html.contains(&format!("/epas/{epa}/gateway.pdf")));
        let (status, _) =
            crate::pages::page(app, &cookie, &format!("/epas/{epa}/results.pdf")).await;
        assert_eq!(status, 404);

        let (status, _) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/results/release"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200);
        let (_, html) = crate::pages::page(app, &cookie, &format!("/epas/{epa}")).await;
        assert!(html.contains(&format!("/epas/{epa}/results.pdf")), "{html}");
        let response = reqwest::Client::new()
            .get(app.url(&format!("/epas/{epa}/results.pdf")))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap();
        assert_pdf(
            &headers,
            &body,
            &format!("results-{}-attempt-1.pdf", uln(4)),
        );
        assert!(text_of(&body).contains("Overall grade: Pass"));
    }
);

on_both!(
    a_failed_result_letter_says_what_the_policy_allows_next,
    async |app: &TestApp, world: &World| {
        let (epa, policy) = planned(app, world, "innovate", 5, world.assessor.user_id).await;
        grade_all(
            app,
            &world.assessor.token,
            epa,
            &policy,
            ["pass", "fail", "pass"],
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
        let (status, _, body) = fetch(
            app,
            &world.provider_user.token,
            &format!("/api/v1/epas/{epa}/results.pdf"),
        )
        .await;
        assert_eq!(status, 200);
        // Joined into one line: the layout breaks sentences anywhere.
        let text = text_of(&body)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for expected in [
            "End-point assessment organisation : Innovate Awarding",
            "Overall grade: Fail",
            "Resit or retake",
            "A resit or retake should be completed within 12 months",
            "Reworking the project",
            "A failed work-based project is reworked, using the assessor's feedback, within one month.",
            "Appeals",
            "Not met Not shown in the session.",
        ] {
            assert!(text.contains(expected), "{expected} not in {text}");
        }
        assert!(!text.contains("Certificate"), "{text}");
    }
);
