//! The demonstration EPAO loaded by `epa serve --demo` into an empty
//! database: a user for every role and 30 apprentices under both EPAO
//! policies, spread over every stage of the EPA, with fails, a resit, a
//! project rework and a retake.
//!
//! The people are made as an EPAO makes them: the first administrator by
//! `create_admin`, two providers and two employers by the administrator,
//! then everyone else invited and accepting their invitation (the
//! apprentice by operations, to their record, once registered). A few
//! apprentices are at the second provider and employer, so what each
//! organisation sees is visibly its own.
//!
//! Everything after the accounts is done through the same use cases as real
//! work, each by the person who does it in practice: the training provider
//! submits the gateway and records the report, operations review and
//! approve it and hold the planning meeting, the assessor books, records and
//! judges, the EPAO administrator (who graded nothing) releases results,
//! and operations claim certificates. So the demo exercises the rules
//! (booking notice, the EPA period, resit windows, segregation of duties)
//! and its audit trail reads like real work.
//!
//! Most of that history lies in the past, and several use cases only
//! accept "today" (a gateway is approved today; bookings are made today and
//! cannot be in the past). Each step therefore runs with the clock set to
//! the day it happened, on a copy of the app, so dates, deadlines and the
//! audit trail are those of an EPAO that has been working for a year.

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use epa_domain::gateway::{ComponentKind, GatewayComponents};
use epa_domain::{CriterionLevel, FixedClock, Grade, MethodId};
use epa_plan::EffectivePlan;
use epa_store::users::{self, Role};
use serde::Serialize;
use uuid::Uuid;

use crate::accounts::{self, DEMO_PASSWORD};
use crate::assessment::{self, AssessmentInput, JudgementInput, JudgementsInput};
use crate::gateway::{
    self, Decision, DeclarationInput, EvidenceInput, GatewayInput, PhotoIdInput, PortfolioInput,
    ProposalDecisionInput, ProposalInput, ReviewInput,
};
use crate::people::accept_invitation::{self, SetPassword};
use crate::people::create_organisation::{self, NewOrganisationInput};
use crate::people::invite::{self, Invitation};
use crate::planning::{self, BookingError, BookingInput, PlanningMeetingInput, SubmissionInput};
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

/// The people behind [`LOGINS`], in the same order.
const NAMES: [&str; 7] = [
    "Priya Shah",
    "Tom Whitaker",
    "Helen Osei",
    "Rob Lindqvist",
    "Sam Tutor",
    "Maria Costa",
    "Amira Khan",
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

const TQUK: &str = "tquk";
const INNOVATE: &str = "innovate";

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
    let calendar = Calendar::new(app.clock.today());
    let stories = stories(app)?;
    let mut timeline: Vec<(NaiveDate, usize, usize)> = Vec::new();
    for (n, story) in stories.iter().enumerate() {
        for (k, (week, _)) in story.steps.iter().enumerate() {
            timeline.push((calendar.day(*week, story.weekday), n, k));
        }
    }
    timeline.sort();
    let first_day = timeline
        .first()
        .map(|(day, _, _)| *day)
        .unwrap_or_else(|| app.clock.today());

    // The EPAO and its people exist before the first apprentice is registered.
    let opened = at(app, first_day - Duration::days(14), 0);
    let cast = cast(&opened).await?;
    // The assessor covers both employers' regions, so the schedule page
    // has someone to propose for the apprentices still to be assessed.
    crate::people::assessor_profile::set_profile(
        &opened,
        &cast.admin,
        cast.assessor.user_id,
        crate::people::assessor_profile::ProfileInput {
            regions: vec![
                "yorkshire_and_the_humber".to_owned(),
                "south_west".to_owned(),
            ],
            max_per_day: 3,
            max_per_week: 12,
            unavailable_days: Vec::new(),
            record_version: None,
        },
    )
    .await?;

    // Each story's EPA, once registered.
    let mut epas: Vec<Option<Uuid>> = vec![None; stories.len()];
    let mut today = None;
    let mut seq = 0;
    for (day, n, k) in timeline {
        seq = if today == Some(day) { seq + 1 } else { 0 };
        today = Some(day);
        let app = at(app, day, seq);
        let story = &stories[n];
        let (_, step) = &story.steps[k];
        run(&app, &cast, &calendar, n, story, &mut epas[n], step)
            .await
            .map_err(|err| {
                let detail = format!(
                    "demo apprentice {n} ({}), {step:?} on {day}: {err:?}",
                    story.policy
                );
                tracing::error!("{detail}");
                AppError::Internal(detail)
            })?;
    }
    // The DfE queue shows one refused record, as the DfE would refuse it.
    crate::dfe::queue::demo_refusal(app).await?;
    Ok(Loaded {
        created: true,
        apprentices: i64::from(APPRENTICES),
    })
}

