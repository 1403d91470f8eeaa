//! SQLite's one writer: a thread that owns the writer connection and runs the requests that
//! write, in the order they arrive. Requests that queue up while one runs are committed
//! together (group commit): one transaction, each request in its own savepoint, so that their
//! pages reach the log once, in one write. A request keeps exactly what it would keep alone:
//! its own transactions (savepoints here) roll back on its errors and commit otherwise. No
//! request hears its answer before the transaction holding its work has committed; a panic
//! rolls its whole batch back (the others hear so) rather than commit half a request.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{
        atomic::{AtomicUsize, Ordering},
        mpsc, Arc,
    },
};

use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::{DbConnection, DbPool, SqliteWriter};
use crate::error::{AppError, AppResult};

/// The most requests committed together: enough to carry a burst, few enough that the first
/// of them does not wait long for the last.
const MAX_BATCH: usize = 64;

/// The most requests waiting for the writer: beyond, a write is refused at once (503) rather
/// than queued without end behind a writer that cannot keep up.
const MAX_WAITING: usize = 10_000;

/// A request's outcome, held until its batch has committed.
struct Ran {
    /// Sends the answer: the request's own, or the error that kept its batch from committing.
    answer: Box<dyn FnOnce(Option<String>) + Send>,
}

type Job = Box<dyn FnOnce(&mut DbConnection) -> Ran + Send>;

/// The queue to the writer thread.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    /// Requests sent and not yet done.
    waiting: Arc<AtomicUsize>,
    /// Past this many waiting requests, a write is refused.
    max_waiting: usize,
}

impl Writer {
    /// Starts the thread, which writes through `pool` (of one connection) until every handle
    /// is dropped.
    pub fn start(pool: DbPool) -> AppResult<Self> {
        Self::start_with_limit(pool, MAX_WAITING)
    }

    /// As [`Writer::start`], refusing writes past `max_waiting` waiting ones.
    fn start_with_limit(pool: DbPool, max_waiting: usize) -> AppResult<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match queue.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    run_batch(&pool, batch);
                }
            })
            .map_err(|e| AppError::Unavailable(format!("cannot start the writer: {e}")))?;
        Ok(Self {
            jobs,
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
        })
    }

    /// Runs `f` on the writer connection and answers once its work is committed.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Unavailable(
                "too many writes are waiting; try again shortly".to_owned(),
            ));
        }
        // Counted out when the job is done with or dropped unrun, whichever comes.
        let counted = Waiting(self.waiting.clone());
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _counted = counted;
            let result = f(conn);
            Ran {
                answer: Box::new(move |failed: Option<String>| {
                    // A request whose batch did not commit kept nothing, whatever it answered.
                    let answer = match failed {
                        Some(why) => Err(AppError::Unavailable(why)),
                        None => result,
                    };
                    let _ = reply.send(answer);
                }),
            }
        });
        let stopped = || AppError::Unavailable("the database writer has stopped".to_owned());
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// One request counted among those waiting, until dropped.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs a batch: alone, a request runs as it would anywhere (its own transactions); together,
/// inside one transaction with a savepoint each.
fn run_batch(pool: &DbPool, batch: Vec<Job>) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            // The requests are dropped unrun: each caller hears that the writer could not
            // take it.
            tracing::warn!(error = %e, requests = batch.len(), "writes could not run");
            return;
        }
    };
    let _writer = SqliteWriter::hold();
    let conn: &mut DbConnection = &mut conn;
    if batch.len() == 1 || !begin(conn, true) {
        for job in batch {
            if let Some(ran) = run_job(conn, job) {
                (ran.answer)(None);
            }
        }
        return;
    }
    let mut done = Vec::with_capacity(batch.len());
    let mut rest = batch.into_iter();
    for job in rest.by_ref() {
        if !begin(conn, false) {
            break;
        }
        let ran = run_job(conn, job);
        let Some(ran) = ran else {
            // A panic may have left savepoints of its own open: the whole batch is rolled back
            // (its requests hear so) and what is left runs one by one.
            roll_back_everything(conn);
            for ran in done.drain(..) {
                let ran: Ran = ran;
                (ran.answer)(Some(
                    "a write in the same batch failed; try again".to_owned(),
                ));
            }
            break;
        };
        release(conn);
        done.push(ran);
    }
    let failed = if done.is_empty() { None } else { commit(conn) };
    for ran in done {
        (ran.answer)(failed.clone());
    }
    for job in rest {
        if let Some(ran) = run_job(conn, job) {
            (ran.answer)(None);
        }
    }
}

