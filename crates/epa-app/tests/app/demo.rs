//! The demonstration EPAO of `epa serve --demo`, loaded through the use
//! cases into a fresh database: every stage of the lifecycle under both
//! policies, fails, a capped resit, a project rework and a retake, all
//! within the plan's rules; loaded once; every demo person can sign in.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use epa_app::accounts::{self, SignIn};
use epa_app::documents::Purpose;
use epa_app::{Actor, App, AppError, demo};
use epa_domain::Grade;
use epa_domain::attempts::AttemptKind;
use epa_domain::lifecycle::Stage;
use epa_domain::{Clock, FixedClock, SystemClock};
use epa_store::assessment::{self as results_store, Reader};
use epa_store::epas::{self, Filter, Scope};
use epa_store::{Backend, Db, audit, organisations, users};
use epa_testkit::TestDb;
use serde_json::Value;

fn app_on(db: &Db, clock: Arc<dyn Clock + Send + Sync>) -> App {
    let mut app = App::new(db.clone(), clock, epa_plan::Catalog::embedded());
    app.demo = true;
    app
}

async fn actor(db: &Db, email: &str) -> Actor {
    let user = users::find_by_email(db, email).await.unwrap().unwrap();
    Actor {
        user_id: user.id,
        memberships: users::memberships(db, user.id).await.unwrap(),
        request_id: None,
    }
}

async fn audit_events(db: &Db) -> u64 {
    match audit::verify(db).await.unwrap() {
        audit::Verdict::Intact { events } => events,
        broken => panic!("the audit chain is broken: {broken:?}"),
    }
}

