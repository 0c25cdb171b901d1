//! Claiming an `Idempotency-Key` inside the use case's own transaction:
//! the claim commits or rolls back with the work and its answer (the
//! commit is held back for the answer), a second claim of a committed key
//! is refused, and a scope opens one write transaction.

use chrono::{TimeZone, Utc};
use epa_store::idempotency::{self, Claim};
use epa_store::{Db, StoreError, users};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

crate::conformance!(a_key_is_claimed_with_the_work, |db: Db| async move {
    let mut tx = db.begin_write().await.unwrap();
    let user = users::insert(&mut tx, "ops@demo.test", "Ops", None, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let claim = Claim {
        user_id: user.id,
        key: "k-1".to_owned(),
        request_hash: "abc".to_owned(),
    };

    // Work that fails rolls its claim back: the key stays free.
    let (result, finished) = idempotency::within(claim.clone(), now(), async {
        let _tx = db.begin_write().await?;
        Err::<(), StoreError>(StoreError::NotFound)
    })
    .await;
    assert!(result.is_err() && !finished.taken);
    assert_eq!(idempotency::find(&db, user.id, "k-1").await.unwrap(), None);

    // Work that commits is held back for its answer: until then neither
    // the work nor the claim is there, and dropping it (the process dying
    // before the answer is kept) leaves the key free.
    let work = || {
        idempotency::within(claim.clone(), now(), async {
            let mut tx = db.begin_write().await?;
            users::insert(&mut tx, "held@demo.test", "Held", None, now()).await?;
            tx.commit().await
        })
    };
    let (result, finished) = work().await;
    assert!(result.is_ok() && !finished.taken);
    let parked = finished.parked.expect("the claiming transaction is held");
    assert_eq!(idempotency::find(&db, user.id, "k-1").await.unwrap(), None);
    assert!(
        users::find_by_email(&db, "held@demo.test")
            .await
            .unwrap()
            .is_none()
    );
    drop(parked);
    assert_eq!(idempotency::find(&db, user.id, "k-1").await.unwrap(), None);

    // Run again, the work and its answer commit together.
    let (result, finished) = work().await;
    assert!(result.is_ok() && !finished.taken);
    idempotency::answer_and_commit(finished.parked.unwrap(), &claim, 201, "{}")
        .await
        .unwrap();
    assert!(
        users::find_by_email(&db, "held@demo.test")
            .await
            .unwrap()
            .is_some()
    );
    let stored = idempotency::find(&db, user.id, "k-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.response_status, stored.response_body.as_str()),
        (201, "{}")
    );

    // A second run under the same key cannot open its transaction.
    let (result, finished) = idempotency::within(claim.clone(), now(), async {
        db.begin_write().await.map(|_| ())
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert!(finished.taken);

    // One write transaction per idempotent request.
    let other = Claim {
        key: "k-2".to_owned(),
        ..claim.clone()
    };
    let (result, _) = idempotency::within(other.clone(), now(), async {
        let first = db.begin_write().await?;
        first.commit().await?;
        db.begin_write().await.map(|_| ())
    })
    .await;
    assert!(matches!(result, Err(StoreError::Setup(_))), "{result:?}");
    // Its first transaction, never answered, is not kept.
    assert_eq!(idempotency::find(&db, user.id, "k-2").await.unwrap(), None);

    // Nor a write outside a transaction: on SQLite it would wait for the
    // turn the held-back transaction keeps.
    let third = Claim {
        key: "k-3".to_owned(),
        ..claim.clone()
    };
    let (result, _) = idempotency::within(third, now(), async {
        let first = db.begin_write().await?;
        first.commit().await?;
        epa_store::web_sessions::touch(&db, "no such session", now()).await
    })
    .await;
    assert!(matches!(result, Err(StoreError::Setup(_))), "{result:?}");

    // Outside a scope nothing is claimed.
    let tx = db.begin_write().await.unwrap();
    tx.commit().await.unwrap();
});
