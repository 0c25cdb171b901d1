//! Running one test body on both databases with a fresh app and world.

use epa_store::Backend;
use epa_testkit::seed::{self, World};
use epa_testkit::{TestApp, TestDb};

/// Runs `body` against a fresh app and world on `backend`.
pub async fn with_app<F>(backend: Backend, body: F)
where
    F: AsyncFnOnce(&TestApp, &World),
{
    let Some(test_db) = TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let app = TestApp::spawn(test_db.db.clone()).await;
    let world = seed::world(&app.db, app.clock.now()).await;
    body(&app, &world).await;
    test_db.finish().await;
}

/// `on_both!(name, async |app, world| { ... })`: a `mod name` with a
/// `sqlite` and a `postgres` test running the body.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::support::with_app(epa_store::Backend::Sqlite, $body).await;
            }

            #[tokio::test]
            async fn postgres() {
                $crate::support::with_app(epa_store::Backend::Postgres, $body).await;
            }
        }
    };
}

/// The `n`-th valid ULN of a test series: `1` + eight digits of `n`, then
/// the check digit (weights 10..2, r = sum mod 11, check = 10 - r). Numbers
/// whose check digit would be invalid (r = 0 or 10 - r = 10) are skipped.
pub fn uln(n: u32) -> String {
    (0..)
        .map(|step| format!("1{:08}", n * 7 + step))
        .find_map(|stem| {
            let sum: u32 = stem
                .chars()
                .zip((2..=10).rev())
                .map(|(digit, weight)| digit.to_digit(10).unwrap() * weight)
                .sum();
            match sum % 11 {
                0 | 10 => None,
                r => Some(format!("{stem}{}", 10 - r)),
            }
        })
        .unwrap()
}

/// Registers an apprentice at the world's employer and provider under
/// `policy` (`tquk` or `innovate`) and returns the EPA as the API answered.
pub async fn registered(app: &TestApp, world: &World, policy: &str, n: u32) -> serde_json::Value {
    let response = app
        .post_as(
            &world.operations.token,
            "/api/v1/epas",
            &serde_json::json!({
                "uln": uln(n),
                "given_names": "Test",
                "family_name": format!("Apprentice {n}"),
                "date_of_birth": "2003-04-17",
                "employer_id": world.employer,
                "provider_id": world.provider,
                "standard": "ST0071",
                "policy": policy,
                "start_date": "2025-06-02",
            }),
        )
        .await;
    assert_eq!(response.status(), 201, "registration failed");
    response.json().await.unwrap()
}

#[test]
fn test_ulns_are_valid_and_distinct() {
    let ulns: Vec<String> = (1..200).map(uln).collect();
    for uln in &ulns {
        assert!(epa_domain::Uln::parse(uln).is_ok(), "{uln}");
    }
    let mut unique = ulns.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ulns.len());
}
