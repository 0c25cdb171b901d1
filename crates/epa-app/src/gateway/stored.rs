//! Everything stored about one EPA's gateway (every attempt, component,
//! piece of evidence and review), read in one go.

use std::collections::BTreeMap;

use epa_domain::gateway::{ComponentKind, ReviewDecision, ReviewStatus};
use epa_store::Tx;
use epa_store::gateway::{self as store, Component, EvidenceItem, Review, Submission};
use uuid::Uuid;

use crate::{App, AppError};

pub(super) struct Stored {
    pub(super) submissions: Vec<Submission>,
    pub(super) components: Vec<Component>,
    pub(super) evidence: Vec<EvidenceItem>,
    pub(super) ksbs: BTreeMap<Uuid, Vec<String>>,
    pub(super) reviews: Vec<Review>,
}

impl Stored {
    pub(super) async fn read(app: &App, epa_id: Uuid) -> Result<Stored, AppError> {
        let db = &app.db;
        Ok(Stored::assemble(
            store::submissions(db, epa_id).await?,
            store::components(db, epa_id).await?,
            store::evidence_items(db, epa_id).await?,
            store::evidence_ksbs(db, epa_id).await?,
            store::reviews(db, epa_id).await?,
        ))
    }

    pub(super) async fn read_in(tx: &mut Tx, epa_id: Uuid) -> Result<Stored, AppError> {
        Ok(Stored::assemble(
            store::submissions_in(tx, epa_id).await?,
            store::components_in(tx, epa_id).await?,
            store::evidence_items_in(tx, epa_id).await?,
            store::evidence_ksbs_in(tx, epa_id).await?,
            store::reviews_in(tx, epa_id).await?,
        ))
    }

    fn assemble(
        submissions: Vec<Submission>,
        components: Vec<Component>,
        evidence: Vec<EvidenceItem>,
        pairs: Vec<(Uuid, String)>,
        reviews: Vec<Review>,
    ) -> Stored {
        let mut ksbs: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
        for (item, code) in pairs {
            ksbs.entry(item).or_default().push(code);
        }
        Stored {
            submissions,
            components,
            evidence,
            ksbs,
            reviews,
        }
    }

    pub(super) fn last(&self) -> Option<&Submission> {
        self.submissions.last()
    }

    pub(super) fn components_of(&self, submission: &Submission) -> Vec<&Component> {
        let mut found: Vec<&Component> = self
            .components
            .iter()
            .filter(|c| c.submission_id == submission.id)
            .collect();
        found.sort_by_key(|c| c.kind);
        found
    }

    pub(super) fn reviews_of(&self, component: &Component) -> Vec<&Review> {
        self.reviews
            .iter()
            .filter(|r| r.component_id == component.id)
            .collect()
    }

    pub(super) fn status_of(&self, component: &Component) -> ReviewStatus {
        match self.reviews_of(component).last() {
            Some(review) if review.decision == ReviewDecision::Accepted => ReviewStatus::Accepted,
            Some(_) => ReviewStatus::Rejected,
            None if component.carried_from.is_some() => ReviewStatus::Accepted,
            None => ReviewStatus::Unreviewed,
        }
    }

    pub(super) fn statuses(&self, submission: &Submission) -> Vec<(ComponentKind, ReviewStatus)> {
        self.components_of(submission)
            .into_iter()
            .map(|c| (c.kind, self.status_of(c)))
            .collect()
    }

    pub(super) fn items_of(&self, component: &Component) -> Vec<&EvidenceItem> {
        self.evidence
            .iter()
            .filter(|e| e.component_id == component.id)
            .collect()
    }

    pub(super) fn ksbs_of(&self, item: &EvidenceItem) -> Vec<String> {
        self.ksbs.get(&item.id).cloned().unwrap_or_default()
    }

    /// The attempt a carried-over component was first submitted at.
    pub(super) fn origin_attempt(&self, component: &Component) -> Option<i32> {
        let mut current = component;
        let mut seen = 0;
        while let Some(from) = current.carried_from {
            current = self.components.iter().find(|c| c.id == from)?;
            seen += 1;
            if seen > self.components.len() {
                return None;
            }
        }
        (current.id != component.id).then_some(current.attempt)
    }
}
