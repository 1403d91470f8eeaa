//! `GET/PUT /api/v1/goals` and `/api/v1/screen-links`: what organisers set up for the big
//! screens.

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::list_envelope;
use crate::{
    domain::{
        actor::Actor,
        goals::{GoalSet, GoalsInput},
        ids::{ScreenLinkId, UserId},
        screen::{NewScreenLinkInput, ScreenLink},
    },
    error::AppResult,
    services::screens as service,
    state::AppState,
};

list_envelope!(ScreenLinkList, ScreenLink);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GoalsQuery {
    /// Track slug; none (or `all`) for every pledge.
    pub track: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScreenLinksQuery {
    /// Track slug (`all` for the links showing every pledge); none for every link.
    pub track: Option<String>,
}

/// A private screen link just created: the only answer that carries its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewScreenLink {
    pub id: ScreenLinkId,
    pub track: String,
    pub label: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    /// The big-screen page with the pending figures: keep it like a password. It is shown
    /// this once; revoke the link to end it.
    #[schema(example = "https://pledges.example.org/live/ldc5?screen_key=…")]
    pub url: String,
}

/// A scope's goals as set (an empty list when none). Their progress comes with every
/// snapshot (`GET /stats`).
#[utoipa::path(operation_id = "getGoals", tag = "live counters", params(GoalsQuery),
    responses((status = 200, body = GoalSet), (status = 404, description = "Unknown track")))]
#[get("/api/v1/goals")]
pub async fn get_goals(
    state: web::Data<AppState>,
    query: web::Query<GoalsQuery>,
) -> AppResult<HttpResponse> {
    let track = query.into_inner().track;
    let set = state
        .db
        .run(move |conn| service::goals(conn, track.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(set))
}

/// Replaces a scope's goals (organisers and admins): at most one per kind (`usd_pledged`,
/// `pledges`, `entities`), each with a target and a deadline; an empty list clears them.
/// Snapshots and streams show the new goals at once.
#[utoipa::path(operation_id = "setGoals", tag = "live counters", params(GoalsQuery),
    request_body = GoalsInput, security(("bearer" = [])),
    responses(
        (status = 200, body = GoalSet),
        (status = 403, description = "Not an organiser or admin"),
        (status = 404, description = "Unknown track"),
        (status = 422),
    ))]
#[put("/api/v1/goals")]
pub async fn set_goals(
    state: web::Data<AppState>,
    user: Actor,
    query: web::Query<GoalsQuery>,
    body: web::Json<GoalsInput>,
) -> AppResult<HttpResponse> {
    let track = query.into_inner().track;
    let set = state
        .db
        .write(move |conn| service::set_goals(conn, &user, track.as_deref(), &body))
        .await?;
    state.live.poke();
    Ok(HttpResponse::Ok().json(set))
}

/// Creates a private screen link for a track (organisers and admins): the track's big screen
/// with the pending figures too, at an address holding a random secret. The secret is in this
/// answer only (stored as a hash, never logged).
#[utoipa::path(operation_id = "createScreenLink", tag = "live counters",
    request_body = NewScreenLinkInput, security(("bearer" = [])),
    responses(
        (status = 201, body = NewScreenLink),
        (status = 403, description = "Not an organiser or admin"),
        (status = 404, description = "Unknown track"),
        (status = 422),
    ))]
#[post("/api/v1/screen-links")]
pub async fn create_screen_link(
    state: web::Data<AppState>,
    user: Actor,
    body: web::Json<NewScreenLinkInput>,
) -> AppResult<HttpResponse> {
    let (link, secret) = state
        .db
        .write(move |conn| service::create_link(conn, &user, &body))
        .await?;
    let url = state.links.private_screen(&link.track, &secret);
    Ok(HttpResponse::Created().json(NewScreenLink {
        id: link.id,
        track: link.track,
        label: link.label,
        created_by: link.created_by,
        created_at: link.created_at,
        url,
    }))
}

/// The private screen links, newest first, revoked ones included (organisers and admins).
#[utoipa::path(operation_id = "listScreenLinks", tag = "live counters", params(ScreenLinksQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ScreenLinkList),
        (status = 403, description = "Not an organiser or admin"),
        (status = 404, description = "Unknown track"),
    ))]
#[get("/api/v1/screen-links")]
pub async fn list_screen_links(
    state: web::Data<AppState>,
    user: Actor,
    query: web::Query<ScreenLinksQuery>,
) -> AppResult<HttpResponse> {
    let track = query.into_inner().track;
    let items = state
        .db
        .run(move |conn| service::list_links(conn, &user, track.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(ScreenLinkList { items }))
}

/// Revokes a private screen link (organisers and admins): its address answers 404 from now
/// on. Revoking a revoked link changes nothing.
#[utoipa::path(operation_id = "revokeScreenLink", tag = "live counters",
    params(("id" = ScreenLinkId, Path, description = "The link")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not an organiser or admin"),
        (status = 404, description = "No such link"),
    ))]
#[delete("/api/v1/screen-links/{id}")]
pub async fn revoke_screen_link(
    state: web::Data<AppState>,
    user: Actor,
    id: web::Path<ScreenLinkId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state
        .db
        .write(move |conn| service::revoke_link(conn, &user, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
