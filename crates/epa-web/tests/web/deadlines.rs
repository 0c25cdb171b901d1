//! `/api/v1/epas/{id}/deadlines` and `/api/v1/deadlines`: computed from the
//! EPA's records and its policy, shown only to those who may see the EPA.

use std::sync::Arc;

use epa_domain::lifecycle::Command;
use epa_plan::Catalog;
use epa_store::{epas, users};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;
use crate::support::registered;

/// SHORTCUT: gateway submitted and approved on `on`, through the lifecycle
/// directly (the gateway's own API is tested in `gateway.rs`).
async fn approved(app: &TestApp, world: &World, id: Uuid, on: &str) {
    let core = epa_app::App::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        Catalog::embedded(),
    );
    let actor = epa_app::Actor {
        user_id: world.epao_admin.user_id,
        memberships: users::memberships(&app.db, world.epao_admin.user_id)
            .await
            .unwrap(),
        request_id: None,
    };
    let mut tx = app.db.begin_write().await.unwrap();
    for command in [
        Command::SubmitGateway,
        Command::ApproveGateway {
            on: on.parse().unwrap(),
        },
    ] {
        let row = epas::get_in(&mut tx, id).await.unwrap();
        epa_app::transitions::apply(
            &core,
            &mut tx,
            &actor,
            &row,
            &command,
            "test.shortcut",
            json!({}),
        )
        .await
        .unwrap();
    }
    epa_app::deadlines::commit(&core, tx).await.unwrap();
}

fn find<'a>(deadlines: &'a Value, id: &str) -> &'a Value {
    deadlines
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {deadlines}"))
}

on_both!(
    an_epas_deadlines_follow_its_policy,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 1).await;
        let id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
        let path = format!("/api/v1/epas/{id}/deadlines");

        let before: Value = app
            .get_as(&world.provider_user.token, &path)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            before["deadlines"].as_array().unwrap().is_empty(),
            "{before}"
        );
        assert!(
            !before["waiting"].as_array().unwrap().is_empty(),
            "{before}"
        );

        approved(app, world, id, "2026-11-02").await;
        let plan: Value = app
            .get_as(&world.employer_user.token, &path)
            .await
            .json()
            .await
            .unwrap();
        let end = find(&plan["deadlines"], "epa_period_end");
        assert_eq!(end["date"], "2027-02-02");
        assert_eq!(end["state"], "upcoming");
        assert!(
            end["source"]["document"].as_str().unwrap().contains("TQUK"),
            "{end}"
        );
        assert_eq!(
            find(&plan["deadlines"], "earliest_observation")["date"],
            "2026-11-16"
        );

        assert_eq!(
            app.get_as(&world.other_employer_user.token, &path)
                .await
                .status(),
            404
        );
        assert_eq!(app.get_as(&world.assessor.token, &path).await.status(), 404);
    }
);

on_both!(
    due_and_overdue_across_epas,
    async |app: &TestApp, world: &World| {
        let tquk = registered(app, world, "tquk", 1).await;
        let innovate = registered(app, world, "innovate", 2).await;
        for epa in [&tquk, &innovate] {
            approved(
                app,
                world,
                epa["id"].as_str().unwrap().parse().unwrap(),
                "2026-11-02",
            )
            .await;
        }
        // Innovate wants the portfolio at gateway: the approved gateway held it.
        let innovate_path = format!(
            "/api/v1/epas/{}/deadlines",
            innovate["id"].as_str().unwrap()
        );
        let plan: Value = app
            .get_as(&world.operations.token, &innovate_path)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            find(&plan["deadlines"], "portfolio_due")["state"],
            "met",
            "{plan}"
        );

        // Past the end of both EPA periods with nothing recorded.
        app.clock.advance(chrono::Duration::days(100));

        let due: Value = app
            .get_as(&world.operations.token, "/api/v1/deadlines")
            .await
            .json()
            .await
            .unwrap();
        let items = due["items"].as_array().unwrap();
        // The product's own record says nothing was assessed: the EPA
        // period's end is missed, a decided state, so the default list (open
        // deadlines only) leaves it out and `?states=missed` shows it.
        assert!(
            items.iter().all(|i| {
                let state = i["deadline"]["state"].as_str().unwrap();
                ["overdue_unless_done", "due_soon", "upcoming"].contains(&state)
            }),
            "only open deadlines by default: {due}"
        );
        assert!(
            !items
                .iter()
                .any(|i| i["deadline"]["id"] == "epa_period_end"),
            "{due}"
        );
        let missed: Value = app
            .get_as(&world.operations.token, "/api/v1/deadlines?states=missed")
            .await
            .json()
            .await
            .unwrap();
        let period_ends: Vec<&Value> = missed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["deadline"]["id"] == "epa_period_end")
            .collect();
        assert_eq!(period_ends.len(), 2, "{missed}");
        assert!(
            !missed["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["deadline"]["id"] == "portfolio_due" && i["policy"] == "innovate"),
            "a portfolio handed in at gateway is met, not missed: {missed}"
        );
        // Most urgent first: by state, then soonest.
        let order: Vec<(u8, &str)> = items
            .iter()
            .map(|i| {
                let urgency = match i["deadline"]["state"].as_str().unwrap() {
                    "overdue_unless_done" => 0,
                    "due_soon" => 1,
                    _ => 2,
                };
                (urgency, i["deadline"]["date"].as_str().unwrap())
            })
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "most urgent first");

        let upcoming: Value = app
            .get_as(&world.operations.token, "/api/v1/deadlines?states=upcoming")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            upcoming["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["deadline"]["state"] == "upcoming"),
            "{upcoming}"
        );
        let none: Value = app
            .get_as(&world.other_provider_user.token, "/api/v1/deadlines")
            .await
            .json()
            .await
            .unwrap();
        assert!(none["items"].as_array().unwrap().is_empty());
        let page: Value = app
            .get_as(
                &world.employer_user.token,
                "/api/v1/deadlines?states=missed&limit=1",
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);

        assert_eq!(
            app.get_as(&world.operations.token, "/api/v1/deadlines?states=late")
                .await
                .status(),
            422
        );
        assert_eq!(
            app.get_as(&world.operations.token, "/api/v1/deadlines?limit=0")
                .await
                .status(),
            422
        );
        assert_eq!(app.get("/api/v1/deadlines").await.status(), 401);
    }
);

