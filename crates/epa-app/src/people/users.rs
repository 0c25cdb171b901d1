//! Reading people: one, or a page of those the caller may see, filtered by
//! role and organisation and searched by name or email.

use epa_domain::people::{self, Decision, PeopleAction, Target};
use epa_domain::policy::Role;
use epa_store::users::{self as store, UserFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{UserView, authorize, load_person, people_actor, person_target, user_view};
use crate::{Actor, App, AppError};

pub async fn get_user(app: &App, actor: &Actor, id: Uuid) -> Result<UserView, AppError> {
    let (user, _) = load_person(app, actor, id, PeopleAction::ViewUser, "not allowed").await?;
    user_view(app, &user).await
}

/// What to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserQuery {
    pub role: Option<String>,
    pub organisation_id: Option<Uuid>,
    /// Part of a name or email.
    pub q: Option<String>,
    /// From `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// 1 to 200, 50 when left out.
    pub limit: Option<i64>,
}

/// A page of people, in name order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    /// Send as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

fn cursor_of(name: &str, id: Uuid) -> String {
    format!("{}.{}", hex::encode(name), id.simple())
}

fn parse_cursor(text: &str) -> Option<(String, Uuid)> {
    let (name, id) = text.split_once('.')?;
    let name = String::from_utf8(hex::decode(name).ok()?).ok()?;
    Some((name, Uuid::parse_str(id).ok()?))
}

pub async fn list_users(app: &App, actor: &Actor, query: UserQuery) -> Result<UserPage, AppError> {
    let me = people_actor(app, actor).await?;
    authorize(
        &me,
        PeopleAction::ListUsers,
        &Target::default(),
        "only administrators and EPAO operations can list people",
    )?;
    let role = match query.role.as_deref() {
        None => None,
        Some(text) => Some(Role::parse(text).ok_or_else(|| {
            AppError::field(
                "role",
                "use epao_admin, epao_operations, assessor, quality_assurer, provider_user, employer_user or apprentice",
            )
        })?),
    };
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "use a number from 1 to 200"));
    }
    let after =
        match query.cursor.as_deref() {
            None => None,
            Some(text) => Some(parse_cursor(text).ok_or_else(|| {
                AppError::field("cursor", "use the next_cursor of the page before")
            })?),
        };
    // EPAO staff see everyone; an organisation's administrator only their
    // organisation's people (and a provider's, its employers' contacts).
    let epao_staff = actor
        .memberships
        .iter()
        .any(|m| matches!(m.role, Role::EpaoAdmin | Role::EpaoOperations));
    let within = (!epao_staff).then(|| {
        me.administers
            .iter()
            .map(|o| Uuid::from_u128(o.0))
            .collect::<Vec<_>>()
    });
    let search = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_owned);
    let filter = UserFilter {
        role,
        organisation: query.organisation_id,
        search,
        within,
        after,
    };
    let rows = store::list(&app.db, &filter, limit).await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|u| cursor_of(&u.display_name, u.id)))
        .flatten();
    let mut items = Vec::new();
    for user in &rows {
        // The list is narrowed in SQL; each person is still checked, so a
        // page never shows someone the caller may not see.
        let target = person_target(app, user.id).await?;
        if people::can(&me, PeopleAction::ViewUser, &target) == Decision::Allow {
            items.push(user_view(app, user).await?);
        }
    }
    Ok(UserPage { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_any_name() {
        let id = Uuid::now_v7();
        for name in ["Ada", "Zoë O'Neil.Smith", ""] {
            assert_eq!(
                parse_cursor(&cursor_of(name, id)),
                Some((name.to_owned(), id))
            );
        }
        assert_eq!(parse_cursor("nothex.abc"), None);
    }
}
