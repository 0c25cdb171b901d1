//! The gate's one statement (`epa_store::gate::read`), the two latest
//! submissions in one (`planning::latest_submissions`) and the list's
//! columns read by position (`epas::page`) read what the separate reads,
//! or the reads by name, they replace read, for every EPA of the demo, whose EPAs
//! have adjustments, graders, reports and portfolios at every stage; and
//! the deadlines list's pages, cut short once the overdue fill them, are
//! the start of the whole list.

use chrono::NaiveDate;
use epa_domain::booking::SubmissionKind;
use epa_store::assessment::Reader;
use epa_store::epas::{self, Filter, Scope};
use epa_store::{Backend, Db, adjustments, conflicts, gate, planning, users};
use uuid::Uuid;

/// The people `sql` finds with `ids` bound in order: the separate reads of
/// the conflicted and the graders the gate made before.
async fn people_by(db: &Db, sql: &str, ids: &[Uuid]) -> Vec<Uuid> {
    match db {
        Db::Sqlite(sqlite) => {
            let mut query = sqlx::query_scalar(sql);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(sqlite.pool()).await.unwrap()
        }
        Db::Postgres(pool) => {
            let mut query = sqlx::query_scalar(sql);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await.unwrap()
        }
    }
}

/// The latest submission of `kind`, as the two reads per kind had it.
async fn latest(db: &Db, epa_id: Uuid, kind: SubmissionKind) -> Option<NaiveDate> {
    let sql = "SELECT submitted_on FROM submissions WHERE epa_id = $1 AND kind = $2 \
               ORDER BY recorded_at DESC, id DESC LIMIT 1";
    match db {
        Db::Sqlite(sqlite) => sqlx::query_scalar(sql)
            .bind(epa_id)
            .bind(kind)
            .fetch_optional(sqlite.pool())
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(epa_id)
            .bind(kind)
            .fetch_optional(pool)
            .await
            .unwrap(),
    }
}

fn query(limit: i64) -> epa_app::deadlines::DueQuery {
    epa_app::deadlines::DueQuery {
        states: Vec::new(),
        limit: Some(limit),
        after: None,
    }
}

