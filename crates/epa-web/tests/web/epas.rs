//! `/api/v1/epas` through real HTTP: registration with its validation,
//! idempotency, audit, and who may see what. Each test runs on SQLite and,
//! when `EPA_TEST_PG_URL` is set, on PostgreSQL.

use epa_store::users::{self, Role};
use epa_store::{apprentices, audit, epas, tokens};
use epa_testkit::TestApp;
use epa_testkit::seed::World;

use crate::on_both;
use serde_json::{Value, json};

fn registration(world: &World, uln: &str) -> Value {
    json!({
        "uln": uln,
        "given_names": "Amira",
        "family_name": "Khan",
        "date_of_birth": "2003-04-17",
        "employer_id": world.employer,
        "provider_id": world.provider,
        "standard": "ST0071",
        "policy": "tquk",
        "start_date": "2025-06-02",
    })
}

on_both!(
    a_provider_registers_an_apprentice,
    async |app: &TestApp, world: &World| {
        let response = app
            .post_as(
                &world.provider_user.token,
                "/api/v1/epas",
                &registration(world, "1000000019"),
            )
            .await;
        assert_eq!(response.status(), 201);
        let epa: Value = response.json().await.unwrap();
        assert_eq!(epa["stage"], "registered");
        assert_eq!(epa["policy"], "tquk");
        assert_eq!(epa["version"], "1.2");
        assert_eq!(epa["apprentice"]["uln"], "1000000019");
        let id = epa["id"].as_str().unwrap();

        let read: Value = app
            .get_as(&world.employer_user.token, &format!("/api/v1/epas/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(read, epa);

        let timeline: Value = app
            .get_as(
                &world.epao_admin.token,
                &format!("/api/v1/epas/{id}/timeline"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(timeline[0]["action"], "epa.registered");
        assert_eq!(timeline[0]["actor_role"], "provider_user");
        assert!(
            !timeline.to_string().contains("Amira"),
            "no names in the audit payload"
        );
        assert_eq!(
            audit::verify(&app.db).await.unwrap(),
            audit::Verdict::Intact { events: 1 }
        );
    }
);

on_both!(
    bad_input_lists_every_field_and_writes_nothing,
    async |app: &TestApp, world: &World| {
        let mut input = registration(world, "1000000018");
        input["given_names"] = json!("   ");
        input["employer_id"] = json!(world.provider);
        input["policy"] = json!("acme");
        input["start_date"] = json!("2027-01-01");
        let response = app
            .post_as(&world.epao_admin.token, "/api/v1/epas", &input)
            .await;
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["uln", "given_names", "employer_id", "policy", "start_date"],
            "{problem}"
        );
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("check digit"),
            "{problem}"
        );
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 0);
        assert_eq!(
            audit::verify(&app.db).await.unwrap(),
            audit::Verdict::Intact { events: 0 }
        );

        let response = app
            .client
            .post(app.url("/api/v1/epas"))
            .bearer_auth(&world.epao_admin.token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
    }
);

on_both!(
    a_uln_registers_once,
    async |app: &TestApp, world: &World| {
        let first = app
            .post_as(
                &world.epao_admin.token,
                "/api/v1/epas",
                &registration(world, "1000000019"),
            )
            .await;
        assert_eq!(first.status(), 201);
        let again = app
            .post_as(
                &world.operations.token,
                "/api/v1/epas",
                &registration(world, "1000000019"),
            )
            .await;
        assert_eq!(again.status(), 422);
        let problem: Value = again.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "uln");
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 1);
    }
);

