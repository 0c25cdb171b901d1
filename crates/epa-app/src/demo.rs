//! The demonstration EPAO loaded by `epa serve --demo` into an empty
//! database: a user for every role and apprentices under both EPAO
//! policies. It is loaded through the same use cases as real work, so the
//! demo exercises them.

use chrono::{Duration, NaiveDate};
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::users::{self, Membership, Role};
use serde::Serialize;

use crate::accounts::{DEMO_PASSWORD, hash_password};
use crate::registration::{self, Registration};
use crate::{Actor, App, AppError};

/// The demo's sign-ins: email and role. All use the password `demo`.
pub const LOGINS: [(&str, Role); 7] = [
    ("epao-admin@demo.test", Role::EpaoAdmin),
    ("operations@demo.test", Role::EpaoOperations),
    ("assessor@demo.test", Role::Assessor),
    ("qa@demo.test", Role::QualityAssurer),
    ("provider@demo.test", Role::ProviderUser),
    ("employer@demo.test", Role::EmployerUser),
    ("apprentice@demo.test", Role::Apprentice),
];

/// How many apprentices the demo registers.
pub const APPRENTICES: u32 = 30;

#[derive(Debug, Clone, Serialize)]
pub struct Loaded {
    /// `false` when the demo was already there (a restart).
    pub created: bool,
    pub apprentices: i64,
}

const GIVEN: [&str; 10] = [
    "Amira", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hassan", "Isla", "Jack",
];
const FAMILY: [&str; 6] = ["Khan", "Jones", "Okafor", "Smith", "Nowak", "Patel"];

/// Loads the demo into an empty database; does nothing if it is already
/// there; refuses a database that holds anything else.
pub async fn load(app: &App) -> Result<Loaded, AppError> {
    if users::find_by_email(&app.db, LOGINS[0].0).await?.is_some() {
        return Ok(Loaded {
            created: false,
            apprentices: epa_store::apprentices::count(&app.db).await?,
        });
    }
    if users::count(&app.db).await? > 0 {
        return Err(AppError::Conflict(
            "--demo loads only into an empty database; this one already has users (use another --data-dir)".to_owned(),
        ));
    }
    let now = app.now();
    let password = hash_password(DEMO_PASSWORD.to_owned()).await?;
    let mut tx = app.db.begin_write().await?;
    let (epao, provider, employer) = {
        let mut org = async |kind, name: &str, ukprn| {
            organisations::insert(&mut tx, &NewOrganisation { kind, name, ukprn }, now)
                .await
                .map(|org| org.id)
        };
        (
            org(OrganisationKind::Epao, "Demo EPAO", None).await?,
            org(
                OrganisationKind::Provider,
                "Northfield Training",
                Some("10012345"),
            )
            .await?,
            org(OrganisationKind::Employer, "Acme Retail", None).await?,
        )
    };
    let mut ids = Vec::new();
    for (email, role) in LOGINS {
        let organisation = match role {
            Role::ProviderUser => provider,
            Role::EmployerUser | Role::Apprentice => employer,
            _ => epao,
        };
        let name = email.split('@').next().unwrap_or(email);
        let user = users::insert(&mut tx, email, name, Some(&password), now).await?;
        users::grant(&mut tx, user.id, organisation, role, now).await?;
        ids.push((role, user.id, organisation));
    }
    tx.commit().await?;

    let (_, operations_id, _) = ids[1];
    let operations = Actor {
        user_id: operations_id,
        memberships: vec![Membership {
            organisation_id: epao,
            role: Role::EpaoOperations,
        }],
        request_id: None,
    };
    let today = app.clock.today();
    for n in 0..APPRENTICES {
        let input = Registration {
            uln: demo_uln(n),
            given_names: GIVEN[n as usize % GIVEN.len()].to_owned(),
            family_name: FAMILY[n as usize % FAMILY.len()].to_owned(),
            date_of_birth: NaiveDate::from_ymd_opt(1995 + (n % 10) as i32, 1 + n % 12, 1 + n % 28)
                .unwrap_or(NaiveDate::MIN),
            employer_id: employer,
            provider_id: provider,
            standard: "ST0071".to_owned(),
            version: None,
            policy: if n % 2 == 0 { "tquk" } else { "innovate" }.to_owned(),
            start_date: today - Duration::days(450 + i64::from(n)),
        };
        let epa = registration::register(app, &operations, input).await?;
        if n == 0 {
            // The demo apprentice signs in as the first registered apprentice.
            let (_, apprentice_user, _) = ids[6];
            let mut tx = app.db.begin_write().await?;
            epa_store::apprentices::link_user(&mut tx, epa.apprentice.id, apprentice_user).await?;
            tx.commit().await?;
        }
    }
    Ok(Loaded {
        created: true,
        apprentices: i64::from(APPRENTICES),
    })
}

/// A valid ULN for demo apprentice `n` (a 9 prefix marks them as demo data).
fn demo_uln(n: u32) -> String {
    (0..)
        .map(|step| format!("9{:08}", n * 11 + step))
        .find_map(|stem| {
            let sum: u32 = stem
                .chars()
                .zip((2..=10).rev())
                .filter_map(|(digit, weight)| digit.to_digit(10).map(|d| d * weight))
                .sum();
            match sum % 11 {
                0 | 10 => None,
                r => Some(format!("{stem}{}", 10 - r)),
            }
        })
        .unwrap_or_default()
}
