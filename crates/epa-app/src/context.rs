//! The application's dependencies, and who is asking.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use epa_domain::Clock;
use epa_domain::diary::WorkingHours;
use epa_plan::Catalog;
use epa_store::Db;
use epa_store::files::FileStore;
use epa_store::tokens::Recent;
use epa_store::users::{Membership, Role};
use uuid::Uuid;

use crate::schemes::Schemes;

/// Everything a use case needs from outside the domain. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock + Send + Sync>,
    pub plans: Arc<Catalog>,
    /// Demonstration mode: the demo password is accepted only when set.
    pub demo: bool,
    /// Where uploads are kept. Without one, uploads and downloads answer
    /// that the service is unavailable; everything else works.
    pub files: Option<Arc<dyn FileStore>>,
    /// A booking starting outside these hours is accepted with a warning
    /// (workplaces keep other hours too); the `working_hours` setting.
    pub working_hours: WorkingHours,
    /// Sign-in and accounts settings.
    pub accounts: AccountSettings,
    /// API tokens authenticated in the last second (see
    /// [`epa_store::tokens::authenticate`]).
    pub recent_tokens: Arc<Recent>,
    /// The grading scheme of each plan, built once (see [`crate::schemes`]).
    pub schemes: Arc<Schemes>,
}

/// Settings the accounts use cases read (see `epa.example.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSettings {
    /// The address people reach the service at, for links in emails
    /// (`public_url`), without a trailing slash.
    pub public_url: String,
    /// How long a signed-in API token lasts (`token_lifetime_hours`).
    pub token_lifetime: chrono::Duration,
    /// EPAO staff must have a second factor
    /// (`staff_second_factor_required`).
    pub staff_second_factor_required: bool,
    /// Who emails come from, `Name <address>`; also the organiser of
    /// calendar invites (`mail_from`).
    pub mail_from: String,
}

impl Default for AccountSettings {
    fn default() -> Self {
        AccountSettings {
            public_url: "http://127.0.0.1:8080".to_owned(),
            token_lifetime: chrono::Duration::hours(12),
            staff_second_factor_required: false,
            mail_from: "OpenEPA <notifications@openepa.invalid>".to_owned(),
        }
    }
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock + Send + Sync>, plans: Catalog) -> App {
        App {
            db,
            clock,
            plans: Arc::new(plans),
            demo: false,
            files: None,
            working_hours: WorkingHours::default(),
            accounts: AccountSettings::default(),
            recent_tokens: Arc::new(Recent::default()),
            schemes: Arc::new(Schemes::default()),
        }
    }

    /// The same app keeping uploads in `files`.
    pub fn with_files(mut self, files: Arc<dyn FileStore>) -> App {
        self.files = Some(files);
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// The signed-in person (or API client) a use case acts for.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user_id: Uuid,
    pub memberships: Vec<Membership>,
    /// Carried into the audit event, so a change can be traced to its request.
    pub request_id: Option<String>,
}

impl Actor {
    /// The organisations in which the actor holds `role`.
    pub fn organisations_as(&self, role: Role) -> impl Iterator<Item = Uuid> + '_ {
        self.memberships
            .iter()
            .filter(move |m| m.role == role)
            .map(|m| m.organisation_id)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.memberships.iter().any(|m| m.role == role)
    }

    /// The role recorded in the audit event: the most senior the actor holds.
    pub fn audit_role(&self) -> &'static str {
        self.memberships
            .iter()
            .map(|m| m.role)
            .min()
            .map(Role::as_str)
            .unwrap_or("none")
    }
}
