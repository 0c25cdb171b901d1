//! Spreadsheet exports for a period through the API and the pages: only
//! what the caller may see, the audit log for EPAO administrators, and no
//! cell that a spreadsheet would run as a formula.

use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header;
use serde_json::json;

use crate::on_both;
use crate::pages::{page, signed_in};
use crate::support::uln;

/// Registers an apprentice whose family name is a formula, at the world's
/// provider.
async fn register_formula(app: &TestApp, world: &World) {
    let response = app
        .post_as(
            &world.operations.token,
            "/api/v1/epas",
            &json!({
                "uln": uln(71),
                "given_names": "@Mallory",
                "family_name": "=HYPERLINK(\"http://x.invalid\",\"open\")",
                "date_of_birth": "2003-04-17",
                "employer_id": world.employer,
                "provider_id": world.provider,
                "standard": "ST0071",
                "policy": "tquk",
                "start_date": "2025-06-02",
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
}

fn period(app: &TestApp) -> String {
    let today = app.clock.now().date_naive();
    format!("from={}&to={today}", today - chrono::Days::new(30))
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let response = app.get_as(token, path).await;
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.bytes().await.unwrap().to_vec())
}

on_both!(
    the_pipeline_is_what_the_caller_may_see_and_never_a_formula,
    async |app: &TestApp, world: &World| {
        register_formula(app, world).await;
        let path = format!("/api/v1/exports/pipeline.csv?{}", period(app));
        let (status, kind, body) = get(app, &world.operations.token, &path).await;
        assert_eq!(status, 200);
        assert_eq!(kind, "text/csv; charset=utf-8");
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.starts_with("epa_id,uln,given_names,family_name,"),
            "{text}"
        );
        assert!(text.contains(&uln(71)), "{text}");
        assert!(
            text.contains(",'@Mallory,\"'=HYPERLINK(\"\"http://x.invalid\"\",\"\"open\"\")\","),
            "{text}"
        );
        // The provider sees its own apprentice; another provider does not.
        let (_, _, own) = get(app, &world.provider_user.token, &path).await;
        assert!(String::from_utf8(own).unwrap().contains(&uln(71)));
        let (status, _, other) = get(app, &world.other_provider_user.token, &path).await;
        assert_eq!(status, 200);
        assert!(!String::from_utf8(other).unwrap().contains(&uln(71)));

        let xlsx = format!("/api/v1/exports/pipeline.xlsx?{}", period(app));
        let (status, kind, body) = get(app, &world.operations.token, &xlsx).await;
        assert_eq!(status, 200);
        assert_eq!(
            kind,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(body.starts_with(b"PK"), "an xlsx is a zip");
    }
);

on_both!(
    the_audit_log_is_for_epao_administrators,
    async |app: &TestApp, world: &World| {
        register_formula(app, world).await;
        let path = format!("/api/v1/exports/audit.csv?{}", period(app));
        let (status, _, body) = get(app, &world.epao_admin.token, &path).await;
        assert_eq!(status, 200);
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("epa.registered"), "{text}");
        // Payloads are JSON text, kept whole in one cell.
        assert!(text.contains("\"{\"\""), "{text}");
        for party in [&world.operations, &world.provider_user, &world.assessor] {
            let (status, _, _) = get(app, &party.token, &path).await;
            assert_eq!(status, 403, "{}", party.email);
        }
    }
);

on_both!(
    results_and_deadlines_export_and_bad_requests_are_named,
    async |app: &TestApp, world: &World| {
        register_formula(app, world).await;
        for file in ["results.csv", "deadlines.xlsx", "deadlines.csv"] {
            let path = format!("/api/v1/exports/{file}?{}", period(app));
            let (status, _, _) = get(app, &world.operations.token, &path).await;
            assert_eq!(status, 200, "{file}");
        }
        let (status, _, body) = get(
            app,
            &world.operations.token,
            "/api/v1/exports/people.csv?from=2026-01-01&to=2026-01-31",
        )
        .await;
        assert_eq!(status, 422);
        assert!(String::from_utf8(body).unwrap().contains("\"file\""));
        let (status, _, body) = get(
            app,
            &world.operations.token,
            "/api/v1/exports/results.csv?from=2026-02-01&to=2026-01-01",
        )
        .await;
        assert_eq!(status, 422);
        assert!(String::from_utf8(body).unwrap().contains("\"from\""));
        let anonymous = app
            .get("/api/v1/exports/results.csv?from=2026-01-01&to=2026-01-31")
            .await;
        assert_eq!(anonymous.status(), 401);
    }
);

on_both!(
    the_pages_link_to_the_files_for_a_period,
    async |app: &TestApp, world: &World| {
        register_formula(app, world).await;
        let cookie = signed_in(app, &world.epao_admin).await;
        let (status, html) = page(app, &cookie, "/dashboard").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("<a href=\"/exports\">Download spreadsheets</a>"),
            "{html}"
        );
        let (status, html) = page(app, &cookie, &format!("/exports?{}", period(app))).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("audit.xlsx?from="), "{html}");
        let (status, _) = page(
            app,
            &cookie,
            &format!("/exports/pipeline.csv?{}", period(app)),
        )
        .await;
        assert_eq!(status, 200);
        let (status, html) = page(app, &cookie, "/exports?from=2026-02-01&to=2026-01-01").await;
        assert_eq!(status, 422);
        assert!(
            html.contains("The last day must be on or after the first"),
            "{html}"
        );
        // Operations staff are not offered the audit log.
        let cookie = signed_in(app, &world.operations).await;
        let (_, html) = page(app, &cookie, &format!("/exports?{}", period(app))).await;
        assert!(!html.contains("/exports/audit."), "{html}");
    }
);
