//! `/api/v1/organisations/*` and `/api/v1/invitations/accept`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    auth::{Account, UserView},
    list_envelope, paged,
};
use crate::{
    domain::account::{
        AcceptInvitation, Invitation, NewInvitation, Organisation, OrganisationChanges,
        OrganisationKind, OrganisationRole,
    },
    domain::actor::Actor,
    domain::ids::*,
    error::AppResult,
    pagination::{Page, PageParams},
    routes::extract::MaybeActor,
    services::organisations as service,
    state::AppState,
};

/// An organisation as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    /// ISO 3166-1 alpha-3 code.
    #[schema(pattern = "^[A-Z]{3}$", example = "GHA")]
    pub country: String,
    pub website: Option<String>,
    /// Set by a moderator once the organisation is confirmed to be who it says it is.
    pub verified: bool,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Organisation> for OrganisationView {
    fn from(o: Organisation) -> Self {
        Self {
            id: o.id,
            name: o.name,
            kind: o.kind,
            country: o.country,
            website: o.website,
            verified: o.verified,
            verified_at: o.verified_at.map(|t| t.and_utc()),
            created_at: o.created_at.and_utc(),
            updated_at: o.updated_at.and_utc(),
        }
    }
}

/// An invitation as the API shows it (never its token).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: InvitationId,
    pub organisation_id: OrganisationId,
    #[schema(format = "email")]
    pub email: String,
    pub role: OrganisationRole,
    pub expires_at: DateTime<Utc>,
}

impl From<Invitation> for InvitationView {
    fn from(i: Invitation) -> Self {
        Self {
            id: i.id,
            organisation_id: i.organisation_id,
            email: i.email,
            role: i.role,
            expires_at: i.expires_at.and_utc(),
        }
    }
}

super::page_envelope!(OrganisationPage, OrganisationView);

/// Verified organisations by name (staff see all), with keyset pagination.
#[utoipa::path(operation_id = "listOrganisations", tag = "organisations", params(PageParams), security((), ("bearer" = [])),
    responses((status = 200, body = OrganisationPage, description = "A page", headers(("Link" = String, description = "`<...>; rel=\"next\"`: the next page, same query; absent on the last page")))))]
#[get("/api/v1/organisations")]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: MaybeActor,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let result = state
        .db
        .run(move |conn| service::list(conn, viewer.0.as_ref(), &page))
        .await?;
    let result = Page {
        items: result
            .items
            .into_iter()
            .map(OrganisationView::from)
            .collect(),
        next_cursor: result.next_cursor,
    };
    Ok(paged(&req, result))
}

/// One organisation. Unverified ones are visible only to their own people and staff.
#[utoipa::path(operation_id = "getOrganisation", tag = "organisations", params(("id" = OrganisationId, Path, description = "The organisation")),
    security((), ("bearer" = [])), responses((status = 200, body = OrganisationView)))]
#[get("/api/v1/organisations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    viewer: MaybeActor,
) -> AppResult<HttpResponse> {
    let org = state
        .db
        .run(move |conn| service::get(conn, &id, viewer.0.as_ref()))
        .await?;
    Ok(HttpResponse::Ok().json(OrganisationView::from(org)))
}

/// Edits an organisation (its owner, or an admin). Changing the name, kind or country of a
/// verified organisation withdraws its verification until a moderator confirms it again.
#[utoipa::path(operation_id = "updateOrganisation", tag = "organisations", params(("id" = OrganisationId, Path, description = "The organisation")), request_body = OrganisationChanges,
    security(("bearer" = [])),
    responses(
        (status = 200, body = OrganisationView),
        (status = 403, description = "Neither the organisation's owner nor an admin"),
        (status = 422),
    ))]
#[patch("/api/v1/organisations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    user: Actor,
    body: web::Json<OrganisationChanges>,
) -> AppResult<HttpResponse> {
    let org = state
        .db
        .write(move |conn| service::update(conn, &id, &user, &body))
        .await?;
    // A change of kind moves the figures of the organisation's counted pledges.
    state.live.poke();
    Ok(HttpResponse::Ok().json(OrganisationView::from(org)))
}

/// Marks an organisation verified (moderators and admins; never their own).
#[utoipa::path(operation_id = "verifyOrganisation", tag = "organisations", params(("id" = OrganisationId, Path, description = "The organisation")), security(("bearer" = [])),
    responses((status = 200, body = OrganisationView), (status = 403, description = "Not a moderator or admin, or the caller's own organisation")))]
#[post("/api/v1/organisations/{id}/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let org = state
        .db
        .write(move |conn| service::verify(conn, &id, &user))
        .await?;
    Ok(HttpResponse::Ok().json(OrganisationView::from(org)))
}

/// Invites a colleague by email (the owner, or an admin).
#[utoipa::path(operation_id = "inviteMember", tag = "organisations", params(("id" = OrganisationId, Path, description = "The organisation")), request_body = NewInvitation,
    security(("bearer" = [])),
    responses((status = 201, body = InvitationView), (status = 403, description = "Neither the organisation's owner nor an admin"), (status = 422)))]
