//! Property: whatever happens to pledges, the stored counters equal a count from scratch.

use proptest::{
    prelude::*,
    test_runner::{Config, TestRunner},
};

use pledgeboard::{
    db::{Database, DbConnection},
    domain::actor::Actor,
    domain::{
        counters::{Counters, Scope},
        pledge::PledgeInput,
        workflow::Action,
    },
    error::AppResult,
    services::{accounts, pledges, stats},
};

use crate::helpers::fresh_database_url;

/// Set once a generated story published something: the property is not vacuous.
static SAW_PUBLISHED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[derive(Debug, Clone)]
enum Op {
    Create {
        org: usize,
        tracks: Vec<usize>,
        countries: Vec<usize>,
        usd: i64,
        kind: usize,
    },
    Step {
        pledge: usize,
        action: usize,
    },
    Report {
        pledge: usize,
        year: i32,
        usd: i64,
    },
    /// Submit then approve: the path most stories need to reach the published figures.
    Publish {
        pledge: usize,
    },
}

const TRACKS: [&str; 4] = [
    "p2c",
    "ldc5",
    "sdg-digital-day-2023",
    "green-digital-action-cop28",
];
const COUNTRIES: [&str; 5] = ["GHA", "NPL", "FJI", "KEN", "BRA"];
const TYPES: [&str; 4] = ["financial", "policy", "programmatic", "advocacy"];
const ACTIONS: [Action; 5] = [
    Action::Submit,
    Action::Approve,
    Action::RequestChanges,
    Action::Reject,
    Action::Withdraw,
];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            0..3usize,
            proptest::collection::vec(0..4usize, 0..3),
            proptest::collection::vec(0..5usize, 1..3),
            0..1_000_000i64,
            0..4usize
        )
            .prop_map(|(org, tracks, countries, usd, kind)| Op::Create {
                org,
                tracks,
                countries,
                usd,
                kind
            }),
        (0..12usize, 0..5usize).prop_map(|(pledge, action)| Op::Step { pledge, action }),
        (0..12usize, 0..5usize).prop_map(|(pledge, action)| Op::Step { pledge, action }),
        (0..12usize).prop_map(|pledge| Op::Publish { pledge }),
        (0..12usize, 2023..2026i32, 0..50_000i64).prop_map(|(pledge, year, usd)| Op::Report {
            pledge,
            year,
            usd
        }),
    ]
}

struct World {
    db: Database,
    owners: Vec<Actor>,
    moderator: Actor,
    pledges: Vec<(pledgeboard::domain::ids::PledgeId, usize)>,
}

fn user(conn: &mut DbConnection, email: &str) -> Actor {
    pledgeboard::db::users::find_by_email(conn, email)
        .unwrap()
        .unwrap()
        .actor()
}

/// Three organisations (two governments, one company), all verified, with verified owners, and
/// a moderator.
fn world() -> (World, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&fresh_database_url(dir.path()), 2).unwrap();
    db.migrate().unwrap();
    let mut conn = db.get().unwrap();
    let links = pledgeboard::email::Links {
        public_url: "http://127.0.0.1".into(),
    };
    let mut owners = Vec::new();
    for (i, kind) in ["government", "government", "private_sector"]
        .iter()
        .enumerate()
    {
        let email = format!("owner{i}@example.org");
        let request: pledgeboard::domain::account::RegisterRequest =
            serde_json::from_value(serde_json::json!({
                "email": email, "password": crate::helpers::PASSWORD, "display_name": "Owner",
                "organisation": {"name": format!("Org {i}"), "kind": kind, "country": "GHA"},
            }))
            .unwrap();
        accounts::register(&mut conn, request, &links).unwrap();
        use diesel::prelude::*;
        use pledgeboard::db::schema::{organisations, users};
        diesel::update(users::table.filter(users::email.eq(&email)))
            .set(users::email_verified.eq(true))
            .execute(&mut *conn)
            .unwrap();
        owners.push(user(&mut conn, &email));
        diesel::update(organisations::table.find(owners[i].organisation_id.clone().unwrap()))
            .set(organisations::verified.eq(true))
            .execute(&mut *conn)
            .unwrap();
    }
    let staff = pledgeboard::domain::account::NewStaff {
        email: "moderator@example.org".into(),
        display_name: "Moderator".into(),
        role: "moderator".into(),
        password: crate::helpers::PASSWORD.into(),
    };
    accounts::create_staff(&mut conn, &staff).unwrap();
    let moderator = user(&mut conn, "moderator@example.org");
    drop(conn);
    (
        World {
            db,
            owners,
            moderator,
            pledges: Vec::new(),
        },
        dir,
    )
}

