//! `epa demo load --apprentices N`: the demo EPAO and N synthetic
//! apprentices spread over every stage and both policies, for measuring
//! the product at the size of a large EPAO. Each EPA is registered and
//! moved through the lifecycle by the domain's own rules
//! (`transitions::apply`, audited as any change is), its assessor
//! allocated and its methods booked as a planned EPA's are; the writes go
//! in transactions of [`BATCH`] EPAs, each committing through
//! `deadlines::commit` so their deadlines are kept as any EPA's are.

use chrono::{Duration, NaiveDate, NaiveTime};
use epa_domain::assessor_profile::Profile;
use epa_domain::diary;
use epa_domain::lifecycle::{Command, Lifecycle, Stage};
use epa_domain::{Grade, MethodId, Mode, Uln};
use epa_store::apprentices::{self, NewApprentice};
use epa_store::assessor_profiles;
use epa_store::audit::{self, NewAuditEvent};
use epa_store::epas::{self, NewEpa};
use epa_store::planning::{self, NewBooking};
use epa_store::users::{self, Role};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, App, AppError, demo, transitions};

/// EPAs written per transaction.
pub const BATCH: usize = 1_000;

/// Where each synthetic EPA ends, out of 20: most are on their way, some
/// finished, one withdrawn.
const STAGES: [Stage; 20] = [
    Stage::Registered,
    Stage::Registered,
    Stage::Registered,
    Stage::GatewaySubmitted,
    Stage::GatewaySubmitted,
    Stage::GatewayApproved,
    Stage::GatewayApproved,
    Stage::GatewayApproved,
    Stage::Planned,
    Stage::Planned,
    Stage::Planned,
    Stage::Planned,
    Stage::InAssessment,
    Stage::InAssessment,
    Stage::AwaitingResults,
    Stage::Completed,
    Stage::Completed,
    Stage::CertificateClaimed,
    Stage::CertificateReceived,
    Stage::Withdrawn,
];

/// What `load` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// Synthetic apprentices written by this run (0 when already loaded).
    pub written: usize,
    /// Apprentices in the database now.
    pub apprentices: i64,
}

/// Loads the demo (once) and `n` synthetic apprentices (once: a database
/// that has them already is left as it is). `progress` hears the number
/// written after each transaction.
pub async fn load(
    app: &App,
    n: usize,
    mut progress: impl FnMut(usize),
) -> Result<Loaded, AppError> {
    let demo = demo::load(app).await?;
    // Loaded once: the first synthetic apprentice says it was.
    if !epas::for_uln(&app.db, &uln(0)).await?.is_empty() {
        return Ok(Loaded {
            written: 0,
            apprentices: demo.apprentices,
        });
    }
    let mut people = People::find(app).await?;
    let today = app.clock.today();
    let mut written = 0;
    while written < n {
        let mut tx = app.db.begin_write().await?;
        if written == 0 {
            // With the first EPAs, so a load is all there or not at all.
            people
                .add_assessors(app, &mut tx, n.div_ceil(EPAS_PER_ASSESSOR))
                .await?;
        }
        let end = (written + BATCH).min(n);
        for i in written..end {
            write_one(app, &mut tx, &people, i, today).await?;
        }
        crate::deadlines::commit(app, tx).await?;
        written = end;
        progress(written);
    }
    app.db.analyze().await?;
    Ok(Loaded {
        written,
        apprentices: apprentices::count(&app.db).await?,
    })
}

/// The demo's people the synthetic EPAs are registered and moved by.
struct People {
    operations: Actor,
    /// The assessors the EPAs are shared among, [`EPAS_PER_ASSESSOR`] each
    /// in turn; the demo's own assessor first.
    assessors: Vec<Uuid>,
    epao: Uuid,
    employers: Vec<Uuid>,
    providers: Vec<Uuid>,
}

