//! A write transaction answers `epas::get_in` with the EPA's row as it
//! last read it (through the gate, or `get_in` itself), a statement
//! fewer, until it writes an EPA's or an apprentice's row: after each such
//! write what it answers is what is stored.

use chrono::{NaiveDate, TimeZone, Utc};
use epa_domain::lifecycle::Stage;
use epa_store::assessment::Reader;
use epa_store::epas::{self, Change, EpaRow};
use epa_store::{Db, Tx, apprentices, gate, users};
use uuid::Uuid;

/// Reads the EPA through the gate in a write transaction, runs `write`
/// in it, and answers what `get_in` gives after the write, beside the
/// row as stored once the transaction commits.
async fn read_after(
    db: &Db,
    epa_id: Uuid,
    write: impl AsyncFnOnce(&mut Tx, EpaRow),
) -> (EpaRow, EpaRow) {
    let mut tx = db.begin_write().await.unwrap();
    let gated = gate::read(Reader::Tx(&mut tx), epa_id).await.unwrap();
    write(&mut tx, gated.row).await;
    let answered = epas::get_in(&mut tx, epa_id).await.unwrap();
    tx.commit().await.unwrap();
    (answered, epas::get(db, epa_id).await.unwrap())
}

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 11, 0, 0).unwrap()
}

crate::conformance!(
    an_epa_s_row_written_in_a_transaction_is_read_again,
    |db: Db| async move {
        let (epa_id, assessor) = crate::enums::epa(&db).await;

        let (answered, stored) = read_after(&db, epa_id, async |tx, row| {
            let change = Change {
                stage: Some(Stage::Planned),
                assessor_id: Some(assessor),
                ..Change::default()
            };
            epas::update(tx, epa_id, row.epa.version, &change, at())
                .await
                .unwrap();
        })
        .await;
        assert_eq!(answered.epa.stage, Stage::Planned);
        assert_eq!(answered, stored);

        let (answered, stored) = read_after(&db, epa_id, async |tx, row| {
            epas::update_lifecycle(
                tx,
                epa_id,
                row.epa.version,
                Stage::InAssessment,
                "{}",
                None,
                None,
                at(),
            )
            .await
            .unwrap();
        })
        .await;
        assert_eq!(answered.epa.stage, Stage::InAssessment);
        assert_eq!(answered, stored);

        let (answered, stored) = read_after(&db, epa_id, async |tx, row| {
            let apprentice = apprentices::get_in(tx, row.epa.apprentice_id)
                .await
                .unwrap();
            let correction = apprentices::Correction {
                uln: &apprentice.uln,
                given_names: "Augusta Ada",
                family_name: "King",
                date_of_birth: NaiveDate::from_ymd_opt(2000, 1, 2).unwrap(),
                employer_id: row.employer_id,
                provider_id: row.provider_id,
            };
            apprentices::correct(tx, apprentice.id, apprentice.version, &correction)
                .await
                .unwrap();
        })
        .await;
        assert_eq!(answered.family_name, "King");
        assert_eq!(answered, stored);

        let (answered, stored) = read_after(&db, epa_id, async |tx, row| {
            let user = users::insert(tx, "ada@example.test", "Ada", None, at())
                .await
                .unwrap();
            apprentices::link_user(tx, row.epa.apprentice_id, user.id)
                .await
                .unwrap();
        })
        .await;
        assert!(answered.apprentice_user_id.is_some());
        assert_eq!(answered, stored);

        // Nothing written: the row read through the gate is the answer.
        let (answered, stored) = read_after(&db, epa_id, async |_, _| {}).await;
        assert_eq!(answered, stored);
    }
);

/// On PostgreSQL another transaction may commit a change to the EPA
/// between a write's gate read and its deadlines' refresh (read
/// committed; writes are ordered only from the audit chain's lock): the
/// row is read again there, never remembered. On SQLite the write holds
/// the writer's turn from its start and nobody can.
#[tokio::test]
async fn on_postgres_a_row_changed_by_another_commit_is_read_again() {
    let Some(test_db) = epa_testkit::TestDb::new(epa_store::Backend::Postgres).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let db = test_db.db.clone();
    let (epa_id, assessor) = crate::enums::epa(&db).await;
    let mut first = db.begin_write().await.unwrap();
    let gated = gate::read(Reader::Tx(&mut first), epa_id).await.unwrap();
    assert_eq!(gated.row.epa.assessor_id, None);

    let mut other = db.begin_write().await.unwrap();
    let change = Change {
        assessor_id: Some(assessor),
        ..Change::default()
    };
    epas::update(&mut other, epa_id, gated.row.epa.version, &change, at())
        .await
        .unwrap();
    other.commit().await.unwrap();

    let row = epas::get_in(&mut first, epa_id).await.unwrap();
    assert_eq!(row.epa.assessor_id, Some(assessor));
    drop(first);
    test_db.finish().await;
}
