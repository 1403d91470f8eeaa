//! Storage: one diesel connection type over SQLite (embedded default) and PostgreSQL (scale),
//! an r2d2 pool of it, embedded migrations per backend, and the helpers that keep every query
//! off the async workers.

pub mod amendments;
pub mod annual;
pub mod counters;
pub mod idempotency;
pub mod imports;
pub mod mapping;
pub mod notify;
pub mod organisations;
pub mod outbox;
pub mod pledges;
pub mod reports;
pub mod schema;
pub mod screens;
pub mod sql;
pub mod taxonomy;
pub mod tokens;
pub mod users;
mod writer;

use std::{
    cell::Cell,
    path::Path,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use diesel::{
    connection::{AnsiTransactionManager, SimpleConnection, TransactionManager},
    pg::PgConnection,
    r2d2::{ManageConnection, Pool, PooledConnection},
    sqlite::SqliteConnection,
    Connection, ConnectionError, ExpressionMethods, QueryDsl, RunQueryDsl,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock held while migrating, so that several instances
/// starting at once apply each migration exactly once ("pledgeboard" as ASCII, truncated).
const MIGRATION_LOCK_KEY: i64 = 0x706c_6564_6765_626f;

/// The one connection type every query uses. Build it through [`Backend::connect`], never
/// through `establish`, so the backend is chosen by the URL rather than by trial.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }

    /// Opens one connection, with the per-connection settings the backend needs.
    pub fn connect(self, url: &str) -> Result<DbConnection, ConnectionError> {
        match self {
            Backend::Postgres => PgConnection::establish(url).map(DbConnection::Postgres),
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                let mut conn = SqliteConnection::establish(path)?;
                // WAL lets readers run beside the one writer; NORMAL is durable in WAL mode
                // across process crashes; the busy timeout makes writers queue instead of failing.
                // The service checkpoints the WAL off the request path (`checkpoint`), so a
                // commit only copies pages back itself once the log has grown far (40 MB at
                // 4 KiB pages), as a safety net when nothing else does (tools, a stalled task).
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA busy_timeout = 10000;
                     PRAGMA wal_autocheckpoint = 10000;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// r2d2 manager that opens connections of the configured backend.
#[derive(Debug, Clone)]
pub struct DbManager {
    backend: Backend,
    url: String,
}

impl ManageConnection for DbManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.backend
            .connect(&self.url)
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        ping(conn).map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        // A connection returned in the middle of a transaction (a panic in a closure) is dropped.
        match conn {
            DbConnection::Postgres(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
            DbConnection::Sqlite(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

pub type DbPool = Pool<DbManager>;
pub type PooledDb = PooledConnection<DbManager>;

/// The database handle shared by the whole service.
#[derive(Clone)]
pub struct Database {
    pool: DbPool,
    /// SQLite only: the thread requests that write run on (see [`Database::write`]).
    writer: Option<writer::Writer>,
    backend: Backend,
}

impl Database {
    /// Opens the pool; for SQLite, creates the file's folder first.
    pub fn open(url: &str, max_size: u32) -> AppResult<Self> {
        let backend = Backend::from_url(url);
        if backend == Backend::Sqlite {
            let path = Path::new(url.strip_prefix("sqlite://").unwrap_or(url));
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    AppError::Unavailable(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
        let open = |size: u32| {
            Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                .test_on_check_out(false)
                .build(DbManager {
                    backend,
                    url: url.to_owned(),
                })
                .map_err(|e| {
                    AppError::Unavailable(format!(
                        "cannot open the {} database: {e}",
                        backend.name()
                    ))
                })
        };
        let pool = open(max_size.max(1))?;
        let writer = match backend {
            Backend::Sqlite => Some(writer::Writer::start(open(1)?)?),
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            writer,
            backend,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Checks a connection out (blocking); for use inside [`Database::run`] and in tools.
    pub fn get(&self) -> AppResult<PooledDb> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, never on an async worker.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        run_on(self.pool.clone(), f).await
    }

    /// Runs `f`, a request that writes, like [`run`](Self::run). On SQLite it runs on the one
    /// writer thread's connection, one request after the other (SQLite has one writer at a time
    /// anyway), those that queued up meanwhile committed together (`writer`): a connection's
    /// page cache is dropped whenever another connection has written, so a writer that keeps
    /// its connection finds the pages it needs still in memory.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(writer) => writer.run(f).await,
            None => run_on(self.pool.clone(), f).await,
        }
    }

    /// Applies pending migrations (see [`migrate`]).
    pub fn migrate(&self) -> AppResult<usize> {
        let mut conn = self.get()?;
        migrate(&mut conn)
    }
}

/// Runs `f` with a connection of `pool` on the blocking thread pool.
async fn run_on<T, F>(pool: DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// Applies the pending embedded migrations of the connection's backend and returns how many
/// ran. On PostgreSQL this holds an advisory lock, so concurrent starts queue here.
pub fn migrate(conn: &mut DbConnection) -> AppResult<usize> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgres(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(c)?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len());
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .execute(c)?;
            result
        }
    };
    applied.map_err(|e| AppError::Internal(format!("migration failed: {e}")))
}

/// The current time as stored: UTC, without a zone (both backends' `TIMESTAMP`), to the
/// microsecond, as both keep it, so a value written reads back equal.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// A new row id: a UUIDv7, so ids sort by creation time (the catalogue pages by id).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A round trip to the database.
pub fn ping(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// Copies what the SQLite write-ahead log holds back into the database file, without waiting
/// for (or holding up) readers and the writer: what cannot be copied yet is copied next time.
/// The service runs it every few hundred milliseconds, so that no commit pays for it. Nothing
/// to do on PostgreSQL.
pub fn checkpoint(conn: &mut DbConnection) -> AppResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")?;
    }
    Ok(())
}

/// Writes a consistent copy of an SQLite database to `file` (which must not exist) while
/// others keep reading and writing: `VACUUM INTO` reads one snapshot, so the copy holds every
/// transaction committed before it began and none after. Returns the copy's size in bytes.
/// PostgreSQL has its own tools for this (`pg_dump`), which this refuses to imitate.
pub fn backup(conn: &mut DbConnection, file: &Path) -> AppResult<u64> {
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return Err(AppError::BadRequest(
            "backup copies the embedded SQLite database; for PostgreSQL use pg_dump \
             (see docs/operations.md)"
                .to_owned(),
        ));
    }
    if file.exists() {
        return Err(AppError::BadRequest(format!(
            "{} exists already; name a new file",
            file.display()
        )));
    }
    let path = file
        .to_str()
        .ok_or_else(|| AppError::BadRequest("the backup path is not valid UTF-8".to_owned()))?;
    diesel::sql_query(format!("VACUUM INTO '{}'", path.replace('\'', "''"))).execute(conn)?;
    std::fs::metadata(file)
        .map(|m| m.len())
        .map_err(|e| AppError::internal(format!("backup written but unreadable: {e}")))
}

/// A committed write of one small row, for readiness: a database that answers reads but
/// cannot write (a full disk, a read-only file system, a standby server) is not ready.
pub fn probe_write(conn: &mut DbConnection, instance: &str) -> AppResult<()> {
    use schema::readiness_probes;
    write_tx(conn, |conn| {
        let at = now();
        let updated = diesel::update(readiness_probes::table.find(instance))
            .set(readiness_probes::checked_at.eq(at))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(readiness_probes::table)
                .values((
                    readiness_probes::instance.eq(instance),
                    readiness_probes::checked_at.eq(at),
                ))
                .execute(conn)?;
        }
        Ok::<_, AppError>(())
    })
}

diesel::define_sql_function! {
    /// SQL's `lower`, on both backends (for the repositories below).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// An error that may say the transaction lost a race with another one (a deadlock or a
/// serialization failure): running it again from the start can succeed.
pub trait Contention {
    fn is_contention(&self) -> bool;
}

impl Contention for diesel::result::Error {
    fn is_contention(&self) -> bool {
        crate::error::is_contention(self)
    }
}

impl Contention for AppError {
    fn is_contention(&self) -> bool {
        matches!(
            self,
            AppError::StorageUnavailable {
                contention: true,
                ..
            }
        )
    }
}

/// How often a transaction that lost a race is run again before the error is answered.
const CONTENTION_RETRIES: u32 = 4;

/// Runs `f` in a write transaction. On SQLite the transaction starts `IMMEDIATE`, taking the
/// write lock up front: a deferred one that upgrades later can fail with `SQLITE_BUSY` at once,
/// whatever the busy timeout. On PostgreSQL a transaction that fails with a deadlock or a
/// serialization failure is rolled back and run again (a few times, after a short random
/// pause), so that contention between writers never reaches a client as an error.
/// Nested `transaction` calls inside `f` become savepoints.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, mut f: F) -> Result<T, E>
where
    F: FnMut(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error> + Contention,
{
    let mut attempt = 0;
    loop {
        let result = match conn {
            DbConnection::Postgres(_) => conn.transaction(&mut f),
            DbConnection::Sqlite(_) => sqlite_immediate(conn, &mut f),
        };
        match result {
            Err(e) if e.is_contention() && attempt < CONTENTION_RETRIES => {
                attempt += 1;
                let pause = rand::random_range(5..20u64) * u64::from(attempt);
                tracing::debug!(attempt, pause_ms = pause, "transaction lost a race; again");
                std::thread::sleep(Duration::from_millis(pause));
            }
            other => return other,
        }
    }
}

/// SQLite takes one writer at a time. Writers of this process queue here, in order, instead of
/// each polling the database file's lock with the busy timeout's growing sleeps: the lock is
/// handed over the moment it is released, which keeps the slowest writes close to the typical
/// one. (Other processes on the same file still meet the busy timeout.)
static SQLITE_WRITER: Mutex<()> = Mutex::new(());

thread_local! {
    /// Whether this thread holds [`SQLITE_WRITER`]: a write transaction begun inside another
    /// (a savepoint) must not queue behind itself.
    static HOLDS_SQLITE_WRITER: Cell<bool> = const { Cell::new(false) };
}

fn sqlite_immediate<T, E, F>(conn: &mut DbConnection, f: &mut F) -> Result<T, E>
where
    F: FnMut(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let _writer = SqliteWriter::hold();
    sqlite_immediate_locked(conn, f)
}

/// This thread's hold on [`SQLITE_WRITER`], taken unless the thread holds it already (a write
/// transaction begun inside another, or the writer thread's batch), released on drop, a panic
/// included.
pub(crate) struct SqliteWriter {
    _lock: Option<std::sync::MutexGuard<'static, ()>>,
}

impl SqliteWriter {
    pub(crate) fn hold() -> Self {
        if HOLDS_SQLITE_WRITER.get() {
            return Self { _lock: None };
        }
        let lock = SQLITE_WRITER.lock().unwrap_or_else(PoisonError::into_inner);
        HOLDS_SQLITE_WRITER.set(true);
        Self { _lock: Some(lock) }
    }
}

impl Drop for SqliteWriter {
    fn drop(&mut self) {
        if self._lock.is_some() {
            HOLDS_SQLITE_WRITER.set(false);
        }
    }
}

fn sqlite_immediate_locked<T, E, F>(conn: &mut DbConnection, f: &mut F) -> Result<T, E>
where
    F: FnMut(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(inner) = &mut *conn else {
        return Err(diesel::result::Error::BrokenTransactionManager.into());
    };
    let nested = AnsiTransactionManager::transaction_manager_status_mut(inner)
        .transaction_depth()?
        .is_some();
    if nested {
        // Inside the writer's batch (or another transaction): a savepoint.
        AnsiTransactionManager::begin_transaction(inner)?;
    } else {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    let DbConnection::Sqlite(inner) = conn else {
        return Err(diesel::result::Error::BrokenTransactionManager.into());
    };
    match result {
        Ok(value) => match AnsiTransactionManager::commit_transaction(inner) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(inner);
                Err(e.into())
            }
        },
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(inner)?;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_url() {
        assert_eq!(Backend::from_url("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(
            Backend::from_url("./data/pledgeboard.sqlite3"),
            Backend::Sqlite
        );
        assert_eq!(Backend::from_url("sqlite:///tmp/x.db"), Backend::Sqlite);
    }

    #[test]
    fn sqlite_connections_get_their_pragmas_and_migrate() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.sqlite3").to_string_lossy().into_owned();
        let db = Database::open(&url, 2).unwrap();
        assert!(db.migrate().unwrap() > 0);
        assert_eq!(db.migrate().unwrap(), 0, "a second run applies nothing");
        let mut conn = db.get().unwrap();
        #[derive(diesel::QueryableByName)]
        struct Pragma {
            #[diesel(sql_type = diesel::sql_types::Text)]
            journal_mode: String,
        }
        let DbConnection::Sqlite(c) = &mut *conn else {
            panic!("sqlite expected")
        };
        let mode: Pragma = diesel::sql_query("PRAGMA journal_mode")
            .get_result(c)
            .unwrap();
        assert_eq!(mode.journal_mode, "wal");
        #[derive(diesel::QueryableByName)]
        struct Fk {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            foreign_keys: i32,
        }
        let fk: Fk = diesel::sql_query("PRAGMA foreign_keys")
            .get_result(c)
            .unwrap();
        assert_eq!(fk.foreign_keys, 1);
    }

    #[test]
    fn write_tx_rolls_back_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.sqlite3").to_string_lossy().into_owned();
        let db = Database::open(&url, 1).unwrap();
        let mut conn = db.get().unwrap();
        conn.batch_execute("CREATE TABLE t (x INTEGER)").unwrap();
        let result: Result<(), diesel::result::Error> = write_tx(&mut conn, |c| {
            c.batch_execute("INSERT INTO t VALUES (1)")?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(result.is_err());
        write_tx::<_, diesel::result::Error, _>(&mut conn, |c| {
            c.batch_execute("INSERT INTO t VALUES (2)")
        })
        .unwrap();
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let count: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(count.n, 1);
    }

    /// Writes queued together are committed together, each keeping what it would keep alone:
    /// what its own transactions committed, not what they rolled back. A panic in one request
    /// rolls its batch back, and the writer goes on.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn queued_writes_commit_together_and_keep_what_they_would_alone() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.sqlite3").to_string_lossy().into_owned();
        let db = Database::open(&url, 2).unwrap();
        db.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (x INTEGER)")
            .unwrap();
        let panicking = |i: i64| i == 80;
        let writes = (0..200i64).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(move |conn| {
                    write_tx::<_, AppError, _>(conn, |c| c_insert(c, i))?;
                    let refused = write_tx::<(), AppError, _>(conn, |c| {
                        c_insert(c, i + 1000)?;
                        Err(AppError::Conflict("odd_one", "refused".to_owned()))
                    });
                    assert!(refused.is_err());
                    if i % 7 == 0 {
                        return Err(AppError::Conflict("odd_one", "refused".to_owned()));
                    }
                    if panicking(i) {
                        panic!("a bug in one request");
                    }
                    c_insert(conn, i + 2000)
                })
                .await
            })
        });
        let answers: Vec<AppResult<()>> = futures_util::future::join_all(writes)
            .await
            .into_iter()
            .map(|joined| joined.unwrap())
            .collect();
        let mut expected = Vec::new();
        for (i, answer) in (0i64..).zip(&answers) {
            match answer {
                Ok(()) => expected.extend([i, i + 2000]),
                // Its first transaction stands, as it would alone.
                Err(AppError::Conflict("odd_one", _)) => expected.push(i),
                // Rolled back with a panicking request's batch (or the panicking one).
                Err(AppError::Unavailable(_)) => {}
                Err(other) => panic!("{i}: {other:?}"),
            }
        }
        assert!(answers[80].is_err());
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            x: i64,
        }
        let mut stored: Vec<i64> = diesel::sql_query("SELECT x FROM t ORDER BY x")
            .load::<Row>(&mut *db.get().unwrap())
            .unwrap()
            .into_iter()
            .map(|r| r.x)
            .filter(|x| *x != 80)
            .collect();
        stored.sort_unstable();
        expected.sort_unstable();
        assert_eq!(stored, expected);
        // The writer goes on after all that.
        db.write(|conn| c_insert(conn, 5000)).await.unwrap();
    }

    fn c_insert(conn: &mut DbConnection, x: i64) -> AppResult<()> {
        conn.batch_execute(&format!("INSERT INTO t VALUES ({x})"))?;
        Ok(())
    }
}
