//! `epa audit verify` on a real database file: intact, then tampered with.

use chrono::Utc;
use epa_store::Db;
use epa_store::audit::{self, NewAuditEvent};

use crate::support::epa;

async fn write_events(url: &str, count: usize) {
    let db = Db::open(url).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    for n in 0..count {
        audit::append(
            &mut tx,
            &NewAuditEvent {
                occurred_at: Utc::now(),
                actor_id: None,
                actor_role: "system",
                action: "test.event",
                entity_type: "test",
                entity_id: &n.to_string(),
                before: None,
                after: Some(serde_json::json!({"n": n})),
                request_id: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    db.close().await;
}

async fn tamper(url: &str) {
    let Db::Sqlite(sqlite) = Db::connect(url).await.unwrap() else {
        unreachable!()
    };
    let pool = sqlite.pool();
    sqlx::query("DROP TRIGGER audit_events_no_update")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET after_json = '{\"n\":99}' WHERE seq = 2")
        .execute(pool)
        .await
        .unwrap();
    pool.close().await;
}

#[test]
fn verify_passes_on_an_intact_chain_and_names_the_changed_event() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let url = format!("sqlite://{}", data.join("epa.db").display());
    assert_eq!(epa(&["migrate", "--data-dir", data_arg], None).code, 0);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(write_events(&url, 3));

    let run = epa(&["audit", "verify", "--data-dir", data_arg], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "intact: 3 audit events checked");

    runtime.block_on(tamper(&url));
    let run = epa(&["audit", "verify", "--data-dir", data_arg], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("broken at audit event 2 (id "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("does not match its hash"),
        "{}",
        run.stderr
    );
}

#[test]
fn verify_without_a_database_is_unusable_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let run = epa(
        &["audit", "verify", "--data-dir", missing.to_str().unwrap()],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("there is no database at"),
        "{}",
        run.stderr
    );
    assert!(!missing.exists(), "verifying must not create anything");
}
