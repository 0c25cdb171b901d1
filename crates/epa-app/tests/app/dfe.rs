//! Pushing to the DfE service, against the local stand-in, over the demo's
//! EPAs: records for every released attempt and withdrawal, certificates
//! claimed once the appeal window has passed, refusals kept with their
//! reasons and not sent again unchanged, a resend, status read-back, and
//! a second push with nothing changed sending nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use epa_app::dfe::{self, DfeSettings, PushReport};
use epa_app::{Actor, App, AppError, demo};
use epa_dfe::stand_in::{KnownLearner, StandIn};
use epa_dfe::{Client, Connection};
use epa_store::dfe as store;
use epa_store::{Backend, Db, users};
use epa_testkit::{FakeClock, TestDb};

const KEY: &str = "stand-in-key";

async fn actor(db: &Db, email: &str) -> Actor {
    let user = users::find_by_email(db, email).await.unwrap().unwrap();
    Actor {
        user_id: user.id,
        memberships: users::memberships(db, user.id).await.unwrap(),
        request_id: None,
    }
}

fn settings(server: &StandIn) -> DfeSettings {
    DfeSettings {
        connection: Connection::new(&server.base_url(), Some(KEY), Some("10012345"), false)
            .unwrap(),
        appeal_windows: BTreeMap::from([("tquk".to_owned(), 10), ("innovate".to_owned(), 10)]),
    }
}

fn writes(server: &StandIn) -> usize {
    server.writes().len()
}

async fn push(app: &App, server: &StandIn, dry_run: bool) -> PushReport {
    let settings = settings(server);
    let client = Client::new(settings.connection.clone()).unwrap();
    dfe::push(app, &client, &settings, dry_run).await.unwrap()
}

/// The demo loaded on `backend` with the clock at 11:00 on 4 November
/// 2026; `None` (the test skipped) without PostgreSQL.
async fn demo_on(backend: Backend) -> Option<(TestDb, Db, FakeClock, App)> {
    let Some(test_db) = TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return None;
    };
    let db = test_db.db.clone();
    let clock = FakeClock::at(Utc.with_ymd_and_hms(2026, 11, 4, 11, 0, 0).unwrap());
    let mut app = App::new(
        db.clone(),
        Arc::new(clock.clone()),
        epa_plan::Catalog::embedded(),
    );
    app.demo = true;
    demo::load(&app).await.unwrap();
    Some((test_db, db, clock, app))
}

