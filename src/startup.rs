//! Wiring: open and migrate the database, build the shared state, register routes and
//! middleware, bind the listener. Tests build an [`Application`] exactly as `main` does.

use std::{net::TcpListener, num::NonZero, sync::Arc, time::Duration};

use actix_web::{
    body::MessageBody,
    dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse},
    middleware::{from_fn, Compress},
    web, App, HttpServer,
};
use tracing_actix_web::TracingLogger;

use crate::{
    config::Settings,
    connections,
    db::{Backend, Database},
    email::{
        transport::Transport,
        worker::{MailWorker, WorkerConfig},
        Links,
    },
    error::AppError,
    live::{self, LiveCounters},
    metrics,
    routes::{self, access_log::RedactingRootSpan, body, caching, headers, middleware},
    state::AppState,
};

/// Errors that stop the service from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] AppError),
    #[error("mail: {0}")]
    Mail(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
    db: Database,
    mail_worker: MailWorker,
    live: Arc<LiveCounters>,
    reminders: Option<tokio::task::JoinHandle<()>>,
    reveals: tokio::task::JoinHandle<()>,
    counter_check: Option<tokio::task::JoinHandle<()>>,
    checkpoints: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Opens (creating when needed) and migrates the database, then binds the listener.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db = open_database(&settings).await?;
        let listener =
            connections::listener(settings.bind).map_err(|source| StartupError::Bind {
                addr: settings.bind.to_string(),
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                addr: settings.bind.to_string(),
                source,
            })?
            .port();
        let transport = Transport::from_settings(settings.smtp_url.as_deref(), settings.mail_dir())
            .map_err(StartupError::Mail)?;
        let mail_worker = MailWorker::spawn(
            db.clone(),
            transport,
            WorkerConfig::from_settings(&settings),
        );
        let reminders = spawn_reminders(
            db.clone(),
            Links::from_settings(&settings),
            settings.reminder_interval_secs,
            settings.digest_hour_utc,
        );
        let check_interval = settings.counter_check_interval_secs;
        let state = web::Data::new(AppState::new(db.clone(), settings).await?);
        let live = state.live.clone();
        let reveals = spawn_reveals(state.clone());
        let server = serve(listener, state).map_err(|source| StartupError::Bind {
            addr: format!("port {port}"),
            source,
        })?;
        let counter_check = live::spawn_counter_check(&live, check_interval);
        let checkpoints = spawn_checkpoints(&db);
        tokio::spawn(async {
            // Once every worker has built its routes (and their description, then dropped).
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = tokio::task::spawn_blocking(release_freed_memory).await;
        });
        Ok(Self {
            reminders,
            reveals,
            counter_check,
            checkpoints,
            live,
            port,
            server,
            db,
            mail_worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Serves until SIGTERM or SIGINT, then drains in-flight requests (up to 30 s), lets the
    /// mail worker finish the message in hand and give back its other claims, and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let live = self.live.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: closing streams, draining requests");
            // Streams never finish by themselves: end them first, so that the drain is quick
            // and the big screens reconnect to another instance at once.
            live.close_streams();
            handle.stop(true).await;
        });
        let served = self.server.await;
        for task in [self.reminders, self.counter_check, self.checkpoints]
            .into_iter()
            .flatten()
            .chain([self.reveals])
        {
            task.abort();
        }
        self.mail_worker.stop().await;
        served
    }
}

/// On SQLite, copies the write-ahead log back into the database file every 250 ms, off the
/// request path: otherwise the commit that fills the log does it, inside the write lock.
fn spawn_checkpoints(db: &Database) -> Option<tokio::task::JoinHandle<()>> {
    if db.backend() != Backend::Sqlite {
        return None;
    }
    let db = db.clone();
    Some(tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Err(e) = db.run(crate::db::checkpoint).await {
                tracing::warn!(error = %e, "WAL checkpoint failed; the next one retries");
            }
        }
    }))
}

