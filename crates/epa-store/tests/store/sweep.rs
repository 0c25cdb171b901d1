//! Housekeeping's deletes (ADR 0167): each takes at most its batch of
//! the rows that have ended, and never a live one.

use chrono::{DateTime, Duration, TimeZone, Utc};
use epa_store::idempotency::{self, Claim};
use epa_store::{Db, tokens, users, web_sessions};
use uuid::Uuid;

fn nine() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

/// A key claimed, answered and committed at `at`.
async fn claim(db: &Db, user_id: Uuid, key: &str, at: DateTime<Utc>) {
    let claim = Claim {
        user_id,
        key: key.to_owned(),
        request_hash: "h".to_owned(),
    };
    let (result, finished) = idempotency::within(claim.clone(), at, async {
        db.begin_write().await?.commit().await
    })
    .await;
    result.unwrap();
    idempotency::answer_and_commit(finished.parked.unwrap(), &claim, 201, "{}")
        .await
        .unwrap();
}

/// Runs `delete` until it deletes nothing; what each run deleted.
async fn batches<F, Fut>(mut delete: F) -> Vec<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, epa_store::StoreError>>,
{
    let mut deleted = Vec::new();
    loop {
        let batch = delete().await.unwrap();
        deleted.push(batch);
        if batch == 0 {
            return deleted;
        }
    }
}

crate::conformance!(
    ended_rows_go_a_batch_at_a_time_and_live_ones_stay,
    |db: Db| async move {
        let hour = Duration::hours(1);
        let mut tx = db.begin_write().await.unwrap();
        let user = users::insert(&mut tx, "kit@epao.example", "Kit", None, nine())
            .await
            .unwrap();
        // Five sessions and five tokens ended by ten, one of each ending at
        // ten itself, and one of each live after.
        let mut session = String::new();
        for ends in [-3, -2, -1, 0, 0, 1] {
            let ends = nine() + hour + hour * ends;
            session = web_sessions::create(&mut tx, user.id, nine() - hour * 4, ends, false)
                .await
                .unwrap();
            tokens::create_expiring(&mut tx, user.id, "t", nine() - hour * 4, Some(ends), false)
                .await
                .unwrap();
        }
        // And a token without an expiry, which never goes.
        tokens::create(&mut tx, user.id, "kept", nine())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for (key, claimed) in [("a", -3), ("b", -2), ("c", -1), ("d", 0), ("e", 1)] {
            claim(&db, user.id, key, nine() + hour * claimed).await;
        }
        let ten = nine() + hour;

        assert_eq!(
            batches(|| web_sessions::delete_expired(&db, ten, 2)).await,
            [2, 2, 1, 0]
        );
        assert_eq!(
            batches(|| tokens::delete_expired(&db, ten, 2)).await,
            [2, 2, 1, 0]
        );
        // Keys claimed before nine: the one claimed at nine stays.
        assert_eq!(
            batches(|| idempotency::forget_before(&db, nine(), 2)).await,
            [2, 1, 0]
        );

        let rows = |table: &'static str| {
            let db = db.clone();
            async move { epa_testkit::scalar(&db, &format!("SELECT COUNT(*) FROM {table}")).await }
        };
        assert_eq!(rows("web_sessions").await, 1);
        assert!(
            web_sessions::live(&db, &session, ten, nine() - hour * 5)
                .await
                .unwrap()
                .is_some(),
            "the live session stays"
        );
        assert_eq!(rows("api_tokens").await, 2);
        let mut left: Vec<String> = tokens::list_live(&db, user.id, ten)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["kept", "t"],
            "the live token and the one without expiry"
        );
        for (key, kept) in [
            ("a", false),
            ("b", false),
            ("c", false),
            ("d", true),
            ("e", true),
        ] {
            assert_eq!(
                idempotency::find(&db, user.id, key)
                    .await
                    .unwrap()
                    .is_some(),
                kept,
                "key {key}"
            );
        }
    }
);