/// Runs one request, a panic turned into `None` (its reply sender went down with it, so its
/// caller hears that the writer dropped it; the writer goes on).
fn run_job(conn: &mut DbConnection, job: Job) -> Option<Ran> {
    match catch_unwind(AssertUnwindSafe(|| job(conn))) {
        Ok(ran) => Some(ran),
        Err(_) => {
            tracing::error!("a write panicked");
            None
        }
    }
}

/// Opens the batch's transaction (`outer`) or a request's savepoint.
fn begin(conn: &mut DbConnection, outer: bool) -> bool {
    let DbConnection::Sqlite(inner) = conn else {
        return false;
    };
    let begun = if outer {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
    } else {
        AnsiTransactionManager::begin_transaction(inner)
    };
    begun
        .map_err(|e| tracing::warn!(error = %e, "group commit unavailable; writing one by one"))
        .is_ok()
}

/// Releases a request's savepoint: what the request did stays, as it would alone (its own
/// transactions inside rolled back what failed).
fn release(conn: &mut DbConnection) {
    let DbConnection::Sqlite(inner) = conn else {
        return;
    };
    if let Err(e) = AnsiTransactionManager::commit_transaction(inner) {
        tracing::error!(error = %e, "releasing a request's savepoint failed");
    }
}

/// Commits the batch; on failure, why.
fn commit(conn: &mut DbConnection) -> Option<String> {
    let DbConnection::Sqlite(inner) = conn else {
        return None;
    };
    match AnsiTransactionManager::commit_transaction(inner) {
        Ok(()) => None,
        Err(e) => {
            tracing::error!(error = %e, "a group commit failed");
            roll_back_everything(conn);
            Some(format!("the write could not be committed: {e}"))
        }
    }
}

fn roll_back_everything(conn: &mut DbConnection) {
    let DbConnection::Sqlite(inner) = conn else {
        return;
    };
    while AnsiTransactionManager::transaction_manager_status_mut(inner)
        .transaction_depth()
        .ok()
        .flatten()
        .is_some()
    {
        if AnsiTransactionManager::rollback_transaction(inner).is_err() {
            // The connection is left marked broken; the pool replaces it.
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Database;

    /// The panic of a bounded wait that ran out: the test fails instead of hanging.
    fn bounded<T>(what: &'static str) -> impl FnOnce(tokio::time::error::Elapsed) -> T {
        move |_| panic!("timed out waiting for {what}")
    }

    /// With the writer held up and the queue full, the next write hears 503 at once instead of
    /// waiting; the queued ones all complete once the writer moves again. Every step waits for
    /// what it needs (the writer held, the queue full) instead of guessing a delay, and every
    /// wait is bounded, so a regression fails the test instead of hanging it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_and_the_queued_writes_complete() {
        const LIMIT: usize = 16;
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.sqlite3").to_string_lossy().into_owned();
        let pool = Database::open(&url, 1).unwrap().pool().clone();
        let writer = Writer::start_with_limit(pool, LIMIT).unwrap();
        let (release, held) = mpsc::channel::<()>();
        let (running, started) = tokio::sync::oneshot::channel::<()>();
        let blocker = {
            let writer = writer.clone();
            tokio::spawn(async move {
                writer
                    .run(move |_| {
                        running.send(()).ok();
                        held.recv().ok();
                        Ok(())
                    })
                    .await
            })
        };
        let within = std::time::Duration::from_secs(30);
        tokio::time::timeout(within, started)
            .await
            .unwrap_or_else(bounded("the writer to be held"))
            .unwrap();
        let queued: Vec<_> = (1..LIMIT)
            .map(|_| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.run(|_| Ok(())).await })
            })
            .collect();
        tokio::time::timeout(within, async {
            while writer.waiting.load(Ordering::SeqCst) < LIMIT {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(bounded("the queue to fill"));
        let refused = tokio::time::timeout(within, writer.run(|_| Ok(())))
            .await
            .unwrap_or_else(bounded("the refusal"));
        assert!(
            matches!(refused, Err(AppError::Unavailable(_))),
            "{refused:?}"
        );
        release.send(()).unwrap();
        tokio::time::timeout(within, async {
            blocker.await.unwrap().unwrap();
            for write in queued {
                write.await.unwrap().unwrap();
            }
            writer.run(|_| Ok(())).await.unwrap();
        })
        .await
        .unwrap_or_else(bounded("the queued writes"));
        assert_eq!(writer.waiting.load(Ordering::SeqCst), 0);
    }
}
