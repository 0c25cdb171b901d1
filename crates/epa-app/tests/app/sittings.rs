//! An EPA's sittings, judgements, method results and attempts, read in one
//! statement (`epa_store::sittings::read`), are what the four reads of
//! each hold, field for field and in their order: for every EPA of the
//! demo, on the pool and inside a write transaction.

use epa_store::assessment::{self, Reader};
use epa_store::epas::{self, Filter, Scope};
use epa_store::sittings::{self, Sittings};
use epa_store::{Backend, Db};
use uuid::Uuid;

/// The four reads, one after another.
async fn apart(db: &Db, id: Uuid) -> Sittings {
    Sittings {
        assessments: assessment::assessments(Reader::Db(db), id).await.unwrap(),
        judgements: assessment::judgements(Reader::Db(db), id).await.unwrap(),
        method_results: assessment::method_results(Reader::Db(db), id)
            .await
            .unwrap(),
        attempts: assessment::attempts(Reader::Db(db), id).await.unwrap(),
    }
}

/// Sets the two fields of a method result that quality assurance will
/// set, which nothing in the product sets yet, so that they are read too.
async fn sample(db: &Db, result_id: Uuid, moderation_id: Uuid) {
    let sql = "UPDATE method_results SET sampled = $1, moderation_id = $2 WHERE id = $3";
    let updated = match db {
        Db::Sqlite(sqlite) => sqlx::query(sql)
            .bind(true)
            .bind(moderation_id)
            .bind(result_id)
            .execute(sqlite.pool())
            .await
            .unwrap()
            .rows_affected(),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(true)
            .bind(moderation_id)
            .bind(result_id)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert_eq!(updated, 1, "the method result sampled");
}

async fn check(backend: Backend) {
    let Some((test_db, _app)) = crate::demo_loaded(backend).await else {
        return;
    };
    let db = test_db.db.clone();
    let all = epas::list(&db, &Scope::default(), &Filter::default(), 200, 0)
        .await
        .unwrap();
    let mut sampled = false;
    for listed in &all {
        let results = assessment::method_results(Reader::Db(&db), listed.epa.id)
            .await
            .unwrap();
        if let Some(result) = results.first() {
            sample(&db, result.id, Uuid::now_v7()).await;
            sampled = true;
            break;
        }
    }
    assert!(sampled, "a demo EPA with a method result");
    // Corrections, which the demo does not make: three judgements, each
    // superseding the last, saved out of the order of their instants, which
    // differ only in their fractions of a second (the demo's clock moves in
    // whole minutes). Both reads must give them in the order of time.
    let mut corrected = false;
    for listed in &all {
        let judged = assessment::judgements(Reader::Db(&db), listed.epa.id)
            .await
            .unwrap();
        if let Some(first) = judged.first() {
            let whole = chrono::DateTime::from_timestamp(first.recorded_at.timestamp() + 86_400, 0)
                .expect("a day later");
            let mut superseded = first.id;
            let mut tx = db.begin_write().await.unwrap();
            for at in [
                whole + chrono::Duration::milliseconds(500),
                whole,
                whole + chrono::Duration::microseconds(500_001),
            ] {
                let saved = assessment::insert_judgement(
                    &mut tx,
                    &assessment::NewJudgement {
                        epa_id: first.epa_id,
                        assessment_id: first.assessment_id,
                        method: first.method,
                        criterion_id: &first.criterion_id,
                        met: !first.met,
                        note: "corrected",
                        assessor_id: first.assessor_id,
                        supersedes_id: Some(superseded),
                    },
                    at,
                )
                .await
                .unwrap();
                superseded = saved.id;
            }
            tx.commit().await.unwrap();
            let times: Vec<_> = sittings::read(Reader::Db(&db), first.epa_id)
                .await
                .unwrap()
                .judgements
                .iter()
                .map(|j| j.recorded_at)
                .collect();
            assert!(times.is_sorted(), "in the order of time: {times:?}");
            corrected = true;
            break;
        }
    }
    assert!(corrected, "a demo EPA with a judgement");

    let mut found = std::collections::BTreeMap::<&str, usize>::new();
    for listed in &all {
        let id = listed.epa.id;
        let read = sittings::read(Reader::Db(&db), id).await.unwrap();
        assert_eq!(read, apart(&db, id).await, "{id}");
        let mut tx = db.begin_write().await.unwrap();
        let in_tx = sittings::read(Reader::Tx(&mut tx), id).await.unwrap();
        drop(tx);
        assert_eq!(in_tx, read, "{id}: inside a transaction");

        let results = &read.method_results;
        for (what, has) in [
            ("a sitting", !read.assessments.is_empty()),
            (
                "a sitting held for a booking",
                read.assessments.iter().any(|a| a.booking_id.is_some()),
            ),
            (
                "a sitting with questioning minutes",
                read.assessments
                    .iter()
                    .any(|a| a.questioning_minutes.is_some()),
            ),
            (
                "a sitting with a number of questions",
                read.assessments
                    .iter()
                    .any(|a| a.interview_questions.is_some()),
            ),
            (
                "a later attempt's sitting",
                read.assessments.iter().any(|a| a.attempt > 1),
            ),
            (
                "a judgement not met",
                read.judgements.iter().any(|j| !j.met),
            ),
            (
                "a judgement superseding another",
                read.judgements.iter().any(|j| j.supersedes_id.is_some()),
            ),
            (
                "a provisional result",
                results.iter().any(|r| r.released_at.is_none()),
            ),
            (
                "a released result",
                results.iter().any(|r| r.result_id.is_some()),
            ),
            (
                "a sampled result",
                results.iter().any(|r| r.sampled.is_some()),
            ),
            (
                "a moderated result",
                results.iter().any(|r| r.moderation_id.is_some()),
            ),
            ("an attempt", !read.attempts.is_empty()),
            (
                "an attempt with a due day",
                read.attempts.iter().any(|a| a.due_on.is_some()),
            ),
        ] {
            *found.entry(what).or_default() += usize::from(has);
        }
    }
    // The demo holds every kind of row and every optional field the
    // statement reads.
    let missing: Vec<_> = found.iter().filter(|(_, n)| **n == 0).collect();
    assert!(missing.is_empty(), "no demo EPA has {missing:?}");
    test_db.finish().await;
}

#[tokio::test]
async fn one_statement_reads_what_the_four_reads_hold_on_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test]
async fn one_statement_reads_what_the_four_reads_hold_on_postgres() {
    check(Backend::Postgres).await;
}