impl People {
    async fn find(app: &App) -> Result<People, AppError> {
        let actor = async |role: Role| -> Result<Actor, AppError> {
            let (email, _) = demo::LOGINS
                .iter()
                .find(|(_, r)| *r == role)
                .ok_or(AppError::NotFound)?;
            let user = users::find_by_email(&app.db, email)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Actor {
                user_id: user.id,
                memberships: users::memberships(&app.db, user.id).await?,
                request_id: None,
            })
        };
        let operations = actor(Role::EpaoOperations).await?;
        let assessor = actor(Role::Assessor).await?;
        let provider = actor(Role::ProviderUser).await?;
        let employer = actor(Role::EmployerUser).await?;
        let epao = operations
            .organisations_as(Role::EpaoOperations)
            .next()
            .ok_or(AppError::NotFound)?;
        Ok(People {
            epao,
            assessors: vec![assessor.user_id],
            employers: employer.organisations_as(Role::EmployerUser).collect(),
            providers: provider.organisations_as(Role::ProviderUser).collect(),
            operations,
        })
    }
}

/// EPAs per assessor: a full-time assessor's caseload over a year is of
/// this order, so a large EPAO's diary has as many assessors as it would.
pub const EPAS_PER_ASSESSOR: usize = 150;

impl People {
    /// Adds assessors (the demo's own is the first) until there are
    /// `wanted`: each a user of the EPAO with the assessor role and a
    /// profile covering both demo employers' regions, audited as created.
    /// They have no password: nobody signs in as them.
    async fn add_assessors(
        &mut self,
        app: &App,
        tx: &mut epa_store::Tx,
        wanted: usize,
    ) -> Result<(), AppError> {
        let now = app.now();
        let profile = Profile::new(
            &["yorkshire_and_the_humber", "south_west"],
            ASSESSOR_PER_DAY,
            ASSESSOR_PER_DAY * 5,
            &[],
            app.clock.today(),
        )
        .map_err(|problems| AppError::Internal(format!("{problems:?}")))?;
        for a in self.assessors.len()..wanted {
            let user = users::insert(
                tx,
                &format!("synthetic.assessor.{a}@demo.test"),
                &format!("Synthetic Assessor {a}"),
                None,
                now,
            )
            .await?;
            users::grant(tx, user.id, self.epao, Role::Assessor, now).await?;
            assessor_profiles::save(
                tx,
                user.id,
                None,
                &assessor_profiles::NewProfile {
                    regions: &profile.regions,
                    max_per_day: i32::try_from(profile.per_day).map_err(AppError::internal)?,
                    max_per_week: i32::try_from(profile.per_week).map_err(AppError::internal)?,
                    unavailable: &[],
                    from: app.clock.today(),
                },
                now,
            )
            .await?;
            audit::append(
                tx,
                &NewAuditEvent {
                    occurred_at: now,
                    actor_id: Some(self.operations.user_id),
                    actor_role: self.operations.audit_role(),
                    action: "user.created",
                    entity_type: "user",
                    entity_id: &user.id.to_string(),
                    before: None,
                    after: Some(json!({"role": Role::Assessor.as_str(), "synthetic": true})),
                    request_id: None,
                },
            )
            .await?;
            self.assessors.push(user.id);
        }
        Ok(())
    }

    /// The assessor of the `i`-th synthetic EPA: consecutive EPAs share
    /// one, so each assessor's gateways spread over the whole quarter.
    fn assessor_of(&self, i: usize) -> Uuid {
        self.assessors[(i / EPAS_PER_ASSESSOR).min(self.assessors.len() - 1)]
    }
}

/// The bookings an assessor's profile allows a day: two rounds of the
/// three methods (see [`slot_of`]).
const ASSESSOR_PER_DAY: u32 = 6;

