//! The people access matrix: every row of `people_policy.csv` (role x link
//! x action -> decision) that a real situation can show, driven through the
//! router on both databases.
//!
//! One database: the seeded world (an EPAO, providers and employers), an
//! apprentice registered at the world's employer through its provider (so
//! that employer is the provider's `linked` one), another EPAO, and one
//! actor per role (a provider and an employer administrator are made too).
//! For each actor and each link the role can have, each action's endpoint
//! is called on a target built for it:
//! - `none`: another EPAO (EPAO roles) or the other employer;
//! - `own`: the actor themselves, or their own organisation;
//! - `same_organisation`: the actor's organisation;
//! - `serves`: the world's employer (EPAO roles);
//! - `linked`: the world's employer (provider roles).
//!
//! On a person, the target is someone made for the call holding the role
//! the organisation's kind has first (`epao_admin`, `provider_user`,
//! `employer_user`); a reactivation's target is deactivated first. The
//! endpoints: create_organisation `POST /organisations`, view_organisation
//! `GET /organisations/{id}`, edit_organisation `PATCH
//! /organisations/{id}` (with `If-Match`), invite_user and
//! invite_apprentice `POST /users` (an apprentice with a record of their
//! own), list_users `GET /users`, view_user `GET /users/{id}`,
//! deactivate_user and reactivate_user `POST /users/{id}/deactivate` and
//! `.../reactivate`, manage_tokens `GET /users/{id}/tokens`,
//! view_assessor_profile and edit_assessor_profile `GET` and `PUT
//! /users/{id}/assessor-profile` (the target is an assessor wherever the
//! organisation is the EPAO), manage_outbox `GET /outbox`.
//!
//! The answer must match the row: `allow` -> anything but 401, 403, 404 or
//! a server error, `deny` -> 403, `not_found` -> 404.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use epa_domain::people::{self, Decision, Link, PeopleAction, PeopleRole};
use epa_domain::policy::Role;
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::{Backend, audit, tokens, users};
use epa_testkit::seed::{self, World};
use epa_testkit::{TestApp, TestDb};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::registered;

/// An actor: their user, token and home organisation.
#[derive(Clone)]
struct Who {
    id: Uuid,
    token: String,
    home: Uuid,
}

struct Place<'a> {
    app: &'a TestApp,
    world: &'a World,
    other_epao: Uuid,
    made: AtomicU32,
}

