//! Who may do what to which EPA: decided here, enforced by the use cases.
//!
//! Access follows the actor's **relationship** to the record, not only their
//! role (ADR 0040):
//! - an apprentice sees only their own EPA; an employer or provider user
//!   only their organisation's apprentices (a provider also submits their
//!   gateway); EPAO admin and operations act on their own EPAO's EPAs;
//! - an assessor sees only EPAs they are allocated to, never one where they
//!   are conflicted;
//! - segregation of duties: whoever graded a result does not release it, and
//!   does not decide an appeal against it; a quality assurer moderates but
//!   never records judgements;
//! - a conflicted person cannot allocate, grade, moderate or decide appeals.
//!
//! Three answers: [`Decision::Allow`]; [`Decision::Deny`] when the actor can
//! know the record exists (they have a relationship to it) but may not do
//! this; [`Decision::NotFound`] when they have none, so that asking about
//! another organisation's record tells them nothing, not even that it
//! exists.
//!
//! `policy.csv` beside this crate's manifest (also [`TABLE_CSV`]) states the
//! decision for every role x relationship x action; a test checks [`can`]
//! against each row, and router-level tests reuse it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A user's ID: the 128 bits of its UUID (`Uuid::as_u128`), so the domain
/// needs no UUID dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UserId(pub u128);

/// An organisation's ID (EPAO, provider or employer), as [`UserId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OrgId(pub u128);

/// A role held in one organisation. Names match `epa_store::users::Role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    EpaoAdmin,
    EpaoOperations,
    Assessor,
    QualityAssurer,
    ProviderUser,
    EmployerUser,
    Apprentice,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::EpaoAdmin,
        Role::EpaoOperations,
        Role::Assessor,
        Role::QualityAssurer,
        Role::ProviderUser,
        Role::EmployerUser,
        Role::Apprentice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::EpaoAdmin => "epao_admin",
            Role::EpaoOperations => "epao_operations",
            Role::Assessor => "assessor",
            Role::QualityAssurer => "quality_assurer",
            Role::ProviderUser => "provider_user",
            Role::EmployerUser => "employer_user",
            Role::Apprentice => "apprentice",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Roles held in the EPAO. Conflicts of interest and segregation of
    /// duties concern these people: the others never assess or decide.
    pub fn is_epao_side(self) -> bool {
        matches!(
            self,
            Role::EpaoAdmin | Role::EpaoOperations | Role::Assessor | Role::QualityAssurer
        )
    }
}

/// One role in one organisation. An apprentice's grant names their employer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub org: OrgId,
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: UserId,
    pub grants: Vec<Grant>,
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ViewEpa,
    RegisterApprentice,
    SubmitGateway,
    ReviewGateway,
    AllocateAssessor,
    BookAssessment,
    RecordJudgement,
    ReleaseResult,
    Moderate,
    ClaimCertificate,
    LodgeAppeal,
    DecideAppeal,
    ManageUsers,
    ViewAudit,
    /// See marks and grades before they are released: method results,
    /// provisional grades and which criteria were met.
    ViewProvisionalResults,
    /// Read the assessor's judgements, criterion by criterion, with notes.
    ViewJudgements,
    StartResit,
    StartRetake,
    StartProjectRework,
    Withdraw,
    /// Accept or reject a TQUK project proposal.
    DecideProposal,
    /// Decide (TQUK) or identify (Innovate) exceptional circumstances
    /// accounting for a fail; the EPAO's policy says which people may
    /// (`circumstances::may_act`).
    RecordExceptionalCircumstances,
    /// Confirm exceptional circumstances another person identified, where
    /// the EPAO's policy asks for a second person (Innovate).
    ConfirmExceptionalCircumstances,
    /// Move an EPA to another assessor (and its future bookings with it).
    ReallocateAssessor,
    /// Correct the apprentice's registration details.
    CorrectRegistration,
    /// Withdraw a conflict of interest declared in error.
    WithdrawConflict,
    /// See the apprentice's personal details beyond their name (date of birth).
    ViewPersonalDetails,
    /// Decide a reasonable adjustment (extra time, other arrangements).
    DecideAdjustment,
}

