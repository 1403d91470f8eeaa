use pledgeboard::db::{Backend, Database};

use crate::helpers::{fresh_database_url, spawn_app_with, TEST_DATABASE_ENV};

#[tokio::test]
async fn the_embedded_default_creates_and_migrates_sqlite_in_the_data_folder() {
    if std::env::var(TEST_DATABASE_ENV).is_ok_and(|v| !v.is_empty()) {
        // This run targets PostgreSQL; the embedded default is covered by the SQLite run.
        return;
    }
    let app = spawn_app_with(|s| s.database_url = None).await;
    assert_eq!(app.backend(), Backend::Sqlite);
    assert!(app.data_dir.path().join("pledgeboard.sqlite3").is_file());
    assert_eq!(
        app.get_json("/api/v1/sdgs").await["items"]
            .as_array()
            .unwrap()
            .len(),
        17
    );
}

#[tokio::test]
async fn concurrent_starts_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    if Backend::from_url(&url) == Backend::Sqlite {
        // One process owns an embedded database; the advisory lock exists for PostgreSQL.
        return;
    }
    // Several instances starting together on one PostgreSQL database: the advisory lock makes
    // them take turns, and every one of them ends up on the same schema.
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let db = Database::open(&url, 1).unwrap();
                db.migrate().unwrap()
            })
        })
        .collect();
    let applied: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let total: usize = applied.iter().sum();
    let max = *applied.iter().max().unwrap();
    assert_eq!(
        total, max,
        "exactly one instance applied the migrations: {applied:?}"
    );
    assert!(max > 0);
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    {
        let db = Database::open(&url, 1).unwrap();
        assert!(db.migrate().unwrap() > 0);
    }
    let db = Database::open(&url, 1).unwrap();
    assert_eq!(
        db.migrate().unwrap(),
        0,
        "nothing left to apply after a restart"
    );
}