async fn check(backend: Backend) {
    let Some((test_db, app)) = crate::demo_loaded(backend).await else {
        return;
    };
    let db = test_db.db.clone();

    // A conflict standing and one withdrawn, so the conflicted list has
    // something to find and something to leave out.
    let all = epas::list(&db, &Scope::default(), &Filter::default(), 200, 0)
        .await
        .unwrap();
    // The list reads its columns by position: what it reads is what the
    // whole rows, read by name, hold.
    let listed = epas::page(&db, &Scope::default(), &Filter::default(), None, 200)
        .await
        .unwrap();
    let expected: Vec<epas::ListedEpa> = all.iter().cloned().map(epas::ListedEpa::from).collect();
    assert_eq!(listed, expected);
    let assessor = users::find_by_email(&db, "assessor@demo.test")
        .await
        .unwrap()
        .unwrap();
    let first = epas::get(&db, all[0].epa.id).await.unwrap();
    let now = chrono::Utc::now();
    let mut tx = db.begin_write().await.unwrap();
    conflicts::declare(
        &mut tx,
        assessor.id,
        first.employer_id,
        "declared",
        "a relative",
        now,
    )
    .await
    .unwrap();
    let withdrawn = conflicts::declare(
        &mut tx,
        assessor.id,
        first.provider_id,
        "declared",
        "a friend",
        now,
    )
    .await
    .unwrap();
    conflicts::withdraw(&mut tx, withdrawn.id, assessor.id, "no longer", now)
        .await
        .unwrap();
    // One person conflicted with both the employer and the provider is
    // conflicted once.
    let qa = users::find_by_email(&db, "qa@demo.test")
        .await
        .unwrap()
        .unwrap();
    for organisation in [first.employer_id, first.provider_id] {
        conflicts::declare(&mut tx, qa.id, organisation, "declared", "a partner", now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let (mut adjusted, mut graded, mut conflicted, mut reports, mut portfolios) = (0, 0, 0, 0, 0);
    for listed in &all {
        let id = listed.epa.id;
        let gate::Gated {
            row,
            adjustment,
            people: gathered,
        } = gate::read(Reader::Db(&db), id).await.unwrap();
        assert_eq!(row, epas::get(&db, id).await.unwrap(), "{id}");
        let standing = adjustments::standing(Reader::Db(&db), id).await.unwrap();
        assert_eq!(adjustment, standing, "{id}");
        adjusted += usize::from(adjustment.is_some());

        let people = gate::people(Reader::Db(&db), id).await.unwrap();
        let expected_conflicted = people_by(
            &db,
            "SELECT DISTINCT user_id FROM conflicts WHERE (organisation_id = $1 OR organisation_id = $2) \
             AND withdrawn_at IS NULL ORDER BY user_id",
            &[row.employer_id, row.provider_id],
        )
        .await;
        assert_eq!(people.conflicted, expected_conflicted, "{id}");
        let expected_graders = people_by(
            &db,
            "SELECT assessor_id FROM assessments WHERE epa_id = $1 \
             UNION SELECT assessor_id FROM judgements WHERE epa_id = $1 ORDER BY 1",
            &[id],
        )
        .await;
        assert_eq!(people.graders, expected_graders, "{id}");
        assert_eq!(
            gathered, people,
            "{id}: gathered with the row as read alone"
        );
        graded += usize::from(!people.graders.is_empty());
        conflicted += usize::from(!people.conflicted.is_empty());
        if id == first.epa.id {
            let times = people.conflicted.iter().filter(|p| **p == qa.id).count();
            assert_eq!(times, 1, "conflicted with both organisations, named once");
        }

        let submitted = planning::latest_submissions(Reader::Db(&db), id)
            .await
            .unwrap();
        assert_eq!(
            submitted.report,
            latest(&db, id, SubmissionKind::Report).await,
            "{id}"
        );
        assert_eq!(
            submitted.portfolio,
            latest(&db, id, SubmissionKind::Portfolio).await,
            "{id}"
        );
        reports += usize::from(submitted.report.is_some());
        portfolios += usize::from(submitted.portfolio.is_some());

        // Inside a write transaction the reads agree with those on the pool.
        let mut tx = db.begin_write().await.unwrap();
        let in_tx = gate::read(Reader::Tx(&mut tx), id).await.unwrap();
        assert_eq!(
            in_tx,
            gate::Gated {
                row: row.clone(),
                adjustment,
                people: people.clone(),
            }
        );
        let people_in_tx = gate::people(Reader::Tx(&mut tx), id).await.unwrap();
        assert_eq!(people_in_tx, people);
        drop(tx);
    }
    // The deadlines list's first page of every size is the start of the
    // whole list: pages the overdue fill (the reads of those still to come
    // are then not made) and pages they share with those to come.
    let ops = crate::operations(&db).await;
    let whole = epa_app::deadlines::due(&app, &ops, &query(200))
        .await
        .unwrap()
        .items;
    let key = |d: &epa_app::deadlines::DueDeadline| (d.epa_id, d.deadline.get().to_owned());
    let overdue = whole
        .iter()
        .filter(|d| {
            d.deadline
                .get()
                .contains("\"state\":\"overdue_unless_done\"")
        })
        .count();
    assert!(
        0 < overdue && overdue < whole.len(),
        "{overdue} of {}",
        whole.len()
    );
    for limit in (1..=whole.len()).step_by(3).chain([overdue, overdue + 1]) {
        let page = epa_app::deadlines::due(&app, &ops, &query(limit as i64))
            .await
            .unwrap()
            .items;
        let first: Vec<_> = page.iter().map(key).collect();
        let expected: Vec<_> = whole[..limit].iter().map(key).collect();
        assert_eq!(first, expected, "a first page of {limit}");
    }

    // The demo holds every case the reads must tell apart.
    for (what, count) in [
        ("an adjustment", adjusted),
        ("graders", graded),
        ("a conflict", conflicted),
        ("a report", reports),
        ("a portfolio", portfolios),
    ] {
        assert!(count > 0, "no demo EPA has {what}");
        assert!(count < all.len(), "every demo EPA has {what}");
    }
    test_db.finish().await;
}

#[tokio::test]
async fn the_gate_reads_in_one_statement_what_four_read_on_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_gate_reads_in_one_statement_what_four_read_on_postgres() {
    check(Backend::Postgres).await;
}
