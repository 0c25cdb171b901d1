//! People, organisations and sign-in through real HTTP on both databases:
//! invite, accept, sign in, deactivate (tokens stop at once), reactivate,
//! token expiry and revocation, and throttled sign-ins.

use chrono::Duration;
use epa_store::{audit, outbox};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;

pub const PASSWORD: &str = "correct horse battery staple";

async fn send(
    app: &TestApp,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let url = app.url(path);
    let mut request = match method {
        "GET" => app.client.get(url),
        "PATCH" => app.client.patch(url),
        "PUT" => app.client.put(url),
        "DELETE" => app.client.delete(url),
        _ => app.client.post(url),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// The secret of the newest invitation (or reset) emailed to `email`.
pub async fn emailed_secret(app: &TestApp, email: &str, kind: &str) -> String {
    let messages = outbox::for_recipient(&app.db, email).await.unwrap();
    let message = messages
        .iter()
        .find(|m| m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} email to {email}"));
    let path = if kind == "invitation" {
        "/invitations/"
    } else {
        "/password-resets/"
    };
    let start = message.body.find(path).expect("the link") + path.len();
    message.body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// Invites someone as `inviter` and accepts for them: their ID and token.
pub async fn invite_and_accept(app: &TestApp, inviter: &str, invitation: Value) -> (Uuid, String) {
    let (status, _, user) = send(
        app,
        Some(inviter),
        "POST",
        "/api/v1/users",
        Some(&invitation),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let email = invitation["email"].as_str().unwrap();
    let secret = emailed_secret(app, email, "invitation").await;
    let (status, _, issued) = send(
        app,
        None,
        "POST",
        "/api/v1/invitations/accept",
        Some(&json!({"token": secret, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{issued}");
    (
        user["id"].as_str().unwrap().parse().unwrap(),
        issued["token"].as_str().unwrap().to_owned(),
    )
}

async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    send(
        app,
        None,
        "POST",
        "/api/v1/tokens",
        Some(&json!({"email": email, "password": password})),
    )
    .await
}

on_both!(
    an_invited_person_sets_a_password_signs_in_and_is_deactivated_at_once,
    async |app: &TestApp, world: &World| {
        let admin = &world.epao_admin.token;
        let (status, _, provider) = send(
            app,
            Some(admin),
            "POST",
            "/api/v1/organisations",
            Some(
                &json!({"kind": "provider", "name": "Riverside Skills", "ukprn": "10055555",
                "contact_name": "Pat Post", "address_line_1": "1 High Street", "city": "Leeds",
                "postcode": "ls1 4ap"}),
            ),
        )
        .await;
        assert_eq!(status, 201, "{provider}");
        assert_eq!(provider["postcode"], "LS1 4AP");
        let provider_id = provider["id"].as_str().unwrap().to_owned();

        let invitation = json!({"email": "Lee@Riverside.example", "name": "Lee Lead",
            "role": "provider_user", "organisation_id": provider_id, "organisation_admin": true});
        let (status, _, invited) =
            send(app, Some(admin), "POST", "/api/v1/users", Some(&invitation)).await;
        assert_eq!(status, 201, "{invited}");
        assert_eq!(invited["status"], "invited");
        assert_eq!(invited["email"], "lee@riverside.example");
        let lee: Uuid = invited["id"].as_str().unwrap().parse().unwrap();
        // Invited, not yet able to sign in.
        assert_eq!(sign_in(app, "lee@riverside.example", PASSWORD).await.0, 401);
        let mail = outbox::for_recipient(&app.db, "lee@riverside.example")
            .await
            .unwrap();
        assert_eq!(mail.len(), 1);
        assert!(
            mail[0].body.contains("http://127.0.0.1:8080/invitations/"),
            "{}",
            mail[0].body
        );
        let secret = emailed_secret(app, "lee@riverside.example", "invitation").await;

        // The password rules, then the link works once.
        let accept = |password: &str| json!({"token": secret, "password": password});
        let (status, _, problem) = send(
            app,
            None,
            "POST",
            "/api/v1/invitations/accept",
            Some(&accept("Password123!")),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "password");
        let (status, _, issued) = send(
            app,
            None,
            "POST",
            "/api/v1/invitations/accept",
            Some(&accept(PASSWORD)),
        )
        .await;
        assert_eq!(status, 200, "{issued}");
        let token = issued["token"].as_str().unwrap().to_owned();
        assert_eq!(
            issued["expires_at"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
            app.clock.now() + Duration::hours(12)
        );
        let (status, _, problem) = send(
            app,
            None,
            "POST",
            "/api/v1/invitations/accept",
            Some(&accept(PASSWORD)),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "token");

        // Signed in, the provider's administrator invites their own people,
        // but not an employer their apprentices do not work for.
        let (status, _, me) = send(app, Some(&token), "GET", "/api/v1/tokens/current", None).await;
        assert_eq!(status, 200, "{me}");
        let (status, _, _) = send(
            app,
            Some(&token),
            "POST",
            "/api/v1/users",
            Some(&json!({
            "email": "colleague@riverside.example", "name": "Col League",
            "role": "provider_user", "organisation_id": provider_id})),
        )
        .await;
        assert_eq!(status, 201);
        let (status, _, _) = send(
            app,
            Some(&token),
            "POST",
            "/api/v1/users",
            Some(&json!({
            "email": "boss@acme.example", "name": "Boss", "role": "employer_user",
            "organisation_id": world.employer})),
        )
        .await;
        assert_eq!(status, 404);
        let (status, _, page) = send(app, Some(&token), "GET", "/api/v1/users", None).await;
        assert_eq!(status, 200, "{page}");
        let names: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Col League", "Lee Lead"]);

        // Deactivated: the token stops at once, and so does signing in.
        let (status, _, user) = send(
            app,
            Some(admin),
            "POST",
            &format!("/api/v1/users/{lee}/deactivate"),
            Some(&json!({"reason": "Left Riverside Skills"})),
        )
        .await;
        assert_eq!(status, 200, "{user}");
        assert_eq!(user["status"], "deactivated");
        assert_eq!(
            send(app, Some(&token), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            401
        );
        assert_eq!(sign_in(app, "lee@riverside.example", PASSWORD).await.0, 401);
        // Nobody deactivates themselves.
        let (status, _, _) = send(
            app,
            Some(admin),
            "POST",
            &format!("/api/v1/users/{}/deactivate", world.epao_admin.user_id),
            Some(&json!({"reason": "Testing"})),
        )
        .await;
        assert_eq!(status, 403);
        let (status, _, user) = send(
            app,
            Some(admin),
            "POST",
            &format!("/api/v1/users/{lee}/reactivate"),
            Some(&json!({"reason": "Came back"})),
        )
        .await;
        assert_eq!(status, 200, "{user}");
        assert_eq!(user["status"], "active");
        // The old token stays revoked; signing in again works.
        assert_eq!(
            send(app, Some(&token), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            401
        );
        assert_eq!(sign_in(app, "lee@riverside.example", PASSWORD).await.0, 201);

        let events = audit::for_entity(&app.db, "user", &lee.to_string())
            .await
            .unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        for expected in [
            "user.invited",
            "user.invitation_accepted",
            "user.deactivated",
            "user.reactivated",
        ] {
            assert!(actions.contains(&expected), "{actions:?}");
        }
        assert!(matches!(
            audit::verify(&app.db).await.unwrap(),
            audit::Verdict::Intact { .. }
        ));
    }
);

on_both!(
    an_invitation_lasts_seven_days,
    async |app: &TestApp, world: &World| {
        let (status, _, _) = send(
            app,
            Some(&world.epao_admin.token),
            "POST",
            "/api/v1/users",
            Some(&json!({
            "email": "late@acme.example", "name": "Late Comer", "role": "employer_user",
            "organisation_id": world.employer})),
        )
        .await;
        assert_eq!(status, 201);
        let secret = emailed_secret(app, "late@acme.example", "invitation").await;
        app.clock.advance(Duration::days(7) + Duration::seconds(1));
        let (status, _, problem) = send(
            app,
            None,
            "POST",
            "/api/v1/invitations/accept",
            Some(&json!({"token": secret, "password": PASSWORD})),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "token");
    }
);

on_both!(
    tokens_expire_and_are_revoked_by_their_holder_or_an_admin,
    async |app: &TestApp, world: &World| {
        let admin = &world.epao_admin.token;
        let (sam, first) = invite_and_accept(
            app,
            admin,
            json!({"email": "sam@acme.example",
            "name": "Sam Shop", "role": "employer_user", "organisation_id": world.employer}),
        )
        .await;
        let (status, _, second) = sign_in(app, "sam@acme.example", PASSWORD).await;
        assert_eq!(status, 201);
        let second = second["token"].as_str().unwrap().to_owned();
        let (status, _, mine) = send(app, Some(&first), "GET", "/api/v1/tokens", None).await;
        assert_eq!(status, 200);
        assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
        assert!(
            mine.to_string().find("epa_").is_none(),
            "tokens are never shown again"
        );

        // Signing out stops the token used, not the other one.
        assert_eq!(
            send(app, Some(&first), "DELETE", "/api/v1/tokens/current", None)
                .await
                .0,
            204
        );
        assert_eq!(
            send(app, Some(&first), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            401
        );
        assert_eq!(
            send(app, Some(&second), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            200
        );

        // Someone else's tokens: not an employer user's business, an admin's.
        let path = format!("/api/v1/users/{}/tokens", world.epao_admin.user_id);
        assert_eq!(send(app, Some(&second), "GET", &path, None).await.0, 404);
        let (status, _, listed) = send(
            app,
            Some(admin),
            "GET",
            &format!("/api/v1/users/{sam}/tokens"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let id = listed[0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            send(
                app,
                Some(&second),
                "DELETE",
                &format!("/api/v1/tokens/{}", Uuid::now_v7()),
                None
            )
            .await
            .0,
            404
        );
        assert_eq!(
            send(
                app,
                Some(admin),
                "DELETE",
                &format!("/api/v1/tokens/{id}"),
                None
            )
            .await
            .0,
            204
        );
        assert_eq!(
            send(app, Some(&second), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            401
        );

        // A token lasts 12 hours.
        let (_, _, third) = sign_in(app, "sam@acme.example", PASSWORD).await;
        let third = third["token"].as_str().unwrap().to_owned();
        app.clock
            .advance(Duration::hours(12) - Duration::seconds(1));
        assert_eq!(
            send(app, Some(&third), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            200
        );
        app.clock.advance(Duration::seconds(1));
        assert_eq!(
            send(app, Some(&third), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            401
        );
        let (_, _, fourth) = sign_in(app, "sam@acme.example", PASSWORD).await;
        let fourth = fourth["token"].as_str().unwrap().to_owned();
        assert_eq!(
            send(
                app,
                Some(admin),
                "DELETE",
                &format!("/api/v1/users/{sam}/tokens"),
                None
            )
            .await
            .0,
            204
        );
        assert_eq!(
            send(app, Some(&fourth), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            401
        );
    }
);

on_both!(
    repeated_wrong_passwords_wait_longer_each_time_and_are_audited,
    async |app: &TestApp, world: &World| {
        let (pat, _) = invite_and_accept(
            app,
            &world.epao_admin.token,
            json!({"email": "pat@acme.example",
            "name": "Pat Guess", "role": "employer_user", "organisation_id": world.employer}),
        )
        .await;
        // An unknown email and a wrong password answer alike.
        let (_, _, unknown) = sign_in(app, "nobody@acme.example", "wrong password here").await;
        app.clock.advance(Duration::minutes(16));
        let mut wrong = Value::Null;
        for _ in 0..5 {
            let (status, _, problem) =
                sign_in(app, "pat@acme.example", "wrong password here").await;
            assert_eq!(status, 401);
            wrong = problem;
        }
        assert_eq!(unknown, wrong);
        // The sixth try waits, even with the right password.
        let (status, headers, problem) = sign_in(app, "pat@acme.example", PASSWORD).await;
        assert_eq!(status, 429, "{problem}");
        assert_eq!(headers["retry-after"], "30");
        app.clock.advance(Duration::seconds(30));
        let (status, _, _) = sign_in(app, "pat@acme.example", "wrong password here").await;
        assert_eq!(status, 401);
        let (status, headers, _) = sign_in(app, "pat@acme.example", PASSWORD).await;
        assert_eq!(status, 429);
        assert_eq!(headers["retry-after"], "60");
        app.clock.advance(Duration::seconds(60));
        let (status, _, _) = sign_in(app, "pat@acme.example", PASSWORD).await;
        assert_eq!(
            status, 201,
            "the right password gets in once the wait is over"
        );
        let events = audit::for_entity(&app.db, "sign_in", &pat.to_string())
            .await
            .unwrap();
        let throttled = events
            .iter()
            .filter(|e| e.action == "sign_in.throttled")
            .count();
        let failed = events
            .iter()
            .filter(|e| e.action == "sign_in.failed")
            .count();
        assert_eq!((throttled, failed), (2, 6));
    }
);

on_both!(
    people_are_listed_by_name_filtered_and_searched_a_page_at_a_time,
    async |app: &TestApp, world: &World| {
        let admin = &world.epao_admin.token;
        let (status, _, page) = send(app, Some(admin), "GET", "/api/v1/users?limit=3", None).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["items"].as_array().unwrap().len(), 3);
        let cursor = page["next_cursor"].as_str().unwrap().to_owned();
        let (_, _, next) = send(
            app,
            Some(admin),
            "GET",
            &format!("/api/v1/users?limit=3&cursor={cursor}"),
            None,
        )
        .await;
        assert_ne!(page["items"][0]["id"], next["items"][0]["id"]);
        let (_, _, assessors) =
            send(app, Some(admin), "GET", "/api/v1/users?role=assessor", None).await;
        assert_eq!(assessors["items"].as_array().unwrap().len(), 2);
        let (_, _, found) = send(
            app,
            Some(admin),
            "GET",
            "/api/v1/users?q=OTHER.EXAMPLE",
            None,
        )
        .await;
        assert_eq!(found["items"].as_array().unwrap().len(), 2, "{found}");
        let (_, _, at_employer) = send(
            app,
            Some(admin),
            "GET",
            &format!("/api/v1/users?organisation_id={}", world.employer),
            None,
        )
        .await;
        assert_eq!(at_employer["items"].as_array().unwrap().len(), 1);
        // Not for everyone.
        assert_eq!(
            send(
                app,
                Some(&world.assessor.token),
                "GET",
                "/api/v1/users",
                None
            )
            .await
            .0,
            403
        );
        assert_eq!(
            send(app, Some(admin), "GET", "/api/v1/users?role=wizard", None)
                .await
                .0,
            422
        );
    }
);

on_both!(
    a_password_is_reset_by_a_link_that_works_once_for_an_hour,
    async |app: &TestApp, world: &World| {
        let (_, old_token) = invite_and_accept(
            app,
            &world.epao_admin.token,
            json!({"email": "kim@acme.example",
            "name": "Kim Forget", "role": "employer_user", "organisation_id": world.employer}),
        )
        .await;
        let ask = |email: &str| json!({"email": email});
        // The same answer whether or not the account exists.
        let (status, _, _) = send(
            app,
            None,
            "POST",
            "/api/v1/password-resets",
            Some(&ask("nobody@acme.example")),
        )
        .await;
        assert_eq!(status, 202);
        assert!(
            outbox::for_recipient(&app.db, "nobody@acme.example")
                .await
                .unwrap()
                .is_empty()
        );
        let (status, _, _) = send(
            app,
            None,
            "POST",
            "/api/v1/password-resets",
            Some(&ask("KIM@acme.example")),
        )
        .await;
        assert_eq!(status, 202);
        let secret = emailed_secret(app, "kim@acme.example", "password_reset").await;
        let complete = |password: &str| json!({"token": secret, "password": password});
        // An hour and a second later the link no longer works.
        app.clock.advance(Duration::hours(1) + Duration::seconds(1));
        let (status, _, problem) = send(
            app,
            None,
            "POST",
            "/api/v1/password-resets/complete",
            Some(&complete("a brand new passphrase")),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        // A new one does, once; a weak password is refused without using it.
        send(
            app,
            None,
            "POST",
            "/api/v1/password-resets",
            Some(&ask("kim@acme.example")),
        )
        .await;
        let secret = emailed_secret(app, "kim@acme.example", "password_reset").await;
        let complete = |password: &str| json!({"token": secret, "password": password});
        let (status, _, problem) = send(
            app,
            None,
            "POST",
            "/api/v1/password-resets/complete",
            Some(&complete("kimforget2026")),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "password");
        let (status, _, issued) = send(
            app,
            None,
            "POST",
            "/api/v1/password-resets/complete",
            Some(&complete("a brand new passphrase")),
        )
        .await;
        assert_eq!(status, 200, "{issued}");
        let (status, _, _) = send(
            app,
            None,
            "POST",
            "/api/v1/password-resets/complete",
            Some(&complete("another new passphrase")),
        )
        .await;
        assert_eq!(status, 422);
        // The old password and the old token no longer work; the new ones do.
        assert_eq!(
            send(app, Some(&old_token), "GET", "/api/v1/tokens/current", None)
                .await
                .0,
            401
        );
        assert_eq!(sign_in(app, "kim@acme.example", PASSWORD).await.0, 401);
        assert_eq!(
            sign_in(app, "kim@acme.example", "a brand new passphrase")
                .await
                .0,
            201
        );
    }
);

on_both!(
    an_assessor_keeps_their_regions_capacity_and_unavailable_days,
    async |app: &TestApp, world: &World| {
        let path = format!("/api/v1/users/{}/assessor-profile", world.assessor.user_id);
        let me = &world.assessor.token;
        let (status, _, none) = send(app, Some(me), "GET", &path, None).await;
        assert_eq!((status, none), (200, Value::Null));
        let profile = json!({"regions": ["london", "south_east"], "max_per_day": 2, "max_per_week": 8,
            "unavailable_days": ["2026-11-20", "2026-11-19"]});
        let (status, _, saved) = send(app, Some(me), "PUT", &path, Some(&profile)).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(
            saved["unavailable_days"],
            json!(["2026-11-19", "2026-11-20"])
        );
        // A second save names the version it changes.
        let (status, _, problem) = send(app, Some(me), "PUT", &path, Some(&profile)).await;
        assert_eq!(status, 422, "{problem}");
        let mut again = profile.clone();
        again["record_version"] = json!(7);
        assert_eq!(send(app, Some(me), "PUT", &path, Some(&again)).await.0, 412);
        again["record_version"] = saved["record_version"].clone();
        again["max_per_week"] = json!(11);
        let (status, _, problem) = send(app, Some(me), "PUT", &path, Some(&again)).await;
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0]["field"], "max_per_week");
        again["max_per_week"] = json!(10);
        let (status, _, saved) = send(
            app,
            Some(&world.operations.token),
            "PUT",
            &path,
            Some(&again),
        )
        .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["max_per_week"], 10);
        // Declared conflicts show on the profile.
        let (status, _, _) = send(
            app,
            Some(me),
            "POST",
            "/api/v1/conflicts",
            Some(&json!({
            "user_id": world.assessor.user_id, "organisation_id": world.employer,
            "reason": "My sister works there"})),
        )
        .await;
        assert!(status == 201 || status == 200, "{status}");
        let (_, _, read) = send(app, Some(&world.quality_assurer.token), "GET", &path, None).await;
        assert_eq!(read["conflicts"].as_array().unwrap().len(), 1, "{read}");
        // Not for another assessor or a provider; not a profile of a non-assessor.
        let other = format!(
            "/api/v1/users/{}/assessor-profile",
            world.second_assessor.user_id
        );
        assert_eq!(
            send(app, Some(me), "PUT", &other, Some(&profile)).await.0,
            403
        );
        assert_eq!(
            send(app, Some(&world.provider_user.token), "GET", &path, None)
                .await
                .0,
            404
        );
        let ops_path = format!(
            "/api/v1/users/{}/assessor-profile",
            world.operations.user_id
        );
        assert_eq!(
            send(app, Some(&world.epao_admin.token), "GET", &ops_path, None)
                .await
                .0,
            409
        );
    }
);

/// The code `secret`'s authenticator shows at the test clock's now.
fn code_now(app: &TestApp, secret: &str) -> String {
    epa_app::people::second_factor::code_at(secret, app.clock.now()).unwrap()
}

on_both!(
    a_second_factor_is_asked_for_after_the_password_and_each_code_works_once,
    async |app: &TestApp, world: &World| {
        let (_, token) = invite_and_accept(
            app,
            &world.epao_admin.token,
            json!({"email": "two@acme.example",
            "name": "Two Factors", "role": "employer_user", "organisation_id": world.employer}),
        )
        .await;
        let (status, _, enrolment) =
            send(app, Some(&token), "POST", "/api/v1/second-factor", None).await;
        assert_eq!(status, 200, "{enrolment}");
        let secret = enrolment["secret"].as_str().unwrap().to_owned();
        assert!(
            enrolment["otpauth_uri"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/OpenEPA%3Atwo%40acme.example?secret=")
        );
        let (status, _, _) = send(
            app,
            Some(&token),
            "POST",
            "/api/v1/second-factor/confirm",
            Some(&json!({"code": "000000"})),
        )
        .await;
        assert_eq!(status, 422);
        let (status, _, codes) = send(
            app,
            Some(&token),
            "POST",
            "/api/v1/second-factor/confirm",
            Some(&json!({"code": code_now(app, &secret)})),
        )
        .await;
        assert_eq!(status, 200, "{codes}");
        let recovery: Vec<String> = codes["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(recovery.len(), 10);

        // The password alone is not enough now.
        let (status, _, problem) = sign_in(app, "two@acme.example", PASSWORD).await;
        assert_eq!(status, 401);
        assert_eq!(
            problem["type"],
            "https://openepa.org/problems/second-factor-required"
        );
        // The same code does not work twice; the next step's does.
        let with =
            |code: &str| json!({"email": "two@acme.example", "password": PASSWORD, "code": code});
        let used = code_now(app, &secret);
        assert_eq!(
            send(app, None, "POST", "/api/v1/tokens", Some(&with(&used)))
                .await
                .0,
            401
        );
        app.clock.advance(Duration::seconds(30));
        let (status, _, _) = send(
            app,
            None,
            "POST",
            "/api/v1/tokens",
            Some(&with(&code_now(app, &secret))),
        )
        .await;
        assert_eq!(status, 201);
        // A recovery code works once, in place of the authenticator.
        let (status, _, _) = send(
            app,
            None,
            "POST",
            "/api/v1/tokens",
            Some(&with(&recovery[0])),
        )
        .await;
        assert_eq!(status, 201);
        let (status, _, _) = send(
            app,
            None,
            "POST",
            "/api/v1/tokens",
            Some(&with(&recovery[0])),
        )
        .await;
        assert_eq!(status, 401);
        // A wrong password with a right code is still wrong.
        app.clock.advance(Duration::seconds(30));
        let wrong = json!({"email": "two@acme.example", "password": "not the password at all", "code": code_now(app, &secret)});
        assert_eq!(
            send(app, None, "POST", "/api/v1/tokens", Some(&wrong))
                .await
                .0,
            401
        );
        assert_eq!(
            send(app, Some(&token), "POST", "/api/v1/second-factor", None)
                .await
                .0,
            409
        );
    }
);

async fn staff_must_have_a_second_factor(backend: epa_store::Backend) {
    let Some(test_db) = epa_testkit::TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let app = TestApp::spawn_with(test_db.db.clone(), |app| {
        app.accounts.staff_second_factor_required = true;
    })
    .await;
    let world = epa_testkit::seed::world(&app.db, app.clock.now()).await;
    let admin = &world.epao_admin.token;
    invite_and_accept(
        &app,
        admin,
        json!({"email": "ops2@epao.example", "name": "Ops Two",
        "role": "epao_operations", "organisation_id": world.epao}),
    )
    .await;
    invite_and_accept(
        &app,
        admin,
        json!({"email": "boss@acme.example", "name": "Boss Person",
        "role": "employer_user", "organisation_id": world.employer}),
    )
    .await;
    // An employer signs in as before.
    let (status, _, issued) = sign_in(&app, "boss@acme.example", PASSWORD).await;
    assert_eq!(status, 201);
    assert_eq!(issued["second_factor_setup_required"], false);
    // EPAO staff get a token good only for setting one up.
    let (status, _, issued) = sign_in(&app, "ops2@epao.example", PASSWORD).await;
    assert_eq!(status, 201);
    assert_eq!(issued["second_factor_setup_required"], true);
    let token = issued["token"].as_str().unwrap().to_owned();
    assert_eq!(
        send(&app, Some(&token), "GET", "/api/v1/epas", None)
            .await
            .0,
        403
    );
    assert_eq!(
        send(&app, Some(&token), "GET", "/api/v1/tokens/current", None)
            .await
            .0,
        200
    );
    let (_, _, enrolment) = send(&app, Some(&token), "POST", "/api/v1/second-factor", None).await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let (status, _, _) = send(
        &app,
        Some(&token),
        "POST",
        "/api/v1/second-factor/confirm",
        Some(&json!({"code": code_now(&app, &secret)})),
    )
    .await;
    assert_eq!(status, 200);
    // Set up: the same token now works everywhere.
    assert_eq!(
        send(&app, Some(&token), "GET", "/api/v1/epas", None)
            .await
            .0,
        200
    );
    test_db.finish().await;
}

mod staff_must_have_a_second_factor_when_the_setting_says_so {
    #[tokio::test]
    async fn sqlite() {
        super::staff_must_have_a_second_factor(epa_store::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::staff_must_have_a_second_factor(epa_store::Backend::Postgres).await;
    }
}
