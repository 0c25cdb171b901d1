//! The web application's pages through real HTTP: signing in and out, the
//! session and CSRF gates, the security headers, and what each person sees.

use epa_testkit::TestApp;
use epa_testkit::seed::{Party, World};
use reqwest::header;

use crate::on_both;
use crate::support::{registered, uln};

/// A browser that does not follow redirects, so each answer can be checked.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Gives `party` the password `correct horse battery` (the world's people
/// sign in with tokens only).
async fn with_password(app: &TestApp, party: &Party) {
    let hash = epa_app::accounts::hash_password("correct horse battery".to_owned())
        .await
        .unwrap();
    let mut tx = app.db.begin_write().await.unwrap();
    epa_store::users::set_password_hash(&mut tx, party.user_id, &hash)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Signs `party` in through the sign-in form; the session cookie's
/// `name=value`.
pub async fn signed_in(app: &TestApp, party: &Party) -> String {
    with_password(app, party).await;
    let response = browser()
        .post(app.url("/login"))
        .form(&[
            ("email", party.email.as_str()),
            ("password", "correct horse battery"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "sign-in as {}", party.email);
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    cookie.split(';').next().unwrap().to_owned()
}

/// `GET path` with the session cookie: status and body.
pub async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let response = browser()
        .get(app.url(path))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The CSRF token on a page (the sign-out form carries it on every page).
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    html[at..at + 64].to_owned()
}

/// Every page is a whole, accessible document.
fn assert_document(html: &str, title: &str) {
    assert!(
        html.starts_with("<!doctype html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(
        html.contains(&format!("<title>{title} – OpenEPA</title>")),
        "{title}: {html}"
    );
    assert_eq!(html.matches("<main").count(), 1);
    assert!(html.contains("href=\"#main\""), "a skip link");
}

on_both!(signing_in_and_out, async |app: &TestApp, world: &World| {
    // Not signed in: `/` and every page lead to the sign-in page.
    let response = browser().get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[header::LOCATION], "/login");
    let response = browser().get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/login?next=%2Fdashboard"
    );

    let response = browser().get(app.url("/login")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_document(&response.text().await.unwrap(), "Sign in");

    // A wrong password and an unknown email read the same.
    with_password(app, &world.operations).await;
    let mut answers = Vec::new();
    for (email, password) in [
        (world.operations.email.as_str(), "wrong password"),
        ("nobody-here@example.test", "correct horse battery"),
    ] {
        let response = browser()
            .post(app.url("/login"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        let html = response.text().await.unwrap();
        assert!(html.contains("There is a problem"), "{html}");
        assert!(html.contains("The email address or password is not right"));
        // The email typed is kept; the password never comes back.
        assert!(html.contains(&format!("value=\"{email}\"")));
        assert!(!html.contains(password));
        answers.push(html.replace(email, "EMAIL"));
    }
    assert_eq!(answers[0], answers[1]);

    // Signed in, `/` leads EPAO staff to the dashboard.
    let cookie = signed_in(app, &world.operations).await;
    let response = browser()
        .get(app.url("/"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::LOCATION], "/dashboard");
    let (status, html) = page(app, &cookie, "/dashboard").await;
    assert_eq!(status, 200, "{html}");
    assert_document(&html, "Dashboard");
    assert!(html.contains("EPAs at each stage"));

    // Signing out needs the page's token and ends the session.
    let token = csrf_of(&html);
    let response = browser()
        .post(app.url("/logout"))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = browser()
        .post(app.url("/logout"))
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "a cross-site post is refused");
    assert_eq!(
        page(app, &cookie, "/dashboard").await.0,
        200,
        "still signed in"
    );
    let response = browser()
        .post(app.url("/logout"))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(page(app, &cookie, "/dashboard").await.0, 303, "signed out");
});

on_both!(
    the_dashboard_shows_the_pipeline_week_by_week,
    async |app: &TestApp, world: &World| {
        // Two EPAs registered on Monday 2 November; one withdrawn on Tuesday
        // 17 November, two weeks later.
        let first = registered(app, world, "tquk", 1).await;
        registered(app, world, "innovate", 2).await;
        app.clock.advance(chrono::Duration::days(15));
        let response = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/epas/{}/withdraw", first["id"].as_str().unwrap()),
                &serde_json::json!({"reason": "The apprentice left the employer"}),
            )
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

        let cookie = signed_in(app, &world.operations).await;
        let (status, html) = page(app, &cookie, "/dashboard").await;
        assert_eq!(status, 200, "{html}");
        assert!(
            html.contains("The pipeline over the last 13 weeks"),
            "{html}"
        );
        // The chart has its title, a segment for each week with EPAs in
        // progress, and the table gives the same numbers week by week.
        assert!(html.contains("EPAs in progress at the end of each week, by stage"));
        // Three weeks with registered EPAs, and the legend's swatch.
        assert_eq!(
            html.matches("class=\"chart-series-0\"").count(),
            4,
            "{html}"
        );
        assert_eq!(html.matches("class=\"chart-series-1\"").count(), 1);
        let row = |week: &str| {
            let at = html
                .find(&format!("<th scope=\"row\">{week}</th>"))
                .unwrap_or_else(|| panic!("a row for {week}: {html}"));
            let end = at + html[at..].find("</tr>").unwrap();
            html[at..end]
                .split("<td class=\"numeric\">")
                .skip(1)
                .map(|cell| cell.trim_end_matches("</td>").to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(row("26 Oct"), ["0", "0", "0", "0", "0", "0", "0"]);
        assert_eq!(row("2 Nov"), ["2", "0", "0", "0", "0", "0", "2"]);
        assert_eq!(row("9 Nov"), ["2", "0", "0", "0", "0", "0", "2"]);
        assert_eq!(row("16 Nov"), ["1", "0", "0", "0", "0", "0", "1"]);
        assert!(
            !html.contains("<th scope=\"row\">23 Nov</th>"),
            "the current week is the last"
        );

        // The history is the EPAO's own: a provider is not shown it.
        let provider = signed_in(app, &world.provider_user).await;
        assert_ne!(page(app, &provider, "/dashboard").await.0, 200);
    }
);

on_both!(
    each_party_sees_their_own_apprentices_and_markup_is_text,
    async |app: &TestApp, world: &World| {
        let first = registered(app, world, "tquk", 1).await;
        let response = app
            .post_as(
                &world.operations.token,
                "/api/v1/epas",
                &serde_json::json!({
                    "uln": uln(2),
                    "given_names": "<script>alert(1)</script>",
                    "family_name": "O'Brien & \"Sons\"",
                    "date_of_birth": "2003-04-17",
                    "employer_id": world.employer,
                    "provider_id": world.provider,
                    "standard": "ST0071",
                    "policy": "innovate",
                    "start_date": "2025-06-02",
                }),
            )
            .await;
        assert_eq!(response.status(), 201);
        let second: serde_json::Value = response.json().await.unwrap();

        let provider = signed_in(app, &world.provider_user).await;
        let (status, html) = page(app, &provider, "/epas").await;
        assert_eq!(status, 200);
        assert!(html.contains("Apprentice 1"));
        assert!(
            !html.contains("<script>alert(1)</script>"),
            "markup shows as text"
        );
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{html}"
        );

        let (status, html) = page(
            app,
            &provider,
            &format!("/epas/{}", second["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(status, 200, "{html}");
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("Innovate Awarding"));
        assert!(
            html.contains("aria-current=\"step\""),
            "the journey shows where the EPA is"
        );

        // Search by the start of the family name, in any case, or by ULN.
        let (_, html) = page(app, &provider, "/epas?search=o%27bri").await;
        assert!(html.contains("O&#39;Brien &#38; &#34;Sons&#34;"), "{html}");
        assert!(!html.contains("Apprentice 1"));
        let (_, html) = page(app, &provider, &format!("/epas?search={}", uln(1))).await;
        assert!(html.contains("Apprentice 1"));
        assert!(!html.contains("Brien"));

        // Another provider finds neither, and their EPA pages are not found.
        let other = signed_in(app, &world.other_provider_user).await;
        let (_, html) = page(app, &other, "/epas").await;
        assert!(!html.contains("Apprentice 1"));
        let (status, html) = page(
            app,
            &other,
            &format!("/epas/{}", first["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(status, 404);
        assert!(html.contains("Page not found"));
    }
);

/// EPAO staff whose organisation requires a second factor reach only its
/// set-up page until it is confirmed; then every page, under a new session id.
async fn staff_set_up_a_second_factor_before_any_page(backend: epa_store::Backend) {
    let Some(test_db) = epa_testkit::TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let app = TestApp::spawn_with(test_db.db.clone(), |app| {
        app.accounts.staff_second_factor_required = true;
    })
    .await;
    let world = epa_testkit::seed::world(&app.db, app.clock.now()).await;
    with_password(&app, &world.operations).await;
    let response = browser()
        .post(app.url("/login"))
        .form(&[
            ("email", world.operations.email.as_str()),
            ("password", "correct horse battery"),
            ("next", "/dashboard"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[header::LOCATION], "/second-factor");
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let response = browser()
        .get(app.url("/dashboard"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::LOCATION], "/second-factor");

    let (status, html) = page(&app, &cookie, "/second-factor").await;
    assert_eq!(status, 200, "{html}");
    assert!(!html.contains("href=\"/dashboard\""), "no way round it");
    let at = html.find("name=\"secret\" value=\"").unwrap() + 21;
    let secret = html[at..].split('"').next().unwrap().to_owned();
    let token = csrf_of(&html);
    let confirm = |code: String| {
        let (cookie, token, secret) = (cookie.clone(), token.clone(), secret.clone());
        let app = &app;
        async move {
            browser()
                .post(app.url("/second-factor"))
                .header(header::COOKIE, cookie)
                .form(&[("csrf", token), ("secret", secret), ("code", code)])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong = confirm("000000".to_owned()).await;
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("This code is not right"), "{html}");
    assert!(html.contains(&secret), "the same secret again");

    let code = epa_app::people::second_factor::code_at(&secret, app.clock.now()).unwrap();
    let done = confirm(code).await;
    assert_eq!(done.status(), 200);
    let renewed = done.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(renewed, cookie, "a new session id");
    assert!(done.text().await.unwrap().contains("Your recovery codes"));
    assert_eq!(
        page(&app, &cookie, "/dashboard").await.0,
        303,
        "the old id is gone"
    );
    assert_eq!(page(&app, &renewed, "/dashboard").await.0, 200);
    test_db.finish().await;
}

mod staff_set_up_a_second_factor_before_any_page {
    #[tokio::test]
    async fn sqlite() {
        super::staff_set_up_a_second_factor_before_any_page(epa_store::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::staff_set_up_a_second_factor_before_any_page(epa_store::Backend::Postgres).await;
    }
}

on_both!(
    a_person_chooses_their_emails_and_gets_their_calendar_address_on_their_account_page,
    async |app: &TestApp, world: &World| {
        let cookie = signed_in(app, &world.provider_user).await;
        let (status, html) = page(app, &cookie, "/account").await;
        assert_eq!(status, 200, "{html}");
        assert!(
            html.contains("Your calendar address (shown only now)"),
            "{html}"
        );
        assert!(html.contains("/api/v1/calendar/"));
        // Nothing ticked: every email that may be switched off is off, the
        // ones to act on stay on.
        let token = csrf_of(&html);
        let response = browser()
            .post(app.url("/account/emails"))
            .header(header::COOKIE, &cookie)
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Your email choices are saved.")
        );
        let preferences: serde_json::Value = app
            .get_as(&world.provider_user.token, "/api/v1/me/email-preferences")
            .await
            .json()
            .await
            .unwrap();
        let list = preferences.as_array().unwrap();
        assert!(list.iter().any(|p| p["required"] == false), "{preferences}");
        for preference in list {
            assert_eq!(preference["email"], preference["required"], "{preference}");
        }
        // The address is shown once only.
        let (_, html) = page(app, &cookie, "/account").await;
        assert!(!html.contains("/api/v1/calendar/"));
    }
);

on_both!(
    what_axum_refuses_before_a_page_runs_gets_the_styled_page,
    async |app: &TestApp, world: &World| {
        let cookie = signed_in(app, &world.operations).await;

        // An id that cannot be read: the status kept, no Rust type named.
        let (status, html) = page(app, &cookie, "/epas/not-a-uuid").await;
        assert_eq!(status, 400);
        assert_document(&html, "This web address or form could not be read");
        assert!(!html.contains("UUID"), "{html}");
        assert!(html.contains("Nothing was saved"), "{html}");

        // A path no route has.
        let (status, html) = page(app, &cookie, "/no-such-page").await;
        assert_eq!(status, 404);
        assert_document(&html, "Page not found");

        // A method the page does not take still says which it does.
        let response = browser()
            .delete(app.url("/epas"))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405);
        assert!(response.headers().contains_key(header::ALLOW));
        assert_document(
            &response.text().await.unwrap(),
            "This page cannot be used this way",
        );

        // Our own refusals pass through as they were, and the API keeps its
        // problem details.
        let (status, html) = page(app, &cookie, "/epas/00000000-0000-0000-0000-000000000000").await;
        assert_eq!(status, 404);
        assert_document(&html, "Page not found");
        let response = browser()
            .get(app.url("/api/v1/no-such-thing"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
);
