//! Property: whatever happens to pledges and organisations through the API, the stored counters
//! equal a count from scratch, in every scope, after every step.

use std::sync::atomic::{AtomicBool, Ordering};

use proptest::{
    prelude::*,
    test_runner::{Config, TestRunner},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use pledgeboard::{
    db::{counters, DbConnection},
    domain::counters::{Counters, Snapshot},
    error::AppResult,
};

use crate::{
    helpers::{deliverables, spawn_app, spawn_app_with, Session, TestApp},
    live::{create_pledge, pledge_body, publish, stage, stats_until, submit_pledge},
};

/// Set once a generated story reached what it is meant to exercise: the property is not vacuous.
static SAW_PUBLISHED: AtomicBool = AtomicBool::new(false);
static SAW_COUNTED_PLEDGE_EDITED: AtomicBool = AtomicBool::new(false);
static SAW_COUNTED_ORGANISATION_EDITED: AtomicBool = AtomicBool::new(false);
static SAW_REPORT: AtomicBool = AtomicBool::new(false);
static SAW_AMENDMENT_APPROVED: AtomicBool = AtomicBool::new(false);
static SAW_AMENDMENT_REFUSED: AtomicBool = AtomicBool::new(false);
static SAW_SCHEDULED: AtomicBool = AtomicBool::new(false);
static SAW_REVEALED: AtomicBool = AtomicBool::new(false);

const ORGS: usize = 3;
const TRACKS: [&str; 4] = [
    "p2c",
    "ldc5",
    "sdg-digital-day-2023",
    "green-digital-action-cop28",
];
const COUNTRIES: [&str; 5] = ["GHA", "NPL", "FJI", "KEN", "BRA"];
const TYPES: [&str; 4] = ["financial", "policy", "programmatic", "advocacy"];
const KINDS: [&str; 4] = ["government", "private_sector", "civil_society", "un_entity"];
const ACTIONS: [&str; 5] = ["submit", "approve", "request-changes", "reject", "withdraw"];

/// What a pledge says about itself that the counters read.
#[derive(Debug, Clone)]
struct Shape {
    tracks: Vec<usize>,
    countries: Vec<usize>,
    sdgs: Vec<i64>,
    usd: i64,
    kind: usize,
}

/// A `PATCH` of a pledge: each part may be left out.
#[derive(Debug, Clone)]
struct PledgeEdit {
    tracks: Option<Vec<usize>>,
    countries: Option<Vec<usize>>,
    sdgs: Option<Vec<i64>>,
    usd: Option<Option<i64>>,
    kind: Option<usize>,
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        org: usize,
        shape: Shape,
    },
    Step {
        pledge: usize,
        action: usize,
    },
    /// Submit then approve: the path most stories need to reach the published figures.
    Publish {
        pledge: usize,
    },
    /// Files a report and has it accepted; a final one completes the pledge.
    Report {
        pledge: usize,
        year: i32,
        usd: i64,
        is_final: bool,
    },
    /// Runs the daily lifecycle round some years ahead: reminders, and inactivity for pledges
    /// that missed two reporting years.
    Lifecycle {
        years_ahead: i64,
    },
    /// Edits a pledge. With `revise`, a draft is first submitted and a submitted pledge sent
    /// back for changes, so that the edit changes what a counted pledge contributes.
    EditPledge {
        pledge: usize,
        revise: bool,
        edit: PledgeEdit,
    },
    /// The owner edits the organisation; the name, kind or country withdraw its verification.
    EditOrganisation {
        org: usize,
        name: Option<u8>,
        kind: Option<usize>,
        country: Option<usize>,
    },
    Verify {
        org: usize,
    },
    /// Submit then approve to be revealed a day ahead: counted for staff only.
    Schedule {
        pledge: usize,
    },
    /// Reveals: a pledge early (an organiser's step), or everything due by a day and a half
    /// ahead (the reveal round, with the time given).
    Reveal {
        pledge: usize,
        early: bool,
    },
    /// The organisation proposes an amendment (nothing counted moves), then a moderator
    /// approves it (the counters move by the difference), refuses it, or leaves it open.
    Amend {
        pledge: usize,
        edit: PledgeEdit,
        decision: Decision,
    },
}

#[derive(Debug, Clone, Copy)]
enum Decision {
    Approve,
    Refuse,
    Pending,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        proptest::collection::vec(0..TRACKS.len(), 0..3),
        proptest::collection::vec(0..COUNTRIES.len(), 1..3),
        proptest::collection::vec(1..=17i64, 1..3),
        0..1_000_000i64,
        0..TYPES.len(),
    )
        .prop_map(|(tracks, countries, sdgs, usd, kind)| Shape {
            tracks,
            countries,
            sdgs,
            usd,
            kind,
        })
}

