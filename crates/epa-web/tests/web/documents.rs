//! Uploaded documents through the API: checks on upload (type from the
//! bytes, zip bombs, sizes), word counts and verdicts against the EPA's
//! policy, the flag to the assessor, downloads, who may see what, the
//! gateway's references to documents, the coverage picture and suggested
//! KSBs. Each test runs on SQLite and, when `EPA_TEST_PG_URL` is set,
//! PostgreSQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use epa_app::{Actor, transitions};
use epa_documents::samples;
use epa_domain::Clock;
use epa_domain::lifecycle::Command;
use epa_store::{audit, epas, outbox, users};
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::on_both;
use crate::support::{DISCUSSION_KSBS, gateway_submission, portfolio, registered};

/// A tiny but real-looking PNG: the signature and an IHDR chunk.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\0IEND\xaeB`\x82";

fn id_of(epa: &Value) -> String {
    epa["id"].as_str().unwrap().to_owned()
}

async fn upload(
    app: &TestApp,
    token: &str,
    epa: &str,
    purpose: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/epas/{epa}/documents?purpose={purpose}")))
        .bearer_auth(token)
        .header("X-File-Name", name)
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("request to the test app")
}

/// Uploads and expects 201; answers the record.
async fn uploaded(
    app: &TestApp,
    world: &World,
    epa: &str,
    purpose: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Value {
    let response = upload(app, &world.provider_user.token, epa, purpose, name, bytes).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

async fn document_count(app: &TestApp, world: &World, epa: &str) -> usize {
    let response = app
        .get_as(
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/documents"),
        )
        .await;
    assert_eq!(response.status(), 200);
    response
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

/// Every file the store holds, relative to its root (temporary files apart).
fn stored_files(app: &TestApp) -> Vec<String> {
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.files_dir, &app.files_dir, &mut out);
    out.sort();
    out
}

async fn assert_audit_intact(app: &TestApp) {
    assert!(matches!(
        audit::verify(&app.db).await.unwrap(),
        audit::Verdict::Intact { .. }
    ));
}

async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
    response.json().await.unwrap()
}

on_both!(
    a_report_within_the_limit_gets_its_counts_verdict_and_sentence,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 1).await);
        let doc = uploaded(
            app,
            world,
            &epa,
            "report",
            "Project report.docx",
            samples::sized_docx(2500, 700),
        )
        .await;
        assert_eq!(doc["purpose"], "report");
        assert_eq!(doc["kind"], "docx");
        assert_eq!(doc["words"]["words"], 2500);
        assert_eq!(doc["words"]["annex_words"], 700);
        assert_eq!(doc["words"]["counted_words"], 2500);
        assert_eq!(doc["words"]["limit"], json!({"min": 2250, "max": 2750}));
        assert_eq!(doc["words"]["verdict"], "within");
        assert_eq!(
            doc["words"]["summary"],
            "2,500 words in the report and 700 in annexes: within 2,250-2,750"
        );
        assert_eq!(doc["flag_for_assessor"], false);
        assert_eq!(doc["uploaded_by"], json!(world.provider_user.user_id));
        // Kept: the record reads back the same.
        let id = doc["id"].as_str().unwrap();
        let again: Value = app
            .get_as(
                &world.employer_user.token,
                &format!("/api/v1/documents/{id}"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again, doc);
        assert_audit_intact(app).await;
    }
);

