//! Settings: command-line flags, each with an environment variable, optionally from `.env`.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// pledgeboard: pledges, moderation, email and live counters for pledging coalitions.
#[derive(Debug, Parser)]
#[command(name = "pledgeboard", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default): migrates the database first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI description generated from the code (regenerates openapi.yaml).
    Openapi,
    /// Add realistic demo organisations and published pledges, up to the given number of
    /// pledges (safe to rerun).
    SeedDemo {
        /// How many demo pledges there should be.
        #[arg(long, default_value_t = 200)]
        pledges: usize,
    },
    /// Write a consistent copy of the embedded (SQLite) database to FILE while the service runs;
    /// restore by putting the copy in place of the database file while the service is stopped.
    /// On PostgreSQL use `pg_dump` (see docs/operations.md).
    Backup {
        /// Where to write the copy; it must not exist yet.
        file: std::path::PathBuf,
    },
    /// Rebuild the live counters from the pledges (they are kept up to date incrementally; this
    /// repairs them after manual changes to the database).
    Recount,
    /// Create a staff account (its email counts as verified); the password is read from
    /// standard input.
    CreateStaff {
        /// `admin`, `moderator` or `organiser`.
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "PLEDGEBOARD_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// Folder for the embedded SQLite database, the mail folder (`mail/`) and generated keys;
    /// created when missing.
    #[arg(
        long,
        env = "PLEDGEBOARD_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Database to use: `postgres://...` for PostgreSQL, or a SQLite file path
    /// (default: `<data-dir>/pledgeboard.sqlite3`).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// SMTP server for outgoing mail, e.g. `smtps://user:pass@mail.example.org` or
    /// `smtp://relay:25?tls=required`. Without it, messages are written as `.eml` files into
    /// `<data-dir>/mail/`.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Public base URL of the service, used to form links in emails (default: `http://<bind>`).
    #[arg(long, env = "PLEDGEBOARD_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Largest request body accepted, in bytes; larger bodies get 413.
    #[arg(long, env = "PLEDGEBOARD_BODY_LIMIT", default_value_t = 2 * 1024 * 1024, global = true)]
    pub body_limit: usize,

    /// Maximum number of pooled database connections.
    #[arg(
        long,
        env = "PLEDGEBOARD_DB_POOL_SIZE",
        default_value_t = 8,
        global = true
    )]
    pub db_pool_size: u32,

    /// Number of HTTP worker threads (default: one per core).
    #[arg(long, env = "PLEDGEBOARD_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Most client connections the instance holds at once, stream subscribers included; past
    /// it, new connections wait in the listener's queue. Default: what the open-file limit
    /// (raised to its hard ceiling at start) leaves after the database pool's share.
    #[arg(long, env = "PLEDGEBOARD_MAX_CONNECTIONS", global = true)]
    pub max_connections: Option<usize>,

    /// Sender of outgoing mail (`From:`), default `pledgeboard <noreply@HOST>` with the public URL's host.
    #[arg(long, env = "PLEDGEBOARD_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// How many times a message is tried before it is marked dead.
    #[arg(
        long,
        env = "PLEDGEBOARD_MAIL_MAX_ATTEMPTS",
        default_value_t = 8,
        global = true
    )]
    pub mail_max_attempts: i32,

    /// First retry delay in milliseconds; each further retry doubles it (with jitter).
    #[arg(
        long,
        env = "PLEDGEBOARD_MAIL_BACKOFF_MS",
        default_value_t = 30_000,
        global = true
    )]
    pub mail_backoff_ms: u64,

    /// Longest retry delay in seconds.
    #[arg(
        long,
        env = "PLEDGEBOARD_MAIL_BACKOFF_MAX_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub mail_backoff_max_secs: u64,

    /// How often the delivery worker looks for due messages, in milliseconds.
    #[arg(
        long,
        env = "PLEDGEBOARD_MAIL_POLL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub mail_poll_ms: u64,

    /// How long a claimed message stays reserved for one worker, in seconds; a worker that dies
    /// mid-send (crash, SIGKILL) leaves its claims to be picked up once this has passed.
    #[arg(
        long,
        env = "PLEDGEBOARD_MAIL_LEASE_SECS",
        default_value_t = 120,
        global = true
    )]
    pub mail_lease_secs: u64,

    /// Secret (32+ characters) that signs access tokens. Without it, a key is generated on first
    /// start and kept in the database, so restarts and all instances agree.
    #[arg(
        long,
        env = "PLEDGEBOARD_JWT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,

    /// Lifetime of access tokens, in seconds.
    #[arg(
        long,
        env = "PLEDGEBOARD_ACCESS_TOKEN_TTL_SECS",
        default_value_t = 900,
        global = true
    )]
    pub access_token_ttl_secs: i64,

    /// Lifetime of refresh tokens, in days (each use rotates the token).
    #[arg(
        long,
        env = "PLEDGEBOARD_REFRESH_TOKEN_TTL_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub refresh_token_ttl_days: i64,

    /// Login attempts allowed per client address per minute.
    #[arg(
        long,
        env = "PLEDGEBOARD_LOGIN_PER_IP_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub login_per_ip_per_minute: u32,

    /// Login attempts allowed per account and client address per minute.
    #[arg(
        long,
        env = "PLEDGEBOARD_LOGIN_PER_ACCOUNT_PER_MINUTE",
        default_value_t = 5,
        global = true
    )]
    pub login_per_account_per_minute: u32,

    /// How long any cache may keep an anonymous read of the API (public data), in seconds.
    #[arg(
        long,
        env = "PLEDGEBOARD_PUBLIC_MAX_AGE_SECS",
        default_value_t = 5,
        global = true
    )]
    pub public_max_age_secs: u64,

    /// The most memory the cache of rendered public answers may hold, in bytes (0 turns it
    /// off). Entries live as long as `--public-max-age-secs`.
    #[arg(
        long,
        env = "PLEDGEBOARD_VIEW_CACHE_BYTES",
        default_value_t = 16 * 1024 * 1024,
        global = true
    )]
    pub view_cache_bytes: usize,

    /// Password checks and hashes (argon2id, deliberately slow) run at once: a login storm
    /// takes this many cores and no more (0: half the cores, at least one).
    #[arg(
        long,
        env = "PLEDGEBOARD_PASSWORD_HASHING_CONCURRENCY",
        default_value_t = 0,
        global = true
    )]
    pub password_hashing_concurrency: usize,

    /// Password checks that may wait for a free slot (each up to two seconds); past that a
    /// request hears 503 with `Retry-After` at once instead of queueing without end.
    #[arg(
        long,
        env = "PLEDGEBOARD_PASSWORD_HASHING_QUEUE",
        default_value_t = 32,
        global = true
    )]
    pub password_hashing_queue: usize,

    /// Registrations allowed per client address per hour.
    #[arg(
        long,
        env = "PLEDGEBOARD_REGISTER_PER_IP_PER_HOUR",
        default_value_t = 20,
        global = true
    )]
    pub register_per_ip_per_hour: u32,

    /// Password reset requests allowed per client address per hour.
    #[arg(
        long,
        env = "PLEDGEBOARD_RESET_PER_IP_PER_HOUR",
        default_value_t = 10,
        global = true
    )]
    pub reset_per_ip_per_hour: u32,

    /// Seconds a client has to send a request's body, from its arrival; slower bodies are
    /// answered 408 and the connection is freed.
    #[arg(
        long,
        env = "PLEDGEBOARD_BODY_READ_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub body_read_timeout_secs: u64,

    /// Behind one reverse proxy that appends to `X-Forwarded-For`: the same as
    /// `--trusted-proxy-hops 1`.
    #[arg(
        long,
        env = "PLEDGEBOARD_TRUST_FORWARDED",
        default_value_t = false,
        global = true
    )]
    pub trust_forwarded: bool,

    /// How many reverse proxies in front of the service append to `X-Forwarded-For` (or
    /// `Forwarded`): the client address is the one the outermost of them saw, the N-th entry
    /// from the right; anything a client wrote further left is ignored. 0: the TCP peer.
    #[arg(
        long,
        env = "PLEDGEBOARD_TRUSTED_PROXY_HOPS",
        default_value_t = 0,
        global = true
    )]
    pub trusted_proxy_hops: usize,

    /// Origins that may show the big-screen page (`/live/{track}`) in a frame, e.g. a venue's
    /// signage site; comma-separated. By default no page of the service may be framed.
    #[arg(
        long,
        env = "PLEDGEBOARD_LIVE_FRAME_ANCESTORS",
        value_delimiter = ',',
        global = true
    )]
    pub live_frame_ancestors: Vec<String>,

    /// How often to look for published pledges whose organisation owes last year's progress
    /// report (each is reminded once by email), in seconds; 0 turns reminders off.
    #[arg(
        long,
        env = "PLEDGEBOARD_REMINDER_INTERVAL_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub reminder_interval_secs: u64,

    /// The hour (UTC, 0 to 23) from which each moderator gets the day's digest of what waits in
    /// their remit (none when nothing waits); looked at with the reminders, so it goes out
    /// within one reminder interval after that hour.
    #[arg(
        long,
        env = "PLEDGEBOARD_DIGEST_HOUR_UTC",
        default_value_t = 7,
        value_parser = clap::value_parser!(u32).range(0..24),
        global = true
    )]
    pub digest_hour_utc: u32,

    /// How often to recount the live counters from the pledges and repair any drift (logged and
    /// counted in `/metrics`), in seconds; the first check runs one interval after start. 0 turns
    /// the check off.
    #[arg(
        long,
        env = "PLEDGEBOARD_COUNTER_CHECK_INTERVAL_SECS",
        default_value_t = 86_400,
        global = true
    )]
    pub counter_check_interval_secs: u64,

    /// Web origins allowed to call the API from a browser (CORS), comma-separated, e.g.
    /// `https://pledges.example.org,https://dashboard.example.org`. None: same origin only.
    #[arg(
        long,
        env = "PLEDGEBOARD_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<String>,

    /// Log format: `json` (one object a line) or `pretty`.
    #[arg(long, env = "PLEDGEBOARD_LOG_FORMAT", default_value = "json", value_parser = ["json", "pretty"], global = true)]
    pub log_format: String,
}