impl PledgeEdit {
    /// The body of a `PATCH` (or of a proposed amendment) with the parts present.
    fn body(&self) -> Value {
        let mut body = serde_json::Map::new();
        if let Some(tracks) = &self.tracks {
            body.insert("tracks".into(), json!(names(&TRACKS, tracks)));
        }
        if let Some(countries) = &self.countries {
            body.insert("countries".into(), json!(names(&COUNTRIES, countries)));
        }
        if let Some(sdgs) = &self.sdgs {
            body.insert("sdgs".into(), json!(sdgs));
        }
        if let Some(usd) = self.usd {
            body.insert("value".into(), usd.map_or(Value::Null, value));
        }
        if let Some(kind) = self.kind {
            body.insert("type".into(), json!(TYPES[kind]));
        }
        Value::Object(body)
    }
}

fn pledge_edit() -> impl Strategy<Value = PledgeEdit> {
    (
        proptest::option::of(proptest::collection::vec(0..TRACKS.len(), 0..3)),
        proptest::option::of(proptest::collection::vec(0..COUNTRIES.len(), 1..3)),
        proptest::option::of(proptest::collection::vec(1..=17i64, 1..3)),
        proptest::option::of(proptest::option::of(0..1_000_000i64)),
        proptest::option::of(0..TYPES.len()),
    )
        .prop_map(|(tracks, countries, sdgs, usd, kind)| PledgeEdit {
            tracks,
            countries,
            sdgs,
            usd,
            kind,
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..ORGS, shape()).prop_map(|(org, shape)| Op::Create { org, shape }),
        3 => (0..12usize, 0..ACTIONS.len()).prop_map(|(pledge, action)| Op::Step { pledge, action }),
        3 => (0..12usize).prop_map(|pledge| Op::Publish { pledge }),
        2 => (0..12usize, 2023..2026i32, 0..50_000i64, proptest::bool::weighted(0.2))
            .prop_map(|(pledge, year, usd, is_final)| Op::Report { pledge, year, usd, is_final }),
        1 => (0..4i64).prop_map(|years_ahead| Op::Lifecycle { years_ahead }),
        3 => (0..12usize, any::<bool>(), pledge_edit())
            .prop_map(|(pledge, revise, edit)| Op::EditPledge { pledge, revise, edit }),
        3 => (
            0..ORGS,
            proptest::option::of(any::<u8>()),
            proptest::option::of(0..KINDS.len()),
            proptest::option::of(0..COUNTRIES.len()),
        )
            .prop_map(|(org, name, kind, country)| Op::EditOrganisation { org, name, kind, country }),
        2 => (0..ORGS).prop_map(|org| Op::Verify { org }),
        2 => (0..12usize).prop_map(|pledge| Op::Schedule { pledge }),
        2 => (0..12usize, any::<bool>()).prop_map(|(pledge, early)| Op::Reveal { pledge, early }),
        3 => (
            0..12usize,
            pledge_edit(),
            prop_oneof![Just(Decision::Approve), Just(Decision::Refuse), Just(Decision::Pending)],
        )
            .prop_map(|(pledge, edit, decision)| Op::Amend { pledge, edit, decision }),
    ]
}

fn names<const N: usize>(all: &[&str; N], picked: &[usize]) -> Vec<String> {
    picked.iter().map(|&i| all[i].to_owned()).collect()
}

fn value(usd: i64) -> Value {
    json!({"currency": "USD", "amount_minor": usd * 100, "usd": usd})
}

/// Organisations of several kinds, verified, with signed-in owners; and a moderator.
struct World {
    app: TestApp,
    owners: Vec<Session>,
    moderator: Session,
    /// Pledge id and the index of its organisation.
    pledges: Vec<(String, usize)>,
}

impl World {
    async fn new() -> Self {
        let app = spawn_app().await;
        let moderator = app.staff("moderator", "moderator@example.org").await;
        let mut owners = Vec::new();
        for i in 0..ORGS {
            let owner = app
                .pledger(&format!("owner{i}@example.org"), &format!("Org {i}"))
                .await;
            owners.push(owner);
        }
        let world = World {
            app,
            owners,
            moderator,
            pledges: Vec::new(),
        };
        for i in 0..ORGS {
            // Organisations of several kinds (the owners registered governments).
            let kind = KINDS[i % KINDS.len()];
            let resp = world
                .app
                .send(
                    Method::PATCH,
                    &format!("/api/v1/organisations/{}", world.organisation(i)),
                    Some(&world.owners[i].access),
                    Some(&json!({ "kind": kind })),
                )
                .await;
            assert_eq!(resp.status(), StatusCode::OK);
            world.verify(i).await;
        }
        world
    }

    fn organisation(&self, org: usize) -> String {
        self.owners[org].organisation_id.clone().unwrap()
    }

