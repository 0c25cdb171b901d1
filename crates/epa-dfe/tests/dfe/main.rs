//! The contract test: the client against the local stand-in, which checks
//! the shapes, limits and refusals of the service's reference. No test
//! reaches the network beyond this machine.

use chrono::NaiveDate;
use epa_dfe::model::*;
use epa_dfe::stand_in::{KnownLearner, StandIn};
use epa_dfe::{Client, Connection, DfeError};
use serde_json::json;

const KEY: &str = "test-subscription-key";
const ULN: u64 = 1_234_567_890;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn stand_in(learners: usize) -> (StandIn, Client) {
    let known = (0..learners as u64)
        .map(|i| KnownLearner {
            uln: ULN + i,
            family_name: format!("Family{i}"),
            standard_reference: "ST0071".into(),
        })
        .collect();
    let server = StandIn::start(KEY, known).await.unwrap();
    server.set_today(day(2026, 6, 1));
    let client = client_for(&server, KEY);
    (server, client)
}

fn client_for(server: &StandIn, key: &str) -> Client {
    Client::new(Connection::new(&server.base_url(), Some(key), Some("10012345"), false).unwrap())
        .unwrap()
}

fn learner(i: u64) -> Learner {
    Learner {
        uln: ULN + i,
        family_name: format!("Family{i}"),
    }
}

fn epa_request(i: u64, reference: Option<String>, epas: Vec<Epa>) -> EpaRequest {
    EpaRequest {
        request_id: format!("epa-{i}"),
        standard: Standard::reference("ST0071"),
        learner: learner(i),
        learning_details: EpaLearningDetails {
            version: Some("1.2".into()),
            course_option: None,
        },
        epa_details: EpaDetails {
            epa_reference: reference,
            epas,
        },
    }
}

fn attempt(on: NaiveDate, outcome: EpaOutcome, resit: bool) -> Epa {
    Epa {
        epa_date: on,
        epa_outcome: outcome,
        resit: Some(resit),
        retake: Some(false),
    }
}

fn contact() -> PostalContact {
    PostalContact {
        contact_name: "Pat Employer".into(),
        department: None,
        organisation: "Acme Retail Ltd".into(),
        address_line1: "1 High Street".into(),
        address_line2: None,
        address_line3: None,
        city: "Leeds".into(),
        post_code: "LS1 4AP".into(),
    }
}

fn certificate_request(i: u64, reference: Option<String>, grade: Grade) -> CertificateRequest {
    CertificateRequest {
        request_id: format!("cert-{i}"),
        certificate_reference: reference,
        standard: Standard::reference("ST0071"),
        learner: learner(i),
        learning_details: CertificateLearningDetails {
            overall_grade: grade,
            achievement_date: day(2026, 5, 20),
            version: Some("1.2".into()),
            course_option: None,
        },
        postal_contact: contact(),
    }
}

#[tokio::test]
async fn an_epa_record_is_made_then_replaced_with_every_attempt() {
    let (server, client) = stand_in(1).await;
    let made = client
        .create_epas(&[epa_request(
            0,
            None,
            vec![attempt(day(2026, 3, 2), EpaOutcome::Fail, false)],
        )])
        .await
        .unwrap();
    assert_eq!(made[0].validation_errors, Vec::<String>::new());
    let reference = made[0].epa_reference.clone().unwrap();
    assert_eq!(reference.len(), 8);
    assert!(reference.bytes().all(|b| b.is_ascii_digit()));

    // The resit: PUT sends both attempts, and the service holds both.
    let replaced = client
        .update_epas(&[epa_request(
            0,
            Some(reference.clone()),
            vec![
                attempt(day(2026, 3, 2), EpaOutcome::Fail, false),
                attempt(day(2026, 5, 11), EpaOutcome::Pass, true),
            ],
        )])
        .await
        .unwrap();
    assert_eq!(replaced[0].validation_errors, Vec::<String>::new());
    let held = server.epa(ULN, "ST0071").unwrap();
    assert_eq!(held.reference, reference);
    assert_eq!(held.epas.len(), 2);
    assert_eq!(held.epas[1]["resit"], json!(true));

    // A second create for the same learner is refused, item by item.
    let again = client
        .create_epas(&[epa_request(
            0,
            None,
            vec![attempt(day(2026, 3, 2), EpaOutcome::Pass, false)],
        )])
        .await
        .unwrap();
    assert_eq!(
        again[0].validation_errors,
        vec!["EPA already provided for the learner"]
    );
}

