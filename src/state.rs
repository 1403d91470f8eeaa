//! The state every handler can reach: the database, settings, token keys, rate limits, the
//! live counters and the contract. Built once by `startup`; nothing here knows about routes.

use std::sync::Arc;

use crate::{
    auth::{rate_limit::RateLimits, tokens::TokenKeys},
    config::Settings,
    db::Database,
    email::Links,
    error::AppResult,
    live::LiveCounters,
};

/// What every handler can reach.
pub struct AppState {
    pub db: Database,
    pub settings: Arc<Settings>,
    pub tokens: TokenKeys,
    pub rate_limits: RateLimits,
    pub links: Links,
    pub live: Arc<LiveCounters>,
}

impl AppState {
    /// Builds the state: loads (or, on first start, creates) the token signing key.
    pub async fn new(db: Database, settings: Settings) -> AppResult<Self> {
        let secret = settings.jwt_secret.clone();
        let issuer = settings.effective_public_url();
        let ttl = settings.access_token_ttl_secs.max(1);
        let tokens = db
            .run(move |conn| TokenKeys::load(conn, secret.as_deref(), issuer, ttl))
            .await?;
        let live = LiveCounters::start(db.clone(), settings.effective_database_url()).await?;
        Ok(Self {
            live,
            db,
            rate_limits: RateLimits::new(settings.rate_limits()),
            links: Links::from_settings(&settings),
            tokens,
            settings: Arc::new(settings),
        })
    }
}