/// An EPA through gateway (directly, as the planning tests do) and its
/// planning meeting with `world.assessor` allocated.
async fn planned(app: &TestApp, world: &World, policy: &str, n: u32) -> String {
    let epa = registered(app, world, policy, n).await;
    let id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
    let core = epa_app::App::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        epa_plan::Catalog::embedded(),
    );
    let actor = Actor {
        user_id: world.operations.user_id,
        memberships: users::memberships(&app.db, world.operations.user_id)
            .await
            .unwrap(),
        request_id: None,
    };
    for command in [
        Command::SubmitGateway,
        Command::ApproveGateway {
            on: app.clock.today(),
        },
    ] {
        let mut tx = app.db.begin_write().await.unwrap();
        let row = epas::get_in(&mut tx, id).await.unwrap();
        transitions::apply(
            &core,
            &mut tx,
            &actor,
            &row,
            &command,
            "epa.test_gateway",
            json!({}),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let response = app
        .post_as(
            &world.operations.token,
            &format!("/api/v1/epas/{id}/planning-meeting"),
            &json!({
                "held_on": "2026-11-02",
                "attendees": ["Test Apprentice", "Tutor, Northfield Training"],
                "assessor_id": world.assessor.user_id,
            }),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    id.to_string()
}

on_both!(
    a_report_under_the_minimum_is_flagged_to_the_allocated_assessor,
    async |app, world| {
        // No assessor yet: flagged, but nobody to tell.
        let unallocated = id_of(&registered(app, world, "innovate", 2).await);
        let doc = uploaded(
            app,
            world,
            &unallocated,
            "report",
            "report.docx",
            samples::sized_docx(2000, 0),
        )
        .await;
        assert_eq!(doc["words"]["verdict"], "under");
        assert_eq!(doc["flag_for_assessor"], true);
        assert!(
            outbox::for_recipient(&app.db, &world.assessor.email)
                .await
                .unwrap()
                .iter()
                .all(|m| m.kind != "report_under_word_limit")
        );

        let epa = planned(app, world, "tquk", 3).await;
        let doc = uploaded(
            app,
            world,
            &epa,
            "report",
            "report.docx",
            samples::sized_docx(2000, 0),
        )
        .await;
        assert_eq!(doc["words"]["words"], 2000);
        assert_eq!(doc["words"]["verdict"], "under");
        assert_eq!(
            doc["words"]["summary"],
            "2,000 words in the report: under 2,250-2,750 by 250"
        );
        assert_eq!(doc["flag_for_assessor"], true);
        let sent: Vec<_> = outbox::for_recipient(&app.db, &world.assessor.email)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "report_under_word_limit")
            .collect();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(
            sent[0].body.contains("under 2,250-2,750 by 250"),
            "{}",
            sent[0].body
        );
        assert!(sent[0].body.contains(doc["id"].as_str().unwrap()));
        // A report within the limit tells nobody.
        uploaded(
            app,
            world,
            &epa,
            "report",
            "report.docx",
            samples::sized_docx(2400, 0),
        )
        .await;
        assert_eq!(
            outbox::for_recipient(&app.db, &world.assessor.email)
                .await
                .unwrap()
                .iter()
                .filter(|m| m.kind == "report_under_word_limit")
                .count(),
            1
        );
        assert_audit_intact(app).await;
    }
);

/// The assessor's messages about reports outside the word limit, as
/// (kind, subject, body).
async fn word_limit_messages(app: &TestApp, world: &World) -> Vec<(String, String, String)> {
    outbox::for_recipient(&app.db, &world.assessor.email)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind.starts_with("report_") && m.kind.ends_with("_word_limit"))
        .map(|m| (m.kind, m.subject, m.body))
        .collect()
}

on_both!(
    a_report_outside_the_limit_either_side_is_flagged_to_the_allocated_assessor,
    async |app, world| {
        for (n, policy) in [(11, "tquk"), (12, "innovate")] {
            let epa = planned(app, world, policy, n).await;
            // On the edges: 2,250 and 2,750 are within; one word past either is not.
            for (words, verdict, flagged) in [
                (2750, "within", false),
                (2250, "within", false),
                (2751, "over", true),
                (2249, "under", true),
            ] {
                let doc = uploaded(
                    app,
                    world,
                    &epa,
                    "report",
                    "report.docx",
                    samples::sized_docx(words, 300),
                )
                .await;
                assert_eq!(doc["words"]["counted_words"], words, "{policy}");
                assert_eq!(doc["words"]["verdict"], verdict, "{policy} {words}");
                assert_eq!(doc["flag_for_assessor"], flagged, "{policy} {words}");
                // The messages about this document (the fake clock stands
                // still, so their order says nothing).
                let id = doc["id"].as_str().unwrap();
                let about: Vec<_> = word_limit_messages(app, world)
                    .await
                    .into_iter()
                    .filter(|(_, _, body)| body.contains(id))
                    .collect();
                if !flagged {
                    assert!(about.is_empty(), "{policy} {words}: {about:?}");
                    continue;
                }
                assert_eq!(about.len(), 1, "{policy} {words}: {about:?}");
                let (kind, subject, body) = &about[0];
                let side = if words > 2750 { "over" } else { "under" };
                assert_eq!(kind, &format!("report_{side}_word_limit"));
                assert_eq!(
                    subject,
                    &format!("A project report is {side} the word limit")
                );
                assert!(
                    body.contains(&format!("is {side} the policy's word limit"))
                        && body.contains(&format!("{side} 2,250-2,750 by 1")),
                    "{body}"
                );
            }
            // One message for each report outside the limit, no more.
            let for_this_epa = word_limit_messages(app, world)
                .await
                .into_iter()
                .filter(|(_, _, body)| body.contains(&epa))
                .count();
            assert_eq!(for_this_epa, 2, "{policy}");
        }
        assert_audit_intact(app).await;
    }
);

on_both!(
    a_tquk_proposal_over_500_words_is_judged_over_and_innovate_has_no_limit,
    async |app, world| {
        let tquk = id_of(&registered(app, world, "tquk", 4).await);
        let doc = uploaded(
            app,
            world,
            &tquk,
            "proposal",
            "proposal.docx",
            samples::sized_docx(600, 0),
        )
        .await;
        assert_eq!(doc["words"]["limit"], json!({"min": null, "max": 500}));
        assert_eq!(doc["words"]["verdict"], "over");
        assert_eq!(
            doc["words"]["summary"],
            "600 words in the work-based project proposal: over the 500-word maximum by 100"
        );
        assert_eq!(doc["flag_for_assessor"], false);

        let innovate = id_of(&registered(app, world, "innovate", 5).await);
        let doc = uploaded(
            app,
            world,
            &innovate,
            "proposal",
            "synopsis.md",
            b"# Synopsis\n\nImprove the complaints process.\n".to_vec(),
        )
        .await;
        assert_eq!(doc["kind"], "md");
        assert_eq!(doc["words"]["limit"], Value::Null);
        assert_eq!(doc["words"]["verdict"], Value::Null);
        assert!(
            doc["words"]["summary"]
                .as_str()
                .unwrap()
                .ends_with("there is no word limit"),
            "{doc}"
        );
    }
);

