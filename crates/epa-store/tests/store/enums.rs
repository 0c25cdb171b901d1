//! Stages, methods and grades cross the store boundary as the domain's
//! enums, stored as their snake_case names. A stored name the product does
//! not know is an error on reading, never a default.

use chrono::{NaiveDate, TimeZone, Utc};
use epa_domain::attempts::{AttemptKind, ResultStatus};
use epa_domain::lifecycle::Stage;
use epa_domain::{Grade, MethodId};
use epa_store::apprentices::{self, NewApprentice};
use epa_store::assessment::{self, NewAssessment, NewMethodResult, Reader};
use epa_store::epas::{self, Change, Filter, NewEpa, Scope};
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::{Db, StoreError, stage_weeks, users};
use uuid::Uuid;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

/// An EPA at `registered` and the assessor's user, through the repositories.
pub(crate) async fn epa(db: &Db) -> (Uuid, Uuid) {
    let mut tx = db.begin_write().await.unwrap();
    let mut org = async |kind, name| {
        let new = NewOrganisation {
            kind,
            name,
            ukprn: None,
        };
        organisations::insert(&mut tx, &new, now()).await.unwrap()
    };
    let epao = org(OrganisationKind::Epao, "EPAO").await;
    let employer = org(OrganisationKind::Employer, "Employer").await;
    let provider = org(OrganisationKind::Provider, "Provider").await;
    let apprentice = apprentices::insert(
        &mut tx,
        &NewApprentice {
            uln: "1000000018",
            given_names: "Ada",
            family_name: "Lovelace",
            date_of_birth: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            employer_id: employer.id,
            provider_id: provider.id,
            user_id: None,
            start_date: NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(),
        },
        now(),
    )
    .await
    .unwrap();
    let assessor = users::insert(&mut tx, "assessor@example.test", "Assessor", None, now())
        .await
        .unwrap();
    let epa_id = epas::insert(
        &mut tx,
        &NewEpa {
            apprentice_id: apprentice.id,
            epao_id: epao.id,
            standard_reference: "ST0071",
            standard_version: "1.2",
            policy: "tquk",
            stage: Stage::Registered,
            lifecycle: "{}",
        },
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (epa_id, assessor.id)
}

/// Runs one statement outside the repositories, as damaged data would arrive.
pub(crate) async fn raw(db: &Db, sql: &str, id: Uuid) {
    match db {
        Db::Sqlite(sqlite) => {
            sqlx::query(sql)
                .bind(id)
                .execute(sqlite.pool())
                .await
                .unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).bind(id).execute(pool).await.unwrap();
        }
    }
}

fn is_corrupt(err: &StoreError, word: &str) -> bool {
    matches!(err, StoreError::Corrupt(text) if text.contains(word))
}

