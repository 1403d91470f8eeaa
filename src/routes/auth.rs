//! `/api/v1/auth/*` and `/api/v1/me`: registration, verification, sessions, password reset.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{client::client_ip, extract::Negotiated, organisations::OrganisationView};
use crate::{
    domain::account::{
        LoginRequest, Organisation, OrganisationRole, PasswordResetConfirm, PasswordResetRequest,
        PlatformRole, ProfileChangesRequest, RefreshRequest, RegisterRequest, User,
    },
    domain::actor::Actor,
    domain::ids::{OrganisationId, UserId},
    domain::language::Language,
    error::AppResult,
    services::accounts::{self, TokenPair},
    state::AppState,
};

/// A user as the API shows it: never the password hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    #[schema(format = "email")]
    pub email: String,
    pub display_name: String,
    pub role: PlatformRole,
    pub organisation_id: Option<OrganisationId>,
    pub organisation_role: Option<OrganisationRole>,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// The language of the account's emails and linked pages.
    pub language: Language,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            organisation_id: u.organisation_id,
            organisation_role: u.organisation_role,
            email_verified: u.email_verified,
            disabled: u.disabled,
            created_at: u.created_at.and_utc(),
            language: u.language,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub user: UserView,
    pub organisation: Option<OrganisationView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub message: &'static str,
}

fn refresh_ttl(state: &AppState) -> Duration {
    Duration::days(state.settings.refresh_token_ttl_days.max(1))
}

/// Registers an organisation with its first user, its owner. Answers the same way whether or
/// not the address already has an account (its owner is emailed a notice instead).
#[utoipa::path(operation_id = "registerAccount", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, body = Account, description = "Registered; a verification link is emailed"),
        (status = 422),
        (status = 429),
    ))]
#[post("/api/v1/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterRequest>,
    Negotiated(language): Negotiated,
) -> AppResult<HttpResponse> {
    state
        .rate_limits
        .register(client_ip(&req, state.settings.proxy_hops()))?;
    let links = state.links.clone();
    let registered = state
        .run_with_password(move |conn| {
            accounts::register(conn, body.into_inner(), &links, language)
        })
        .await?;
    Ok(HttpResponse::Created().json(Account {
        user: registered.user.into(),
        organisation: Some(registered.organisation.into()),
    }))
}

/// Confirms an email address with the token from the emailed link.
#[utoipa::path(operation_id = "verifyEmail", tag = "auth", request_body = TokenBody,
    responses((status = 204), (status = 400, description = "The token is invalid, used or expired (`invalid_token`), or the body is malformed")))]
#[post("/api/v1/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    body: web::Json<TokenBody>,
) -> AppResult<HttpResponse> {
    state
        .db
        .write(move |conn| accounts::verify_email(conn, &body.token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Opens a session: a short-lived access token and a single-use refresh token.
#[utoipa::path(operation_id = "logIn", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = TokenPair),
        (status = 401, description = "Wrong address or password (the same answer for both): `invalid_credentials`"),
        (status = 429),
    ))]
#[post("/api/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let email = body.email.trim().to_lowercase();
    state
        .rate_limits
        .login(client_ip(&req, state.settings.proxy_hops()), &email)?;
    let app = state.clone();
    let pair = state
        .run_with_password(move |conn| accounts::login(conn, &body, &app.tokens, refresh_ttl(&app)))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(pair))
}

/// Exchanges a refresh token for a new pair. A token used twice revokes its whole session.
#[utoipa::path(operation_id = "refreshSession", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, description = "The refresh token is invalid, expired or already used (`invalid_refresh_token`)")))]
#[post("/api/v1/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let app = state.clone();
    let pair = state
        .db
        .write(move |conn| {
            accounts::refresh(conn, &body.refresh_token, &app.tokens, refresh_ttl(&app))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(pair))
}

/// Ends the session the refresh token belongs to.
#[utoipa::path(operation_id = "logOut", tag = "auth", request_body = RefreshRequest,
    responses((status = 204)))]
#[post("/api/v1/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> AppResult<HttpResponse> {
    state
        .db
        .write(move |conn| accounts::logout(conn, &body.refresh_token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Emails a reset link when the address has an account. The answer is the same either way.
#[utoipa::path(operation_id = "requestPasswordReset", tag = "auth", request_body = PasswordResetRequest,
    responses((status = 202, body = Accepted), (status = 422, description = "Not an email address"), (status = 429)))]
#[post("/api/v1/auth/password-reset")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<PasswordResetRequest>,
) -> AppResult<HttpResponse> {
    state
        .rate_limits
        .password_reset(client_ip(&req, state.settings.proxy_hops()))?;
    let links = state.links.clone();
    state
        .db
        .write(move |conn| accounts::request_password_reset(conn, &body, &links))
        .await?;
    Ok(HttpResponse::Accepted().json(Accepted {
        message: "if this address has an account, a reset link is on its way",
    }))
}

/// Sets a new password with the emailed token; every session is signed out.
#[utoipa::path(operation_id = "confirmPasswordReset", tag = "auth", request_body = PasswordResetConfirm,
    responses(
        (status = 204),
        (status = 400, description = "The token is invalid, used or expired (`invalid_token`), or the body is malformed"),
        (status = 422),
    ))]
#[post("/api/v1/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    body: web::Json<PasswordResetConfirm>,
) -> AppResult<HttpResponse> {
    let links = state.links.clone();
    state
        .run_with_password(move |conn| accounts::confirm_password_reset(conn, &body, &links))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the signed-in user's own name or language.
#[utoipa::path(operation_id = "updateCurrentAccount", tag = "auth", security(("bearer" = [])),
    request_body = ProfileChangesRequest,
    responses((status = 200, body = Account), (status = 422)))]
#[patch("/api/v1/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    user: Actor,
    body: web::Json<ProfileChangesRequest>,
) -> AppResult<HttpResponse> {
    let changes = body.into_inner();
    let (user, organisation) = state
        .db
        .write(move |conn| accounts::update_profile(conn, &user.id, &changes))
        .await?;
    Ok(own_account(user, organisation))
}

/// A user's own account, as only they see it.
fn own_account(user: User, organisation: Option<Organisation>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Account {
            user: user.into(),
            organisation: organisation.map(OrganisationView::from),
        })
}

/// The signed-in user and their organisation.
#[utoipa::path(operation_id = "getCurrentAccount", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Account)))]
#[get("/api/v1/me")]
pub async fn me(state: web::Data<AppState>, user: Actor) -> AppResult<HttpResponse> {
    let (user, organisation) = state
        .db
        .run(move |conn| accounts::account(conn, &user.id))
        .await?;
    Ok(own_account(user, organisation))
}