/// Loads the demo on `backend` with the clock at `clock` and checks
/// everything the demo promises.
async fn check_demo(backend: Backend, clock: Arc<dyn Clock + Send + Sync>) {
    let Some(test_db) = TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let db = test_db.db.clone();
    let app = app_on(&db, clock.clone());
    let started = Instant::now();
    let loaded = demo::load(&app).await.expect("the demo loads");
    let took = started.elapsed();
    println!(
        "demo loaded on {backend:?} for {} in {:.2} s",
        clock.today(),
        took.as_secs_f64()
    );
    assert!(loaded.created);
    assert_eq!(loaded.apprentices, i64::from(demo::APPRENTICES));

    // Every stage, both policies.
    let epao = organisations::list(&db, Some(organisations::OrganisationKind::Epao))
        .await
        .unwrap()
        .remove(0);
    let by_stage: BTreeMap<Stage, i64> = epas::count_by_stage(&db, epao.id)
        .await
        .unwrap()
        .into_iter()
        .collect();
    println!("stages: {by_stage:?}");
    // The dashboard reads today's counts from the kept weekly movements.
    let kept: BTreeMap<Stage, i64> = epa_store::stage_weeks::now(&db, epao.id)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        kept, by_stage,
        "the weekly movements add up to today's count"
    );

    // The demo shows a reasonable adjustment and a method released on its
    // own while the others wait.
    let rows = epas::list(
        &db,
        &Scope {
            epao_id: Some(epao.id),
            ..Scope::default()
        },
        &Filter::default(),
        200,
        0,
    )
    .await
    .unwrap();
    let mut adjusted = 0;
    let mut released_alone = 0;
    for row in &rows {
        if epa_store::adjustments::standing(Reader::Db(&db), row.epa.id)
            .await
            .unwrap()
            .is_some()
        {
            adjusted += 1;
        }
        let method_results = results_store::method_results(Reader::Db(&db), row.epa.id)
            .await
            .unwrap();
        if row.epa.stage == Stage::AwaitingResults
            && method_results.iter().any(|r| r.released_at.is_some())
        {
            released_alone += 1;
        }
    }
    assert!(adjusted >= 1, "no adjustment in the demo");
    assert!(released_alone >= 1, "no method released on its own");

    // The EPAO's deadline list raises no alarm for a finished EPA.
    let staff = actor(&db, "epao-admin@demo.test").await;
    let due = epa_app::deadlines::due(&app, &staff, &epa_app::deadlines::DueQuery::default())
        .await
        .unwrap();
    let finished: Vec<_> = rows
        .iter()
        .filter(|r| matches!(r.epa.stage, Stage::CertificateReceived | Stage::Withdrawn))
        .map(|r| r.epa.id)
        .collect();
    assert!(!finished.is_empty());
    assert!(
        due.items.iter().all(|d| !finished.contains(&d.epa_id)),
        "a finished EPA has an open deadline"
    );
    for stage in Stage::ALL {
        assert!(
            by_stage.get(&stage).copied().unwrap_or(0) >= 1,
            "no demo EPA at {stage}: {by_stage:?}"
        );
    }
    assert_eq!(by_stage.values().sum::<i64>(), i64::from(demo::APPRENTICES));
    let rows = epas::list(&db, &Scope::default(), &Filter::default(), 200, 0)
        .await
        .unwrap();
    assert_eq!(rows.len(), demo::APPRENTICES as usize);
    for policy in ["tquk", "innovate"] {
        assert!(
            rows.iter().filter(|r| r.epa.policy == policy).count() >= 10,
            "too few under {policy}"
        );
    }

    // Fails, a capped pass after a resit, a project rework and a retake,
    // each released by someone who graded none of it.
    let admin = actor(&db, "epao-admin@demo.test").await;
    let assessor = actor(&db, "assessor@demo.test").await;
    let mut released = Vec::new();
    for row in &rows {
        released.extend(
            results_store::results(Reader::Db(&db), row.epa.id)
                .await
                .unwrap(),
        );
    }
    let count =
        |f: &dyn Fn(&results_store::ResultRow) -> bool| released.iter().filter(|r| f(r)).count();
    assert!(count(&|r| r.overall_grade == Grade::Fail) >= 3, "fails");
    assert!(
        count(&|r| r.overall_grade == Grade::Distinction) >= 2,
        "distinctions"
    );
    assert!(
        count(&|r| r.attempt_kind == AttemptKind::Resit
            && r.overall_grade == Grade::Pass
            && r.cap_applied)
            >= 1,
        "a capped pass after a resit"
    );
    assert!(
        count(&|r| r.attempt_kind == AttemptKind::ProjectRework && r.overall_grade == Grade::Pass)
            >= 1,
        "a pass after a project rework"
    );
    assert!(
        count(&|r| r.attempt_kind == AttemptKind::Retake && r.cap_applied) >= 1,
        "a capped retake"
    );
    assert!(released.iter().all(|r| r.released_by == admin.user_id));
    // A failed EPA waiting for its resit, booked ahead.
    assert!(
        rows.iter()
            .any(|r| { r.epa.stage == Stage::Planned && r.epa.lifecycle.contains("\"resit\"") })
    );

    // A gateway sent back, with the EPA registered again.
    let operations = actor(&db, "operations@demo.test").await;

    // Every employer has the region its apprentices work in, and the
    // schedule proposes the assessments still to book.
    for employer in organisations::list(&db, Some(organisations::OrganisationKind::Employer))
        .await
        .unwrap()
    {
        assert!(employer.region.is_some(), "{} has no region", employer.name);
    }
    let started = Instant::now();
    let proposal = epa_app::schedule::propose(&app, &operations, Default::default())
        .await
        .unwrap();
    println!(
        "schedule proposed on {backend:?} in {:.2} s: {:?}",
        started.elapsed().as_secs_f64(),
        proposal.figures
    );
    assert!(!proposal.bookings.is_empty(), "{proposal:?}");
    assert!(proposal.figures.apprentices > 0);
    let mut rejected_and_waiting = 0;
    let mut resubmitted = 0;
    for row in rows
        .iter()
        .filter(|r| r.epa.stage == Stage::Registered || r.epa.stage == Stage::GatewaySubmitted)
    {
        let view = epa_app::gateway::get(&app, &operations, row.epa.id)
            .await
            .unwrap();
        match (row.epa.stage.as_str(), view.attempts.as_slice()) {
            ("registered", [.., last]) if last.status == "rejected" => rejected_and_waiting += 1,
            ("gateway_submitted", [first, _]) if first.status == "rejected" => resubmitted += 1,
            _ => {}
        }
    }
    assert!(rejected_and_waiting >= 1 && resubmitted >= 1);

    // The plan's rules are kept: no booking, sitting or resit was accepted
    // with a warning, and the assessor holds every allocation.
    for row in &rows {
        for event in audit::for_entity(&db, "epa", &row.epa.id.to_string())
            .await
            .unwrap()
        {
            let after: Value = event
                .after_json
                .as_deref()
                .map(|json| serde_json::from_str(json).unwrap())
                .unwrap_or(Value::Null);
            let warnings = after
                .get("warnings")
                .or_else(|| after.pointer("/details/warnings"));
            // Only the diary's warning of a bank holiday may stand: the
            // demo's dates move with the day it is loaded.
            let plan_warnings = warnings
                .and_then(Value::as_array)
                .map(|w| w.iter().filter(|rule| *rule != "bank_holiday").count());
            assert!(
                warnings.is_none() || plan_warnings == Some(0),
                "{} on {}: {after}",
                event.action,
                event.occurred_at
            );
            assert!(
                event.occurred_at <= clock.now(),
                "{} in the future",
                event.action
            );
        }
        if let Some(id) = row.epa.assessor_id {
            assert_eq!(id, assessor.user_id);
        }
    }

    // Every sitting was held for a booking of its method on its day, now
    // `held`; a withdrawn EPA has no live booking left.
    for row in &rows {
        let bookings = epa_store::planning::bookings(&db, row.epa.id)
            .await
            .unwrap();
        for sat in epa_store::assessment::assessments(Reader::Db(&db), row.epa.id)
            .await
            .unwrap()
        {
            let booking = bookings
                .iter()
                .find(|b| Some(b.id) == sat.booking_id)
                .expect("the sitting's booking");
            assert_eq!(
                (
                    booking.method.as_str(),
                    booking.assessment_on,
                    booking.status.as_str()
                ),
                (sat.method.as_str(), sat.held_on, "held")
            );
        }
        if row.epa.stage.as_str() == "withdrawn" {
            assert!(bookings.iter().all(|b| b.status.as_str() != "booked"));
        }
    }

    // The apprentice who signs in sees their own EPA, and it is well along.
    let apprentice = actor(&db, "apprentice@demo.test").await;
    let own = epa_app::epas::list(&app, &apprentice, &epa_app::epas::ListQuery::default())
        .await
        .unwrap();
    assert_eq!(own.items.len(), 1);
    assert_eq!(own.items[0].stage, "completed");
    assert_eq!(own.items[0].overall_grade.as_deref(), Some("distinction"));

    let events = audit_events(&db).await;

    // Loaded once: a second load changes nothing.
    let again = demo::load(&app).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.apprentices, i64::from(demo::APPRENTICES));
    assert_eq!(
        epas::list(&db, &Scope::default(), &Filter::default(), 200, 0)
            .await
            .unwrap()
            .len(),
        demo::APPRENTICES as usize
    );
    assert_eq!(audit_events(&db).await, events);

    // More than one provider and employer, and each sees only its own.
    for kind in [
        organisations::OrganisationKind::Provider,
        organisations::OrganisationKind::Employer,
    ] {
        assert!(organisations::list(&db, Some(kind)).await.unwrap().len() >= 2);
    }
    let provider = actor(&db, "provider@demo.test").await;
    let query = epa_app::epas::ListQuery {
        stage: None,
        policy: None,
        limit: Some(200),
        after: None,
        search: None,
    };
    let seen = epa_app::epas::list(&app, &provider, &query).await.unwrap();
    assert!(!seen.items.is_empty());
    assert!(
        seen.items.len() < demo::APPRENTICES as usize,
        "the provider sees every EPA"
    );
    // The apprentice uploads their own work, but not the photo ID, and only
    // to their own EPA (this app keeps no files, so an allowed upload stops
    // at the missing store).
    let apprentice = actor(&db, "apprentice@demo.test").await;
    let own = epa_app::epas::list(&app, &apprentice, &query)
        .await
        .unwrap()
        .items;
    let mine = own.last().expect("the apprentice's EPA").id;
    let may =
        async |epa, purpose| epa_app::documents::may_upload(&app, &apprentice, epa, purpose).await;
    assert!(matches!(
        may(mine, Purpose::Report).await,
        Err(AppError::Unavailable(_))
    ));
    assert!(matches!(
        may(mine, Purpose::Evidence).await,
        Err(AppError::Unavailable(_))
    ));
    assert!(matches!(
        may(mine, Purpose::PhotoId).await,
        Err(AppError::Forbidden(_))
    ));
    let theirs = seen
        .items
        .iter()
        .find(|e| !own.iter().any(|o| o.id == e.id))
        .unwrap()
        .id;
    assert!(matches!(
        may(theirs, Purpose::Report).await,
        Err(AppError::NotFound)
    ));
    // Everyone was invited and accepted, through the use cases.
    for (email, _) in demo::LOGINS.iter().skip(1) {
        let user = users::find_by_email(&db, email).await.unwrap().unwrap();
        let events = audit::for_entity(&db, "user", &user.id.to_string())
            .await
            .unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"user.invited") && actions.contains(&"user.invitation_accepted"),
            "{email}: {actions:?}"
        );
    }

    // Everyone signs in with the demo password, only in demo mode.
    for (email, _) in demo::LOGINS {
        let signed_in = accounts::sign_in(
            &app,
            SignIn {
                email: email.to_owned(),
                password: accounts::DEMO_PASSWORD.to_owned(),
                code: None,
            },
            "127.0.0.1",
        )
        .await;
        assert!(signed_in.is_ok(), "{email}: {signed_in:?}");
    }
    let mut not_demo = app.clone();
    not_demo.demo = false;
    let refused = accounts::sign_in(
        &not_demo,
        SignIn {
            email: demo::LOGINS[1].0.to_owned(),
            password: accounts::DEMO_PASSWORD.to_owned(),
            code: None,
        },
        "127.0.0.1",
    )
    .await;
    assert!(refused.is_err());
    audit_events(&db).await;
    test_db.finish().await;
}

