//! Keeping an EPA's deadlines: what is kept already is not written again,
//! and of what differs (a date, a deadline come or gone, who may see them,
//! the rules' version) only the rows that differ are.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use epa_store::Db;
use epa_store::deadlines::{self, NewDeadline, Openness, Parties};
use uuid::Uuid;

fn deadline(position: i32, name: &str, due_on: NaiveDate) -> NewDeadline {
    NewDeadline {
        position,
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

/// For each kept row (by position), a mark that changes whenever the row
/// is written: on PostgreSQL its `xmin` (the transaction that wrote its
/// version); on SQLite, which has no such column, the number of writes a
/// trigger [`count_writes`] adds has counted for its position.
async fn stamps(db: &Db, epa_id: Uuid) -> BTreeMap<i32, String> {
    let rows: Vec<(i32, String)> = match db {
        Db::Sqlite(sqlite) => sqlx::query_as(
            "SELECT d.position, CAST(COUNT(w.position) AS TEXT) FROM epa_deadlines d \
             LEFT JOIN deadline_writes w ON w.epa_id = d.epa_id AND w.position = d.position \
             WHERE d.epa_id = $1 GROUP BY d.position",
        )
        .bind(epa_id)
        .fetch_all(sqlite.pool())
        .await
        .unwrap(),
        Db::Postgres(pool) => {
            sqlx::query_as("SELECT position, xmin::text FROM epa_deadlines WHERE epa_id = $1")
                .bind(epa_id)
                .fetch_all(pool)
                .await
                .unwrap()
        }
    };
    rows.into_iter().collect()
}

/// The positions whose rows were written between two [`stamps`], or came
/// or went.
fn written(before: &BTreeMap<i32, String>, after: &BTreeMap<i32, String>) -> Vec<i32> {
    let mut positions: Vec<i32> = before.keys().chain(after.keys()).copied().collect();
    positions.sort_unstable();
    positions.dedup();
    positions
        .into_iter()
        .filter(|p| before.get(p) != after.get(p))
        .collect()
}

async fn count_writes(db: &Db) {
    if let Db::Sqlite(sqlite) = db {
        for sql in [
            "CREATE TABLE deadline_writes (epa_id BLOB, position INTEGER)",
            "CREATE TRIGGER deadline_inserted AFTER INSERT ON epa_deadlines \
             BEGIN INSERT INTO deadline_writes VALUES (new.epa_id, new.position); END",
            "CREATE TRIGGER deadline_updated AFTER UPDATE ON epa_deadlines \
             BEGIN INSERT INTO deadline_writes VALUES (new.epa_id, new.position); END",
        ] {
            sqlx::query(sql).execute(sqlite.pool()).await.unwrap();
        }
    }
}

async fn kept_dates(db: &Db, epa_id: Uuid) -> Vec<(String, NaiveDate)> {
    deadlines::due_dates(db, epa_id, &["report_due", "results_due", "notice_due"])
        .await
        .unwrap()
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
            deadline(80, "report_due", day(1)),
            deadline(160, "results_due", day(8)),
        ];
        keep(&db, epa_id, &parties, &wanted).await;
        let first = stamps(&db, epa_id).await;
        assert_eq!(first.len(), 2);

        keep(&db, epa_id, &parties, &wanted).await;
        let again = stamps(&db, epa_id).await;
        assert_eq!(
            written(&first, &again),
            Vec::<i32>::new(),
            "unchanged: not written"
        );

        wanted[1].due_on = day(9);
        keep(&db, epa_id, &parties, &wanted).await;
        let moved = stamps(&db, epa_id).await;
        assert_eq!(
            written(&again, &moved),
            vec![160],
            "only the date that moved"
        );
        assert_eq!(
            kept_dates(&db, epa_id).await,
            vec![
                ("report_due".to_owned(), day(1)),
                ("results_due".to_owned(), day(9))
            ]
        );

        // One comes before the others, in date and in position: they stay.
        wanted.insert(0, deadline(32, "notice_due", day(3)));
        keep(&db, epa_id, &parties, &wanted).await;
        let added = stamps(&db, epa_id).await;
        assert_eq!(written(&moved, &added), vec![32], "only the one added");
        assert_eq!(
            kept_dates(&db, epa_id).await,
            vec![
                ("report_due".to_owned(), day(1)),
                ("notice_due".to_owned(), day(3)),
                ("results_due".to_owned(), day(9)),
            ],
            "read back in order of date"
        );

        // The EPA's stage moves: every row carries it.
        parties.stage = "in_assessment";
        keep(&db, epa_id, &parties, &wanted).await;
        let staged = stamps(&db, epa_id).await;
        assert_eq!(
            written(&added, &staged),
            vec![32, 80, 160],
            "the stage: all"
        );
        let added = staged;

        parties.assessor_id = Some(assessor);
        keep(&db, epa_id, &parties, &wanted).await;
        let allocated = stamps(&db, epa_id).await;
        assert_eq!(
            written(&added, &allocated),
            vec![32, 80, 160],
            "who may see them changed: all"
        );

        // Kept under an older reading of the rules: brought up to this
        // one, and rows that are right already stay as they are.
        set_version(&db, epa_id, 0).await;
        keep(&db, epa_id, &parties, &wanted).await;
        let current = stamps(&db, epa_id).await;
        assert_eq!(written(&allocated, &current), Vec::<i32>::new());
        let stale = deadlines::stale(&db, 10).await.unwrap();
        assert!(!stale.contains(&epa_id), "brought up to this version");

        // One goes: the others stay.
        wanted.remove(0);
        keep(&db, epa_id, &parties, &wanted).await;
        let removed = stamps(&db, epa_id).await;
        assert_eq!(written(&current, &removed), vec![32], "only the one gone");

        // None wanted where some are kept: all go.
        keep(&db, epa_id, &parties, &[]).await;
        assert!(kept_dates(&db, epa_id).await.is_empty());
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
