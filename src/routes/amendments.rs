//! `/api/v1/pledges/{id}/amendment*` and `/api/v1/moderation/amendments`: amendments to
//! published pledges.

use actix_web::{get, http::header, patch, post, web, HttpRequest, HttpResponse};

use super::{paged, pledges::if_match};
use crate::{
    domain::{
        actor::Actor, amendment::AmendmentAction, ids::PledgeId, pledge::PledgeChanges,
        report::ReturnInput,
    },
    error::AppResult,
    pagination::PageParams,
    services::amendments::{self as service, AmendmentView},
    state::AppState,
};

super::page_envelope!(AmendmentPage, AmendmentView);

/// An amendment with the pledge's version as `ETag`.
fn with_etag(mut response: actix_web::HttpResponseBuilder, view: &AmendmentView) -> HttpResponse {
    response
        .insert_header((header::ETAG, format!("\"{}\"", view.pledge_version)))
        .json(view)
}

/// The pledge's latest amendment (open or decided), for its organisation and staff; 404 for
/// anyone else, and when the pledge never had one. The public keeps seeing the published
/// pledge (`GET /pledges/{id}`) until an amendment is approved.
#[utoipa::path(operation_id = "getPledgeAmendment", tag = "amendments",
    params(("id" = PledgeId, Path, description = "The pledge")), security(("bearer" = [])),
    responses(
        (status = 200, body = AmendmentView, headers(("ETag" = String, description = "The pledge's version"))),
    ))]
#[get("/api/v1/pledges/{id}/amendment")]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<PledgeId>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let view = state
        .db
        .run(move |conn| service::get(conn, &id, &user))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

/// Proposes an amendment to a published (or inactive) pledge, for its organisation: the body
/// is that of a pledge edit, merged over the published pledge and checked whole. The published
/// pledge stays as it is until a moderator approves; the moderators of its tracks are told by
/// email. One open amendment per pledge.
#[utoipa::path(operation_id = "proposePledgeAmendment", tag = "amendments", request_body = PledgeChanges,
    params(("id" = PledgeId, Path, description = "The pledge"),
        ("If-Match" = Option<String>, Header, pattern = r#"^((W/)?"?[0-9]+"?|\*)$"#, description = "Optional: the version the caller saw")),
    security(("bearer" = [])),
    responses(
        (status = 201, body = AmendmentView, headers(
            ("ETag" = String, description = "The pledge's new version"),
            ("Location" = String, description = "The amendment's address"),
        )),
        (status = 403, description = "Not the pledge's organisation (`not_allowed`), or an unverified email (`email_not_verified`)"),
        (status = 409, description = "An amendment is already open (`amendment_open`), or the pledge is not published (`not_amendable`)"),
        (status = 412, description = "The pledge changed since it was read"),
        (status = 422, description = "Invalid fields, or nothing would change (`amendment_unchanged`)"),
    ))]
#[post("/api/v1/pledges/{id}/amendment")]
pub async fn propose(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
    changes: web::Json<PledgeChanges>,
) -> AppResult<HttpResponse> {
    let version = if_match(&req)?;
    let vocabularies = state.vocabularies.clone();
    let links = state.links.clone();
    let view = state
        .db
        .write(move |conn| {
            service::propose(conn, &id, &user, version, &changes, &vocabularies, &links)
        })
        .await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        header::LOCATION,
        format!("/api/v1/pledges/{}/amendment", view.pledge_id),
    ));
    Ok(with_etag(response, &view))
}

/// Edits the open amendment, for the pledge's organisation: the body (that of a pledge edit)
/// is merged over what the amendment proposes. Needs `If-Match` with the pledge's version.
#[utoipa::path(operation_id = "updatePledgeAmendment", tag = "amendments", request_body = PledgeChanges,
    params(("id" = PledgeId, Path, description = "The pledge"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"?[0-9]+"?$"#, description = "The pledge's version (ETag) the edit is based on")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AmendmentView, headers(("ETag" = String, description = "The pledge's new version"))),
        (status = 403, description = "Not the pledge's organisation"),
        (status = 409, description = "The amendment was decided or withdrawn (`amendment_not_open`), or the pledge is not published (`not_amendable`)"),
        (status = 412, description = "The pledge or its amendment changed since it was read"),
        (status = 422, description = "Invalid fields, or nothing would change (`amendment_unchanged`)"),
        (status = 428, description = "If-Match is missing"),
    ))]
