//! Who may manage which people and organisations: decided here, enforced by
//! the accounts use cases (ADR 0113).
//!
//! The EPA access policy ([`crate::policy`]) asks how a person relates to
//! one EPA; this one asks how they relate to an organisation, or to a person
//! through the roles that person holds:
//! - EPAO admins run the accounts: they create and edit providers and
//!   employers, invite anyone, deactivate and reactivate people, and revoke
//!   anyone's tokens. EPAO operations see the people and invite apprentices
//!   to their records, but change nobody's access;
//! - an organisation's administrator (a provider or employer user named as
//!   its administrator) invites and deactivates the people of their own
//!   organisation, and a provider's administrator also the employers'
//!   contacts of the provider's apprentices;
//! - everyone sees and manages their own account, but cannot deactivate
//!   themselves;
//! - nobody learns of an organisation or person they have no link to: the
//!   answer is [`Decision::NotFound`], as for EPAs.
//!
//! `people_policy.csv` beside this crate's manifest ([`TABLE_CSV`]) states
//! the decision for every role x link x action; a test checks [`can`]
//! against each row and the web tests drive the rows through the router.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::policy::{Decision, Grant, OrgId, Role, UserId};

/// An organisation's kind, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Epao,
    Provider,
    Employer,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Epao => "epao",
            OrgKind::Provider => "provider",
            OrgKind::Employer => "employer",
        }
    }

    pub fn parse(text: &str) -> Option<OrgKind> {
        [OrgKind::Epao, OrgKind::Provider, OrgKind::Employer]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// The roles a person can hold in an organisation of this kind (an
    /// apprentice's role is held in their employer).
    pub fn roles(self) -> &'static [Role] {
        match self {
            OrgKind::Epao => &[
                Role::EpaoAdmin,
                Role::EpaoOperations,
                Role::Assessor,
                Role::QualityAssurer,
            ],
            OrgKind::Provider => &[Role::ProviderUser],
            OrgKind::Employer => &[Role::EmployerUser, Role::Apprentice],
        }
    }
}

/// The role a grant gives in this policy: the EPA policy's role, with the
/// administrators of providers and employers told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeopleRole {
    EpaoAdmin,
    EpaoOperations,
    Assessor,
    QualityAssurer,
    ProviderAdmin,
    ProviderUser,
    EmployerAdmin,
    EmployerUser,
    Apprentice,
}

/// How one grant relates to an organisation (or to a person, through one
/// role the person holds in one organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// Nothing links them.
    None,
    /// The person acted on is the actor.
    Own,
    /// The grant is in that organisation.
    SameOrganisation,
    /// An EPAO grant and a provider or employer: the EPAO serves them all.
    Serves,
    /// A provider grant and an employer of one of the provider's
    /// apprentices (for a person: their employer-user role there).
    Linked,
}

/// What is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeopleAction {
    CreateOrganisation,
    ViewOrganisation,
    EditOrganisation,
    /// Invite someone to a role other than apprentice.
    InviteUser,
    /// Invite an apprentice to their EPA record.
    InviteApprentice,
    ListUsers,
    ViewUser,
    DeactivateUser,
    ReactivateUser,
    /// List and revoke a person's API tokens.
    ManageTokens,
    /// See an assessor's regions, capacity and unavailable days.
    ViewAssessorProfile,
    /// Change them.
    EditAssessorProfile,
    /// See the emails not delivered and send one again.
    ManageOutbox,
}

