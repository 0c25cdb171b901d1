//! An assessor's profile: the regions they cover, how many assessments a
//! day and a week, the days they cannot work, and their declared conflicts
//! of interest (declared through `POST /api/v1/conflicts`). Kept by the
//! assessor or EPAO staff; the scheduler reads it.

use chrono::{DateTime, NaiveDate, Utc};
use epa_domain::assessor_profile::Profile;
use epa_domain::people::PeopleAction;
use epa_domain::policy::Role;
use epa_store::assessor_profiles::{self as store, NewProfile, StoredProfile};
use epa_store::{conflicts, users};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{audit, load_person};
use crate::planning::ConflictView;
use crate::{Actor, App, AppError, FieldError};

/// What the assessor can take on.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// England's regions: `north_east`, `north_west`,
    /// `yorkshire_and_the_humber`, `east_midlands`, `west_midlands`,
    /// `east_of_england`, `london`, `south_east`, `south_west`.
    pub regions: Vec<String>,
    /// Most assessments in a day (1 to 8).
    pub max_per_day: u32,
    /// Most in a week (a day's worth to five days' worth).
    pub max_per_week: u32,
    /// Days from today on when they cannot assess; replaces the ones given before.
    #[serde(default)]
    pub unavailable_days: Vec<NaiveDate>,
    /// The `record_version` last read; leave out for a first profile
    /// (or send it as `If-Match`).
    #[serde(default)]
    pub record_version: Option<i64>,
}

/// An assessor's profile, with their conflicts of interest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub user_id: Uuid,
    pub regions: Vec<String>,
    pub max_per_day: i32,
    pub max_per_week: i32,
    /// From today on.
    pub unavailable_days: Vec<NaiveDate>,
    /// Declared or derived, not withdrawn.
    pub conflicts: Vec<ConflictView>,
    pub updated_at: DateTime<Utc>,
    pub record_version: i64,
}

/// The person must be an assessor to have a profile.
async fn assessor(app: &App, user_id: Uuid) -> Result<(), AppError> {
    let assesses = users::memberships(&app.db, user_id)
        .await?
        .iter()
        .any(|m| m.role == Role::Assessor);
    if assesses {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "only an assessor has an assessor profile".to_owned(),
        ))
    }
}

async fn view(app: &App, stored: StoredProfile) -> Result<ProfileView, AppError> {
    let conflicts = conflicts::of_user(&app.db, stored.user_id)
        .await?
        .into_iter()
        .map(ConflictView::from)
        .filter(|c| c.withdrawn_at.is_none())
        .collect();
    Ok(ProfileView {
        user_id: stored.user_id,
        regions: stored
            .regions
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        max_per_day: stored.max_per_day,
        max_per_week: stored.max_per_week,
        unavailable_days: stored.unavailable,
        conflicts,
        updated_at: stored.updated_at,
        record_version: stored.version,
    })
}

/// The profile, or `None` when the assessor has not set one yet.
pub async fn get_profile(
    app: &App,
    actor: &Actor,
    user_id: Uuid,
) -> Result<Option<ProfileView>, AppError> {
    load_person(
        app,
        actor,
        user_id,
        PeopleAction::ViewAssessorProfile,
        "only EPAO staff and the assessor see an assessor's profile",
    )
    .await?;
    assessor(app, user_id).await?;
    match store::get(&app.db, user_id, app.clock.today()).await? {
        Some(stored) => Ok(Some(view(app, stored).await?)),
        None => Ok(None),
    }
}

pub async fn set_profile(
    app: &App,
    actor: &Actor,
    user_id: Uuid,
    input: ProfileInput,
) -> Result<ProfileView, AppError> {
    load_person(
        app,
        actor,
        user_id,
        PeopleAction::EditAssessorProfile,
        "only EPAO admin or operations, or the assessor, change an assessor's profile",
    )
    .await?;
    assessor(app, user_id).await?;
    let today = app.clock.today();
    let regions: Vec<&str> = input.regions.iter().map(String::as_str).collect();
    let profile = Profile::new(
        &regions,
        input.max_per_day,
        input.max_per_week,
        &input.unavailable_days,
        today,
    )
    .map_err(|problems| {
        AppError::Validation(
            problems
                .into_iter()
                .map(|p| FieldError::new(p.field, p.message))
                .collect(),
        )
    })?;
    let before = store::get(&app.db, user_id, today).await?;
    if let (Some(before), Some(sent)) = (&before, input.record_version)
        && before.version != sent
    {
        return Err(AppError::Stale(
            "the profile was changed since you read it; reload and try again".to_owned(),
        ));
    }
    if before.is_some() && input.record_version.is_none() {
        return Err(AppError::field(
            "record_version",
            "send the profile's record_version (or If-Match) as last read",
        ));
    }
    let as_i32 = |n: u32| i32::try_from(n).map_err(AppError::internal);
    let now = app.now();
    let mut tx = app.db.begin_write().await?;
    store::save(
        &mut tx,
        user_id,
        before.as_ref().map(|b| b.version),
        &NewProfile {
            regions: &profile.regions,
            max_per_day: as_i32(profile.per_day)?,
            max_per_week: as_i32(profile.per_week)?,
            unavailable: &profile.unavailable,
            from: today,
        },
        now,
    )
    .await?;
    let summary = |regions: &[epa_domain::assessor_profile::Region],
                   per_day: i64,
                   per_week: i64,
                   days: &[NaiveDate]| {
        json!({
            "regions": regions.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "max_per_day": per_day,
            "max_per_week": per_week,
            "unavailable_days": days,
        })
    };
    audit(
        &mut tx,
        app,
        Some(actor),
        "assessor_profile.set",
        "user",
        user_id,
        before.as_ref().map(|b| {
            summary(
                &b.regions,
                i64::from(b.max_per_day),
                i64::from(b.max_per_week),
                &b.unavailable,
            )
        }),
        Some(summary(
            &profile.regions,
            i64::from(profile.per_day),
            i64::from(profile.per_week),
            &profile.unavailable,
        )),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    let stored = store::get(&app.db, user_id, today)
        .await?
        .ok_or_else(|| AppError::Internal("the profile just saved is missing".to_owned()))?;
    view(app, stored).await
}