/// Reveals scheduled pledges at their second (see `domain::reveal`). Every instance runs this
/// loop: it sleeps until the next moment due or for at most `reveal::POLL`, or until a moment is
/// set on this instance; at a moment due it reveals what is due (or finds another instance did)
/// and then re-reads the counters and forgets its rendered answers, so that every instance
/// shows the reveal within the second whichever of them made it.
fn spawn_reveals(state: web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    use crate::{domain::reveal, metrics::REVEALS};
    tokio::spawn(async move {
        loop {
            let next = match state.db.run(crate::db::pledges::next_reveal).await {
                Ok(next) => next.map(|at| at.and_utc()),
                Err(e) => {
                    tracing::warn!(error = %e, "looking for reveals failed; will look again");
                    None
                }
            };
            let pause = reveal::wait(next, chrono::Utc::now());
            if !pause.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = state.reveals.notified() => {}
                }
                continue;
            }
            let links = state.links.clone();
            let now = chrono::Utc::now();
            let revealed = state
                .db
                .write(move |conn| crate::services::pledges::reveals::reveal_due(conn, now, &links))
                .await;
            state.views.clear();
            state.live.poke();
            let outcome = |name: &'static str| ::metrics::counter!(REVEALS, "outcome" => name);
            match revealed {
                Ok(0) => outcome("found_done").increment(1),
                Ok(n) => {
                    outcome("revealed").increment(u64::try_from(n).unwrap_or(u64::MAX));
                    tracing::info!(pledges = n, "scheduled pledges revealed");
                }
                Err(e) => {
                    outcome("failed").increment(1);
                    tracing::warn!(error = %e, "revealing scheduled pledges failed; will retry");
                    tokio::time::sleep(reveal::POLL).await;
                }
            }
        }
    })
}

/// Holds glibc's allocator to one arena per core. By default it opens up to eight per core as
/// threads first allocate (two HTTP workers, the blocking pool, the pool's helpers, the SQLite
/// writer, the mail worker), each keeping pages of its own: on a 2-core machine that is a few MiB
/// of idle memory for no gain, since no more threads than cores run at once. Call first thing,
/// before any thread starts.
pub fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets a tunable of the allocator; no thread has started yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Hands the memory freed during start-up back to the system: each worker thread allocates
/// from its own arena, and glibc keeps an arena's freed pages unless asked, so an idle instance
/// would go on holding the scaffolding of its start. Then lets go of the program's own code and
/// constants it mapped without using them ([`unmap_unused_code`]).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` takes no pointers; it only returns free pages of the allocator's
    // own arenas to the kernel, under the allocator's locks.
    unsafe {
        libc::malloc_trim(0);
    }
    unmap_unused_code();
}

/// The kernel maps a program's code and constants from the page cache around each page it
/// faults in (and a whole large folio at once), so most of the ~40 MB binary's mapped pages
/// were never used: they are most of an idle instance's resident memory. This unmaps the
/// executable's read-only segments once, and asks for one page per fault from then on
/// (`MADV_RANDOM`), so the pages in use come back one by one and the others stay in the page
/// cache only. Segments the program writes (data, and the relocated part made read-only
/// after) are left alone: unmapping them would lose their contents. Once per process (tests
/// start many services in one).
fn unmap_unused_code() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    ONCE.call_once(|| {
        use libc::{c_int, c_void, dl_phdr_info, size_t};

        /// Called for each loaded object, the executable first; stops after it.
        unsafe extern "C" fn executable(
            info: *mut dl_phdr_info,
            _size: size_t,
            _data: *mut c_void,
        ) -> c_int {
            // SAFETY: `dl_iterate_phdr` passes a valid `dl_phdr_info` whose `dlpi_phdr` points to
            // `dlpi_phnum` program headers, all valid during the callback.
            let (info, page) = unsafe { (&*info, libc::sysconf(libc::_SC_PAGESIZE)) };
            let Ok(page) = usize::try_from(page) else {
                return 1;
            };
            if page == 0 || info.dlpi_phdr.is_null() {
                return 1;
            }
            for i in 0..usize::from(info.dlpi_phnum) {
                // SAFETY: `i` is below `dlpi_phnum`.
                let header = unsafe { &*info.dlpi_phdr.add(i) };
                if header.p_type != libc::PT_LOAD || header.p_flags & libc::PF_W != 0 {
                    continue;
                }
                let (Ok(at), Ok(size)) = (
                    usize::try_from(info.dlpi_addr + header.p_vaddr),
                    usize::try_from(header.p_memsz),
                ) else {
                    continue;
                };
                // Whole pages of this segment only: a page it shares with a neighbour stays.
                let start = at.div_ceil(page) * page;
                let end = (at + size) / page * page;
                if end <= start {
                    continue;
                }
                let range = start as *mut c_void;
                // SAFETY: the range lies within a loaded, never-written, file-backed segment of
                // this program; unmapping it only makes the next access fault its page back in
                // from the file, unchanged.
                unsafe {
                    libc::madvise(range, end - start, libc::MADV_RANDOM);
                    libc::madvise(range, end - start, libc::MADV_DONTNEED);
                }
            }
            1
        }

        // SAFETY: the callback only reads what the loader passes it, during the call.
        unsafe {
            libc::dl_iterate_phdr(Some(executable), std::ptr::null_mut());
        }
    });
}

