//! A small world to test in: one EPAO, two providers and two employers, a
//! user with an API token for every role, and a second provider's and
//! employer's users to prove what they must not see.

use chrono::{DateTime, Utc};
use epa_store::organisations::{self, NewOrganisation, OrganisationKind};
use epa_store::users::{self, Role};
use epa_store::{Db, tokens};
use uuid::Uuid;

/// One signed-in party: their user ID and API token.
#[derive(Debug, Clone)]
pub struct Party {
    pub user_id: Uuid,
    pub email: String,
    pub token: String,
}

#[derive(Debug, Clone)]
pub struct World {
    pub epao: Uuid,
    pub provider: Uuid,
    pub employer: Uuid,
    pub other_provider: Uuid,
    pub other_employer: Uuid,
    pub epao_admin: Party,
    pub operations: Party,
    pub assessor: Party,
    pub second_assessor: Party,
    pub quality_assurer: Party,
    pub provider_user: Party,
    pub employer_user: Party,
    pub other_provider_user: Party,
    pub other_employer_user: Party,
    /// A user with no role anywhere.
    pub nobody: Party,
}

pub async fn world(db: &Db, now: DateTime<Utc>) -> World {
    let mut tx = db.begin_write().await.expect("begin");
    // The closure borrows the transaction only inside this block.
    let (epao, provider, employer, other_provider, other_employer) = {
        let mut org = async |kind, name: &str, ukprn: Option<&str>| {
            organisations::insert(&mut tx, &NewOrganisation { kind, name, ukprn }, now)
                .await
                .expect("organisation")
                .id
        };
        (
            org(OrganisationKind::Epao, "Demo EPAO", None).await,
            org(
                OrganisationKind::Provider,
                "Northfield Training",
                Some("10012345"),
            )
            .await,
            org(OrganisationKind::Employer, "Acme Retail", None).await,
            org(
                OrganisationKind::Provider,
                "Southgate College",
                Some("10067890"),
            )
            .await,
            org(OrganisationKind::Employer, "Elsewhere Ltd", None).await,
        )
    };

    let mut party = async |email: &str, grants: &[(Uuid, Role)]| {
        let user = users::insert(&mut tx, email, email, None, now)
            .await
            .expect("user");
        for (organisation, role) in grants {
            users::grant(&mut tx, user.id, *organisation, *role, now)
                .await
                .expect("grant");
        }
        let token = tokens::create(&mut tx, user.id, "tests", now)
            .await
            .expect("token");
        Party {
            user_id: user.id,
            email: user.email,
            token,
        }
    };
    let world = World {
        epao,
        provider,
        employer,
        other_provider,
        other_employer,
        epao_admin: party("epao-admin@test.example", &[(epao, Role::EpaoAdmin)]).await,
        operations: party("operations@test.example", &[(epao, Role::EpaoOperations)]).await,
        assessor: party("assessor@test.example", &[(epao, Role::Assessor)]).await,
        second_assessor: party("assessor2@test.example", &[(epao, Role::Assessor)]).await,
        quality_assurer: party("qa@test.example", &[(epao, Role::QualityAssurer)]).await,
        provider_user: party("provider@test.example", &[(provider, Role::ProviderUser)]).await,
        employer_user: party("employer@test.example", &[(employer, Role::EmployerUser)]).await,
        other_provider_user: party(
            "provider@other.example",
            &[(other_provider, Role::ProviderUser)],
        )
        .await,
        other_employer_user: party(
            "employer@other.example",
            &[(other_employer, Role::EmployerUser)],
        )
        .await,
        nobody: party("nobody@test.example", &[]).await,
    };
    tx.commit().await.expect("commit");
    world
}