/// A complete TQUK gateway submission with `photo` as its photo ID and
/// `items` evidence items covering every discussion KSB.
fn submission(photo: Value, items: Vec<Value>) -> Value {
    let mut body = gateway_submission("tquk");
    body["photo_id"] = photo;
    body["portfolio"] = json!({ "items": items });
    body
}

/// `n` evidence items mapped round-robin over the discussion KSBs; the
/// first has `first` as extra fields.
fn items(n: usize, first: Value) -> Vec<Value> {
    let mut items = portfolio(n)["items"].as_array().cloned().unwrap();
    if let (Some(item), Some(extra)) = (items[0].as_object_mut(), first.as_object()) {
        for (k, v) in extra {
            item.insert(k.clone(), v.clone());
        }
    }
    items
}

on_both!(
    a_png_photo_id_is_kept_and_the_gateway_accepts_only_this_epas_documents,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 6).await);
        let other = id_of(&registered(app, world, "tquk", 7).await);
        let photo = uploaded(app, world, &epa, "photo_id", "passport.png", PNG.to_vec()).await;
        assert_eq!(photo["kind"], "png");
        assert_eq!(photo["media_type"], "image/png");
        assert_eq!(photo["size_bytes"], PNG.len());
        assert_eq!(photo["words"], Value::Null);
        let elsewhere =
            uploaded(app, world, &other, "photo_id", "passport.png", PNG.to_vec()).await;
        let evidence = uploaded(
            app,
            world,
            &epa,
            "evidence",
            "feedback.txt",
            b"A customer thanked me for sorting out their refund.".to_vec(),
        )
        .await;
        let gateway = format!("/api/v1/epas/{epa}/gateway");

        // Unknown, another EPA's, and the wrong purpose: each refused by field.
        let body = submission(
            json!({"description": "UK passport", "document_id": Uuid::now_v7()}),
            items(12, json!({"document_id": elsewhere["id"]})),
        );
        let response = app
            .post_as(&world.provider_user.token, &gateway, &body)
            .await;
        let answer = problem(response, 422).await;
        let fields: Vec<&str> = answer["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"photo_id.document_id"), "{answer}");
        assert!(
            fields.contains(&"portfolio.items[0].document_id"),
            "{answer}"
        );
        let body = submission(
            json!({"description": "UK passport", "document_id": evidence["id"]}),
            items(12, json!({})),
        );
        let answer = problem(
            app.post_as(&world.provider_user.token, &gateway, &body)
                .await,
            422,
        )
        .await;
        assert_eq!(answer["errors"][0]["field"], "photo_id.document_id");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("uploaded as evidence"),
            "{answer}"
        );

        // This EPA's own: accepted, and the gateway shows the references.
        let body = submission(
            json!({"description": "UK passport", "document_id": photo["id"]}),
            items(12, json!({"document_id": evidence["id"]})),
        );
        let response = app
            .post_as(&world.provider_user.token, &gateway, &body)
            .await;
        let status = response.status();
        let view: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "{view}");
        let components = view["attempts"][0]["components"].as_array().unwrap();
        let photo_component = components.iter().find(|c| c["kind"] == "photo_id").unwrap();
        assert_eq!(photo_component["document_id"], photo["id"]);
        let portfolio = components
            .iter()
            .find(|c| c["kind"] == "portfolio")
            .unwrap();
        assert_eq!(
            portfolio["evidence_items"][0]["document_id"],
            evidence["id"]
        );
        assert_audit_intact(app).await;
    }
);