fn on(date: &str) -> Arc<dyn Clock + Send + Sync> {
    let date: NaiveDate = date.parse().unwrap();
    Arc::new(FixedClock(date.and_hms_opt(9, 0, 0).unwrap().and_utc()))
}

#[tokio::test]
async fn the_demo_covers_every_stage_on_sqlite() {
    check_demo(Backend::Sqlite, on("2026-11-04")).await;
}

#[tokio::test]
async fn the_demo_covers_every_stage_on_postgres() {
    check_demo(Backend::Postgres, on("2026-11-04")).await;
}

/// `epa serve` runs on the real clock: the demo must load whatever today is.
#[tokio::test]
async fn the_demo_loads_today() {
    check_demo(Backend::Sqlite, Arc::new(SystemClock)).await;
}

/// Across bank holidays, month ends and every weekday, the demo's dates
/// still keep the plan's rules.
#[tokio::test]
async fn the_demo_loads_on_awkward_days() {
    let start: NaiveDate = "2027-12-27".parse().unwrap();
    for date in [
        start,                         // a Monday bank holiday
        start + Duration::days(6),     // a Sunday, new year
        "2028-03-01".parse().unwrap(), // after a leap day
        "2027-06-05".parse().unwrap(), // a Saturday
    ] {
        check_demo(Backend::Sqlite, on(&date.to_string())).await;
    }
}

