//! Notifications through the API: calendar invites follow a booking through
//! its reschedule and cancellation; the private calendar feed serves the
//! right bookings to the right person and nothing once revoked; email
//! preferences hold back what may be switched off; EPAO admins see and
//! retry the emails given up. On SQLite and, when `EPA_TEST_PG_URL` is
//! set, PostgreSQL.

use chrono::Duration;
use epa_store::outbox::{self, OutboxMessage};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;
use crate::planning::{planned, slot};

async fn booked(app: &TestApp, world: &World, epa: &str, body: Value) -> String {
    let response = app
        .post_as(
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/bookings"),
            &body,
        )
        .await;
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    answer["booking"]["id"].as_str().unwrap().to_owned()
}

async fn newest(app: &TestApp, email: &str, kind: &str) -> OutboxMessage {
    outbox::for_recipient(&app.db, email)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} to {email}"))
}

/// The value of an unfolded iCalendar property line.
fn property<'a>(calendar: &'a str, name: &str) -> &'a str {
    calendar
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} in {calendar}"))
        .trim_end()
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

on_both!(
    invites_keep_their_uid_and_raise_the_sequence_until_cancelled,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 41).await;
        let first = booked(
            app,
            world,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        let invite = newest(app, &world.assessor.email, "booking_booked").await;
        let calendar = invite
            .calendar
            .clone()
            .expect("the assessor is sent an invite");
        assert_eq!(property(&calendar, "METHOD"), "REQUEST");
        assert_eq!(property(&calendar, "SEQUENCE"), "0");
        // 10:00 in London on 16 November is 10:00 UTC.
        assert_eq!(property(&calendar, "DTSTART"), "20261116T100000Z");
        let uid = property(&calendar, "UID").to_owned();
        assert!(
            invite
                .html
                .as_deref()
                .unwrap()
                .contains(&format!("/epas/{epa}"))
        );
        // The provider is told, without an invite: they do not attend.
        let told = newest(app, &world.provider_user.email, "booking_booked").await;
        assert!(told.calendar.is_none());

        let response = app
            .post_as(
                &world.assessor.token,
                &format!("/api/v1/bookings/{first}/reschedule"),
                &json!({"date": "2026-11-19", "start_time": "14:30", "reason": "Apprentice on leave"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let moved: Value = response.json().await.unwrap();
        let second = moved["booking"]["id"].as_str().unwrap().to_owned();
        let calendar = newest(app, &world.assessor.email, "booking_moved")
            .await
            .calendar
            .unwrap();
        assert_eq!(property(&calendar, "METHOD"), "REQUEST");
        assert_eq!(property(&calendar, "UID"), uid, "the same event, moved");
        assert_eq!(property(&calendar, "SEQUENCE"), "1");
        assert_eq!(property(&calendar, "DTSTART"), "20261119T143000Z");

        let response = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/bookings/{second}/cancel"),
                &json!({"reason": "Employer closed for refit"}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let calendar = newest(app, &world.assessor.email, "booking_cancelled")
            .await
            .calendar
            .unwrap();
        assert_eq!(property(&calendar, "METHOD"), "CANCEL");
        assert_eq!(property(&calendar, "UID"), uid);
        assert_eq!(property(&calendar, "SEQUENCE"), "2");
        assert_eq!(property(&calendar, "STATUS"), "CANCELLED");
    }
);

on_both!(
    a_move_to_another_assessor_cancels_it_in_the_first_ones_calendar,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 42).await;
        let first = booked(
            app,
            world,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        let response = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/bookings/{first}/reschedule"),
                &json!({"date": "2026-11-17", "start_time": "10:00", "reason": "Assessor unwell",
                        "assessor_id": world.second_assessor.user_id}),
            )
            .await;
        let status = response.status();
        assert_eq!(status, 201, "{}", response.text().await.unwrap());
        let gone = newest(app, &world.assessor.email, "booking_handed_over")
            .await
            .calendar
            .unwrap();
        let new = newest(app, &world.second_assessor.email, "booking_moved")
            .await
            .calendar
            .unwrap();
        assert_eq!(property(&gone, "METHOD"), "CANCEL");
        assert_eq!(property(&new, "METHOD"), "REQUEST");
        assert_eq!(property(&gone, "UID"), property(&new, "UID"));
    }
);

on_both!(
    a_reallocation_hands_each_booking_over_in_both_calendars,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 46).await;
        booked(
            app,
            world,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        let uid = property(
            &newest(app, &world.assessor.email, "booking_booked")
                .await
                .calendar
                .unwrap(),
            "UID",
        )
        .to_owned();
        let response = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/epas/{epa}/assessor"),
                &json!({"assessor_id": world.second_assessor.user_id, "reason": "Assessor on leave"}),
            )
            .await;
        let status = response.status();
        assert_eq!(status, 200, "{}", response.text().await.unwrap());
        let gone = newest(app, &world.assessor.email, "booking_handed_over").await;
        let gone_calendar = gone.calendar.unwrap();
        assert_eq!(property(&gone_calendar, "METHOD"), "CANCEL");
        assert_eq!(property(&gone_calendar, "UID"), uid);
        assert!(gone.body.contains("no longer yours"), "{}", gone.body);
        let new = newest(app, &world.second_assessor.email, "booking_booked")
            .await
            .calendar
            .unwrap();
        assert_eq!(property(&new, "METHOD"), "REQUEST");
        assert_eq!(property(&new, "UID"), uid);
        assert!(new.contains(&world.second_assessor.email));
    }
);

