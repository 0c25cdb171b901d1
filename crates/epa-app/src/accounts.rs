//! Accounts: passwords (argon2), API tokens for signed-in people and
//! machine clients, and the first EPAO administrator.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use epa_domain::credentials;
use epa_store::audit::{self, NewAuditEvent};
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::tokens;
use epa_store::users::{self, Role};
use epa_store::{Tx, sign_in_failures};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::people::second_factor;
use crate::{App, AppError, FieldError};

/// The demonstration password, accepted only while the server runs with `--demo`.
pub const DEMO_PASSWORD: &str = "demo";

/// Hashes a password with argon2id. Slow on purpose, so it runs off the
/// async workers.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|err| AppError::Internal(format!("password hashing failed: {err}")))
    })
    .await
    .map_err(|err| AppError::Internal(err.to_string()))?
}

pub(crate) async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    pub password: String,
    /// For people with a second factor: the six digits their authenticator
    /// shows, or one of their recovery codes.
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    /// Send as `Authorization: Bearer TOKEN`. Shown once: only its hash is kept.
    pub token: String,
    pub user_id: Uuid,
    /// When the token stops working (the `token_lifetime_hours` setting).
    pub expires_at: DateTime<Utc>,
    /// `true`: EPAO staff must have a second factor and this person has
    /// none yet; the token works only to set one up (`POST
    /// /api/v1/second-factor`, then `.../confirm`).
    pub second_factor_setup_required: bool,
}

/// Why a sign-in did not give a token.
#[derive(Debug)]
pub enum SignInRefused {
    /// The email or password is not right (which, is not said).
    Wrong,
    /// Too many recent failures for the account or from the address: try
    /// again after this many seconds.
    Throttled {
        retry_after_seconds: i64,
    },
    /// The password is right; the person's second code is needed too.
    SecondFactorRequired,
    Failed(AppError),
}

impl From<AppError> for SignInRefused {
    fn from(err: AppError) -> Self {
        SignInRefused::Failed(err)
    }
}

impl From<epa_store::StoreError> for SignInRefused {
    fn from(err: epa_store::StoreError) -> Self {
        SignInRefused::Failed(err.into())
    }
}

/// Makes a token for `user_id` lasting the configured lifetime, with its
/// audit event, in `tx`.
pub(crate) async fn issue_token(
    tx: &mut Tx,
    app: &App,
    user_id: Uuid,
    name: &str,
    restricted: bool,
) -> Result<IssuedToken, AppError> {
    let now = app.now();
    let expires_at = now + app.accounts.token_lifetime;
    let token =
        tokens::create_expiring(tx, user_id, name, now, Some(expires_at), restricted).await?;
    audit::append(
        tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: Some(user_id),
            actor_role: "user",
            action: "token.issued",
            entity_type: "user",
            entity_id: &user_id.to_string(),
            before: None,
            after: Some(json!({"name": name, "expires_at": expires_at, "restricted": restricted})),
            request_id: None,
        },
    )
    .await?;
    Ok(IssuedToken {
        token,
        user_id,
        expires_at,
        second_factor_setup_required: restricted,
    })
}

/// Appends a sign-in event nobody is signed in for (a failure or a wait).
async fn sign_in_event(
    tx: &mut Tx,
    now: DateTime<Utc>,
    user: Option<Uuid>,
    action: &str,
    after: serde_json::Value,
) -> Result<(), AppError> {
    let entity = user.map_or_else(|| "unknown".to_owned(), |id| id.to_string());
    audit::append(
        tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: None,
            actor_role: "anonymous",
            action,
            entity_type: "sign_in",
            entity_id: &entity,
            before: None,
            after: Some(after),
            request_id: None,
        },
    )
    .await?;
    Ok(())
}

/// Exchanges an email and password for an API token. A wrong email and a
/// wrong password answer alike and take as long (argon2 runs for unknown
/// emails too), so accounts cannot be discovered. From the sixth failure
/// within 15 minutes for the account or from the address, a sign-in waits
/// (ADR 0114); the right password still gets in once the wait is over.
/// `address` is where the request came from.
pub async fn sign_in(
    app: &App,
    input: SignIn,
    address: &str,
) -> Result<IssuedToken, SignInRefused> {
    let Verified {
        mut tx,
        user_id,
        restricted,
    } = verify_sign_in(app, input, address).await?;
    let issued = issue_token(&mut tx, app, user_id, "sign-in", restricted).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(issued)
}

/// A sign-in whose checks passed: the transaction that records it, still
/// open for the token or session it gives.
pub(crate) struct Verified {
    pub tx: Tx,
    pub user_id: Uuid,
    /// EPAO staff who must set up a second factor first.
    pub restricted: bool,
}