/// Early each year, organisations owe a progress report on last year for each published pledge:
/// this looks now and then and reminds each pledge once (see `services::reports`). Once a day it
/// also applies the lifecycle (second reminders, inactivity: `services::lifecycle`) and brings
/// the stored traffic lights up to date, since time alone moves them; and from `digest_hour`
/// (UTC) it sends the moderators' daily digests (`services::digest`).
fn spawn_reminders(
    db: Database,
    links: Links,
    interval_secs: u64,
    digest_hour: u32,
) -> Option<tokio::task::JoinHandle<()>> {
    if interval_secs == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut lifecycle_of: Option<chrono::NaiveDate> = None;
        loop {
            let today = crate::db::now().date();
            if lifecycle_of != Some(today) {
                let links = links.clone();
                match db
                    .run(move |conn| {
                        let round = crate::services::lifecycle::apply(conn, today, &links)?;
                        let lights = crate::db::pledges::refresh_lights(conn, today)?;
                        Ok((round, lights))
                    })
                    .await
                {
                    Ok((round, lights)) => {
                        lifecycle_of = Some(today);
                        tracing::info!(
                            second_reminders = round.reminded,
                            turned_inactive = round.inactive,
                            lights_changed = lights,
                            "daily lifecycle round done"
                        );
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the daily lifecycle round failed; will retry")
                    }
                }
            }
            let digest_links = links.clone();
            let now = crate::db::now();
            match db
                .run(move |conn| {
                    crate::services::digest::send_due(conn, now, digest_hour, &digest_links)
                })
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(moderators = n, "moderator digests queued"),
                Err(e) => tracing::warn!(error = %e, "moderator digests failed; will retry"),
            }
            let links = links.clone();
            let last_year = chrono::Datelike::year(&chrono::Utc::now()) - 1;
            match db
                .run(move |conn| {
                    crate::services::reports::send_due_reminders(conn, last_year, &links)
                })
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    pledges = n,
                    year = last_year,
                    "progress report reminders queued"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "progress report reminders failed; will retry")
                }
            }
            tokio::time::sleep(Duration::from_secs(interval_secs)).await;
        }
    }))
}

/// SIGTERM (orchestrators) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// Opens the pool and applies pending migrations off the async workers.
pub async fn open_database(settings: &Settings) -> Result<Database, StartupError> {
    let url = settings.effective_database_url();
    let pool_size = settings.db_pool_size;
    let db = tokio::task::spawn_blocking(move || -> Result<Database, AppError> {
        let db = Database::open(&url, pool_size)?;
        let applied = db.migrate()?;
        if crate::db::counters::upgrade_stored(&mut *db.get()?)? {
            tracing::info!("live counters rebuilt with the figures this version adds");
        }
        tracing::info!(backend = db.backend().name(), applied, "database ready");
        Ok(db)
    })
    .await
    .map_err(|e| AppError::Internal(format!("startup task failed: {e}")))??;
    Ok(db)
}

fn serve(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    metrics::init();
    let settings = &state.settings;
    // actix-web's own default: one worker per core.
    let workers = settings
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, NonZero::get))
        .max(1);
    let open_files = connections::raise_open_file_limit();
    let per_worker = connections::per_worker(
        open_files,
        settings.max_connections,
        workers,
        settings.db_pool_size,
    );
    tracing::info!(
        workers,
        open_files,
        max_connections = per_worker.saturating_mul(workers),
        "connections"
    );
    let server = HttpServer::new(move || app(state.clone()))
        .workers(workers)
        .max_connections(per_worker)
        // A subscriber that leaves closes its side: end its connection then, rather than at the
        // next keep-alive write, so that a hall's screens reconnecting after a restart do not
        // find the places of their own old connections still taken.
        .h1_allow_half_closed(false)
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(30)
        .client_request_timeout(Duration::from_secs(30));
    Ok(server.run())
}

/// The application: shared state, extractor settings, routes (see [`routes::configure`]) and
/// middleware.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let body_limit = state.settings.body_limit;
    let origins = state.settings.cors_origins.clone();
    routes::mount(
        App::new()
            .app_data(state)
            .configure(routes::extractors(body_limit)),
    )
    // Innermost first: the panic guard sits right around the handlers.
    .wrap(from_fn(middleware::catch_panics))
    .wrap(from_fn(body::check_body))
    .wrap(from_fn(caching::conditional_get))
    // Inside the problem middleware, so that a refused cross-origin request is a problem too.
    .wrap(cors(&origins))
    .wrap(from_fn(middleware::problem_details))
    .wrap(from_fn(headers::security_headers))
    // Compress skips answers that already carry a Content-Encoding: streams set `identity`.
    .wrap(Compress::default())
    .wrap(from_fn(middleware::record_metrics))
    .wrap(TracingLogger::<RedactingRootSpan>::new())
}

