//! The state every handler can reach: the database, settings, token keys, rate limits, the
//! live counters and the contract. Built once by `startup`; nothing here knows about routes.

use std::sync::Arc;

use crate::{
    auth::{
        password::Gate,
        rate_limit::{RateLimitSettings, RateLimits},
        tokens::TokenKeys,
    },
    cache::{PublicViews, Vocabularies},
    config::Settings,
    db::{Database, DbConnection},
    email::Links,
    error::AppResult,
    live::LiveCounters,
};

/// The `iss` of every access token.
pub const TOKEN_ISSUER: &str = "pledgeboard";

/// What every handler can reach.
pub struct AppState {
    pub db: Database,
    /// This process among the instances sharing the database (random, per start).
    pub instance: String,
    pub settings: Arc<Settings>,
    pub tokens: TokenKeys,
    pub rate_limits: RateLimits,
    pub links: Links,
    pub live: Arc<LiveCounters>,
    /// Bounds the password checks running at once.
    pub passwords: Gate,
    /// Rendered public answers, cleared by every write.
    pub views: PublicViews,
    /// The vocabulary pledges are checked against.
    pub vocabularies: Arc<Vocabularies>,
    /// Wakes this instance's reveal loop when a moment to reveal a pledge at is set here
    /// (`startup::spawn_reveals`); moments set elsewhere are found by its next look.
    pub reveals: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// Builds the state: loads (or, on first start, creates) the token signing key.
    pub async fn new(db: Database, settings: Settings) -> AppResult<Self> {
        let secret = settings.jwt_secret.clone();
        // The same on every instance, whatever address each one binds or is reached at: the
        // instances behind one load balancer share a database and accept each other's tokens.
        let issuer = TOKEN_ISSUER.to_owned();
        let ttl = settings.access_token_ttl_secs.max(1);
        let tokens = db
            .run(move |conn| TokenKeys::load(conn, secret.as_deref(), issuer, ttl))
            .await?;
        let live = LiveCounters::start(db.clone(), settings.effective_database_url()).await?;
        Ok(Self {
            instance: uuid::Uuid::new_v4().to_string(),
            live,
            db,
            rate_limits: RateLimits::new(RateLimitSettings::from_settings(&settings)),
            views: PublicViews::new(
                std::time::Duration::from_secs(settings.public_max_age_secs),
                settings.view_cache_bytes,
            ),
            passwords: Gate::new(
                settings.password_hashing_concurrency,
                settings.password_hashing_queue,
            ),
            vocabularies: Arc::default(),
            reveals: Arc::default(),
            links: Links::from_settings(&settings),
            tokens,
            settings: Arc::new(settings),
        })
    }

    /// Runs `f`, which checks or hashes a password, once the password gate admits it: a storm
    /// of logins takes its share of the cores, and one that overflows hears 503 at once.
    pub async fn run_with_password<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let _admitted = self.passwords.enter().await?;
        // Not on the writer connection (`Database::write`): hashing would hold up every write.
        self.db.run(f).await
    }
}
