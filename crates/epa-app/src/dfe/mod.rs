//! The DfE Apprenticeship assessment service: what OpenEPA sends it and
//! what it has acknowledged.
//!
//! - [`items`] words an EPA's record and certificate request as the
//!   service wants them, with when the certificate may be claimed;
//! - [`push`] sends what the service does not yet have in its current
//!   form and stores what it acknowledged (`epa dfe push`, and the server's
//!   worker when `dfe.base_url` is set);
//! - [`queue`] lists what the service refused, for EPAO staff to fix and
//!   resend;
//! - [`replacements`] records replacement certificate requests and when
//!   they were asked of the DfE;
//! - [`worker`] pushes on a timer inside `epa serve`, one server at a time.
//!
//! The client itself is `epa-dfe`.

pub mod items;
pub mod push;
pub mod queue;
pub mod replacements;
pub mod worker;

use std::collections::BTreeMap;

pub use push::{PushError, PushReport, push};

/// Working days after the final result before a pass is claimed, for a
/// policy that names none: long enough for an appeal to be lodged, short
/// enough to leave a week of Innovate's 15 working days.
pub const DEFAULT_APPEAL_WINDOW: u32 = 10;

/// The DfE settings, checked (see `epa.example.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DfeSettings {
    pub connection: epa_dfe::Connection,
    /// Per policy (`tquk`, `innovate`): working days after the final
    /// result before a pass is claimed. A distinction is claimed at once.
    pub appeal_windows: BTreeMap<String, u32>,
}

impl DfeSettings {
    /// The policy's appeal window in working days.
    pub fn appeal_window(&self, policy: &str) -> u32 {
        self.appeal_windows
            .get(&policy.to_ascii_lowercase())
            .copied()
            .unwrap_or(DEFAULT_APPEAL_WINDOW)
    }

    /// Refuses an appeal window that would make the policy's own claim
    /// deadline impossible to meet (Innovate: 15 working days).
    pub fn check_against(&self, plans: &epa_plan::Catalog) -> Result<(), String> {
        for plan in plans.plans() {
            let (reference, version) = (&plan.standard.reference, &plan.standard.version);
            for epao in plans.epaos(reference, version) {
                let Ok(effective) = plans.shared(reference, Some(version), &epao) else {
                    continue;
                };
                let Some(deadline) = &effective.rules.timings.certificate_claim else {
                    continue;
                };
                let window = self.appeal_window(&epao);
                let fits = match deadline.unit {
                    epa_plan::TimeUnit::WorkingDays => window < deadline.amount,
                    _ => true,
                };
                if !fits {
                    return Err(format!(
                        "setting dfe.appeal_window_working_days.{epao} = {window} is not allowed: the {epao} policy claims certificates within {} working days of the final result, so use fewer",
                        deadline.amount
                    ));
                }
            }
        }
        Ok(())
    }
}