on_both!(
    refused_files_are_not_kept_and_say_why,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 8).await);
        // Text named .docx.
        let response = upload(
            app,
            &world.provider_user.token,
            &epa,
            "report",
            "report.docx",
            b"This is plain text pretending to be a Word document.".to_vec(),
        )
        .await;
        let answer = problem(response, 422).await;
        assert_eq!(answer["errors"][0]["field"], "file");
        assert_eq!(
            answer["errors"][0]["message"],
            "the file is named .docx but its content is plain text"
        );
        // A damaged docx (cut short).
        let mut cut = samples::sized_docx(300, 0);
        cut.truncate(cut.len() / 2);
        let answer = problem(
            upload(
                app,
                &world.provider_user.token,
                &epa,
                "report",
                "cut.docx",
                cut,
            )
            .await,
            422,
        )
        .await;
        assert_eq!(answer["errors"][0]["field"], "file");
        // A refused type, and a right type for the wrong purpose.
        let answer = problem(
            upload(
                app,
                &world.provider_user.token,
                &epa,
                "evidence",
                "tool.exe",
                b"MZ\x90\0".to_vec(),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(
            answer["errors"][0]["message"],
            "files ending .exe are not accepted"
        );
        let answer = problem(
            upload(
                app,
                &world.provider_user.token,
                &epa,
                "report",
                "passport.png",
                PNG.to_vec(),
            )
            .await,
            422,
        )
        .await;
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("A PNG image cannot be the project report"),
            "{answer}"
        );
        // An unknown purpose and a missing name.
        let answer = problem(
            upload(
                app,
                &world.provider_user.token,
                &epa,
                "selfie",
                "a.png",
                PNG.to_vec(),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(answer["errors"][0]["field"], "purpose");
        let response = app
            .client
            .post(app.url(&format!("/api/v1/epas/{epa}/documents?purpose=report")))
            .bearer_auth(&world.provider_user.token)
            .body(samples::sized_docx(100, 0))
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response, 422).await["errors"][0]["field"],
            "file_name"
        );
        // A multipart form is not the file.
        let response = app
            .client
            .post(app.url(&format!("/api/v1/epas/{epa}/documents?purpose=report")))
            .bearer_auth(&world.provider_user.token)
            .header("X-File-Name", "report.txt")
            .header(CONTENT_TYPE, "multipart/form-data; boundary=x")
            .body("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nwords\r\n--x--\r\n")
            .send()
            .await
            .unwrap();
        assert_eq!(problem(response, 415).await["status"], 415);

        assert_eq!(document_count(app, world, &epa).await, 0);
        assert!(stored_files(app).is_empty(), "{:?}", stored_files(app));
    }
);

on_both!(zip_bombs_are_refused_quickly, async |app, world| {
    let epa = id_of(&registered(app, world, "tquk", 9).await);
    for (honest, name) in [(true, "honest.docx"), (false, "liar.docx")] {
        let bomb = samples::zip_bomb(1 << 30, honest);
        let size = bomb.len();
        let started = Instant::now();
        let response = upload(app, &world.provider_user.token, &epa, "report", name, bomb).await;
        let took = started.elapsed();
        let answer = problem(response, 422).await;
        println!(
            "zip bomb ({} declared, {size} bytes inflating to 1 GiB) refused in {took:?}: {}",
            if honest { "honestly" } else { "falsely" },
            answer["errors"][0]["message"]
        );
        assert_eq!(answer["errors"][0]["field"], "file");
        assert!(took < Duration::from_secs(2), "took {took:?}");
    }
    assert_eq!(document_count(app, world, &epa).await, 0);
    assert!(stored_files(app).is_empty());
});

on_both!(
    an_oversize_body_is_413_whether_or_not_it_says_its_length,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 10).await);
        let big = vec![b'a'; 25 * 1024 * 1024 + 1];
        // Content-Length says it: refused before reading.
        let answer = problem(
            upload(
                app,
                &world.provider_user.token,
                &epa,
                "report",
                "big.txt",
                big.clone(),
            )
            .await,
            413,
        )
        .await;
        assert_eq!(answer["status"], 413);
        assert!(
            answer["detail"].as_str().unwrap().contains("25 MB"),
            "{answer}"
        );
        // Streamed without a length (chunked): refused once past the limit.
        let status = chunked_upload(app, &world.provider_user.token, &epa, &big).await;
        assert_eq!(status, 413);
        // The JSON routes keep their small limit.
        let response = app
            .client
            .post(app.url(&format!("/api/v1/epas/{epa}/gateway")))
            .bearer_auth(&world.provider_user.token)
            .header(CONTENT_TYPE, "application/json")
            .body(vec![b' '; 3 * 1024 * 1024])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
        assert_eq!(document_count(app, world, &epa).await, 0);
    }
);

/// Sends `bytes` as a report upload with `Transfer-Encoding: chunked` (no
/// Content-Length) over a raw connection; answers the response's status.
async fn chunked_upload(app: &TestApp, token: &str, epa: &str, bytes: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /api/v1/epas/{epa}/documents?purpose=report HTTP/1.1\r\nHost: {host}\r\n\
         Authorization: Bearer {token}\r\nX-File-Name: big.txt\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer and close before everything is sent.
    for chunk in bytes.chunks(1024 * 1024) {
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
    assert!(answer.contains("application/problem+json"), "{status_line}");
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

on_both!(
    a_path_traversal_name_is_kept_as_data_and_the_file_under_its_hash,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 11).await);
        let bytes = b"Notes from my customer call.\n".to_vec();
        let doc = uploaded(
            app,
            world,
            &epa,
            "evidence",
            "../../../../tmp/evil.txt",
            bytes.clone(),
        )
        .await;
        assert_eq!(doc["declared_name"], "evil.txt");
        let hash = doc["sha256"].as_str().unwrap();
        assert_eq!(hash.len(), 64);
        assert_eq!(
            stored_files(app),
            vec![format!("{}/{}", &hash[..2], &hash[2..])]
        );
        assert!(
            !app.files_dir
                .parent()
                .unwrap()
                .join("tmp/evil.txt")
                .exists()
        );
        assert!(
            !std::path::Path::new("/tmp/evil.txt").exists()
                || std::fs::read("/tmp/evil.txt").unwrap() != bytes
        );
        // The same bytes again: a second record, one stored file.
        let again = uploaded(app, world, &epa, "evidence", "copy.txt", bytes).await;
        assert_ne!(again["id"], doc["id"]);
        assert_eq!(again["sha256"], doc["sha256"]);
        assert_eq!(stored_files(app).len(), 1);
    }
);