    async fn verify(&self, org: usize) {
        let resp = self
            .app
            .send(
                Method::POST,
                &format!("/api/v1/organisations/{}/verify", self.organisation(org)),
                Some(&self.moderator.access),
                None,
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
    }

    /// The pledge's status and version, as its organisation sees it.
    async fn pledge(&self, id: &str, org: usize) -> (String, i64) {
        let resp = self
            .app
            .send(
                Method::GET,
                &format!("/api/v1/pledges/{id}"),
                Some(&self.owners[org].access),
                None,
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        (
            body["status"].as_str().unwrap().to_owned(),
            body["version"].as_i64().unwrap(),
        )
    }

    fn pick(&self, pledge: usize) -> Option<(String, usize)> {
        (!self.pledges.is_empty()).then(|| self.pledges[pledge % self.pledges.len()].clone())
    }

    /// Takes a step; refusals (a step the pledge's status does not allow) are part of the story.
    async fn step(&self, id: &str, org: usize, action: &str) -> StatusCode {
        let decision = matches!(action, "approve" | "request-changes" | "reject" | "reveal");
        let token = if decision {
            &self.moderator.access
        } else {
            &self.owners[org].access
        };
        let (_, version) = self.pledge(id, org).await;
        self.app
            .client
            .post(self.app.url(&format!("/api/v1/pledges/{id}/{action}")))
            .bearer_auth(token)
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({"reason": "a reason"}))
            .send()
            .await
            .unwrap()
            .status()
    }

    /// Whether the pledge counts now (pending or published).
    async fn counted(&self, id: &str, org: usize) -> bool {
        let (status, _) = self.pledge(id, org).await;
        matches!(
            status.as_str(),
            "submitted" | "changes_requested" | "published" | "scheduled"
        )
    }

    async fn organisation_counts(&self, org: usize) -> bool {
        for (id, o) in &self.pledges {
            if *o == org && self.counted(id, org).await {
                return true;
            }
        }
        false
    }

    /// Publishes a draft first (amendments are made to published pledges), proposes an
    /// amendment (refused when one is open, the pledge is not published, or nothing would
    /// change: part of the story) and decides the pledge's open amendment, if any.
    async fn amend(&self, id: &str, org: usize, edit: &PledgeEdit, decision: Decision) {
        if self.pledge(id, org).await.0 == "draft" {
            self.step(id, org, "submit").await;
            self.step(id, org, "approve").await;
        }
        let path = format!("/api/v1/pledges/{id}/amendment");
        self.app
            .send(
                Method::POST,
                &path,
                Some(&self.owners[org].access),
                Some(&edit.body()),
            )
            .await;
        let (action, flag) = match decision {
            Decision::Approve => ("approve", &SAW_AMENDMENT_APPROVED),
            Decision::Refuse => ("refuse", &SAW_AMENDMENT_REFUSED),
            Decision::Pending => return,
        };
        let (_, version) = self.pledge(id, org).await;
        let resp = self
            .app
            .client
            .post(self.app.url(&format!("{path}/{action}")))
            .bearer_auth(&self.moderator.access)
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({"reason": "a reason"}))
            .send()
            .await
            .unwrap();
        if resp.status() == StatusCode::OK {
            flag.store(true, Ordering::Relaxed);
        }
    }

