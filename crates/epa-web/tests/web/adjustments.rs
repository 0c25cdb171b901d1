//! Reasonable adjustments through real HTTP: EPAO staff decide extra time,
//! and bookings and sittings then allow the adjusted window (an apprentice
//! granted 25% extra time can sit a 75-minute observation). Each test runs
//! on SQLite and, when `EPA_TEST_PG_URL` is set, PostgreSQL.

use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};

use crate::assessment::planned;
use crate::on_both;
use crate::support::with_booking;

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = app.post_as(token, path, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An Innovate observation of 75 minutes: questions come during it, so
/// without extra time it is over the 66 minutes 60 +/-10% allows.
fn long_sitting() -> Value {
    json!({"method": "observation", "held_on": "2026-11-02", "start_time": "09:00",
           "end_time": "10:15", "questioning_minutes": 8})
}

fn long_booking() -> Value {
    json!({"method": "observation", "date": "2026-11-23", "start_time": "09:00",
           "mode": "in_person", "duration_minutes": 75})
}

on_both!(
    extra_time_decided_by_staff_lets_a_longer_booking_and_sitting_through,
    async |app: &TestApp, world: &World| {
        // One EPA is booked, another sat: a sitting needs its own booking.
        let (epa, _) = planned(app, world, "innovate", 1, world.assessor.user_id).await;
        let (sat_epa, _) = planned(app, world, "innovate", 2, world.assessor.user_id).await;
        let bookings = format!("/api/v1/epas/{epa}/bookings");
        let sittings = format!("/api/v1/epas/{sat_epa}/assessments");
        let adjustment = format!("/api/v1/epas/{epa}/adjustment");

        // Without an adjustment the 75 minutes are refused, both ways.
        let (status, problem) =
            post(app, &world.operations.token, &bookings, &long_booking()).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(
            problem["errors"][0]["field"], "duration_minutes",
            "{problem}"
        );
        let body = with_booking(app, sat_epa, &long_sitting()).await;
        let (status, problem) = post(app, &world.assessor.token, &sittings, &body).await;
        assert_eq!(status, 422, "{problem}");
        assert!(problem.to_string().contains("end_time"), "{problem}");

        // Refusals change nothing.
        for (token, body, expected) in [
            (
                &world.operations.token,
                json!({"extra_minutes": 15, "extra_percent": 25, "reason": "Dyslexia"}),
                422,
            ),
            (
                &world.operations.token,
                json!({"extra_percent": 0, "reason": "Dyslexia"}),
                422,
            ),
            (
                &world.operations.token,
                json!({"extra_percent": 25, "reason": "  "}),
                422,
            ),
            (
                &world.provider_user.token,
                json!({"extra_percent": 25, "reason": "Dyslexia"}),
                403,
            ),
            (
                &world.assessor.token,
                json!({"extra_percent": 25, "reason": "Dyslexia"}),
                403,
            ),
        ] {
            let (status, answer) = post(app, token, &adjustment, &body).await;
            assert_eq!(status, expected, "{body}: {answer}");
        }
        let none: Value = app
            .get_as(&world.provider_user.token, &adjustment)
            .await
            .json()
            .await
            .unwrap();
        assert!(none.is_null(), "{none}");

        let response = app
            .post_as(
                &world.operations.token,
                &adjustment,
                &json!({"extra_percent": 25, "arrangements": "A quiet room", "reason": "Dyslexia: extra time agreed at gateway"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        assert!(response.headers().get("location").is_some());
        let decided: Value = response.json().await.unwrap();
        let observation = decided["windows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["method"] == "observation")
            .unwrap()
            .clone();
        assert_eq!(observation["planned_minutes"], 75, "{decided}");
        assert_eq!(observation["max_minutes"], 83, "{decided}");
        let seen: Value = app
            .get_as(&world.provider_user.token, &adjustment)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(seen["extra_percent"], 25);
        assert_eq!(seen["arrangements"], "A quiet room");
        assert_eq!(seen["reason"], "Dyslexia: extra time agreed at gateway");
        // The assessor needs the arrangements, not the reason (health).
        let assessor: Value = app
            .get_as(&world.assessor.token, &adjustment)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(assessor["arrangements"], "A quiet room");
        assert!(assessor.get("reason").is_none(), "{assessor}");

        let (status, _) = post(
            app,
            &world.operations.token,
            &format!("/api/v1/epas/{sat_epa}/adjustment"),
            &json!({"extra_minutes": 15, "reason": "Extra time agreed at gateway"}),
        )
        .await;
        assert_eq!(status, 201);

        // Now the adjusted window holds, for the booking and the sitting.
        let (status, booked) = post(app, &world.operations.token, &bookings, &long_booking()).await;
        assert_eq!(status, 201, "{booked}");
        let (status, sat) = post(app, &world.assessor.token, &sittings, &body).await;
        assert_eq!(status, 201, "{sat}");
        assert_eq!(sat["assessment"]["duration_minutes"], 75);

        // Beyond the adjusted window is still refused.
        let mut too_long = long_booking();
        too_long["date"] = json!("2026-11-24");
        too_long["duration_minutes"] = json!(90);
        let (status, problem) = post(app, &world.operations.token, &bookings, &too_long).await;
        assert_eq!(status, 422, "{problem}");

        let events: Value = app
            .get_as(
                &world.operations.token,
                &format!("/api/v1/epas/{epa}/timeline"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(
            events
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "adjustment.decided")
        );
    }
);

on_both!(
    tquk_questions_follow_the_observation_for_up_to_ten_minutes,
    async |app: &TestApp, world: &World| {
        let (epa, _) = planned(app, world, "tquk", 1, world.assessor.user_id).await;
        let sittings = format!("/api/v1/epas/{epa}/assessments");
        // "the question and answer session will last up to 10 minutes,
        // following the 60-minute (+/-10%) practical observation"
        let sitting = json!({"method": "observation", "held_on": "2026-11-02",
            "start_time": "09:00", "end_time": "10:10", "questioning_minutes": 10});
        let body = with_booking(app, epa, &sitting).await;
        let (status, answer) = post(app, &world.assessor.token, &sittings, &body).await;
        assert_eq!(status, 201, "{answer}");
        assert_eq!(answer["assessment"]["questioning_minutes"], 10);
    }
);

/// Books the observation of `epa`; the status and the answer.
async fn book(
    app: &TestApp,
    world: &World,
    epa: uuid::Uuid,
    date: &str,
    start: &str,
) -> (u16, Value) {
    post(
        app,
        &world.operations.token,
        &format!("/api/v1/epas/{epa}/bookings"),
        &json!({"method": "observation", "date": date, "start_time": start, "mode": "in_person"}),
    )
    .await
}

fn warned(answer: &Value, rule: &str) -> bool {
    answer["warnings"]
        .as_array()
        .is_some_and(|w| w.iter().any(|w| w["rule"] == rule))
}

on_both!(
    the_assessors_diary_refuses_an_overlap_and_warns_of_days_and_hours,
    async |app: &TestApp, world: &World| {
        let mut epas = Vec::new();
        for n in 1..=5 {
            epas.push(
                planned(app, world, "innovate", n, world.assessor.user_id)
                    .await
                    .0,
            );
        }
        let (status, first) = book(app, world, epas[0], "2026-11-23", "10:00").await;
        assert_eq!(status, 201, "{first}");
        assert!(first["warnings"].as_array().unwrap().is_empty(), "{first}");

        // The same assessor at 10:30 that day: refused, naming the clash.
        let (status, problem) = book(app, world, epas[1], "2026-11-23", "10:30").await;
        assert_eq!(status, 422, "{problem}");
        let text = problem.to_string();
        assert!(text.contains("assessor_diary"), "{problem}");
        assert!(text.contains("10:00"), "names the other booking: {problem}");
        // Back to back is no clash.
        let (status, answer) = book(app, world, epas[1], "2026-11-23", "11:00").await;
        assert_eq!(status, 201, "{answer}");

        // A Saturday, Christmas Day, and a 07:00 start: accepted, with a warning.
        let (status, answer) = book(app, world, epas[2], "2026-11-28", "10:00").await;
        assert_eq!(status, 201, "{answer}");
        assert!(warned(&answer, "weekend"), "{answer}");
        let (status, answer) = book(app, world, epas[3], "2026-12-25", "10:00").await;
        assert_eq!(status, 201, "{answer}");
        assert!(warned(&answer, "bank_holiday"), "{answer}");
        let (status, answer) = book(app, world, epas[4], "2026-11-24", "07:00").await;
        assert_eq!(status, 201, "{answer}");
        assert!(warned(&answer, "outside_working_hours"), "{answer}");
    }
);