/// The start of the `i`-th EPA's booking of its `k`-th method. An
/// assessor's EPAs `j` and `j + 90` (of the same assessor's 150) share
/// gateway days, so their bookings fall on the same days: the first 90
/// take the morning round (09:00, 10:00, 11:00), the rest the afternoon
/// (12:00, 13:00, 14:00). Methods booked on one day by EPAs whose gateways
/// are 14 days apart take different hours, so no assessor is in two
/// places at once, as the diary rule requires. From 15:00 the day is free.
fn slot_of(i: usize, k: usize) -> NaiveTime {
    let round = (i % EPAS_PER_ASSESSOR) / 90 % 2;
    let hour = 9 + 3 * round + k;
    NaiveTime::from_hms_opt(u32::try_from(hour).unwrap_or(9), 0, 0).unwrap_or_default()
}

/// The day the `k`-th method is booked for, from the gateway: a month
/// on, then a fortnight between methods.
fn booked_for(gateway_on: NaiveDate, k: usize) -> NaiveDate {
    gateway_on + Duration::days(30 + 14 * k as i64)
}

/// The `i`-th EPA's gateway: spread over the last three months, so
/// deadlines fall on every day around today.
fn gateway_of(i: usize, today: NaiveDate) -> NaiveDate {
    today - Duration::days((i % 90) as i64)
}

/// The `i`-th synthetic ULN: `2` and eight digits of `i`, then the check
/// digit the ULN rules give; stems with no valid check digit step on, so
/// every one is valid and distinct.
fn uln(i: usize) -> String {
    (0..)
        .map(|step| format!("2{:08}", i * 3 + step))
        .find_map(|stem| {
            let mut digits = [0u8; 9];
            for (slot, c) in digits.iter_mut().zip(stem.bytes()) {
                *slot = c - b'0';
            }
            Uln::expected_check_digit(digits).map(|check| format!("{stem}{check}"))
        })
        .unwrap_or_default()
}

/// The lifecycle commands that take a new EPA to `stage`.
fn commands_to(stage: Stage, gateway_on: NaiveDate) -> Vec<Command> {
    let mut commands = Vec::new();
    let path = [
        (Stage::GatewaySubmitted, Command::SubmitGateway),
        (
            Stage::GatewayApproved,
            Command::ApproveGateway { on: gateway_on },
        ),
        (Stage::Planned, Command::HoldPlanningMeeting),
        (Stage::InAssessment, Command::StartAssessment),
        (Stage::AwaitingResults, Command::AllAssessed),
        (
            Stage::Completed,
            Command::ReleaseResults {
                overall: Grade::Pass,
            },
        ),
        (Stage::CertificateClaimed, Command::ClaimCertificate),
        (Stage::CertificateReceived, Command::ReceiveCertificate),
    ];
    if stage == Stage::Withdrawn {
        commands.push(Command::SubmitGateway);
        commands.push(Command::Withdraw {
            reason: "The apprentice left the employer".to_owned(),
        });
        return commands;
    }
    for (reached, command) in path {
        if stage < reached {
            break;
        }
        commands.push(command);
    }
    commands
}