    async fn apply(&mut self, op: &Op) {
        match op {
            Op::Create { org, shape } => {
                let body = json!({
                    "title": "A pledge in a random story",
                    "summary": "Generated to exercise the counters",
                    "description": "Details.",
                    "type": TYPES[shape.kind],
                    "focus_areas": ["access"],
                    "sdgs": shape.sdgs,
                    "tracks": names(&TRACKS, &shape.tracks),
                    "countries": names(&COUNTRIES, &shape.countries),
                    "value": value(shape.usd),
                    "deliverables": deliverables(),
                });
                let id = create_pledge(&self.app, &self.owners[*org], &body).await;
                self.pledges.push((id, *org));
            }
            Op::Step { pledge, action } => {
                if let Some((id, org)) = self.pick(*pledge) {
                    self.step(&id, org, ACTIONS[*action]).await;
                }
            }
            Op::Publish { pledge } => {
                if let Some((id, org)) = self.pick(*pledge) {
                    self.step(&id, org, "submit").await;
                    self.step(&id, org, "approve").await;
                }
            }
            Op::Schedule { pledge } => {
                if let Some((id, org)) = self.pick(*pledge) {
                    self.step(&id, org, "submit").await;
                    let (_, version) = self.pledge(&id, org).await;
                    let at = chrono::Utc::now() + chrono::Duration::days(1);
                    self.app
                        .client
                        .post(self.app.url(&format!("/api/v1/pledges/{id}/approve")))
                        .bearer_auth(&self.moderator.access)
                        .header("If-Match", format!("\"{version}\""))
                        .json(&json!({ "reveal_at": at }))
                        .send()
                        .await
                        .unwrap();
                }
            }
            Op::Reveal { pledge, early } => {
                if let Some((id, org)) = self.pick(*pledge) {
                    if *early {
                        if self.step(&id, org, "reveal").await == StatusCode::OK {
                            SAW_REVEALED.store(true, Ordering::Relaxed);
                        }
                    } else {
                        let now = chrono::Utc::now() + chrono::Duration::hours(36);
                        let links = pledgeboard::email::Links {
                            public_url: self.app.settings.effective_public_url(),
                        };
                        let revealed = self
                            .app
                            .db
                            .write(move |conn| {
                                pledgeboard::services::pledges::reveals::reveal_due(
                                    conn, now, &links,
                                )
                            })
                            .await
                            .unwrap();
                        if revealed > 0 {
                            SAW_REVEALED.store(true, Ordering::Relaxed);
                        }
                    }
                }
            }
            Op::Lifecycle { years_ahead } => {
                let today =
                    chrono::Utc::now().date_naive() + chrono::Duration::days(365 * years_ahead);
                let links = pledgeboard::email::Links {
                    public_url: self.app.settings.effective_public_url(),
                };
                self.app
                    .db
                    .run(move |conn| pledgeboard::services::lifecycle::apply(conn, today, &links))
                    .await
                    .unwrap();
            }
            Op::Report {
                pledge,
                year,
                usd,
                is_final,
            } => {
                if let Some((id, org)) = self.pick(*pledge) {
                    let status = if *is_final {
                        "completed"
                    } else {
                        "in_progress"
                    };
                    let resp = self
                        .app
                        .send(
                            Method::POST,
                            &format!("/api/v1/pledges/{id}/reports"),
                            Some(&self.owners[org].access),
                            Some(&json!({
                                "year": year,
                                "implementation_status": status,
                                "narrative": "Progress.",
                                "usd_disbursed": usd,
                                "final": is_final,
                            })),
                        )
                        .await;
                    if resp.status().is_success() {
                        // Figures count once a moderator accepts the report.
                        let accepted = self
                            .app
                            .send(
                                Method::POST,
                                &format!("/api/v1/pledges/{id}/reports/{year}/accept"),
                                Some(&self.moderator.access),
                                None,
                            )
                            .await
                            .status();
                        assert_eq!(accepted, StatusCode::OK);
                        SAW_REPORT.store(true, Ordering::Relaxed);
                    }
                }
            }
            Op::EditPledge {
                pledge,
                revise,
                edit,
            } => {
                let Some((id, org)) = self.pick(*pledge) else {
                    return;
                };
                if *revise {
                    if self.pledge(&id, org).await.0 == "draft" {
                        self.step(&id, org, "submit").await;
                    }
                    if self.pledge(&id, org).await.0 == "submitted" {
                        self.step(&id, org, "request-changes").await;
                    }
                }
                let (status, version) = self.pledge(&id, org).await;
                let resp = self
                    .app
                    .client
                    .patch(self.app.url(&format!("/api/v1/pledges/{id}")))
                    .bearer_auth(&self.owners[org].access)
                    .header("If-Match", format!("\"{version}\""))
                    .json(&edit.body())
                    .send()
                    .await
                    .unwrap();
                if resp.status() == StatusCode::OK && status == "changes_requested" {
                    SAW_COUNTED_PLEDGE_EDITED.store(true, Ordering::Relaxed);
                }
            }
            Op::EditOrganisation {
                org,
                name,
                kind,
                country,
            } => {
                let mut body = serde_json::Map::new();
                if let Some(n) = name {
                    body.insert("name".into(), json!(format!("Org {org} renamed {n}")));
                }
                if let Some(kind) = kind {
                    body.insert("kind".into(), json!(KINDS[*kind]));
                }
                if let Some(country) = country {
                    body.insert("country".into(), json!(COUNTRIES[*country]));
                }
                let resp = self
                    .app
                    .send(
                        Method::PATCH,
                        &format!("/api/v1/organisations/{}", self.organisation(*org)),
                        Some(&self.owners[*org].access),
                        Some(&Value::Object(body)),
                    )
                    .await;
                assert_eq!(resp.status(), StatusCode::OK);
                if kind.is_some() && self.organisation_counts(*org).await {
                    SAW_COUNTED_ORGANISATION_EDITED.store(true, Ordering::Relaxed);
                }
            }
            Op::Amend {
                pledge,
                edit,
                decision,
            } => {
                let Some((id, org)) = self.pick(*pledge) else {
                    return;
                };
                self.amend(&id, org, edit, *decision).await;
            }
            Op::Verify { org } => {
                // Refused when already verified: part of the story too.
                self.app
                    .send(
                        Method::POST,
                        &format!("/api/v1/organisations/{}/verify", self.organisation(*org)),
                        Some(&self.moderator.access),
                        None,
                    )
                    .await;
            }
        }
    }
}