on_both!(
    registering_an_apprentice_on_file_is_refused_to_those_linked_to_them,
    async |app: &TestApp, world: &World| {
        // The policy table: an apprentice registering their own record, or
        // their allocated assessor registering it, is refused (403); someone
        // with no link to it is told nothing (404).
        let epa: Value = app
            .post_as(
                &world.operations.token,
                "/api/v1/epas",
                &registration(world, "1000000019"),
            )
            .await
            .json()
            .await
            .unwrap();
        let id: uuid::Uuid = epa["id"].as_str().unwrap().parse().unwrap();
        let now = app.clock.now();
        let mut tx = app.db.begin_write().await.unwrap();
        let user = users::insert(&mut tx, "amira@test.example", "Amira", None, now)
            .await
            .unwrap();
        users::grant(&mut tx, user.id, world.employer, Role::Apprentice, now)
            .await
            .unwrap();
        let token = tokens::create(&mut tx, user.id, "tests", now)
            .await
            .unwrap();
        let row = epas::get_in(&mut tx, id).await.unwrap();
        apprentices::link_user(&mut tx, row.epa.apprentice_id, user.id)
            .await
            .unwrap();
        epas::update(
            &mut tx,
            id,
            row.epa.version,
            &epas::Change {
                assessor_id: Some(world.assessor.user_id),
                ..epas::Change::default()
            },
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        for (who, token, uln, status) in [
            ("the apprentice, again", token.as_str(), "1000000019", 403),
            (
                "the apprentice, someone new",
                token.as_str(),
                "1000000027",
                404,
            ),
            (
                "their assessor",
                world.assessor.token.as_str(),
                "1000000019",
                403,
            ),
            (
                "another assessor",
                world.second_assessor.token.as_str(),
                "1000000019",
                404,
            ),
            (
                "operations",
                world.operations.token.as_str(),
                "1000000019",
                422,
            ),
        ] {
            let response = app
                .post_as(token, "/api/v1/epas", &registration(world, uln))
                .await;
            assert_eq!(response.status(), status, "{who}");
            if status == 403 {
                let problem: Value = response.json().await.unwrap();
                assert_eq!(
                    problem["detail"],
                    "only EPAO staff, or the apprentice's training provider, can register an apprentice",
                    "{who}"
                );
            }
        }
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 1);
    }
);

on_both!(
    an_idempotency_key_replays_the_first_answer,
    async |app: &TestApp, world: &World| {
        let post = |body: Value, key: &'static str| {
            app.client
                .post(app.url("/api/v1/epas"))
                .bearer_auth(&world.provider_user.token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
        };
        let first = post(registration(world, "1000000019"), "k-1")
            .await
            .unwrap();
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let replay = post(registration(world, "1000000019"), "k-1")
            .await
            .unwrap();
        assert_eq!(replay.status(), 201);
        assert_eq!(replay.headers()["idempotent-replay"], "true");
        assert_eq!(replay.json::<Value>().await.unwrap(), first);
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 1);

        let reused = post(registration(world, "1000000027"), "k-1")
            .await
            .unwrap();
        assert_eq!(reused.status(), 422);
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 1);
    }
);

on_both!(
    each_party_sees_only_their_own,
    async |app: &TestApp, world: &World| {
        let epa: Value = app
            .post_as(
                &world.provider_user.token,
                "/api/v1/epas",
                &registration(world, "1000000019"),
            )
            .await
            .json()
            .await
            .unwrap();
        let path = format!("/api/v1/epas/{}", epa["id"].as_str().unwrap());
        for (who, party, status) in [
            ("EPAO admin", &world.epao_admin, 200),
            ("operations", &world.operations, 200),
            ("quality assurer", &world.quality_assurer, 200),
            ("provider", &world.provider_user, 200),
            ("employer", &world.employer_user, 200),
            ("unallocated assessor", &world.assessor, 404),
            ("another provider", &world.other_provider_user, 404),
            ("another employer", &world.other_employer_user, 404),
            ("no role", &world.nobody, 404),
        ] {
            assert_eq!(
                app.get_as(&party.token, &path).await.status(),
                status,
                "{who}"
            );
            let list: Value = app
                .get_as(&party.token, "/api/v1/epas")
                .await
                .json()
                .await
                .unwrap();
            let expected = usize::from(status == 200);
            assert_eq!(
                list["items"].as_array().unwrap().len(),
                expected,
                "{who}: {list}"
            );
        }
        assert_eq!(app.get(&path).await.status(), 401);
        assert_eq!(app.get_as("epa_not-a-token", &path).await.status(), 401);
        assert_eq!(
            app.get_as(&world.epao_admin.token, "/api/v1/epas/not-a-uuid")
                .await
                .status(),
            404
        );
        let unknown = format!("/api/v1/epas/{}", uuid::Uuid::now_v7());
        assert_eq!(
            app.get_as(&world.epao_admin.token, &unknown).await.status(),
            404
        );

        // Registering for someone else's provider is refused and writes nothing.
        let response = app
            .post_as(
                &world.other_provider_user.token,
                "/api/v1/epas",
                &registration(world, "1000000027"),
            )
            .await;
        assert!(
            matches!(response.status().as_u16(), 403 | 404),
            "{}",
            response.status()
        );
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 1);
    }
);