on_both!(
    the_feed_serves_the_right_bookings_and_nothing_once_revoked,
    async |app: &TestApp, world: &World| {
        let epa = planned(app, world, "tquk", 43).await;
        let first = booked(
            app,
            world,
            &epa,
            slot("observation", "2026-11-16", "in_person"),
        )
        .await;
        let uid = property(
            &newest(app, &world.assessor.email, "booking_booked")
                .await
                .calendar
                .unwrap(),
            "UID",
        )
        .to_owned();

        let feed_of = async |token: &str| -> String {
            let response = app.get_as(token, "/api/v1/me/calendar").await;
            assert_eq!(response.status(), 200);
            let feed: Value = response.json().await.unwrap();
            let url = feed["url"].as_str().expect("made now, so shown").to_owned();
            url[url.find("/api/v1/").unwrap()..].to_owned()
        };
        let assessor_feed = feed_of(&world.assessor.token).await;
        let again: Value = app
            .get_as(&world.assessor.token, "/api/v1/me/calendar")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again["url"], Value::Null, "only a hash is kept");
        assert!(again["issued_at"].is_string());

        // No token: the secret is the key.
        let response = app.get(&assessor_feed).await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let text = response.text().await.unwrap();
        assert!(text.contains(&format!("UID:{uid}")), "{text}");
        assert!(!text.contains("METHOD:"), "a feed is published, not sent");
        // Moved: the feed shows the one event, moved, as the invite did.
        let response = app
            .post_as(
                &world.operations.token,
                &format!("/api/v1/bookings/{first}/reschedule"),
                &json!({"date": "2026-11-19", "start_time": "14:30", "reason": "Apprentice on leave"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let text = app.get(&assessor_feed).await.text().await.unwrap();
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1, "{text}");
        assert!(text.contains(&format!("UID:{uid}")), "{text}");
        assert!(text.contains("SEQUENCE:1"), "{text}");
        assert!(text.contains("DTSTART:20261119T143000Z"), "{text}");

        let provider = app
            .get(&feed_of(&world.provider_user.token).await)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            provider.contains(&format!("UID:{uid}")),
            "the EPA's provider sees it"
        );
        let stranger = app
            .get(&feed_of(&world.other_provider_user.token).await)
            .await
            .text()
            .await
            .unwrap();
        assert!(stranger.contains("BEGIN:VCALENDAR"));
        assert!(
            !stranger.contains("BEGIN:VEVENT"),
            "another provider sees none: {stranger}"
        );

        // Renewed: the old address stops, the new one works.
        let renewed: Value = app
            .post_as(&world.assessor.token, "/api/v1/me/calendar", &json!({}))
            .await
            .json()
            .await
            .unwrap();
        let renewed = renewed["url"].as_str().unwrap();
        let renewed = &renewed[renewed.find("/api/v1/").unwrap()..];
        assert_eq!(app.get(&assessor_feed).await.status(), 404);
        assert_eq!(app.get(renewed).await.status(), 200);

        // Revoked: nothing.
        let response = send(
            app,
            reqwest::Method::DELETE,
            &world.assessor.token,
            "/api/v1/me/calendar",
            None,
        )
        .await;
        assert_eq!(response.status(), 204);
        let response = app.get(renewed).await;
        assert_eq!(response.status(), 404);
        assert!(!response.text().await.unwrap().contains("VEVENT"));
        let response = send(
            app,
            reqwest::Method::DELETE,
            &world.assessor.token,
            "/api/v1/me/calendar",
            None,
        )
        .await;
        assert_eq!(response.status(), 404);
        assert_eq!(
            app.get("/api/v1/calendar/not-a-secret.ics").await.status(),
            404
        );
    }
);