/// A snapshot without its version, time stamp, goals and ticker (which no recount has).
fn shown(snapshot: Snapshot) -> Snapshot {
    Snapshot {
        version: 0,
        updated_at: chrono::DateTime::<chrono::Utc>::MIN_UTC,
        goals: Vec::new(),
        latest: Vec::new(),
        ..snapshot
    }
}

/// Where the stored counters differ from a count from scratch, in every scope either side knows.
fn drift(conn: &mut DbConnection) -> AppResult<Vec<String>> {
    let now = chrono::Utc::now();
    let fresh = Counters::recount(counters::counted_facts(conn)?, now);
    if fresh.global().figures().pledges() > 0 {
        SAW_PUBLISHED.store(true, Ordering::Relaxed);
    }
    if fresh.global().figures().scheduled_pledges() > 0 {
        SAW_SCHEDULED.store(true, Ordering::Relaxed);
    }
    let stored_keys: Vec<String> = counters::versions(conn)?
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let stored = counters::load(conn, &stored_keys)?;
    let mut keys: Vec<String> = fresh
        .scopes()
        .map(|(s, _)| counters::key(&s))
        .chain(stored_keys)
        .collect();
    keys.sort();
    keys.dedup();
    let mut drifted = Vec::new();
    for key in keys {
        let scope = counters::scope_of_key(&key)?;
        let expected = shown(fresh.snapshot(&scope, true, now));
        // A scope nothing ever touched may be absent on one side and empty on the other.
        let actual = stored
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, c)| shown(c.snapshot(scope.as_str(), true, now)))
            .unwrap_or_else(|| shown(Counters::new(now).snapshot(&scope, true, now)));
        if actual != expected {
            drifted.push(format!("{key}: stored {actual:?}, recounted {expected:?}"));
        }
    }
    Ok(drifted)
}

/// Asserts that the stored counters equal a count from scratch.
pub(crate) async fn assert_exact(app: &TestApp, after: &dyn std::fmt::Debug) {
    let drifted = app.db.run(drift).await.unwrap();
    assert!(drifted.is_empty(), "after {after:?}: {drifted:#?}");
}

#[test]
fn counters_always_equal_a_recount() {
    // A fixed seed: the same stories on every run and backend, so the coverage checks below
    // are a property of the test, not of luck (change the seed to explore other stories).
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 16,
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    runner
        .run(&proptest::collection::vec(op(), 1..30), |ops| {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                let mut world = World::new().await;
                for op in &ops {
                    world.apply(op).await;
                    assert_exact(&world.app, op).await;
                }
            });
            Ok(())
        })
        .unwrap();
    for (flag, what) in [
        (&SAW_PUBLISHED, "published a pledge"),
        (&SAW_REPORT, "filed a progress report"),
        (&SAW_AMENDMENT_APPROVED, "approved an amendment"),
        (&SAW_AMENDMENT_REFUSED, "refused an amendment"),
        (&SAW_SCHEDULED, "approved a pledge to be revealed later"),
        (&SAW_REVEALED, "revealed a scheduled pledge"),
        (
            &SAW_COUNTED_PLEDGE_EDITED,
            "edited a pledge sent back for changes",
        ),
        (
            &SAW_COUNTED_ORGANISATION_EDITED,
            "changed the kind of an organisation with counted pledges",
        ),
    ] {
        assert!(flag.load(Ordering::Relaxed), "no story ever {what}");
    }
}