#[patch("/api/v1/pledges/{id}/amendment")]
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
    changes: web::Json<PledgeChanges>,
) -> AppResult<HttpResponse> {
    let version = if_match(&req)?;
    let vocabularies = state.vocabularies.clone();
    let view = state
        .db
        .write(move |conn| service::edit(conn, &id, &user, version, &changes, &vocabularies))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

/// Withdraws the open amendment, for the pledge's organisation; the published pledge stays as
/// it is.
#[utoipa::path(operation_id = "withdrawPledgeAmendment", tag = "amendments",
    params(("id" = PledgeId, Path, description = "The pledge"),
        ("If-Match" = Option<String>, Header, pattern = r#"^((W/)?"?[0-9]+"?|\*)$"#, description = "Optional: the version the caller saw")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AmendmentView, description = "The amendment, withdrawn", headers(("ETag" = String, description = "The pledge's new version"))),
        (status = 403, description = "Not the pledge's organisation"),
        (status = 409, description = "The amendment was already decided or withdrawn (`amendment_not_open`)"),
        (status = 412, description = "The pledge changed since it was read"),
    ))]
#[post("/api/v1/pledges/{id}/amendment/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
) -> AppResult<HttpResponse> {
    let version = if_match(&req)?;
    let view = state
        .db
        .write(move |conn| service::withdraw(conn, &id, &user, version))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &view))
}

/// Approves the open amendment (moderators of the pledge's tracks, admins; never their own
/// organisation's): it becomes the published pledge, with a new version, in the catalogue and
/// the counters at once; the history records what changed and the organisation is told.
#[utoipa::path(operation_id = "approvePledgeAmendment", tag = "amendments",
    params(("id" = PledgeId, Path, description = "The pledge"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"?[0-9]+"?$"#, description = "The pledge's version the moderator saw with the amendment")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AmendmentView, description = "The amendment, approved", headers(("ETag" = String, description = "The pledge's new version"))),
        (status = 403, description = "Not a moderator of the pledge's tracks (`out_of_scope`), the caller's own organisation's pledge (`own_organisation`), or an organisation no longer verified (`organisation_not_verified`)"),
        (status = 409, description = "The amendment was already decided or withdrawn (`amendment_not_open`), or the pledge is no longer published (`not_amendable`)"),
        (status = 412, description = "The pledge or its amendment changed since it was read"),
        (status = 428, description = "If-Match is missing"),
    ))]
#[post("/api/v1/pledges/{id}/amendment/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
) -> AppResult<HttpResponse> {
    decide(state, req, id, user, AmendmentAction::Approve, None).await
}

/// Refuses the open amendment with a reason, which the organisation is told; the published
/// pledge stays as it is.
#[utoipa::path(operation_id = "refusePledgeAmendment", tag = "amendments", request_body = ReturnInput,
    params(("id" = PledgeId, Path, description = "The pledge"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"?[0-9]+"?$"#, description = "The pledge's version the moderator saw with the amendment")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AmendmentView, description = "The amendment, refused", headers(("ETag" = String, description = "The pledge's new version"))),
        (status = 403, description = "Not a moderator of the pledge's tracks (`out_of_scope`), or the caller's own organisation's pledge (`own_organisation`)"),
        (status = 409, description = "The amendment was already decided or withdrawn (`amendment_not_open`), or the pledge is no longer published (`not_amendable`)"),
        (status = 412, description = "The pledge or its amendment changed since it was read"),
        (status = 422, description = "The reason is missing"),
        (status = 428, description = "If-Match is missing"),
    ))]
#[post("/api/v1/pledges/{id}/amendment/refuse")]
pub async fn refuse(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
    body: web::Json<ReturnInput>,
) -> AppResult<HttpResponse> {
    let reason = body.parse()?.to_owned();
    decide(state, req, id, user, AmendmentAction::Refuse, Some(reason)).await
}

async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PledgeId>,
    user: Actor,
    action: AmendmentAction,
    reason: Option<String>,
) -> AppResult<HttpResponse> {
    let version = if_match(&req)?;
    let links = state.links.clone();
    let view = state
        .db
        .write(move |conn| {
            service::decide(conn, &id, &user, action, version, reason.as_deref(), &links)
        })
        .await?;
    state.live.poke();
    Ok(with_etag(HttpResponse::Ok(), &view))
}

/// Open amendments waiting for a decision, oldest change first (moderators and admins).
#[utoipa::path(operation_id = "listAmendmentsToReview", tag = "moderation", params(PageParams), security(("bearer" = [])),
    responses(
        (status = 200, body = AmendmentPage, description = "A page", headers(("Link" = String, description = "`<...>; rel=\"next\"`: the next page, same query; absent on the last page"))),
        (status = 403, description = "Not a moderator or admin"),
    ))]
#[get("/api/v1/moderation/amendments")]
pub async fn waiting(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Actor,
    page: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let page = state
        .db
        .run(move |conn| service::waiting(conn, &user, &page))
        .await?;
    Ok(paged(&req, page))
}
