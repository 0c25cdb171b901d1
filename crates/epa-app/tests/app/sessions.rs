//! Web sessions kept in the database: sign-in starts one under a new id,
//! rotation and sign-out end the old id, idleness and the lifetime end it,
//! and deactivation ends every session of the person.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use epa_app::accounts::{self, SignIn, SignInRefused};
use epa_app::people::web_sessions;
use epa_app::{Actor, App};
use epa_store::{Backend, users};
use epa_testkit::{FakeClock, TestDb};

const PASSWORD: &str = "correct horse battery staple";

pub(crate) async fn with_person(backend: Backend) -> Option<(TestDb, App, FakeClock, Actor)> {
    let test_db = TestDb::new(backend).await?;
    let clock = FakeClock::at(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
    let app = App::new(
        test_db.db.clone(),
        Arc::new(clock.clone()),
        epa_plan::Catalog::embedded(),
    );
    let admin = accounts::create_admin(&app, "admin@epao.example", "Ada Admin", PASSWORD, "EPAO")
        .await
        .unwrap();
    let actor = Actor {
        user_id: admin.user_id,
        memberships: users::memberships(&app.db, admin.user_id).await.unwrap(),
        request_id: None,
    };
    Some((test_db, app, clock, actor))
}

fn sign_in_as(email: &str, password: &str) -> SignIn {
    SignIn {
        email: email.to_owned(),
        password: password.to_owned(),
        code: None,
    }
}

async fn sessions(backend: Backend) {
    let Some((test_db, app, clock, admin)) = with_person(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    // A wrong password starts nothing.
    let wrong = web_sessions::sign_in(
        &app,
        sign_in_as("admin@epao.example", "not it at all"),
        "10.0.0.1",
        None,
    )
    .await;
    assert!(matches!(wrong, Err(SignInRefused::Wrong)));

    // Signing in starts a session under a new id; the one sent before ends.
    let first = web_sessions::sign_in(
        &app,
        sign_in_as("admin@epao.example", PASSWORD),
        "10.0.0.1",
        None,
    )
    .await
    .unwrap();
    let second = web_sessions::sign_in(
        &app,
        sign_in_as("admin@epao.example", PASSWORD),
        "10.0.0.1",
        Some(&first.session_id),
    )
    .await
    .unwrap();
    assert_ne!(first.session_id, second.session_id);
    assert_eq!(
        web_sessions::current(&app, &first.session_id)
            .await
            .unwrap(),
        None
    );
    let me = web_sessions::current(&app, &second.session_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.user_id, admin.user_id);

    // Rotation: a new id, the old one stops.
    let rotated = web_sessions::rotate(&app, &second.session_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        web_sessions::current(&app, &second.session_id)
            .await
            .unwrap(),
        None
    );
    assert!(
        web_sessions::current(&app, &rotated)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        web_sessions::rotate(&app, &second.session_id)
            .await
            .unwrap(),
        None
    );

    // Idle for two hours, it ends; used within them, it lives on.
    clock.advance(Duration::hours(2) - Duration::seconds(1));
    assert!(
        web_sessions::current(&app, &rotated)
            .await
            .unwrap()
            .is_some()
    );
    clock.advance(Duration::hours(2) - Duration::seconds(1));
    assert!(
        web_sessions::current(&app, &rotated)
            .await
            .unwrap()
            .is_some()
    );
    clock.advance(Duration::hours(2));
    assert_eq!(web_sessions::current(&app, &rotated).await.unwrap(), None);

    // At most the token lifetime, however busy.
    let busy = web_sessions::sign_in(
        &app,
        sign_in_as("admin@epao.example", PASSWORD),
        "10.0.0.1",
        None,
    )
    .await
    .unwrap();
    for _ in 0..12 {
        assert!(
            web_sessions::current(&app, &busy.session_id)
                .await
                .unwrap()
                .is_some()
        );
        clock.advance(Duration::hours(1));
    }
    assert_eq!(
        web_sessions::current(&app, &busy.session_id).await.unwrap(),
        None
    );

    // Signing out ends it.
    let out = web_sessions::sign_in(
        &app,
        sign_in_as("admin@epao.example", PASSWORD),
        "10.0.0.1",
        None,
    )
    .await
    .unwrap();
    web_sessions::sign_out(&app, &out.session_id).await.unwrap();
    assert_eq!(
        web_sessions::current(&app, &out.session_id).await.unwrap(),
        None
    );

    // Deactivation ends every session of the person at once.
    let invited = epa_app::people::invite::invite(
        &app,
        &admin,
        epa_app::people::invite::Invitation {
            email: "ops@epao.example".to_owned(),
            name: "Olu Ops".to_owned(),
            role: "epao_operations".to_owned(),
            organisation_id: admin.memberships[0].organisation_id,
            apprentice_id: None,
            organisation_admin: false,
        },
    )
    .await
    .unwrap();
    let secret = {
        let mail = epa_store::outbox::for_recipient(&app.db, "ops@epao.example")
            .await
            .unwrap();
        let start = mail[0].body.find("/invitations/").unwrap() + "/invitations/".len();
        mail[0].body[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    };
    epa_app::people::accept_invitation::accept_invitation(
        &app,
        epa_app::people::accept_invitation::SetPassword {
            token: secret,
            password: PASSWORD.to_owned(),
        },
    )
    .await
    .unwrap();
    let theirs = web_sessions::sign_in(
        &app,
        sign_in_as("ops@epao.example", PASSWORD),
        "10.0.0.2",
        None,
    )
    .await
    .unwrap();
    epa_app::people::deactivate::deactivate(
        &app,
        &admin,
        invited.id,
        epa_app::people::deactivate::Reason {
            reason: "Left the EPAO".to_owned(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        web_sessions::current(&app, &theirs.session_id)
            .await
            .unwrap(),
        None
    );
    test_db.finish().await;
}

mod web_sessions_start_rotate_expire_and_end {
    #[tokio::test]
    async fn sqlite() {
        super::sessions(epa_store::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::sessions(epa_store::Backend::Postgres).await;
    }
}
