//! An `Idempotency-Key`'s answer is kept in the transaction of the work
//! (ADR 0141): a request cut off after its use case returned, before its
//! answer was kept (the process killed), leaves neither the work nor the
//! key, so its retry runs once and later copies get that answer.

use epa_app::AppError;
use epa_app::idempotency::{Idempotency, idempotent};
use epa_app::people::create_organisation::{NewOrganisationInput, create_organisation};
use epa_app::people::organisations::list_organisations;
use epa_store::Backend;

fn northwind() -> NewOrganisationInput {
    employer("Northwind Joinery")
}

/// A new employer with a name and nothing else.
pub(crate) fn employer(name: &str) -> NewOrganisationInput {
    NewOrganisationInput {
        kind: "employer".to_owned(),
        name: name.to_owned(),
        ukprn: None,
        contact_name: None,
        contact_organisation: None,
        address_line_1: None,
        address_line_2: None,
        city: None,
        postcode: None,
        region: None,
    }
}

async fn cut_off_before_the_answer(backend: Backend) {
    let Some((test_db, app, _clock, admin)) = crate::sessions::with_person(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let named = async || {
        list_organisations(&app, &admin, Some("employer"))
            .await
            .unwrap()
            .iter()
            .filter(|o| o.name == "Northwind Joinery")
            .count()
    };
    let key = Idempotency::new(&admin, "northwind-once", "/api/v1/organisations", b"{}").unwrap();

    // The use case returns; the request goes no further (the process dies
    // before answering).
    let (returned, use_case_done) = tokio::sync::oneshot::channel();
    let first = idempotent::<_, AppError, _>(&app, Some(key.clone()), 201, async {
        let created = create_organisation(&app, &admin, northwind()).await;
        let _ = returned.send(());
        std::future::pending::<()>().await;
        created
    });
    tokio::select! {
        _ = first => panic!("the first request was meant to be cut off"),
        done = use_case_done => done.unwrap(),
    }
    assert_eq!(named().await, 0, "nothing is kept without its answer");

    // The retry runs the work, once; a later copy gets its answer.
    let retry = idempotent::<_, AppError, _>(
        &app,
        Some(key.clone()),
        201,
        create_organisation(&app, &admin, northwind()),
    )
    .await
    .expect("the retry runs rather than waiting on a key left in progress");
    assert!(!retry.replayed);
    let replay = idempotent::<_, AppError, _>(
        &app,
        Some(key),
        201,
        create_organisation(&app, &admin, northwind()),
    )
    .await
    .unwrap();
    assert!(replay.replayed);
    assert_eq!((replay.status, &replay.body), (201, &retry.body));
    assert_eq!(named().await, 1, "created once");
    test_db.finish().await;
}

mod a_request_cut_off_before_its_answer_leaves_nothing_and_its_retry_runs_once {
    #[tokio::test]
    async fn sqlite() {
        super::cut_off_before_the_answer(epa_store::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::cut_off_before_the_answer(epa_store::Backend::Postgres).await;
    }
}