crate::conformance!(
    stage_and_grade_are_written_and_read_as_the_domains_enums,
    |db: Db| async move {
        let (epa_id, _) = epa(&db).await;
        let row = epas::get(&db, epa_id).await.unwrap();
        assert_eq!(row.epa.stage, Stage::Registered);
        assert_eq!(row.epa.overall_grade, None);

        let mut tx = db.begin_write().await.unwrap();
        let change = Change {
            stage: Some(Stage::Completed),
            overall_grade: Some(Grade::Distinction),
            ..Change::default()
        };
        epas::update(&mut tx, epa_id, row.epa.version, &change, now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let row = epas::get(&db, epa_id).await.unwrap();
        assert_eq!(row.epa.stage, Stage::Completed);
        assert_eq!(row.epa.overall_grade, Some(Grade::Distinction));

        // Stored as the snake_case name, which filters and counts compare with.
        let found = epas::list(
            &db,
            &Scope::default(),
            &Filter {
                stage: Some(Stage::Completed),
                policy: None,
                search: None,
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
        let counts = epas::count_by_stage(&db, row.epa.epao_id).await.unwrap();
        assert_eq!(counts, vec![(Stage::Completed, 1)]);
    }
);

crate::conformance!(
    the_kept_weekly_movements_add_up_to_todays_count_by_stage,
    |db: Db| async move {
        let (epa_id, _) = epa(&db).await;
        let epao_id = epas::get(&db, epa_id).await.unwrap().epa.epao_id;
        // Moves in later weeks, then one stamped before the EPA was created
        // (a clock set back): each week's row changes, the sum stays today's.
        let moves = [
            (Stage::GatewaySubmitted, now() + chrono::Duration::weeks(3)),
            (Stage::GatewayApproved, now() + chrono::Duration::weeks(3)),
            (Stage::Completed, now() - chrono::Duration::weeks(5)),
        ];
        for (stage, at) in moves {
            let row = epas::get(&db, epa_id).await.unwrap();
            let mut tx = db.begin_write().await.unwrap();
            let change = Change {
                stage: Some(stage),
                ..Change::default()
            };
            epas::update(&mut tx, epa_id, row.epa.version, &change, at)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let kept = stage_weeks::now(&db, epao_id).await.unwrap();
            assert_eq!(kept, epas::count_by_stage(&db, epao_id).await.unwrap());
            assert_eq!(kept, vec![(stage, 1)]);
        }
    }
);

crate::conformance!(
    an_unknown_stored_stage_is_an_error_not_a_default,
    |db: Db| async move {
        let (epa_id, _) = epa(&db).await;
        raw(
            &db,
            "UPDATE epas SET stage = 'archived' WHERE id = $1",
            epa_id,
        )
        .await;

        let err = epas::get(&db, epa_id).await.unwrap_err();
        assert!(is_corrupt(&err, "archived"), "{err:?}");
        let err = epas::list(&db, &Scope::default(), &Filter::default(), 10, 0)
            .await
            .unwrap_err();
        assert!(is_corrupt(&err, "archived"), "{err:?}");
        // The list's page, read on the request's thread on SQLite (ADR 0171).
        let err = epas::page(&db, &Scope::default(), &Filter::default(), None, 10)
            .await
            .unwrap_err();
        assert!(is_corrupt(&err, "archived"), "{err:?}");
        let mut tx = db.begin_write().await.unwrap();
        let err = epas::get_in(&mut tx, epa_id).await.unwrap_err();
        assert!(is_corrupt(&err, "Stage"), "{err:?}");
    }
);

crate::conformance!(
    an_unknown_stored_method_or_grade_is_an_error_not_a_default,
    |db: Db| async move {
        let (epa_id, assessor) = epa(&db).await;
        let mut tx = db.begin_write().await.unwrap();
        let held_on = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let booking = epa_store::planning::insert_booking(
            &mut tx,
            &epa_store::planning::NewBooking {
                epa_id,
                method: MethodId::Project,
                assessment_on: held_on,
                starts_at: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                duration_minutes: 60,
                mode: epa_domain::Mode::Remote,
                assessor_id: assessor,
                replaces_id: None,
                booked_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
                created_by: assessor,
            },
            now(),
        )
        .await
        .unwrap();
        let sitting = assessment::insert_assessment(
            &mut tx,
            &NewAssessment {
                epa_id,
                method: MethodId::Project,
                attempt: 1,
                attempt_kind: AttemptKind::First,
                held_on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                start_time: "09:00",
                end_time: "10:00",
                duration_minutes: 60,
                questioning_minutes: None,
                interview_questions: Some(4),
                assessor_id: assessor,
                booking_id: booking.id,
            },
            now(),
        )
        .await
        .unwrap();
        assert_eq!(sitting.method, MethodId::Project);
        assert_eq!(sitting.attempt_kind, AttemptKind::First);
        let result = assessment::save_method_result(
            &mut tx,
            &NewMethodResult {
                epa_id,
                assessment_id: sitting.id,
                method: MethodId::Project,
                attempt: 1,
                grade: Grade::Pass,
                explanation: "",
                unmet: "[]",
                graded_by: assessor,
            },
            now(),
        )
        .await
        .unwrap();
        assert_eq!(
            (result.method, result.grade, result.status),
            (MethodId::Project, Grade::Pass, ResultStatus::Provisional)
        );
        tx.commit().await.unwrap();

        raw(
            &db,
            "UPDATE method_results SET method = 'interview' WHERE id = $1",
            result.id,
        )
        .await;
        let err = assessment::method_results(Reader::Db(&db), epa_id)
            .await
            .unwrap_err();
        assert!(is_corrupt(&err, "interview"), "{err:?}");

        // Put right, the row reads again.
        raw(
            &db,
            "UPDATE method_results SET method = 'project' WHERE id = $1",
            result.id,
        )
        .await;
        let read = assessment::method_results(Reader::Db(&db), epa_id)
            .await
            .unwrap();
        assert_eq!(read, vec![result]);

        raw(
            &db,
            "UPDATE epas SET overall_grade = 'merit' WHERE id = $1",
            epa_id,
        )
        .await;
        let err = epas::get(&db, epa_id).await.unwrap_err();
        assert!(is_corrupt(&err, "merit"), "{err:?}");
    }
);
