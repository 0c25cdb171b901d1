//! The access-control matrix: every row of the policy table
//! (`crates/epa-domain/policy.csv`, role x relationship x action ->
//! decision) whose action has an HTTP endpoint today, driven through the
//! real router against the row's situation built in the database.
//!
//! Each role gets a database of its own (the roles run side by side). For
//! each role x relationship a user holding that one role is made, and for
//! each action an EPA is brought through the API to a stage where the action
//! is possible (EPAs whose check needs only a stage past the gateway skip
//! its reviews, see [`Gateway::Shortcut`]); then the relationship is made
//! true of that EPA (`policy::example` describes each):
//! - `none`: the user's grant is in another organisation (another EPAO for
//!   EPAO roles, the other provider or employer otherwise);
//! - `same_organisation`: the grant is in the role's home organisation (the
//!   EPAO, the apprentice's provider, or their employer for employer users
//!   and apprentices) and nothing else links the user to the EPA;
//! - `own_record`: the user is linked as the EPA's apprentice;
//! - `allocated`: the user is the EPA's assessor;
//! - `grader`: the user was allocated and graded the discussion (and, for an
//!   EPA awaiting or past its results, every method). Someone without the
//!   assessor role grades while holding it, and gives it up before the
//!   checks, as an assessor who moves to another job does. A grader's EPAs
//!   are in assessment at least, so the gateway and planning steps are
//!   tried there and an allowed one is refused by the stage (409);
//! - `conflicted`: the user has a declared conflict of interest with the
//!   EPA's employer. A conflicted assessor is also the allocated assessor of
//!   every EPA (as one who declares a conflict after allocation is), so the
//!   rows prove that a conflict outranks an allocation.
//!
//! Then the user calls the action's endpoint(s), and the answer must match
//! the row: `allow` -> anything but 401, 403, 404 or a server error (valid
//! input gives 2xx; a 409 or 422 from the stage or input still shows the
//! access check let the call through), `deny` -> 403, `not_found` -> 404.
//!
//! Two actions do not refuse a call but shape a 200 answer: what the reader
//! may see in it. Their answers are turned into a synthetic status before
//! they are compared (see [`shaped`]): 200 when the part is shown, 403 when
//! the answer is 200 but withholds it, 404 (or any other status) as it came;
//! a 200 showing the part only in places counts as 500, a disagreement.
//! - view_provisional_results: `GET .../results` of an EPA awaiting its
//!   results, whose marks are every method's grade and the provisional
//!   overall grade;
//! - view_personal_details: `GET /api/v1/epas/{id}` and the apprentice's
//!   `date_of_birth`.
//!
//! The endpoints per action:
//! - view_epa: the reads of one EPA that `view_epa` alone decides
//!   (`GET /api/v1/epas/{id}` and its timeline, gateway, coverage, proposal,
//!   planning meeting, bookings, assessments and results);
//! - register_apprentice: `POST /api/v1/epas`: a new apprentice, or for
//!   `own_record`, `allocated` and `grader` the apprentice already on file
//!   whose record the user is linked to (a record being registered can be
//!   the user's own, allocated or graded only if it exists), which an
//!   allowed caller is told is registered already (422);
//! - submit_gateway: `POST .../gateway`;
//! - review_gateway: `POST .../gateway/reviews`, `.../gateway/approve` and
//!   `.../gateway/reject`, each on its own EPA ready for it;
//! - allocate_assessor: `POST .../planning-meeting`;
//! - book_assessment: `POST .../bookings`;
//! - record_judgement: `POST .../assessments` and
//!   `POST .../assessments/{id}/judgements`;
//! - release_result: `POST .../results/discussion/release`, then
//!   `POST .../results/release`;
//! - claim_certificate: `POST .../certificate/claim`;
//! - view_provisional_results and view_personal_details: above;
//! - view_judgements: `GET .../judgements`, before and after release (the
//!   judgement history is for the EPAO side only, ADR 0070: a narrower rule
//!   than seeing the EPA);
//! - start_resit, start_retake, start_project_rework: `POST .../resit`,
//!   `.../retake` and `.../project-rework`, each on a failed EPA of its own
//!   (the observation failed, or the project), after every call that does
//!   not change an EPA for good;
//! - decide_proposal: `POST .../proposal/decision` (accept the TQUK project
//!   proposal submitted at the gateway);
//! - record_exceptional_circumstances: `POST .../exceptional-circumstances`
//!   on the EPA in assessment, the table narrowed by TQUK's rule (see
//!   [`narrowed`]); confirm_exceptional_circumstances:
//!   `POST .../exceptional-circumstances/{id}/confirm`, which TQUK does not
//!   ask for (409 to an allowed caller);
//! - withdraw: `POST .../withdraw`, reallocate_assessor:
//!   `POST .../assessor` (to the second assessor) and correct_registration:
//!   `PATCH .../apprentice` (with `If-Match`), each on an EPA of its own and
//!   after every call that leaves its EPA as it was, since an allowed call
//!   changes the EPA for good;
//! - decide_adjustment: `POST .../adjustment` on the EPA in assessment, near
//!   the end (it only widens the duration windows);
//! - withdraw_conflict: `POST /api/v1/conflicts/{id}/withdraw`, last, on a
//!   conflict of its own: another assessor of the EPAO, conflicted with the
//!   other employer. The action is organisation-wide (the EPAO's), so the
//!   relationship to an EPA does not change the answer.
//!
//! Not yet reachable, because no endpoint performs them today: moderate,
//! lodge_appeal, decide_appeal (the casework issue adds moderation and
//! appeals), manage_users and view_audit (no user administration or
//! EPAO-wide audit endpoint yet; `POST /api/v1/conflicts` is decided outside
//! the policy table). Their rows are counted and listed as skipped, and
//! they join the matrix when their endpoints arrive.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use epa_domain::lifecycle::Command;
use epa_domain::policy::{self, Action, Decision, Relationship, Role, TableRow};
use epa_domain::{Clock, circumstances};
use epa_plan::{Catalog, CriterionLevel, MethodId};
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::{Backend, Db, apprentices, audit, conflicts, epas, tokens, users};
use epa_testkit::seed::{self, Party, World};
use epa_testkit::{TestApp, TestDb};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{gateway_components, gateway_submission, registered, uln, with_booking};