/// Every demo EPA, at every stage and after fails, resits, a rework, a
/// retake and withdrawals, gives EPAO staff its documents, or says plainly
/// why not (no gateway or no release yet): never an internal error. The
/// apprentice's side gets 404 where nothing is released.
#[tokio::test]
async fn every_demo_epa_gives_its_documents_or_says_why_not() {
    let test_db = TestDb::new(Backend::Sqlite).await.expect("SQLite");
    let db = test_db.db.clone();
    let app = app_on(&db, on("2026-11-04"));
    demo::load(&app).await.expect("the demo loads");
    let staff = actor(&db, "epao-admin@demo.test").await;
    let rows = epas::list(&db, &Scope::default(), &Filter::default(), 200, 0)
        .await
        .unwrap();
    let (mut letters, mut summaries) = (0, 0);
    for row in &rows {
        let id = row.epa.id;
        match epa_app::assessment::results_pdf(&app, &staff, id).await {
            Ok(pdf) => {
                assert!(pdf.bytes.starts_with(b"%PDF-"));
                letters += 1;
            }
            Err(AppError::Conflict(why)) => assert!(why.contains("no result"), "{why}"),
            Err(other) => panic!("EPA at {}: {other:?}", row.epa.stage.as_str()),
        }
        match epa_app::gateway::summary_pdf(&app, &staff, id).await {
            Ok(_) => summaries += 1,
            Err(AppError::Conflict(why)) => assert!(why.contains("no gateway"), "{why}"),
            Err(other) => panic!("EPA at {}: {other:?}", row.epa.stage.as_str()),
        }
    }
    println!("{letters} result letters and {summaries} gateway summaries rendered");
    assert!(letters >= 5 && summaries >= 20, "{letters} {summaries}");
    test_db.finish().await;
}