#[tokio::test]
async fn items_are_refused_one_by_one_with_the_services_reasons() {
    let (_server, client) = stand_in(2).await;
    let mut mismatch = epa_request(
        1,
        None,
        vec![attempt(day(2026, 3, 2), EpaOutcome::Pass, false)],
    );
    mismatch.learner.family_name = "Someone Else".into();
    let future = epa_request(
        0,
        None,
        vec![attempt(day(2026, 6, 2), EpaOutcome::Pass, false)],
    );
    let answers = client.create_epas(&[mismatch, future]).await.unwrap();
    assert_eq!(answers[0].request_id, "epa-1");
    assert_eq!(
        answers[0].validation_errors,
        vec!["ULN, FamilyName and Standard not found."]
    );
    assert_eq!(answers[0].epa_reference, None);
    assert_eq!(
        answers[1].validation_errors,
        vec!["EPA Date cannot be in the future"]
    );

    let early = epa_request(
        1,
        None,
        vec![attempt(day(2016, 12, 31), EpaOutcome::Pass, false)],
    );
    let answers = client.create_epas(&[early]).await.unwrap();
    assert_eq!(
        answers[0].validation_errors,
        vec!["EPA Date cannot be before 01 01 2017"]
    );
}

#[tokio::test]
async fn writes_go_in_batches_of_at_most_25() {
    let (server, client) = stand_in(30).await;
    let items: Vec<_> = (0..30)
        .map(|i| {
            epa_request(
                i,
                None,
                vec![attempt(day(2026, 3, 2), EpaOutcome::Pass, false)],
            )
        })
        .collect();
    let answers = client.create_epas(&items).await.unwrap();
    assert_eq!(answers.len(), 30);
    assert!(answers.iter().all(|a| a.validation_errors.is_empty()));
    let sizes: Vec<usize> = server.writes().iter().map(|w| w.items).collect();
    assert_eq!(sizes, vec![25, 5]);
    // The answers come back in the order sent.
    assert_eq!(answers[29].request_id, "epa-29");
}

#[tokio::test]
async fn the_stand_in_refuses_a_batch_of_26_as_the_service_does() {
    let (server, _client) = stand_in(26).await;
    let items: Vec<_> = (0..26)
        .map(|i| {
            epa_request(
                i,
                None,
                vec![attempt(day(2026, 3, 2), EpaOutcome::Pass, false)],
            )
        })
        .collect();
    let answer = reqwest::Client::new()
        .post(format!("{}/api/v1/epa", server.base_url()))
        .header("Ocp-Apim-Subscription-Key", KEY)
        .json(&items)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(
        body,
        json!({"statusCode": 403, "message": "Batch limited to 25 requests"})
    );
    assert!(server.writes().is_empty());
}

#[tokio::test]
async fn a_wrong_subscription_key_is_an_error_for_the_whole_call() {
    let (server, _client) = stand_in(1).await;
    let client = client_for(&server, "wrong");
    let err = client
        .create_epas(&[epa_request(
            0,
            None,
            vec![attempt(day(2026, 3, 2), EpaOutcome::Pass, false)],
        )])
        .await
        .unwrap_err();
    match &err {
        DfeError::Api { status, message } => {
            assert_eq!(*status, 401);
            assert!(message.contains("invalid subscription key"), "{message}");
        }
        other => panic!("expected a 401, got {other:?}"),
    }
    assert!(!err.is_transient());
}