on_both!(
    a_download_is_an_attachment_with_nosniff_and_the_sniffed_type,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 12).await);
        let bytes = samples::sized_docx(2500, 0);
        let doc = uploaded(
            app,
            world,
            &epa,
            "report",
            // Percent-encoded, as a browser's encodeURIComponent sends it.
            "Report%20%22final%22%20%C3%A9.docx",
            bytes.clone(),
        )
        .await;
        assert_eq!(doc["declared_name"], "Report \"final\" é.docx");
        let id = doc["id"].as_str().unwrap();
        let response = app
            .get_as(
                &world.employer_user.token,
                &format!("/api/v1/documents/{id}/content"),
            )
            .await;
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(
            headers[CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let disposition = headers[CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.starts_with("attachment; "), "{disposition}");
        assert!(
            disposition.contains("filename=\"Report _final_ _.docx\""),
            "{disposition}"
        );
        assert!(
            disposition.contains("filename*=UTF-8''Report%20%22final%22%20%C3%A9.docx"),
            "{disposition}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(response.bytes().await.unwrap().to_vec(), bytes);
    }
);

on_both!(who_may_upload_and_see_documents, async |app, world| {
    let epa = id_of(&registered(app, world, "tquk", 13).await);
    let doc = uploaded(app, world, &epa, "photo_id", "id.png", PNG.to_vec()).await;
    let id = doc["id"].as_str().unwrap();
    // Another provider: nothing exists.
    let other = &world.other_provider_user.token;
    assert_eq!(
        upload(app, other, &epa, "photo_id", "id.png", PNG.to_vec())
            .await
            .status(),
        404
    );
    for path in [
        format!("/api/v1/documents/{id}"),
        format!("/api/v1/documents/{id}/content"),
        format!("/api/v1/epas/{epa}/documents"),
    ] {
        assert_eq!(app.get_as(other, &path).await.status(), 404, "{path}");
        assert_eq!(
            app.get_as(&world.other_employer_user.token, &path)
                .await
                .status(),
            404,
            "{path}"
        );
    }
    // The employer sees it but may not upload; the unallocated assessor sees nothing.
    let answer = problem(
        upload(
            app,
            &world.employer_user.token,
            &epa,
            "evidence",
            "a.txt",
            b"hello".to_vec(),
        )
        .await,
        403,
    )
    .await;
    assert!(
        answer["detail"]
            .as_str()
            .unwrap()
            .contains("training provider")
    );
    assert_eq!(
        app.get_as(
            &world.employer_user.token,
            &format!("/api/v1/documents/{id}")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.get_as(&world.assessor.token, &format!("/api/v1/documents/{id}"))
            .await
            .status(),
        404
    );
    // EPAO staff may upload; nobody without a token may do anything.
    let response = app
        .client
        .post(app.url(&format!("/api/v1/epas/{epa}/documents?purpose=evidence")))
        .bearer_auth(&world.operations.token)
        .header("X-File-Name", "note.txt")
        .body("Observed on site.")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let response = app
        .client
        .post(app.url(&format!("/api/v1/epas/{epa}/documents?purpose=evidence")))
        .header("X-File-Name", "note.txt")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        app.get_as("not-a-token", &format!("/api/v1/documents/{id}/content"))
            .await
            .status(),
        401
    );
    // A malformed ID is an unknown one.
    assert_eq!(
        app.get_as(&world.operations.token, "/api/v1/documents/not-a-uuid")
            .await
            .status(),
        404
    );
});

on_both!(
    the_coverage_picture_is_valid_xml_and_escapes_every_title,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 14).await);
        let body = submission(
            json!({"description": "UK passport", "seen": true}),
            items(
                12,
                json!({"title": "<script>alert('x')</script> & \"more\""}),
            ),
        );
        let response = app
            .post_as(
                &world.provider_user.token,
                &format!("/api/v1/epas/{epa}/gateway"),
                &body,
            )
            .await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let response = app
            .get_as(
                &world.employer_user.token,
                &format!("/api/v1/epas/{epa}/gateway/coverage.svg"),
            )
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "image/svg+xml; charset=utf-8"
        );
        let svg = response.text().await.unwrap();
        assert!(!svg.to_lowercase().contains("<script"), "{svg}");

        // Parse it: every element, and every text as a reader would get it.
        let mut reader = quick_xml::Reader::from_str(&svg);
        let mut elements = Vec::new();
        let mut texts = String::new();
        loop {
            match reader.read_event().expect("the picture is well-formed XML") {
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                    elements.push(e.name().into_inner().to_owned());
                }
                quick_xml::events::Event::Text(t) => {
                    texts.push_str(&t.xml10_content());
                }
                quick_xml::events::Event::End(_) => texts.push('\n'),
                quick_xml::events::Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref().unwrap() {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                            .expect("only the predefined entities are used")
                            .to_owned(),
                    };
                    texts.push_str(&resolved);
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(elements[0], "svg");
        assert!(elements.contains(&"title".to_owned()));
        assert!(elements.contains(&"desc".to_owned()));
        assert!(!elements.iter().any(|e| e.eq_ignore_ascii_case("script")));
        assert!(
            texts.contains("1. <script>alert('x')</script> & \"more\""),
            "{texts}"
        );
        for ksb in DISCUSSION_KSBS {
            assert!(texts.contains(ksb), "{ksb} is not labelled");
        }
        assert!(texts.contains("Every KSB is covered."));
    }
);

