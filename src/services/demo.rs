//! `pledgeboard seed-demo --pledges N`: realistic demo organisations and published pledges, for
//! trying the service and for benchmarks. Safe to rerun: it tops the demo data up to N.

use chrono::Duration;

use crate::{
    auth::password,
    db::{self, pledges::insert_published, write_tx, DbConnection},
    domain::account::{Organisation, OrganisationKind, PlatformRole, User},
    domain::ids::{OrganisationId, UserId},
    domain::language::Language,
    domain::pledge::{validate, PledgeInput},
    error::{AppError, AppResult},
};

/// Roughly two pledges per entity, as in Partner2Connect (1,000+ pledges from 480+ entities),
/// up to a few thousand entities.
fn organisations_for(pledges: usize) -> usize {
    (pledges / 2).clamp(5, 5_000)
}

/// A small deterministic generator: the same N gives the same demo data.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const COUNTRIES: &[(&str, &str)] = &[
    ("NPL", "Nepal"),
    ("BGD", "Bangladesh"),
    ("ETH", "Ethiopia"),
    ("RWA", "Rwanda"),
    ("SEN", "Senegal"),
    ("UGA", "Uganda"),
    ("MOZ", "Mozambique"),
    ("KHM", "Cambodia"),
    ("HTI", "Haiti"),
    ("FJI", "Fiji"),
    ("GHA", "Ghana"),
    ("KEN", "Kenya"),
    ("BRA", "Brazil"),
    ("IND", "India"),
    ("IDN", "Indonesia"),
    ("MWI", "Malawi"),
    ("ZMB", "Zambia"),
    ("TZA", "Tanzania"),
    ("VUT", "Vanuatu"),
    ("LAO", "Lao PDR"),
];
const KINDS: &[(OrganisationKind, &[&str])] = &[
    (
        OrganisationKind::Government,
        &[
            "Ministry of Digital Economy",
            "Ministry of Communications",
            "National ICT Authority",
        ],
    ),
    (
        OrganisationKind::PrivateSector,
        &[
            "Telecom",
            "Satellite Networks",
            "Cloud Services",
            "Mobile Money",
        ],
    ),
    (
        OrganisationKind::CivilSociety,
        &[
            "Digital Inclusion Network",
            "Connect Foundation",
            "Women in Tech Alliance",
        ],
    ),
    (
        OrganisationKind::Academia,
        &["University", "Institute of Technology", "Research Centre"],
    ),
    (
        OrganisationKind::InternationalOrganisation,
        &["Development Bank", "Regional Commission"],
    ),
];
const ACTIONS: &[&str] = &[
    "Connect",
    "Train",
    "Equip",
    "Bring broadband to",
    "Digitise",
    "Finance",
];
const TARGETS: &[&str] = &[
    "rural schools",
    "health clinics",
    "women entrepreneurs",
    "public libraries",
    "farmers' cooperatives",
    "youth centres",
];
const TYPES: &[&str] = &[
    "financial",
    "financial",
    "programmatic",
    "policy",
    "advocacy",
];
const FOCUS: &[&str] = &["access", "adoption", "value_creation", "accelerate"];
const TRACKS: &[&str] = &[
    "p2c",
    "ldc5",
    "sdg-digital-day-2023",
    "green-digital-action-cop28",
];
const GROUPS: &[&str] = &[
    "women_and_girls",
    "youth",
    "rural_communities",
    "msmes",
    "persons_with_disabilities",
];

/// What a run did.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub organisations_added: usize,
    pub pledges_added: usize,
    pub pledges_total: usize,
}

/// Demo organisations have ids like every other (UUIDs, as the contract says), from a range of
/// their own: this prefix and their number, so a rerun finds the ones it made.
const DEMO_ORG_PREFIX: &str = "d3e00000-0000-7000-8000-";

fn demo_organisation(n: usize) -> OrganisationId {
    OrganisationId::from(format!("{DEMO_ORG_PREFIX}{n:012x}"))
}