/// Changes the stored figures of every scope behind the service's back, as a bug would: the
/// versions stay as they were.
async fn tamper_with_stored_figures(app: &TestApp) {
    app.db
        .run(|conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::counter_scopes;
            let rows: Vec<(String, String)> = counter_scopes::table
                .select((counter_scopes::scope, counter_scopes::state))
                .load(conn)?;
            for (scope, state) in rows {
                let mut state: Value = serde_json::from_str(&state).unwrap();
                state["figures"]["pledges"] = json!(99);
                state["figures"]["usd_pledged"] = json!(1);
                diesel::update(counter_scopes::table.find(scope))
                    .set(counter_scopes::state.eq(state.to_string()))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn recount_repairs_tampered_counters() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "gov@example.org",
        "Ministry of ICT",
        "mod@example.org",
    )
    .await;
    publish(
        &app,
        &s,
        pledge_body("A pledge that counts", &["ldc5"], &["NPL"], 10),
    )
    .await;
    assert_exact(&app, &"publishing").await;
    tamper_with_stored_figures(&app).await;
    assert!(!app.db.run(drift).await.unwrap().is_empty());
    assert_eq!(app.db.run(counters::drifted).await.unwrap().len(), 2);

    let repaired = app.db.run(counters::recount).await.unwrap();
    let keys: Vec<String> = repaired.iter().map(counters::key).collect();
    assert_eq!(keys, ["all", "track:ldc5"]);
    assert_exact(&app, &"a recount").await;
    assert!(
        app.db.run(counters::recount).await.unwrap().is_empty(),
        "a second recount finds nothing to fix"
    );
    assert!(app.db.run(counters::check).await.unwrap().is_empty());
}

/// The value of a Prometheus series in `/metrics` (0 when absent).
async fn metric(app: &TestApp, series: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

/// The scheduled check finds drifted scopes, repairs them with a new version, and counts them.
#[tokio::test]
async fn the_scheduled_check_repairs_drift_and_counts_it() {
    let app = spawn_app_with(|s| s.counter_check_interval_secs = 1).await;
    let s = stage(
        &app,
        "gov@example.org",
        "Ministry of ICT",
        "mod@example.org",
    )
    .await;
    publish(
        &app,
        &s,
        pledge_body("A pledge that counts", &["p2c"], &["GHA"], 10),
    )
    .await;
    let before = stats_until(&app, "?track=p2c", None, |b| b["pledges"] == 1).await;
    let global = r#"pledgeboard_counter_drift_repairs_total{scope_kind="global"}"#;
    let track = r#"pledgeboard_counter_drift_repairs_total{scope_kind="track"}"#;
    let (global_before, track_before) = (metric(&app, global).await, metric(&app, track).await);
    let checks = r#"pledgeboard_counter_checks_total{outcome="ok"}"#;
    crate::helpers::eventually(std::time::Duration::from_secs(10), || async {
        metric(&app, checks).await >= 1.0
    })
    .await;

    tamper_with_stored_figures(&app).await;
    crate::helpers::eventually(std::time::Duration::from_secs(20), || async {
        metric(&app, global).await > global_before && metric(&app, track).await > track_before
    })
    .await;
    assert_exact(&app, &"the scheduled check").await;
    let after = stats_until(&app, "?track=p2c", None, |b| {
        b["version"].as_u64() > before["version"].as_u64()
    })
    .await;
    assert_eq!(after["pledges"], 1, "{after}");
    assert_eq!(after["usd_pledged"], 10);
}

/// A government's pledge is counted as a government's; after the organisation becomes a
/// company, withdrawing the pledge leaves no government and no kind behind in any figure.
#[tokio::test]
async fn changing_an_organisations_kind_moves_its_pledges_between_kinds() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "gov@example.org",
        "Ministry of ICT",
        "mod@example.org",
    )
    .await;
    let org = s.owner.organisation_id.clone().unwrap();
    let id = publish(
        &app,
        &s,
        pledge_body("A pledge that is kept", &["ldc5"], &["NPL"], 100),
    )
    .await;
    let all = stats_until(&app, "", None, |b| b["pledges"] == 1).await;
    assert_eq!(all["governments"], 1);
    assert_eq!(all["by_organisation_kind"], json!({"government": 1}));

    let resp = app
        .send(
            Method::PATCH,
            &format!("/api/v1/organisations/{org}"),
            Some(&s.owner.access),
            Some(&json!({"kind": "private_sector"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    for scope in ["", "?track=ldc5"] {
        let moved = stats_until(&app, scope, None, |b| {
            b["by_organisation_kind"] == json!({"private_sector": 1})
        })
        .await;
        assert_eq!(moved["governments"], 0, "{scope}: {moved}");
        assert_eq!(moved["pledges"], 1, "{scope}: {moved}");
    }
    assert_exact(&app, &"the change of kind").await;

    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{id}/withdraw"),
            Some(&s.owner.access),
            Some(&json!({})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    for scope in ["", "?track=ldc5"] {
        let after = stats_until(&app, scope, None, |b| b["pledges"] == 0).await;
        assert_eq!(after["governments"], 0, "{scope}: {after}");
        assert_eq!(after["entities"], 0, "{scope}: {after}");
        assert_eq!(after["by_organisation_kind"], json!({}), "{scope}: {after}");
    }
    assert_exact(&app, &"the withdrawal").await;
}

/// Changes that touch the same counter scopes at the same time (approvals, progress reports,
/// withdrawals, organisations changing kind) all succeed, and the counters stay exact.
#[tokio::test]
async fn concurrent_changes_leave_exact_counters() {
    use futures_util::future::join_all;

    let app = spawn_app_with(|s| s.db_pool_size = 8).await;
    let a = stage(
        &app,
        "gov@example.org",
        "Ministry of ICT",
        "mod@example.org",
    )
    .await;
    let b = app.pledger("ngo@example.org", "Digital Rights Now").await;
    let b_org = b.organisation_id.clone().unwrap();
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/organisations/{b_org}/verify"),
            Some(&a.moderator.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let owners = [&a.owner, &b];
    let track_sets: [&[&str]; 4] = [&["p2c", "ldc5"], &["ldc5", "p2c"], &["ldc5"], &[]];
    let mut pledges = Vec::new();
    for i in 0..8 {
        let owner = owners[i % 2];
        let body = pledge_body(
            "A pledge decided at the same time as others",
            track_sets[i % 4],
            &["NPL", "GHA"],
            100 + i as i64,
        );
        let id = create_pledge(&app, owner, &body).await;
        submit_pledge(&app, owner, &id).await;
        pledges.push((id, owner));
    }

    let edit_kind = |owner: &Session, kind: &'static str| {
        let org = owner.organisation_id.clone().unwrap();
        let app = &app;
        let token = owner.access.clone();
        async move {
            app.send(
                Method::PATCH,
                &format!("/api/v1/organisations/{org}"),
                Some(&token),
                Some(&json!({ "kind": kind })),
            )
            .await
            .status()
        }
    };
    let approvals = pledges.iter().map(|(id, _)| {
        let app = &app;
        let token = a.moderator.access.clone();
        async move {
            app.client
                .post(app.url(&format!("/api/v1/pledges/{id}/approve")))
                .bearer_auth(token)
                .header("If-Match", "\"2\"")
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let (approved, kinds) = tokio::join!(
        join_all(approvals),
        join_all([edit_kind(&b, "civil_society"), edit_kind(&b, "academia")]),
    );
    // A change of kind withdraws the organisation's verification: approving its pledges may be
    // refused from then on, whichever came first.
    for (i, status) in approved.iter().enumerate() {
        let refusable = i % 2 == 1 && *status == StatusCode::FORBIDDEN;
        assert!(*status == StatusCode::OK || refusable, "{approved:?}");
    }
    assert!(kinds.iter().all(|s| *s == StatusCode::OK), "{kinds:?}");
    assert_exact(&app, &"concurrent approvals and changes of kind").await;

    let reports = pledges.iter().map(|(id, owner)| {
        let app = &app;
        let token = owner.access.clone();
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/pledges/{id}/reports"),
                Some(&token),
                Some(&json!({
                    "year": 2024,
                    "implementation_status": "in_progress",
                    "narrative": "Progress.",
                    "usd_disbursed": 7,
                })),
            )
            .await
            .status()
        }
    });
    // A report on a pledge that is not published (its approval may have been refused) is
    // refused.
    let reported = join_all(reports).await;
    assert!(
        reported
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{reported:?}"
    );
    let acceptances = pledges.iter().map(|(id, _)| {
        let app = &app;
        let token = a.moderator.access.clone();
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/pledges/{id}/reports/2024/accept"),
                Some(&token),
                None,
            )
            .await
            .status()
        }
    });
    let withdrawals = pledges.iter().step_by(3).map(|(id, owner)| {
        let app = &app;
        let token = owner.access.clone();
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/pledges/{id}/withdraw"),
                Some(&token),
                Some(&json!({})),
            )
            .await
            .status()
        }
    });
    let (accepted, withdrawn, kinds) = tokio::join!(
        join_all(acceptances),
        join_all(withdrawals),
        join_all([
            edit_kind(&a.owner, "private_sector"),
            edit_kind(&b, "government")
        ]),
    );
    // A report on a pledge that is not (or no longer) published is not accepted.
    for (accepted, reported) in accepted.iter().zip(&reported) {
        let allowed = if *reported == StatusCode::CREATED {
            [StatusCode::OK, StatusCode::CONFLICT]
        } else {
            [StatusCode::CONFLICT, StatusCode::CONFLICT]
        };
        assert!(allowed.contains(accepted), "{accepted} after {reported}");
    }
    assert!(
        withdrawn.iter().all(|s| *s == StatusCode::OK),
        "{withdrawn:?}"
    );
    assert!(kinds.iter().all(|s| *s == StatusCode::OK), "{kinds:?}");
    assert_exact(
        &app,
        &"concurrent report acceptances, withdrawals and changes of kind",
    )
    .await;
}

/// Many submissions and approvals at once, on two instances sharing one database, on pledges
/// whose tracks overlap in every order: nothing answers 500 (on PostgreSQL, counter rows locked
/// in scan order used to deadlock), every approval but one per pledge wins, and the counters
/// equal a recount.
#[tokio::test]
async fn concurrent_steps_on_overlapping_tracks_never_fail_across_instances() {
    use futures_util::future::join_all;

    let a = spawn_app_with(|s| s.db_pool_size = 8).await;
    let s = stage(
        &a,
        "busy@example.org",
        "Busy Ministry",
        "busy-mod@example.org",
    )
    .await;
    let second_moderator = a.staff("moderator", "busy-mod-2@example.org").await;
    let url = a.settings.database_url.clone();
    let b = spawn_app_with(move |settings| {
        settings.database_url = url;
        settings.db_pool_size = 8;
    })
    .await;
    let track_sets: [&[&str]; 4] = [
        &["p2c", "ldc5", "sdg-digital-day-2023"],
        &["sdg-digital-day-2023", "ldc5", "p2c"],
        &["ldc5", "green-digital-action-cop28"],
        &["green-digital-action-cop28", "p2c"],
    ];
    let mut ids = Vec::new();
    for i in 0..24 {
        let body = pledge_body(
            "A pledge among many at once",
            track_sets[i % 4],
            &["NPL"],
            10,
        );
        ids.push(create_pledge(&a, &s.owner, &body).await);
    }
    let instance = |i: usize| if i.is_multiple_of(2) { &a } else { &b };
    let submissions = ids.iter().enumerate().map(|(i, id)| {
        let app = instance(i);
        let token = s.owner.access.clone();
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/pledges/{id}/submit"),
                Some(&token),
                None,
            )
            .await
            .status()
        }
    });
    let submitted = join_all(submissions).await;
    assert!(
        submitted.iter().all(|s| *s == StatusCode::OK),
        "{submitted:?}"
    );
    // Two moderators approve every pledge at once, through both instances.
    let approvals = ids.iter().enumerate().flat_map(|(i, id)| {
        [(&s.moderator, i), (&second_moderator, i + 1)].map(|(who, k)| {
            let app = instance(k);
            let token = who.access.clone();
            let id = id.clone();
            async move {
                app.client
                    .post(app.url(&format!("/api/v1/pledges/{id}/approve")))
                    .bearer_auth(token)
                    .header("If-Match", "\"2\"")
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        })
    });
    let decided = join_all(approvals).await;
    let won = decided.iter().filter(|s| **s == StatusCode::OK).count();
    let lost = decided
        .iter()
        .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((won, lost), (ids.len(), ids.len()), "{decided:?}");
    assert_exact(&a, &"concurrent submissions and approvals on two instances").await;
}

/// The figures read right after a write this instance answered include it: no polling.
#[tokio::test]
async fn stats_read_after_an_approval_include_it() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "raw@example.org",
        "Read After Write",
        "mod-raw@example.org",
    )
    .await;
    for n in 1..=3 {
        let title = format!("Pledge number {n} read at once");
        publish(&app, &s, pledge_body(&title, &["ldc5"], &["NPL"], 100)).await;
        for scope in ["", "?track=ldc5"] {
            let figures = app.get_json(&format!("/api/v1/stats{scope}")).await;
            assert_eq!(
                figures["pledges"], n,
                "{scope} right after approval {n}: {figures}"
            );
        }
    }
}

