//! `/api/v1/admin/*`: staff accounts and the email pipeline's dead letters. Admins only.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{auth::UserView, list_envelope, paged, query_text};
use crate::{
    domain::account::{NewStaff, PlatformRole, UserChanges},
    domain::actor::Actor,
    domain::ids::*,
    domain::outbox::{OutboxMessage, OutboxStatus},
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
    services::accounts,
    services::outbox,
    state::AppState,
};

list_envelope!(OutboxList, OutboxMessage);
super::page_envelope!(UserPage, UserView);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Words found in the address or the display name, case aside.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only accounts with this platform role.
    pub role: Option<PlatformRole>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Opaque position from the previous page's `next_cursor` or `Link: rel="next"`.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
}

/// Accounts by email address, to find one: by words of its address or name, by role.
#[utoipa::path(operation_id = "listUsers", tag = "admin", params(UserQuery), security(("bearer" = [])),
    responses(
        (status = 200, body = UserPage, description = "A page", headers(("Link" = String, description = "`<...>; rel=\"next\"`: the next page, same query; absent on the last page"))),
        (status = 403, description = "Not an admin"),
    ))]
#[get("/api/v1/admin/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    req: HttpRequest,
    admin: Actor,
    query: web::Query<UserQuery>,
) -> AppResult<HttpResponse> {
    admin.require_role(&[PlatformRole::Admin])?;
    let UserQuery {
        q,
        role,
        limit,
        cursor,
    } = query.into_inner();
    query_text("q", q.as_deref(), 200)?;
    let page = PageParams { limit, cursor };
    let users = state
        .db
        .run(move |conn| accounts::list_users(conn, q.as_deref(), role, &page))
        .await?;
    Ok(paged(
        &req,
        Page {
            items: users.items.into_iter().map(UserView::from).collect(),
            next_cursor: users.next_cursor,
        },
    ))
}

/// Creates a staff account (admin, moderator or organiser), email counted as verified.
#[utoipa::path(operation_id = "createStaffAccount", tag = "admin", request_body = NewStaff, security(("bearer" = [])),
    responses(
        (status = 201, body = UserView),
        (status = 403, description = "Not an admin"),
        (status = 409, description = "The address already has an account"),
        (status = 422),
    ))]
#[post("/api/v1/admin/users")]
pub async fn create_staff(
    state: web::Data<AppState>,
    admin: Actor,
    body: web::Json<NewStaff>,
) -> AppResult<HttpResponse> {
    admin.require_role(&[PlatformRole::Admin])?;
    let user = state
        .db
        .write(move |conn| accounts::create_staff(conn, &body))
        .await?;
    Ok(HttpResponse::Created().json(UserView::from(user)))
}

/// Changes a user's platform role or disables the account (its tokens stop working at once).
#[utoipa::path(operation_id = "updateUser", tag = "admin", params(("id" = UserId, Path, description = "The user account")), request_body = UserChanges, security(("bearer" = [])),
    responses(
        (status = 200, body = UserView),
        (status = 403, description = "Not an admin"),
        (status = 409, description = "Admins cannot change their own role or disable themselves"),
        (status = 422),
    ))]
#[patch("/api/v1/admin/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    admin: Actor,
    id: web::Path<UserId>,
    body: web::Json<UserChanges>,
) -> AppResult<HttpResponse> {
    admin.require_role(&[PlatformRole::Admin])?;
    let user = state
        .db
        .write(move |conn| accounts::update_user(conn, &admin.id, &id, &body))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Default `dead`.
    pub status: Option<OutboxStatus>,
    /// At most this many, newest first (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// Outgoing messages by status, newest first: by default the dead ones.
#[utoipa::path(operation_id = "listOutboxMessages", tag = "admin", params(OutboxQuery), security(("bearer" = [])),
    responses((status = 200, body = OutboxList), (status = 403, description = "Not an admin")))]
#[get("/api/v1/admin/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    admin: Actor,
    query: web::Query<OutboxQuery>,
) -> AppResult<HttpResponse> {
    admin.require_role(&[PlatformRole::Admin])?;
    let status = query.status.unwrap_or(OutboxStatus::Dead);
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::InvalidQuery(
            "limit must be between 1 and 500".to_owned(),
        ));
    }
    let items = state
        .db
        .run(move |conn| outbox::list(conn, status, limit))
        .await?;
    Ok(HttpResponse::Ok().json(OutboxList { items }))
}

/// Puts a dead message back in the queue with a fresh set of attempts.
#[utoipa::path(operation_id = "retryOutboxMessage", tag = "admin", params(("id" = MessageId, Path, description = "The outgoing message")), security(("bearer" = [])),
    responses(
        (status = 200, body = OutboxMessage),
        (status = 403, description = "Not an admin"),
        (status = 409, description = "The message is not dead"),
    ))]
#[post("/api/v1/admin/outbox/{id}/retry")]
pub async fn retry_outbox(
    state: web::Data<AppState>,
    admin: Actor,
    id: web::Path<MessageId>,
) -> AppResult<HttpResponse> {
    admin.require_role(&[PlatformRole::Admin])?;
    let message = state.db.write(move |conn| outbox::retry(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(message))
}