/// `epa demo load --apprentices N` on `backend`: the EPAs are shared among
/// an assessor per 150 (the demo's own first), each with a profile, and no
/// assessor is booked twice at one time (the demo's own bookings included).
async fn check_synthetic(backend: Backend) {
    let Some(test_db) = TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let db = test_db.db.clone();
    let app = app_on(&db, on("2026-11-04"));
    let loaded = epa_app::synthetic::load(&app, 320, |_| {}).await.unwrap();
    assert_eq!(loaded.written, 320);
    let epao = organisations::first_of_kind(&db, organisations::OrganisationKind::Epao)
        .await
        .unwrap()
        .unwrap();
    let far_back: NaiveDate = "2020-01-01".parse().unwrap();
    let assessors = epa_store::assessor_profiles::of_epao(&db, epao.id, far_back)
        .await
        .unwrap();
    assert_eq!(assessors.len(), 3, "320 EPAs, 150 an assessor");
    for assessor in &assessors {
        let id = assessor.profile.user_id;
        let booked = epa_store::planning::upcoming_for_assessor(&db, id, far_back)
            .await
            .unwrap();
        assert!(!booked.is_empty(), "{} has bookings", assessor.name);
        for pair in booked.windows(2) {
            let end =
                pair[0].starts_at + chrono::Duration::minutes(i64::from(pair[0].duration_minutes));
            assert!(
                pair[0].assessment_on != pair[1].assessment_on || end <= pair[1].starts_at,
                "{} is booked twice at once: {:?} and {:?}",
                assessor.name,
                pair[0],
                pair[1]
            );
        }
    }
    audit_events(&db).await;
    test_db.finish().await;
}

#[tokio::test]
async fn synthetic_epas_are_shared_among_assessors_without_clashes_on_sqlite() {
    check_synthetic(Backend::Sqlite).await;
}

#[tokio::test]
async fn synthetic_epas_are_shared_among_assessors_without_clashes_on_postgres() {
    check_synthetic(Backend::Postgres).await;
}
