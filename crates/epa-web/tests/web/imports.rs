//! Registering apprentices from a CSV file through the API and the page:
//! every problem of every row named, nothing stored unless the whole file
//! is right, Excel's encodings read, and each EPA audited as a single
//! registration is.

use epa_store::{apprentices, audit};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header;
use serde_json::Value;

use crate::on_both;
use crate::pages::{csrf_of, page, signed_in};
use crate::support::uln;

const HEADER: &str =
    "uln,given_names,family_name,date_of_birth,employer_id,provider_id,standard,policy,start_date";

/// One good row for the world's employer and provider.
fn row(world: &World, n: u32) -> String {
    format!(
        "{},Test,Apprentice {n},2003-04-17,{},{},ST0071,tquk,2025-06-02",
        uln(n),
        world.employer,
        world.provider
    )
}

async fn send(app: &TestApp, token: &str, path: &str, body: Vec<u8>) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Apprentices on file, and audit events in the chain (checked intact).
async fn stored(app: &TestApp) -> (i64, u64) {
    let audit::Verdict::Intact { events } = audit::verify(&app.db).await.unwrap() else {
        panic!("the audit chain is broken");
    };
    (apprentices::count(&app.db).await.unwrap(), events)
}

/// The problem's fields as `row N, column` strings.
fn named(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

on_both!(
    a_file_with_problems_stores_nothing_and_names_every_one,
    async |app: &TestApp, world: &World| {
        // One registered already, so the file's copy of it is a duplicate.
        let (status, _) = send(
            app,
            &world.operations.token,
            "/api/v1/imports/apprentices",
            format!("{HEADER}\n{}\n", row(world, 1)).into_bytes(),
        )
        .await;
        assert_eq!(status, 201);
        let before = stored(app).await;
        let file = [
            HEADER.to_owned(),
            row(world, 2), // 2: fine
            row(world, 1), // 3: on file already
            row(world, 2), // 4: twice in the file
            "1234567890,,Khan,2003-04-17,Acme Retail,10012345,ST0071,tquk,2025-06-02".to_owned(), // 5: ULN, name
            format!(
                "{},Amira,Khan,17/13/2003,Nobody Ltd,{},ST0071,tquk,2025-06-02",
                uln(5),
                world.provider
            ), // 6: date, employer
            format!(
                "{},Amira,Khan,2003-04-17,{},{},ST9999,acme,2025-06-02",
                uln(6),
                world.employer,
                world.provider
            ), // 7: standard
            format!(
                "{},Amira,Khan,2003-04-17,{},{},ST0071,tquk",
                uln(7),
                world.employer,
                world.provider
            ), // 8: a cell short
        ]
        .join("\r\n");
        let (status, problem) = send(
            app,
            &world.operations.token,
            "/api/v1/imports/apprentices",
            file.into_bytes(),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(
            named(&problem),
            [
                "row 3, uln",
                "row 4, uln",
                "row 5, uln",
                "row 5, given_names",
                "row 6, date_of_birth",
                "row 6, employer_id",
                "row 7, standard",
                "row 8",
            ],
            "{problem}"
        );
        let messages = problem["errors"].to_string();
        assert!(messages.contains("already registered"), "{messages}");
        assert!(messages.contains("also on row 2"), "{messages}");
        assert_eq!(stored(app).await, before, "nothing may be stored");
    }
);

on_both!(
    a_good_file_in_excels_encoding_registers_every_row_with_its_audit,
    async |app: &TestApp, world: &World| {
        let before = stored(app).await;
        // Windows-1252, as Excel's plain "CSV" writes it: é is one byte.
        let mut file = format!("{HEADER}\r\n").into_bytes();
        file.extend_from_slice(format!("{},Ren", uln(11)).as_bytes());
        file.push(0xE9);
        file.extend_from_slice(
            ",Dubois,2003-04-17,Acme Retail,10012345,st0071,TQUK,02/06/2025\r\n".as_bytes(),
        );
        file.extend_from_slice(format!("{}\r\n,,,,,,,,\r\n", row(world, 12)).as_bytes());
        let (status, summary) = send(
            app,
            &world.provider_user.token,
            "/api/v1/imports/apprentices",
            file,
        )
        .await;
        assert_eq!(status, 201, "{summary}");
        assert_eq!(summary["registered"], 2);
        assert_eq!(summary["epas"][0]["row"], 2);
        assert_eq!(summary["epas"][1]["row"], 3);
        let id = summary["epas"][0]["epa_id"].as_str().unwrap();
        let epa: Value = app
            .get_as(&world.provider_user.token, &format!("/api/v1/epas/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(epa["apprentice"]["given_names"], "René");
        assert_eq!(epa["policy"], "tquk");
        // The UK date read as the day it names.
        let row = epa_store::epas::get(&app.db, id.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(row.training_start.to_string(), "2025-06-02");
        assert_eq!(stored(app).await.0, before.0 + 2);
        for epa in summary["epas"].as_array().unwrap() {
            let events = audit::for_entity(&app.db, "epa", epa["epa_id"].as_str().unwrap())
                .await
                .unwrap();
            assert_eq!(events[0].action, "epa.registered");
            assert_eq!(events[0].actor_id, Some(world.provider_user.user_id));
        }
    }
);

on_both!(
    a_dry_run_checks_and_stores_nothing,
    async |app: &TestApp, world: &World| {
        let before = stored(app).await;
        // UTF-8 with the byte-order mark Excel's "CSV UTF-8" writes.
        let mut file = vec![0xEF, 0xBB, 0xBF];
        file.extend_from_slice(format!("{HEADER}\n{}\n", row(world, 21)).as_bytes());
        let (status, summary) = send(
            app,
            &world.operations.token,
            "/api/v1/imports/apprentices?dry_run=true",
            file,
        )
        .await;
        assert_eq!(status, 200, "{summary}");
        assert_eq!(summary["dry_run"], true);
        assert_eq!(summary["registered"], 0);
        assert_eq!(summary["epas"][0]["uln"], uln(21));
        assert_eq!(summary["epas"][0]["epa_id"], Value::Null);
        assert_eq!(stored(app).await, before);
    }
);

on_both!(
    only_providers_and_epao_staff_import_and_only_their_own,
    async |app: &TestApp, world: &World| {
        let file = format!("{HEADER}\n{}\n", row(world, 31)).into_bytes();
        let (status, _) = send(
            app,
            &world.employer_user.token,
            "/api/v1/imports/apprentices",
            file.clone(),
        )
        .await;
        assert_eq!(status, 403);
        // Another provider's apprentices are refused row by row.
        let (status, problem) = send(
            app,
            &world.other_provider_user.token,
            "/api/v1/imports/apprentices",
            file,
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(named(&problem), ["row 2, provider_id"]);
    }
);

on_both!(
    a_file_without_the_columns_is_named_at_its_header,
    async |app: &TestApp, world: &World| {
        let (status, problem) = send(
            app,
            &world.operations.token,
            "/api/v1/imports/apprentices",
            b"uln,name\n1,2\n".to_vec(),
        )
        .await;
        assert_eq!(status, 422);
        let fields = named(&problem);
        assert!(fields.contains(&"row 1, name".to_owned()), "{fields:?}");
        assert!(
            fields.contains(&"row 1, start_date".to_owned()),
            "{fields:?}"
        );
        let (status, _) = send(
            app,
            &world.operations.token,
            "/api/v1/imports/apprentices",
            Vec::new(),
        )
        .await;
        assert_eq!(status, 422);
    }
);

const BOUNDARY: &str = "openepa-import-boundary-51c2";

fn multipart(file: &[u8], dry_run: bool) -> Vec<u8> {
    let mut body = Vec::new();
    if dry_run {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\nyes\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"apprentices.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, cookie: &str, csrf: &str, body: Vec<u8>) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/epas/import?csrf={csrf}")))
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

on_both!(
    the_page_shows_every_problem_in_a_table_then_what_was_registered,
    async |app: &TestApp, world: &World| {
        let cookie = signed_in(app, &world.provider_user).await;
        let (status, html) = page(app, &cookie, "/epas/import").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("<h1>Register apprentices from a file</h1>"),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let before = stored(app).await;

        let bad = format!(
            "{HEADER}\n{}\n{},,X,2003-04-17,{},{},ST0071,tquk,2025-06-02\n",
            row(world, 41),
            uln(42),
            world.employer,
            world.provider
        );
        let (status, html) = upload(app, &cookie, &csrf, multipart(bad.as_bytes(), false)).await;
        assert_eq!(status, 422, "{html}");
        assert!(
            html.contains("<title>Error: Register apprentices from a file"),
            "{html}"
        );
        assert!(html.contains("The file has 1 problem in 1 row"), "{html}");
        assert!(
            html.contains(
                "<tr><td>3</td><td><code>given_names</code></td><td>enter a name</td></tr>"
            ),
            "{html}"
        );
        assert_eq!(stored(app).await, before);

        let good = format!("{HEADER}\n{}\n{}\n", row(world, 41), row(world, 43));
        let (status, html) = upload(app, &cookie, &csrf, multipart(good.as_bytes(), true)).await;
        assert_eq!(status, 200, "{html}");
        assert!(
            html.contains("The file is ready: 2 apprentices would be registered"),
            "{html}"
        );
        assert_eq!(stored(app).await, before);

        let (status, html) = upload(app, &cookie, &csrf, multipart(good.as_bytes(), false)).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("2 apprentices registered"), "{html}");
        assert!(
            html.contains("Open the EPA<span class=\"visually-hidden\"> of row 3</span>"),
            "{html}"
        );
        assert_eq!(stored(app).await.0, before.0 + 2);
    }
);
