//! Uploading from an EPA's page: a multipart form with its token in the
//! action, the word count and any length warning shown on arrival, the same
//! use case as the API's upload.

use epa_documents::samples;
use epa_testkit::TestApp;
use epa_testkit::seed::World;
use reqwest::header;

use crate::on_both;
use crate::pages::{csrf_of, page, signed_in};
use crate::support::registered;

const BOUNDARY: &str = "openepa-test-boundary-7d1f";

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\0IEND\xaeB`\x82";

/// A multipart body: the purpose field, then the file as a browser sends it.
fn multipart(purpose: &str, file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{purpose}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts an upload as the form does: status, `Location` and body.
async fn send(
    app: &TestApp,
    cookie: &str,
    path: &str,
    body: Vec<u8>,
    extra: Option<(&str, &str)>,
) -> (u16, String, String) {
    let mut request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body);
    if let Some((name, value)) = extra {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

async fn documents(app: &TestApp, world: &World, epa: &str) -> Vec<serde_json::Value> {
    let list: serde_json::Value = app
        .get_as(
            &world.operations.token,
            &format!("/api/v1/epas/{epa}/documents"),
        )
        .await
        .json()
        .await
        .unwrap();
    list.as_array()
        .or_else(|| list["items"].as_array())
        .cloned()
        .unwrap_or_default()
}

/// A new EPA under `policy`, its provider signed in on its upload page:
/// the EPA's id, the provider's cookie, the page's path and its form token.
async fn on_the_upload_page(
    app: &TestApp,
    world: &World,
    policy: &str,
    n: u32,
) -> (String, String, String, String) {
    let epa = registered(app, world, policy, n).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let provider = signed_in(app, &world.provider_user).await;
    let upload = format!("/epas/{epa}/upload");
    let (status, html) = page(app, &provider, &upload).await;
    assert_eq!(status, 200, "{html}");
    let token = csrf_of(&html);
    (epa, provider, upload, token)
}

on_both!(
    a_report_uploaded_from_the_page_shows_its_words_and_warning,
    async |app: &TestApp, world: &World| {
        let epa = registered(app, world, "tquk", 1).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let provider = signed_in(app, &world.provider_user).await;
        let (status, html) = page(app, &provider, &format!("/epas/{epa}")).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&format!("href=\"/epas/{epa}/upload\"")),
            "{html}"
        );

        let upload = format!("/epas/{epa}/upload");
        let (status, html) = page(app, &provider, &upload).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("enctype=\"multipart/form-data\""));
        let token = csrf_of(&html);
        assert!(html.contains(&format!("action=\"/epas/{epa}/upload?csrf={token}\"")));
        assert!(html.contains("Portfolio evidence") && html.contains("Project proposal"));

        // Too short for TQUK's 2,250 to 2,750: counted and warned of on arrival.
        let (status, location, _) = send(
            app,
            &provider,
            &format!("{upload}?csrf={token}"),
            multipart(
                "report",
                "Project report.docx",
                &samples::sized_docx(2000, 0),
            ),
            None,
        )
        .await;
        assert_eq!(status, 303);
        assert!(
            location.starts_with(&format!("{upload}?uploaded=")),
            "{location}"
        );
        let (status, html) = page(app, &provider, &location).await;
        assert_eq!(status, 200);
        assert!(html.contains("Received: Project report.docx"), "{html}");
        assert!(html.contains("2,000 words in the report: under 2,250-2,750 by 250."));
        assert!(
            html.contains("shorter than the EPAO&#39;s limit allows"),
            "{html}"
        );
        assert!(html.contains("class=\"warning-panel\""));

        // The same document as the API's upload would have made.
        let docs = documents(app, world, &epa).await;
        assert_eq!(docs.len(), 1, "{docs:?}");
        assert_eq!(docs[0]["purpose"], "report");
        assert_eq!(docs[0]["declared_name"], "Project report.docx");
        assert_eq!(docs[0]["words"]["verdict"], "under");
        assert_eq!(docs[0]["flag_for_assessor"], true);
        assert_eq!(
            docs[0]["uploaded_by"],
            serde_json::json!(world.provider_user.user_id)
        );

        // Within the limit: no warning.
        let (status, location, _) = send(
            app,
            &provider,
            &format!("{upload}?csrf={token}"),
            multipart("report", "report v2.docx", &samples::sized_docx(2500, 300)),
            None,
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(app, &provider, &location).await;
        assert!(html.contains("2,500 words in the report and 300 in annexes: within 2,250-2,750."));
        assert!(!html.contains("class=\"warning-panel\""));
        assert!(html.contains("class=\"notice\""));
    }
);

on_both!(
    a_bad_upload_keeps_the_choice_and_says_why_at_the_field,
    async |app: &TestApp, world: &World| {
        let (epa, provider, upload, token) = on_the_upload_page(app, world, "innovate", 2).await;
        let with_token = format!("{upload}?csrf={token}");

        // An image is not a report.
        let (status, _, html) = send(
            app,
            &provider,
            &with_token,
            multipart("report", "me.png", PNG),
            None,
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("<title>Error: Upload a document – OpenEPA</title>"));
        assert!(html.contains("id=\"file-error\""), "{html}");
        assert!(html.contains("<a href=\"#file\">"));
        assert!(
            html.contains("<option value=\"report\" selected>"),
            "{html}"
        );

        // No purpose, and no file.
        let (status, _, html) = send(
            app,
            &provider,
            &with_token,
            multipart("", "report.txt", b"words"),
            None,
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"purpose-error\""));
        let (status, _, html) = send(
            app,
            &provider,
            &with_token,
            multipart("proposal", "", b""),
            None,
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("Choose the file to upload."));
        assert!(html.contains("<option value=\"proposal\" selected>"));
        assert!(documents(app, world, &epa).await.is_empty());
    }
);

on_both!(
    an_upload_without_the_token_from_elsewhere_or_by_a_stranger_is_refused,
    async |app: &TestApp, world: &World| {
        let (epa, provider, upload, token) = on_the_upload_page(app, world, "tquk", 3).await;
        let body = || multipart("evidence", "notes.txt", b"Customer feedback from March.");

        for (path, extra) in [
            (upload.clone(), None),
            (format!("{upload}?csrf={}", "0".repeat(64)), None),
            (
                format!("{upload}?csrf={token}"),
                Some(("sec-fetch-site", "cross-site")),
            ),
        ] {
            let (status, _, html) = send(app, &provider, &path, body(), extra).await;
            assert_eq!(status, 403, "{path}");
            assert!(html.contains("That form could not be accepted"));
        }

        // Another provider's people do not see the EPA at all.
        let other = signed_in(app, &world.other_provider_user).await;
        let (_, html) = page(app, &other, "/epas").await;
        let other_token = csrf_of(&html);
        assert_eq!(page(app, &other, &upload).await.0, 404);
        let (status, _, _) = send(
            app,
            &other,
            &format!("{upload}?csrf={other_token}"),
            body(),
            None,
        )
        .await;
        assert_eq!(status, 404);
        assert!(documents(app, world, &epa).await.is_empty());

        // The employer sees the EPA but does not upload for it.
        let employer = signed_in(app, &world.employer_user).await;
        let (status, html) = page(app, &employer, &format!("/epas/{epa}")).await;
        assert_eq!(status, 200);
        assert!(!html.contains(&upload), "no upload link for the employer");
        let (status, html) = page(app, &employer, &upload).await;
        assert_eq!(status, 403);
        assert!(html.contains("You cannot do this"));
        let employer_token = csrf_of(&page(app, &employer, "/epas").await.1);
        let (status, _, _) = send(
            app,
            &employer,
            &format!("{upload}?csrf={employer_token}"),
            body(),
            None,
        )
        .await;
        assert_eq!(status, 403);
        assert!(documents(app, world, &epa).await.is_empty());

        // With the token, from the page: stored.
        let (status, _, _) = send(
            app,
            &provider,
            &format!("{upload}?csrf={token}"),
            body(),
            None,
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(documents(app, world, &epa).await.len(), 1);
    }
);