impl Settings {
    /// The database URL in effect: the configured one, or the SQLite file in the data folder.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => self
                .data_dir
                .join("pledgeboard.sqlite3")
                .to_string_lossy()
                .into_owned(),
        }
    }

    /// The base of links in emails, without a trailing slash.
    /// The number of trusted proxies (see `--trusted-proxy-hops`).
    pub fn proxy_hops(&self) -> usize {
        if self.trusted_proxy_hops == 0 && self.trust_forwarded {
            1
        } else {
            self.trusted_proxy_hops
        }
    }

    pub fn effective_public_url(&self) -> String {
        match &self.public_url {
            Some(url) if !url.trim().is_empty() => url.trim_end_matches('/').to_owned(),
            _ => format!("http://{}", self.bind),
        }
    }

    /// The folder where the embedded mail transport writes `.eml` files.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// The `From:` address of outgoing mail.
    pub fn effective_mail_from(&self) -> String {
        match &self.mail_from {
            Some(from) if !from.trim().is_empty() => from.clone(),
            _ => format!("pledgeboard <noreply@{}>", self.public_host()),
        }
    }

    /// The host part of the public URL (used in Message-IDs and the default sender).
    pub fn public_host(&self) -> String {
        url::Url::parse(&self.effective_public_url())
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned())
    }

    /// Settings for tests and tools: defaults with the given data folder.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        let mut settings = Cli::parse_from(["pledgeboard"]).settings;
        settings.data_dir = data_dir.into();
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_design() {
        let cli = Cli::try_parse_from(["pledgeboard"]).unwrap();
        let s = cli.settings;
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.data_dir, PathBuf::from("./data"));
        assert!(s.effective_database_url().ends_with("pledgeboard.sqlite3"));
        assert_eq!(s.effective_public_url(), "http://127.0.0.1:8080");
        assert!(cli.command.is_none());
    }

    #[test]
    fn flags_are_parsed_with_subcommands() {
        let cli = Cli::try_parse_from([
            "pledgeboard",
            "migrate",
            "--database-url",
            "postgres://u@h/db",
            "--public-url",
            "https://pledges.example.org/",
        ])
        .unwrap();
        assert!(matches!(cli.command, Some(Command::Migrate)));
        assert_eq!(cli.settings.effective_database_url(), "postgres://u@h/db");
        assert_eq!(
            cli.settings.effective_public_url(),
            "https://pledges.example.org"
        );
    }
}
