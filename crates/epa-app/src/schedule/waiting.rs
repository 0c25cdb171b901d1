//! Who is waiting and who can assess them: the EPAO's EPAs past gateway
//! with an assessment still to book, each read through the gate, and its
//! assessors with a profile, with the bookings they already have.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use epa_domain::assessor_profile::Region;
use epa_domain::booking::BookingStatus;
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_plan::MethodId;
use epa_store::assessor_profiles::{self, EpaoAssessor};
use epa_store::epas::{self, Filter, Scope};
use epa_store::organisations;
use epa_store::planning::{self as store, Booking};
use uuid::Uuid;

use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// The stages in which an EPA waits for its assessments: gateway approved
/// (the planning meeting allocates the assessor next), planned, and in
/// assessment (some methods sat, others still to book).
const WAITING: [Stage; 3] = [Stage::GatewayApproved, Stage::Planned, Stage::InAssessment];

/// The most EPAs one proposal reads, per stage: the scheduler's own
/// benchmark goes to 2,000 apprentices.
pub(super) const WAITING_MAX: i64 = 5_000;

/// One EPA with assessments still to book.
pub(super) struct WaitingEpa {
    pub ctx: EpaContext,
    pub apprentice: String,
    pub employer: String,
    /// Where the apprentice works: the employer's region.
    pub region: Option<Region>,
    /// The methods neither booked nor sat in the current attempt.
    pub needs: Vec<MethodId>,
    /// Days of the EPA's standing bookings: an apprentice sits one
    /// assessment a day.
    pub busy: Vec<NaiveDate>,
    /// The start of the EPA period.
    pub period_start: Option<NaiveDate>,
    /// The kept deadlines: the report's due date and the first day the
    /// interview may take place.
    pub report_due: Option<NaiveDate>,
    pub earliest_interview: Option<NaiveDate>,
}

/// Everything a proposal is built from.
pub(super) struct Gathered {
    pub waiting: Vec<WaitingEpa>,
    pub assessors: Vec<EpaoAssessor>,
    /// Each assessor's live bookings from today on.
    pub diaries: BTreeMap<Uuid, Vec<Booking>>,
}

/// Reads the EPAO's waiting EPAs that `actor` may book (others, such as
/// one the actor has a conflict of interest with, are left out) and its
/// assessors.
pub(super) async fn gather(
    app: &App,
    actor: &Actor,
    epao: Uuid,
    today: NaiveDate,
) -> Result<Gathered, AppError> {
    let scope = Scope {
        epao_id: Some(epao),
        ..Scope::default()
    };
    let mut waiting = Vec::new();
    let mut employers: BTreeMap<Uuid, (String, Option<Region>)> = BTreeMap::new();
    for stage in WAITING {
        let filter = Filter {
            stage: Some(stage),
            ..Filter::default()
        };
        for row in epas::list(&app.db, &scope, &filter, WAITING_MAX, 0).await? {
            let ctx = match EpaContext::read(
                app,
                actor,
                row.epa.id,
                Action::BookAssessment,
                "not yours to book",
            )
            .await
            {
                Ok(ctx) => ctx,
                Err(AppError::Forbidden(_) | AppError::NotFound) => continue,
                Err(err) => return Err(err),
            };
            let standing = standing(app, &ctx).await?;
            let needs: Vec<MethodId> = MethodId::ALL
                .into_iter()
                .filter(|m| ctx.plan.method(*m).is_some())
                .filter(|m| !standing.iter().any(|b| b.method == *m))
                .collect();
            if needs.is_empty() {
                continue;
            }
            let employer_id = ctx.row.employer_id;
            let (employer, region) = match employers.get(&employer_id) {
                Some(known) => known.clone(),
                None => {
                    let org = organisations::get(&app.db, employer_id).await?;
                    employers.insert(employer_id, (org.name.clone(), org.region));
                    (org.name, org.region)
                }
            };
            let kept = epa_store::deadlines::due_dates(
                &app.db,
                ctx.id(),
                &["report_due", "earliest_interview"],
            )
            .await?;
            let due = |name: &str| kept.iter().find(|(n, _)| n == name).map(|(_, d)| *d);
            waiting.push(WaitingEpa {
                apprentice: format!("{} {}", ctx.row.given_names, ctx.row.family_name),
                employer,
                region,
                needs,
                busy: standing.iter().map(|b| b.assessment_on).collect(),
                period_start: ctx
                    .state
                    .epa_period_start
                    .or(ctx.row.epa.gateway_approved_on),
                report_due: due("report_due"),
                earliest_interview: due("earliest_interview"),
                ctx,
            });
        }
    }
    let assessors = assessor_profiles::of_epao(&app.db, epao, today).await?;
    let mut diaries = BTreeMap::new();
    for assessor in &assessors {
        let id = assessor.profile.user_id;
        diaries.insert(id, store::upcoming_for_assessor(&app.db, id, today).await?);
    }
    Ok(Gathered {
        waiting,
        assessors,
        diaries,
    })
}

/// The EPA's bookings that still stand (booked, or held: sat) in its
/// current attempt: a booking made before the current resit, rework or
/// retake started was for an earlier sitting.
async fn standing(app: &App, ctx: &EpaContext) -> Result<Vec<Booking>, AppError> {
    let started =
        epa_store::assessment::attempts(epa_store::assessment::Reader::Db(&app.db), ctx.id())
            .await?
            .into_iter()
            .map(|attempt| attempt.started_at)
            .max();
    Ok(store::bookings(&app.db, ctx.id())
        .await?
        .into_iter()
        .filter(|b| matches!(b.status, BookingStatus::Booked | BookingStatus::Held))
        .filter(|b| started.is_none_or(|s| b.created_at >= s))
        .collect())
}