/// Every check of a sign-in (throttling, the password, the second factor),
/// shared by API tokens and web sessions. A failure is recorded and
/// audited before it is answered.
pub(crate) async fn verify_sign_in(
    app: &App,
    input: SignIn,
    address: &str,
) -> Result<Verified, SignInRefused> {
    let now = app.now();
    let email = users::normalise_email(&input.email);
    let since = now - Duration::minutes(credentials::FAILURE_WINDOW_MINUTES);
    let (by_email, by_address) = sign_in_failures::since(&app.db, &email, address, since).await?;
    let wait = [
        credentials::sign_in_wait(&by_email, now),
        credentials::sign_in_wait(&by_address, now),
    ]
    .into_iter()
    .flatten()
    .max();
    let user = users::find_by_email(&app.db, &email).await?;
    if let Some(wait) = wait {
        let retry_after_seconds = credentials::retry_after_seconds(wait);
        let mut tx = app.db.begin_write().await?;
        sign_in_event(
            &mut tx,
            now,
            user.as_ref().map(|u| u.id),
            "sign_in.throttled",
            json!({"address": address, "retry_after_seconds": retry_after_seconds}),
        )
        .await?;
        crate::deadlines::commit(app, tx).await?;
        return Err(SignInRefused::Throttled {
            retry_after_seconds,
        });
    }
    let demo_refused = input.password == DEMO_PASSWORD && !app.demo;
    let usable = user
        .as_ref()
        .filter(|u| u.deactivated_at.is_none())
        .and_then(|u| u.password_hash.clone());
    let right = match usable {
        Some(hash) => verify_password(input.password, hash).await && !demo_refused,
        None => {
            // Spend the same time as a real check, so timing does not tell either.
            let _ = hash_password(input.password).await;
            false
        }
    };
    // A second factor, when the person has one, before anything is written.
    let factor = match &user {
        Some(user) if right => second_factor::confirmed_factor(app, user.id).await?,
        _ => None,
    };
    if factor.is_some() && input.code.is_none() {
        return Err(SignInRefused::SecondFactorRequired);
    }
    let mut tx = app.db.begin_write().await?;
    let second_ok = match (&factor, &input.code) {
        (Some(factor), Some(code)) => {
            second_factor::check_sign_in_code(&mut tx, factor, code, now).await?
        }
        _ => true,
    };
    match user {
        Some(user) if right && second_ok => {
            sign_in_failures::clear(&mut tx, &email, since).await?;
            // EPAO staff without a second factor, where one is required,
            // are signed in only to set one up.
            let restricted = factor.is_none()
                && app.accounts.staff_second_factor_required
                && users::memberships_in(&mut tx, user.id)
                    .await?
                    .iter()
                    .any(|m| m.role.is_epao_side());
            Ok(Verified {
                tx,
                user_id: user.id,
                restricted,
            })
        }
        user => {
            sign_in_failures::record(&mut tx, &email, address, now).await?;
            sign_in_event(
                &mut tx,
                now,
                user.map(|u| u.id),
                "sign_in.failed",
                json!({"address": address, "second_factor": right && !second_ok}),
            )
            .await?;
            crate::deadlines::commit(app, tx).await?;
            Err(SignInRefused::Wrong)
        }
    }
}

/// The first EPAO administrator (and the EPAO itself when there is none
/// yet): what `epa create-admin` does. Returns an API token for them.
pub async fn create_admin(
    app: &App,
    email: &str,
    name: &str,
    password: &str,
    epao_name: &str,
) -> Result<IssuedToken, AppError> {
    let mut problems = Vec::new();
    if !email.contains('@') || email.trim().len() < 3 {
        problems.push(FieldError::new(
            "email",
            "enter an email address such as name@example.org",
        ));
    }
    if name.trim().is_empty() {
        problems.push(FieldError::new("name", "enter the administrator's name"));
    }
    // The demo's administrator has the demo password, in demo mode only.
    let demo = app.demo && password == DEMO_PASSWORD;
    if let Err(message) = credentials::check_password(password, &[email, name])
        && !demo
    {
        problems.push(FieldError::new("password", message));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let hash = hash_password(password.to_owned()).await?;
    let now = app.now();
    let existing = organisations::list(&app.db, Some(OrganisationKind::Epao)).await?;
    let mut tx = app.db.begin_write().await?;
    let epao = match existing.into_iter().next() {
        Some(epao) => epao,
        None => {
            organisations::insert(
                &mut tx,
                &NewOrganisation {
                    kind: OrganisationKind::Epao,
                    name: epao_name,
                    ukprn: None,
                },
                now,
            )
            .await?
        }
    };
    let user = users::insert(&mut tx, email, name.trim(), Some(&hash), now)
        .await
        .map_err(|err| match err {
            epa_store::StoreError::Conflict(_) => {
                AppError::field("email", "a user with this email already exists")
            }
            other => other.into(),
        })?;
    users::grant(&mut tx, user.id, epao.id, Role::EpaoAdmin, now).await?;
    audit::append(
        &mut tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: None,
            actor_role: "system",
            action: "user.admin_created",
            entity_type: "user",
            entity_id: &user.id.to_string(),
            before: None,
            after: Some(json!({"epao_id": epao.id, "role": Role::EpaoAdmin.as_str()})),
            request_id: None,
        },
    )
    .await?;
    let issued = issue_token(&mut tx, app, user.id, "create-admin", false).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(issued)
}