macro_rules! names {
    ($ty:ident { $($variant:ident => $text:literal,)+ }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<$ty> {
                $ty::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(PeopleRole {
    EpaoAdmin => "epao_admin",
    EpaoOperations => "epao_operations",
    Assessor => "assessor",
    QualityAssurer => "quality_assurer",
    ProviderAdmin => "provider_admin",
    ProviderUser => "provider_user",
    EmployerAdmin => "employer_admin",
    EmployerUser => "employer_user",
    Apprentice => "apprentice",
});

names!(Link {
    None => "none",
    Own => "own",
    SameOrganisation => "same_organisation",
    Serves => "serves",
    Linked => "linked",
});

names!(PeopleAction {
    CreateOrganisation => "create_organisation",
    ViewOrganisation => "view_organisation",
    EditOrganisation => "edit_organisation",
    InviteUser => "invite_user",
    InviteApprentice => "invite_apprentice",
    ListUsers => "list_users",
    ViewUser => "view_user",
    DeactivateUser => "deactivate_user",
    ReactivateUser => "reactivate_user",
    ManageTokens => "manage_tokens",
    ViewAssessorProfile => "view_assessor_profile",
    EditAssessorProfile => "edit_assessor_profile",
    ManageOutbox => "manage_outbox",
});

impl PeopleAction {
    /// Actions on the accounts as a whole, judged on the actor's roles alone.
    pub fn is_organisation_wide(self) -> bool {
        matches!(
            self,
            PeopleAction::CreateOrganisation | PeopleAction::ListUsers | PeopleAction::ManageOutbox
        )
    }
}

impl PeopleRole {
    fn is_epao_side(self) -> bool {
        matches!(
            self,
            PeopleRole::EpaoAdmin
                | PeopleRole::EpaoOperations
                | PeopleRole::Assessor
                | PeopleRole::QualityAssurer
        )
    }
}

/// Who is asking: their grants, and the organisations they administer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleActor {
    pub user: UserId,
    pub grants: Vec<Grant>,
    /// Providers and employers whose people this actor manages.
    pub administers: Vec<OrgId>,
}

impl PeopleActor {
    /// The people-policy role `grant` gives this actor.
    pub fn role_of(&self, grant: Grant) -> PeopleRole {
        let admin = self.administers.contains(&grant.org);
        match grant.role {
            Role::EpaoAdmin => PeopleRole::EpaoAdmin,
            Role::EpaoOperations => PeopleRole::EpaoOperations,
            Role::Assessor => PeopleRole::Assessor,
            Role::QualityAssurer => PeopleRole::QualityAssurer,
            Role::ProviderUser if admin => PeopleRole::ProviderAdmin,
            Role::ProviderUser => PeopleRole::ProviderUser,
            Role::EmployerUser if admin => PeopleRole::EmployerAdmin,
            Role::EmployerUser => PeopleRole::EmployerUser,
            Role::Apprentice => PeopleRole::Apprentice,
        }
    }
}

/// One organisation concerned, with what links providers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetOrg {
    pub id: OrgId,
    pub kind: OrgKind,
    /// The role concerned in it: the one a person holds (or is invited to);
    /// `None` when the organisation itself is acted on.
    pub role: Option<Role>,
    /// For an employer: the providers of its apprentices.
    pub providers: Vec<OrgId>,
}

/// What is acted on: an organisation, a person with the roles they hold,
/// or an invitation into one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Target {
    /// The person acted on, if any.
    pub user: Option<UserId>,
    /// The organisation acted on, or each role the person holds.
    pub orgs: Vec<TargetOrg>,
}

/// How `grant` relates to one organisation concerned.
pub fn link(grant: Grant, org: &TargetOrg) -> Link {
    if grant.org == org.id {
        return Link::SameOrganisation;
    }
    match grant.role {
        Role::EpaoAdmin | Role::EpaoOperations | Role::Assessor | Role::QualityAssurer
            if org.kind != OrgKind::Epao =>
        {
            Link::Serves
        }
        Role::ProviderUser
            if org.kind == OrgKind::Employer
                && org.providers.contains(&grant.org)
                && matches!(org.role, None | Some(Role::EmployerUser)) =>
        {
            Link::Linked
        }
        _ => Link::None,
    }
}