async fn check_push(backend: Backend) {
    let Some((_test_db, db, clock, app)) = demo_on(backend).await else {
        return;
    };

    // The service knows every learner but one, whose family name it holds
    // differently (the usual refusal).
    let candidates = store::candidates(&db).await.unwrap();
    assert!(candidates.len() >= 5, "{} EPAs to send", candidates.len());
    // The demo shows one refusal already (its DfE queue).
    let seeded: Vec<_> = candidates
        .iter()
        .filter(|c| c.record.refused_at.is_some())
        .map(|c| c.epa_id)
        .collect();
    assert_eq!(seeded.len(), 1, "the demo's queue holds one refusal");
    let mismatched = candidates
        .iter()
        .find(|c| c.record.refused_at.is_none())
        .unwrap()
        .clone();
    let server = StandIn::start(KEY, Vec::new()).await.unwrap();
    server.set_today(clock.now().date_naive());
    for c in &candidates {
        server.add_learner(KnownLearner {
            uln: c.uln.parse().unwrap(),
            family_name: if c.epa_id == mismatched.epa_id {
                format!("{}-Other", c.family_name)
            } else {
                c.family_name.clone()
            },
            standard_reference: c.standard_reference.clone(),
        });
    }

    // A dry run says what it would send and sends and stores nothing.
    let dry = push(&app, &server, true).await;
    assert!(dry.dry_run);
    assert!(dry.sent.iter().any(|s| s.item == "epa_record"));
    assert_eq!(writes(&server), 0);
    assert!(
        store::candidates(&db)
            .await
            .unwrap()
            .iter()
            .all(|c| c.record.epa_fingerprint.is_none())
    );
    assert!(dry.still_refused.iter().any(|r| r.epa_id == seeded[0]));

    // The first push: every EPA record; certificates for passes past the
    // appeal window, submitted; the mismatched learner refused.
    let first = push(&app, &server, false).await;
    println!(
        "first push: {} sent, {} refused, {} still refused, {} waiting",
        first.sent.len(),
        first.refused.len(),
        first.still_refused.len(),
        first.waiting.len()
    );
    let records = first.sent.iter().filter(|s| s.item == "epa_record").count();
    let refused_epas: Vec<_> = first
        .refused
        .iter()
        .chain(&first.still_refused)
        .map(|r| r.epa_id)
        .collect();
    assert!(refused_epas.contains(&mismatched.epa_id));
    let refusal = first
        .refused
        .iter()
        .find(|r| r.epa_id == mismatched.epa_id)
        .expect("the mismatched learner is refused");
    assert_eq!(refusal.item, "epa");
    assert_eq!(
        refusal.reasons,
        vec!["ULN, FamilyName and Standard not found."]
    );
    assert_eq!(records + refused_epas.len(), candidates.len());
    let submitted: Vec<_> = first
        .sent
        .iter()
        .filter(|s| s.item == "submission")
        .collect();
    assert!(!submitted.is_empty(), "some pass is past its appeal window");
    for s in &submitted {
        let c = candidates.iter().find(|c| c.epa_id == s.epa_id).unwrap();
        let held = server
            .certificate(c.uln.parse().unwrap(), &c.standard_reference)
            .unwrap();
        assert_eq!(held.status, "Submitted");
        assert_eq!(
            held.data["postalContact"]["contactName"],
            "Certificates Officer"
        );
        assert!(
            held.grade.as_deref() == Some("Pass") || held.grade.as_deref() == Some("Distinction")
        );
    }
    // Every attempt is sent, resits and retakes flagged.
    let resat = server_epas(&server, &candidates)
        .iter()
        .filter(|epas| epas.len() > 1)
        .count();
    assert!(resat >= 1, "the demo's resits are sent with every attempt");

    // A second push with nothing changed sends nothing.
    let before = writes(&server);
    let second = push(&app, &server, false).await;
    assert_eq!(writes(&server), before, "{second:?}");
    assert!(second.sent.is_empty());
    assert!(second.refused.is_empty());
    assert!(
        second
            .still_refused
            .iter()
            .any(|r| r.epa_id == mismatched.epa_id)
    );
    assert!(second.still_refused.iter().any(|r| r.epa_id == seeded[0]));

    // The queue lists the refusal for EPAO staff, not for others.
    let staff = actor(&db, "operations@demo.test").await;
    let queue = dfe::queue::refusals(&app, &staff, None).await.unwrap();
    let listed = queue
        .refusals
        .iter()
        .find(|r| r.epa_id == mismatched.epa_id)
        .expect("the refusal is queued");
    assert_eq!(
        listed.reasons,
        vec!["ULN, FamilyName and Standard not found."]
    );
    assert!(!listed.resend_requested);
    let provider = actor(&db, "provider@demo.test").await;
    assert!(matches!(
        dfe::queue::refusals(&app, &provider, None).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        dfe::queue::resend(&app, &provider, mismatched.epa_id).await,
        Err(AppError::Forbidden(_) | AppError::NotFound)
    ));

    // The DfE's data is put right; staff resend; it goes and is accepted.
    server.add_learner(KnownLearner {
        uln: mismatched.uln.parse().unwrap(),
        family_name: mismatched.family_name.clone(),
        standard_reference: mismatched.standard_reference.clone(),
    });
    let resent = dfe::queue::resend(&app, &staff, mismatched.epa_id)
        .await
        .unwrap();
    assert!(resent.resend_requested);
    let third = push(&app, &server, false).await;
    assert!(
        third
            .sent
            .iter()
            .any(|s| s.epa_id == mismatched.epa_id && s.item == "epa_record"),
        "{third:?}"
    );
    assert!(
        store::refusal(&db, mismatched.epa_id)
            .await
            .unwrap()
            .is_none()
    );
    // Nothing of it is refused any more: resending again is a conflict.
    assert!(matches!(
        dfe::queue::resend(&app, &staff, mismatched.epa_id).await,
        Err(AppError::Conflict(_))
    ));

    // Weeks later every waiting pass is past its appeal window: claimed.
    let waiting = third.waiting.len() + first.waiting.len();
    clock.advance(Duration::days(40));
    server.set_today(clock.now().date_naive());
    let later = push(&app, &server, false).await;
    assert!(later.waiting.is_empty(), "{later:?}");
    if waiting > 0 {
        assert!(later.sent.iter().any(|s| s.item == "submission"));
    }

    // The printers move a certificate on; reading back records it once.
    let one = submitted[0];
    let c = candidates.iter().find(|c| c.epa_id == one.epa_id).unwrap();
    server.set_status(c.uln.parse().unwrap(), &c.standard_reference, "Printed");
    let read = push(&app, &server, false).await;
    assert_eq!(read.statuses.len(), 1, "{read:?}");
    assert_eq!(read.statuses[0].to, "Printed");
    assert_eq!(read.statuses[0].from.as_deref(), Some("Submitted"));
    let again = push(&app, &server, false).await;
    assert!(again.statuses.is_empty() && again.sent.is_empty());

    // Every acknowledgement is audited: the chain holds.
    assert!(matches!(
        epa_store::audit::verify(&db).await.unwrap(),
        epa_store::audit::Verdict::Intact { .. }
    ));
}