pub fn seed(conn: &mut DbConnection, target: usize) -> AppResult<SeedReport> {
    let mut report = SeedReport::default();
    let vocabulary = crate::db::taxonomy::vocabulary(conn)?;
    let creator = demo_user(conn)?;
    let org_count = organisations_for(target);
    let mut dice = Dice(7);
    let existing = db::organisations::count_with_id_prefix(conn, DEMO_ORG_PREFIX)?;
    write_tx(conn, |conn| -> AppResult<()> {
        for n in usize::try_from(existing).unwrap_or(0)..org_count {
            let (code, country) = COUNTRIES[n % COUNTRIES.len()];
            let (kind, names) = KINDS[n % KINDS.len()];
            let name = format!("{} of {country} ({n})", names[n % names.len()]);
            let at = crate::db::now();
            db::organisations::insert(
                conn,
                &Organisation {
                    id: demo_organisation(n),
                    name,
                    kind,
                    country: code.to_owned(),
                    website: None,
                    verified: true,
                    verified_at: Some(at),
                    created_at: at,
                    updated_at: at,
                },
            )?;
            report.organisations_added += 1;
        }
        Ok(())
    })?;
    let have = db::pledges::count_of_organisations_with_prefix(conn, DEMO_ORG_PREFIX)?;
    let have = usize::try_from(have).unwrap_or(0);
    let mut n = have;
    while n < target {
        let batch_end = (n + 500).min(target);
        write_tx(conn, |conn| -> AppResult<()> {
            for i in n..batch_end {
                let (code, country) = *dice.pick(COUNTRIES);
                let kind = *dice.pick(TYPES);
                let usd = 10_000 * (1 + dice.below(50_000)) as i64;
                let mut countries = vec![code];
                if dice.below(3) == 0 {
                    countries.push(dice.pick(COUNTRIES).0);
                }
                let tracks: Vec<&str> = TRACKS
                    .iter()
                    .copied()
                    .filter(|_| dice.below(3) == 0)
                    .collect();
                let input: PledgeInput = serde_json::from_value(serde_json::json!({
                    "title": format!("{} {} {} in {country}", dice.pick(ACTIONS), 10 * (1 + dice.below(100)), dice.pick(TARGETS)),
                    "summary": format!("A demo commitment to digital development in {country}."),
                    "description": "Generated demo data: infrastructure, skills and services for communities that are not yet connected.",
                    "type": kind,
                    "focus_areas": [dice.pick(FOCUS)],
                    "sdgs": [9, 1 + dice.below(17)],
                    "tracks": tracks,
                    "countries": countries,
                    "beneficiary_groups": [dice.pick(GROUPS)],
                    "value": if kind == "financial" { serde_json::json!({"currency": "USD", "amount_minor": usd * 100, "usd": usd}) } else { serde_json::Value::Null },
                    "deliverables": [{
                        "what": format!("{} {}", dice.pick(ACTIONS), dice.pick(TARGETS)),
                        "indicator": format!("{} reached", dice.pick(TARGETS)),
                        "unit": "people",
                        "target": 1000 * (1 + dice.below(100)),
                        "due_date": "2030-12-31",
                    }],
                }))
                .map_err(|e| AppError::internal(format!("demo pledge input: {e}")))?;
                let valid = validate(&input, &vocabulary)?;
                let org = demo_organisation(i % org_count);
                let published =
                    crate::db::now() - Duration::minutes(i64::try_from(target - i).unwrap_or(0));
                insert_published(conn, &org, &creator, &valid, published)?;
            }
            Ok(())
        })?;
        report.pledges_added += batch_end - n;
        n = batch_end;
    }
    report.pledges_total = n.max(have);
    crate::db::counters::recount(conn)?;
    Ok(report)
}

/// The account demo pledges are recorded as created by; it cannot sign in.
fn demo_user(conn: &mut DbConnection) -> AppResult<UserId> {
    const ID: &str = "d3e00000-0000-7000-8001-000000000000";
    if !db::users::exists(conn, &UserId::from(ID))? {
        let at = crate::db::now();
        db::users::insert(
            conn,
            &User {
                id: UserId::from(ID),
                email: "demo@demo.invalid".to_owned(),
                // A hash of a random secret nobody holds.
                password_hash: password::hash(&crate::auth::tokens::random_secret())?,
                display_name: "Demo data".to_owned(),
                role: PlatformRole::Pledger,
                organisation_id: None,
                organisation_role: None,
                email_verified: true,
                disabled: true,
                created_at: at,
                updated_at: at,
                session_generation: 0,
                language: Language::En,
            },
        )?;
    }
    Ok(UserId::from(ID))
}