on_both!(
    the_kept_deadlines_page_by_cursor_and_follow_each_change,
    async |app: &TestApp, world: &World| {
        let mut ids = Vec::new();
        for n in 1..=3 {
            let epa = registered(app, world, if n == 2 { "innovate" } else { "tquk" }, n).await;
            let id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
            approved(app, world, id, "2026-11-02").await;
            ids.push(id);
        }
        let ops = &world.operations.token;
        let all: Value = app
            .get_as(ops, "/api/v1/deadlines?limit=200")
            .await
            .json()
            .await
            .unwrap();
        let all = all["items"].as_array().unwrap().clone();
        assert!(all.len() > 6, "{all:?}");
        let key = |i: &Value| {
            format!(
                "{}/{}/{}",
                i["epa_id"], i["deadline"]["id"], i["deadline"]["date"]
            )
        };

        // Page by page, following `next`, gives the same list in the same order.
        let mut paged = Vec::new();
        let mut link = Some("/api/v1/deadlines?limit=4".to_owned());
        while let Some(path) = link {
            let page: Value = app.get_as(ops, &path).await.json().await.unwrap();
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 4);
            paged.extend(items.iter().map(key));
            link = page["next"].as_str().map(str::to_owned);
        }
        assert_eq!(paged, all.iter().map(key).collect::<Vec<_>>());

        // The first page of every size is the start of the whole list: the
        // two kinds still to come are each read for the rest of a page and
        // merged by date.
        for limit in 1..=all.len() {
            let page: Value = app
                .get_as(ops, &format!("/api/v1/deadlines?limit={limit}"))
                .await
                .json()
                .await
                .unwrap();
            let first: Vec<String> = page["items"].as_array().unwrap().iter().map(key).collect();
            let expected: Vec<String> = all[..limit].iter().map(key).collect();
            assert_eq!(first, expected, "a first page of {limit}");
        }

        // A cursor that is not one is refused at the field.
        let bad = app.get_as(ops, "/api/v1/deadlines?after=yesterday").await;
        assert_eq!(bad.status(), 422);
        let problem: Value = bad.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "after", "{problem}");

        // Withdrawing an EPA takes its deadlines off the list at once.
        let withdrawn = ids[0];
        let response = app
            .post_as(
                ops,
                &format!("/api/v1/epas/{withdrawn}/withdraw"),
                &json!({"reason": "The apprentice left the employer"}),
            )
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        let after: Value = app
            .get_as(ops, "/api/v1/deadlines?limit=200")
            .await
            .json()
            .await
            .unwrap();
        let after = after["items"].as_array().unwrap();
        assert!(
            after.iter().all(|i| i["epa_id"] != withdrawn.to_string()),
            "{after:?}"
        );
        assert!(after.len() < all.len());
        // The provider sees its own apprentices' deadlines; another provider none.
        let own: Value = app
            .get_as(&world.provider_user.token, "/api/v1/deadlines?limit=200")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(own["items"].as_array().unwrap().len(), after.len());
        let other: Value = app
            .get_as(&world.other_provider_user.token, "/api/v1/deadlines")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(other["items"], json!([]));
    }
);