/// A copy of the app whose clock says `day`, `seq` steps into the working
/// day (late morning onwards, a few minutes apart, so the audit trail reads
/// in order and assessments are recorded after they were held).
fn at(app: &App, day: NaiveDate, seq: u32) -> App {
    let late_morning = day.and_time(NaiveTime::MIN).and_utc() + Duration::hours(11);
    App {
        clock: Arc::new(FixedClock(
            late_morning + Duration::minutes(i64::from(seq) * 3),
        )),
        ..app.clone()
    }
}

/// Demo dates are weeks before or after "week 0", the last full working
/// week (Monday to Friday) before today, on a fixed weekday per apprentice.
/// So every past event falls on a working day before today, and every
/// booking two or more weeks on falls after today, whatever today is.
struct Calendar {
    week0: NaiveDate,
}

impl Calendar {
    fn new(today: NaiveDate) -> Calendar {
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        Calendar {
            week0: monday - Duration::days(7),
        }
    }

    fn day(&self, week: i64, weekday: i64) -> NaiveDate {
        self.week0 + Duration::days(week * 7 + weekday)
    }
}

// ---------------------------------------------------------------------------
// The people

struct Cast {
    provider: Uuid,
    employer: Uuid,
    /// The second provider and employer, for the apprentices elsewhere.
    other_provider: Uuid,
    other_employer: Uuid,
    admin: Actor,
    operations: Actor,
    assessor: Actor,
    provider_user: Actor,
}

/// A signed-in person as the use cases see them.
async fn actor_of(app: &App, user_id: Uuid) -> Result<Actor, AppError> {
    Ok(Actor {
        user_id,
        memberships: users::memberships(&app.db, user_id).await?,
        request_id: None,
    })
}

/// Invites `email` as `inviter` and accepts with the demo password.
async fn invited(app: &App, inviter: &Actor, invitation: Invitation) -> Result<Actor, AppError> {
    let (_, secret) = invite::invite_with_secret(app, inviter, invitation).await?;
    let issued = accept_invitation::accept_invitation(
        app,
        SetPassword {
            token: secret,
            password: DEMO_PASSWORD.to_owned(),
        },
    )
    .await?;
    actor_of(app, issued.user_id).await
}

async fn cast(app: &App) -> Result<Cast, AppError> {
    let issued =
        accounts::create_admin(app, LOGINS[0].0, NAMES[0], DEMO_PASSWORD, "Demo EPAO").await?;
    let admin = actor_of(app, issued.user_id).await?;
    let epao = admin
        .memberships
        .first()
        .map(|m| m.organisation_id)
        .ok_or_else(|| AppError::Internal("the demo administrator has no EPAO".to_owned()))?;
    // Every employer has the region its apprentices work in (the scheduler
    // places their observation there); providers have none.
    let organisation = async |kind: &str,
                              name: &str,
                              ukprn: Option<&str>,
                              city: &str,
                              postcode: &str,
                              region: Option<&str>| {
        create_organisation::create_organisation(
            app,
            &admin,
            NewOrganisationInput {
                kind: kind.to_owned(),
                name: name.to_owned(),
                ukprn: ukprn.map(str::to_owned),
                contact_name: Some("Certificates Officer".to_owned()),
                contact_organisation: Some(name.to_owned()),
                address_line_1: Some("1 Market Street".to_owned()),
                address_line_2: None,
                city: Some(city.to_owned()),
                postcode: Some(postcode.to_owned()),
                region: region.map(str::to_owned),
            },
        )
        .await
        .map(|o| o.id)
    };
    let provider = organisation(
        "provider",
        "Northfield Training",
        Some("10012345"),
        "Leeds",
        "LS1 4AP",
        None,
    )
    .await?;
    let other_provider = organisation(
        "provider",
        "Southgate College",
        Some("10067890"),
        "Bristol",
        "BS1 5TR",
        None,
    )
    .await?;
    let employer = organisation(
        "employer",
        "Acme Retail",
        None,
        "Leeds",
        "LS2 7EY",
        Some("yorkshire_and_the_humber"),
    )
    .await?;
    let other_employer = organisation(
        "employer",
        "Brightside Foods",
        None,
        "Bath",
        "BA1 1LN",
        Some("south_west"),
    )
    .await?;
    let mut actors = vec![admin.clone()];
    for ((email, role), name) in LOGINS.into_iter().zip(NAMES).skip(1) {
        let organisation_id = match role {
            Role::ProviderUser => provider,
            Role::EmployerUser => employer,
            // Invited to their record once registered (see `run`).
            Role::Apprentice => continue,
            _ => epao,
        };
        let invitation = Invitation {
            email: email.to_owned(),
            name: name.to_owned(),
            role: role.as_str().to_owned(),
            organisation_id,
            apprentice_id: None,
            // The provider's and employer's contacts manage their own people.
            organisation_admin: matches!(role, Role::ProviderUser | Role::EmployerUser),
        };
        actors.push(invited(app, &admin, invitation).await?);
    }
    let person = |role: Role| {
        actors
            .iter()
            .find(|a| a.has_role(role))
            .cloned()
            .ok_or_else(|| AppError::Internal(format!("the demo has no {}", role.as_str())))
    };
    Ok(Cast {
        provider,
        employer,
        other_provider,
        other_employer,
        admin: person(Role::EpaoAdmin)?,
        operations: person(Role::EpaoOperations)?,
        assessor: person(Role::Assessor)?,
        provider_user: person(Role::ProviderUser)?,
    })
}

