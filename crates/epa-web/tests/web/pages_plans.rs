//! The plan browser: KSBs by method, each method's criteria with their ids,
//! every rule with its source, and where the two EPAOs differ; the same
//! plan as the API's `/api/v1/plans`.

use epa_testkit::TestApp;
use epa_testkit::seed::World;

use crate::on_both;
use crate::pages::{page, signed_in};

/// The criterion ids a plan page lists, in its order.
fn criterion_ids(html: &str) -> Vec<String> {
    html.split("<tr><th scope=\"row\">")
        .skip(1)
        .filter_map(|row| row.split('<').next())
        .filter(|id| id.contains('-'))
        .map(str::to_owned)
        .collect()
}

on_both!(
    the_plan_browser_shows_each_epaos_plan_with_sources,
    async |app: &TestApp, world: &World| {
        // Anyone signed in reads it, an employer as much as EPAO staff.
        let cookie = signed_in(app, &world.employer_user).await;
        let (status, html) = page(app, &cookie, "/plans").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<title>The standard – OpenEPA</title>"));
        assert!(html.contains("aria-current=\"page\">The standard</a>"));
        for href in [
            "/plans/ST0071/1.2/tquk",
            "/plans/ST0071/1.2/innovate",
            "/plans/ST0071/1.2/differences",
        ] {
            assert!(html.contains(&format!("href=\"{href}\"")), "{href}: {html}");
        }

        // The page lists the very criteria the API gives, for each EPAO.
        let api: serde_json::Value = app
            .get_as(&world.employer_user.token, "/api/v1/plans/ST0071/1.2")
            .await
            .json()
            .await
            .unwrap();
        for policy in api["policies"].as_array().unwrap() {
            let epao = policy["epao"].as_str().unwrap();
            let (status, html) = page(app, &cookie, &format!("/plans/ST0071/1.2/{epao}")).await;
            assert_eq!(status, 200, "{epao}: {html}");
            let from_api: Vec<String> = policy["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(criterion_ids(&html), from_api, "{epao}");
            // KSBs by method, with their statements.
            for method in policy["methods"].as_array().unwrap() {
                assert!(html.contains(method["name"].as_str().unwrap()));
            }
            for ksb in policy["ksbs"].as_array().unwrap() {
                let code = ksb["code"].as_str().unwrap();
                assert!(
                    html.contains(&format!("<th scope=\"row\">{code}</th>")),
                    "{epao} {code}"
                );
            }
            assert!(html.contains("<td>Distinction</td>") && html.contains("<td>Pass</td>"));
            // Every rule shows its source.
            let rules = html.matches("<div class=\"rule\">").count();
            assert!(rules >= 10, "{epao}: {rules} rules");
            let rules_part = &html[html.find("id=\"rules\"").unwrap()..];
            assert_eq!(
                rules_part.matches("<strong>Source:</strong>").count(),
                rules
            );
        }

        // TQUK's own rule, with its quote, and its criterion Innovate has not.
        let (_, tquk) = page(app, &cookie, "/plans/ST0071/1.2/tquk").await;
        assert!(tquk.contains(
            "The project report is written and submitted within two months of the assessment planning meeting."
        ));
        assert!(
            tquk.contains("TQUK ST0071 v1.2 Standard Specification, Work-Based Project Report")
        );
        assert!(tquk.contains("<th scope=\"row\">WBP-D04</th>"));
        let (_, innovate) = page(app, &cookie, "/plans/ST0071/1.2/INNOVATE").await;
        assert!(innovate.contains("Innovate Awarding"));
        assert!(!innovate.contains("<th scope=\"row\">WBP-D04</th>"));
        // Their overall grading tables differ where their rules do.
        let row = |overall: &str| {
            format!(
                "<tr><td>Distinction</td><td>Pass</td><td>Pass</td><td><strong>{overall}</strong></td></tr>"
            )
        };
        assert!(tquk.contains(&row("Distinction")), "{tquk}");
        assert!(innovate.contains(&row("Pass")));

        // Where they differ, each side with its source.
        let (status, html) = page(app, &cookie, "/plans/ST0071/1.2/differences").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Where TQUK and Innovate Awarding differ on ST0071"));
        assert!(html.contains("WBP-D04"), "{html}");
        assert!(html.contains("not stated"));
        let differences = html.matches("<div class=\"rule\">").count();
        assert!(differences >= 5, "{differences}");
        assert!(html.contains(&format!("<p>{differences} differences.</p>")));

        // An unknown plan or EPAO is not found; no one signed in is sent to sign in.
        for path in ["/plans/ST0071/9.9/tquk", "/plans/ST0071/1.2/nobody"] {
            let (status, html) = page(app, &cookie, path).await;
            assert_eq!(status, 404, "{path}");
            assert!(html.contains("Page not found"));
        }
        let (status, _) = page(app, "epa_session=not-a-session", "/plans").await;
        assert_eq!(status, 303);
    }
);