on_both!(
    lists_filter_and_page,
    async |app: &TestApp, world: &World| {
        // Registered a little over a microsecond apart, at instants with
        // nanoseconds, as a real clock gives them: SQLite keeps all nine
        // digits, and a page must go on after its last row, not from it.
        app.clock
            .advance(chrono::Duration::nanoseconds(378_389_544));
        for uln in ["1000000019", "1000000027", "1000000035"] {
            app.clock.advance(chrono::Duration::nanoseconds(1_001));
            let mut input = registration(world, uln);
            if uln.ends_with("35") {
                input["policy"] = json!("innovate");
            }
            assert_eq!(
                app.post_as(&world.epao_admin.token, "/api/v1/epas", &input)
                    .await
                    .status(),
                201
            );
        }
        let token = &world.operations.token;
        let page: Value = app
            .get_as(token, "/api/v1/epas?limit=2")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        // The next page goes on after the last one, in order of registration.
        let next = page["next"].as_str().expect("a next page");
        let rest: Value = app.get_as(token, next).await.json().await.unwrap();
        assert_eq!(rest["items"].as_array().unwrap().len(), 1);
        assert_eq!(rest["next"], Value::Null, "the last page says so");
        let first_ids: Vec<&Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["id"])
            .collect();
        assert!(!first_ids.contains(&&rest["items"][0]["id"]));
        assert!(rest["items"][0]["created_at"].as_str() >= page["items"][1]["created_at"].as_str());
        // A cursor filtered by policy keeps the filter in its link.
        let one: Value = app
            .get_as(token, "/api/v1/epas?policy=tquk&limit=1")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            one["next"].as_str().unwrap().contains("policy=tquk"),
            "{one}"
        );
        // An offset is no longer taken, and a cursor that is not one is refused.
        assert_eq!(
            app.get_as(token, "/api/v1/epas?offset=2").await.status(),
            422
        );
        let bad = app.get_as(token, "/api/v1/epas?after=2.not-an-id").await;
        assert_eq!(bad.status(), 422);
        let problem: Value = bad.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "after", "{problem}");
        let innovate: Value = app
            .get_as(token, "/api/v1/epas?policy=innovate")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(innovate["items"].as_array().unwrap().len(), 1);
        let none: Value = app
            .get_as(token, "/api/v1/epas?stage=completed")
            .await
            .json()
            .await
            .unwrap();
        assert!(none["items"].as_array().unwrap().is_empty());
        assert_eq!(
            app.get_as(token, "/api/v1/epas?limit=0").await.status(),
            422
        );
        assert_eq!(
            app.get_as(token, "/api/v1/epas?limit=abc").await.status(),
            422
        );
        assert_eq!(
            app.get_as(token, "/api/v1/epas?colour=red").await.status(),
            422
        );
        // A stage the product does not know is a mistake, not an empty list.
        let unknown = app.get_as(token, "/api/v1/epas?stage=archived").await;
        assert_eq!(unknown.status(), 422);
        let body = unknown.text().await.unwrap();
        assert!(body.contains("stage"), "{body}");
    }
);

on_both!(
    each_policy_registers_with_its_own_plan,
    async |app: &TestApp, world: &World| {
        for (n, policy) in [(1, "tquk"), (2, "innovate")] {
            let epa = crate::support::registered(app, world, policy, n).await;
            assert_eq!(epa["policy"], policy);
            assert_eq!(epa["standard"], "ST0071");
            assert_eq!(epa["stage"], "registered");
            let path = format!("/api/v1/epas/{}", epa["id"].as_str().unwrap());
            assert_eq!(
                app.get_as(&world.provider_user.token, &path).await.status(),
                200
            );
        }
    }
);