async fn write_one(
    app: &App,
    tx: &mut epa_store::Tx,
    people: &People,
    i: usize,
    today: NaiveDate,
) -> Result<(), AppError> {
    let now = app.now();
    let policy = if i.is_multiple_of(2) {
        "tquk"
    } else {
        "innovate"
    };
    let stage = STAGES[i % STAGES.len()];
    let gateway_on = gateway_of(i, today);
    let apprentice = apprentices::insert(
        tx,
        &NewApprentice {
            uln: &uln(i),
            given_names: "Synthetic",
            family_name: &format!("Apprentice {i}"),
            date_of_birth: NaiveDate::from_ymd_opt(2004, 1, 1).unwrap_or_default()
                + Duration::days((i % 1500) as i64),
            employer_id: people.employers[i % people.employers.len()],
            provider_id: people.providers[i % people.providers.len()],
            user_id: None,
            start_date: gateway_on - Duration::days(400),
        },
        now,
    )
    .await?;
    let lifecycle = Lifecycle::new();
    let state = serde_json::to_string(&lifecycle).map_err(AppError::internal)?;
    let epa_id = epas::insert(
        tx,
        &NewEpa {
            apprentice_id: apprentice.id,
            epao_id: people.epao,
            standard_reference: "ST0071",
            standard_version: "1.2",
            policy,
            stage: lifecycle.stage,
            lifecycle: &state,
        },
        now,
    )
    .await?;
    let actor = &people.operations;
    audit::append(
        tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_id: Some(actor.user_id),
            actor_role: actor.audit_role(),
            action: "epa.registered",
            entity_type: "epa",
            entity_id: &epa_id.to_string(),
            before: None,
            after: Some(
                json!({"apprentice_id": apprentice.id, "policy": policy, "synthetic": true}),
            ),
            request_id: None,
        },
    )
    .await?;
    let mut observation = None;
    // Read once, then kept as each step leaves it: every step still writes
    // under the optimistic lock, which refuses a stale version loudly.
    let mut row = epas::get_in(tx, epa_id).await?;
    for command in commands_to(stage, gateway_on) {
        if matches!(command, Command::HoldPlanningMeeting) {
            // One planned EPA in twenty has its assessor but no bookings
            // yet: the bookings still to be made.
            let book = i % STAGES.len() != UNBOOKED;
            observation = allocate_and_book(tx, people, i, &mut row, gateway_on, now, book).await?;
        }
        let after =
            transitions::apply(app, tx, actor, &row, &command, "demo.synthetic", json!({})).await?;
        row.epa.lifecycle = serde_json::to_string(&after).map_err(AppError::internal)?;
        row.epa.stage = after.stage;
        row.epa.overall_grade = after.overall;
        row.epa.gateway_approved_on = after.epa_period_start;
        row.epa.version += 1;
        if matches!(command, Command::StartAssessment)
            && let Some(booking) = &observation
        {
            held(tx, booking, now).await?;
        }
    }
    Ok(())
}

/// The position in [`STAGES`] of the planned EPAs left without bookings.
pub const UNBOOKED: usize = 11;

/// The observation sat as booked: the sitting recorded by the assessor
/// and the booking held, so judgements can be recorded on it.
async fn held(
    tx: &mut epa_store::Tx,
    booking: &planning::Booking,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    epa_store::assessment::insert_assessment(
        tx,
        &epa_store::assessment::NewAssessment {
            epa_id: booking.epa_id,
            method: MethodId::Observation,
            attempt: 1,
            attempt_kind: epa_domain::attempts::AttemptKind::First,
            held_on: booking.assessment_on,
            start_time: "09:00",
            end_time: "10:00",
            duration_minutes: 60,
            questioning_minutes: Some(15),
            interview_questions: None,
            assessor_id: booking.assessor_id,
            booking_id: booking.id,
        },
        now,
    )
    .await?;
    planning::set_status(
        tx,
        booking.id,
        booking.version,
        epa_domain::booking::BookingStatus::Held,
        "sat: the assessment is recorded",
        booking.assessor_id,
        now,
    )
    .await?;
    Ok(())
}

/// The planning meeting's outcome: the assessor allocated and, when
/// `book`, the three methods booked in the EPA period. Returns the
/// observation's booking.
async fn allocate_and_book(
    tx: &mut epa_store::Tx,
    people: &People,
    i: usize,
    row: &mut epas::EpaRow,
    gateway_on: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
    book: bool,
) -> Result<Option<planning::Booking>, AppError> {
    let assessor = people.assessor_of(i);
    let epa_id = row.epa.id;
    let planning_meeting_on = gateway_on + Duration::days(7);
    epas::update(
        tx,
        epa_id,
        row.epa.version,
        &epas::Change {
            assessor_id: Some(assessor),
            planning_meeting_on: Some(planning_meeting_on),
            ..epas::Change::default()
        },
        now,
    )
    .await?;
    row.epa.assessor_id = Some(assessor);
    row.epa.planning_meeting_on = Some(planning_meeting_on);
    row.epa.version += 1;
    let mut observation = None;
    if !book {
        return Ok(observation);
    }
    for (k, method) in MethodId::ALL.into_iter().enumerate() {
        let on = booked_for(gateway_on, k);
        let mut starts_at = slot_of(i, k);
        if assessor == people.assessors[0] {
            starts_at = free_hour(tx, assessor, on, starts_at).await?;
        }
        let booking = planning::insert_booking(
            tx,
            &NewBooking {
                epa_id,
                method,
                assessment_on: on,
                starts_at,
                duration_minutes: BOOKING_MINUTES,
                mode: if method == MethodId::Observation {
                    Mode::InPerson
                } else {
                    Mode::Remote
                },
                assessor_id: assessor,
                replaces_id: None,
                booked_on: gateway_on + Duration::days(8),
                created_by: people.operations.user_id,
            },
            now,
        )
        .await?;
        if method == MethodId::Observation {
            observation = Some(booking);
        }
    }
    Ok(observation)
}

