//! Choices a form offers that come from the database: the assessors a
//! member of EPAO staff may allocate.

use epa_app::people::UserView;
use epa_app::people::users::{UserQuery, list_users};
use uuid::Uuid;

use super::error::PageError;
use super::session::SignedIn;
use crate::AppState;

/// The assessors the person may see, by name.
pub async fn assessors(state: &AppState, signed_in: &SignedIn) -> Result<Vec<UserView>, PageError> {
    let query = UserQuery {
        role: Some("assessor".to_owned()),
        organisation_id: None,
        q: None,
        cursor: None,
        limit: Some(200),
    };
    Ok(list_users(&state.app, &signed_in.actor, query).await?.items)
}

/// The assessors as a select's options, leaving out `except` (the one
/// allocated now), after a "choose" option.
pub fn assessor_choices(assessors: &[UserView], except: Option<Uuid>) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Choose the assessor".to_owned()))
        .chain(
            assessors
                .iter()
                .filter(|user| Some(user.id) != except)
                .map(|user| (user.id.to_string(), user.name.clone())),
        )
        .collect()
}
