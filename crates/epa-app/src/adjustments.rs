//! Reasonable adjustments: EPAO staff decide extra time (minutes, or a
//! share of each method's duration) and other arrangements for an EPA, with
//! the reason. The latest decision stands, every one is kept and audited,
//! and the gate hands the standing one to every duration rule (bookings and
//! sittings), so an apprentice granted 25% extra time can sit 75 minutes.

use chrono::{DateTime, Utc};
use epa_domain::MethodId;
use epa_domain::adjustments::{self, Adjustment, ExtraTime};
use epa_domain::policy::Action;
use epa_store::adjustments::{self as store, NewAdjustment};
use epa_store::assessment::Reader;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError, transitions};

/// What EPAO staff decide. Extra time is minutes or a percentage, not both.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    /// Minutes added to each timed method.
    #[serde(default)]
    pub extra_minutes: Option<u32>,
    /// A share of each method's planned duration (25 = 25%).
    #[serde(default)]
    pub extra_percent: Option<u32>,
    /// Other arrangements in words (a reader, a quiet room, breaks ...).
    #[serde(default)]
    pub arrangements: Option<String>,
    /// Why it is granted (kept in the audit trail).
    pub reason: String,
}

/// The adjustment that stands, with the window each method now allows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AdjustmentView {
    pub extra_minutes: Option<u32>,
    pub extra_percent: Option<u32>,
    pub arrangements: Option<String>,
    /// Why it was granted: often health information, so shown only to those
    /// who may see the apprentice's personal details (not to assessors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
    /// Each method's allowed length with the adjustment, in minutes.
    pub windows: Vec<WindowView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowView {
    pub method: String,
    pub planned_minutes: u32,
    pub min_minutes: u32,
    pub max_minutes: u32,
    /// The window in words, as bookings and sittings explain it.
    pub described: String,
}

const ARRANGEMENTS_MAX: usize = 2_000;
const REASON_MAX: usize = 2_000;

/// Decides the EPA's reasonable adjustment (replacing any earlier one).
pub async fn decide(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: AdjustmentInput,
) -> Result<AdjustmentView, AppError> {
    let extra = match (input.extra_minutes, input.extra_percent) {
        (Some(_), Some(_)) => {
            return Err(AppError::field(
                "extra_percent",
                "give extra time as minutes or as a percentage, not both",
            ));
        }
        (Some(minutes), None) => Some(ExtraTime::Minutes(minutes)),
        (None, Some(percent)) => Some(ExtraTime::Percent(percent)),
        (None, None) => None,
    };
    let mut problems = Vec::new();
    for (field, text, max) in [
        (
            "arrangements",
            input.arrangements.as_deref().unwrap_or(""),
            ARRANGEMENTS_MAX,
        ),
        ("reason", input.reason.as_str(), REASON_MAX),
    ] {
        if text.chars().count() > max {
            problems.push(FieldError::new(
                field,
                format!("use at most {max} characters"),
            ));
        }
    }
    let checked =
        Adjustment::new(extra, input.arrangements.clone(), input.reason.clone()).map_err(|found| {
            found
                .into_iter()
                .map(|p| {
                    // The input names the unit the user chose.
                    let field = match (p.field, extra) {
                        ("extra_time", Some(ExtraTime::Percent(_))) => "extra_percent",
                        ("extra_time", _) => "extra_minutes",
                        (other, _) => other,
                    };
                    FieldError::new(field, p.message)
                })
                .collect::<Vec<_>>()
        });
    let adjustment = match checked {
        Ok(adjustment) if problems.is_empty() => adjustment,
        Ok(_) => return Err(AppError::Validation(problems)),
        Err(found) => {
            problems.extend(found);
            return Err(AppError::Validation(problems));
        }
    };

    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::DecideAdjustment,
        "only EPAO staff can decide a reasonable adjustment",
    )
    .await?;
    let as_i32 = |n: u32| i32::try_from(n).map_err(AppError::internal);
    let (minutes, percent) = match adjustment.extra_time {
        Some(ExtraTime::Minutes(m)) => (Some(as_i32(m)?), None),
        Some(ExtraTime::Percent(p)) => (None, Some(as_i32(p)?)),
        None => (None, None),
    };
    let saved = store::insert(
        &mut tx,
        &NewAdjustment {
            epa_id,
            extra_minutes: minutes,
            extra_percent: percent,
            arrangements: adjustment.arrangements.as_deref().unwrap_or(""),
            reason: &adjustment.reason,
            decided_by: actor.user_id,
        },
        app.now(),
    )
    .await?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "adjustment.decided",
        ctx.adjustment
            .as_ref()
            .map(|before| json!({"extra_time": before.extra_time})),
        json!({
            "adjustment_id": saved.id,
            "extra_time": adjustment.extra_time,
            "arrangements": adjustment.arrangements.is_some(),
            "reason": adjustment.reason,
        }),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(view(&ctx, actor, &saved, &adjustment))
}

/// The adjustment that stands for the EPA, for anyone who may see the EPA.
pub async fn get(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Option<AdjustmentView>, AppError> {
    let ctx = EpaContext::read(
        app,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    let Some(saved) = store::standing(Reader::Db(&app.db), epa_id).await? else {
        return Ok(None);
    };
    let adjustment = domain_of(&saved)?;
    Ok(Some(view(&ctx, actor, &saved, &adjustment)))
}

pub(crate) fn domain_of(saved: &store::Adjustment) -> Result<Adjustment, AppError> {
    let positive = |n: i32| u32::try_from(n).map_err(AppError::internal);
    let extra_time = match (saved.extra_minutes, saved.extra_percent) {
        (Some(m), _) => Some(ExtraTime::Minutes(positive(m)?)),
        (None, Some(p)) => Some(ExtraTime::Percent(positive(p)?)),
        (None, None) => None,
    };
    Ok(Adjustment {
        extra_time,
        arrangements: Some(saved.arrangements.clone()).filter(|a| !a.is_empty()),
        reason: saved.reason.clone(),
    })
}

fn view(
    ctx: &EpaContext,
    actor: &Actor,
    saved: &store::Adjustment,
    adjustment: &Adjustment,
) -> AdjustmentView {
    let windows = MethodId::ALL
        .into_iter()
        .filter_map(|m| ctx.plan.method(m))
        .map(|method| {
            let window = adjustments::allowed_window(method, Some(adjustment));
            WindowView {
                method: method.id.as_str().to_owned(),
                planned_minutes: window.planned,
                min_minutes: window.min,
                max_minutes: window.max,
                described: window.describe(),
            }
        })
        .collect();
    AdjustmentView {
        extra_minutes: saved.extra_minutes.and_then(|m| u32::try_from(m).ok()),
        extra_percent: saved.extra_percent.and_then(|p| u32::try_from(p).ok()),
        arrangements: adjustment.arrangements.clone(),
        reason: ctx
            .may(actor, Action::ViewPersonalDetails)
            .then(|| saved.reason.clone()),
        decided_by: saved.decided_by,
        decided_at: saved.decided_at,
        windows,
    }
}