fn server_epas(server: &StandIn, candidates: &[store::Candidate]) -> Vec<Vec<serde_json::Value>> {
    candidates
        .iter()
        .filter_map(|c| server.epa(c.uln.parse().unwrap(), &c.standard_reference))
        .map(|held| held.epas)
        .collect()
}

#[tokio::test]
async fn pushes_the_demo_to_the_stand_in_on_sqlite() {
    check_push(Backend::Sqlite).await;
}

#[tokio::test]
async fn pushes_the_demo_to_the_stand_in_on_postgres() {
    check_push(Backend::Postgres).await;
}

#[tokio::test]
async fn an_appeal_window_past_the_claim_deadline_is_refused() {
    let server = StandIn::start(KEY, Vec::new()).await.unwrap();
    let mut settings = settings(&server);
    let plans = epa_plan::Catalog::embedded();
    assert_eq!(settings.check_against(&plans), Ok(()));
    settings.appeal_windows.insert("innovate".to_owned(), 15);
    let refused = settings.check_against(&plans).unwrap_err();
    assert!(
        refused.contains("dfe.appeal_window_working_days.innovate"),
        "{refused}"
    );
    // TQUK states no claim deadline: any window is allowed.
    settings.appeal_windows.insert("innovate".to_owned(), 5);
    settings.appeal_windows.insert("tquk".to_owned(), 40);
    assert_eq!(settings.check_against(&plans), Ok(()));
}

async fn check_replacements(backend: Backend) {
    let Some((_test_db, db, clock, app)) = demo_on(backend).await else {
        return;
    };
    let staff = actor(&db, "operations@demo.test").await;
    let candidates = store::candidates(&db).await.unwrap();
    let passed = candidates
        .iter()
        .find(|c| {
            c.policy == "innovate"
                && matches!(
                    c.stage,
                    epa_domain::lifecycle::Stage::Completed
                        | epa_domain::lifecycle::Stage::CertificateClaimed
                        | epa_domain::lifecycle::Stage::CertificateReceived
                )
        })
        .expect("an Innovate pass in the demo");
    let withdrawn = candidates
        .iter()
        .find(|c| c.stage == epa_domain::lifecycle::Stage::Withdrawn);
    use epa_app::dfe::replacements::{self, ReplacementInput};
    let input = |reason: &str, received_on| ReplacementInput {
        received_on,
        reason: reason.to_owned(),
    };

    // Bad input names its field and stores nothing.
    let empty = replacements::record(&app, &staff, passed.epa_id, input("  ", None)).await;
    assert!(matches!(empty, Err(AppError::Validation(ref e)) if e[0].field == "reason"));
    let future = replacements::record(
        &app,
        &staff,
        passed.epa_id,
        input("lost", Some(clock.now().date_naive() + Duration::days(1))),
    )
    .await;
    assert!(matches!(future, Err(AppError::Validation(ref e)) if e[0].field == "received_on"));
    if let Some(withdrawn) = withdrawn {
        assert!(matches!(
            replacements::record(&app, &staff, withdrawn.epa_id, input("lost", None)).await,
            Err(AppError::Conflict(_))
        ));
    }
    assert!(replacements::open(&app, &staff).await.unwrap().is_empty());

    // Innovate asks the DfE within two (calendar) days of the request.
    let recorded = replacements::record(
        &app,
        &staff,
        passed.epa_id,
        input("Lost in a house move", None),
    )
    .await
    .unwrap();
    let today = clock.now().date_naive();
    assert_eq!(recorded.due_on, Some(today + Duration::days(2)));
    let open = replacements::open(&app, &staff).await.unwrap();
    assert_eq!(open.len(), 1);
    let provider = actor(&db, "provider@demo.test").await;
    assert!(replacements::open(&app, &provider).await.is_err());
    assert!(
        replacements::requested(&app, &provider, passed.epa_id, recorded.id)
            .await
            .is_err()
    );

    let done = replacements::requested(&app, &staff, passed.epa_id, recorded.id)
        .await
        .unwrap();
    assert_eq!(done.requested_on, Some(today));
    assert!(replacements::open(&app, &staff).await.unwrap().is_empty());
    // Once only.
    assert!(matches!(
        replacements::requested(&app, &staff, passed.epa_id, recorded.id).await,
        Err(AppError::Conflict(_))
    ));
}

#[tokio::test]
async fn replacement_certificates_are_recorded_and_tracked_on_sqlite() {
    check_replacements(Backend::Sqlite).await;
}

#[tokio::test]
async fn replacement_certificates_are_recorded_and_tracked_on_postgres() {
    check_replacements(Backend::Postgres).await;
}