/// The actions with an endpoint today, in the table's order.
const REACHABLE: [Action; 23] = [
    Action::ViewEpa,
    Action::RegisterApprentice,
    Action::SubmitGateway,
    Action::ReviewGateway,
    Action::AllocateAssessor,
    Action::BookAssessment,
    Action::RecordJudgement,
    Action::ReleaseResult,
    Action::ClaimCertificate,
    Action::ViewProvisionalResults,
    Action::ViewJudgements,
    Action::StartResit,
    Action::StartRetake,
    Action::StartProjectRework,
    Action::Withdraw,
    Action::DecideProposal,
    Action::RecordExceptionalCircumstances,
    Action::ConfirmExceptionalCircumstances,
    Action::ReallocateAssessor,
    Action::CorrectRegistration,
    Action::WithdrawConflict,
    Action::ViewPersonalDetails,
    Action::DecideAdjustment,
];

/// Every apprentice's date of birth, as `registration` and `support::registered` give it.
const DATE_OF_BIRTH: &str = "2003-04-17";

/// The day every EPA here is assessed, approved and planned: the test clock's today.
const TODAY: &str = "2026-11-02";

// ---------------------------------------------------------------------------
// Request bodies: valid, so an allowed call succeeds.

/// What the matrix's TQUK EPAs send at gateway: every component TQUK asks for.
fn components() -> &'static [&'static str] {
    gateway_components("tquk")
}

fn registration(n: u32, world: &World) -> Value {
    json!({
        "uln": uln(n),
        "given_names": "Matrix",
        "family_name": format!("Apprentice {n}"),
        "date_of_birth": DATE_OF_BIRTH,
        "employer_id": world.employer,
        "provider_id": world.provider,
        "standard": "ST0071",
        "policy": "tquk",
        "start_date": "2025-06-02",
    })
}

/// A sitting inside every limit of the plan, held today.
fn sitting(method: MethodId) -> Value {
    let mut body = json!({
        "method": method.as_str(),
        "held_on": TODAY,
        "start_time": "09:00",
        "end_time": "10:02",
    });
    match method {
        MethodId::Observation => body["questioning_minutes"] = json!(8),
        MethodId::Project => body["interview_questions"] = json!(10),
        MethodId::Discussion => {}
    }
    body
}

/// The built-in plans, read once (parsing them is not free).
fn plans() -> &'static Catalog {
    static PLANS: OnceLock<Catalog> = OnceLock::new();
    PLANS.get_or_init(Catalog::embedded)
}

/// Judgements meeting every pass criterion of the method (a pass).
fn judgements(method: MethodId) -> Value {
    judged(method, true)
}

/// Judgements meeting every pass criterion of the method (`pass`), or none
/// of its criteria (a fail).
fn judged(method: MethodId, pass: bool) -> Value {
    let items: Vec<Value> = plans()
        .effective("ST0071", None, "tquk")
        .expect("the TQUK plan")
        .criteria_for(method)
        .map(|c| {
            let met = pass && c.grade == CriterionLevel::Pass;
            json!({"criterion": c.id, "met": met, "note": "As seen in the session."})
        })
        .collect();
    json!({ "judgements": items })
}

// ---------------------------------------------------------------------------
// Calls

/// What one call answered.
struct Answer {
    endpoint: String,
    status: u16,
    body: String,
}

async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Answer {
    call_with(app, token, method, path, body, &[]).await
}

/// [`call`] with request headers (`If-Match`).
async fn call_with(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, String)],
) -> Answer {
    let url = app.url(path);
    let mut request = match method {
        "GET" => app.client.get(url),
        "PATCH" => app.client.patch(url),
        _ => app.client.post(url),
    };
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let request = match body {
        Some(body) => request.json(body),
        None => request,
    };
    let response = request
        .bearer_auth(token)
        .send()
        .await
        .expect("request to the test app");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned());
    let answer = Answer {
        endpoint: format!("{method} {}", generic(path)),
        status,
        body: response.text().await.unwrap_or_default(),
    };
    // Whatever is created says where it can be read, and its creator can.
    if status == 201 {
        let location =
            location.unwrap_or_else(|| panic!("{}: 201 without Location", answer.endpoint));
        assert_eq!(
            app.get_as(token, &location).await.status(),
            200,
            "{}: its Location {location} cannot be read",
            answer.endpoint
        );
    }
    answer
}