on_both!(
    suggestions_rank_the_obviously_matching_ksb_first,
    async |app, world| {
        let epa = registered(app, world, "tquk", 15).await;
        let response = app
            .post_as(
                &world.provider_user.token,
                "/api/v1/ksb-suggestions",
                &json!({
                    "epa_id": epa["id"],
                    "description": "Explained the commercial factors and my authority limits when a customer asked for a refund above what I could approve",
                }),
            )
            .await;
        let status = response.status();
        let answer: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["method"], "discussion");
        assert_eq!(answer["suggestions"][0]["ksb"], "K9", "{answer}");
        let shared = answer["suggestions"][0]["shared_terms"].as_array().unwrap();
        assert!(shared.contains(&json!("authority")), "{answer}");
        assert!(answer["suggestions"].as_array().unwrap().len() <= 5);
        // Only the method's KSBs are suggested.
        for s in answer["suggestions"].as_array().unwrap() {
            assert!(DISCUSSION_KSBS.contains(&s["ksb"].as_str().unwrap()), "{s}");
        }
        // Bad input by field; another organisation's EPA does not exist.
        let answer = problem(
            app.post_as(
                &world.provider_user.token,
                "/api/v1/ksb-suggestions",
                &json!({"epa_id": epa["id"], "description": " ", "method": "interview"}),
            )
            .await,
            422,
        )
        .await;
        let fields: Vec<&str> = answer["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["method", "description"]);
        assert_eq!(
            app.post_as(
                &world.other_provider_user.token,
                "/api/v1/ksb-suggestions",
                &json!({"epa_id": epa["id"], "description": "refund authority"}),
            )
            .await
            .status(),
            404
        );
    }
);

on_both!(
    without_a_file_store_uploads_answer_503,
    async |app, world| {
        let epa = id_of(&registered(app, world, "tquk", 16).await);
        // The same database served by an app that keeps no files.
        let core = epa_app::App::new(
            app.db.clone(),
            Arc::new(app.clock.clone()),
            epa_plan::Catalog::embedded(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let router = epa_web::router(epa_web::AppState { app: core });
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let response = app
            .client
            .post(format!(
                "{address}/api/v1/epas/{epa}/documents?purpose=photo_id"
            ))
            .bearer_auth(&world.provider_user.token)
            .header("X-File-Name", "id.png")
            .body(PNG.to_vec())
            .send()
            .await
            .unwrap();
        let answer = problem(response, 503).await;
        assert!(
            answer["detail"].as_str().unwrap().contains("no file store"),
            "{answer}"
        );
    }
);

/// Query parameters are documented in the query, and operation IDs are
/// unique: clients generated from the document depend on both.
#[test]
fn the_openapi_document_places_parameters_and_names_operations_uniquely() {
    let document = serde_json::to_value(epa_web::api::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            operations.push(id.to_owned());
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    parameter["in"] == "path",
                    in_path,
                    "{method} {path}: parameter {name} is documented in {}",
                    parameter["in"]
                );
            }
        }
    }
    let mut unique = operations.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), operations.len(), "{operations:?}");
    let upload = &document["paths"]["/api/v1/epas/{id}/documents"]["post"];
    assert_eq!(
        upload["requestBody"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["application/octet-stream"]
    );
}

// ---------------------------------------------------------------------------
// A portfolio sent as one zip (Innovate: "either by inserting a link to a
// SharePoint or including a zip file").

async fn send_archive(
    app: &TestApp,
    token: &str,
    epa: &str,
    purpose: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/epas/{epa}/documents/archive?purpose={purpose}"
        )))
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/zip")
        .body(bytes)
        .send()
        .await
        .expect("request to the test app")
}

