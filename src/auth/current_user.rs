//! The authenticated caller, from a `Bearer` access token. The user is re-read on every
//! request, so a disabled account or a changed role takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::{
    domain::account::{OrganisationRole, PlatformRole},
    error::AppError,
    services::accounts,
    startup::AppState,
};

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: PlatformRole,
    pub organisation_id: Option<String>,
    pub organisation_role: Option<OrganisationRole>,
    pub email_verified: bool,
}

impl CurrentUser {
    pub fn belongs_to(&self, organisation_id: &str) -> bool {
        self.organisation_id.as_deref() == Some(organisation_id)
    }

    pub fn is_owner_of(&self, organisation_id: &str) -> bool {
        self.belongs_to(organisation_id) && self.organisation_role == Some(OrganisationRole::Owner)
    }

    /// Fails with `Forbidden` unless the caller has one of `roles`.
    pub fn require_role(&self, roles: &[PlatformRole]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl From<accounts::UserRow> for CurrentUser {
    fn from(user: accounts::UserRow) -> Self {
        Self {
            role: user.platform_role(),
            organisation_role: user.organisation_role(),
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            organisation_id: user.organisation_id,
            email_verified: user.email_verified,
        }
    }
}

/// The caller if a token was presented. No `Authorization` header means anonymous; a header
/// with a bad token is still a 401, so a client never silently loses its identity.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

type LocalFuture<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

async fn authenticate(
    state: Option<web::Data<AppState>>,
    authorization: Option<String>,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(authorization) = authorization else {
        return Ok(None);
    };
    let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
    let token = authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))
        .ok_or(AppError::Unauthorized)?
        .trim()
        .to_owned();
    let claims = state.tokens.verify(&token)?;
    let user = state
        .db
        .run(move |conn| accounts::find_user(conn, &claims.sub))
        .await?;
    match user {
        Some(user) if !user.disabled => Ok(Some(user.into())),
        _ => Err(AppError::Unauthorized),
    }
}

fn parts(req: &HttpRequest) -> (Option<web::Data<AppState>>, Option<String>) {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (state, authorization)
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, authorization) = parts(req);
        Box::pin(async move {
            authenticate(state, authorization)
                .await?
                .ok_or(AppError::Unauthorized)
        })
    }
}

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, authorization) = parts(req);
        Box::pin(async move { authenticate(state, authorization).await.map(MaybeUser) })
    }
}