#[tokio::test]
async fn a_pass_is_claimed_submitted_and_read_back_to_delivery() {
    let (server, client) = stand_in(1).await;
    client
        .create_epas(&[epa_request(
            0,
            None,
            vec![attempt(day(2026, 5, 20), EpaOutcome::Pass, false)],
        )])
        .await
        .unwrap();
    let made = client
        .create_certificates(&[certificate_request(0, None, Grade::Distinction)])
        .await
        .unwrap();
    assert_eq!(made[0].validation_errors, Vec::<String>::new());
    let certificate = made[0].certificate.clone().unwrap();
    assert_eq!(certificate.status.current_status, CertificateStatus::Draft);
    let reference = certificate.certificate_data.certificate_reference;

    // While Draft, it may be changed.
    let changed = client
        .update_certificates(&[certificate_request(0, Some(reference.clone()), Grade::Pass)])
        .await
        .unwrap();
    assert_eq!(changed[0].validation_errors, Vec::<String>::new());

    let submit = SubmitRequest {
        request_id: "submit-0".into(),
        uln: ULN,
        family_name: "family0".into(),
        standard_code: None,
        standard_reference: Some("ST0071".into()),
        certificate_reference: reference.clone(),
    };
    let submitted = client
        .submit_certificates(std::slice::from_ref(&submit))
        .await
        .unwrap();
    assert_eq!(submitted[0].validation_errors, Vec::<String>::new());
    assert_eq!(
        submitted[0]
            .certificate
            .as_ref()
            .unwrap()
            .status
            .current_status,
        CertificateStatus::Submitted
    );

    // Once submitted it is fixed.
    let again = client.submit_certificates(&[submit]).await.unwrap();
    assert_eq!(
        again[0].validation_errors,
        vec!["Certificate has already been submitted"]
    );
    let late = client
        .update_certificates(&[certificate_request(0, Some(reference), Grade::Merit)])
        .await
        .unwrap();
    assert_eq!(
        late[0].validation_errors,
        vec!["Certificate is not in Draft status"]
    );

    // The printers move it on; reading it back says so.
    server.set_status(ULN, "ST0071", "Printed");
    let read = client
        .certificate(&learner(0), &Standard::reference("ST0071"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.status.current_status, CertificateStatus::Printed);
    assert!(!read.status.current_status.is_settled());
    server.set_status(ULN, "ST0071", "NotDelivered");
    let read = client
        .certificate(&learner(0), &Standard::reference("ST0071"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.status.current_status, CertificateStatus::NotDelivered);
    assert!(read.status.current_status.is_settled());
}

#[tokio::test]
async fn no_certificate_yet_reads_as_none() {
    let (_server, client) = stand_in(1).await;
    let read = client
        .certificate(&learner(0), &Standard::reference("ST0071"))
        .await
        .unwrap();
    assert_eq!(read, None);
    assert!(
        client
            .learner(&learner(0), &Standard::reference("ST0071"))
            .await
            .unwrap()
            .is_some()
    );
    let mut stranger = learner(0);
    stranger.uln = 9_999_999_999;
    assert_eq!(
        client
            .learner(&stranger, &Standard::reference("ST0071"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_certificate_needs_the_postal_contact_and_a_pass_grade() {
    let (server, client) = stand_in(1).await;
    let mut missing = certificate_request(0, None, Grade::Pass);
    missing.postal_contact.contact_name = String::new();
    missing.postal_contact.city = " ".into();
    missing.postal_contact.post_code = "NOT A CODE".into();
    let answers = client.create_certificates(&[missing]).await.unwrap();
    assert_eq!(
        answers[0].validation_errors,
        vec![
            "Provide a contact name",
            "Provide a city or town",
            "Provide a valid UK postcode"
        ]
    );
    assert_eq!(answers[0].certificate, None);

    // A fail is never a certificate; the typed client cannot even say it,
    // so it is sent by hand.
    let mut raw = serde_json::to_value(certificate_request(0, None, Grade::Pass)).unwrap();
    raw["learningDetails"]["overallGrade"] = json!("Fail");
    raw["learningDetails"]["achievementDate"] = json!("2026-07-01");
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/certificate", server.base_url()))
        .header("Ocp-Apim-Subscription-Key", KEY)
        .json(&[raw])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer[0]["validationErrors"],
        json!([
            "Cannot record a Fail grade via API",
            "Achievement date cannot be in the future"
        ])
    );
}

#[tokio::test]
async fn an_outage_is_worth_retrying_and_grades_are_listed() {
    let (server, client) = stand_in(1).await;
    server.fail_next(1);
    let err = client.grades().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    let grades = client.grades().await.unwrap();
    let expected: Vec<String> = Grade::ALL.iter().map(|g| g.as_str().to_owned()).collect();
    assert_eq!(grades, expected);

    // Nobody listening at all.
    let nowhere = Client::new(
        Connection::new("http://127.0.0.1:9", Some(KEY), Some("10012345"), false).unwrap(),
    )
    .unwrap();
    let err = nowhere.grades().await.unwrap_err();
    assert!(matches!(err, DfeError::Transport(_)), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_fail_stays_changeable_and_a_submitted_pass_cannot_be_deleted() {
    let (server, client) = stand_in(1).await;
    let made = client
        .create_epas(&[epa_request(
            0,
            None,
            vec![attempt(day(2026, 3, 2), EpaOutcome::Fail, false)],
        )])
        .await
        .unwrap();
    let reference = made[0].epa_reference.clone().unwrap();
    let held = server.certificate(ULN, "ST0071").unwrap();
    // The service keeps the EPA on the learner's certificate record.
    assert_eq!(held.reference, reference);
    assert_eq!(held.grade.as_deref(), Some("Fail"));
    assert_eq!(held.status, "Draft");

    client
        .create_certificates(&[certificate_request(0, None, Grade::Pass)])
        .await
        .unwrap();
    let submitted = client
        .submit_certificates(&[SubmitRequest {
            request_id: "s".into(),
            uln: ULN,
            family_name: "Family0".into(),
            standard_code: None,
            standard_reference: Some("ST0071".into()),
            certificate_reference: reference.clone(),
        }])
        .await
        .unwrap();
    assert_eq!(submitted[0].validation_errors, Vec::<String>::new());
    let err = client
        .delete_epa(&learner(0), &Standard::reference("ST0071"), &reference)
        .await
        .unwrap_err();
    assert!(matches!(err, DfeError::Api { status: 403, .. }), "{err:?}");
    // Nor can its attempts be replaced any more.
    let late = client
        .update_epas(&[epa_request(
            0,
            Some(reference),
            vec![attempt(day(2026, 3, 2), EpaOutcome::Pass, false)],
        )])
        .await
        .unwrap();
    assert_eq!(
        late[0].validation_errors,
        vec!["Certificate has been submitted for this EPA"]
    );
}
