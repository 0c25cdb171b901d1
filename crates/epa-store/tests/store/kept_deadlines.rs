//! Keeping an EPA's deadlines: what is kept already is not written again,
//! and anything that differs (a date, who may see them, the rules' version)
//! is.

use chrono::NaiveDate;
use epa_store::Db;
use epa_store::deadlines::{self, NewDeadline, Openness, Parties};
use uuid::Uuid;

fn deadline(name: &str, due_on: NaiveDate) -> NewDeadline {
    NewDeadline {
        deadline: name.to_owned(),
        due_on,
        openness: Openness::Until(due_on),
        kind: "due_by".to_owned(),
        done_on: None,
        decided: true,
        body: format!(r#"{{"id":"{name}"}}"#),
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

/// A mark that changes whenever the EPA's kept rows are written: on
/// PostgreSQL each row's `xmin` (the transaction that wrote its version);
/// on SQLite, which has no such column (a rowid is reused after a delete),
/// a count of inserts kept by a trigger [`count_writes`] adds.
async fn stamp(db: &Db, epa_id: Uuid) -> String {
    match db {
        Db::Sqlite(sqlite) => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM deadline_writes")
            .fetch_one(sqlite.pool())
            .await
            .unwrap()
            .to_string(),
        Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT COALESCE(string_agg(xmin::text, ',' ORDER BY position), '') \
             FROM epa_deadlines WHERE epa_id = $1",
        )
        .bind(epa_id)
        .fetch_one(pool)
        .await
        .unwrap(),
    }
}

async fn count_writes(db: &Db) {
    if let Db::Sqlite(sqlite) = db {
        for sql in [
            "CREATE TABLE deadline_writes (n INTEGER)",
            "CREATE TRIGGER deadline_written AFTER INSERT ON epa_deadlines \
             BEGIN INSERT INTO deadline_writes VALUES (1); END",
        ] {
            sqlx::query(sql).execute(sqlite.pool()).await.unwrap();
        }
    }
}

async fn kept_rows(db: &Db, epa_id: Uuid) -> usize {
    deadlines::due_dates(db, epa_id, &["report_due", "results_due"])
        .await
        .unwrap()
        .len()
}

async fn keep(db: &Db, epa_id: Uuid, parties: &Parties<'_>, wanted: &[NewDeadline]) {
    let mut tx = db.begin_write().await.unwrap();
    deadlines::replace(&mut tx, epa_id, parties, wanted)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

crate::conformance!(
    deadlines_kept_already_are_not_written_again,
    |db: Db| async move {
        let (epa_id, assessor) = crate::enums::epa(&db).await;
        count_writes(&db).await;
        let mut parties = Parties {
            epao_id: Uuid::now_v7(),
            employer_id: Uuid::now_v7(),
            provider_id: Uuid::now_v7(),
            assessor_id: None,
            stage: "planned",
            policy: "tquk",
        };
        let mut wanted = vec![
            deadline("report_due", day(1)),
            deadline("results_due", day(8)),
        ];
        keep(&db, epa_id, &parties, &wanted).await;
        let first = stamp(&db, epa_id).await;
        assert_eq!(kept_rows(&db, epa_id).await, 2);

        keep(&db, epa_id, &parties, &wanted).await;
        assert_eq!(stamp(&db, epa_id).await, first, "unchanged: not written");

        wanted[1].due_on = day(9);
        keep(&db, epa_id, &parties, &wanted).await;
        let moved = stamp(&db, epa_id).await;
        assert_ne!(moved, first, "a date moved: written");
        let dates = deadlines::due_dates(&db, epa_id, &["report_due", "results_due"])
            .await
            .unwrap();
        assert_eq!(dates[1], ("results_due".to_owned(), day(9)));

        parties.assessor_id = Some(assessor);
        keep(&db, epa_id, &parties, &wanted).await;
        let allocated = stamp(&db, epa_id).await;
        assert_ne!(allocated, moved, "who may see them changed: written");

        // Kept under an older reading of the rules: written again as is.
        set_version(&db, epa_id, 0).await;
        keep(&db, epa_id, &parties, &wanted).await;
        assert_ne!(stamp(&db, epa_id).await, allocated, "older rules: written");
        let stale = deadlines::stale(&db, 10).await.unwrap();
        assert!(!stale.contains(&epa_id), "brought up to this version");

        // None wanted where some are kept: all go.
        keep(&db, epa_id, &parties, &[]).await;
        assert!(kept_rows(&db, epa_id).await == 0);
    }
);

async fn set_version(db: &Db, epa_id: Uuid, version: i32) {
    let sql = "UPDATE epas SET deadlines_version = $2 WHERE id = $1";
    match db {
        Db::Sqlite(sqlite) => sqlx::query(sql)
            .bind(epa_id)
            .bind(version)
            .execute(sqlite.pool())
            .await
            .map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(epa_id)
            .bind(version)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
}
