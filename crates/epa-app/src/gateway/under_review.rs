//! The attempt under review, which the reviewer's steps (review, approve,
//! reject) all act on.

use epa_domain::gateway::SubmissionStatus;
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::Tx;
use epa_store::gateway::Submission;
use uuid::Uuid;

use super::stored::Stored;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// Reads the EPA in `tx`, checks the reviewer may review its gateway, and
/// finds the attempt under review.
pub(super) async fn under_review(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<(EpaContext, Stored, Submission), AppError> {
    let ctx = EpaContext::write(
        app,
        tx,
        actor,
        epa_id,
        Action::ReviewGateway,
        "only EPAO staff can review a gateway",
    )
    .await?;
    let row = &ctx.row;
    let stored = Stored::read_in(tx, epa_id).await?;
    let submission = stored
        .last()
        .filter(|s| {
            s.status == SubmissionStatus::UnderReview && row.epa.stage == Stage::GatewaySubmitted
        })
        .cloned()
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "there is no gateway under review for this EPA (stage {})",
                row.epa.stage
            ))
        })?;
    Ok((ctx, stored, submission))
}
