//! The dates an EPA's deadlines follow from, read in one statement
//! (`epa_store::epa_dates::read`), are what the reads of each kind of
//! record, whole, hold: for every EPA of the demo, on the pool and inside
//! a write transaction.

use epa_store::assessment::{self, Reader};
use epa_store::epa_dates::{
    self, Booked, EpaDates, Held, MethodGraded, Released, ReplacementAsked,
};
use epa_store::epas::{self, Filter, Scope};
use epa_store::{Backend, Db, dfe, gateway, planning};
use uuid::Uuid;

/// The EPA's dates from the whole records, one read of each kind.
async fn from_whole_records(db: &Db, id: Uuid) -> EpaDates {
    let latest = planning::latest_submissions(Reader::Db(db), id)
        .await
        .unwrap();
    let decisions = gateway::proposal_decisions(db, id).await.unwrap();
    EpaDates {
        report: latest.report,
        portfolio: latest.portfolio,
        held: assessment::assessments(Reader::Db(db), id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| Held {
                method: a.method,
                attempt: a.attempt,
                attempt_kind: a.attempt_kind,
                held_on: a.held_on,
            })
            .collect(),
        booked: planning::bookings(db, id)
            .await
            .unwrap()
            .into_iter()
            .map(|b| Booked {
                method: b.method,
                status: b.status,
                assessment_on: b.assessment_on,
                booked_on: b.booked_on,
                created_at: b.created_at,
            })
            .collect(),
        method_results: assessment::method_results(Reader::Db(db), id)
            .await
            .unwrap()
            .into_iter()
            .map(|r| MethodGraded {
                method: r.method,
                attempt: r.attempt,
                grade: r.grade,
                released_at: r.released_at,
            })
            .collect(),
        gateway_submitted: gateway::submissions(db, id)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.submitted_at)
            .collect(),
        proposal_decisions: decisions
            .iter()
            .map(|d| (d.decision, d.decided_at))
            .collect(),
        proposals_submitted: gateway::proposals(db, id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.submitted_at)
            .collect(),
        claimed_on: assessment::claim(Reader::Db(db), id)
            .await
            .unwrap()
            .map(|c| c.claimed_on),
        // In order of receipt, then ID: the order the one statement keeps.
        replacements: dfe::replacements_of(Reader::Db(db), id)
            .await
            .unwrap()
            .into_iter()
            .map(|r| ReplacementAsked {
                received_on: r.received_on,
                requested_on: r.requested_on,
            })
            .collect(),
        results: assessment::results(Reader::Db(db), id)
            .await
            .unwrap()
            .into_iter()
            .map(|r| Released {
                attempt: r.attempt,
                overall_grade: r.overall_grade,
                released_on: r.released_on,
            })
            .collect(),
    }
}

/// `dates` with every list but the replacements (whose order is read)
/// in one order, whatever order each read gave.
fn ordered(mut dates: EpaDates) -> EpaDates {
    fn sort<T: std::fmt::Debug>(items: &mut [T]) {
        items.sort_by_cached_key(|item| format!("{item:?}"));
    }
    sort(&mut dates.held);
    sort(&mut dates.booked);
    sort(&mut dates.method_results);
    sort(&mut dates.gateway_submitted);
    sort(&mut dates.proposal_decisions);
    sort(&mut dates.proposals_submitted);
    sort(&mut dates.results);
    dates
}

async fn check(backend: Backend) {
    let Some((test_db, _app)) = crate::demo_loaded(backend).await else {
        return;
    };
    let db = test_db.db.clone();

    let all = epas::list(&db, &Scope::default(), &Filter::default(), 200, 0)
        .await
        .unwrap();
    // The demo asks for no replacement certificate: three for one EPA, two
    // received the same day (their order is the IDs'), one requested.
    let with_claim = all
        .iter()
        .find(|e| e.epa.stage == epa_domain::lifecycle::Stage::CertificateReceived)
        .expect("a demo EPA with its certificate");
    let staff = epa_store::users::find_by_email(&db, "operations@demo.test")
        .await
        .unwrap()
        .unwrap();
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 10, d).expect("a day");
    let now = chrono::Utc::now();
    let mut tx = db.begin_write().await.unwrap();
    let mut replacements = Vec::new();
    for received in [day(20), day(5), day(20)] {
        let id = with_claim.epa.id;
        let made = dfe::insert_replacement(&mut tx, id, received, "lost", None, staff.id, now)
            .await
            .unwrap();
        replacements.push(made);
    }
    dfe::mark_replacement_requested(
        &mut tx,
        replacements[2].id,
        with_claim.epa.id,
        day(21),
        staff.id,
    )
    .await
    .unwrap()
    .expect("requested");
    tx.commit().await.unwrap();

    let mut found = std::collections::BTreeMap::<&str, usize>::new();
    for listed in &all {
        let id = listed.epa.id;
        let expected = from_whole_records(&db, id).await;
        let read = epa_dates::read(Reader::Db(&db), id).await.unwrap();
        assert_eq!(
            read.replacements, expected.replacements,
            "{id}: replacements in order"
        );
        let read = ordered(read);
        assert_eq!(read, ordered(expected), "{id}");

        let mut tx = db.begin_write().await.unwrap();
        let in_tx = epa_dates::read(Reader::Tx(&mut tx), id).await.unwrap();
        drop(tx);
        assert_eq!(ordered(in_tx), read, "{id}: inside a transaction");

        for (kind, has) in [
            ("a report", read.report.is_some()),
            ("a portfolio", read.portfolio.is_some()),
            ("a sitting", !read.held.is_empty()),
            ("a booking", !read.booked.is_empty()),
            ("a method result", !read.method_results.is_empty()),
            ("a gateway submission", !read.gateway_submitted.is_empty()),
            ("a proposal decision", !read.proposal_decisions.is_empty()),
            ("a proposal", !read.proposals_submitted.is_empty()),
            ("a certificate claim", read.claimed_on.is_some()),
            ("a replacement", !read.replacements.is_empty()),
            ("a result", !read.results.is_empty()),
        ] {
            *found.entry(kind).or_default() += usize::from(has);
        }
    }
    // The demo holds every kind of record the statement reads.
    let missing: Vec<_> = found.iter().filter(|(_, n)| **n == 0).collect();
    assert!(missing.is_empty(), "no demo EPA has {missing:?}");
    test_db.finish().await;
}

#[tokio::test]
async fn one_statement_reads_what_each_kind_of_record_holds_on_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test]
async fn one_statement_reads_what_each_kind_of_record_holds_on_postgres() {
    check(Backend::Postgres).await;
}