impl Place<'_> {
    fn next(&self) -> u32 {
        self.made.fetch_add(1, Ordering::Relaxed)
    }

    /// A person holding `role` in `org`, with a token, optionally administering it.
    async fn person(&self, org: Uuid, role: Role, admin: bool) -> Who {
        let now = self.app.clock.now();
        let n = self.next();
        let mut tx = self.app.db.begin_write().await.unwrap();
        let user = users::insert(
            &mut tx,
            &format!("person{n}@matrix.example"),
            &format!("Person {n}"),
            Some("x"),
            now,
        )
        .await
        .unwrap();
        users::grant(&mut tx, user.id, org, role, now)
            .await
            .unwrap();
        if admin {
            users::make_organisation_admin(&mut tx, user.id, org, now)
                .await
                .unwrap();
        }
        let token = tokens::create(&mut tx, user.id, "tests", now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        Who {
            id: user.id,
            token,
            home: org,
        }
    }

    fn kind(&self, org: Uuid) -> OrganisationKind {
        if org == self.world.epao || org == self.other_epao {
            OrganisationKind::Epao
        } else if org == self.world.provider || org == self.world.other_provider {
            OrganisationKind::Provider
        } else {
            OrganisationKind::Employer
        }
    }

    fn first_role(&self, org: Uuid) -> Role {
        match self.kind(org) {
            OrganisationKind::Epao => Role::EpaoAdmin,
            OrganisationKind::Provider => Role::ProviderUser,
            OrganisationKind::Employer => Role::EmployerUser,
        }
    }

    /// The organisation a link names for `role` at `home`.
    fn org_for(&self, role: PeopleRole, link: Link, home: Uuid) -> Uuid {
        let epao_side = matches!(
            role,
            PeopleRole::EpaoAdmin
                | PeopleRole::EpaoOperations
                | PeopleRole::Assessor
                | PeopleRole::QualityAssurer
        );
        match link {
            Link::None if epao_side => self.other_epao,
            Link::None => self.world.other_employer,
            Link::Own | Link::SameOrganisation => home,
            Link::Serves | Link::Linked => self.world.employer,
        }
    }

    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
        if_match: Option<i64>,
    ) -> (u16, String) {
        let url = self.app.url(path);
        let mut request = match method {
            "GET" => self.app.client.get(url),
            "PATCH" => self.app.client.patch(url),
            "PUT" => self.app.client.put(url),
            _ => self.app.client.post(url),
        };
        if let Some(version) = if_match {
            request = request.header("If-Match", format!("\"{version}\""));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.bearer_auth(token).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Calls `action`'s endpoint as `actor` on the target `link` names.
    async fn try_action(
        &self,
        actor: &Who,
        role: PeopleRole,
        link: Link,
        action: PeopleAction,
    ) -> (u16, String) {
        let org = self.org_for(role, link, actor.home);
        let person = async || {
            if link == Link::Own {
                actor.clone()
            } else {
                self.person(org, self.first_role(org), false).await
            }
        };
        let n = self.next();
        match action {
            PeopleAction::CreateOrganisation => {
                self.call(
                    &actor.token,
                    "POST",
                    "/api/v1/organisations",
                    Some(json!({"kind": "employer", "name": format!("Employer {n}")})),
                    None,
                )
                .await
            }
            PeopleAction::ViewOrganisation => {
                self.call(
                    &actor.token,
                    "GET",
                    &format!("/api/v1/organisations/{org}"),
                    None,
                    None,
                )
                .await
            }
            PeopleAction::EditOrganisation => {
                let current = organisations::get(&self.app.db, org).await.unwrap();
                self.call(
                    &actor.token,
                    "PATCH",
                    &format!("/api/v1/organisations/{org}"),
                    Some(json!({"name": current.name})),
                    Some(current.version),
                )
                .await
            }
            PeopleAction::InviteUser => {
                self.call(
                    &actor.token,
                    "POST",
                    "/api/v1/users",
                    Some(json!({
                    "email": format!("invited{n}@matrix.example"), "name": format!("Invited {n}"),
                    "role": self.first_role(org).as_str(), "organisation_id": org})),
                    None,
                )
                .await
            }
            PeopleAction::InviteApprentice => {
                let epa = registered(self.app, self.world, "tquk", 500 + n).await;
                let apprentice = epa["apprentice"]["id"].as_str().unwrap().to_owned();
                self.call(&actor.token, "POST", "/api/v1/users", Some(json!({
                    "email": format!("apprentice{n}@matrix.example"), "name": format!("Apprentice {n}"),
                    "role": "apprentice", "organisation_id": org, "apprentice_id": apprentice})), None).await
            }
            PeopleAction::ListUsers => {
                self.call(&actor.token, "GET", "/api/v1/users", None, None)
                    .await
            }
            PeopleAction::ManageOutbox => {
                self.call(&actor.token, "GET", "/api/v1/outbox", None, None)
                    .await
            }
            PeopleAction::ViewUser => {
                let target = person().await;
                self.call(
                    &actor.token,
                    "GET",
                    &format!("/api/v1/users/{}", target.id),
                    None,
                    None,
                )
                .await
            }
            PeopleAction::DeactivateUser => {
                let target = person().await;
                self.call(
                    &actor.token,
                    "POST",
                    &format!("/api/v1/users/{}/deactivate", target.id),
                    Some(json!({"reason": "Matrix"})),
                    None,
                )
                .await
            }
            PeopleAction::ReactivateUser => {
                let target = person().await;
                if link != Link::Own {
                    let mut tx = self.app.db.begin_write().await.unwrap();
                    users::deactivate(&mut tx, target.id, self.app.clock.now())
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                }
                self.call(
                    &actor.token,
                    "POST",
                    &format!("/api/v1/users/{}/reactivate", target.id),
                    Some(json!({"reason": "Matrix"})),
                    None,
                )
                .await
            }
            PeopleAction::ManageTokens => {
                let target = person().await;
                self.call(
                    &actor.token,
                    "GET",
                    &format!("/api/v1/users/{}/tokens", target.id),
                    None,
                    None,
                )
                .await
            }
            PeopleAction::ViewAssessorProfile | PeopleAction::EditAssessorProfile => {
                let target = if link == Link::Own {
                    actor.clone()
                } else if self.kind(org) == OrganisationKind::Epao {
                    self.person(org, Role::Assessor, false).await
                } else {
                    person().await
                };
                let path = format!("/api/v1/users/{}/assessor-profile", target.id);
                if action == PeopleAction::ViewAssessorProfile {
                    self.call(&actor.token, "GET", &path, None, None).await
                } else {
                    let profile =
                        json!({"regions": ["london"], "max_per_day": 2, "max_per_week": 8});
                    self.call(&actor.token, "PUT", &path, Some(profile), None)
                        .await
                }
            }
        }
    }
}

/// The links each role can have in a real situation.
fn links(role: PeopleRole) -> &'static [Link] {
    match role {
        PeopleRole::EpaoAdmin
        | PeopleRole::EpaoOperations
        | PeopleRole::Assessor
        | PeopleRole::QualityAssurer => {
            &[Link::None, Link::Own, Link::SameOrganisation, Link::Serves]
        }
        PeopleRole::ProviderAdmin | PeopleRole::ProviderUser => {
            &[Link::None, Link::Own, Link::SameOrganisation, Link::Linked]
        }
        _ => &[Link::None, Link::Own, Link::SameOrganisation],
    }
}