#[post("/api/v1/organisations/{id}/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    user: Actor,
    body: web::Json<NewInvitation>,
) -> AppResult<HttpResponse> {
    let links = state.links.clone();
    let invitation = state
        .db
        .write(move |conn| service::invite(conn, &id, &user, &body, &links))
        .await?;
    Ok(HttpResponse::Created().json(InvitationView::from(invitation)))
}

list_envelope!(MemberList, UserView);
list_envelope!(InvitationList, InvitationView);

/// The organisation's open invitations, newest first (the owner, or an admin).
#[utoipa::path(operation_id = "listInvitations", tag = "organisations", params(("id" = OrganisationId, Path, description = "The organisation")),
    security(("bearer" = [])),
    responses((status = 200, body = InvitationList), (status = 403, description = "Neither the organisation's owner nor an admin")))]
#[get("/api/v1/organisations/{id}/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let open = state
        .db
        .run(move |conn| service::invitations(conn, &id, &user))
        .await?;
    Ok(HttpResponse::Ok().json(InvitationList {
        items: open.into_iter().map(InvitationView::from).collect(),
    }))
}

/// Withdraws an open invitation: its emailed link stops working (the owner, or an admin).
#[utoipa::path(operation_id = "revokeInvitation", tag = "organisations",
    params(("id" = OrganisationId, Path, description = "The organisation"), ("invitation_id" = InvitationId, Path, description = "The invitation")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Neither the organisation's owner nor an admin"),
        (status = 404, description = "No such open invitation"),
    ))]
#[delete("/api/v1/organisations/{id}/invitations/{invitation_id}")]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    path: web::Path<(OrganisationId, InvitationId)>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let (id, invitation) = path.into_inner();
    state
        .db
        .write(move |conn| service::revoke_invitation(conn, &id, &user, &invitation))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who hands ownership to whom.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    /// A member of the organisation.
    pub user_id: UserId,
}

/// The organisation's members, owners first (the owner, or an admin).
#[utoipa::path(operation_id = "listMembers", tag = "organisations", params(("id" = OrganisationId, Path, description = "The organisation")),
    security(("bearer" = [])),
    responses((status = 200, body = MemberList), (status = 403, description = "Neither the organisation's owner nor an admin")))]
#[get("/api/v1/organisations/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let team = state
        .db
        .run(move |conn| service::members(conn, &id, &user))
        .await?;
    Ok(HttpResponse::Ok().json(MemberList {
        items: team.into_iter().map(UserView::from).collect(),
    }))
}

/// Takes a member out of the organisation; the pledges they made stay its own (the owner, or an
/// admin). An owner hands ownership on first.
#[utoipa::path(operation_id = "removeMember", tag = "organisations",
    params(("id" = OrganisationId, Path, description = "The organisation"), ("user_id" = UserId, Path, description = "The member")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Neither the organisation's owner nor an admin"),
        (status = 404, description = "No such member of the organisation"),
        (status = 409, description = "The member is the owner (`owner_cannot_be_removed`)"),
    ))]
#[delete("/api/v1/organisations/{id}/members/{user_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    path: web::Path<(OrganisationId, UserId)>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let (id, member) = path.into_inner();
    state
        .db
        .write(move |conn| service::remove_member(conn, &id, &user, &member))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Hands ownership to another member; the owner so far stays on as a member (the owner, or an
/// admin). Answers the members as they are then.
#[utoipa::path(operation_id = "handOverOwnership", tag = "organisations", params(("id" = OrganisationId, Path, description = "The organisation")), request_body = NewOwner,
    security(("bearer" = [])),
    responses(
        (status = 200, body = MemberList),
        (status = 403, description = "Neither the organisation's owner nor an admin"),
        (status = 404, description = "No such member of the organisation"),
        (status = 409, description = "The member's account is disabled (`member_disabled`)"),
    ))]
#[post("/api/v1/organisations/{id}/owner")]
pub async fn hand_over(
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    user: Actor,
    body: web::Json<NewOwner>,
) -> AppResult<HttpResponse> {
    let team = state
        .db
        .write(move |conn| service::hand_over(conn, &id, &user, &body.user_id))
        .await?;
    Ok(HttpResponse::Ok().json(MemberList {
        items: team.into_iter().map(UserView::from).collect(),
    }))
}

/// Accepts an invitation: creates the invited user in the organisation.
#[utoipa::path(operation_id = "acceptInvitation", tag = "organisations", request_body = AcceptInvitation,
    responses(
        (status = 201, body = Account),
        (status = 400, description = "The token is invalid, used or expired (`invalid_token`), or the body is malformed"),
        (status = 409, description = "The address already has an account"),
        (status = 422),
    ))]
#[post("/api/v1/invitations/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    body: web::Json<AcceptInvitation>,
) -> AppResult<HttpResponse> {
    let (user, org) = state
        .run_with_password(move |conn| service::accept_invitation(conn, &body))
        .await?;
    Ok(HttpResponse::Created().json(Account {
        user: user.into(),
        organisation: Some(org.into()),
    }))
}
