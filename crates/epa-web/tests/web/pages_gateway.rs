//! The gateway as pages: the provider's submission form and EPAO staff's
//! decision per component, on the same use cases as the API.

use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header;
use serde_json::Value;

use crate::on_both;
use crate::pages::{csrf_of, page, signed_in};
use crate::support::{gateway_submission, registered};

/// The API's gateway body as the form's fields: `part.field`,
/// `portfolio.items[i].field`, KSBs as a list, ticked boxes as `yes`.
fn form_of(body: &Value) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (part, value) in body.as_object().unwrap() {
        match value {
            Value::String(text) => pairs.push((part.clone(), text.clone())),
            Value::Object(fields) if part == "portfolio" => {
                for (i, item) in fields["items"].as_array().unwrap().iter().enumerate() {
                    for (key, value) in item.as_object().unwrap() {
                        let text = match value {
                            Value::Array(codes) => codes
                                .iter()
                                .map(|code| code.as_str().unwrap())
                                .collect::<Vec<_>>()
                                .join(", "),
                            other => other.as_str().unwrap().to_owned(),
                        };
                        pairs.push((format!("portfolio.items[{i}].{key}"), text));
                    }
                }
            }
            Value::Object(fields) => {
                for (key, value) in fields {
                    let text = match value {
                        Value::Bool(true) => "yes".to_owned(),
                        Value::Bool(false) => continue,
                        other => other.as_str().unwrap().to_owned(),
                    };
                    pairs.push((format!("{part}.{key}"), text));
                }
            }
            other => panic!("unexpected {other}"),
        }
    }
    pairs
}

pub async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    mut pairs: Vec<(String, String)>,
) -> (u16, String, String) {
    let (_, html) = page(app, cookie, "/epas").await;
    pairs.push(("csrf".to_owned(), csrf_of(&html)));
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .form(&pairs)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// The gateway's components without what differs between two EPAs.
async fn components(app: &TestApp, world: &World, epa: &str) -> Vec<(String, String, Value)> {
    let view: Value = app
        .get_as(
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/gateway"),
        )
        .await
        .json()
        .await
        .unwrap();
    view["attempts"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["details"].clone(),
            )
        })
        .collect()
}

on_both!(
    a_gateway_submitted_on_the_page_is_the_one_the_api_stores_and_staff_decide_it,
    async |app: &TestApp, world: &World| {
        for policy in ["tquk", "innovate"] {
            let by_page =
                registered(app, world, policy, 1 + (policy == "innovate") as u32 * 10).await;
            let by_api =
                registered(app, world, policy, 2 + (policy == "innovate") as u32 * 10).await;
            let (by_page, by_api) = (
                by_page["id"].as_str().unwrap(),
                by_api["id"].as_str().unwrap(),
            );
            let provider = signed_in(app, &world.provider_user).await;

            // The form asks for what this EPAO asks for.
            let (status, html) =
                page(app, &provider, &format!("/epas/{by_page}/gateway/submit")).await;
            assert_eq!(status, 200, "{html}");
            assert_eq!(html.contains("photo_id.description"), policy == "tquk");
            assert_eq!(
                html.contains("employer_declaration.signed_by"),
                policy == "innovate"
            );

            // A bad date and a missing title: every problem at its field,
            // nothing stored, everything typed kept.
            let mut pairs = form_of(&gateway_submission(policy));
            for (key, value) in &mut pairs {
                if key == "english_maths.signed_on" {
                    *value = "2026-02-30".to_owned();
                }
            }
            let (status, _, html) = post(
                app,
                &provider,
                &format!("/epas/{by_page}/gateway/submit"),
                pairs.clone(),
            )
            .await;
            assert_eq!(status, 422, "{html}");
            assert!(
                html.contains("Enter the date it was signed as a real date"),
                "{html}"
            );
            assert!(html.contains("value=\"2026-02-30\""));
            assert!(
                html.contains("value=\"Evidence 12\""),
                "the portfolio typed is kept"
            );
            let (_, html) = page(app, &provider, &format!("/epas/{by_page}")).await;
            assert!(html.contains("Submit the gateway"), "still not submitted");

            let pairs = form_of(&gateway_submission(policy));
            let (status, location, body) = post(
                app,
                &provider,
                &format!("/epas/{by_page}/gateway/submit"),
                pairs,
            )
            .await;
            assert_eq!(status, 303, "{body}");
            assert_eq!(location, format!("/epas/{by_page}?done=gateway_submitted"));
            let response = app
                .post_as(
                    &world.provider_user.token,
                    &format!("/api/v1/epas/{by_api}/gateway"),
                    &gateway_submission(policy),
                )
                .await;
            assert_eq!(response.status(), 201);
            assert_eq!(
                components(app, world, by_page).await,
                components(app, world, by_api).await,
                "one use case, two faces"
            );

            // EPAO staff find it in their queue and decide each component.
            let staff = signed_in(app, &world.operations).await;
            let (_, html) = page(app, &staff, "/gateway").await;
            assert!(html.contains(&format!("/epas/{by_page}/gateway")), "{html}");
            let (status, html) = page(app, &staff, &format!("/epas/{by_page}/gateway")).await;
            assert_eq!(status, 200);
            assert!(html.contains("KSB coverage of the portfolio"));
            // Approving before every part is accepted says why, and changes nothing.
            let (status, location, _) = post(
                app,
                &staff,
                &format!("/epas/{by_page}/gateway/approve"),
                Vec::new(),
            )
            .await;
            assert_eq!(status, 303);
            assert!(location.contains("error="), "{location}");
            for (kind, _, _) in components(app, world, by_page).await {
                let (status, location, _) = post(
                    app,
                    &staff,
                    &format!("/epas/{by_page}/gateway/components/{kind}"),
                    vec![("decision".to_owned(), "accepted".to_owned())],
                )
                .await;
                assert_eq!(
                    (status, location.contains("error=")),
                    (303, false),
                    "{kind}: {location}"
                );
            }
            let (status, location, _) = post(
                app,
                &staff,
                &format!("/epas/{by_page}/gateway/approve"),
                Vec::new(),
            )
            .await;
            assert_eq!(
                (status, location.as_str()),
                (
                    303,
                    format!("/epas/{by_page}?done=gateway_approved").as_str()
                )
            );
            let epa: Value = app
                .get_as(&world.operations.token, &format!("/api/v1/epas/{by_page}"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(epa["stage"], "gateway_approved");

            // The provider cannot decide a gateway.
            let (status, _, _) = post(
                app,
                &provider,
                &format!("/epas/{by_api}/gateway/components/portfolio"),
                vec![("decision".to_owned(), "accepted".to_owned())],
            )
            .await;
            assert_eq!(status, 403);
        }
    }
);