/// Counters stored by a version that kept fewer figures (no money breakdowns, no active
/// figures) are rebuilt at start, before any change could count from the missing base.
#[tokio::test]
async fn counters_stored_by_an_earlier_version_are_rebuilt_at_start() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "old@example.org",
        "Old Ministry",
        "old-mod@example.org",
    )
    .await;
    publish(
        &app,
        &s,
        pledge_body("Counted long ago", &["ldc5"], &["NPL"], 250),
    )
    .await;
    const ADDED: [&str; 7] = [
        "usd_by_sdg",
        "usd_by_focus_area",
        "usd_by_region",
        "usd_to_ldcs",
        "active_pledges",
        "active_usd_pledged",
        "active_usd_disbursed",
    ];
    fn strip(value: &mut Value) {
        if let Value::Object(map) = value {
            for key in ADDED {
                map.remove(key);
            }
            map.values_mut().for_each(strip);
        }
    }
    let (upgraded, again, drift) = app
        .db
        .run(|conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::counter_scopes;
            let states: Vec<(String, String)> = counter_scopes::table
                .select((counter_scopes::scope, counter_scopes::state))
                .load(conn)?;
            for (scope, state) in states {
                let mut value: Value = serde_json::from_str(&state).unwrap();
                strip(&mut value);
                diesel::update(counter_scopes::table.find(&scope))
                    .set(counter_scopes::state.eq(value.to_string()))
                    .execute(conn)?;
            }
            assert!(
                !counters::drifted(conn)?.is_empty(),
                "the old shape counts as drift"
            );
            let upgraded = counters::upgrade_stored(conn)?;
            let again = counters::upgrade_stored(conn)?;
            Ok((upgraded, again, counters::drifted(conn)?))
        })
        .await
        .unwrap();
    assert!(upgraded && !again);
    assert!(drift.is_empty(), "{drift:?}");
}