/// A read that answers 200 whether or not the reader may see a part of it
/// (marks before release, the date of birth), turned into the status the
/// policy table speaks of: 200 when `shown` finds the part shown, 403 when
/// the answer is 200 but withholds it, any other answer as it came. A 200
/// that shows the part only in places is neither: it answers 500, so it
/// never agrees with the table.
fn shaped(mut answer: Answer, what: &str, shown: impl Fn(&Value) -> Option<bool>) -> Answer {
    answer.endpoint = format!("{} ({what})", answer.endpoint);
    if answer.status == 200 {
        let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        answer.status = match shown(&body) {
            Some(true) => 200,
            Some(false) => 403,
            None => 500,
        };
    }
    answer
}

/// Whether the results of an EPA awaiting them show the marks: every
/// method's grade and the provisional overall grade, or none of them.
fn marks_shown(results: &Value) -> Option<bool> {
    let methods = results["methods"].as_array()?;
    let graded = methods.iter().filter(|m| m["grade"].is_string()).count();
    let overall = results["provisional_overall"].is_object();
    if graded == methods.len() && !methods.is_empty() && overall {
        Some(true)
    } else if graded == 0 && !overall {
        Some(false)
    } else {
        None
    }
}

/// Whether an EPA shows the apprentice's date of birth (every EPA here is
/// registered with the same one).
fn date_of_birth_shown(epa: &Value) -> Option<bool> {
    match &epa["apprentice"]["date_of_birth"] {
        Value::Null => Some(false),
        Value::String(date) if date == DATE_OF_BIRTH => Some(true),
        _ => None,
    }
}

