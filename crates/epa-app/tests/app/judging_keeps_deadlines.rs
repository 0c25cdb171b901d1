//! A judgement that grades no method moves none of the dates an EPA's
//! deadlines are worked out from, and its save does not work them out
//! again (ADR 0164); the save that grades the method does. Nor is such a
//! save anything the DfE is sent: its commit does not mark the EPA for the
//! next push (ADR 0165).

use epa_app::assessment::{self, JudgementInput, JudgementsInput};
use epa_domain::MethodId;
use epa_domain::lifecycle::Stage;
use epa_store::assessment::Reader;
use epa_store::epas::{self, Filter, Scope};
use epa_store::{Backend, Db};
use uuid::Uuid;

fn met(criteria: &[String]) -> JudgementsInput {
    JudgementsInput {
        judgements: criteria
            .iter()
            .map(|criterion| JudgementInput {
                criterion: criterion.clone(),
                met: true,
                note: None,
            })
            .collect(),
    }
}

/// Moves one kept deadline of the EPA to `day` behind the app's back, as
/// nothing in the product would.
async fn move_kept(db: &Db, epa_id: Uuid, deadline: &str, day: chrono::NaiveDate) {
    let sql = "UPDATE epa_deadlines SET due_on = $3 WHERE epa_id = $1 AND deadline = $2";
    let moved = match db {
        Db::Sqlite(sqlite) => sqlx::query(sql)
            .bind(epa_id)
            .bind(deadline)
            .bind(day)
            .execute(sqlite.pool())
            .await
            .unwrap()
            .rows_affected(),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(epa_id)
            .bind(deadline)
            .bind(day)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert_eq!(moved, 1, "the kept deadline to move");
}

async fn check(backend: Backend) {
    let Some((test_db, app)) = crate::demo_loaded(backend).await else {
        return;
    };
    // The synthetic apprentices in assessment have their observation sat
    // and not graded, the demo's assessor allocated.
    epa_app::synthetic::load(&app, 40, |_| {}).await.unwrap();
    let db = test_db.db.clone();
    let staff = crate::operations(&db).await;
    let assessor = crate::person(&db, "assessor@demo.test").await;
    let in_assessment = Filter {
        stage: Some(Stage::InAssessment),
        ..Filter::default()
    };
    let candidates = epas::list(&db, &Scope::default(), &in_assessment, 200, 0)
        .await
        .unwrap();
    let mut sat = None;
    for epa in candidates
        .iter()
        .filter(|e| e.epa.assessor_id == Some(assessor.user_id))
    {
        let sittings = epa_store::assessment::assessments(Reader::Db(&db), epa.epa.id)
            .await
            .unwrap();
        let graded = epa_store::assessment::method_results(Reader::Db(&db), epa.epa.id)
            .await
            .unwrap();
        if let Some(sitting) = sittings.iter().rev().find(|a| {
            a.method == MethodId::Observation && graded.iter().all(|r| r.assessment_id != a.id)
        }) {
            sat = Some((epa.epa.id, sitting.id));
            break;
        }
    }
    let (epa_id, sitting_id) = sat.expect("an observation sat and not graded");
    crate::kept_as_worked_out(&app, &staff, epa_id).await;
    let before = epa_app::deadlines::for_epa(&app, &staff, epa_id)
        .await
        .unwrap();
    let first = before.deadlines.first().expect("deadlines in assessment");
    let name = first.id.as_str();
    let by_hand: chrono::NaiveDate = "2001-02-03".parse().unwrap();
    move_kept(&db, epa_id, name, by_hand).await;

    // One criterion judged: no method graded, no due date moved, and the
    // kept deadlines not worked out again (the one moved by hand stays).
    let progress = assessment::record_judgements(
        &app,
        &assessor,
        epa_id,
        sitting_id,
        met(&["OBS-P01".to_owned()]),
    )
    .await
    .expect("one criterion judged");
    assert!(progress.result.is_none() && !progress.not_yet_judged.is_empty());
    let after = epa_app::deadlines::for_epa(&app, &staff, epa_id)
        .await
        .unwrap();
    let due_dates = |plan: &epa_domain::deadlines::DeadlinePlan| {
        plan.deadlines
            .iter()
            .map(|d| (d.id.as_str().to_owned(), d.date))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        due_dates(&after),
        due_dates(&before),
        "a judgement moves no due date"
    );
    let kept = epa_store::deadlines::due_dates(&db, epa_id, &[name])
        .await
        .unwrap();
    assert_eq!(
        kept,
        vec![(name.to_owned(), by_hand)],
        "not worked out again"
    );

    // The rest judged: the method is graded, and the deadlines are worked
    // out again (the one moved by hand is back at its day).
    let graded = assessment::record_judgements(
        &app,
        &assessor,
        epa_id,
        sitting_id,
        met(&progress.not_yet_judged),
    )
    .await
    .expect("the rest judged");
    assert!(graded.result.is_some(), "the observation graded");
    crate::kept_as_worked_out(&app, &staff, epa_id).await;
    let kept = epa_store::deadlines::due_dates(&db, epa_id, &[name])
        .await
        .unwrap();
    assert_ne!(kept, vec![(name.to_owned(), by_hand)], "worked out again");
    test_db.finish().await;
}

/// The mark for the DfE's push of an EPA the DfE is sent (a released
/// result) after one commit that audits a change to it, with the commit
/// noting judgements only or not.
async fn pending_after(app: &epa_app::App, epa_id: Uuid, judgements_only: bool) -> Option<i64> {
    let mut tx = app.db.begin_write().await.unwrap();
    let id = epa_id.to_string();
    epa_store::audit::append(
        &mut tx,
        &epa_store::audit::NewAuditEvent {
            occurred_at: app.now(),
            actor_id: None,
            actor_role: "system",
            action: "judgements.recorded",
            entity_type: "epa",
            entity_id: &id,
            before: None,
            after: None,
            request_id: None,
        },
    )
    .await
    .unwrap();
    if judgements_only {
        tx.note_judgements_only(epa_id);
    }
    epa_app::deadlines::commit(app, tx).await.unwrap();
    epa_store::dfe::candidate(&app.db, epa_id)
        .await
        .unwrap()
        .expect("an EPA with a released result")
        .pending_version
}

async fn check_dfe(backend: Backend) {
    let Some((test_db, app)) = crate::demo_loaded(backend).await else {
        return;
    };
    let released = epa_store::dfe::candidates(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.pending_version.is_some())
        .expect("a demo EPA marked for the DfE");
    let epa_id = released.epa_id;
    let marked = released.pending_version;
    assert_eq!(
        pending_after(&app, epa_id, true).await,
        marked,
        "judgements only: the mark is as it was"
    );
    assert_eq!(
        pending_after(&app, epa_id, false).await,
        marked.map(|v| v + 1),
        "any other change marks it again"
    );
    test_db.finish().await;
}

#[tokio::test]
async fn judgements_alone_are_not_for_the_dfe_on_sqlite() {
    check_dfe(Backend::Sqlite).await;
}

#[tokio::test]
async fn judgements_alone_are_not_for_the_dfe_on_postgres() {
    check_dfe(Backend::Postgres).await;
}

#[tokio::test]
async fn judging_keeps_the_deadlines_as_worked_out_on_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test]
async fn judging_keeps_the_deadlines_as_worked_out_on_postgres() {
    check(Backend::Postgres).await;
}
