//! `/api/v1` routes for the EPA's planning.

use axum::Router;
use utoipa::OpenApi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi()]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
}