/// The rule for one role in one link.
pub fn decide(role: PeopleRole, link: Link, action: PeopleAction) -> Decision {
    use Decision::{Allow, Deny, NotFound};
    use PeopleAction as A;
    use PeopleRole as P;

    let allow_if = |yes: bool| if yes { Allow } else { Deny };
    let admin = role == P::EpaoAdmin;
    let staff = matches!(role, P::EpaoAdmin | P::EpaoOperations);
    let org_admin = matches!(role, P::ProviderAdmin | P::EmployerAdmin);
    if action.is_organisation_wide() {
        return match action {
            A::CreateOrganisation | A::ManageOutbox => allow_if(admin),
            _ => allow_if(staff || org_admin),
        };
    }
    if link == Link::Own {
        // One's own account: seen, its tokens managed and (an assessor)
        // their availability kept, but never switched off by oneself (an
        // admin would lock themselves out).
        return match action {
            A::ViewUser | A::ManageTokens | A::ViewAssessorProfile | A::EditAssessorProfile => {
                Allow
            }
            _ => Deny,
        };
    }
    // What the role can see at all through this link.
    let visible = match (role, link) {
        (_, Link::None | Link::Own) => false,
        (_, Link::SameOrganisation) => true,
        (r, Link::Serves) => r.is_epao_side(),
        (P::ProviderAdmin | P::ProviderUser, Link::Linked) => true,
        (_, Link::Linked) => false,
    };
    if !visible {
        return NotFound;
    }
    // An apprentice sees their employer, and nobody else there.
    if role == P::Apprentice && action != A::ViewOrganisation {
        return NotFound;
    }
    // A provider user who does not administer it does not learn who the
    // employer's contacts are.
    if role == P::ProviderUser && link == Link::Linked && action != A::ViewOrganisation {
        return NotFound;
    }
    match action {
        A::ViewOrganisation => Allow,
        A::EditOrganisation => allow_if(admin),
        A::ViewUser => allow_if(staff || org_admin),
        A::InviteUser | A::DeactivateUser | A::ReactivateUser => {
            allow_if(admin || (org_admin && link != Link::Serves))
        }
        A::InviteApprentice => allow_if(staff && link == Link::Serves),
        A::ManageTokens => allow_if(admin),
        // Who assesses where and when is the EPAO's business: its admin
        // and operations plan with it, quality assurance reads it.
        A::ViewAssessorProfile => allow_if(staff || role == P::QualityAssurer),
        A::EditAssessorProfile => allow_if(staff),
        // Organisation-wide: answered above, before the link is looked at.
        A::CreateOrganisation | A::ListUsers | A::ManageOutbox => Deny,
    }
}

/// May `actor` do `action` to `target`? On a person, every role they hold
/// must allow it (a provider's administrator cannot switch off someone who
/// is also EPAO staff); it is denied when any of them is visible, and not
/// found otherwise.
pub fn can(actor: &PeopleActor, action: PeopleAction, target: &Target) -> Decision {
    let best = |decisions: &mut dyn Iterator<Item = Decision>| {
        decisions.fold(Decision::NotFound, |best, d| match (best, d) {
            (Decision::Allow, _) | (_, Decision::Allow) => Decision::Allow,
            (Decision::Deny, _) | (_, Decision::Deny) => Decision::Deny,
            _ => Decision::NotFound,
        })
    };
    if action.is_organisation_wide() {
        return best(
            &mut actor
                .grants
                .iter()
                .map(|g| decide(actor.role_of(*g), Link::SameOrganisation, action)),
        );
    }
    if target.user.is_some() && target.user == Some(actor.user) {
        return best(
            &mut actor
                .grants
                .iter()
                .map(|g| decide(actor.role_of(*g), Link::Own, action))
                .chain(actor.grants.is_empty().then_some(match action {
                    PeopleAction::ViewUser
                    | PeopleAction::ManageTokens
                    | PeopleAction::ViewAssessorProfile
                    | PeopleAction::EditAssessorProfile => Decision::Allow,
                    _ => Decision::Deny,
                })),
        );
    }
    if target.orgs.is_empty() {
        // A person holding no role: the EPAO's staff keep the accounts.
        return best(&mut actor.grants.iter().map(|g| {
            let role = actor.role_of(*g);
            let link = if role.is_epao_side() {
                Link::Serves
            } else {
                Link::None
            };
            decide(role, link, action)
        }));
    }
    let per_org: Vec<Decision> = target
        .orgs
        .iter()
        .map(|org| {
            best(
                &mut actor
                    .grants
                    .iter()
                    .map(|g| decide(actor.role_of(*g), link(*g, org), action)),
            )
        })
        .collect();
    if per_org.iter().all(|d| *d == Decision::Allow) {
        Decision::Allow
    } else if per_org.iter().any(|d| *d != Decision::NotFound) {
        Decision::Deny
    } else {
        Decision::NotFound
    }
}