on_both!(
    a_portfolio_zip_sent_twice_at_once_under_one_key_is_kept_once,
    async |app, world| {
        let epa = id_of(&registered(app, world, "innovate", 14).await);
        let zip = samples::zip_files(&[
            ("Portfolio/desk.png", PNG),
            ("Portfolio/notes.md", b"# Notes\n\nTeam huddle.\n"),
        ]);
        let path = format!("/api/v1/epas/{epa}/documents/archive?purpose=portfolio");
        let send = |bytes: Vec<u8>| {
            app.client
                .post(app.url(&path))
                .bearer_auth(&world.provider_user.token)
                .header(CONTENT_TYPE, "application/zip")
                .header("Idempotency-Key", "archive-once")
                .body(bytes)
                .send()
        };
        let (a, b) = tokio::join!(send(zip.clone()), send(zip.clone()));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!((a.status().as_u16(), b.status().as_u16()), (201, 201));
        // Both answers, the replay included, say where the documents are.
        let location = format!("/api/v1/epas/{epa}/documents");
        assert_eq!(a.headers()["location"], location.as_str());
        assert_eq!(b.headers()["location"], location.as_str());
        let replays = [&a, &b]
            .iter()
            .filter(|r| r.headers().contains_key("idempotent-replay"))
            .count();
        assert_eq!(replays, 1, "exactly one answer is a replay");
        let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
        assert_eq!(a, b);
        assert_eq!(document_count(app, world, &epa).await, 2);

        // The same key with another zip is another request: refused, nothing kept.
        let other = samples::zip_files(&[("Portfolio/desk.png", PNG)]);
        let refused = send(other).await.unwrap();
        assert_eq!(refused.status(), 422);
        let answer: Value = refused.json().await.unwrap();
        assert_eq!(answer["errors"][0]["field"], "Idempotency-Key", "{answer}");
        assert_eq!(document_count(app, world, &epa).await, 2);
    }
);

/// The refusal's messages, each naming a file.
fn messages(answer: &Value) -> Vec<String> {
    answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["field"], "file", "{answer}");
            e["message"].as_str().unwrap().to_owned()
        })
        .collect()
}

