//! Extractors: the authenticated caller from a `Bearer` access token, as a domain [`Actor`].
//! The account is re-read on every request, so a disabled account or a changed role takes
//! effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::{
    domain::{
        actor::Actor,
        language::{negotiate, Language},
    },
    error::AppError,
    services::accounts,
    state::AppState,
};

/// The caller if a token was presented. No `Authorization` header means anonymous; a header
/// with a bad token is still a 401, so a client never silently loses its identity.
#[derive(Debug, Clone)]
pub struct MaybeActor(pub Option<Actor>);

type LocalFuture<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

async fn authenticate(
    state: Option<web::Data<AppState>>,
    authorization: Option<String>,
) -> Result<Option<Actor>, AppError> {
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
    let actor = state
        .db
        .run(move |conn| accounts::actor(conn, &claims.sub.into(), claims.gen))
        .await?;
    actor.map(Some).ok_or(AppError::Unauthorized)
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

impl FromRequest for Actor {
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

impl FromRequest for MaybeActor {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, authorization) = parts(req);
        Box::pin(async move { authenticate(state, authorization).await.map(MaybeActor) })
    }
}

/// The language of the answer (`domain::language::negotiate`): the `lang` query parameter, which
/// must name one of the six languages (400 `invalid_query` otherwise), else `Accept-Language`.
#[derive(Debug, Clone, Copy)]
pub struct Negotiated(pub Language);

/// The one query parameter [`Negotiated`] reads; the handler's own query struct ignores it
/// or declares it for the contract.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangParam {
    /// The answer's language; wins over `Accept-Language`.
    #[param(value_type = Option<Language>)]
    pub lang: Option<String>,
}

impl FromRequest for Negotiated {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(negotiated(req))
    }
}

/// The language of an answer that must not fail on its own account (a problem document): as
/// [`Negotiated`], with a `lang` that names no language ignored.
pub fn lenient_language(query: &str, accept_language: Option<&str>) -> Language {
    let asked = web::Query::<LangParam>::from_query(query)
        .ok()
        .and_then(|q| q.into_inner().lang)
        .and_then(|lang| lang.parse::<Language>().ok());
    negotiate(asked, accept_language)
}

fn negotiated(req: &HttpRequest) -> Result<Negotiated, AppError> {
    let asked = web::Query::<LangParam>::from_query(req.query_string())
        // `lang` given twice, or a query string that is not one.
        .map_err(|e| AppError::InvalidQuery(e.to_string()))?
        .into_inner()
        .lang
        .map(|lang| {
            lang.parse::<Language>()
                .map_err(|e| AppError::InvalidQuery(format!("lang: {e}")))
        })
        .transpose()?;
    let header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Ok(Negotiated(negotiate(asked, header)))
}