/// `people_policy.csv`: `role,link,action,decision`, one row per
/// combination, each [`can`]'s answer in the situation [`example`] builds.
pub const TABLE_CSV: &str = include_str!("../people_policy.csv");

/// One row of [`TABLE_CSV`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableRow {
    pub role: PeopleRole,
    pub link: Link,
    pub action: PeopleAction,
    pub decision: Decision,
}

/// Parses the table (header first); `Err` names the line that does not parse.
pub fn parse_table(text: &str) -> Result<Vec<TableRow>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    if lines.next().map(|(_, h)| h.trim()) != Some("role,link,action,decision") {
        return Err(
            "people_policy.csv line 1: the header must be role,link,action,decision".into(),
        );
    }
    lines
        .map(|(index, line)| {
            let bad = || format!("people_policy.csv line {}: {line:?}", index + 1);
            let fields: Vec<&str> = line.trim().split(',').collect();
            let [role, link, action, decision] = fields[..] else {
                return Err(bad());
            };
            Ok(TableRow {
                role: PeopleRole::parse(role).ok_or_else(bad)?,
                link: Link::parse(link).ok_or_else(bad)?,
                action: PeopleAction::parse(action).ok_or_else(bad)?,
                decision: decision.parse().map_err(|_| bad())?,
            })
        })
        .collect()
}

/// IDs used by [`example`].
pub mod example_ids {
    use super::{OrgId, UserId};
    pub const EPAO: OrgId = OrgId(1);
    pub const EMPLOYER: OrgId = OrgId(2);
    pub const PROVIDER: OrgId = OrgId(3);
    pub const OTHER_EPAO: OrgId = OrgId(8);
    pub const OTHER_ORG: OrgId = OrgId(9);
    pub const ACTOR: UserId = UserId(100);
    pub const SOMEONE: UserId = UserId(200);
}

/// The situation a row describes: an actor holding the one role, acting on
/// - an organisation-wide action: nothing in particular;
/// - an organisation or invitation (`*_organisation`, `invite_*`): the
///   organisation the link names, with the role invited to;
/// - a person: someone holding a role in the organisation the link names
///   (`own`: the actor themselves; for the other actions `own` is the
///   actor's own organisation, as `same_organisation`).
///
/// `none` is another EPAO for EPAO roles and an unlinked employer
/// otherwise; `serves` is an employer; `linked` the employer of the
/// actor's provider's apprentices.
pub fn example(role: PeopleRole, link: Link, action: PeopleAction) -> (PeopleActor, Target) {
    use example_ids::*;
    let (policy_role, home, admin) = match role {
        PeopleRole::EpaoAdmin => (Role::EpaoAdmin, EPAO, false),
        PeopleRole::EpaoOperations => (Role::EpaoOperations, EPAO, false),
        PeopleRole::Assessor => (Role::Assessor, EPAO, false),
        PeopleRole::QualityAssurer => (Role::QualityAssurer, EPAO, false),
        PeopleRole::ProviderAdmin => (Role::ProviderUser, PROVIDER, true),
        PeopleRole::ProviderUser => (Role::ProviderUser, PROVIDER, false),
        PeopleRole::EmployerAdmin => (Role::EmployerUser, EMPLOYER, true),
        PeopleRole::EmployerUser => (Role::EmployerUser, EMPLOYER, false),
        PeopleRole::Apprentice => (Role::Apprentice, EMPLOYER, false),
    };
    let actor = PeopleActor {
        user: ACTOR,
        grants: vec![Grant {
            role: policy_role,
            org: home,
        }],
        administers: if admin { vec![home] } else { Vec::new() },
    };
    let home_kind = match home {
        EPAO => OrgKind::Epao,
        PROVIDER => OrgKind::Provider,
        _ => OrgKind::Employer,
    };
    let (org, kind) = match link {
        Link::None if home_kind == OrgKind::Epao => (OTHER_EPAO, OrgKind::Epao),
        Link::None => (OTHER_ORG, OrgKind::Employer),
        Link::Own | Link::SameOrganisation => (home, home_kind),
        Link::Serves | Link::Linked => (EMPLOYER, OrgKind::Employer),
    };
    let on_person = matches!(
        action,
        PeopleAction::ViewUser
            | PeopleAction::DeactivateUser
            | PeopleAction::ReactivateUser
            | PeopleAction::ManageTokens
            | PeopleAction::ViewAssessorProfile
            | PeopleAction::EditAssessorProfile
    );
    let role_in = |kind: OrgKind| match action {
        PeopleAction::InviteApprentice if kind == OrgKind::Employer => Some(Role::Apprentice),
        PeopleAction::ViewOrganisation | PeopleAction::EditOrganisation => None,
        _ => Some(kind.roles()[0]),
    };
    let providers = if link == Link::Linked && home == PROVIDER {
        vec![PROVIDER]
    } else {
        Vec::new()
    };
    let target = if action.is_organisation_wide() {
        Target::default()
    } else {
        Target {
            user: match (on_person, link) {
                (false, _) => None,
                (true, Link::Own) => Some(ACTOR),
                (true, _) => Some(SOMEONE),
            },
            orgs: vec![TargetOrg {
                id: org,
                kind,
                role: role_in(kind),
                providers,
            }],
        }
    };
    (actor, target)
}

