//! Organisations, users, roles and apprentices, through the repositories.

use chrono::{NaiveDate, TimeZone, Utc};
use epa_store::apprentices::{self, NewApprentice};
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::users::{self, Role};
use epa_store::{Db, StoreError};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

async fn organisation(db: &Db, kind: OrganisationKind, name: &str) -> organisations::Organisation {
    let mut tx = db.begin_write().await.unwrap();
    let org = organisations::insert(
        &mut tx,
        &NewOrganisation {
            kind,
            name,
            ukprn: None,
        },
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    org
}

crate::conformance!(organisations_round_trip, |db: Db| async move {
    let mut tx = db.begin_write().await.unwrap();
    let provider = organisations::insert(
        &mut tx,
        &NewOrganisation {
            kind: OrganisationKind::Provider,
            name: "Northfield Training",
            ukprn: Some("10012345"),
        },
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let read = organisations::get(&db, provider.id).await.unwrap();
    assert_eq!(read, provider);
    assert_eq!(read.created_at, now());
    assert_eq!(read.version, 1);

    let employer = organisation(&db, OrganisationKind::Employer, "Acme Retail").await;
    let employers = organisations::list(&db, Some(OrganisationKind::Employer))
        .await
        .unwrap();
    assert_eq!(employers, vec![employer]);
    assert_eq!(organisations::list(&db, None).await.unwrap().len(), 2);
});

crate::conformance!(
    a_duplicate_ukprn_is_a_conflict_and_writes_nothing,
    |db: Db| async move {
        let new = NewOrganisation {
            kind: OrganisationKind::Provider,
            name: "A",
            ukprn: Some("10000001"),
        };
        let mut tx = db.begin_write().await.unwrap();
        organisations::insert(&mut tx, &new, now()).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.begin_write().await.unwrap();
        let err = organisations::insert(&mut tx, &NewOrganisation { name: "B", ..new }, now())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        drop(tx); // rolled back
        assert_eq!(organisations::list(&db, None).await.unwrap().len(), 1);
    }
);

crate::conformance!(
    optimistic_locking_refuses_a_stale_edit,
    |db: Db| async move {
        let org = organisation(&db, OrganisationKind::Employer, "Old name").await;
        let mut tx = db.begin_write().await.unwrap();
        let renamed = organisations::rename(&mut tx, org.id, org.version, "New name")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(renamed.version, 2);

        let mut tx = db.begin_write().await.unwrap();
        let err = organisations::rename(&mut tx, org.id, org.version, "Stale")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        drop(tx);
        assert_eq!(
            organisations::get(&db, org.id).await.unwrap().name,
            "New name"
        );
    }
);

crate::conformance!(users_and_roles, |db: Db| async move {
    let epao = organisation(&db, OrganisationKind::Epao, "Demo EPAO").await;
    let mut tx = db.begin_write().await.unwrap();
    let user = users::insert(&mut tx, " Assessor@Demo.Test ", "Sam Assessor", None, now())
        .await
        .unwrap();
    users::grant(&mut tx, user.id, epao.id, Role::Assessor, now())
        .await
        .unwrap();
    users::grant(&mut tx, user.id, epao.id, Role::Assessor, now())
        .await
        .unwrap();
    users::grant(&mut tx, user.id, epao.id, Role::QualityAssurer, now())
        .await
        .unwrap();
    // The transaction's own reads see what it wrote; reads outside it
    // see it only once it is committed.
    assert_eq!(users::get_in(&mut tx, user.id).await.unwrap().id, user.id);
    assert_eq!(
        users::memberships_in(&mut tx, user.id).await.unwrap().len(),
        2
    );
    assert_eq!(
        organisations::get_in(&mut tx, epao.id).await.unwrap().name,
        "Demo EPAO"
    );
    assert!(matches!(
        users::get(&db, user.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(users::memberships(&db, user.id).await.unwrap().is_empty());
    tx.commit().await.unwrap();

    assert_eq!(user.email, "assessor@demo.test");
    let found = users::find_by_email(&db, "ASSESSOR@demo.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, user.id);
    assert!(
        users::find_by_email(&db, "nobody@demo.test")
            .await
            .unwrap()
            .is_none()
    );
    let roles: Vec<Role> = users::memberships(&db, user.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(roles, vec![Role::Assessor, Role::QualityAssurer]);

    let mut tx = db.begin_write().await.unwrap();
    let err = users::insert(&mut tx, "assessor@demo.test", "Twin", None, now())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
});

crate::conformance!(
    apprentices_round_trip_and_list_by_organisation,
    |db: Db| async move {
        let employer = organisation(&db, OrganisationKind::Employer, "Acme Retail").await;
        let provider = organisation(&db, OrganisationKind::Provider, "Northfield Training").await;
        let other = organisation(&db, OrganisationKind::Employer, "Elsewhere Ltd").await;
        let mut tx = db.begin_write().await.unwrap();
        let mut made = Vec::new();
        for (i, family) in ["Patel", "Jones", "Okafor"].into_iter().enumerate() {
            let uln = format!("100000000{i}");
            made.push(
                apprentices::insert(
                    &mut tx,
                    &NewApprentice {
                        uln: &uln,
                        given_names: "Alex",
                        family_name: family,
                        date_of_birth: NaiveDate::from_ymd_opt(2001, 2, 28).unwrap(),
                        employer_id: employer.id,
                        provider_id: provider.id,
                        user_id: None,
                        start_date: NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
                    },
                    now(),
                )
                .await
                .unwrap(),
            );
        }
        tx.commit().await.unwrap();

        assert_eq!(apprentices::get(&db, made[0].id).await.unwrap(), made[0]);
        let page: Vec<String> = apprentices::list_for_organisation(&db, employer.id, 2, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.family_name)
            .collect();
        assert_eq!(page, vec!["Jones", "Okafor"]);
        assert_eq!(
            apprentices::list_for_organisation(&db, provider.id, 10, 2)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            apprentices::list_for_organisation(&db, other.id, 10, 0)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(apprentices::count(&db).await.unwrap(), 3);
        assert!(matches!(
            apprentices::get(&db, other.id).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::conformance!(foreign_keys_are_enforced, |db: Db| async move {
    let mut tx = db.begin_write().await.unwrap();
    let err = apprentices::insert(
        &mut tx,
        &NewApprentice {
            uln: "1000000009",
            given_names: "No",
            family_name: "Employer",
            date_of_birth: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            employer_id: uuid::Uuid::now_v7(),
            provider_id: uuid::Uuid::now_v7(),
            user_id: None,
            start_date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        },
        now(),
    )
    .await;
    assert!(err.is_err());
});
