//! A judgement that grades no method moves none of the dates an EPA's
//! deadlines are worked out from, and its save does not work them out
//! again (ADR 0164). The kept deadlines still match those worked out
//! afresh after such a save, and after the save that grades the method.

use epa_app::assessment::{self, JudgementInput, JudgementsInput, MethodProgress};
use epa_domain::MethodId;
use epa_domain::lifecycle::Stage;
use epa_store::Backend;
use epa_store::assessment::Reader;
use epa_store::epas::{self, Filter, Scope};
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

    // An observation sat and not yet graded, of an EPA the demo assessor
    // is allocated: its first criterion judged, the rest not.
    let mut first_save: Option<(Uuid, Uuid, MethodProgress)> = None;
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
        let Some(sitting) = sittings.iter().rev().find(|a| {
            a.method == MethodId::Observation && graded.iter().all(|r| r.assessment_id != a.id)
        }) else {
            continue;
        };
        let saved = assessment::record_judgements(
            &app,
            &assessor,
            epa.epa.id,
            sitting.id,
            met(&["OBS-P01".to_owned()]),
        )
        .await;
        if let Ok(progress) = saved
            && progress.result.is_none()
        {
            first_save = Some((epa.epa.id, sitting.id, progress));
            break;
        }
    }
    let (epa_id, sitting_id, progress) = first_save.expect("an observation sat and not graded");
    assert!(!progress.not_yet_judged.is_empty());
    crate::kept_as_worked_out(&app, &staff, epa_id).await;

    // The rest judged: the method is graded, and its deadlines are worked
    // out again.
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
    test_db.finish().await;
}

#[tokio::test]
async fn judging_keeps_the_deadlines_as_worked_out_on_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test]
async fn judging_keeps_the_deadlines_as_worked_out_on_postgres() {
    check(Backend::Postgres).await;
}
