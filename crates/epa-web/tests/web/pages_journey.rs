//! An EPA taken from gateway to a graded observation through the pages,
//! as EPAO staff and the assessor meet them: the planning meeting, a
//! booking refused with its earliest date and then made, the sitting, the
//! grading form and the results page.

use chrono::TimeZone;
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};

use crate::on_both;
use crate::pages::{page, signed_in};
use crate::pages_gateway::post;
use crate::support::{gateway_components, gateway_submission, registered};

/// Criterion IDs on a grading form, in order.
fn criteria_on(html: &str) -> Vec<String> {
    let mut ids: Vec<String> = html
        .split("name=\"met.")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    ids.dedup();
    ids
}

on_both!(
    staff_plan_and_book_and_the_assessor_grades_on_the_pages,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 31).await;
        let epa = epa["id"].as_str().unwrap().to_owned();
        let gateway = format!("/api/v1/epas/{epa}/gateway");
        let response = app
            .post_as(
                &world.provider_user.token,
                &gateway,
                &gateway_submission("tquk"),
            )
            .await;
        assert_eq!(response.status(), 201);
        for component in gateway_components("tquk") {
            let response = app
                .post_as(
                    &world.operations.token,
                    &format!("{gateway}/reviews"),
                    &json!({"component": component, "decision": "accepted"}),
                )
                .await;
            assert_eq!(
                response.status(),
                200,
                "{component}: {}",
                response.text().await.unwrap()
            );
        }
        let response = app
            .post_as(
                &world.operations.token,
                &format!("{gateway}/approve"),
                &json!({}),
            )
            .await;
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );

        let staff = signed_in(app, &world.operations).await;
        let (_, html) = page(app, &staff, &format!("/epas/{epa}")).await;
        assert!(html.contains("Record the planning meeting"), "{html}");
        let (status, html) = page(app, &staff, &format!("/epas/{epa}/planning-meeting")).await;
        assert_eq!(status, 200);
        assert!(html.contains("The rules and dates for this EPA"));
        assert!(
            html.contains(&world.assessor.email),
            "the assessors to choose from"
        );
        let (status, location, html) = post(
            app,
            &staff,
            &format!("/epas/{epa}/planning-meeting"),
            vec![
                ("held_on".into(), "2026-11-02".into()),
                (
                    "attendees".into(),
                    "Apprentice\nTutor, Northfield Training".into(),
                ),
                ("assessor_id".into(), world.assessor.user_id.to_string()),
            ],
        )
        .await;
        assert_eq!(status, 303, "{html}");
        assert_eq!(location, format!("/epas/{epa}?done=meeting_held"));

        // Two weeks' notice of the observation: the 10th is refused at the
        // date, with the earliest allowed, and the form keeps what was chosen.
        let booking = |date: &str| {
            vec![
                ("method".to_owned(), "observation".to_owned()),
                ("date".to_owned(), date.to_owned()),
                ("start_time".to_owned(), "10:00".to_owned()),
                ("mode".to_owned(), "in_person".to_owned()),
            ]
        };
        let (status, _, html) = post(
            app,
            &staff,
            &format!("/epas/{epa}/bookings/new"),
            booking("2026-11-10"),
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(
            html.contains("The earliest allowed is Monday 16 November 2026."),
            "{html}"
        );
        assert!(html.contains("value=\"2026-11-10\""));
        let bookings: Value = app
            .get_as(
                &world.operations.token,
                &format!("/api/v1/epas/{epa}/bookings"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(bookings, json!([]), "nothing booked");
        let (status, location, html) = post(
            app,
            &staff,
            &format!("/epas/{epa}/bookings/new"),
            booking("2026-11-16"),
        )
        .await;
        assert_eq!(status, 303, "{html}");
        assert_eq!(location, format!("/epas/{epa}?done=booked"));

        // On the day, the assessor records the sitting and grades it.
        app.clock.set(
            chrono::Utc
                .with_ymd_and_hms(2026, 11, 16, 12, 0, 0)
                .unwrap(),
        );
        let assessor = signed_in(app, &world.assessor).await;
        let (_, html) = page(app, &assessor, "/assessor").await;
        assert!(html.contains(&format!("/epas/{epa}")), "{html}");
        let (_, html) = page(app, &assessor, &format!("/epas/{epa}")).await;
        let sitting = html
            .split("href=\"")
            .find(|part| part.contains("/sitting\""))
            .map(|part| part.split('"').next().unwrap().to_owned())
            .expect("a link to record the sitting");
        let (status, html) = page(app, &assessor, &sitting).await;
        assert_eq!(status, 200);
        assert!(html.contains("Minutes of questions"));
        let (status, grading, html) = post(
            app,
            &assessor,
            &sitting,
            vec![
                ("start_time".into(), "10:00".into()),
                ("end_time".into(), "11:10".into()),
                ("questioning_minutes".into(), "ten".into()),
            ],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("Enter a whole number of 0 or more"));
        let (status, grading, _) = {
            let _ = grading;
            post(
                app,
                &assessor,
                &sitting,
                vec![
                    ("start_time".into(), "10:00".into()),
                    ("end_time".into(), "11:10".into()),
                    ("questioning_minutes".into(), "10".into()),
                ],
            )
            .await
        };
        assert_eq!(status, 303);
        assert!(grading.contains("/assessments/"), "{grading}");

        let (status, html) = page(app, &assessor, &grading).await;
        assert_eq!(status, 200, "{html}");
        let criteria = criteria_on(&html);
        assert!(criteria.len() > 5, "{criteria:?}");
        // Not met without evidence: refused at that criterion, nothing saved.
        let mut pairs: Vec<(String, String)> = criteria
            .iter()
            .map(|id| (format!("met.{id}"), "met".to_owned()))
            .collect();
        pairs[0].1 = "not_met".to_owned();
        let (status, _, html) = post(app, &assessor, &grading, pairs.clone()).await;
        assert_eq!(status, 422, "{html}");
        assert!(
            html.contains(&format!(
                "Give the evidence for {} not being met",
                criteria[0]
            )),
            "{html}"
        );
        let judgements: Value = app
            .get_as(
                &world.assessor.token,
                &format!("/api/v1/epas/{epa}/judgements"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(judgements, json!([]));
        pairs[0].1 = "met".to_owned();
        let (status, location, _) = post(app, &assessor, &grading, pairs).await;
        assert_eq!(status, 303);
        let (_, html) = page(app, &assessor, &location).await;
        assert!(
            html.contains(&format!("Saved {} judgements", criteria.len())),
            "{html}"
        );
        assert!(html.contains("Method grade: <strong>"), "{html}");

        // Staff see the provisional grade on the results page (signed in
        // again: two weeks have passed since the morning of the meeting).
        let staff = signed_in(app, &world.operations).await;
        let (status, html) = page(app, &staff, &format!("/epas/{epa}/results")).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Provisional: not yet released"), "{html}");

        // Staff move the EPA to another assessor: a reason is needed, and
        // the move is told on the EPA's page.
        let path = format!("/epas/{epa}/assessor");
        let (status, html) = page(app, &staff, &path).await;
        assert_eq!(status, 200, "{html}");
        let choose = vec![(
            "assessor_id".to_owned(),
            world.second_assessor.user_id.to_string(),
        )];
        let (status, _, html) = post(app, &staff, &path, choose.clone()).await;
        assert_eq!(status, 422);
        assert!(html.contains("Say why the EPA moves"), "{html}");
        let mut with_reason = choose;
        with_reason.push(("reason".to_owned(), "The assessor is on leave.".to_owned()));
        let (status, location, html) = post(app, &staff, &path, with_reason).await;
        assert_eq!(status, 303, "{html}");
        assert_eq!(location, format!("/epas/{epa}?done=reallocated"));
        let epa: Value = app
            .get_as(&world.operations.token, &format!("/api/v1/epas/{epa}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(epa["assessor_id"], json!(world.second_assessor.user_id));
    }
);
