//! Assessors' profiles: regions, capacity, unavailable days.

use chrono::{DateTime, NaiveDate, Utc};
use epa_domain::assessor_profile::Region;
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

/// One assessor's profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    pub user_id: Uuid,
    pub regions: Vec<Region>,
    pub max_per_day: i32,
    pub max_per_week: i32,
    pub unavailable: Vec<NaiveDate>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The profile of `user_id`, with unavailable days from `from` on.
pub async fn get(
    db: &Db,
    user_id: Uuid,
    from: NaiveDate,
) -> Result<Option<StoredProfile>, StoreError> {
    let row: Option<(i32, i32, DateTime<Utc>, i64)> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT max_per_day, max_per_week, updated_at, version FROM assessor_profiles WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
    })?;
    let Some((max_per_day, max_per_week, updated_at, version)) = row else {
        return Ok(None);
    };
    let regions: Vec<Region> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT region FROM assessor_regions WHERE user_id = $1 ORDER BY region"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)?;
    let unavailable: Vec<NaiveDate> = on_db!(db, |pool| {
        sqlx::query_scalar(
        "SELECT day FROM assessor_unavailable_days WHERE user_id = $1 AND day >= $2 ORDER BY day"
    )
    .bind(user_id)
    .bind(from)
    .fetch_all(pool)
    .await
    })?;
    Ok(Some(StoredProfile {
        user_id,
        regions,
        max_per_day,
        max_per_week,
        unavailable,
        updated_at,
        version,
    }))
}

/// What a save sets.
#[derive(Debug, Clone)]
pub struct NewProfile<'a> {
    pub regions: &'a [Region],
    pub max_per_day: i32,
    pub max_per_week: i32,
    /// Replaces the unavailable days from `from` on; earlier ones stay as history.
    pub unavailable: &'a [NaiveDate],
    pub from: NaiveDate,
}

/// Saves the profile if it is still at `expected_version` (`None`: there
/// must be none yet); otherwise nothing changes and a conflict is reported.
pub async fn save(
    tx: &mut Tx,
    user_id: Uuid,
    expected_version: Option<i64>,
    new: &NewProfile<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let stale = || {
        StoreError::Conflict(
            "the profile was changed by someone else; reload and try again".to_owned(),
        )
    };
    let version: Option<i64> = match expected_version {
        None => on_tx!(tx, |conn| {
            sqlx::query_scalar(
            "INSERT INTO assessor_profiles (user_id, max_per_day, max_per_week, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO NOTHING RETURNING version"
        )
        .bind(user_id)
        .bind(new.max_per_day)
        .bind(new.max_per_week)
        .bind(now)
        .fetch_optional(conn)
        .await
        })?,
        Some(expected) => on_tx!(tx, |conn| {
            sqlx::query_scalar(
            "UPDATE assessor_profiles SET max_per_day = $1, max_per_week = $2, updated_at = $3, version = version + 1 \
             WHERE user_id = $4 AND version = $5 RETURNING version"
        )
        .bind(new.max_per_day)
        .bind(new.max_per_week)
        .bind(now)
        .bind(user_id)
        .bind(expected)
        .fetch_optional(conn)
        .await
        })?,
    };
    let version = version.ok_or_else(stale)?;
    on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM assessor_regions WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    for region in new.regions {
        on_tx!(tx, |conn| sqlx::query(
            "INSERT INTO assessor_regions (user_id, region) VALUES ($1, $2)"
        )
        .bind(user_id)
        .bind(*region)
        .execute(conn)
        .await
        .map(|_| ()))?;
    }
    on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM assessor_unavailable_days WHERE user_id = $1 AND day >= $2"
    )
    .bind(user_id)
    .bind(new.from)
    .execute(conn)
    .await
    .map(|_| ()))?;
    for day in new.unavailable {
        on_tx!(tx, |conn| sqlx::query(
            "INSERT INTO assessor_unavailable_days (user_id, day) VALUES ($1, $2)"
        )
        .bind(user_id)
        .bind(*day)
        .execute(conn)
        .await
        .map(|_| ()))?;
    }
    Ok(version)
}

/// Every assessor with a profile and a region among `regions` (all when
/// empty), for the scheduler.
pub async fn in_regions(
    db: &Db,
    regions: &[Region],
    from: NaiveDate,
) -> Result<Vec<StoredProfile>, StoreError> {
    let ids: Vec<Uuid> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT user_id FROM assessor_profiles ORDER BY user_id"
    )
    .fetch_all(pool)
    .await)?;
    let mut found = Vec::new();
    for id in ids {
        if let Some(profile) = get(db, id, from).await?
            && (regions.is_empty() || profile.regions.iter().any(|r| regions.contains(r)))
        {
            found.push(profile);
        }
    }
    Ok(found)
}

/// An assessor of one EPAO with a profile, as the scheduler reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpaoAssessor {
    pub name: String,
    pub profile: StoredProfile,
}

/// The EPAO's active assessors who have a profile, by name, with their
/// unavailable days from `from` on: who the scheduler may propose.
pub async fn of_epao(
    db: &Db,
    epao_id: Uuid,
    from: NaiveDate,
) -> Result<Vec<EpaoAssessor>, StoreError> {
    let people: Vec<(Uuid, String)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT u.id, u.display_name FROM assessor_profiles p \
         JOIN memberships m ON m.user_id = p.user_id \
         JOIN users u ON u.id = p.user_id \
         WHERE m.organisation_id = $1 AND m.role = 'assessor' AND u.deactivated_at IS NULL \
         ORDER BY u.display_name, u.id"
    )
    .bind(epao_id)
    .fetch_all(pool)
    .await)?;
    let mut found = Vec::with_capacity(people.len());
    for (id, name) in people {
        if let Some(profile) = get(db, id, from).await? {
            found.push(EpaoAssessor { name, profile });
        }
    }
    Ok(found)
}