// ---------------------------------------------------------------------------
// The stories

#[derive(Debug, Clone)]
enum Step {
    Register,
    SubmitGateway,
    /// After a rejection, the provider sends the rejected portfolio again.
    ResubmitPortfolio,
    /// Every unreviewed component accepted, or this one rejected.
    ReviewGateway {
        reject: Option<(ComponentKind, &'static str)>,
    },
    ApproveGateway,
    RejectGateway,
    DecideProposal {
        accept: bool,
    },
    HoldPlanningMeeting,
    /// `report` or `portfolio`, submitted that day.
    RecordSubmission(&'static str),
    Book {
        method: MethodId,
        week: i64,
    },
    /// The sitting, held that morning, and every criterion judged.
    Assess {
        method: MethodId,
        grade: Grade,
    },
    Release,
    /// One method's result released on its own, before the others.
    ReleaseMethod(MethodId),
    /// EPAO staff decide a reasonable adjustment: 25% extra time.
    Adjust,
    Claim,
    Receive,
    Resit(MethodId),
    ProjectRework,
    Retake,
    Withdraw(&'static str),
}

/// How far a first attempt goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Until {
    Approved,
    Planned,
    Booked,
    Sat(usize),
    Released,
    Claimed,
    Received,
}

/// One apprentice's EPA: its policy and what happened, week by week.
/// The times demo assessments start, 90 minutes apart within working hours.
const DEMO_STARTS: [&str; 6] = ["08:30", "10:00", "11:30", "13:00", "14:30", "16:00"];

struct Story {
    policy: &'static str,
    /// The methods in the order the policy recommends they are taken.
    order: [MethodId; 3],
    /// Monday 0 to Friday 4.
    weekday: i64,
    /// When its assessments start: apprentices sharing a weekday (and so
    /// perhaps an assessor's day) are booked at different times, as the
    /// assessor's diary requires.
    start_time: &'static str,
    /// The apprentice who signs in as apprentice@demo.test.
    signs_in: bool,
    /// At the second provider and employer (no step needs their people).
    elsewhere: bool,
    steps: Vec<(i64, Step)>,
}

impl Story {
    fn at(&mut self, week: i64, step: Step) -> &mut Story {
        self.steps.push((week, step));
        self
    }

    /// The method booked in `week` for the week `on`.
    fn book(&mut self, week: i64, method: MethodId, on: i64) -> &mut Story {
        self.at(week, Step::Book { method, week: on })
    }

    /// The method sat and judged to `grade` in `week`.
    fn sit(&mut self, week: i64, method: MethodId, grade: Grade) -> &mut Story {
        self.at(week, Step::Assess { method, grade })
    }

    /// Every method sat in the policy's order, in the weeks given; `grades`
    /// in `MethodId::ALL` order.
    fn sat(&mut self, sittings: [i64; 3], grades: [Grade; 3]) -> &mut Story {
        for (method, week) in self.order.into_iter().zip(sittings) {
            self.sit(week, method, grades[method_index(method)]);
        }
        self
    }

    /// At the second provider and employer.
    fn elsewhere(&mut self) -> &mut Story {
        self.elsewhere = true;
        self
    }

    fn registered(&mut self, week: i64) -> &mut Story {
        self.at(week, Step::Register)
    }

    /// Gateway submitted in `week`, every component accepted and the
    /// gateway approved the week after (with the proposal, under TQUK).
    fn through_gateway(&mut self, week: i64) -> &mut Story {
        self.at(week, Step::SubmitGateway).approved(week + 1)
    }

    fn approved(&mut self, week: i64) -> &mut Story {
        self.at(week, Step::ReviewGateway { reject: None })
            .at(week, Step::ApproveGateway);
        if self.policy == TQUK {
            self.at(week, Step::DecideProposal { accept: true });
        }
        self
    }

    /// Gateway submitted in `week` and rejected the week after, for the
    /// portfolio.
    fn rejected(&mut self, week: i64) -> &mut Story {
        self.at(week, Step::SubmitGateway)
            .at(
                week + 1,
                Step::ReviewGateway {
                    reject: Some((
                        ComponentKind::Portfolio,
                        "Evidence items 3 and 7 are not signed off by the employer: add the line manager's sign-off to each.",
                    )),
                },
            )
            .at(week + 1, Step::RejectGateway)
    }

    /// The planning meeting in `week`; the week after, the report (and the
    /// TQUK portfolio) recorded and each method booked for the week given,
    /// in the policy's order.
    fn planned(&mut self, week: i64, sittings: [i64; 3]) -> &mut Story {
        self.at(week, Step::HoldPlanningMeeting);
        self.booked(week + 1, sittings)
    }

    fn booked(&mut self, week: i64, sittings: [i64; 3]) -> &mut Story {
        self.at(week, Step::RecordSubmission("report"));
        if self.policy == TQUK {
            self.at(week, Step::RecordSubmission("portfolio"));
        }
        for (method, on) in self.order.into_iter().zip(sittings) {
            self.book(week, method, on);
        }
        self
    }

    /// A first attempt whose gateway is submitted in week `g`, six weeks
    /// after the registration: approved in
    /// g+1, planning meeting g+2, bookings g+3 for the weeks in `sittings`
    /// (g+5, g+6, g+7 unless given), results released g+8, certificate
    /// claimed g+9 and received g+12; it stops after `until`. `grades` are
    /// in `MethodId::ALL` order (observation, project, discussion).
    fn journey(&mut self, g: i64, grades: [Grade; 3], until: Until) -> &mut Story {
        self.journey_with(g, [g + 5, g + 6, g + 7], grades, until)
    }

    fn journey_with(
        &mut self,
        g: i64,
        sittings: [i64; 3],
        grades: [Grade; 3],
        until: Until,
    ) -> &mut Story {
        self.registered(g - 6).through_gateway(g);
        if until == Until::Approved {
            return self;
        }
        self.at(g + 2, Step::HoldPlanningMeeting);
        if until == Until::Planned {
            return self;
        }
        self.booked(g + 3, sittings);
        for (i, (method, week)) in self.order.into_iter().zip(sittings).enumerate() {
            if until < Until::Sat(i + 1) {
                return self;
            }
            self.sit(week, method, grades[method_index(method)]);
        }
        let last = sittings.into_iter().max().unwrap_or(g + 7);
        for (step, week, stage) in [
            (Step::Release, last + 1, Until::Released),
            (Step::Claim, last + 2, Until::Claimed),
            (Step::Receive, last + 5, Until::Received),
        ] {
            if until < stage {
                return self;
            }
            self.at(week, step);
        }
        self
    }
}

fn method_index(method: MethodId) -> usize {
    MethodId::ALL.iter().position(|m| *m == method).unwrap_or(0)
}

/// The order of the methods that follows every order rule of the policy
/// (TQUK: observation and project before the discussion; Innovate: the
/// project, then the discussion, then the observation).
fn method_order(plan: &EffectivePlan) -> [MethodId; 3] {
    use MethodId::{Discussion as D, Observation as O, Project as P};
    let orders = [
        [O, P, D],
        [P, O, D],
        [P, D, O],
        [O, D, P],
        [D, O, P],
        [D, P, O],
    ];
    let position = |order: &[MethodId; 3], m: MethodId| order.iter().position(|x| *x == m);
    orders
        .into_iter()
        .find(|order| {
            plan.rules
                .order
                .iter()
                .all(|rule| position(order, rule.first) < position(order, rule.then))
        })
        .unwrap_or(MethodId::ALL)
}

/// The 30 apprentices, weeks relative to the last full week before today
/// (week 0). The stage each ends at is in its comment.
fn stories(app: &App) -> Result<Vec<Story>, AppError> {
    use Grade::{Distinction as D, Fail as F, Pass as P};
    let order = |policy: &str| {
        app.plans
            .effective("ST0071", None, policy)
            .map(|plan| method_order(&plan))
            .map_err(|err| AppError::Internal(err.to_string()))
    };
    let mut stories = Stories {
        list: Vec::new(),
        tquk: order(TQUK)?,
        innovate: order(INNOVATE)?,
    };
    let (o, p) = (MethodId::Observation, MethodId::Project);

    // registered, waiting for the gateway (at the second provider and employer)
    stories.add(TQUK).elsewhere().registered(-2);
    stories.add(INNOVATE).elsewhere().registered(-5);
    // registered again after a rejected gateway
    stories.add(TQUK).registered(-7).rejected(-1);
    stories.add(INNOVATE).registered(-9).rejected(-3);
    // gateway_submitted: a first attempt, and a resubmission after a rejection
    stories
        .add(INNOVATE)
        .registered(-6)
        .at(0, Step::SubmitGateway);
    stories
        .add(TQUK)
        .registered(-10)
        .rejected(-4)
        .at(0, Step::ResubmitPortfolio);
    // gateway_approved: under TQUK with the proposal sent back for rework
    stories
        .add(TQUK)
        .registered(-7)
        .at(-1, Step::SubmitGateway)
        .at(0, Step::ReviewGateway { reject: None })
        .at(0, Step::ApproveGateway)
        .at(0, Step::DecideProposal { accept: false });
    stories
        .add(INNOVATE)
        .journey(-1, [P, P, P], Until::Approved);
    // planned: just after the meeting, and with every method booked ahead
    stories.add(TQUK).journey(-2, [P, P, P], Until::Planned);
    stories
        .add(INNOVATE)
        .journey(-3, [P, P, P], Until::Booked)
        .at(0, Step::Adjust);
    // in_assessment: one method sat, and two
    stories
        .add(TQUK)
        .journey_with(-5, [0, 2, 3], [P, D, P], Until::Sat(1));
    stories
        .add(INNOVATE)
        .journey_with(-6, [-1, 0, 2], [P, P, D], Until::Sat(2));
    // awaiting_results
    stories.add(TQUK).journey(-7, [D, P, P], Until::Sat(3));
    stories
        .add(INNOVATE)
        .journey(-7, [P, D, P], Until::Sat(3))
        .at(0, Step::ReleaseMethod(MethodId::Observation));
    stories.add(TQUK).journey(-8, [P, F, P], Until::Sat(3));
    // completed: a pass, a distinction (the apprentice who signs in), two fails
    stories.add(TQUK).journey(-10, [P, P, P], Until::Released);
    let signs_in = stories.add(INNOVATE);
    signs_in.signs_in = true;
    signs_in.journey(-10, [D, D, D], Until::Released);
    stories.add(TQUK).journey(-9, [F, P, P], Until::Released);
    stories
        .add(INNOVATE)
        .journey(-11, [P, F, D], Until::Released);
    // certificate_claimed
    stories.add(TQUK).journey(-11, [D, D, D], Until::Claimed);
    stories
        .add(INNOVATE)
        .journey(-12, [P, P, P], Until::Claimed);
    // certificate_received, one after a rejected gateway
    stories.add(TQUK).journey(-20, [D, P, D], Until::Received);
    stories
        .add(INNOVATE)
        .registered(-24)
        .rejected(-20)
        .at(-19, Step::ResubmitPortfolio)
        .approved(-18)
        .planned(-17, [-14, -13, -12])
        .sat([-14, -13, -12], [D, P, P])
        .at(-11, Step::Release)
        .at(-10, Step::Claim)
        .at(-7, Step::Receive);
    stories.add(TQUK).journey(-25, [P, P, P], Until::Received);
    // completed again, then certificate_received: a failed observation
    // resat at distinction level, a pass after the cap
    stories
        .add(TQUK)
        .journey(-24, [F, P, P], Until::Released)
        .at(-15, Step::Resit(o))
        .book(-15, o, -12)
        .sit(-12, o, D)
        .at(-11, Step::Release)
        .at(-10, Step::Claim)
        .at(-7, Step::Receive);
    // certificate_claimed: a failed project reworked within the month
    stories
        .add(INNOVATE)
        .journey(-20, [P, F, P], Until::Released)
        .at(-11, Step::ProjectRework)
        .at(-11, Step::RecordSubmission("report"))
        .book(-11, p, -9)
        .sit(-9, p, D)
        .at(-8, Step::Release)
        .at(-7, Step::Claim);
    // certificate_received: a failed observation retaken after further
    // learning and a new gateway, a pass after the cap
    stories
        .add(TQUK)
        .journey(-40, [F, P, P], Until::Released)
        .at(-31, Step::Retake)
        .through_gateway(-26)
        .at(-24, Step::HoldPlanningMeeting)
        .book(-23, o, -21)
        .sit(-21, o, D)
        .at(-20, Step::Release)
        .at(-19, Step::Claim)
        .at(-16, Step::Receive);
    // planned again: a resit of a failed observation, booked ahead
    stories
        .add(INNOVATE)
        .journey(-10, [F, P, P], Until::Released)
        .at(0, Step::Resit(o))
        .book(0, o, 2);
    // withdrawn: during assessment, and before the gateway
    stories.add(TQUK).journey(-15, [P, P, P], Until::Sat(1)).at(
        -9,
        Step::Withdraw("Left the employer and the apprenticeship."),
    );
    stories.add(INNOVATE).elsewhere().registered(-20).at(
        -12,
        Step::Withdraw("Moved to a different standard with the same employer."),
    );
    Ok(stories.list)
}

struct Stories {
    list: Vec<Story>,
    tquk: [MethodId; 3],
    innovate: [MethodId; 3],
}

impl Stories {
    fn add(&mut self, policy: &'static str) -> &mut Story {
        self.list.push(Story {
            policy,
            order: if policy == TQUK {
                self.tquk
            } else {
                self.innovate
            },
            weekday: (self.list.len() % 5) as i64,
            start_time: DEMO_STARTS[self.list.len() % DEMO_STARTS.len()],
            signs_in: false,
            elsewhere: false,
            steps: Vec::new(),
        });
        let last = self.list.len() - 1;
        &mut self.list[last]
    }
}

// ---------------------------------------------------------------------------
// Running a step

async fn run(
    app: &App,
    cast: &Cast,
    calendar: &Calendar,
    n: usize,
    story: &Story,
    registered: &mut Option<Uuid>,
    step: &Step,
) -> Result<(), AppError> {
    let today = app.clock.today();
    if let Step::Register = step {
        let epa = registration::register(
            app,
            &cast.operations,
            registration_of(cast, n, story, today),
        )
        .await?;
        if story.signs_in {
            // Operations invite the apprentice to their own record.
            let (email, role) = LOGINS[6];
            invited(
                app,
                &cast.operations,
                Invitation {
                    email: email.to_owned(),
                    name: NAMES[6].to_owned(),
                    role: role.as_str().to_owned(),
                    organisation_id: cast.employer,
                    apprentice_id: Some(epa.apprentice.id),
                    organisation_admin: false,
                },
            )
            .await?;
        }
        *registered = Some(epa.id);
        return Ok(());
    }
    let epa = registered
        .ok_or_else(|| AppError::Internal("a step before the registration".to_owned()))?;
    let plan = app
        .plans
        .effective("ST0071", None, story.policy)
        .map_err(|err| AppError::Internal(err.to_string()))?;
    let ops = &cast.operations;
    match step {
        Step::Register => {}
        Step::SubmitGateway => {
            gateway::submit(
                app,
                &cast.provider_user,
                epa,
                gateway_input(&plan, n, today),
            )
            .await?;
        }
        Step::ResubmitPortfolio => {
            let input = GatewayInput {
                portfolio: gateway_input(&plan, n, today).portfolio,
                ..GatewayInput::default()
            };
            gateway::submit(app, &cast.provider_user, epa, input).await?;
        }
        Step::ReviewGateway { reject } => {
            let view = gateway::get(app, ops, epa).await?;
            let attempt = view.attempts.last().ok_or(AppError::NotFound)?;
            for component in attempt
                .components
                .iter()
                .filter(|c| c.status == "unreviewed")
            {
                let kind = ComponentKind::parse(&component.kind).ok_or_else(|| {
                    AppError::Internal(format!("unknown component {}", component.kind))
                })?;
                let input = match reject {
                    Some((rejected, reason)) if *rejected == kind => ReviewInput {
                        component: kind,
                        decision: Decision::Rejected,
                        reasons: vec![(*reason).to_owned()],
                    },
                    _ => ReviewInput {
                        component: kind,
                        decision: Decision::Accepted,
                        reasons: Vec::new(),
                    },
                };
                gateway::review(app, ops, epa, input).await?;
            }
        }
        Step::ApproveGateway => {
            gateway::approve(app, ops, epa).await?;
        }
        Step::RejectGateway => {
            gateway::reject(app, ops, epa).await?;
        }
        Step::DecideProposal { accept } => {
            let input = if *accept {
                ProposalDecisionInput {
                    decision: Decision::Accepted,
                    feedback: String::new(),
                }
            } else {
                ProposalDecisionInput {
                    decision: Decision::Rejected,
                    feedback: "Narrow the project to one service channel and say how you will measure the change.".to_owned(),
                }
            };
            gateway::decide_proposal(app, ops, epa, input).await?;
        }
        Step::HoldPlanningMeeting => {
            let (given, family) = name_of(n);
            let input = PlanningMeetingInput {
                held_on: today,
                attendees: vec![
                    format!("{given} {family} (apprentice)"),
                    format!("{} (training provider)", NAMES[4]),
                    format!("{} (employer)", NAMES[5]),
                    format!("{} (End-Point Assessor)", NAMES[2]),
                ],
                assessor_id: cast.assessor.user_id,
            };
            planning::hold_planning_meeting(app, ops, epa, input).await?;
        }
        Step::RecordSubmission(kind) => {
            let input = SubmissionInput {
                kind: (*kind).to_owned(),
                submitted_on: today,
            };
            planning::record_submission(app, &cast.provider_user, epa, input).await?;
        }
        Step::Book { method, week } => {
            // The demo's dates are relative to the day it is loaded; one
            // that lands on a bank holiday is booked there with the diary's
            // warning, as an EPAO may book a workplace open that day.
            let date = calendar.day(*week, story.weekday);
            // The story's own time first; another that day when the
            // assessor's diary is taken then.
            let starts = DEMO_STARTS
                .iter()
                .cycle()
                .skip_while(|t| **t != story.start_time);
            let mut refused = Vec::new();
            let mut booked = None;
            for start_time in starts.take(DEMO_STARTS.len()) {
                let input = BookingInput {
                    method: method.as_str().to_owned(),
                    date,
                    start_time: (*start_time).to_owned(),
                    duration_minutes: None,
                    mode: if *method == MethodId::Observation {
                        "in_person"
                    } else {
                        "remote"
                    }
                    .to_owned(),
                    assessor_id: None,
                };
                match planning::book(app, &cast.assessor, epa, input).await {
                    Ok(done) => {
                        booked = Some(done);
                        break;
                    }
                    Err(BookingError::Refused { refusals, .. })
                        if refusals.iter().all(|r| r.rule == "assessor_diary") =>
                    {
                        refused = refusals;
                    }
                    Err(BookingError::App(err)) => return Err(err),
                    Err(BookingError::Refused { refusals, .. }) => {
                        refused = refusals;
                        break;
                    }
                }
            }
            let booked = booked.ok_or_else(|| {
                AppError::Conflict(
                    refused
                        .into_iter()
                        .map(|r| r.message)
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            })?;
            for warning in booked.warnings {
                tracing::warn!(epa = %epa, "demo booking: {}", warning.message);
            }
        }
        Step::Assess { method, grade } => {
            // The sitting is held for the method's live booking, on its day.
            let booking = epa_store::planning::bookings(&app.db, epa)
                .await?
                .into_iter()
                .find(|b| {
                    b.status == epa_domain::booking::BookingStatus::Booked && b.method == *method
                })
                .ok_or_else(|| AppError::Internal(format!("the {method} is not booked")))?;
            let input = AssessmentInput {
                booking_id: Some(booking.id),
                method: method.as_str().to_owned(),
                held_on: Some(today),
                start_time: "09:00".to_owned(),
                end_time: "10:02".to_owned(),
                questioning_minutes: (*method == MethodId::Observation).then_some(8),
                observation_minutes: None,
                interview_questions: plan.method(*method).and_then(|m| m.interview_questions),
            };
            let recorded = assessment::record_assessment(app, &cast.assessor, epa, input).await?;
            for warning in &recorded.warnings {
                tracing::warn!(epa = %epa, "demo assessment: {warning}");
            }
            let id = recorded.assessment.id;
            let judgements = judgements(&plan, *method, *grade);
            let progress =
                assessment::record_judgements(app, &cast.assessor, epa, id, judgements).await?;
            let graded = progress.result.and_then(|r| r.grade);
            if graded.as_deref() != Some(grade.as_str()) {
                return Err(AppError::Internal(format!(
                    "the {method} was meant to grade {grade}, and graded {graded:?}"
                )));
            }
        }
        Step::Release => {
            assessment::release_results(app, &cast.admin, epa).await?;
        }
        Step::ReleaseMethod(method) => {
            assessment::release_method_result(app, &cast.admin, epa, method.as_str()).await?;
        }
        Step::Adjust => {
            let input = crate::adjustments::AdjustmentInput {
                extra_minutes: None,
                extra_percent: Some(25),
                arrangements: Some("A quiet room, and a short break after 30 minutes".to_owned()),
                reason: "Dyslexia: extra time agreed with the provider at gateway".to_owned(),
            };
            crate::adjustments::decide(app, ops, epa, input).await?;
        }
        Step::Claim => {
            assessment::claim_certificate(app, ops, epa).await?;
        }
        Step::Receive => {
            let input = assessment::ReceiveInput { received_on: None };
            assessment::receive_certificate(app, ops, epa, input).await?;
        }
        Step::Resit(method) => {
            let input = assessment::ResitInput {
                methods: vec![method.as_str().to_owned()],
            };
            assessment::start_resit(app, ops, epa, input).await?;
        }
        Step::ProjectRework => {
            assessment::start_project_rework(app, ops, epa).await?;
        }
        Step::Retake => {
            assessment::start_retake(app, ops, epa).await?;
        }
        Step::Withdraw(reason) => {
            let input = assessment::ReasonInput {
                reason: (*reason).to_owned(),
            };
            assessment::withdraw(app, ops, epa, input).await?;
        }
    }
    Ok(())
}

fn name_of(n: usize) -> (&'static str, &'static str) {
    (GIVEN[n % GIVEN.len()], FAMILY[n % FAMILY.len()])
}

fn registration_of(cast: &Cast, n: usize, story: &Story, today: NaiveDate) -> Registration {
    let (given, family) = name_of(n);
    let n32 = n as u32;
    Registration {
        uln: demo_uln(n32),
        given_names: given.to_owned(),
        family_name: family.to_owned(),
        date_of_birth: NaiveDate::from_ymd_opt(
            1995 + (n32 % 10) as i32,
            1 + n32 % 12,
            1 + n32 % 28,
        )
        .unwrap_or(NaiveDate::MIN),
        employer_id: if story.elsewhere {
            cast.other_employer
        } else {
            cast.employer
        },
        provider_id: if story.elsewhere {
            cast.other_provider
        } else {
            cast.provider
        },
        standard: "ST0071".to_owned(),
        version: None,
        policy: story.policy.to_owned(),
        // About fifteen months on programme by the gateway.
        start_date: today - Duration::days(400 + (n as i64 % 7) * 9),
    }
}

const EVIDENCE: [(&str, &str); 12] = [
    ("Complaint handled end to end", "case record"),
    ("Customer feedback survey results", "report"),
    ("Team huddle on service standards", "witness testimony"),
    ("Product knowledge quiz", "assessment record"),
    (
        "Call recording review with my manager",
        "observation record",
    ),
    (
        "Reflective account: a difficult customer",
        "reflective account",
    ),
    ("Data protection refresher", "training record"),
    ("Service improvement suggestion", "work product"),
    ("Handover notes for a shift", "work product"),
    ("Mystery shopper report", "report"),
    ("Email templates I rewrote", "work product"),
    ("Peer feedback from the team leader", "witness testimony"),
];

/// A complete gateway holding what the EPAO asks for (ADR 0106) and
/// nothing else: photo ID (TQUK), a portfolio covering every KSB of the
/// portfolio's method (the professional discussion; under Innovate its
/// first piece is a SharePoint link), the proposal or synopsis, and the
/// declarations, all dated before `today`.
fn gateway_input(plan: &EffectivePlan, n: usize, today: NaiveDate) -> GatewayInput {
    let asked = GatewayComponents::from_plan(plan);
    let wants = |kind: ComponentKind| asked.get(kind).is_some();
    let ksbs: Vec<String> = plan
        .methods
        .iter()
        .find(|m| m.portfolio_pieces.is_some())
        .map(|m| m.ksbs.clone())
        .unwrap_or_default();
    let count = EVIDENCE.len();
    let items = EVIDENCE
        .iter()
        .enumerate()
        .map(|(i, (title, kind))| {
            let mapped: Vec<String> = ksbs
                .iter()
                .enumerate()
                .filter(|(j, _)| j % count == i)
                .map(|(_, k)| k.clone())
                .collect();
            EvidenceInput {
                title: (*title).to_owned(),
                evidence_type: (*kind).to_owned(),
                date: today - Duration::days(30 + 9 * i as i64),
                description: "What the apprentice did, for whom, and what it shows.".to_owned(),
                // Innovate takes the portfolio "by inserting a link to a SharePoint".
                link: (i == 0 && !wants(ComponentKind::PhotoId)).then(|| {
                    format!("https://employer.sharepoint.example/sites/apprentices/portfolio-{n}")
                }),
                document_id: None,
                ksbs: if mapped.is_empty() {
                    ksbs.iter().take(1).cloned().collect()
                } else {
                    mapped
                },
            }
        })
        .collect();
    let signed = |days: i64| DeclarationInput {
        confirmed: true,
        signed_by: NAMES[4].to_owned(),
        signed_on: today - Duration::days(days),
    };
    GatewayInput {
        photo_id: wants(ComponentKind::PhotoId).then(|| PhotoIdInput {
            description: if n.is_multiple_of(2) {
                "UK passport"
            } else {
                "UK driving licence"
            }
            .to_owned(),
            seen: true,
            document_id: None,
        }),
        portfolio: Some(PortfolioInput { items }),
        proposal: Some(ProposalInput {
            text: PROPOSAL.to_owned(),
        }),
        english_maths: Some(signed(20)),
        employer_declaration: wants(ComponentKind::EmployerDeclaration).then(|| DeclarationInput {
            signed_by: NAMES[5].to_owned(),
            ..signed(3)
        }),
        provider_declaration: wants(ComponentKind::ProviderDeclaration).then(|| signed(2)),
        reasonable_adjustments: (wants(ComponentKind::ReasonableAdjustments) && n % 7 == 3).then(
            || "25% extra time for the written parts (dyslexia assessment attached).".to_owned(),
        ),
    }
}

const PROPOSAL: &str = "Reducing repeat contacts about delivery dates. Customers who contact us about \
a late delivery often contact us again within a week because the first answer did not give a date \
they could rely on. I will map the contacts over four weeks, find where the delivery information we \
give is unclear, rewrite the scripts and email templates with the warehouse team, and measure repeat \
contacts for four weeks afterwards. The project shows how I use customer insight, work with other \
teams and improve the service within the rules of our organisation.";

/// Judgements that give `grade`: every criterion met for a distinction;
/// the distinction criteria not met for a pass; one pass criterion not met
/// for a fail. An unmet criterion carries the evidence for it.
fn judgements(plan: &EffectivePlan, method: MethodId, grade: Grade) -> JudgementsInput {
    let mut failed_one = false;
    let judgements = plan
        .criteria_for(method)
        .map(|c| {
            let met = match (grade, c.grade) {
                (Grade::Distinction, _) => true,
                (Grade::Pass, CriterionLevel::Distinction) => false,
                (Grade::Fail, CriterionLevel::Pass) if !failed_one => {
                    failed_one = true;
                    false
                }
                _ => true,
            };
            JudgementInput {
                criterion: c.id.clone(),
                met,
                note: Some(
                    if met {
                        "Shown clearly in the session, with examples from the apprentice's own work."
                    } else if c.grade == CriterionLevel::Distinction {
                        "Met at pass level; the examples did not go beyond it."
                    } else {
                        "Not shown: the apprentice could not give an example when asked."
                    }
                    .to_owned(),
                ),
            }
        })
        .collect();
    JudgementsInput { judgements }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_zero_is_the_last_full_week_before_today() {
        // Whatever the weekday, week 0's Friday is before today and week 2's
        // Monday after it.
        let monday = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for offset in 0..7 {
            let today = monday + Duration::days(offset);
            let calendar = Calendar::new(today);
            assert_eq!(calendar.week0.weekday(), chrono::Weekday::Mon);
            assert!(calendar.day(0, 4) < today, "{today}");
            assert!(calendar.day(2, 0) > today, "{today}");
        }
    }
}
