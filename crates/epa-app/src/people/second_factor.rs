//! An optional second factor: a TOTP authenticator (RFC 6238: SHA-1, six
//! digits, 30-second steps, one step of clock drift either way), with ten
//! single-use recovery codes for when the phone is lost (ADR 0116). Each
//! code works once. When the `staff_second_factor_required` setting is on,
//! EPAO staff without one are signed in only to set one up.

use chrono::{DateTime, Utc};
use epa_store::second_factors as store;
use epa_store::{Tx, tokens, users};
use serde::{Deserialize, Serialize};
use serde_json::json;
use totp_rs::{Builder, Secret, Totp};
use uuid::Uuid;

use super::audit;
use crate::{Actor, App, AppError};

/// How many recovery codes are given.
pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "OpenEPA";

fn totp(secret_base32: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_base32).map_err(AppError::internal)?;
    Builder::new()
        .with_secret(secret)
        .build()
        .map_err(AppError::internal)
}

fn unix(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

/// The code an authenticator shows at `at` for `secret_base32` (what the
/// person types; tests and the demo compute it too).
pub fn code_at(secret_base32: &str, at: DateTime<Utc>) -> Result<String, AppError> {
    Ok(totp(secret_base32)?.generate(unix(at)).to_string())
}

/// What to put in the authenticator app.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// The shared secret, base32, for typing in.
    pub secret: String,
    /// The same as an `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

/// A code from the authenticator (six digits) or a recovery code.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeInput {
    pub code: String,
}

/// Recovery codes: shown once, each works once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Starts setting up a second factor for the caller: a new secret each
/// time until one is confirmed.
pub async fn start(app: &App, actor: &Actor) -> Result<Enrolment, AppError> {
    let user = users::get(&app.db, actor.user_id).await?;
    let bytes: Vec<u8> = Uuid::new_v4()
        .as_bytes()
        .iter()
        .chain(Uuid::new_v4().as_bytes())
        .copied()
        .take(20)
        .collect();
    let secret = Secret::from(bytes).to_base32();
    let mut tx = app.db.begin_write().await?;
    store::start(&mut tx, user.id, &secret, app.now()).await?;
    audit(
        &mut tx,
        app,
        Some(actor),
        "second_factor.started",
        "user",
        user.id,
        None,
        None,
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    let label = percent_encode(&format!("{ISSUER}:{}", user.email));
    Ok(Enrolment {
        otpauth_uri: format!(
            "otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30"
        ),
        secret,
    })
}

/// A new set of recovery codes: `xxxxx-xxxxx`, lower-case letters and
/// digits without look-alikes.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let random = Uuid::new_v4().as_u128();
            let chars: String = (0..10)
                .map(|i| {
                    let index = (random >> (i * 6)) as usize % ALPHABET.len();
                    ALPHABET[index] as char
                })
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// Confirms the second factor with a first code; answers the recovery
/// codes, the only time they are shown. Tokens limited to setting it up
/// become full ones.
pub async fn confirm(
    app: &App,
    actor: &Actor,
    input: CodeInput,
) -> Result<RecoveryCodes, AppError> {
    let factor = store::get(&app.db, actor.user_id)
        .await?
        .ok_or_else(|| AppError::Conflict("start setting up a second factor first".to_owned()))?;
    if factor.confirmed_at.is_some() {
        return Err(AppError::Conflict(
            "a second factor is already set up".to_owned(),
        ));
    }
    let now = app.now();
    let mut tx = app.db.begin_write().await?;
    if !totp_matches(&mut tx, &factor, input.code.trim(), now).await? {
        return Err(AppError::field(
            "code",
            "this code is not right: type the six digits your authenticator shows now",
        ));
    }
    let codes = new_recovery_codes();
    store::replace_recovery_codes(&mut tx, actor.user_id, &codes, now).await?;
    tokens::unrestrict_all(&mut tx, actor.user_id).await?;
    epa_store::web_sessions::unrestrict_all(&mut tx, actor.user_id).await?;
    audit(
        &mut tx,
        app,
        Some(actor),
        "second_factor.confirmed",
        "user",
        actor.user_id,
        None,
        Some(json!({"recovery_codes": codes.len()})),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// Whether `code` is the authenticator's code now (and not used before),
/// recording its step so it works once.
async fn totp_matches(
    tx: &mut Tx,
    factor: &store::SecondFactor,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(step) = totp(&factor.secret)?.check(code, unix(now)) else {
        return Ok(false);
    };
    let step = i64::try_from(step).map_err(AppError::internal)?;
    Ok(store::use_step(tx, factor.user_id, step, now).await?)
}

/// Whether the person must give a second code at sign-in.
pub(crate) async fn confirmed_factor(
    app: &App,
    user_id: Uuid,
) -> Result<Option<store::SecondFactor>, AppError> {
    Ok(store::get(&app.db, user_id)
        .await?
        .filter(|f| f.confirmed_at.is_some()))
}

/// Checks a sign-in's second code: the authenticator's, or a recovery code
/// (used up). Within the sign-in's transaction.
pub(crate) async fn check_sign_in_code(
    tx: &mut Tx,
    factor: &store::SecondFactor,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        totp_matches(tx, factor, code, now).await
    } else {
        Ok(store::use_recovery_code(tx, factor.user_id, &code.to_lowercase(), now).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, truncated to six digits.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let at = |s| Utc.timestamp_opt(s, 0).unwrap();
        assert_eq!(code_at(&secret, at(59)).unwrap(), "287082");
        assert_eq!(code_at(&secret, at(1_111_111_109)).unwrap(), "081804");
        assert_eq!(code_at(&secret, at(2_000_000_000)).unwrap(), "279037");
    }

    #[test]
    fn recovery_codes_are_distinct_and_readable() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-')
        );
        assert_eq!(percent_encode("OpenEPA:a@b.org"), "OpenEPA%3Aa%40b.org");
    }
}
