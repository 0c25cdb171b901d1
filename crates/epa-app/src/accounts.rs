//! Accounts: passwords (argon2), API tokens for signed-in people and
//! machine clients, and the first EPAO administrator.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use epa_store::audit::{self, NewAuditEvent};
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::tokens;
use epa_store::users::{self, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{App, AppError, FieldError};

/// The demonstration password, accepted only while the server runs with `--demo`.
pub const DEMO_PASSWORD: &str = "demo";

const PASSWORD_MIN: usize = 12;

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

async fn verify_password(password: String, hash: String) -> bool {
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
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    /// Send as `Authorization: Bearer TOKEN`. Shown once: only its hash is kept.
    pub token: String,
    pub user_id: Uuid,
}

/// Exchanges an email and password for an API token. A wrong email and a
/// wrong password answer alike, so accounts cannot be discovered.
pub async fn sign_in(app: &App, input: SignIn) -> Result<IssuedToken, AppError> {
    let refused = || {
        AppError::Validation(vec![FieldError::new(
            "password",
            "the email or password is not right",
        )])
    };
    if input.password == DEMO_PASSWORD && !app.demo {
        return Err(refused());
    }
    let Some(user) = users::find_by_email(&app.db, &input.email).await? else {
        // Spend the same time as a real check, so timing does not tell either.
        let _ = hash_password(input.password).await;
        return Err(refused());
    };
    let Some(hash) = user.password_hash.clone() else {
        return Err(refused());
    };
    if !verify_password(input.password, hash).await {
        return Err(refused());
    }
    let now = app.now();
    let mut tx = app.db.begin_write().await?;
    let token = tokens::create(&mut tx, user.id, "sign-in", now).await?;
    audit::append(
        &mut tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: Some(user.id),
            actor_role: "user",
            action: "token.issued",
            entity_type: "user",
            entity_id: &user.id.to_string(),
            before: None,
            after: Some(json!({"name": "sign-in"})),
            request_id: None,
        },
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(IssuedToken {
        token,
        user_id: user.id,
    })
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
    if password.chars().count() < PASSWORD_MIN {
        problems.push(FieldError::new(
            "password",
            format!("use at least {PASSWORD_MIN} characters"),
        ));
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
    let token = tokens::create(&mut tx, user.id, "create-admin", now).await?;
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
    crate::deadlines::commit(app, tx).await?;
    Ok(IssuedToken {
        token,
        user_id: user.id,
    })
}
