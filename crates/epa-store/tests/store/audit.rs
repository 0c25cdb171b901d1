//! The audit chain: appended in the caller's transaction, refused UPDATE and
//! DELETE by the database, and checked link by link by `verify`.

use chrono::{TimeZone, Utc};
use epa_store::audit::{self, NewAuditEvent, Verdict};
use epa_store::{Db, Tx};
use serde_json::json;

fn event(n: u32) -> NewAuditEvent<'static> {
    NewAuditEvent {
        occurred_at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, n).unwrap()
            + chrono::Duration::nanoseconds(123_456_789),
        actor_id: Some(uuid::Uuid::now_v7()),
        actor_role: "assessor",
        action: "judgement.recorded",
        entity_type: "epa",
        entity_id: "e-1",
        before: (n > 1).then(|| json!({"met": false})),
        after: Some(json!({"met": true, "note": "Explained the \"why\" clearly", "n": n})),
        request_id: Some("req-1"),
    }
}

async fn append_three(db: &Db) {
    let mut tx = db.begin_write().await.unwrap();
    for n in 1..=3 {
        let written = audit::append(&mut tx, &event(n)).await.unwrap();
        assert_eq!(written.seq, i64::from(n));
    }
    tx.commit().await.unwrap();
}

/// Inserts `event` on the database's own connection, outside any of the
/// app's transactions: as another process would.
async fn insert_elsewhere(db: &Db, event: &audit::AuditEvent) {
    let sql = "INSERT INTO audit_events (seq, id, occurred_at, actor_id, actor_role, action, \
               entity_type, entity_id, before_json, after_json, request_id, prev_hash, hash) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    macro_rules! bound {
        ($query:expr) => {
            $query
                .bind(event.seq)
                .bind(event.id)
                .bind(event.occurred_at)
                .bind(event.actor_id)
                .bind(&event.actor_role)
                .bind(&event.action)
                .bind(&event.entity_type)
                .bind(&event.entity_id)
                .bind(&event.before_json)
                .bind(&event.after_json)
                .bind(&event.request_id)
                .bind(&event.prev_hash)
                .bind(&event.hash)
        };
    }
    let inserted = match db {
        Db::Sqlite(sqlite) => bound!(sqlx::query(sql))
            .execute(sqlite.pool())
            .await
            .map(|done| done.rows_affected()),
        Db::Postgres(pool) => bound!(sqlx::query(sql))
            .execute(pool)
            .await
            .map(|done| done.rows_affected()),
    };
    assert_eq!(inserted.unwrap(), 1, "the event appended elsewhere");
}

async fn execute(db: &Db, sql: &str) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(sqlite) => sqlx::query(sql).execute(sqlite.pool()).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
}

crate::conformance!(an_intact_chain_verifies, |db: Db| async move {
    assert_eq!(
        audit::verify(&db).await.unwrap(),
        Verdict::Intact { events: 0 }
    );
    append_three(&db).await;
    assert_eq!(
        audit::verify(&db).await.unwrap(),
        Verdict::Intact { events: 3 }
    );
    let history = audit::for_entity(&db, "epa", "e-1").await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].prev_hash, audit::GENESIS);
    assert_eq!(history[1].prev_hash, history[0].hash);
    assert_eq!(history[2].before_json.as_deref(), Some(r#"{"met":false}"#));
});

crate::conformance!(a_rolled_back_change_leaves_no_event, |db: Db| async move {
    let mut tx: Tx = db.begin_write().await.unwrap();
    audit::append(&mut tx, &event(1)).await.unwrap();
    drop(tx);
    assert_eq!(
        audit::verify(&db).await.unwrap(),
        Verdict::Intact { events: 0 }
    );
});

crate::conformance!(
    the_database_refuses_update_and_delete,
    |db: Db| async move {
        append_three(&db).await;
        let update = execute(
            &db,
            "UPDATE audit_events SET action = 'grade.changed' WHERE seq = 2",
        )
        .await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = execute(&db, "DELETE FROM audit_events WHERE seq = 3").await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        assert_eq!(
            audit::verify(&db).await.unwrap(),
            Verdict::Intact { events: 3 }
        );
    }
);

crate::conformance!(verify_names_the_first_changed_event, |db: Db| async move {
    append_three(&db).await;
    // Someone with direct access to the database removes the guard and edits a row.
    match &db {
        Db::Sqlite(_) => execute(&db, "DROP TRIGGER audit_events_no_update")
            .await
            .unwrap(),
        Db::Postgres(_) => execute(
            &db,
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
        )
        .await
        .unwrap(),
    }
    execute(
        &db,
        "UPDATE audit_events SET after_json = '{\"met\":false}' WHERE seq = 2",
    )
    .await
    .unwrap();
    let Verdict::Broken { seq, problem, .. } = audit::verify(&db).await.unwrap() else {
        panic!("the edit must be found");
    };
    assert_eq!(seq, 2);
    assert!(problem.contains("does not match its hash"), "{problem}");
});

crate::conformance!(verify_finds_a_removed_event, |db: Db| async move {
    append_three(&db).await;
    match &db {
        Db::Sqlite(_) => execute(&db, "DROP TRIGGER audit_events_no_delete")
            .await
            .unwrap(),
        Db::Postgres(_) => execute(
            &db,
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
        )
        .await
        .unwrap(),
    }
    execute(&db, "DELETE FROM audit_events WHERE seq = 2")
        .await
        .unwrap();
    let Verdict::Broken { seq, problem, .. } = audit::verify(&db).await.unwrap() else {
        panic!("the gap must be found");
    };
    assert_eq!(seq, 3);
    assert!(problem.contains("event 2 is missing"), "{problem}");
});

crate::conformance!(
    an_event_appended_behind_the_apps_back_is_followed,
    |db: Db| async move {
        append_three(&db).await;
        // Another process (the command line) appends the fourth event,
        // after the head this process's last write committed.
        let head = audit::for_entity(&db, "epa", "e-1").await.unwrap();
        let mut fourth = audit::AuditEvent {
            seq: 4,
            id: uuid::Uuid::now_v7(),
            occurred_at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 1, 0).unwrap(),
            actor_id: None,
            actor_role: "system".into(),
            action: "elsewhere.appended".into(),
            entity_type: "epa".into(),
            entity_id: "e-1".into(),
            before_json: None,
            after_json: None,
            request_id: None,
            prev_hash: head[2].hash.clone(),
            hash: String::new(),
        };
        fourth.hash = audit::content_hash(&fourth);
        insert_elsewhere(&db, &fourth).await;
        // This process's next write follows the fourth, not the third.
        let mut tx = db.begin_write().await.unwrap();
        let fifth = audit::append(&mut tx, &event(5)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((fifth.seq, &fifth.prev_hash), (5, &fourth.hash));
        let mut tx = db.begin_write().await.unwrap();
        let sixth = audit::append(&mut tx, &event(6)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((sixth.seq, &sixth.prev_hash), (6, &fifth.hash));
        assert_eq!(
            audit::verify(&db).await.unwrap(),
            Verdict::Intact { events: 6 }
        );
    }
);