/// Browsers may call the API from the configured origins only; everything a client needs to
/// read (versions, pages, request ids, retry hints) is exposed to them.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            "Authorization",
            "Content-Type",
            "If-Match",
            "Idempotency-Key",
            "Last-Event-ID",
        ])
        .expose_headers([
            "ETag",
            "Link",
            "Location",
            "Retry-After",
            "X-Request-Id",
            "Idempotent-Replayed",
        ])
        .max_age(3600);
    for origin in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        cors = cors.allowed_origin(origin);
    }
    cors
}

#[cfg(test)]
mod tests {
    use actix_web::{http::StatusCode, test, HttpResponse};
    use serde_json::Value;

    use super::*;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Echo {
        name: String,
    }

    async fn echo(body: web::Json<Echo>) -> HttpResponse {
        HttpResponse::Ok().json(serde_json::json!({ "name": body.name }))
    }

    async fn raw(body: web::Bytes) -> HttpResponse {
        HttpResponse::Ok().body(body)
    }

    async fn explode() -> HttpResponse {
        panic!("deliberate test panic")
    }

    async fn state(body_limit: usize) -> (web::Data<AppState>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_data_dir(dir.path());
        settings.database_url = None;
        settings.body_limit = body_limit;
        let db = open_database(&settings).await.unwrap();
        (
            web::Data::new(AppState::new(db, settings).await.unwrap()),
            dir,
        )
    }

    async fn problem(resp: actix_web::dev::ServiceResponse<impl MessageBody>) -> Value {
        assert_eq!(
            resp.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
        let body = test::read_body(resp).await;
        serde_json::from_slice(&body).unwrap()
    }

    #[actix_web::test]
    async fn json_body_errors_are_problems() {
        let (state, _dir) = state(64).await;
        let app = test::init_service(
            app(state)
                .route("/echo", web::post().to(echo))
                .route("/raw", web::post().to(raw)),
        )
        .await;

        let ok = test::TestRequest::post()
            .uri("/echo")
            .set_json(serde_json::json!({"name": "a"}))
            .to_request();
        assert_eq!(test::call_service(&app, ok).await.status(), StatusCode::OK);

        let malformed = test::TestRequest::post()
            .uri("/echo")
            .insert_header(("content-type", "application/json"))
            .set_payload("{\"name\": ")
            .to_request();
        let resp = test::call_service(&app, malformed).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = problem(resp).await;
        assert_eq!(body["code"], "malformed_json");
        assert_eq!(body["instance"], "/echo");

        let unknown = test::TestRequest::post()
            .uri("/echo")
            .set_json(serde_json::json!({"name": "a", "status": "x"}))
            .to_request();
        let resp = test::call_service(&app, unknown).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(problem(resp).await["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field"));

        let big = test::TestRequest::post()
            .uri("/echo")
            .set_json(serde_json::json!({"name": "x".repeat(100)}))
            .to_request();
        let resp = test::call_service(&app, big).await;
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(problem(resp).await["code"], "payload_too_large");

        // A raw body over the limit is refused by the framework: the problem still names the limit.
        let raw = test::TestRequest::post()
            .uri("/raw")
            .set_payload("x".repeat(100))
            .to_request();
        let resp = test::call_service(&app, raw).await;
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body = problem(resp).await;
        assert_eq!(body["code"], "payload_too_large");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("limit of 64 bytes"),
            "{body}"
        );

        let wrong_type = test::TestRequest::post()
            .uri("/echo")
            .insert_header(("content-type", "text/plain"))
            .set_payload("name=a")
            .to_request();
        let resp = test::call_service(&app, wrong_type).await;
        assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(problem(resp).await["code"], "unsupported_media_type");
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_a_500_problem() {
        let (state, _dir) = state(1024).await;
        let app = test::init_service(app(state).route("/explode", web::get().to(explode))).await;
        // The framework sends the finished problem response carried by the error.
        let err =
            test::try_call_service(&app, test::TestRequest::get().uri("/explode").to_request())
                .await
                .err()
                .expect("the panic becomes an error answer");
        let resp = err.error_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            resp.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
        assert!(resp.headers().contains_key("x-request-id"));
        let bytes = actix_web::body::to_bytes(resp.into_body()).await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["code"], "internal_error");
        assert_eq!(body["instance"], "/explode");
        assert!(!body["detail"].as_str().unwrap().contains("deliberate"));
    }
}