#[cfg(test)]
mod tests {
    use super::example_ids::*;
    use super::*;

    fn render_table() -> String {
        let mut text = String::from("role,link,action,decision\n");
        for role in PeopleRole::ALL {
            for link in Link::ALL {
                for action in PeopleAction::ALL {
                    let (actor, target) = example(*role, *link, *action);
                    let decision = can(&actor, *action, &target);
                    text.push_str(&format!("{role},{link},{action},{decision}\n"));
                }
            }
        }
        text
    }

    /// To change the policy, change `decide`, run the tests with
    /// OPENEPA_WRITE_POLICY_TABLE=1 and review the table's diff.
    #[test]
    fn the_people_table_agrees_with_can_row_by_row() {
        if std::env::var_os("OPENEPA_WRITE_POLICY_TABLE").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/people_policy.csv");
            std::fs::write(path, render_table()).expect("write people_policy.csv");
            return;
        }
        let rows = parse_table(TABLE_CSV).expect("people_policy.csv parses");
        assert_eq!(
            rows.len(),
            PeopleRole::ALL.len() * Link::ALL.len() * PeopleAction::ALL.len()
        );
        assert_eq!(TABLE_CSV, render_table());
    }

    fn grant(role: Role, org: OrgId) -> Grant {
        Grant { role, org }
    }

    fn person(orgs: &[(OrgId, OrgKind, Role, &[OrgId])]) -> Target {
        Target {
            user: Some(SOMEONE),
            orgs: orgs
                .iter()
                .map(|(id, kind, role, providers)| TargetOrg {
                    id: *id,
                    kind: *kind,
                    role: Some(*role),
                    providers: providers.to_vec(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_providers_admin_invites_their_own_people_and_their_apprentices_employers_contacts() {
        let admin = PeopleActor {
            user: ACTOR,
            grants: vec![grant(Role::ProviderUser, PROVIDER)],
            administers: vec![PROVIDER],
        };
        let invite = |kind, org, role, providers: &[OrgId]| {
            can(
                &admin,
                PeopleAction::InviteUser,
                &Target {
                    user: None,
                    orgs: vec![TargetOrg {
                        id: org,
                        kind,
                        role: Some(role),
                        providers: providers.to_vec(),
                    }],
                },
            )
        };
        use Decision::*;
        assert_eq!(
            invite(OrgKind::Provider, PROVIDER, Role::ProviderUser, &[]),
            Allow
        );
        assert_eq!(
            invite(OrgKind::Employer, EMPLOYER, Role::EmployerUser, &[PROVIDER]),
            Allow
        );
        // Not an employer of theirs: they do not learn it exists.
        assert_eq!(
            invite(
                OrgKind::Employer,
                EMPLOYER,
                Role::EmployerUser,
                &[OTHER_ORG]
            ),
            NotFound
        );
        // Apprentices are invited to their record by the EPAO.
        assert_eq!(
            can(
                &admin,
                PeopleAction::InviteApprentice,
                &person(&[(EMPLOYER, OrgKind::Employer, Role::Apprentice, &[PROVIDER])])
            ),
            NotFound
        );
        // A colleague who is not the administrator may not invite.
        let colleague = PeopleActor {
            administers: vec![],
            ..admin.clone()
        };
        assert_eq!(
            can(
                &colleague,
                PeopleAction::InviteUser,
                &person(&[(PROVIDER, OrgKind::Provider, Role::ProviderUser, &[])])
            ),
            Deny
        );
    }

    #[test]
    fn someone_who_is_also_epao_staff_is_beyond_a_providers_admin() {
        let admin = PeopleActor {
            user: ACTOR,
            grants: vec![grant(Role::ProviderUser, PROVIDER)],
            administers: vec![PROVIDER],
        };
        let both = person(&[
            (PROVIDER, OrgKind::Provider, Role::ProviderUser, &[]),
            (EPAO, OrgKind::Epao, Role::Assessor, &[]),
        ]);
        assert_eq!(
            can(&admin, PeopleAction::DeactivateUser, &both),
            Decision::Deny
        );
        let epao_admin = PeopleActor {
            user: ACTOR,
            grants: vec![grant(Role::EpaoAdmin, EPAO)],
            administers: vec![],
        };
        assert_eq!(
            can(&epao_admin, PeopleAction::DeactivateUser, &both),
            Decision::Allow
        );
    }

    #[test]
    fn nobody_deactivates_themselves_and_everyone_manages_their_own_tokens() {
        for role in PeopleRole::ALL {
            assert_eq!(
                decide(*role, Link::Own, PeopleAction::DeactivateUser),
                Decision::Deny
            );
            assert_eq!(
                decide(*role, Link::Own, PeopleAction::ManageTokens),
                Decision::Allow
            );
        }
        let nobody = PeopleActor {
            user: ACTOR,
            grants: vec![],
            administers: vec![],
        };
        let me = Target {
            user: Some(ACTOR),
            orgs: vec![],
        };
        assert_eq!(
            can(&nobody, PeopleAction::ManageTokens, &me),
            Decision::Allow
        );
    }

    #[test]
    fn without_a_link_nothing_is_found_and_only_epao_admins_create_organisations() {
        for role in PeopleRole::ALL {
            for action in PeopleAction::ALL {
                let decision = decide(*role, Link::None, *action);
                if action.is_organisation_wide() {
                    continue;
                }
                assert_eq!(decision, Decision::NotFound, "{role} {action}");
            }
            assert_eq!(
                decide(
                    *role,
                    Link::SameOrganisation,
                    PeopleAction::CreateOrganisation
                ),
                if *role == PeopleRole::EpaoAdmin {
                    Decision::Allow
                } else {
                    Decision::Deny
                }
            );
        }
    }

    #[test]
    fn an_epao_operations_user_sees_people_but_changes_nobodys_access() {
        let ops = PeopleRole::EpaoOperations;
        assert_eq!(
            decide(ops, Link::Serves, PeopleAction::ViewUser),
            Decision::Allow
        );
        for action in [
            PeopleAction::InviteUser,
            PeopleAction::DeactivateUser,
            PeopleAction::ManageTokens,
            PeopleAction::EditOrganisation,
        ] {
            assert_eq!(decide(ops, Link::Serves, action), Decision::Deny);
        }
        assert_eq!(
            decide(ops, Link::Serves, PeopleAction::InviteApprentice),
            Decision::Allow
        );
    }

    #[test]
    fn roles_fit_their_kind_of_organisation() {
        assert!(OrgKind::Employer.roles().contains(&Role::Apprentice));
        assert!(!OrgKind::Provider.roles().contains(&Role::EmployerUser));
        for kind in [OrgKind::Epao, OrgKind::Provider, OrgKind::Employer] {
            assert_eq!(OrgKind::parse(kind.as_str()), Some(kind));
        }
    }
}
