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

/// A pledge stored column by column, before its content was kept whole, reads back unchanged
/// once the service has migrated: an upgrade loses nothing that was acknowledged.
#[tokio::test]
async fn pledges_stored_before_the_upgrade_read_back_unchanged() {
    use diesel::RunQueryDsl;

    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let db = Database::open(&url, 1).unwrap();
    {
        let mut conn = db.get().unwrap();
        // The schema as it was: every migration before the one that keeps the content whole.
        migrate_before(&mut conn, "2026-11-29-000011");
        for statement in [
            "INSERT INTO organisations (id, name, kind, country, verified, created_at, updated_at) \
             VALUES ('org-1', 'Ministry of Digital Economy', 'government', 'GHA', TRUE, \
             '2024-01-02 03:04:05', '2024-01-02 03:04:05')",
            "INSERT INTO users (id, email, password_hash, display_name, created_at, updated_at) \
             VALUES ('user-1', 'old@ministry.example', 'x', 'Old Pledger', \
             '2024-01-02 03:04:05', '2024-01-02 03:04:05')",
            "INSERT INTO pledges (id, organisation_id, created_by, status, version, title, \
             summary, description, pledge_type, value_currency, value_amount_minor, value_usd, \
             start_date, end_date, targets_global, ldc, lldc, sids, pillars, regions, \
             beneficiary_groups, partners, contact_name, contact_email, search_text, \
             created_at, updated_at, submitted_at, published_at) VALUES ('pledge-1', 'org-1', \
             'user-1', 'published', 3, 'Connecting 500 rural schools', \
             'Fibre for rural schools in two countries', 'Teacher training too.', 'financial', \
             'EUR', 15500000000, 168000000, '2023-01-01', '2025-12-31', FALSE, TRUE, TRUE, \
             FALSE, '[\"infrastructure\"]', '[\"Africa\"]', '[\"youth\"]', \
             '[\"Ministry of Education\"]', 'Ama Mensah', 'ama@ministry.example', 'connecting 500 rural schools', \
             '2024-01-02 03:04:05', '2024-01-02 03:04:05', '2024-01-03 03:04:05', \
             '2024-01-04 03:04:05')",
            "INSERT INTO pledge_tracks (pledge_id, track) VALUES ('pledge-1', 'p2c')",
            "INSERT INTO pledge_tracks (pledge_id, track) VALUES ('pledge-1', 'ldc5')",
            "INSERT INTO pledge_sdgs (pledge_id, sdg) VALUES ('pledge-1', 9)",
            "INSERT INTO pledge_sdgs (pledge_id, sdg) VALUES ('pledge-1', 4)",
            "INSERT INTO pledge_focus_areas (pledge_id, focus_area) VALUES ('pledge-1', 'access')",
            "INSERT INTO pledge_countries (pledge_id, country) VALUES ('pledge-1', 'NPL')",
            "INSERT INTO pledge_countries (pledge_id, country) VALUES ('pledge-1', 'GHA')",
        ] {
            diesel::sql_query(statement).execute(&mut *conn).unwrap();
        }
    }
    drop(db);

    let app = spawn_app_with(|s| s.database_url = Some(url.clone())).await;
    let pledge = app.get_json("/api/v1/pledges/pledge-1").await;
    let expected = serde_json::json!({
        "title": "Connecting 500 rural schools",
        "summary": "Fibre for rural schools in two countries",
        "description": "Teacher training too.",
        "type": "financial",
        "focus_areas": ["access"],
        "pillars": ["infrastructure"],
        "sdgs": [4, 9],
        "tracks": ["ldc5", "p2c"],
        "countries": ["GHA", "NPL"],
        "regions": ["Africa"],
        "global": false,
        "beneficiary_groups": ["youth"],
        "value": {"currency": "EUR", "amount_minor": 15500000000i64, "usd": 168000000},
        "start_date": "2023-01-01",
        "end_date": "2025-12-31",
        "partners": ["Ministry of Education"],
        "ldc": true,
        "lldc": true,
        "sids": false,
        "status": "published",
        "version": 3,
        "published_at": "2024-01-04T03:04:05Z",
    });
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&pledge[field], value, "{field}: {pledge}");
    }
    assert!(pledge.get("contact").is_none(), "the contact stays private");
    // The facets still answer the catalogue's filters and search, and the catalogue index
    // (migration 000012) was filled from the stored content: the new filters, and the full-text
    // search over the title, the organisation's name and the partners, accents folded.
    for query in [
        "sdg=4",
        "country=NPL",
        "track=ldc5",
        "focus_area=access",
        "q=rural",
        "region=Africa",
        "pillar=infrastructure",
        "beneficiary_group=youth",
        "lldc=true",
        "sids=false",
        "ldc=true",
        "type=financial",
        "organisation=org-1",
        "organisation_kind=government",
        "year=2023",
        "year=2025",
        "country=NPL&sdg=9&year=2024",
        "q=RURAL",
        "q=ministry%20digital",
        "q=education",
        "q=t%C3%A9acher",
        "q=rural&sort=relevance",
    ] {
        let page = app.get_json(&format!("/api/v1/pledges?{query}")).await;
        assert_eq!(
            page["items"].as_array().unwrap().len(),
            1,
            "{query}: {page}"
        );
    }
    for query in ["year=2026", "sids=true", "region=Asia", "q=rura"] {
        let page = app.get_json(&format!("/api/v1/pledges?{query}")).await;
        assert!(
            page["items"].as_array().unwrap().is_empty(),
            "{query}: {page}"
        );
    }
}