async fn matrix(backend: Backend) {
    let Some(test_db) = TestDb::new(backend).await else {
        epa_testkit::skip_without_postgres();
        return;
    };
    let app = TestApp::spawn(test_db.db.clone()).await;
    let world = seed::world(&app.db, app.clock.now()).await;
    // The world's provider's apprentice works at the world's employer.
    registered(&app, &world, "tquk", 1).await;
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
    let place = Place {
        app: &app,
        world: &world,
        other_epao,
        made: AtomicU32::new(1),
    };
    let table: BTreeMap<(PeopleRole, Link, PeopleAction), Decision> =
        people::parse_table(people::TABLE_CSV)
            .unwrap()
            .into_iter()
            .map(|r| ((r.role, r.link, r.action), r.decision))
            .collect();

    let mut checked = 0;
    let mut disagreements = Vec::new();
    let mut per_decision: BTreeMap<&str, usize> = BTreeMap::new();
    for role in PeopleRole::ALL {
        let actor = match role {
            PeopleRole::EpaoAdmin => place.person(world.epao, Role::EpaoAdmin, false).await,
            PeopleRole::EpaoOperations => {
                place.person(world.epao, Role::EpaoOperations, false).await
            }
            PeopleRole::Assessor => place.person(world.epao, Role::Assessor, false).await,
            PeopleRole::QualityAssurer => {
                place.person(world.epao, Role::QualityAssurer, false).await
            }
            PeopleRole::ProviderAdmin => {
                place.person(world.provider, Role::ProviderUser, true).await
            }
            PeopleRole::ProviderUser => {
                place
                    .person(world.provider, Role::ProviderUser, false)
                    .await
            }
            PeopleRole::EmployerAdmin => {
                place.person(world.employer, Role::EmployerUser, true).await
            }
            PeopleRole::EmployerUser => {
                place
                    .person(world.employer, Role::EmployerUser, false)
                    .await
            }
            PeopleRole::Apprentice => place.person(world.employer, Role::Apprentice, false).await,
        };
        for link in links(*role) {
            for action in PeopleAction::ALL {
                let decision = table[&(*role, *link, *action)];
                let (status, body) = place.try_action(&actor, *role, *link, *action).await;
                checked += 1;
                *per_decision.entry(decision.as_str()).or_default() += 1;
                let agrees = match decision {
                    Decision::Allow => !matches!(status, 401 | 403 | 404) && status < 500,
                    Decision::Deny => status == 403,
                    Decision::NotFound => status == 404,
                };
                if !agrees {
                    disagreements.push(format!(
                        "{role},{link},{action} says {decision}: {status} {}",
                        body.chars().take(200).collect::<String>()
                    ));
                }
            }
        }
    }
    println!(
        "people access matrix on {backend:?}: {checked} rows checked through the router ({per_decision:?}), {} disagreements",
        disagreements.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(matches!(
        audit::verify(&app.db).await.unwrap(),
        audit::Verdict::Intact { .. }
    ));
    test_db.finish().await;
}

mod every_reachable_row_of_the_people_table_agrees_with_the_router {
    use epa_store::Backend;

    #[tokio::test]
    async fn sqlite() {
        super::matrix(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::matrix(Backend::Postgres).await;
    }
}