fn apply(world: &mut World, conn: &mut DbConnection, op: &Op) {
    let links = pledgeboard::email::Links {
        public_url: "http://127.0.0.1".into(),
    };
    match op {
        Op::Create {
            org,
            tracks,
            countries,
            usd,
            kind,
        } => {
            let input: PledgeInput = serde_json::from_value(serde_json::json!({
                "title": "A pledge in a random story",
                "summary": "Generated to exercise the counters",
                "description": "Details.",
                "type": TYPES[*kind],
                "focus_areas": ["access"],
                "sdgs": [1 + (*usd % 17)],
                "tracks": tracks.iter().map(|t| TRACKS[*t]).collect::<Vec<_>>(),
                "countries": countries.iter().map(|c| COUNTRIES[*c]).collect::<Vec<_>>(),
                "value": {"currency": "USD", "amount_minor": usd * 100, "usd": usd},
            }))
            .unwrap();
            let created = pledges::create(conn, &world.owners[*org], &input, None).unwrap();
            world.pledges.push((created.pledge().unwrap().id, *org));
        }
        Op::Step { pledge, action } => {
            if world.pledges.is_empty() {
                return;
            }
            let (id, org) = world.pledges[pledge % world.pledges.len()].clone();
            let action = ACTIONS[*action];
            let actor = if action.is_decision() {
                &world.moderator
            } else {
                &world.owners[org]
            };
            let version = pledgeboard::db::pledges::find_record(conn, &id)
                .unwrap()
                .unwrap()
                .row
                .version;
            // Refusals (an action not possible from the current status) are part of the story.
            let _ = pledges::transition(
                conn,
                &id,
                actor,
                action,
                Some(version),
                Some("a reason"),
                &links,
            );
        }
        Op::Publish { pledge } => {
            for action in [0, 1] {
                apply(
                    world,
                    conn,
                    &Op::Step {
                        pledge: *pledge,
                        action,
                    },
                );
            }
        }
        Op::Report { pledge, year, usd } => {
            if world.pledges.is_empty() {
                return;
            }
            let (id, org) = world.pledges[pledge % world.pledges.len()].clone();
            let input = pledgeboard::services::reports::ReportInput {
                year: *year,
                implementation_status: "in_progress".into(),
                narrative: "Progress.".into(),
                usd_disbursed: Some(*usd),
                people_reached: None,
            };
            // Refused unless the pledge is published: that is part of the story too.
            let _ = pledgeboard::services::reports::submit(conn, &id, &world.owners[org], &input);
        }
    }
}

/// The stored counters agree with a count from scratch, in every scope.
fn check(conn: &mut DbConnection) -> AppResult<()> {
    let now = chrono::Utc::now();
    let fresh = Counters::recount(pledges::counted_facts(conn)?, now);
    if fresh.global().figures().pledges() > 0 {
        SAW_PUBLISHED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let keys: Vec<String> = std::iter::once("all".to_owned())
        .chain(TRACKS.iter().map(|t| format!("track:{t}")))
        .collect();
    let stored = stats::load(conn, &keys)?;
    for key in keys {
        let scope = stats::scope_of_key(&key).unwrap();
        let expected = fresh.scope(&scope).cloned();
        let actual = stored
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, c)| c.clone());
        let name = match &scope {
            Scope::All => "all".to_owned(),
            Scope::Track(t) => t.clone(),
        };
        let expected = expected.map(|c| c.snapshot(&name, true, now));
        let actual = actual.map(|c| c.snapshot(&name, true, now));
        let strip = |s: Option<pledgeboard::domain::counters::Snapshot>| {
            s.map(|mut s| {
                s.version = 0;
                s.updated_at = now;
                s
            })
        };
        let (expected, actual) = (strip(expected), strip(actual));
        // A scope nothing ever touched may be absent on one side and empty on the other.
        let empty = |s: &Option<pledgeboard::domain::counters::Snapshot>| {
            s.as_ref()
                .is_none_or(|s| s.pledges == 0 && s.pending.as_ref().is_none_or(|p| p.pledges == 0))
        };
        if !(empty(&expected) && empty(&actual)) {
            assert_eq!(actual, expected, "scope {key} drifted from a recount");
        }
    }
    Ok(())
}

#[test]
fn counters_always_equal_a_recount() {
    let mut runner = TestRunner::new(Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(op(), 1..30), |ops| {
            let (mut world, _dir) = world();
            let db = world.db.clone();
            let mut conn = db.get().unwrap();
            for op in &ops {
                apply(&mut world, &mut conn, op);
                check(&mut conn).unwrap();
            }
            Ok(())
        })
        .unwrap();
    assert!(
        SAW_PUBLISHED.load(std::sync::atomic::Ordering::Relaxed),
        "no story ever published a pledge"
    );
}

#[test]
fn recount_repairs_tampered_counters() {
    let (mut world, _dir) = world();
    let db = world.db.clone();
    let mut conn = db.get().unwrap();
    for op in [
        Op::Create {
            org: 0,
            tracks: vec![1],
            countries: vec![1],
            usd: 10,
            kind: 0,
        },
        Op::Step {
            pledge: 0,
            action: 0,
        },
        Op::Step {
            pledge: 0,
            action: 1,
        },
    ] {
        apply(&mut world, &mut conn, &op);
    }
    check(&mut conn).unwrap();
    {
        use diesel::prelude::*;
        use pledgeboard::db::schema::counter_scopes;
        let empty = serde_json::to_string(&pledgeboard::domain::counters::ScopeCounters::new(
            chrono::Utc::now(),
        ))
        .unwrap();
        diesel::update(counter_scopes::table)
            .set(counter_scopes::state.eq(empty))
            .execute(&mut *conn)
            .unwrap();
    }
    let drifted = stats::recount(&mut conn).unwrap();
    assert!(
        drifted.contains(&"all".to_owned()) && drifted.contains(&"track:ldc5".to_owned()),
        "{drifted:?}"
    );
    check(&mut conn).unwrap();
    assert!(
        stats::recount(&mut conn).unwrap().is_empty(),
        "a second recount finds nothing to fix"
    );
}
