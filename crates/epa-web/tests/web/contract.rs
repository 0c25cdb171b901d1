//! The API's contract through real HTTP, on SQLite and PostgreSQL: text
//! with control characters is refused before anything runs, authentication
//! failures are 401 with a challenge, every error is problem details,
//! malformed input names its field, closed-set parameters refuse unknown
//! values, created records say where they are, and the plans are reference
//! data any signed-in person can read.

use epa_store::users;
use epa_store::{apprentices, audit};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use serde_json::{Value, json};

use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

/// A person who can sign in with [`PASSWORD`]; their email.
async fn with_password(app: &TestApp) -> String {
    let email = "signs.in@example.org";
    let hash = epa_app::accounts::hash_password(PASSWORD.to_owned())
        .await
        .unwrap();
    let mut tx = app.db.begin_write().await.unwrap();
    users::insert(&mut tx, email, "Signs In", Some(&hash), app.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    email.to_owned()
}

/// The status, the headers and the problem of an answer that must be
/// problem details.
async fn problem_of(response: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    assert_eq!(
        headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned()),
        Some("application/problem+json".to_owned()),
        "status {status}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status, "{body}");
    (status, headers, body)
}

/// The fields a 422 names.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn registration(world: &World) -> Value {
    json!({
        "uln": "1000000019",
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

async fn audit_events(app: &TestApp) -> u64 {
    match audit::verify(&app.db).await.unwrap() {
        audit::Verdict::Intact { events } => events,
        broken => panic!("audit chain broken: {broken:?}"),
    }
}

on_both!(
    nul_in_sign_in_registration_and_conflicts_is_422_and_stores_nothing,
    async |app: &TestApp, world: &World| {
        let email = with_password(app).await;
        // Signing in, without a token: NUL in either field.
        for (body, field) in [
            (
                json!({"email": format!("{email}\u{0}"), "password": PASSWORD}),
                "email",
            ),
            (
                json!({"email": email, "password": format!("{PASSWORD}\u{0}")}),
                "password",
            ),
        ] {
            let response = app
                .client
                .post(app.url("/api/v1/tokens"))
                .json(&body)
                .send()
                .await
                .unwrap();
            let (status, _, problem) = problem_of(response).await;
            assert_eq!(status, 422, "{problem}");
            assert_eq!(fields(&problem), [field], "{problem}");
            assert!(
                problem["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("U+0000"),
                "{problem}"
            );
        }
        // Registration: every field with a control character is named.
        let mut input = registration(world);
        input["given_names"] = json!("Am\u{0}ira");
        input["family_name"] = json!("Khan\u{7}");
        let response = app
            .post_as(&world.epao_admin.token, "/api/v1/epas", &input)
            .await;
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["family_name", "given_names"]);
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 0);
        // A conflict of interest.
        let response = app
            .post_as(
                &world.assessor.token,
                "/api/v1/conflicts",
                &json!({"organisation_id": world.employer, "reason": "Worked there\u{0}"}),
            )
            .await;
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["reason"]);
        let conflicts: Value = app
            .get_as(
                &world.epao_admin.token,
                &format!("/api/v1/users/{}/conflicts", world.assessor.user_id),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(conflicts, json!([]));
        assert_eq!(audit_events(app).await, 0, "nothing happened");

        // Tab, new line and carriage return are text; a right password signs in.
        let mut input = registration(world);
        input["family_name"] = json!("Khan\tJones\r\n");
        let response = app
            .post_as(&world.epao_admin.token, "/api/v1/epas", &input)
            .await;
        assert_eq!(response.status(), 201);
        let response = app
            .client
            .post(app.url("/api/v1/tokens"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
);

on_both!(
    control_characters_in_nested_fields_queries_and_file_names_are_named,
    async |app: &TestApp, world: &World| {
        let epa = crate::support::registered(app, world, "tquk", 1).await;
        let epa = epa["id"].as_str().unwrap();
        // Deep in a gateway submission: the item's path.
        let items: Vec<Value> = (0..4)
            .map(|i| json!({"title": if i == 3 { "Call\u{1b}log" } else { "Log" }}))
            .collect();
        let response = app
            .post_as(
                &world.provider_user.token,
                &format!("/api/v1/epas/{epa}/gateway"),
                &json!({"portfolio": {"items": items}}),
            )
            .await;
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["portfolio.items[3].title"]);
        // In a query string.
        let response = app
            .get_as(&world.epao_admin.token, "/api/v1/epas?policy=tq%00uk")
            .await;
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["policy"]);
        // In the uploaded file's name, percent-encoded.
        let response = app
            .client
            .post(app.url(&format!("/api/v1/epas/{epa}/documents?purpose=evidence")))
            .bearer_auth(&world.provider_user.token)
            .header("X-File-Name", "notes%00.txt")
            .body("Observed on site.")
            .send()
            .await
            .unwrap();
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["file_name"]);
        let documents: Value = app
            .get_as(
                &world.provider_user.token,
                &format!("/api/v1/epas/{epa}/documents"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(documents, json!([]));
    }
);

on_both!(
    a_wrong_password_is_401_and_every_401_challenges,
    async |app: &TestApp, _world: &World| {
        let email = with_password(app).await;
        for body in [
            json!({"email": email, "password": "not the password"}),
            json!({"email": "nobody@example.org", "password": PASSWORD}),
        ] {
            let response = app
                .client
                .post(app.url("/api/v1/tokens"))
                .json(&body)
                .send()
                .await
                .unwrap();
            let (status, headers, problem) = problem_of(response).await;
            assert_eq!(status, 401, "{problem}");
            assert_eq!(headers["www-authenticate"], "Bearer");
        }
        // A sign-in that is not one is still bad input.
        let response = app
            .client
            .post(app.url("/api/v1/tokens"))
            .json(&json!({"email": email}))
            .send()
            .await
            .unwrap();
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["password"]);
        // No token, a wrong one, or another scheme.
        for authorization in [None, Some("Bearer epa_not-a-token"), Some("Basic abc")] {
            let mut request = app.client.get(app.url("/api/v1/epas"));
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let (status, headers, _) = problem_of(request.send().await.unwrap()).await;
            assert_eq!(status, 401, "{authorization:?}");
            assert_eq!(headers["www-authenticate"], "Bearer", "{authorization:?}");
        }
    }
);

on_both!(
    the_bearer_scheme_is_case_insensitive_and_a_token_says_whose_it_is,
    async |app: &TestApp, world: &World| {
        let email = with_password(app).await;
        let response = app
            .client
            .post(app.url("/api/v1/tokens"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["location"], "/api/v1/tokens/current");
        let issued: Value = response.json().await.unwrap();
        let token = issued["token"].as_str().unwrap();
        for scheme in ["Bearer", "bearer", "BEARER"] {
            let response = app
                .client
                .get(app.url("/api/v1/tokens/current"))
                .header("authorization", format!("{scheme} {token}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{scheme}");
            let current: Value = response.json().await.unwrap();
            assert_eq!(current["user_id"], issued["user_id"]);
        }
        let response = app
            .client
            .get(app.url("/api/v1/epas"))
            .header(
                "authorization",
                format!("bearer {}", world.epao_admin.token),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let current: Value = app
            .get_as(&world.epao_admin.token, "/api/v1/tokens/current")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(current["memberships"][0]["role"], "epao_admin");
    }
);

on_both!(
    method_size_and_type_errors_are_problem_details,
    async |app: &TestApp, world: &World| {
        let token = &world.epao_admin.token;
        // 405: a path without that method, with what it does take.
        let response = app
            .client
            .delete(app.url("/api/v1/epas"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let (status, headers, _) = problem_of(response).await;
        assert_eq!(status, 405);
        let allow = headers["allow"].to_str().unwrap();
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
        // 413: over the JSON body limit, with and without a length.
        let big = format!("{{\"given_names\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
        let response = app
            .client
            .post(app.url("/api/v1/epas"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        let (status, _, _) = problem_of(response).await;
        assert_eq!(status, 413);
        assert_eq!(
            chunked_post(app, token, "/api/v1/epas", big.as_bytes()).await,
            413
        );
        // 415: a body declared as something else than JSON.
        let response = app
            .client
            .post(app.url("/api/v1/epas"))
            .bearer_auth(token)
            .header("content-type", "text/plain")
            .body(registration(world).to_string())
            .send()
            .await
            .unwrap();
        let (status, _, _) = problem_of(response).await;
        assert_eq!(status, 415);
        let response = app
            .client
            .post(app.url("/api/v1/ksb-suggestions"))
            .bearer_auth(token)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("description=x")
            .send()
            .await
            .unwrap();
        let (status, _, _) = problem_of(response).await;
        assert_eq!(status, 415);
        assert_eq!(apprentices::count(&app.db).await.unwrap(), 0);
    }
);

/// Sends `bytes` to `path` with `Transfer-Encoding: chunked` (no
/// Content-Length) over a raw connection; the status, once the answer is
/// known to be problem details.
async fn chunked_post(app: &TestApp, token: &str, path: &str, bytes: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer and close before everything is sent.
    for chunk in bytes.chunks(256 * 1024) {
        let sent = async {
            stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            stream.write_all(chunk).await?;
            stream.write_all(b"\r\n").await
        };
        if sent.await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default().to_owned();
    assert!(answer.contains("application/problem+json"), "{answer}");
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A portfolio item mapped to `ksbs`.
fn item(ksbs: Value) -> Value {
    json!({
        "title": "Evidence",
        "evidence_type": "work product",
        "date": "2026-09-14",
        "description": "What the apprentice did.",
        "ksbs": ksbs,
    })
}

on_both!(
    malformed_json_names_the_field,
    async |app: &TestApp, world: &World| {
        let token = &world.epao_admin.token;
        let mut input = registration(world);
        input["employer_id"] = json!(12);
        let response = app.post_as(token, "/api/v1/epas", &input).await;
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["employer_id"], "{problem}");
        let mut input = registration(world);
        input.as_object_mut().unwrap().remove("family_name");
        let response = app.post_as(token, "/api/v1/epas", &input).await;
        let (_, _, problem) = problem_of(response).await;
        assert_eq!(fields(&problem), ["family_name"], "{problem}");
        // Nested, in a list.
        let epa = crate::support::registered(app, world, "tquk", 2).await;
        let epa = epa["id"].as_str().unwrap();
        let response = app
            .post_as(
                &world.provider_user.token,
                &format!("/api/v1/epas/{epa}/gateway"),
                &json!({"portfolio": {"items": [item(json!(["K1"])), item(json!("K2"))]}}),
            )
            .await;
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["portfolio.items[1].ksbs"], "{problem}");
        // Not JSON at all: the body, with where it broke.
        let response = app
            .client
            .post(app.url("/api/v1/epas"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        let (status, _, problem) = problem_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&problem), ["body"]);
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("line 1"),
            "{problem}"
        );
    }
);

on_both!(
    an_unknown_filter_value_is_422_with_the_values_allowed,
    async |app: &TestApp, world: &World| {
        crate::support::registered(app, world, "tquk", 3).await;
        let token = &world.epao_admin.token;
        for (query, field, allowed) in [
            ("/api/v1/epas?stage=nonsense", "stage", "gateway_submitted"),
            ("/api/v1/epas?policy=nonsense", "policy", "tquk"),
            ("/api/v1/epas?limit=many", "limit", ""),
            ("/api/v1/deadlines?states=nonsense", "states", "due_soon"),
            ("/api/v1/epas?colour=red", "colour", "stage"),
        ] {
            let response = app.get_as(token, query).await;
            let (status, _, problem) = problem_of(response).await;
            assert_eq!(status, 422, "{query}: {problem}");
            assert_eq!(fields(&problem), [field], "{query}: {problem}");
            assert!(
                problem["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains(allowed),
                "{query}: {problem}"
            );
        }
        // Known values still filter.
        let page: Value = app
            .get_as(token, "/api/v1/epas?stage=registered&policy=tquk")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let page: Value = app
            .get_as(token, "/api/v1/epas?stage=planned")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"], json!([]));
    }
);

on_both!(
    created_records_say_where_they_are_even_on_a_replay,
    async |app: &TestApp, world: &World| {
        let token = &world.epao_admin.token;
        let send = || {
            app.client
                .post(app.url("/api/v1/epas"))
                .bearer_auth(token)
                .header("Idempotency-Key", "register-1")
                .json(&registration(world))
                .send()
        };
        let first = send().await.unwrap();
        assert_eq!(first.status(), 201);
        let location = first.headers()["location"].to_str().unwrap().to_owned();
        let epa: Value = first.json().await.unwrap();
        assert_eq!(
            location,
            format!("/api/v1/epas/{}", epa["id"].as_str().unwrap())
        );
        let read: Value = app.get_as(token, &location).await.json().await.unwrap();
        assert_eq!(read, epa);
        let replay = send().await.unwrap();
        assert_eq!(replay.headers()["idempotent-replay"], "true");
        assert_eq!(replay.headers()["location"], location.as_str());
        // A conflict lives in its person's list.
        let response = app
            .post_as(
                &world.assessor.token,
                "/api/v1/conflicts",
                &json!({"organisation_id": world.employer, "reason": "Worked there"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(
            location,
            format!("/api/v1/users/{}/conflicts", world.assessor.user_id)
        );
        assert_eq!(
            app.get_as(&world.assessor.token, &location).await.status(),
            200
        );
    }
);

on_both!(
    the_plans_are_reference_data_for_anyone_signed_in,
    async |app: &TestApp, world: &World| {
        assert_eq!(app.get("/api/v1/plans").await.status(), 401);
        // Anyone signed in, even with no role anywhere.
        let response = app.get_as(&world.nobody.token, "/api/v1/plans").await;
        assert_eq!(response.status(), 200);
        let plans: Value = response.json().await.unwrap();
        let st0071 = plans
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["standard"] == "ST0071" && p["version"] == "1.2")
            .unwrap_or_else(|| panic!("{plans}"));
        let mut epaos: Vec<&str> = st0071["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["epao"].as_str().unwrap())
            .collect();
        epaos.sort();
        assert_eq!(epaos, ["innovate", "tquk"]);
        assert_eq!(st0071["href"], "/api/v1/plans/ST0071/1.2");

        let plan: Value = app
            .get_as(&world.provider_user.token, "/api/v1/plans/st0071/1.2")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(plan["standard"], "ST0071");
        assert_eq!(plan["policies"].as_array().unwrap().len(), 2);
        for policy in plan["policies"].as_array().unwrap() {
            let epao = policy["epao"].as_str().unwrap();
            assert_eq!(policy["ksbs"].as_array().unwrap().len(), 47, "{epao}");
            let methods: Vec<&str> = policy["methods"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap())
                .collect();
            assert_eq!(methods, ["observation", "project", "discussion"], "{epao}");
            let criteria = policy["criteria"].as_array().unwrap();
            assert!(criteria.len() > 20, "{epao}: {} criteria", criteria.len());
            for criterion in criteria {
                assert!(criterion["id"].as_str().is_some_and(|id| !id.is_empty()));
                assert!(
                    ["pass", "distinction"].contains(&criterion["grade"].as_str().unwrap()),
                    "{criterion}"
                );
                assert!(
                    criterion["text"].as_str().is_some_and(|t| t.len() > 10),
                    "{criterion}"
                );
                assert!(
                    !criterion["ksbs"].as_array().unwrap().is_empty(),
                    "{criterion}"
                );
            }
            let kinds: Vec<&str> = policy["gateway_components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["kind"].as_str().unwrap())
                .collect();
            // Each EPAO's own components (ADR 0106), each with its source.
            assert_eq!(kinds, crate::support::gateway_components(epao), "{epao}");
            for component in policy["gateway_components"].as_array().unwrap() {
                assert!(
                    component["source"].as_str().is_some_and(|s| s.len() > 20),
                    "{component}"
                );
            }
            assert!(
                !policy["gateway_requirements"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            );
        }
        // The two policies name the proposal differently and word criteria their own way.
        let tquk = &plan["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["epao"] == "tquk")
            .unwrap();
        assert_eq!(tquk["proposal"]["needs_acceptance"], true);
        let catalog = epa_plan::Catalog::embedded();
        let effective = catalog.effective("ST0071", Some("1.2"), "tquk").unwrap();
        let first = &effective.criteria[0];
        let served = tquk["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == first.id.as_str())
            .unwrap();
        assert_eq!(served["text"], first.text.as_str());

        for missing in ["/api/v1/plans/ST9999/1.2", "/api/v1/plans/ST0071/9.9"] {
            let (status, _, _) = problem_of(app.get_as(&world.nobody.token, missing).await).await;
            assert_eq!(status, 404, "{missing}");
        }
    }
);
