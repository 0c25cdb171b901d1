//! What the store remembers for a moment, and what it writes in one
//! statement for several: token lookups, the emails of one event, the
//! people told about a booking.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::outbox::{self, NewMessage, OutboxState};
use epa_store::tokens::{self, Recent};
use epa_store::users::{self, Role};
use epa_store::{Db, email_preferences, planning};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

/// A change made behind the store's back, as another node (or a process
/// this one does not hear from) would make it.
async fn elsewhere(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(sqlite) => sqlx::query(sql).execute(sqlite.pool()).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap();
}

/// Whether `token` is taken as a live one at `at`.
async fn taken(recent: &Recent, db: &Db, token: &str, at: chrono::DateTime<Utc>) -> bool {
    tokens::authenticate(recent, db, token, at)
        .await
        .unwrap()
        .is_some()
}

async fn person_with_token(db: &Db, email: &str) -> (uuid::Uuid, String) {
    let mut tx = db.begin_write().await.unwrap();
    let user = users::insert(&mut tx, email, "Sam Person", None, now())
        .await
        .unwrap();
    let token = tokens::create(&mut tx, user.id, "cli", now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (user.id, token)
}

crate::conformance!(
    a_token_is_remembered_for_a_moment_and_never_past_a_change_made_here,
    |db: Db| async move {
        let recent = Recent::lasting(Duration::from_millis(400));
        let (_, token) = person_with_token(&db, "one@example.org").await;
        assert!(taken(&recent, &db, &token, now()).await, "a live token");

        // Revoked elsewhere: still taken within the moment, not after it.
        elsewhere(&db, "UPDATE api_tokens SET revoked_at = created_at").await;
        assert!(
            taken(&recent, &db, &token, now()).await,
            "remembered for the moment"
        );
        tokio::time::sleep(Duration::from_millis(450)).await;
        assert!(
            !taken(&recent, &db, &token, now()).await,
            "looked up again once the moment has passed"
        );

        // Revoked here, by a commit announced as the app announces its
        // own: refused at the very next request.
        let (_, other) = person_with_token(&db, "two@example.org").await;
        let (live, _) = tokens::authenticate(&recent, &db, &other, now())
            .await
            .unwrap()
            .expect("a live token");
        let mut tx = db.begin_write().await.unwrap();
        assert!(tokens::revoke(&mut tx, live.token_id, now()).await.unwrap());
        commit_here(&recent, tx).await;
        assert!(
            !taken(&recent, &db, &other, now()).await,
            "a commit here ends what was remembered"
        );

        // A token remembered still expires when it says.
        let (user, _) = person_with_token(&db, "three@example.org").await;
        let expires_at = now() + chrono::Duration::hours(12);
        let mut tx = db.begin_write().await.unwrap();
        let expiring =
            tokens::create_expiring(&mut tx, user, "web", now(), Some(expires_at), false)
                .await
                .unwrap();
        tx.commit().await.unwrap();
        let just_before = expires_at - chrono::Duration::seconds(1);
        assert!(taken(&recent, &db, &expiring, just_before).await);
        assert!(
            !taken(&recent, &db, &expiring, expires_at).await,
            "expired, though looked up a moment ago"
        );

        // A token not found is not remembered: made live again elsewhere
        // (the commits above were not announced, so nothing was forgotten),
        // it is taken at once.
        elsewhere(&db, "UPDATE api_tokens SET revoked_at = NULL").await;
        assert!(taken(&recent, &db, &other, now()).await);
    }
);

/// Commits `tx` as the app commits its own, announcing it to `recent`.
async fn commit_here(recent: &Recent, tx: epa_store::Tx) {
    let _committing = recent.committing_for(&tx);
    tx.commit().await.unwrap();
}

/// Makes every token live again and `token` (held@example.org's)
/// remembered, then revokes it behind the store's back: it is taken until
/// what was remembered ends.
async fn remembered_though_revoked(recent: &Recent, db: &Db, token: &str) {
    elsewhere(db, "UPDATE api_tokens SET revoked_at = NULL").await;
    assert!(taken(recent, db, token, now()).await, "a live token");
    elsewhere(
        db,
        "UPDATE api_tokens SET revoked_at = created_at \
         WHERE user_id = (SELECT id FROM users WHERE email = 'held@example.org')",
    )
    .await;
    assert!(taken(recent, db, token, now()).await, "remembered");
}

crate::conformance!(
    only_a_commit_that_changes_what_a_lookup_reads_ends_what_is_remembered,
    |db: Db| async move {
        let recent = Recent::lasting(Duration::from_secs(60));
        let (_, token) = person_with_token(&db, "held@example.org").await;
        let (bystander, bystanders_token) = person_with_token(&db, "by@example.org").await;
        let (bystanders_live, _) = tokens::authenticate(&recent, &db, &bystanders_token, now())
            .await
            .unwrap()
            .expect("a live token");
        let mut tx = db.begin_write().await.unwrap();
        let provider = organisations::insert(
            &mut tx,
            &NewOrganisation {
                kind: OrganisationKind::Provider,
                name: "P",
                ukprn: None,
            },
            now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        // A write that changes no token, standing or role (a person added,
        // as any other write) leaves what is remembered.
        remembered_though_revoked(&recent, &db, &token).await;
        let mut tx = db.begin_write().await.unwrap();
        users::insert(&mut tx, "new@example.org", "Nel New", None, now())
            .await
            .unwrap();
        assert!(!tx.changes_access());
        commit_here(&recent, tx).await;
        assert!(
            taken(&recent, &db, &token, now()).await,
            "still remembered after a commit that changed no access"
        );

        // Each change of what a lookup reads, even another person's,
        // ends it: the next request looks its token up again.
        for change in [
            "revoke",
            "revoke_all",
            "unrestrict_all",
            "deactivate",
            "reactivate",
            "grant",
        ] {
            remembered_though_revoked(&recent, &db, &token).await;
            if change == "unrestrict_all" {
                elsewhere(
                    &db,
                    "UPDATE api_tokens SET restricted = TRUE \
                     WHERE user_id = (SELECT id FROM users WHERE email = 'by@example.org')",
                )
                .await;
            }
            let mut tx = db.begin_write().await.unwrap();
            match change {
                "revoke" => assert!(
                    tokens::revoke(&mut tx, bystanders_live.token_id, now())
                        .await
                        .unwrap()
                ),
                "revoke_all" => assert_eq!(
                    tokens::revoke_all(&mut tx, bystander, now()).await.unwrap(),
                    1
                ),
                "unrestrict_all" => tokens::unrestrict_all(&mut tx, bystander).await.unwrap(),
                "deactivate" => {
                    assert!(users::deactivate(&mut tx, bystander, now()).await.unwrap())
                }
                "reactivate" => assert!(users::reactivate(&mut tx, bystander).await.unwrap()),
                _ => users::grant(&mut tx, bystander, provider.id, Role::ProviderUser, now())
                    .await
                    .unwrap(),
            }
            assert!(tx.changes_access(), "{change} changes what a lookup reads");
            commit_here(&recent, tx).await;
            assert!(
                !taken(&recent, &db, &token, now()).await,
                "{change}, committed here, ends what was remembered"
            );
        }
    }
);

crate::conformance!(
    the_emails_of_one_event_are_written_together_less_those_switched_off,
    |db: Db| async move {
        let mut tx = db.begin_write().await.unwrap();
        let quiet = users::insert(&mut tx, "quiet@example.org", "Quinn Quiet", None, now())
            .await
            .unwrap();
        email_preferences::set(&mut tx, quiet.id, "booking_booked", false, now())
            .await
            .unwrap();
        let message = |recipient| NewMessage {
            kind: "booking_booked",
            recipient,
            subject: "EPA observation booked",
            body: "The observation is booked.",
            html: None,
            calendar: None,
        };
        let written = outbox::enqueue_all(
            &mut tx,
            &[
                message("first@example.org"),
                message("quiet@example.org"),
                message("last@example.org"),
            ],
            now(),
        )
        .await
        .unwrap();
        assert!(
            outbox::enqueue_all(&mut tx, &[], now())
                .await
                .unwrap()
                .is_empty()
        );
        tx.commit().await.unwrap();

        assert_eq!(written.len(), 2, "the one switched off is left out");
        assert!(written[0] < written[1], "in the order given");
        let queued = outbox::list(&db, OutboxState::Queued, None, 10)
            .await
            .unwrap();
        let mut to: Vec<(uuid::Uuid, String)> =
            queued.into_iter().map(|m| (m.id, m.recipient)).collect();
        to.sort();
        assert_eq!(
            to,
            vec![
                (written[0], "first@example.org".to_owned()),
                (written[1], "last@example.org".to_owned())
            ]
        );
    }
);

crate::conformance!(
    the_people_told_about_a_booking_are_read_together,
    |db: Db| async move {
        let mut tx = db.begin_write().await.unwrap();
        let organisation = |kind, name| NewOrganisation {
            kind,
            name,
            ukprn: None,
        };
        let provider = organisations::insert(
            &mut tx,
            &organisation(OrganisationKind::Provider, "P"),
            now(),
        )
        .await
        .unwrap();
        let employer = organisations::insert(
            &mut tx,
            &organisation(OrganisationKind::Employer, "E"),
            now(),
        )
        .await
        .unwrap();
        let mut made = Vec::new();
        for email in [
            "trainer@example.org",
            "manager@example.org",
            "assessor@example.org",
            "apprentice@example.org",
            "bystander@example.org",
        ] {
            made.push(
                users::insert(&mut tx, email, email, None, now())
                    .await
                    .unwrap(),
            );
        }
        users::grant(&mut tx, made[0].id, provider.id, Role::ProviderUser, now())
            .await
            .unwrap();
        users::grant(&mut tx, made[1].id, employer.id, Role::EmployerUser, now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        elsewhere(
            &db,
            "UPDATE users SET deactivated_at = created_at WHERE email = 'apprentice@example.org'",
        )
        .await;

        let mut tx = db.begin_write().await.unwrap();
        let mut told = planning::told_in(
            &mut tx,
            (provider.id, Role::ProviderUser.as_str()),
            (employer.id, Role::EmployerUser.as_str()),
            [Some(made[2].id), Some(made[3].id)],
        )
        .await
        .unwrap();
        told.organisations.sort();
        told.named.sort_by_key(|person| person.email.clone());
        assert_eq!(
            told.organisations,
            vec!["manager@example.org", "trainer@example.org"]
        );
        let named: Vec<(&str, bool)> = told
            .named
            .iter()
            .map(|person| (person.email.as_str(), person.active))
            .collect();
        assert_eq!(
            named,
            vec![
                ("apprentice@example.org", false),
                ("assessor@example.org", true)
            ]
        );
        assert_eq!(told.named[1].id, made[2].id);
        let alone = planning::told_in(
            &mut tx,
            (provider.id, Role::ProviderUser.as_str()),
            (employer.id, Role::EmployerUser.as_str()),
            [Some(made[2].id), None],
        )
        .await
        .unwrap();
        assert_eq!(alone.named.len(), 1, "no apprentice who signs in");
    }
);
