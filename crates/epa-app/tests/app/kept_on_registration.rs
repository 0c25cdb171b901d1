//! An EPA registered keeps its deadlines from the transaction that
//! registers it, written without reading what an EPA created in that
//! transaction cannot have (records, kept rows): the kept rows are the
//! deadlines worked out for it (none before its gateway), kept under the
//! rules' current reading.

use epa_app::registration::{self, Registration};
use epa_domain::uln::Uln;
use epa_store::Backend;
use epa_store::epas::{self, Filter, Scope};

/// A valid ULN no demo apprentice has.
fn fresh_uln() -> String {
    (0_u32..)
        .find_map(|n| {
            let stem = format!("3{n:08}");
            let digits: Vec<u8> = stem.bytes().map(|b| b - b'0').collect();
            let first_nine: [u8; 9] = digits.try_into().ok()?;
            Uln::expected_check_digit(first_nine).map(|check| format!("{stem}{check}"))
        })
        .expect("a ULN")
}

async fn check(backend: Backend) {
    let Some((test_db, app)) = crate::demo_loaded(backend).await else {
        return;
    };
    let db = test_db.db.clone();
    let staff = crate::operations(&db).await;
    let some = epas::list(&db, &Scope::default(), &Filter::default(), 1, 0)
        .await
        .unwrap();
    let registered = registration::register(
        &app,
        &staff,
        Registration {
            uln: fresh_uln(),
            given_names: "Kept".to_owned(),
            family_name: "At Once".to_owned(),
            date_of_birth: "2004-05-06".parse().unwrap(),
            employer_id: some[0].employer_id,
            provider_id: some[0].provider_id,
            standard: "ST0071".to_owned(),
            version: None,
            policy: "tquk".to_owned(),
            start_date: "2025-06-02".parse().unwrap(),
        },
    )
    .await
    .expect("registered");

    crate::kept_as_worked_out(&app, &staff, registered.id).await;
    // Kept under the rules' current reading: start-up would not refresh it.
    let stale = epa_store::deadlines::stale(&db, 1_000).await.unwrap();
    assert!(!stale.contains(&registered.id), "kept at once");
    test_db.finish().await;
}

#[tokio::test]
async fn a_registered_epa_keeps_its_deadlines_at_once_on_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_registered_epa_keeps_its_deadlines_at_once_on_postgres() {
    check(Backend::Postgres).await;
}