on_both!(
    email_preferences_hold_back_only_what_may_be_switched_off,
    async |app: &TestApp, world: &World| {
        let token = &world.provider_user.token;
        let list: Vec<Value> = app
            .get_as(token, "/api/v1/me/email-preferences")
            .await
            .json()
            .await
            .unwrap();
        let booking = list.iter().find(|p| p["kind"] == "booking_booked").unwrap();
        assert_eq!(booking["required"], true);
        assert_eq!(booking["email"], true);

        let path = "/api/v1/me/email-preferences/booking_booked";
        let response = send(
            app,
            reqwest::Method::PUT,
            token,
            path,
            Some(json!({"email": false})),
        )
        .await;
        assert_eq!(response.status(), 422);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "email");
        let response = send(
            app,
            reqwest::Method::PUT,
            token,
            "/api/v1/me/email-preferences/nonsense",
            Some(json!({"email": false})),
        )
        .await;
        assert_eq!(response.status(), 404);

        let path = "/api/v1/me/email-preferences/planning_meeting_held";
        let response = send(
            app,
            reqwest::Method::PUT,
            token,
            path,
            Some(json!({"email": false})),
        )
        .await;
        assert_eq!(response.status(), 200);
        let list: Vec<Value> = response.json().await.unwrap();
        let meeting = list
            .iter()
            .find(|p| p["kind"] == "planning_meeting_held")
            .unwrap();
        assert_eq!(meeting["email"], false);

        planned(app, world, "tquk", 44).await;
        let kinds = |email: String| async move {
            outbox::for_recipient(&app.db, &email)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.kind)
                .collect::<Vec<_>>()
        };
        assert!(
            !kinds(world.provider_user.email.clone())
                .await
                .contains(&"planning_meeting_held".to_owned())
        );
        assert!(
            kinds(world.employer_user.email.clone())
                .await
                .contains(&"planning_meeting_held".to_owned())
        );

        // Switched on again.
        let response = send(
            app,
            reqwest::Method::PUT,
            token,
            path,
            Some(json!({"email": true})),
        )
        .await;
        assert_eq!(response.status(), 200);
        assert!(
            epa_store::email_preferences::switched_off(&app.db, world.provider_user.user_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both!(
    epao_admins_see_and_retry_the_emails_given_up,
    async |app: &TestApp, world: &World| {
        // Two emails, one given up after its last try.
        planned(app, world, "tquk", 45).await;
        let worker = Uuid::now_v7();
        let now = app.clock.now();
        let claimed = outbox::claim(&app.db, worker, now, Duration::minutes(5), 1)
            .await
            .unwrap();
        let failed = outbox::mark_failed(
            &app.db,
            &claimed[0],
            worker,
            "550 mailbox unavailable",
            now,
            1,
        )
        .await
        .unwrap();
        assert_eq!(failed, outbox::Failure::GivenUp);

        let response = app.get_as(&world.operations.token, "/api/v1/outbox").await;
        assert_eq!(
            response.status(),
            403,
            "operations staff do not run delivery"
        );
        let response = app
            .get_as(&world.epao_admin.token, "/api/v1/outbox?state=failed")
            .await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["failed"], 1);
        assert_eq!(page["items"][0]["id"], json!(claimed[0].id));
        assert_eq!(page["items"][0]["last_error"], "550 mailbox unavailable");
        assert_eq!(page["items"][0]["state"], "failed");
        let response = app
            .get_as(&world.epao_admin.token, "/api/v1/outbox?state=lost")
            .await;
        assert_eq!(response.status(), 422);

        let path = format!("/api/v1/outbox/{}/retry", claimed[0].id);
        let response = app
            .post_as(&world.epao_admin.token, &path, &json!({}))
            .await;
        assert_eq!(response.status(), 200);
        let retried: Value = response.json().await.unwrap();
        assert_eq!(retried["state"], "queued");
        assert_eq!(retried["attempts"], 0);
        let response = app
            .post_as(&world.epao_admin.token, &path, &json!({}))
            .await;
        assert_eq!(response.status(), 409, "only a given-up email is retried");
        let path = format!("/api/v1/outbox/{}/retry", Uuid::now_v7());
        assert_eq!(
            app.post_as(&world.epao_admin.token, &path, &json!({}))
                .await
                .status(),
            404
        );
        let response = app
            .post_as(&world.operations.token, &path, &json!({}))
            .await;
        assert_eq!(response.status(), 403);
    }
);