impl Action {
    pub const ALL: [Action; 28] = [
        Action::ViewEpa,
        Action::RegisterApprentice,
        Action::SubmitGateway,
        Action::ReviewGateway,
        Action::AllocateAssessor,
        Action::BookAssessment,
        Action::RecordJudgement,
        Action::ReleaseResult,
        Action::Moderate,
        Action::ClaimCertificate,
        Action::LodgeAppeal,
        Action::DecideAppeal,
        Action::ManageUsers,
        Action::ViewAudit,
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

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ViewEpa => "view_epa",
            Action::RegisterApprentice => "register_apprentice",
            Action::SubmitGateway => "submit_gateway",
            Action::ReviewGateway => "review_gateway",
            Action::AllocateAssessor => "allocate_assessor",
            Action::BookAssessment => "book_assessment",
            Action::RecordJudgement => "record_judgement",
            Action::ReleaseResult => "release_result",
            Action::Moderate => "moderate",
            Action::ClaimCertificate => "claim_certificate",
            Action::LodgeAppeal => "lodge_appeal",
            Action::DecideAppeal => "decide_appeal",
            Action::ManageUsers => "manage_users",
            Action::ViewAudit => "view_audit",
            Action::ViewProvisionalResults => "view_provisional_results",
            Action::ViewJudgements => "view_judgements",
            Action::StartResit => "start_resit",
            Action::StartRetake => "start_retake",
            Action::StartProjectRework => "start_project_rework",
            Action::Withdraw => "withdraw",
            Action::DecideProposal => "decide_proposal",
            Action::RecordExceptionalCircumstances => "record_exceptional_circumstances",
            Action::ConfirmExceptionalCircumstances => "confirm_exceptional_circumstances",
            Action::ReallocateAssessor => "reallocate_assessor",
            Action::CorrectRegistration => "correct_registration",
            Action::WithdrawConflict => "withdraw_conflict",
            Action::ViewPersonalDetails => "view_personal_details",
            Action::DecideAdjustment => "decide_adjustment",
        }
    }

    /// Actions on the EPAO as a whole rather than on one EPA: [`can`] judges
    /// them against the resource's EPAO alone, whatever else it names.
    pub fn is_organisation_wide(self) -> bool {
        matches!(
            self,
            Action::ManageUsers | Action::ViewAudit | Action::WithdrawConflict
        )
    }
}

/// The record acted on: an EPA's relationships, as the use case loaded them.
/// For registration it is the EPA about to be created; for
/// organisation-wide actions [`Resource::organisation`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Resource {
    pub epao: Option<OrgId>,
    pub employer: Option<OrgId>,
    pub provider: Option<OrgId>,
    /// The apprentice's user, once they have one.
    pub apprentice: Option<UserId>,
    /// The allocated assessor.
    pub assessor: Option<UserId>,
    /// Whoever graded the result(s) the action concerns.
    pub graders: Vec<UserId>,
    /// People with a conflict of interest for this EPA (declared or derived
    /// from their links to its employer or provider).
    pub conflicted: Vec<UserId>,
}

impl Resource {
    /// The EPAO itself, for organisation-wide actions.
    pub fn organisation(epao: OrgId) -> Self {
        Resource {
            epao: Some(epao),
            ..Resource::default()
        }
    }
}

/// How one grant relates to a resource, strongest first in [`relationship`]'s
/// order: conflicted > grader > allocated > own record > same organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// No link: another organisation's record, or another person's.
    None,
    /// The grant's organisation is the one this role relates to on the EPA
    /// (the EPAO for EPAO roles; the provider; the employer, also for an
    /// apprentice, whose grant names their employer).
    SameOrganisation,
    /// The apprentice themselves.
    OwnRecord,
    /// The allocated assessor.
    Allocated,
    /// An EPAO person who graded the result concerned.
    Grader,
    /// An EPAO person with a conflict of interest for this EPA.
    Conflicted,
}