/// The path with IDs replaced, so answers group by endpoint.
fn generic(path: &str) -> String {
    path.split('/')
        .map(|part| {
            if Uuid::parse_str(part).is_ok() {
                "{id}"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A setup step that must succeed.
async fn must(app: &TestApp, token: &str, path: &str, body: Option<&Value>) -> Value {
    let answer = call(app, token, "POST", path, body).await;
    assert!(
        (200..300).contains(&answer.status),
        "setup step {} answered {}: {}",
        answer.endpoint,
        answer.status,
        answer.body
    );
    serde_json::from_str(&answer.body).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------
// Building EPAs

/// How far an EPA is brought before the action is tried on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Registered,
    GatewaySubmitted,
    GatewayApproved,
    Planned,
    InAssessment,
    AwaitingResults,
    Completed,
}

/// How an EPA past its gateway got there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gateway {
    /// Submitted, every component accepted and approved, through the API.
    Real,
    /// SHORTCUT for EPAs whose check needs only the stage (the gateway's own
    /// checks are tried on their own EPAs): the lifecycle moved through
    /// submission and approval today in one step, as `assessment.rs` does.
    Shortcut,
}

/// An EPA built for one check.
#[derive(Debug, Clone)]
struct Built {
    id: Uuid,
    uln: String,
    /// The project's assessment, recorded and not yet judged (from
    /// `InAssessment`), for a judgements call.
    project: Option<Uuid>,
}

/// One row group's situation: a user holding `role` in the place the
/// relationship needs.
struct Situation<'a> {
    app: &'a TestApp,
    world: &'a World,
    role: Role,
    relation: Relationship,
    actor: Party,
    ulns: &'a AtomicU32,
    /// The use cases, for the gateway shortcut.
    core: epa_app::App,
}

impl Situation<'_> {
    fn next_uln(&self) -> u32 {
        self.ulns.fetch_add(1, Ordering::Relaxed)
    }

    /// Who assesses the EPAs while they are built: the actor in a `grader`
    /// situation, otherwise the world's assessor.
    fn grading(&self) -> &Party {
        if self.relation == Relationship::Grader {
            &self.actor
        } else {
            &self.world.assessor
        }
    }

    /// An EPA brought through the API to `stage` (and, for a grader, at
    /// least to a graded discussion), every method passed.
    async fn build(&self, stage: Stage, gateway: Gateway) -> Built {
        self.build_failing(stage, gateway, None).await
    }

    /// [`Self::build`], with `failed` (observation or project) meeting none
    /// of its criteria: from `Completed`, an EPA that failed.
    async fn build_failing(
        &self,
        stage: Stage,
        gateway: Gateway,
        failed: Option<MethodId>,
    ) -> Built {
        let (app, world) = (self.app, self.world);
        let ops = &world.operations.token;
        let grader = self.relation == Relationship::Grader;
        let stage = if grader {
            stage.max(Stage::InAssessment)
        } else {
            stage
        };
        let n = self.next_uln();
        let epa = registered(app, world, "tquk", n).await;
        let id: Uuid = epa["id"].as_str().unwrap().parse().unwrap();
        let at = |rest: &str| format!("/api/v1/epas/{id}{rest}");
        let mut built = Built {
            id,
            uln: uln(n),
            project: None,
        };
        let shortcut = gateway == Gateway::Shortcut && stage >= Stage::GatewayApproved;
        if shortcut {
            self.gateway_shortcut(id).await;
        }
        if stage >= Stage::GatewaySubmitted && !shortcut {
            must(
                app,
                &world.provider_user.token,
                &at("/gateway"),
                Some(&gateway_submission("tquk")),
            )
            .await;
        }
        if stage >= Stage::GatewayApproved && !shortcut {
            for component in components() {
                accept(app, ops, id, component).await;
            }
            must(app, ops, &at("/gateway/approve"), None).await;
        }
        if stage >= Stage::Planned {
            must(
                app,
                ops,
                &at("/planning-meeting"),
                Some(&json!({
                    "held_on": TODAY,
                    "attendees": ["The apprentice", "Line manager", "Tutor"],
                    "assessor_id": self.grading().user_id,
                })),
            )
            .await;
        }
        let assessor = &self.grading().token;
        if stage >= Stage::InAssessment {
            if grader {
                self.grade(id, assessor, MethodId::Discussion).await;
            }
            let project = with_booking(app, id, &sitting(MethodId::Project)).await;
            let recorded = must(app, assessor, &at("/assessments"), Some(&project)).await;
            built.project = recorded["assessment"]["id"]
                .as_str()
                .map(|s| s.parse().unwrap());
        }
        if stage >= Stage::AwaitingResults {
            let passes = |method| failed != Some(method);
            self.grade_as(
                id,
                assessor,
                MethodId::Observation,
                passes(MethodId::Observation),
            )
            .await;
            let project = built.project.expect("the project's assessment");
            must(
                app,
                assessor,
                &at(&format!("/assessments/{project}/judgements")),
                Some(&judged(MethodId::Project, passes(MethodId::Project))),
            )
            .await;
            if !grader {
                self.grade(id, assessor, MethodId::Discussion).await;
            }
        }
        if stage >= Stage::Completed {
            must(app, ops, &at("/results/release"), Some(&json!({}))).await;
        }
        built
    }

    /// See [`Gateway::Shortcut`].
    async fn gateway_shortcut(&self, id: Uuid) {
        let db = &self.app.db;
        let ops = &self.world.operations;
        let actor = epa_app::Actor {
            user_id: ops.user_id,
            memberships: users::memberships(db, ops.user_id).await.unwrap(),
            request_id: None,
        };
        let mut tx = db.begin_write().await.unwrap();
        for command in [
            Command::SubmitGateway,
            Command::ApproveGateway {
                on: self.app.clock.today(),
            },
        ] {
            let row = epas::get_in(&mut tx, id).await.unwrap();
            epa_app::transitions::apply(
                &self.core,
                &mut tx,
                &actor,
                &row,
                &command,
                "test.shortcut",
                json!({}),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }

    async fn grade(&self, epa: Uuid, token: &str, method: MethodId) {
        self.grade_as(epa, token, method, true).await;
    }

    /// A sitting of `method`, judged a pass or a fail.
    async fn grade_as(&self, epa: Uuid, token: &str, method: MethodId, pass: bool) {
        let body = with_booking(self.app, epa, &sitting(method)).await;
        let recorded = must(
            self.app,
            token,
            &format!("/api/v1/epas/{epa}/assessments"),
            Some(&body),
        )
        .await;
        let assessment = recorded["assessment"]["id"].as_str().unwrap();
        must(
            self.app,
            token,
            &format!("/api/v1/epas/{epa}/assessments/{assessment}/judgements"),
            Some(&judged(method, pass)),
        )
        .await;
    }

    /// Makes the relationship true of a built EPA (the grader's was made
    /// while it was built; a conflict is the person's, declared once all
    /// EPAs are related). A conflicted assessor is also the EPA's allocated
    /// assessor, as one who declares a conflict after being allocated is:
    /// the conflict must outrank the allocation.
    async fn relate(&self, epa: &Built) {
        let db = &self.app.db;
        let now = self.app.clock.now();
        let allocate = match self.relation {
            Relationship::OwnRecord => {
                let row = epas::get(db, epa.id).await.unwrap();
                let mut tx = db.begin_write().await.unwrap();
                apprentices::link_user(&mut tx, row.epa.apprentice_id, self.actor.user_id)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                false
            }
            Relationship::Allocated => true,
            Relationship::Conflicted => self.role == Role::Assessor,
            Relationship::None | Relationship::SameOrganisation | Relationship::Grader => false,
        };
        if allocate {
            let row = epas::get(db, epa.id).await.unwrap();
            let mut tx = db.begin_write().await.unwrap();
            epas::update(
                &mut tx,
                epa.id,
                row.epa.version,
                &epas::Change {
                    assessor_id: Some(self.actor.user_id),
                    ..epas::Change::default()
                },
                now,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
    }
}

async fn accept(app: &TestApp, token: &str, epa: Uuid, component: &str) {
    must(
        app,
        token,
        &format!("/api/v1/epas/{epa}/gateway/reviews"),
        Some(&json!({"component": component, "decision": "accepted", "reasons": []})),
    )
    .await;
}

/// Where each role's grant is: its home organisation, or for `none` one of
/// the same kind that has nothing to do with the EPAs.
fn organisation_of(world: &World, other_epao: Uuid, role: Role, relation: Relationship) -> Uuid {
    let none = relation == Relationship::None;
    match role {
        Role::EpaoAdmin | Role::EpaoOperations | Role::Assessor | Role::QualityAssurer => {
            if none {
                other_epao
            } else {
                world.epao
            }
        }
        Role::ProviderUser => {
            if none {
                world.other_provider
            } else {
                world.provider
            }
        }
        Role::EmployerUser | Role::Apprentice => {
            if none {
                world.other_employer
            } else {
                world.employer
            }
        }
    }
}

async fn person(app: &TestApp, email: &str, grants: &[(Uuid, Role)]) -> Party {
    let now = app.clock.now();
    let mut tx = app.db.begin_write().await.unwrap();
    let user = users::insert(&mut tx, email, email, None, now)
        .await
        .unwrap();
    for (organisation, role) in grants {
        users::grant(&mut tx, user.id, *organisation, *role, now)
            .await
            .unwrap();
    }
    let token = tokens::create(&mut tx, user.id, "matrix", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Party {
        user_id: user.id,
        email: user.email,
        token,
    }
}

/// Takes a role away. The store has no use case for this yet (user
/// management has no endpoint), so the test removes the row itself, as
/// another process would: the app sees it at once only because the
/// matrix's app remembers no token (see `run_role`).
async fn revoke(db: &Db, user: Uuid, organisation: Uuid, role: Role) {
    let sql = "DELETE FROM memberships WHERE user_id = $1 AND organisation_id = $2 AND role = $3";
    let removed = match db {
        Db::Sqlite(sqlite) => sqlx::query(sql)
            .bind(user)
            .bind(organisation)
            .bind(role.as_str())
            .execute(sqlite.pool())
            .await
            .unwrap()
            .rows_affected(),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(user)
            .bind(organisation)
            .bind(role.as_str())
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert_eq!(removed, 1, "the role to revoke");
}

// ---------------------------------------------------------------------------
// One situation: every reachable action

/// Builds the situation for `role` x `relation`, tries every reachable
/// action, and returns each action's answers.
async fn run_situation(
    app: &TestApp,
    world: &World,
    other_epao: Uuid,
    ulns: &AtomicU32,
    role: Role,
    relation: Relationship,
) -> BTreeMap<Action, Vec<Answer>> {
    let home = organisation_of(world, other_epao, role, relation);
    let actor = person(
        app,
        &format!("{role}.{relation}@matrix.test"),
        &[(home, role)],
    )
    .await;
    let situation = Situation {
        app,
        world,
        role,
        relation,
        actor,
        ulns,
        core: epa_app::App::new(app.db.clone(), Arc::new(app.clock.clone()), plans().clone()),
    };
    // Grading needs the assessor role for the time it takes.
    let lends_assessor = relation == Relationship::Grader && role != Role::Assessor;
    if lends_assessor {
        let mut tx = app.db.begin_write().await.unwrap();
        users::grant(
            &mut tx,
            situation.actor.user_id,
            world.epao,
            Role::Assessor,
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    // Every EPA first, then the relationships, then the calls. The reads
    // see an EPA with everything recorded, its gateway included.
    let grader = relation == Relationship::Grader;
    let assess = situation
        .build(Stage::InAssessment, Gateway::Shortcut)
        .await;
    let release = situation
        .build(Stage::AwaitingResults, Gateway::Shortcut)
        .await;
    let done = situation.build(Stage::Completed, Gateway::Real).await;
    // EPAs of their own for the calls that change an EPA for good, made
    // last: an allowed withdrawal, reallocation or correction disturbs no
    // other call.
    let withdrawal = situation.build(Stage::Registered, Gateway::Real).await;
    let reallocation = situation.build(Stage::Planned, Gateway::Shortcut).await;
    let correction = situation.build(Stage::Registered, Gateway::Real).await;
    // And failed EPAs, one for each step after a fail, which an allowed
    // call starts.
    let resit = situation
        .build_failing(
            Stage::Completed,
            Gateway::Shortcut,
            Some(MethodId::Observation),
        )
        .await;
    let retake = situation
        .build_failing(
            Stage::Completed,
            Gateway::Shortcut,
            Some(MethodId::Observation),
        )
        .await;
    let rework = situation
        .build_failing(Stage::Completed, Gateway::Shortcut, Some(MethodId::Project))
        .await;
    let (submit, review, approve, reject, allocate) = if grader {
        // A grader's EPAs are past their gateway and planning: the earlier
        // steps are tried on the EPA in assessment, where the stage refuses
        // an allowed call (409) and so changes nothing.
        (
            assess.clone(),
            assess.clone(),
            assess.clone(),
            assess.clone(),
            assess.clone(),
        )
    } else {
        (
            situation.build(Stage::Registered, Gateway::Real).await,
            situation
                .build(Stage::GatewaySubmitted, Gateway::Real)
                .await,
            situation
                .build(Stage::GatewaySubmitted, Gateway::Real)
                .await,
            situation
                .build(Stage::GatewaySubmitted, Gateway::Real)
                .await,
            situation
                .build(Stage::GatewayApproved, Gateway::Shortcut)
                .await,
        )
    };
    let ops = &world.operations.token;
    // Ready to approve (every component accepted) and to reject (one
    // rejected, the rest accepted), where the stage still allows it.
    if !grader {
        for component in components() {
            accept(app, ops, approve.id, component).await;
        }
        for component in &components()[1..] {
            accept(app, ops, reject.id, component).await;
        }
        must(
            app,
            ops,
            &format!("/api/v1/epas/{}/gateway/reviews", reject.id),
            Some(&json!({"component": "photo_id", "decision": "rejected", "reasons": ["The photo is unreadable"]})),
        )
        .await;
    }
    if lends_assessor {
        revoke(&app.db, situation.actor.user_id, world.epao, Role::Assessor).await;
    }
    let mut related = Vec::new();
    for epa in [
        &submit,
        &review,
        &approve,
        &reject,
        &allocate,
        &assess,
        &release,
        &done,
        &withdrawal,
        &reallocation,
        &correction,
        &resit,
        &retake,
        &rework,
    ] {
        if !related.contains(&epa.id) {
            situation.relate(epa).await;
            related.push(epa.id);
        }
    }
    if relation == Relationship::Conflicted {
        let mut tx = app.db.begin_write().await.unwrap();
        conflicts::declare_by(
            &mut tx,
            situation.actor.user_id,
            world.employer,
            "Worked for the employer until last year",
            world.operations.user_id,
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // A conflict of someone else at the EPAO, for the conflict withdrawal:
    // a person of its own, so that withdrawing it changes nothing else.
    let declared = {
        let colleague = person(
            app,
            &format!("colleague.{role}.{relation}@matrix.test"),
            &[(world.epao, Role::Assessor)],
        )
        .await;
        let mut tx = app.db.begin_write().await.unwrap();
        let conflict = conflicts::declare_by(
            &mut tx,
            colleague.user_id,
            world.other_employer,
            "Mentors the employer's apprentices",
            world.operations.user_id,
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        conflict.id
    };
    // The version the correction edits, as last read.
    let correction_version = epas::get(&app.db, correction.id).await.unwrap().epa.version;

    let token = situation.actor.token.clone();
    let at = |epa: &Built, rest: &str| format!("/api/v1/epas/{}{rest}", epa.id);
    let mut answers: BTreeMap<Action, Vec<Answer>> = BTreeMap::new();
    let mut post = async |action: Action, path: String, body: Option<Value>| {
        let answer = call(app, &token, "POST", &path, body.as_ref()).await;
        answers.entry(action).or_default().push(answer);
    };

    // Reads first: they change nothing.
    let mut reads = Vec::new();
    for rest in [
        "",
        "/timeline",
        "/gateway",
        "/gateway/coverage",
        "/proposal",
        "/planning-meeting",
        "/bookings",
        "/assessments",
        "/results",
    ] {
        reads.push(call(app, &token, "GET", &at(&done, rest), None).await);
    }
    // The judgement history, before and after release.
    let mut judgement_reads = Vec::new();
    for epa in [&release, &done] {
        judgement_reads.push(call(app, &token, "GET", &at(epa, "/judgements"), None).await);
    }
    // Marks before release, and the date of birth: shaped answers (see
    // [`shaped`]).
    let provisional = shaped(
        call(app, &token, "GET", &at(&release, "/results"), None).await,
        "marks before release",
        marks_shown,
    );
    let personal = shaped(
        call(app, &token, "GET", &at(&done, ""), None).await,
        "date of birth",
        date_of_birth_shown,
    );

    // A registration whose record would be the actor's own, allocated or
    // graded can only be of an apprentice already on file: theirs.
    let linked = matches!(
        relation,
        Relationship::OwnRecord | Relationship::Allocated | Relationship::Grader
    );
    let mut body = registration(situation.next_uln(), world);
    if linked {
        body["uln"] = json!(done.uln);
    }
    post(
        Action::RegisterApprentice,
        "/api/v1/epas".to_owned(),
        Some(body),
    )
    .await;
    post(
        Action::SubmitGateway,
        at(&submit, "/gateway"),
        Some(gateway_submission("tquk")),
    )
    .await;
    post(
        Action::ReviewGateway,
        at(&review, "/gateway/reviews"),
        Some(json!({"component": "photo_id", "decision": "accepted", "reasons": []})),
    )
    .await;
    post(
        Action::ReviewGateway,
        at(&approve, "/gateway/approve"),
        None,
    )
    .await;
    post(Action::ReviewGateway, at(&reject, "/gateway/reject"), None).await;
    post(
        Action::AllocateAssessor,
        at(&allocate, "/planning-meeting"),
        Some(json!({
            "held_on": TODAY,
            "attendees": ["The apprentice", "Line manager", "Tutor"],
            "assessor_id": world.second_assessor.user_id,
        })),
    )
    .await;
    post(
        Action::BookAssessment,
        at(&assess, "/bookings"),
        Some(json!({"method": "observation", "date": "2026-11-16", "start_time": "10:00", "mode": "in_person"})),
    )
    .await;
    // The sitting is held for a booking of its own (the one just probed may
    // not have been made).
    let observed = with_booking(app, assess.id, &sitting(MethodId::Observation)).await;
    post(
        Action::RecordJudgement,
        at(&assess, "/assessments"),
        Some(observed),
    )
    .await;
    let project = assess.project.expect("the project's assessment");
    post(
        Action::RecordJudgement,
        at(&assess, &format!("/assessments/{project}/judgements")),
        Some(judgements(MethodId::Project)),
    )
    .await;
    // One method first (the discussion, which a grader graded), then the
    // rest at once: an allowed caller gets both through.
    post(
        Action::ReleaseResult,
        at(&release, "/results/discussion/release"),
        Some(json!({})),
    )
    .await;
    post(
        Action::RecordExceptionalCircumstances,
        at(&assess, "/exceptional-circumstances"),
        Some(json!({"reason": "A bereavement in the week of the observation"})),
    )
    .await;
    // TQUK asks for no confirmation: an allowed caller is told so (409)
    // whichever record it names.
    post(
        Action::ConfirmExceptionalCircumstances,
        at(
            &assess,
            &format!("/exceptional-circumstances/{}/confirm", Uuid::now_v7()),
        ),
        Some(json!({})),
    )
    .await;
    post(
        Action::ReleaseResult,
        at(&release, "/results/release"),
        Some(json!({})),
    )
    .await;
    post(
        Action::ClaimCertificate,
        at(&done, "/certificate/claim"),
        Some(json!({})),
    )
    .await;
    // The TQUK proposal submitted at the gateway, still undecided.
    post(
        Action::DecideProposal,
        at(&done, "/proposal/decision"),
        Some(json!({"decision": "accepted"})),
    )
    .await;

    // Last, each on an EPA (or a conflict) of its own: the calls that
    // change it for good.
    post(
        Action::StartResit,
        at(&resit, "/resit"),
        Some(json!({"methods": ["observation"]})),
    )
    .await;
    post(Action::StartRetake, at(&retake, "/retake"), Some(json!({}))).await;
    post(
        Action::StartProjectRework,
        at(&rework, "/project-rework"),
        Some(json!({})),
    )
    .await;
    post(
        Action::Withdraw,
        at(&withdrawal, "/withdraw"),
        Some(json!({"reason": "Left the employer"})),
    )
    .await;
    post(
        Action::ReallocateAssessor,
        at(&reallocation, "/assessor"),
        Some(json!({
            "assessor_id": world.second_assessor.user_id,
            "reason": "The allocated assessor is on leave",
        })),
    )
    .await;
    let corrected = call_with(
        app,
        &token,
        "PATCH",
        &at(&correction, "/apprentice"),
        Some(&json!({"given_names": "Corrected", "reason": "A typing error at registration"})),
        &[("If-Match", format!("\"{correction_version}\""))],
    )
    .await;
    // Widens the EPA's duration windows only: nothing above depends on it.
    post(
        Action::DecideAdjustment,
        at(&assess, "/adjustment"),
        Some(json!({"extra_percent": 25, "reason": "Extra time agreed at gateway"})),
    )
    .await;
    post(
        Action::WithdrawConflict,
        format!("/api/v1/conflicts/{declared}/withdraw"),
        Some(json!({"reason": "Declared against the wrong employer"})),
    )
    .await;
    answers.insert(Action::CorrectRegistration, vec![corrected]);
    answers.insert(Action::ViewEpa, reads);
    answers.insert(Action::ViewJudgements, judgement_reads);
    answers.insert(Action::ViewProvisionalResults, vec![provisional]);
    answers.insert(Action::ViewPersonalDetails, vec![personal]);
    answers
}

// ---------------------------------------------------------------------------
// The matrix

/// What one situation's calls answered, per action.
type Answers = BTreeMap<Action, Vec<Answer>>;

/// One role's six situations, in a database of its own so that the roles
/// run side by side: the seeded world, another EPAO, then each relationship.
async fn run_role(backend: Backend, role: Role) -> Option<Vec<(Relationship, Answers)>> {
    let test_db = TestDb::new(backend).await?;
    // A grader's lent assessor role is taken away behind the app's back
    // (`revoke`: no use case takes a role away), which the app would see
    // within its second of remembering a token (ADR 0164): here it
    // remembers none, so the next call sees the change.
    let app = TestApp::spawn_with(test_db.db.clone(), |app| {
        app.recent_tokens = Arc::new(tokens::Recent::lasting(std::time::Duration::ZERO));
    })
    .await;
    let world = seed::world(&app.db, app.clock.now()).await;
    // For EPAO roles with no relationship. Its name sorts after the world's
    // EPAO, which stays the one registrations go to.
    let other_epao = {
        let mut tx = app.db.begin_write().await.unwrap();
        let org = organisations::insert(
            &mut tx,
            &NewOrganisation {
                kind: OrganisationKind::Epao,
                name: "Other EPAO",
                ukprn: None,
            },
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        org.id
    };
    let ulns = AtomicU32::new(1);
    let mut answers = Vec::new();
    for relation in Relationship::ALL {
        let got = run_situation(&app, &world, other_epao, &ulns, role, relation).await;
        answers.push((relation, got));
    }
    // Everything above went through the use cases, each change with its event.
    assert!(
        matches!(
            audit::verify(&app.db).await.unwrap(),
            audit::Verdict::Intact { .. }
        ),
        "the audit chain after {role}'s situations"
    );
    test_db.finish().await;
    Some(answers)
}

/// The table's decision, narrowed where the EPAO's policy file names the
/// people more closely than a role can: the table lets the EPA's assessor
/// record exceptional circumstances because Innovate's assessor identifies
/// them, but the matrix's EPAs are TQUK's, where EPAO staff decide them
/// (`circumstances::may_act` on TQUK's rule says who).
fn narrowed(role: Role, relation: Relationship, action: Action, decision: Decision) -> Decision {
    if action != Action::RecordExceptionalCircumstances || decision != Decision::Allow {
        return decision;
    }
    let plan = plans()
        .effective("ST0071", None, "tquk")
        .expect("the TQUK plan");
    let party = circumstances::Party {
        epao_staff: matches!(role, Role::EpaoAdmin | Role::EpaoOperations),
        assessor_of_epa: role == Role::Assessor
            && matches!(relation, Relationship::Allocated | Relationship::Grader),
        graded_any: relation == Relationship::Grader,
    };
    let rule = &plan.rules.grade_cap.exceptional_circumstances;
    match circumstances::may_act(rule, circumstances::Step::Identify, party) {
        Ok(()) => Decision::Allow,
        Err(_) => Decision::Deny,
    }
}

fn agrees(decision: Decision, status: u16) -> bool {
    match decision {
        Decision::Allow => let_through(status),
        Decision::Deny => status == 403,
        Decision::NotFound => status == 404,
    }
}

/// The access check let the call through: anything but 401, 403, 404 or a
/// server error.
fn let_through(status: u16) -> bool {
    !matches!(status, 401 | 403 | 404) && status < 500
}

/// Runs every reachable row on `backend` and checks the router agrees with
/// the table on each.
async fn matrix(backend: Backend) {
    let started = Instant::now();
    let rows = policy::parse_table(policy::TABLE_CSV).expect("policy.csv parses");
    assert_eq!(
        rows.len(),
        Role::ALL.len() * Relationship::ALL.len() * Action::ALL.len()
    );
    let table: BTreeMap<(Role, Relationship, Action), Decision> = rows
        .iter()
        .map(|r: &TableRow| ((r.role, r.relationship, r.action), r.decision))
        .collect();

    let runs: Vec<_> = Role::ALL
        .into_iter()
        .map(|role| tokio::spawn(run_role(backend, role)))
        .collect();
    let mut results = Vec::new();
    for (role, run) in Role::ALL.into_iter().zip(runs) {
        match run.await.expect("a role's situations") {
            Some(answers) => results.push((role, answers)),
            None => {
                epa_testkit::skip_without_postgres();
                return;
            }
        }
    }

    let mut checked_rows = 0usize;
    let mut agreements = 0usize;
    let mut calls = 0usize;
    let mut allow_calls = 0usize;
    let mut allows_answered_2xx = 0usize;
    let mut let_through_against_the_table = 0usize;
    let mut disagreements = Vec::new();
    // Allowed calls refused by the stage or the input, by endpoint and status.
    let mut allowed_not_2xx: BTreeMap<String, usize> = BTreeMap::new();
    // action -> (rows, agreeing rows, allow, deny, not_found)
    let mut per_action: BTreeMap<Action, [usize; 5]> = BTreeMap::new();
    for (role, situations) in &results {
        for (relation, answers) in situations {
            for action in REACHABLE {
                let decision =
                    narrowed(*role, *relation, action, table[&(*role, *relation, action)]);
                let got = &answers[&action];
                assert!(!got.is_empty(), "{role} {relation} {action}: no call made");
                checked_rows += 1;
                calls += got.len();
                let mut row_agrees = true;
                for answer in got {
                    if decision == Decision::Allow {
                        allow_calls += 1;
                        if (200..300).contains(&answer.status) {
                            allows_answered_2xx += 1;
                        } else if let_through(answer.status) {
                            *allowed_not_2xx
                                .entry(format!("{} {}", answer.endpoint, answer.status))
                                .or_insert(0usize) += 1;
                        }
                    } else if let_through(answer.status) {
                        let_through_against_the_table += 1;
                    }
                    if !agrees(decision, answer.status) {
                        row_agrees = false;
                        disagreements.push(format!(
                            "{role},{relation},{action} says {decision}: {} answered {} {}",
                            answer.endpoint,
                            answer.status,
                            answer.body.chars().take(300).collect::<String>()
                        ));
                    }
                }
                let counts = per_action.entry(action).or_default();
                counts[0] += 1;
                counts[1] += usize::from(row_agrees);
                counts[match decision {
                    Decision::Allow => 2,
                    Decision::Deny => 3,
                    Decision::NotFound => 4,
                }] += 1;
                agreements += usize::from(row_agrees);
            }
        }
    }
    let not_reachable: Vec<&str> = Action::ALL
        .into_iter()
        .filter(|a| !REACHABLE.contains(a))
        .map(Action::as_str)
        .collect();
    println!("access-control matrix on {backend:?}:");
    for (action, [rows, agreed, allow, deny, not_found]) in &per_action {
        println!(
            "  {:<32} {rows} rows ({allow} allow, {deny} deny, {not_found} not_found), {agreed} agree",
            action.as_str()
        );
    }
    println!(
        "  policy.csv rows: {}; checked: {checked_rows}; agreements: {agreements}; disagreements: {}; agreement: {:.1}%",
        rows.len(),
        checked_rows - agreements,
        100.0 * agreements as f64 / checked_rows as f64
    );
    println!(
        "  calls: {calls}; where the table allows: {allow_calls}, of which 2xx: {allows_answered_2xx}; \
         let through where the table says deny or not_found: {let_through_against_the_table}"
    );
    for (answer, count) in &allowed_not_2xx {
        println!("    allowed, then refused by stage or input: {answer} x{count}");
    }
    println!(
        "  not yet reachable (no endpoint): {} rows of {}",
        rows.len() - checked_rows,
        not_reachable.join(", ")
    );
    println!(
        "  view_provisional_results and view_personal_details shape a 200: counted 200 when shown, 403 when withheld"
    );
    println!("  time: {:.1} s", started.elapsed().as_secs_f64());

    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert_eq!(let_through_against_the_table, 0);
    assert_eq!(agreements, checked_rows);
    assert_eq!(
        checked_rows,
        Role::ALL.len() * Relationship::ALL.len() * REACHABLE.len()
    );
}

mod every_reachable_row_of_the_policy_table_agrees_with_the_router {
    use epa_store::Backend;

    // Two workers: the roles' situations run side by side, each on its own database.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::matrix(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::matrix(Backend::Postgres).await;
    }
}