on_both!(
    a_portfolio_zip_becomes_one_evidence_document_per_file,
    async |app, world| {
        let epa = id_of(&registered(app, world, "innovate", 14).await);
        let docx = samples::sized_docx(300, 0);
        let pdf = samples::pdf(&["Call log", "Customer called about a refund."]);
        let zip = samples::zip_files(&[
            ("Portfolio/", b""),
            ("Portfolio/K1 emails.docx", &docx),
            ("Portfolio/photos/desk.png", PNG),
            ("Portfolio/notes.md", b"# Notes\n\nTeam huddle.\n"),
            ("Portfolio/call log.pdf", &pdf),
            ("__MACOSX/Portfolio/._call log.pdf", b"\0\x05\x16\x07"),
        ]);
        let response = send_archive(app, &world.provider_user.token, &epa, "portfolio", zip).await;
        assert_eq!(response.status(), 201);
        assert_eq!(
            response.headers()["location"],
            format!("/api/v1/epas/{epa}/documents").as_str()
        );
        let docs: Vec<Value> = response.json().await.unwrap();
        let got: Vec<(&str, &str, &str)> = docs
            .iter()
            .map(|d| {
                (
                    d["declared_name"].as_str().unwrap(),
                    d["kind"].as_str().unwrap(),
                    d["purpose"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("K1 emails.docx", "docx", "evidence"),
                ("desk.png", "png", "evidence"),
                ("notes.md", "md", "evidence"),
                ("call log.pdf", "pdf", "evidence"),
            ]
        );
        // Counted as an evidence upload is: words, no limit, no flag.
        assert_eq!(docs[0]["words"]["words"], 300);
        assert_eq!(docs[0]["words"]["limit"], Value::Null);
        assert!(docs.iter().all(|d| d["flag_for_assessor"] == false));
        assert!(
            docs.iter()
                .all(|d| d["uploaded_by"] == json!(world.provider_user.user_id))
        );
        assert_eq!(document_count(app, world, &epa).await, 4);
        assert_eq!(stored_files(app).len(), 4, "{:?}", stored_files(app));
        // Each comes back as the bytes that were inside.
        let response = app
            .get_as(
                &world.operations.token,
                &format!(
                    "/api/v1/documents/{}/content",
                    docs[0]["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap().to_vec(), docx);
        // One audit event per document, each naming the archive it came from.
        let events: Vec<Value> = audit::for_entity(&app.db, "epa", &epa)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "document.uploaded")
            .map(|e| serde_json::from_str(e.after_json.as_deref().unwrap()).unwrap())
            .collect();
        assert_eq!(events.len(), 4);
        let archive = events[0]["archive_sha256"].clone();
        assert_eq!(archive.as_str().map(str::len), Some(64));
        assert!(events.iter().all(|e| e["archive_sha256"] == archive));
        assert_audit_intact(app).await;
    }
);

on_both!(
    a_portfolio_zip_with_a_bad_file_stores_nothing_and_names_each_refused_file,
    async |app, world| {
        let epa = id_of(&registered(app, world, "innovate", 15).await);
        let docx = samples::sized_docx(300, 0);
        let zip = samples::zip_files(&[
            ("good.docx", &docx),
            ("evidence/fake.pdf", b"Just some words, not a PDF at all."),
            ("tools/run.exe", b"MZ\x90\0"),
            ("also good.png", PNG),
        ]);
        let answer = problem(
            send_archive(app, &world.provider_user.token, &epa, "portfolio", zip).await,
            422,
        )
        .await;
        let said = messages(&answer);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(
            said[0].starts_with("\"evidence/fake.pdf\" in the archive: ")
                && said[0].contains("plain text"),
            "{said:?}"
        );
        assert!(
            said[1].starts_with("\"tools/run.exe\" in the archive: ") && said[1].contains(".exe"),
            "{said:?}"
        );
        assert_eq!(document_count(app, world, &epa).await, 0);
        assert!(stored_files(app).is_empty(), "{:?}", stored_files(app));

        // A Word file, the wrong purpose, not a zip, an empty archive:
        // refused, each saying why, nothing kept.
        let folder_only = samples::zip_files(&[("empty/", b"")]);
        for (purpose, bytes, field, says) in [
            (
                "portfolio",
                docx.clone(),
                "file",
                "a Word document, not a zip archive of files",
            ),
            (
                "report",
                samples::zip_files(&[("a.txt", b"a")]),
                "purpose",
                "only a portfolio",
            ),
            ("portfolio", PNG.to_vec(), "file", "not a zip archive"),
            ("portfolio", folder_only, "file", "holds no files"),
        ] {
            let answer = problem(
                send_archive(app, &world.provider_user.token, &epa, purpose, bytes).await,
                422,
            )
            .await;
            assert_eq!(answer["errors"][0]["field"], field, "{answer}");
            let message = answer["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(says), "{answer}");
        }
        // The employer may see the EPA but not send its portfolio.
        problem(
            send_archive(
                app,
                &world.employer_user.token,
                &epa,
                "portfolio",
                samples::zip_files(&[("a.txt", b"a")]),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(document_count(app, world, &epa).await, 0);
        assert!(stored_files(app).is_empty());
    }
);

on_both!(
    a_zip_bomb_portfolio_is_refused_quickly,
    async |app, world| {
        let epa = id_of(&registered(app, world, "innovate", 16).await);
        let zeros = samples::deflated_zeros(1 << 30);
        for declared in [1u64 << 30, 10_000] {
            let bomb = samples::raw_zip(&[samples::RawEntry {
                name: "evidence/huge.txt",
                method: 8,
                data: &zeros,
                crc: 0,
                declared_size: declared,
            }]);
            let started = Instant::now();
            let answer = problem(
                send_archive(app, &world.provider_user.token, &epa, "portfolio", bomb).await,
                422,
            )
            .await;
            let took = started.elapsed();
            let said = messages(&answer);
            println!("portfolio zip bomb declaring {declared} bytes refused in {took:?}: {said:?}");
            assert!(said[0].contains("evidence/huge.txt"), "{said:?}");
            // Most of this is sending the 6.7 MB body on a busy machine;
            // inflating the gigabyte would take many times longer.
            assert!(took < Duration::from_secs(5), "took {took:?}");
        }
        // A Word file inside that is itself a bomb is refused as an upload
        // would be (stored, so the archive's own ratio check does not catch
        // it first).
        let inner = samples::zip_bomb(1 << 30, true);
        let zip = samples::raw_zip(&[samples::RawEntry {
            name: "report.docx",
            method: 0,
            data: &inner,
            crc: samples::crc32(&inner),
            declared_size: inner.len() as u64,
        }]);
        let said = messages(
            &problem(
                send_archive(app, &world.provider_user.token, &epa, "portfolio", zip).await,
                422,
            )
            .await,
        );
        assert!(
            said[0].starts_with("\"report.docx\" in the archive: ") && said[0].contains("zip bomb"),
            "{said:?}"
        );
        assert_eq!(document_count(app, world, &epa).await, 0);
        assert!(stored_files(app).is_empty());
    }
);

on_both!(
    names_inside_a_portfolio_zip_are_data_never_paths,
    async |app, world| {
        let epa = id_of(&registered(app, world, "innovate", 17).await);
        let zip = samples::zip_files(&[
            ("../../etc/passwd.txt", b"root:x:0:0"),
            ("/tmp/absolute.txt", b"absolute"),
            ("..\\..\\windows.txt", b"windows"),
        ]);
        let response = send_archive(app, &world.provider_user.token, &epa, "portfolio", zip).await;
        assert_eq!(response.status(), 201);
        let docs: Vec<Value> = response.json().await.unwrap();
        let names: Vec<&str> = docs
            .iter()
            .map(|d| d["declared_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["passwd.txt", "absolute.txt", "windows.txt"]);
        // Stored under their content hashes, inside the store, and nowhere else.
        let root = app.files_dir.parent().unwrap();
        assert!(!root.join("etc").exists());
        assert!(!root.join("windows.txt").exists());
        assert!(!std::path::Path::new("/tmp/absolute.txt").exists());
        let stored = stored_files(app);
        assert_eq!(stored.len(), 3, "{stored:?}");
        for path in &stored {
            assert!(!path.contains("passwd") && !path.contains(".txt"), "{path}");
        }
        for doc in &docs {
            let sha = doc["sha256"].as_str().unwrap();
            assert!(
                stored.iter().any(|p| p.replace('/', "") == sha),
                "{sha} {stored:?}"
            );
        }
        assert_audit_intact(app).await;
    }
);