impl Relationship {
    pub const ALL: [Relationship; 6] = [
        Relationship::None,
        Relationship::SameOrganisation,
        Relationship::OwnRecord,
        Relationship::Allocated,
        Relationship::Grader,
        Relationship::Conflicted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::None => "none",
            Relationship::SameOrganisation => "same_organisation",
            Relationship::OwnRecord => "own_record",
            Relationship::Allocated => "allocated",
            Relationship::Grader => "grader",
            Relationship::Conflicted => "conflicted",
        }
    }
}

/// The answer. The use case maps Deny to 403 and NotFound to 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    Deny,
    NotFound,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Allow, Decision::Deny, Decision::NotFound];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::NotFound => "not_found",
        }
    }
}

macro_rules! snake_case_parse {
    ($($ty:ty),*) => {$(
        impl FromStr for $ty {
            type Err = UnknownName;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                <$ty>::ALL
                    .into_iter()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| UnknownName {
                        kind: stringify!($ty),
                        name: text.to_owned(),
                    })
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

/// A name that is not one of a policy enum's snake_case values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a known {kind}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
}

snake_case_parse!(Role, Action, Relationship, Decision);

/// How `grant`, held by `user`, relates to `resource`. Only the links that
/// mean something for the role count: an employer user who is also named as
/// an assessor gains nothing through the employer grant.
pub fn relationship(user: UserId, grant: Grant, resource: &Resource) -> Relationship {
    let role = grant.role;
    let org = Some(grant.org);
    let org_link = match role {
        Role::EpaoAdmin | Role::EpaoOperations | Role::Assessor | Role::QualityAssurer => {
            resource.epao == org
        }
        Role::ProviderUser => resource.provider == org,
        Role::EmployerUser | Role::Apprentice => resource.employer == org,
    };
    let own = role == Role::Apprentice && resource.apprentice == Some(user);
    let allocated = role == Role::Assessor && resource.assessor == Some(user);
    if !(org_link || own || allocated) {
        return Relationship::None;
    }
    // A conflict outranks every other link: it must win even over an
    // allocation made before the conflict was declared.
    if role.is_epao_side() && resource.conflicted.contains(&user) {
        Relationship::Conflicted
    } else if role.is_epao_side()
        && resource.graders.contains(&user)
        // An assessor's grading counts only while they are allocated: one
        // moved off the EPA has no business with it any more.
        && (role != Role::Assessor || allocated)
    {
        Relationship::Grader
    } else if allocated {
        Relationship::Allocated
    } else if own {
        Relationship::OwnRecord
    } else {
        Relationship::SameOrganisation
    }
}

/// The rule for one role in one relationship. [`can`] calls it per grant;
/// relationships a role cannot have (see [`relationship`]) fall under the
/// role's nearest rule.
pub fn decide(role: Role, relation: Relationship, action: Action) -> Decision {
    use Action as A;
    use Decision::{Allow, Deny, NotFound};
    use Relationship as R;

    if relation == R::None {
        return NotFound;
    }
    let allow_if = |yes: bool| if yes { Allow } else { Deny };
    // Whether this person is independent of the EPA's grading.
    let independent = !matches!(relation, R::Grader | R::Conflicted);
    match role {
        Role::EpaoAdmin | Role::EpaoOperations => {
            let admin = role == Role::EpaoAdmin;
            let conflicted = relation == R::Conflicted;
            match action {
                A::ViewEpa
                | A::RegisterApprentice
                | A::ReviewGateway
                | A::BookAssessment
                | A::ClaimCertificate
                | A::StartResit
                | A::StartRetake
                | A::StartProjectRework
                | A::Withdraw
                | A::CorrectRegistration
                | A::WithdrawConflict
                | A::ViewPersonalDetails
                | A::DecideAdjustment => Allow,
                // A conflicted person neither chooses the assessor, nor sees
                // marks before release, nor signs off the project proposal.
                A::AllocateAssessor
                | A::ReallocateAssessor
                | A::ViewProvisionalResults
                | A::ViewJudgements
                | A::DecideProposal => allow_if(!conflicted),
                // Segregation of duties: a grader never releases their own result.
                A::ReleaseResult => allow_if(relation != R::Grader),
                // Exceptional circumstances lift the grade cap: decided, or
                // confirmed, by staff independent of the grading.
                A::RecordExceptionalCircumstances | A::ConfirmExceptionalCircumstances => {
                    allow_if(independent)
                }
                // An appeal is decided by someone senior and independent.
                A::DecideAppeal => allow_if(admin && independent),
                A::ManageUsers | A::ViewAudit => allow_if(admin),
                // The gateway is the provider's submission and the EPAO
                // reviews it; judgements are the assessor's; moderation is
                // quality assurance's; appeals are lodged against the EPAO.
                A::SubmitGateway | A::RecordJudgement | A::Moderate | A::LodgeAppeal => Deny,
            }
        }
        Role::Assessor => match relation {
            R::Allocated | R::Grader => match action {
                A::ViewEpa
                | A::BookAssessment
                | A::RecordJudgement
                | A::ViewProvisionalResults
                | A::ViewJudgements
                // TQUK: the proposal is signed off by the End-Point Assessor.
                | A::DecideProposal
                // Innovate: "the Innovate Awarding Assessor identifies
                // exceptional circumstances"; under TQUK the policy file
                // leaves them to EPAO staff (`circumstances::may_act`).
                | A::RecordExceptionalCircumstances => Allow,
                _ => Deny,
            },
            // A conflicted or unallocated assessor has no business with the
            // EPA, and is not told it exists. The EPAO's own
            // organisation-wide pages are another matter: they know it.
            _ if action.is_organisation_wide() => Deny,
            _ => NotFound,
        },
        Role::QualityAssurer => match action {
            A::ViewEpa | A::ViewAudit => Allow,
            // Quality assurance samples marks before release, when independent.
            A::ViewProvisionalResults | A::ViewJudgements => allow_if(relation != R::Conflicted),
            // QA moderates (adds a record, never edits the grade) and may
            // sit on an appeal, only when independent of the grading.
            A::Moderate | A::DecideAppeal => allow_if(independent),
            _ => Deny,
        },
        Role::ProviderUser => match action {
            A::ViewEpa
            | A::RegisterApprentice
            | A::SubmitGateway
            | A::LodgeAppeal
            | A::ViewPersonalDetails => Allow,
            _ => Deny,
        },
        Role::EmployerUser => match action {
            A::ViewEpa | A::LodgeAppeal | A::ViewPersonalDetails => Allow,
            _ => Deny,
        },
        Role::Apprentice => match relation {
            R::OwnRecord => match action {
                A::ViewEpa | A::LodgeAppeal | A::ViewPersonalDetails => Allow,
                _ => Deny,
            },
            // Another apprentice at the same employer: not theirs to know of.
            _ => NotFound,
        },
    }
}

/// May `actor` do `action` to `resource`? Allowed if any of the actor's
/// grants allows it; otherwise Deny if any grant can see the record, else
/// NotFound. A conflict or a grading is the person's, so it limits every
/// EPAO grant they hold, not only the one it came through.
pub fn can(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    let organisation_wide;
    let resource = if action.is_organisation_wide() {
        organisation_wide = Resource {
            epao: resource.epao,
            ..Resource::default()
        };
        &organisation_wide
    } else {
        resource
    };
    let mut visible = false;
    for grant in &actor.grants {
        match decide(
            grant.role,
            relationship(actor.user, *grant, resource),
            action,
        ) {
            Decision::Allow => return Decision::Allow,
            Decision::Deny => visible = true,
            Decision::NotFound => {}
        }
    }
    if visible {
        Decision::Deny
    } else {
        Decision::NotFound
    }
}

/// `policy.csv`: `role,relationship,action,decision`, one row per
/// combination. Each row is [`can`]'s answer in the situation [`example`]
/// builds.
pub const TABLE_CSV: &str = include_str!("../policy.csv");

/// One row of [`TABLE_CSV`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableRow {
    pub role: Role,
    pub relationship: Relationship,
    pub action: Action,
    pub decision: Decision,
}

/// A line of the policy table that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy.csv line {line}: {message}")]
pub struct TableError {
    pub line: usize,
    pub message: String,
}

/// Parse a policy table (header line first).
pub fn parse_table(text: &str) -> Result<Vec<TableRow>, TableError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.trim() == "role,relationship,action,decision" => {}
        _ => {
            return Err(TableError {
                line: 1,
                message: "the header must be role,relationship,action,decision".into(),
            });
        }
    }
    lines
        .map(|(index, line)| {
            let error = |message: String| TableError {
                line: index + 1,
                message,
            };
            let fields: Vec<&str> = line.trim().split(',').collect();
            let [role, relationship, action, decision] = fields[..] else {
                return Err(error(format!("expected 4 fields, found {}", fields.len())));
            };
            Ok(TableRow {
                role: role
                    .parse()
                    .map_err(|e: UnknownName| error(e.to_string()))?,
                relationship: relationship
                    .parse()
                    .map_err(|e: UnknownName| error(e.to_string()))?,
                action: action
                    .parse()
                    .map_err(|e: UnknownName| error(e.to_string()))?,
                decision: decision
                    .parse()
                    .map_err(|e: UnknownName| error(e.to_string()))?,
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
    pub const OTHER_ORG: OrgId = OrgId(9);
    /// The actor.
    pub const ACTOR: UserId = UserId(100);
    pub const APPRENTICE: UserId = UserId(200);
    pub const ASSESSOR: UserId = UserId(300);
}

/// The situation a row of the policy table describes: an actor holding the
/// one `role`, and an EPA of EPAO / employer / provider with an apprentice
/// and an allocated assessor who graded it, where
/// - `none`: the actor's grant is in another organisation and nothing names them;
/// - every other relationship: the grant is in the organisation the role
///   relates to (EPAO, provider, or employer for employer users and
///   apprentices), and the actor is also
///   - `own_record`: the apprentice;
///   - `allocated`: the allocated assessor;
///   - `grader`: the allocated assessor and the grader;
///   - `conflicted`: declared conflicted.
///
/// Organisation-wide actions use [`Resource::organisation`] of the EPAO.
/// Router-level tests build the same situation in the database.
pub fn example(role: Role, relation: Relationship, action: Action) -> (Actor, Resource) {
    use example_ids::*;
    let home = match role {
        Role::EpaoAdmin | Role::EpaoOperations | Role::Assessor | Role::QualityAssurer => EPAO,
        Role::ProviderUser => PROVIDER,
        Role::EmployerUser | Role::Apprentice => EMPLOYER,
    };
    let org = if relation == Relationship::None {
        OTHER_ORG
    } else {
        home
    };
    let actor = Actor {
        user: ACTOR,
        grants: vec![Grant { role, org }],
    };
    let mut resource = Resource {
        epao: Some(EPAO),
        employer: Some(EMPLOYER),
        provider: Some(PROVIDER),
        apprentice: Some(APPRENTICE),
        assessor: Some(ASSESSOR),
        graders: vec![ASSESSOR],
        conflicted: Vec::new(),
    };
    match relation {
        Relationship::None | Relationship::SameOrganisation => {}
        Relationship::OwnRecord => resource.apprentice = Some(ACTOR),
        Relationship::Allocated => resource.assessor = Some(ACTOR),
        Relationship::Grader => {
            resource.assessor = Some(ACTOR);
            resource.graders = vec![ACTOR];
        }
        Relationship::Conflicted => resource.conflicted = vec![ACTOR],
    }
    if action.is_organisation_wide() {
        resource = Resource::organisation(EPAO);
    }
    (actor, resource)
}

#[cfg(test)]
mod tests {
    use super::example_ids::*;
    use super::*;
    use std::collections::BTreeSet;

    fn render_table() -> String {
        let mut text = String::from("role,relationship,action,decision\n");
        for role in Role::ALL {
            for relation in Relationship::ALL {
                for action in Action::ALL {
                    let (actor, resource) = example(role, relation, action);
                    let decision = can(&actor, action, &resource);
                    text.push_str(&format!("{role},{relation},{action},{decision}\n"));
                }
            }
        }
        text
    }

    /// Every row of policy.csv agrees with `can`, and the rows cover every
    /// role x relationship x action exactly once. To change the policy, change
    /// `decide`, run the tests with OPENEPA_WRITE_POLICY_TABLE=1 to rewrite
    /// the table, and review its diff like any other change.
    #[test]
    fn the_policy_table_agrees_with_can_row_by_row() {
        if std::env::var_os("OPENEPA_WRITE_POLICY_TABLE").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/policy.csv");
            std::fs::write(path, render_table()).expect("write policy.csv");
            return;
        }
        let rows = parse_table(TABLE_CSV).expect("policy.csv parses");
        let mut seen = BTreeSet::new();
        let mut disagreements = Vec::new();
        for row in &rows {
            assert!(
                seen.insert((row.role, row.relationship, row.action)),
                "duplicate row {row:?}"
            );
            let (actor, resource) = example(row.role, row.relationship, row.action);
            let decision = can(&actor, row.action, &resource);
            if decision != row.decision {
                disagreements.push(format!("{row:?}: can says {decision}"));
            }
        }
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
        assert_eq!(
            rows.len(),
            Role::ALL.len() * Relationship::ALL.len() * Action::ALL.len()
        );
        assert_eq!(seen.len(), rows.len());
    }

    #[test]
    fn the_table_never_allows_without_a_relationship() {
        for row in parse_table(TABLE_CSV).unwrap() {
            if row.relationship == Relationship::None {
                assert_eq!(row.decision, Decision::NotFound, "{row:?}");
            }
        }
    }

    #[test]
    fn examples_produce_the_relationship_they_name_where_the_role_can_have_it() {
        let possible = |role: Role| -> Vec<Relationship> {
            use Relationship as R;
            match role {
                Role::EpaoAdmin | Role::EpaoOperations | Role::QualityAssurer => {
                    vec![R::None, R::SameOrganisation, R::Grader, R::Conflicted]
                }
                Role::Assessor => {
                    vec![
                        R::None,
                        R::SameOrganisation,
                        R::Allocated,
                        R::Grader,
                        R::Conflicted,
                    ]
                }
                Role::ProviderUser | Role::EmployerUser => vec![R::None, R::SameOrganisation],
                Role::Apprentice => vec![R::None, R::SameOrganisation, R::OwnRecord],
            }
        };
        for role in Role::ALL {
            for relation in Relationship::ALL {
                let (actor, resource) = example(role, relation, Action::ViewEpa);
                let got = relationship(actor.user, actor.grants[0], &resource);
                if possible(role).contains(&relation) {
                    assert_eq!(got, relation, "{role} {relation}");
                } else {
                    // Links that mean nothing for the role fall back to the
                    // organisation link the example also gives.
                    assert_eq!(got, Relationship::SameOrganisation, "{role} {relation}");
                }
            }
        }
    }

    fn actor(user: UserId, grants: &[(Role, OrgId)]) -> Actor {
        Actor {
            user,
            grants: grants
                .iter()
                .map(|&(role, org)| Grant { role, org })
                .collect(),
        }
    }

    fn epa() -> Resource {
        Resource {
            epao: Some(EPAO),
            employer: Some(EMPLOYER),
            provider: Some(PROVIDER),
            apprentice: Some(APPRENTICE),
            assessor: Some(ASSESSOR),
            graders: vec![ASSESSOR],
            conflicted: Vec::new(),
        }
    }

    #[test]
    fn an_apprentice_sees_their_own_record_and_not_another_apprentices() {
        let me = actor(APPRENTICE, &[(Role::Apprentice, EMPLOYER)]);
        assert_eq!(can(&me, Action::ViewEpa, &epa()), Decision::Allow);
        assert_eq!(can(&me, Action::LodgeAppeal, &epa()), Decision::Allow);
        assert_eq!(can(&me, Action::SubmitGateway, &epa()), Decision::Deny);
        let colleague = actor(UserId(201), &[(Role::Apprentice, EMPLOYER)]);
        assert_eq!(can(&colleague, Action::ViewEpa, &epa()), Decision::NotFound);
    }

    #[test]
    fn another_organisations_record_answers_not_found_for_every_action() {
        for role in Role::ALL {
            let stranger = actor(ACTOR, &[(role, OTHER_ORG)]);
            for action in Action::ALL {
                assert_eq!(
                    can(&stranger, action, &epa()),
                    Decision::NotFound,
                    "{role} {action}"
                );
            }
        }
    }

    #[test]
    fn employers_and_providers_see_only_their_apprentices() {
        let employer = actor(ACTOR, &[(Role::EmployerUser, EMPLOYER)]);
        let provider = actor(ACTOR, &[(Role::ProviderUser, PROVIDER)]);
        assert_eq!(can(&employer, Action::ViewEpa, &epa()), Decision::Allow);
        assert_eq!(
            can(&provider, Action::SubmitGateway, &epa()),
            Decision::Allow
        );
        assert_eq!(
            can(&employer, Action::SubmitGateway, &epa()),
            Decision::Deny
        );
        let elsewhere = Resource {
            employer: Some(OrgId(22)),
            provider: Some(OrgId(33)),
            ..epa()
        };
        assert_eq!(
            can(&employer, Action::ViewEpa, &elsewhere),
            Decision::NotFound
        );
        assert_eq!(
            can(&provider, Action::SubmitGateway, &elsewhere),
            Decision::NotFound
        );
    }

    #[test]
    fn an_assessor_works_only_on_allocated_epas_and_never_when_conflicted() {
        let assessor = actor(ASSESSOR, &[(Role::Assessor, EPAO)]);
        assert_eq!(
            can(&assessor, Action::RecordJudgement, &epa()),
            Decision::Allow
        );
        let unallocated = Resource {
            assessor: Some(UserId(301)),
            graders: vec![],
            ..epa()
        };
        assert_eq!(
            can(&assessor, Action::ViewEpa, &unallocated),
            Decision::NotFound
        );
        let conflicted = Resource {
            conflicted: vec![ASSESSOR],
            ..epa()
        };
        for action in Action::ALL
            .into_iter()
            .filter(|a| !a.is_organisation_wide())
        {
            assert_eq!(
                can(&assessor, action, &conflicted),
                Decision::NotFound,
                "{action}"
            );
        }
    }

    #[test]
    fn the_grader_does_not_release_the_result_but_a_colleague_may() {
        // An operations user who also assesses graded this result.
        let grader = actor(
            ASSESSOR,
            &[(Role::Assessor, EPAO), (Role::EpaoOperations, EPAO)],
        );
        assert_eq!(
            can(&grader, Action::RecordJudgement, &epa()),
            Decision::Allow
        );
        assert_eq!(can(&grader, Action::ReleaseResult, &epa()), Decision::Deny);
        let admin_grader = actor(ASSESSOR, &[(Role::EpaoAdmin, EPAO)]);
        assert_eq!(
            can(&admin_grader, Action::ReleaseResult, &epa()),
            Decision::Deny
        );
        assert_eq!(
            can(&admin_grader, Action::DecideAppeal, &epa()),
            Decision::Deny
        );
        let colleague = actor(ACTOR, &[(Role::EpaoOperations, EPAO)]);
        assert_eq!(
            can(&colleague, Action::ReleaseResult, &epa()),
            Decision::Allow
        );
    }

    #[test]
    fn a_quality_assurer_moderates_but_never_records_judgements() {
        let qa = actor(ACTOR, &[(Role::QualityAssurer, EPAO)]);
        assert_eq!(can(&qa, Action::Moderate, &epa()), Decision::Allow);
        assert_eq!(can(&qa, Action::RecordJudgement, &epa()), Decision::Deny);
        assert_eq!(can(&qa, Action::ReleaseResult, &epa()), Decision::Deny);
        let conflicted = Resource {
            conflicted: vec![ACTOR],
            ..epa()
        };
        assert_eq!(can(&qa, Action::Moderate, &conflicted), Decision::Deny);
        assert_eq!(can(&qa, Action::DecideAppeal, &conflicted), Decision::Deny);
    }

    #[test]
    fn conflicted_epao_staff_cannot_allocate_grade_moderate_or_decide_appeals() {
        let conflicted = Resource {
            conflicted: vec![ACTOR],
            ..epa()
        };
        let everyone = actor(
            ACTOR,
            &[
                (Role::EpaoAdmin, EPAO),
                (Role::EpaoOperations, EPAO),
                (Role::Assessor, EPAO),
                (Role::QualityAssurer, EPAO),
            ],
        );
        for action in [
            Action::AllocateAssessor,
            Action::RecordJudgement,
            Action::Moderate,
            Action::DecideAppeal,
        ] {
            assert_eq!(
                can(&everyone, action, &conflicted),
                Decision::Deny,
                "{action}"
            );
        }
        // They still run the EPAO: seeing the record and managing users.
        assert_eq!(
            can(&everyone, Action::ViewEpa, &conflicted),
            Decision::Allow
        );
        assert_eq!(
            can(&everyone, Action::ManageUsers, &conflicted),
            Decision::Allow
        );
    }

    #[test]
    fn epao_staff_act_only_on_their_own_epaos_epas() {
        let ops = actor(ACTOR, &[(Role::EpaoOperations, EPAO)]);
        let admin = actor(ACTOR, &[(Role::EpaoAdmin, EPAO)]);
        assert_eq!(can(&ops, Action::AllocateAssessor, &epa()), Decision::Allow);
        assert_eq!(can(&ops, Action::ManageUsers, &epa()), Decision::Deny);
        assert_eq!(
            can(&admin, Action::ManageUsers, &Resource::organisation(EPAO)),
            Decision::Allow
        );
        let other_epao = Resource {
            epao: Some(OrgId(11)),
            ..epa()
        };
        assert_eq!(can(&ops, Action::ViewEpa, &other_epao), Decision::NotFound);
        assert_eq!(
            can(
                &admin,
                Action::ViewAudit,
                &Resource::organisation(OrgId(11))
            ),
            Decision::NotFound
        );
    }

    #[test]
    fn an_actor_with_no_grants_finds_nothing() {
        let nobody = Actor {
            user: APPRENTICE,
            grants: vec![],
        };
        for action in Action::ALL {
            assert_eq!(can(&nobody, action, &epa()), Decision::NotFound);
        }
    }

    #[test]
    fn names_are_snake_case_and_round_trip() {
        for role in Role::ALL {
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{role}\""));
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        for action in Action::ALL {
            assert_eq!(
                serde_json::to_string(&action).unwrap(),
                format!("\"{action}\"")
            );
            assert_eq!(action.as_str().parse::<Action>(), Ok(action));
        }
        for relation in Relationship::ALL {
            assert_eq!(relation.as_str().parse::<Relationship>(), Ok(relation));
        }
        assert_eq!(
            serde_json::to_string(&Decision::NotFound).unwrap(),
            "\"not_found\""
        );
        assert!("superuser".parse::<Role>().is_err());
    }

    #[test]
    fn a_malformed_table_names_the_line() {
        let err = parse_table("role,relationship,action,decision\nassessor,allocated,view_epa\n")
            .unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse_table("role,relationship,action,decision\nassessor,allocated,fly,allow\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "policy.csv line 2: \"fly\" is not a known Action"
        );
        assert!(parse_table("nope\n").is_err());
    }
}
