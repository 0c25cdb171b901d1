//! People and organisations for EPAO administrators: the lists with a
//! search, inviting a person, and deactivating and reactivating an account
//! after a confirmation page; the same use cases as `/api/v1/users`.

use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header;

use crate::on_both;
use crate::pages::{csrf_of, page, signed_in};
use crate::support::{registered, uln};

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts a form with the session cookie: status, `Location` and body.
async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let response = browser()
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .form(form)
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

/// Sends the invitation form with the page's token.
async fn invite(
    app: &TestApp,
    cookie: &str,
    token: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut form = vec![("csrf", token)];
    form.extend_from_slice(fields);
    post(app, cookie, "/people/invite", &form).await
}

on_both!(
    an_administrator_lists_searches_and_invites,
    async |app: &TestApp, world: &World| {
        let admin = signed_in(app, &world.epao_admin).await;
        let (status, html) = page(app, &admin, "/people").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<title>People and organisations – OpenEPA</title>"));
        for organisation in [
            "Demo EPAO",
            "Northfield Training",
            "Acme Retail",
            "Southgate College",
        ] {
            assert!(html.contains(organisation), "{organisation}");
        }
        assert!(html.contains(&world.operations.email));
        assert!(html.contains(&world.provider_user.email));

        // A search narrows the people; the organisations stay.
        let (_, html) = page(
            app,
            &admin,
            &format!("/people?search={}", world.operations.email),
        )
        .await;
        assert!(html.contains(&world.operations.email));
        assert!(!html.contains(&world.provider_user.email));
        assert!(html.contains(&format!("value=\"{}\"", world.operations.email)));
        let (_, html) = page(app, &admin, "/people?search=nobody-by-this-name").await;
        assert!(html.contains("No one matches that search."));

        // A bad form keeps what was typed and says what is wrong at the field.
        let (_, form) = page(app, &admin, "/people/invite").await;
        let token = csrf_of(&form);
        let (status, _, html) = invite(
            app,
            &admin,
            &token,
            &[
                ("name", "Robin <b>Example</b>"),
                ("email", "not an email"),
                ("organisation_id", &world.epao.to_string()),
                ("role", "quality_assurer"),
                ("organisation_admin", "no"),
            ],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("<title>Error: Invite a person – OpenEPA</title>"));
        assert!(
            html.contains(
                "<a href=\"#email\">Enter an email address such as name@example.org.</a>"
            ),
            "{html}"
        );
        assert!(html.contains("id=\"email-error\""));
        assert!(
            html.contains("value=\"Robin &#60;b&#62;Example&#60;/b&#62;\""),
            "{html}"
        );
        assert!(html.contains("value=\"not an email\""));
        assert!(html.contains(&format!("value=\"{}\" selected", world.epao)));
        // Nothing was made.
        let (_, list) = page(app, &admin, "/people?search=Robin").await;
        assert!(list.contains("No one matches that search."));

        // A role the organisation does not hold is refused at the role.
        let (status, _, html) = invite(
            app,
            &admin,
            &token,
            &[
                ("name", "Robin Example"),
                ("email", "robin@example.org"),
                ("organisation_id", &world.provider.to_string()),
                ("role", "assessor"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"role-error\""), "{html}");

        // Invited: the list shows them, as the API does.
        let (status, location, _) = invite(
            app,
            &admin,
            &token,
            &[
                ("name", "Robin Example"),
                ("email", "robin@example.org"),
                ("organisation_id", &world.epao.to_string()),
                ("role", "quality_assurer"),
                ("organisation_admin", "no"),
            ],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, "/people?done=invited"));
        let (_, html) = page(app, &admin, "/people?done=invited&search=robin").await;
        assert!(html.contains("The invitation was sent"));
        assert!(html.contains("Robin Example"));
        assert!(html.contains("Quality assurer at Demo EPAO"));
        assert!(html.contains("<td>Invited</td>"));
        let users: serde_json::Value = app
            .get_as(&world.epao_admin.token, "/api/v1/users?q=robin")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(users["items"][0]["email"], "robin@example.org");
        assert_eq!(users["items"][0]["status"], "invited");

        // The same email again: said at the email field.
        let (status, _, html) = invite(
            app,
            &admin,
            &token,
            &[
                ("name", "Robin Again"),
                ("email", "robin@example.org"),
                ("organisation_id", &world.epao.to_string()),
                ("role", "assessor"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("Someone with this email already has an account."));

        // An apprentice is invited to their record by their ULN.
        registered(app, world, "tquk", 1).await;
        let (status, _, html) = invite(
            app,
            &admin,
            &token,
            &[
                ("name", "Sam Learner"),
                ("email", "sam@example.org"),
                ("organisation_id", &world.employer.to_string()),
                ("role", "apprentice"),
                ("apprentice_uln", &uln(2)),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"apprentice_uln-error\""), "{html}");
        assert!(html.contains(&format!("value=\"{}\"", uln(2))));
        let (status, location, html) = invite(
            app,
            &admin,
            &token,
            &[
                ("name", "Sam Learner"),
                ("email", "sam@example.org"),
                ("organisation_id", &world.employer.to_string()),
                ("role", "apprentice"),
                ("apprentice_uln", &uln(1)),
            ],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/people?done=invited"),
            "{html}"
        );
        let (_, html) = page(app, &admin, "/people?search=sam%40").await;
        assert!(html.contains("Apprentice at Acme Retail"), "{html}");

        // Without the page's token, nothing is sent.
        let (status, _, _) = post(
            app,
            &admin,
            "/people/invite",
            &[
                ("name", "Eve"),
                ("email", "eve@example.org"),
                ("organisation_id", &world.epao.to_string()),
                ("role", "assessor"),
            ],
        )
        .await;
        assert_eq!(status, 403);
        let (_, list) = page(app, &admin, "/people?search=eve%40").await;
        assert!(list.contains("No one matches that search."));
    }
);

on_both!(
    only_epao_administrators_manage_people,
    async |app: &TestApp, world: &World| {
        for party in [&world.operations, &world.provider_user, &world.assessor] {
            let cookie = signed_in(app, party).await;
            for path in ["/people", "/people/invite"] {
                let (status, html) = page(app, &cookie, path).await;
                assert_eq!(status, 403, "{} {path}", party.email);
                assert!(html.contains("You cannot do this"));
            }
            let (_, home) = page(app, &cookie, "/plans").await;
            assert!(!home.contains("href=\"/people\""), "no People link");
            let token = csrf_of(&home);
            let (status, _, _) = post(
                app,
                &cookie,
                &format!("/people/{}/deactivate", world.employer_user.user_id),
                &[("csrf", token.as_str()), ("reason", "Left")],
            )
            .await;
            assert_eq!(status, 403);
        }
        let (status, _) = page(app, &signed_in(app, &world.employer_user).await, "/epas").await;
        assert_eq!(status, 200, "the employer is still active");
    }
);

on_both!(
    deactivating_and_reactivating_after_confirming,
    async |app: &TestApp, world: &World| {
        let admin = signed_in(app, &world.epao_admin).await;
        let victim = signed_in(app, &world.employer_user).await;
        let path = format!("/people/{}/deactivate", world.employer_user.user_id);
        let (status, html) = page(app, &admin, &path).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains(&world.employer_user.email));
        assert!(html.contains("Deactivate the account"));
        let token = csrf_of(&html);

        // No reason: the error is at the field, and nothing changes.
        let (status, _, html) = post(
            app,
            &admin,
            &path,
            &[("csrf", token.as_str()), ("reason", "  ")],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"reason-error\""));
        assert!(
            html.contains("<a href=\"#reason\">Say why, in at most 2000 characters.</a>"),
            "{html}"
        );
        assert_eq!(page(app, &victim, "/epas").await.0, 200);

        let (status, location, _) = post(
            app,
            &admin,
            &path,
            &[("csrf", token.as_str()), ("reason", "Left the company")],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/people?done=deactivated")
        );
        // Signed out at once, and their API token stops working.
        assert_eq!(page(app, &victim, "/epas").await.0, 303);
        assert_eq!(
            app.get_as(&world.employer_user.token, "/api/v1/epas")
                .await
                .status(),
            401
        );
        let (_, html) = page(
            app,
            &admin,
            &format!("/people?search={}", world.employer_user.email),
        )
        .await;
        assert!(html.contains("<td>Deactivated</td>"));
        assert!(html.contains(&format!(
            "/people/{}/reactivate",
            world.employer_user.user_id
        )));

        // Deactivating twice is refused with a page saying so.
        let (status, _, html) = post(
            app,
            &admin,
            &path,
            &[("csrf", token.as_str()), ("reason", "Again")],
        )
        .await;
        assert_eq!(status, 409);
        assert!(html.contains("This person is already deactivated."));

        let back = format!("/people/{}/reactivate", world.employer_user.user_id);
        let (status, html) = page(app, &admin, &back).await;
        assert_eq!(status, 200);
        assert!(html.contains("Reactivate the account"));
        let (status, location, _) = post(
            app,
            &admin,
            &back,
            &[("csrf", token.as_str()), ("reason", "Came back")],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/people?done=reactivated")
        );
        let (_, html) = page(
            app,
            &admin,
            &format!("/people?search={}", world.employer_user.email),
        )
        .await;
        assert!(html.contains("<td>Active</td>"));
        // Another change word is not a page.
        let (status, _) = page(
            app,
            &admin,
            &format!("/people/{}/delete", world.employer_user.user_id),
        )
        .await;
        assert_eq!(status, 404);
    }
);