/// A synthetic booking's length.
const BOOKING_MINUTES: i32 = 60;

/// The demo's own assessor has the demo's bookings too (made through the
/// booking rules, at its stories' times): the first hour from `wanted` on,
/// up to 17:00, that the diary rule finds free; `wanted` if none is.
async fn free_hour(
    tx: &mut epa_store::Tx,
    assessor: Uuid,
    on: NaiveDate,
    wanted: NaiveTime,
) -> Result<NaiveTime, AppError> {
    let length = Duration::minutes(i64::from(BOOKING_MINUTES));
    let mut start = wanted;
    while start <= NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default() {
        let slot = diary::Slot {
            date: on,
            start,
            end: start + length,
        };
        let others: Vec<(Uuid, diary::Slot)> =
            planning::assessor_overlapping_in(tx, assessor, on, slot.start, slot.end)
                .await?
                .into_iter()
                .map(|b| {
                    let start = b.starts_at;
                    let end = start + Duration::minutes(i64::from(b.duration_minutes));
                    (
                        b.id,
                        diary::Slot {
                            date: on,
                            start,
                            end,
                        },
                    )
                })
                .collect();
        if diary::clashes(&slot, &others).is_empty() {
            return Ok(start);
        }
        start += Duration::minutes(30);
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_ulns_are_valid_and_distinct() {
        let ulns: Vec<String> = (0..5_000).map(uln).collect();
        for uln in &ulns {
            assert!(epa_domain::Uln::parse(uln).is_ok(), "{uln}");
        }
        let mut unique = ulns.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ulns.len());
    }

    /// Every booking the loader makes for 2,000 EPAs (13 assessors' worth,
    /// the last one short): no assessor is booked twice at one time, and
    /// every booking is within the working day the bench leaves alone.
    #[test]
    fn no_assessor_is_booked_twice_at_once() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let mut taken = std::collections::HashMap::new();
        for i in 0..2_000 {
            for k in 0..MethodId::ALL.len() {
                let key = (
                    i / EPAS_PER_ASSESSOR,
                    booked_for(gateway_of(i, today), k),
                    slot_of(i, k),
                );
                if let Some(other) = taken.insert(key, i) {
                    panic!("EPAs {other} and {i} share {key:?}");
                }
                let hour = slot_of(i, k);
                assert!(hour >= NaiveTime::from_hms_opt(9, 0, 0).unwrap());
                assert!(hour <= NaiveTime::from_hms_opt(14, 0, 0).unwrap());
            }
        }
        let per_day = taken.keys().fold(
            std::collections::HashMap::<_, u32>::new(),
            |mut days, (assessor, day, _)| {
                *days.entry((*assessor, *day)).or_default() += 1;
                days
            },
        );
        assert!(per_day.values().all(|n| *n <= ASSESSOR_PER_DAY));
    }

    #[test]
    fn every_stage_is_reached_by_the_lifecycle() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for stage in STAGES {
            let mut state = Lifecycle::new();
            for command in commands_to(stage, on) {
                state = epa_domain::lifecycle::apply(&state, &command).unwrap().0;
            }
            assert_eq!(state.stage, stage);
        }
    }
}