/// Runs, on a fresh database, every migration whose folder name sorts before `name`: the schema
/// as it was before that migration.
fn migrate_before(conn: &mut pledgeboard::db::DbConnection, name: &str) {
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};
    use pledgeboard::db::DbConnection;

    let folder = match conn {
        DbConnection::Sqlite(_) => "migrations/sqlite",
        DbConnection::Postgres(_) => "migrations/postgres",
    };
    let before = std::fs::read_dir(folder)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().as_ref() < name)
        .count();
    let migrations = FileBasedMigrations::from_path(folder).unwrap();
    for _ in 0..before {
        match conn {
            DbConnection::Sqlite(c) => c.run_next_migration(migrations.clone()).unwrap(),
            DbConnection::Postgres(c) => c.run_next_migration(migrations.clone()).unwrap(),
        };
    }
}

/// Counters stored with their reference counts inside the scope's value keep every figure when
/// the counts move to rows of their own.
#[tokio::test]
async fn counters_stored_before_the_upgrade_keep_their_figures() {
    use diesel::prelude::*;
    use pledgeboard::db::schema::counter_refs;

    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let db = Database::open(&url, 1).unwrap();
    {
        let mut conn = db.get().unwrap();
        migrate_before(&mut conn, "2026-11-29-000014");
        let state = serde_json::json!({
            "figures": {
                "pledges": 3, "usd_pledged": 9000000000000000000u64, "usd_disbursed": 5,
                "ldc_pledges": 1, "by_sdg": {"9": 3}, "by_focus_area": {"access": 3},
                "by_type": {"financial": 3},
                "by_organisation_kind": {"government": 2, "private_sector": 1},
                "organisations": {"org-1": 2, "org-2": 1},
                "governments": {"org-1": 2},
                "countries": {"GHA": 3, "NPL": 1},
                "pending_pledges": 0, "pending_usd": 0
            },
            "today": {"day": null, "count": 0},
            "version": 7,
            "updated_at": "2024-01-02T03:04:05Z"
        });
        diesel::sql_query(format!(
            "INSERT INTO counter_scopes (scope, version, state, updated_at) \
             VALUES ('track:ldc5', 7, '{state}', '2024-01-02 03:04:05')"
        ))
        .execute(&mut *conn)
        .unwrap();
        drop(conn);
        assert!(db.migrate().unwrap() > 0);
        let mut conn = db.get().unwrap();
        let mut refs: Vec<(String, String, String, i64)> = counter_refs::table
            .select((
                counter_refs::scope,
                counter_refs::kind,
                counter_refs::key,
                counter_refs::pledges,
            ))
            .order((counter_refs::kind, counter_refs::key))
            .load(&mut *conn)
            .unwrap();
        refs.sort();
        let row = |kind: &str, key: &str, n| {
            ("track:ldc5".to_owned(), kind.to_owned(), key.to_owned(), n)
        };
        assert_eq!(
            refs,
            [
                row("country", "GHA", 3),
                row("country", "NPL", 1),
                row("government", "org-1", 2),
                row("organisation", "org-1", 2),
                row("organisation", "org-2", 1),
            ]
        );
    }
    drop(db);

    let app = spawn_app_with(|s| s.database_url = Some(url.clone())).await;
    let stats = app.get_json("/api/v1/stats?track=ldc5").await;
    for (figure, value) in [
        ("pledges", serde_json::json!(3)),
        ("usd_pledged", serde_json::json!(9000000000000000000u64)),
        ("entities", serde_json::json!(2)),
        ("governments", serde_json::json!(1)),
        ("countries", serde_json::json!(2)),
        ("version", serde_json::json!(7)),
    ] {
        assert_eq!(stats[figure], value, "{figure}: {stats}");
    }
}
