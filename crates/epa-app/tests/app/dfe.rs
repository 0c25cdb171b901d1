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

    // The printers move a certificate on; reading back (once a day)
    // records it once.
    let one = submitted[0];
    let c = candidates.iter().find(|c| c.epa_id == one.epa_id).unwrap();
    server.set_status(c.uln.parse().unwrap(), &c.standard_reference, "Printed");
    let same_day = push(&app, &server, false).await;
    assert!(same_day.statuses.is_empty(), "{same_day:?}");
    clock.advance(Duration::days(1));
    server.set_today(clock.now().date_naive());
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

/// Whether the EPA's replacement deadline is among the open kept
/// deadlines its EPAO's staff see, every page read.
async fn kept_open(app: &App, staff: &Actor, epa_id: uuid::Uuid) -> bool {
    let mut query = epa_app::deadlines::DueQuery {
        limit: Some(epa_app::epas::PAGE_MAX),
        ..Default::default()
    };
    loop {
        let page = epa_app::deadlines::due(app, staff, &query).await.unwrap();
        if page
            .items
            .iter()
            .any(|d| d.epa_id == epa_id && d.deadline.get().contains("replacement_certificate_due"))
        {
            return true;
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return false,
        }
    }
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
    let listed = replacements::list(&app, &staff, passed.epa_id)
        .await
        .unwrap();
    assert_eq!(listed, vec![recorded.clone()]);
    // A request cannot predate the result it replaces the certificate of.
    let early = replacements::record(
        &app,
        &staff,
        passed.epa_id,
        input(
            "lost",
            Some(chrono::NaiveDate::from_ymd_opt(2017, 1, 1).unwrap()),
        ),
    )
    .await;
    assert!(matches!(early, Err(AppError::Validation(ref e)) if e[0].field == "received_on"));
    // Both fields' problems at once, in the form's order.
    let both = replacements::record(
        &app,
        &staff,
        passed.epa_id,
        input("", Some(today + Duration::days(3))),
    )
    .await;
    match both {
        Err(AppError::Validation(e)) => {
            let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["received_on", "reason"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        replacements::list(&app, &staff, passed.epa_id)
            .await
            .unwrap()
            .len(),
        1,
        "nothing stored by a refused request"
    );
    // The deadline for asking the DfE is one of the EPA's, kept for the
    // lists across EPAs, even once the certificate was received.
    let replacement_deadline = |plan: &epa_domain::deadlines::DeadlinePlan| {
        plan.deadlines
            .iter()
            .find(|d| d.id == epa_domain::deadlines::DeadlineId::ReplacementCertificateDue)
            .cloned()
    };
    let plan = epa_app::deadlines::for_epa(&app, &staff, passed.epa_id)
        .await
        .unwrap();
    let deadline = replacement_deadline(&plan).expect("the replacement's deadline");
    assert_eq!(deadline.date, today + Duration::days(2));
    assert!(deadline.state.is_open() && deadline.done.is_none());
    assert!(
        kept_open(&app, &staff, passed.epa_id).await,
        "the open deadline is kept"
    );

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
    assert_eq!(done.on_time, Some(true));
    assert!(replacements::open(&app, &staff).await.unwrap().is_empty());
    let plan = epa_app::deadlines::for_epa(&app, &staff, passed.epa_id)
        .await
        .unwrap();
    let deadline = replacement_deadline(&plan).expect("the replacement's deadline");
    assert_eq!(deadline.done, Some(today));
    assert_eq!(deadline.state, epa_domain::deadlines::DeadlineState::Met);
    assert!(
        !kept_open(&app, &staff, passed.epa_id).await,
        "no longer open"
    );
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

/// A stand-in that knows every learner the demo may send.
async fn knowing_everyone(db: &Db, clock: &FakeClock) -> StandIn {
    let server = StandIn::start(KEY, Vec::new()).await.unwrap();
    server.set_today(clock.now().date_naive());
    for c in store::candidates(db).await.unwrap() {
        server.add_learner(KnownLearner {
            uln: c.uln.parse().unwrap(),
            family_name: c.family_name.clone(),
            standard_reference: c.standard_reference.clone(),
        });
    }
    server
}

async fn push_with(app: &App, settings: &DfeSettings) -> PushReport {
    let client = Client::new(settings.connection.clone()).unwrap();
    dfe::push(app, &client, settings, false).await.unwrap()
}

async fn check_claims(backend: Backend) {
    let Some((_test_db, db, clock, app)) = demo_on(backend).await else {
        return;
    };
    let server = knowing_everyone(&db, &clock).await;
    let first = push(&app, &server, false).await;
    assert!(!first.claimed.is_empty(), "{first:?}");
    for epa_id in &first.claimed {
        // The DfE accepted the certificate: the EPA moved on through the
        // lifecycle's own transition.
        let row = epa_store::epas::get(&db, *epa_id).await.unwrap();
        assert_eq!(
            row.epa.stage,
            epa_domain::lifecycle::Stage::CertificateClaimed
        );
        assert!(
            first
                .sent
                .iter()
                .any(|s| s.epa_id == *epa_id && s.item == "submission")
        );
        let claim = epa_store::assessment::claim(epa_store::assessment::Reader::Db(&db), *epa_id)
            .await
            .unwrap()
            .expect("the claim is recorded");
        assert_eq!(claim.claimed_by, None, "no person claimed it");
        let reference = claim
            .dfe_certificate_reference
            .expect("the DfE's reference");
        assert_eq!(reference.len(), 8, "{reference}");
        assert_eq!(claim.claimed_on, clock.now().date_naive());
        // The audit names the DfE integration as the actor.
        let events = epa_store::audit::for_entity(&db, "epa", &epa_id.to_string())
            .await
            .unwrap();
        let claimed = events
            .iter()
            .find(|e| e.action == "epa.certificate_claimed")
            .expect("the claim is audited");
        assert_eq!(claimed.actor_role, "dfe_integration");
        assert_eq!(claimed.actor_id, None);
        let after: serde_json::Value =
            serde_json::from_str(claimed.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["stage"], "certificate_claimed");
        assert_eq!(after["details"]["dfe_certificate_reference"], reference);
    }
    // Claimed once: staff cannot claim it again.
    let staff = actor(&db, "operations@demo.test").await;
    for epa_id in &first.claimed {
        assert!(matches!(
            epa_app::assessment::claim_certificate(&app, &staff, *epa_id).await,
            Err(AppError::Conflict(_))
        ));
    }

    // A second push sends nothing and claims nothing; nothing is due today.
    let before = writes(&server);
    let second = push(&app, &server, false).await;
    assert_eq!(writes(&server), before, "{second:?}");
    assert!(second.sent.is_empty() && second.claimed.is_empty());
    let today = clock.now().date_naive();
    assert!(
        store::due_candidates(&db, today).await.unwrap().is_empty(),
        "every EPA was settled"
    );
    // A submitted certificate is read back the next day.
    assert_eq!(
        store::due_on(&db, first.claimed[0]).await.unwrap(),
        Some(today.succ_opt().unwrap())
    );

    // A change to an employer's postal contact marks its apprentices' EPAs
    // due, in the same transaction; the next push looks at them.
    let admin = actor(&db, "epao-admin@demo.test").await;
    let employer_id = epa_store::epas::get(&db, first.claimed[0])
        .await
        .unwrap()
        .employer_id;
    let employer = epa_store::organisations::get(&db, employer_id)
        .await
        .unwrap();
    epa_app::people::edit_organisation::edit_organisation(
        &app,
        &admin,
        employer_id,
        epa_app::people::edit_organisation::OrganisationEdit {
            contact_name: Some("Head of Learning".to_owned()),
            record_version: Some(employer.version),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let due = store::due_candidates(&db, today).await.unwrap();
    assert!(due.iter().any(|c| c.epa_id == first.claimed[0]), "{due:?}");
    // Its certificate is submitted: the service takes no change to it, and
    // the push says so (refused here, once) rather than sending it.
    let third = push(&app, &server, false).await;
    assert_eq!(writes(&server), before, "{third:?}");
    assert!(
        third
            .refused
            .iter()
            .any(|r| r.epa_id == first.claimed[0] && r.item == "certificate"),
        "{third:?}"
    );
    assert!(matches!(
        epa_store::audit::verify(&db).await.unwrap(),
        epa_store::audit::Verdict::Intact { .. }
    ));
}

#[tokio::test]
async fn a_certificate_accepted_by_the_dfe_claims_the_epa_on_sqlite() {
    check_claims(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_certificate_accepted_by_the_dfe_claims_the_epa_on_postgres() {
    check_claims(Backend::Postgres).await;
}

async fn check_appeal_window(backend: Backend) {
    let Some((_test_db, db, clock, app)) = demo_on(backend).await else {
        return;
    };
    // A pass (not a distinction, which is claimed at once) still waiting
    // for its certificate claim.
    let candidates = store::candidates(&db).await.unwrap();
    let attempts = store::attempts(&db).await.unwrap();
    let pass = candidates
        .iter()
        .find(|c| {
            c.stage == epa_domain::lifecycle::Stage::Completed
                && c.record.refused_at.is_none()
                && attempts
                    .iter()
                    .rfind(|a| a.epa_id == c.epa_id)
                    .is_some_and(|a| a.overall_grade == epa_domain::Grade::Pass)
        })
        .expect("a completed pass in the demo")
        .clone();
    let server = knowing_everyone(&db, &clock).await;
    // The policy's appeal window: long enough to outlast the demo's day.
    let mut settings = settings(&server);
    let window = 250;
    settings
        .appeal_windows
        .insert(pass.policy.to_ascii_lowercase(), window);
    let its_attempts: Vec<&store::Attempt> = attempts
        .iter()
        .filter(|a| a.epa_id == pass.epa_id)
        .collect();
    let claim_from = dfe::items::items(&app, &pass, &its_attempts, window)
        .unwrap()
        .certificate
        .expect("a pass has a certificate")
        .claim_from;
    assert!(claim_from > clock.now().date_naive());

    // Released, its record sent, its certificate not claimed: it waits,
    // marked due the day the window ends.
    let first = push_with(&app, &settings).await;
    assert!(
        first
            .waiting
            .iter()
            .any(|w| w.epa_id == pass.epa_id && w.claim_from == claim_from),
        "{first:?}"
    );
    assert!(!first.claimed.contains(&pass.epa_id));
    assert_eq!(
        store::due_on(&db, pass.epa_id).await.unwrap(),
        Some(claim_from)
    );
    let unclaimed = || async {
        epa_store::epas::get(&db, pass.epa_id)
            .await
            .unwrap()
            .epa
            .stage
            == epa_domain::lifecycle::Stage::Completed
    };

    // The last day of the window: still not claimed, nothing sent for it.
    let last_day = claim_from.pred_opt().unwrap();
    clock.set(last_day.and_hms_opt(12, 0, 0).unwrap().and_utc());
    server.set_today(last_day);
    let waiting = push_with(&app, &settings).await;
    assert!(!waiting.claimed.contains(&pass.epa_id), "{waiting:?}");
    assert!(
        !waiting.sent.iter().any(|s| s.epa_id == pass.epa_id),
        "{waiting:?}"
    );
    assert!(unclaimed().await);
    // (The service opens a bare Draft of its own for a recorded pass: no
    // certificate request has filled it.)
    let held = server.certificate(pass.uln.parse().unwrap(), &pass.standard_reference);
    assert!(
        held.as_ref()
            .is_none_or(|h| h.status == "Draft" && h.grade.is_none()),
        "{held:?}"
    );

    // The day the window has passed: claimed, submitted, certificate_claimed.
    clock.set(claim_from.and_hms_opt(9, 0, 0).unwrap().and_utc());
    server.set_today(claim_from);
    let claimed = push_with(&app, &settings).await;
    assert!(claimed.claimed.contains(&pass.epa_id), "{claimed:?}");
    assert!(!unclaimed().await);
    let held = server
        .certificate(pass.uln.parse().unwrap(), &pass.standard_reference)
        .unwrap();
    assert_eq!(held.status, "Submitted");
}

#[tokio::test]
async fn a_pass_is_claimed_only_once_its_appeal_window_has_passed_on_sqlite() {
    check_appeal_window(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_pass_is_claimed_only_once_its_appeal_window_has_passed_on_postgres() {
    check_appeal_window(Backend::Postgres).await;
}
