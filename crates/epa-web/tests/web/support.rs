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

/// SHORTCUT for booking ahead, which the planning tests cover through the
/// API (a booking cannot be made for today with the notice the plan asks):
/// writes a live booking of `method` on `on` for the EPA's allocated
/// assessor, made eight weeks earlier so the notice and portfolio rules read
/// as they would have, and returns its ID. A sitting is recorded against it.
pub async fn booked_ahead(app: &TestApp, epa: uuid::Uuid, method: &str, on: &str) -> uuid::Uuid {
    let on: chrono::NaiveDate = on.parse().expect("a date");
    let row = epa_store::epas::get(&app.db, epa).await.unwrap();
    let assessor = row.epa.assessor_id.expect("an allocated assessor");
    let mut tx = app.db.begin_write().await.unwrap();
    let booking = epa_store::planning::insert_booking(
        &mut tx,
        &epa_store::planning::NewBooking {
            epa_id: epa,
            method: epa_domain::MethodId::parse(method).expect("a method"),
            assessment_on: on,
            starts_at: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            duration_minutes: 70,
            mode: epa_domain::Mode::InPerson,
            assessor_id: assessor,
            replaces_id: None,
            booked_on: on - chrono::Duration::weeks(8),
            created_by: assessor,
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    booking.id
}

/// `body`, a sitting, with the booking it is held for: the one given, the
/// EPA's live booking of its method on its day, or a booking made ahead ([`booked_ahead`]) for its method and day when the
/// body names none, the EPA has an assessor and both are valid (a test of a refused method or day
/// sends them as they are).
pub async fn with_booking(
    app: &TestApp,
    epa: uuid::Uuid,
    body: &serde_json::Value,
) -> serde_json::Value {
    let mut body = body.clone();
    let method = body["method"].as_str().unwrap_or_default().to_owned();
    let day = body["held_on"].as_str().unwrap_or_default().to_owned();
    let allocated = epa_store::epas::get(&app.db, epa)
        .await
        .is_ok_and(|row| row.epa.assessor_id.is_some());
    if body.get("booking_id").is_none()
        && allocated
        && epa_plan::MethodId::parse(&method).is_some()
        && day.parse::<chrono::NaiveDate>().is_ok()
    {
        let live = epa_store::planning::bookings(&app.db, epa)
            .await
            .unwrap()
            .into_iter()
            .find(|b| {
                b.status == epa_domain::booking::BookingStatus::Booked
                    && b.method.as_str() == method
                    && b.assessment_on.to_string() == day
            });
        let booking = match live {
            Some(booking) => booking.id,
            None => booked_ahead(app, epa, &method, &day).await,
        };
        body["booking_id"] = serde_json::json!(booking);
    }
    body
}

/// SHORTCUT for the proposal's part of the gateway, which the gateway tests
/// cover through the API: writes version 1 of the EPA's project proposal,
/// and, when `decided_by` is given, its acceptance by that person. Under
/// TQUK the interview is booked and the report submitted only after it.
/// Does nothing when the EPA already has a proposal.
pub async fn proposal_on_file(
    app: &TestApp,
    epa: uuid::Uuid,
    submitted_by: uuid::Uuid,
    decided_by: Option<uuid::Uuid>,
) {
    if !epa_store::gateway::proposals(&app.db, epa)
        .await
        .unwrap()
        .is_empty()
    {
        return;
    }
    let by = submitted_by;
    let now = app.clock.now();
    let mut tx = app.db.begin_write().await.unwrap();
    let proposal = epa_store::gateway::insert_proposal(
        &mut tx,
        &epa_store::gateway::NewProposal {
            epa_id: epa,
            version: 1,
            component_id: None,
            text: "A complaint handled end to end.",
            word_count: 6,
            submitted_by: by,
        },
        now,
    )
    .await
    .unwrap();
    if let Some(decider) = decided_by {
        epa_store::gateway::insert_proposal_decision(
            &mut tx,
            proposal.id,
            epa_domain::gateway::ReviewDecision::Accepted,
            "",
            None,
            decider,
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// ST0071's professional discussion KSBs: the portfolio underpins the
/// discussion under both policies.
pub const DISCUSSION_KSBS: [&str; 13] = [
    "K2", "K5", "K7", "K9", "K10", "K12", "K18", "S2", "S8", "B1", "B2", "B5", "B8",
];

/// `n` evidence items mapped round-robin over every discussion KSB, so any
/// `n` of at least one covers them all.
pub fn portfolio(n: usize) -> serde_json::Value {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let ksbs: Vec<&str> = DISCUSSION_KSBS
                .iter()
                .enumerate()
                .filter(|(j, _)| j % n == i)
                .map(|(_, k)| *k)
                .collect();
            let ksbs = if ksbs.is_empty() { vec!["K2"] } else { ksbs };
            serde_json::json!({
                "title": format!("Evidence {}", i + 1),
                "evidence_type": "work product",
                "date": "2026-09-14",
                "description": "What the apprentice did and what it shows.",
                "ksbs": ksbs,
            })
        })
        .collect();
    serde_json::json!({ "items": items })
}

/// A signed declaration.
pub fn declaration() -> serde_json::Value {
    serde_json::json!({"confirmed": true, "signed_by": "Sam Tutor", "signed_on": "2026-10-30"})
}

/// What each EPAO asks a gateway to hold (ADR 0106), in submission order:
/// TQUK's photo ID, portfolio, proposal and English and maths declaration;
/// Innovate's portfolio, synopsis, English and maths, the employer's and
/// the provider's declarations and, when there are any, adjustments.
pub fn gateway_components(policy: &str) -> &'static [&'static str] {
    match policy {
        "tquk" => &["photo_id", "portfolio", "proposal", "english_maths"],
        "innovate" => &[
            "portfolio",
            "proposal",
            "english_maths",
            "employer_declaration",
            "provider_declaration",
            "reasonable_adjustments",
        ],
        other => panic!("no gateway components for {other}"),
    }
}

/// A complete, valid gateway submission under `policy`: every component
/// its EPAO asks for and nothing else, 12 evidence items covering every
/// discussion KSB and a 450-word proposal (within TQUK's 500).
pub fn gateway_submission(policy: &str) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    for component in gateway_components(policy) {
        let value = match *component {
            "photo_id" => serde_json::json!({"description": "UK passport", "seen": true}),
            "portfolio" => portfolio(12),
            "proposal" => serde_json::json!({"text": vec!["word"; 450].join(" ")}),
            "reasonable_adjustments" => serde_json::json!("Extra time for reading: 25%."),
            _ => declaration(),
        };
        body.insert((*component).to_owned(), value);
    }
    serde_json::Value::Object(body)
}
