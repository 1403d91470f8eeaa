//! A pledge as organisations submit it: the input contract, and its validation into a
//! normalised pledge with derived flags. Pure: the reference vocabularies are passed in.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::account::OrganisationKind;
use super::account::{check_text, parse_field, EmailAddress, FieldChecks};
use super::actor::Actor;
use super::errors::{FieldError, Invalid};
use super::ids::OrganisationId;
use super::vocabulary::vocabulary;
use super::workflow::Status;

vocabulary!(
    /// What kind of commitment a pledge is.
    PledgeType {
        Financial => "financial",
        Policy => "policy",
        Programmatic => "programmatic",
        Advocacy => "advocacy",
    }
);

vocabulary!(
    /// Partner2Connect's four focus areas: `access` (connecting people everywhere), `adoption`
    /// (empowering communities), `value_creation` (building digital ecosystems) and
    /// `accelerate` (incentivizing investments).
    FocusArea {
        Access => "access",
        Adoption => "adoption",
        ValueCreation => "value_creation",
        Accelerate => "accelerate",
    }
);

vocabulary!(
    /// Who a pledge is meant to benefit.
    BeneficiaryGroup {
        WomenAndGirls => "women_and_girls",
        Youth => "youth",
        Children => "children",
        OlderPersons => "older_persons",
        PersonsWithDisabilities => "persons_with_disabilities",
        IndigenousPeoples => "indigenous_peoples",
        RuralCommunities => "rural_communities",
        Msmes => "msmes",
        RefugeesAndMigrants => "refugees_and_migrants",
        LowIncomeHouseholds => "low_income_households",
        StudentsAndTeachers => "students_and_teachers",
        GeneralPublic => "general_public",
    }
);

vocabulary!(
    /// How far a pledge's implementation has come, as its organisation reports each year.
    ImplementationStatus {
        NotStarted => "not_started",
        InProgress => "in_progress",
        Completed => "completed",
        Discontinued => "discontinued",
    }
);

/// Active ISO 4217 currency codes (alphabetic), as published by the ISO 4217 maintenance agency.
pub const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 1_000;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const PARTNERS_MAX: usize = 50;
/// The largest value one pledge (or one year's disbursement) may state, in whole US dollars:
/// one trillion, past any commitment ever made, so that no sum of them can overflow.
pub const USD_MAX: i64 = 1_000_000_000_000;
/// The largest amount in a currency's minor units (a trillion units of a currency with
/// four decimals, and more of any other).
pub const AMOUNT_MINOR_MAX: i64 = 10_000_000_000_000_000;
/// The longest list each field takes: more is refused at once, before any item is looked at,
/// so that an enormous list costs nothing and earns one error, not one per item.
pub const FOCUS_AREAS_MAX: usize = 4;
pub const PILLARS_MAX: usize = 30;
pub const SDGS_MAX: usize = 17;
pub const TRACKS_MAX: usize = 20;
pub const COUNTRIES_MAX: usize = 250;
pub const REGIONS_MAX: usize = 10;
pub const BENEFICIARY_GROUPS_MAX: usize = 20;

/// The value of a pledge. Money is integer: minor units of the pledged currency, and the US
/// dollar equivalent in whole dollars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Value {
    /// ISO 4217 code.
    #[schema(example = "EUR")]
    pub currency: String,
    /// The amount in the currency's minor units (cents for EUR).
    #[schema(example = 15500000000i64)]
    pub amount_minor: i64,
    /// The US dollar equivalent, in whole dollars.
    #[schema(example = 168000000i64)]
    pub usd: i64,
}

/// Who to contact about a pledge (shown to the organisation and staff only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

/// A pledge as submitted by its organisation (`POST /pledges`).
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PledgeInput {
    #[schema(example = "Connecting 500 rural schools")]
    pub title: String,
    pub summary: String,
    pub description: String,
    /// `financial`, `policy`, `programmatic` or `advocacy`.
    #[serde(rename = "type")]
    #[schema(example = "financial")]
    pub pledge_type: String,
    /// One or more of `access`, `adoption`, `value_creation`, `accelerate`.
    pub focus_areas: Vec<String>,
    /// Pillar slugs from `GET /focus-areas`.
    #[serde(default)]
    pub pillars: Vec<String>,
    /// SDG numbers, 1 to 17; at least one.
    pub sdgs: Vec<i64>,
    /// Track slugs from `GET /tracks`.
    #[serde(default)]
    pub tracks: Vec<String>,
    /// Target countries, ISO 3166-1 alpha-3.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Target UN M49 regions (`Africa`, `Americas`, `Asia`, `Europe`, `Oceania`).
    #[serde(default)]
    pub regions: Vec<String>,
    /// The pledge targets the whole world.
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub beneficiary_groups: Vec<String>,
    /// Required for `financial` pledges.
    pub value: Option<Value>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub partners: Vec<String>,
    pub contact: Option<Contact>,
}

/// Changes to a pledge (`PATCH /pledges/{id}`): only the fields present change; `null` clears
/// an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PledgeChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub pledge_type: Option<String>,
    pub focus_areas: Option<Vec<String>>,
    pub pillars: Option<Vec<String>>,
    pub sdgs: Option<Vec<i64>>,
    pub tracks: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    pub global: Option<bool>,
    pub beneficiary_groups: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::validation::double_option")]
    #[schema(value_type = Option<Value>)]
    pub value: Option<Option<Value>>,
    #[serde(default, deserialize_with = "super::validation::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "super::validation::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
    pub partners: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::validation::double_option")]
    #[schema(value_type = Option<Contact>)]
    pub contact: Option<Option<Contact>>,
}

impl PledgeChanges {
    /// The pledge as it would be with these changes, to validate as a whole.
    pub fn apply_to(self, mut base: PledgeInput) -> PledgeInput {
        macro_rules! take {
            ($($field:ident),*) => { $(if let Some(v) = self.$field { base.$field = v; })* };
        }
        take!(
            title,
            summary,
            description,
            pledge_type,
            focus_areas,
            pillars,
            sdgs,
            tracks,
            countries,
            regions,
            global,
            beneficiary_groups,
            value,
            start_date,
            end_date,
            partners,
            contact
        );
        base
    }
}

/// The reference data a pledge is checked against, loaded by the caller.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    pub tracks: HashSet<String>,
    pub focus_areas: HashSet<String>,
    /// Pillar slug → its focus area.
    pub pillars: HashMap<String, String>,
    /// ISO alpha-3 → (ldc, lldc, sids).
    pub countries: HashMap<String, (bool, bool, bool)>,
    pub regions: HashSet<String>,
}

/// A pledge's content once it passed every check: normalised (deduplicated, sorted, trimmed),
/// with its LDC / LLDC / SIDS flags derived from its target countries.
///
/// This is the one definition of a pledge's fields: storage writes and reads it
/// (`db::pledges`), the API shows it as it is (flattened into the pledge view), the counters
/// derive their facts from it, and a `PATCH` is merged over its input form ([`Self::to_input`]).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ValidPledge {
    #[schema(example = "Connecting 500 rural schools")]
    pub title: String,
    pub summary: String,
    pub description: String,
    #[serde(rename = "type")]
    pub pledge_type: PledgeType,
    pub focus_areas: Vec<FocusArea>,
    /// Pillar slugs from `GET /focus-areas`.
    pub pillars: Vec<String>,
    /// SDG numbers, 1 to 17.
    pub sdgs: Vec<i32>,
    /// Track slugs.
    pub tracks: Vec<String>,
    /// Target countries, ISO 3166-1 alpha-3.
    pub countries: Vec<String>,
    /// Target UN M49 regions.
    pub regions: Vec<String>,
    /// The pledge targets the whole world.
    pub global: bool,
    pub beneficiary_groups: Vec<BeneficiaryGroup>,
    pub value: Option<Value>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub partners: Vec<String>,
    /// Shown to the pledging organisation and staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Derived: at least one target country is a least developed country.
    pub ldc: bool,
    /// Derived: at least one target country is a landlocked developing country.
    pub lldc: bool,
    /// Derived: at least one target country is a small island developing State.
    pub sids: bool,
}

impl ValidPledge {
    /// The pledge as it would be sent again, to merge a `PATCH` over it.
    pub fn to_input(&self) -> PledgeInput {
        PledgeInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            description: self.description.clone(),
            pledge_type: self.pledge_type.as_str().to_owned(),
            focus_areas: self
                .focus_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            pillars: self.pillars.clone(),
            sdgs: self.sdgs.iter().map(|&n| i64::from(n)).collect(),
            tracks: self.tracks.clone(),
            countries: self.countries.clone(),
            regions: self.regions.clone(),
            global: self.global,
            beneficiary_groups: self
                .beneficiary_groups
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
            value: self.value.clone(),
            start_date: self.start_date,
            end_date: self.end_date,
            partners: self.partners.clone(),
            contact: self.contact.clone(),
        }
    }

    /// What the `q` filter searches: title, summary and description, lowercased.
    pub fn search_text(&self) -> String {
        format!("{}\n{}\n{}", self.title, self.summary, self.description).to_lowercase()
    }
}

/// What a catalogue listing is narrowed to; every part optional, all combined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueFilter {
    /// A track slug.
    pub track: Option<String>,
    /// An SDG number, 1 to 17.
    pub sdg: Option<i32>,
    pub focus_area: Option<FocusArea>,
    pub pledge_type: Option<PledgeType>,
    /// A target country, ISO 3166-1 alpha-3, upper case.
    pub country: Option<String>,
    /// Only pledges targeting least developed countries (or only others).
    pub ldc: Option<bool>,
    pub organisation: Option<OrganisationId>,
    pub organisation_kind: Option<OrganisationKind>,
    /// Words to find in the title, summary or description (lower case).
    pub words: Option<String>,
    /// A status; the public only ever sees `published` pledges whatever this says.
    pub status: Option<Status>,
}

/// Whether `viewer` sees everything about a pledge (contact, full history): its organisation
/// and the staff.
pub fn is_insider(organisation: &OrganisationId, viewer: Option<&Actor>) -> bool {
    viewer.is_some_and(|v| v.is_insider_of(organisation))
}

/// Whether `viewer` may see a pledge at all: published ones are public; others belong to their
/// organisation and the staff.
pub fn is_visible(status: Status, organisation: &OrganisationId, viewer: Option<&Actor>) -> bool {
    status == Status::Published || is_insider(organisation, viewer)
}

/// Checks each item of a list field against `known`, returning the sorted, deduplicated list.
/// Refuses a list longer than `max` with one error; true when the list may be checked item by
/// item.
fn within_limit<T>(checks: &mut FieldChecks, field: &str, items: &[T], max: usize) -> bool {
    if items.len() > max {
        checks.push(FieldError::new(
            field,
            "too_many",
            format!("at most {max} items"),
        ));
        return false;
    }
    true
}

fn check_list(
    checks: &mut FieldChecks,
    field: &str,
    items: &[String],
    max: usize,
    normalise: impl Fn(&str) -> String,
    known: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut out = BTreeSet::new();
    if !within_limit(checks, field, items, max) {
        return Vec::new();
    }
    for (i, item) in items.iter().enumerate() {
        let value = normalise(item);
        if known(&value) {
            out.insert(value);
        } else {
            checks.push(FieldError::new(
                format!("{field}[{i}]"),
                "unknown_value",
                format!("unknown value {item:?}"),
            ));
        }
    }
    out.into_iter().collect()
}

/// Checks a pledge against the rules and the reference data; every problem is reported at once.
pub fn validate(input: &PledgeInput, vocabulary: &Vocabulary) -> Result<ValidPledge, Invalid> {
    let mut checks = FieldChecks::new();
    checks.take(check_text("title", &input.title, 5, TITLE_MAX));
    checks.take(check_text("summary", &input.summary, 10, SUMMARY_MAX));
    checks.take(check_text(
        "description",
        &input.description,
        1,
        DESCRIPTION_MAX,
    ));
    let pledge_type = checks.take(parse_field::<PledgeType>("type", &input.pledge_type));

    let focus_areas: Vec<FocusArea> = check_list(
        &mut checks,
        "focus_areas",
        &input.focus_areas,
        FOCUS_AREAS_MAX,
        |s| s.trim().to_owned(),
        |s| vocabulary.focus_areas.contains(s) && s.parse::<FocusArea>().is_ok(),
    )
    .iter()
    .filter_map(|s| s.parse().ok())
    .collect();
    if input.focus_areas.is_empty() {
        checks.push(FieldError::new(
            "focus_areas",
            "required",
            "choose at least one focus area",
        ));
    }
    let pillars = check_list(
        &mut checks,
        "pillars",
        &input.pillars,
        PILLARS_MAX,
        |s| s.trim().to_owned(),
        |s| vocabulary.pillars.contains_key(s),
    );

    let mut sdgs = BTreeSet::new();
    let sdg_items: &[i64] = if within_limit(&mut checks, "sdgs", &input.sdgs, SDGS_MAX) {
        &input.sdgs
    } else {
        &[]
    };
    for (i, n) in sdg_items.iter().enumerate() {
        match i32::try_from(*n) {
            Ok(n) if (1..=17).contains(&n) => {
                sdgs.insert(n);
            }
            _ => checks.push(FieldError::new(
                format!("sdgs[{i}]"),
                "out_of_range",
                "SDG numbers run from 1 to 17",
            )),
        }
    }
    if input.sdgs.is_empty() {
        checks.push(FieldError::new("sdgs", "required", "tag at least one SDG"));
    }

    let tracks = check_list(
        &mut checks,
        "tracks",
        &input.tracks,
        TRACKS_MAX,
        |s| s.trim().to_owned(),
        |s| vocabulary.tracks.contains(s),
    );
    let countries = check_list(
        &mut checks,
        "countries",
        &input.countries,
        COUNTRIES_MAX,
        |s| s.trim().to_uppercase(),
        |s| vocabulary.countries.contains_key(s),
    );
    let regions = check_list(
        &mut checks,
        "regions",
        &input.regions,
        REGIONS_MAX,
        |s| s.trim().to_owned(),
        |s| vocabulary.regions.contains(s),
    );
    if input.countries.is_empty() && input.regions.is_empty() && !input.global {
        checks.push(FieldError::new(
            "countries",
            "required",
            "name the target countries or regions, or set global to true",
        ));
    }
    let beneficiary_groups: Vec<BeneficiaryGroup> = check_list(
        &mut checks,
        "beneficiary_groups",
        &input.beneficiary_groups,
        BENEFICIARY_GROUPS_MAX,
        |s| s.trim().to_owned(),
        |s| s.parse::<BeneficiaryGroup>().is_ok(),
    )
    .iter()
    .filter_map(|s| s.parse().ok())
    .collect();

    if let Some(value) = &input.value {
        if !CURRENCIES.contains(&value.currency.as_str()) {
            checks.push(FieldError::new(
                "value.currency",
                "unknown_value",
                "use an ISO 4217 currency code such as USD",
            ));
        }
        if value.amount_minor < 0 {
            checks.push(FieldError::new(
                "value.amount_minor",
                "negative",
                "the amount cannot be negative",
            ));
        }
        if value.usd < 0 {
            checks.push(FieldError::new(
                "value.usd",
                "negative",
                "the USD equivalent cannot be negative",
            ));
        }
        if value.amount_minor > AMOUNT_MINOR_MAX {
            checks.push(FieldError::new(
                "value.amount_minor",
                "too_large",
                format!("at most {AMOUNT_MINOR_MAX} minor units"),
            ));
        }
        if value.usd > USD_MAX {
            checks.push(FieldError::new(
                "value.usd",
                "too_large",
                format!("at most {USD_MAX} US dollars"),
            ));
        }
    } else if pledge_type == Some(PledgeType::Financial) {
        checks.push(FieldError::new(
            "value",
            "required",
            "a financial pledge states its value",
        ));
    }
    if let (Some(start), Some(end)) = (input.start_date, input.end_date) {
        if end < start {
            checks.push(FieldError::new(
                "end_date",
                "before_start",
                "the end date cannot be before the start date",
            ));
        }
    }
    let partners: &[String] =
        if within_limit(&mut checks, "partners", &input.partners, PARTNERS_MAX) {
            &input.partners
        } else {
            &[]
        };
    for (i, partner) in partners.iter().enumerate() {
        checks.take(check_text(&format!("partners[{i}]"), partner, 1, 200));
    }
    let contact = match &input.contact {
        None => None,
        Some(c) => {
            let name = checks.take(check_text("contact.name", &c.name, 1, 200));
            let email = checks.take(EmailAddress::parse("contact.email", &c.email));
            name.and(email).map(|email| Contact {
                name: c.name.trim().to_owned(),
                email: email.as_str().to_owned(),
            })
        }
    };
    checks.finish()?;
    // A failed type check is in `checks`, so a missing type here means finish() returned.
    let Some(pledge_type) = pledge_type else {
        return Err(Invalid::field("type", "required", "choose a pledge type"));
    };

    let flags = |pick: fn(&(bool, bool, bool)) -> bool| {
        countries
            .iter()
            .any(|c| vocabulary.countries.get(c).is_some_and(pick))
    };
    Ok(ValidPledge {
        title: input.title.trim().to_owned(),
        summary: input.summary.trim().to_owned(),
        description: input.description.trim().to_owned(),
        pledge_type,
        ldc: flags(|f| f.0),
        lldc: flags(|f| f.1),
        sids: flags(|f| f.2),
        focus_areas,
        pillars,
        sdgs: sdgs.into_iter().collect(),
        tracks,
        countries,
        regions,
        global: input.global,
        beneficiary_groups,
        value: input.value.clone(),
        start_date: input.start_date,
        end_date: input.end_date,
        partners: partners.iter().map(|p| p.trim().to_owned()).collect(),
        contact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_a_ceiling() {
        let mut rich = input();
        rich.value = Some(Value {
            currency: "USD".into(),
            amount_minor: i64::MAX,
            usd: i64::MAX,
        });
        match validate(&rich, &vocabulary()) {
            Err(Invalid(errors)) => {
                let codes: Vec<(&str, &str)> = errors
                    .iter()
                    .map(|e| (e.field.as_str(), e.code.as_str()))
                    .collect();
                assert_eq!(
                    codes,
                    [
                        ("value.amount_minor", "too_large"),
                        ("value.usd", "too_large")
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        rich.value = Some(Value {
            currency: "USD".into(),
            amount_minor: AMOUNT_MINOR_MAX,
            usd: USD_MAX,
        });
        assert!(validate(&rich, &vocabulary()).is_ok());
    }

    #[test]
    fn an_enormous_list_earns_one_error_not_one_per_item() {
        let mut big = input();
        big.sdgs = vec![99; 100_000];
        big.countries = vec!["XXX".into(); 100_000];
        match validate(&big, &vocabulary()) {
            Err(Invalid(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["sdgs", "countries"], "{errors:?}");
                assert!(errors.iter().all(|e| e.code == "too_many"));
            }
            other => panic!("{other:?}"),
        }
    }

    fn vocabulary() -> Vocabulary {
        Vocabulary {
            tracks: ["ldc5", "p2c"].map(String::from).into(),
            focus_areas: ["access", "adoption"].map(String::from).into(),
            pillars: [("affordability".to_owned(), "access".to_owned())].into(),
            countries: [
                ("GHA".to_owned(), (false, false, false)),
                ("NPL".to_owned(), (true, true, false)),
                ("FJI".to_owned(), (false, false, true)),
            ]
            .into(),
            regions: ["Africa"].map(String::from).into(),
        }
    }

    fn input() -> PledgeInput {
        serde_json::from_value(serde_json::json!({
            "title": "Connecting 500 rural schools",
            "summary": "Broadband for rural schools in two countries",
            "description": "Fibre and satellite links with teacher training.",
            "type": "financial",
            "focus_areas": ["access", "access"],
            "sdgs": [9, 4, 9],
            "tracks": ["ldc5"],
            "countries": ["npl", "GHA"],
            "value": {"currency": "EUR", "amount_minor": 15500000000i64, "usd": 168000000},
            "start_date": "2023-01-01",
            "end_date": "2025-12-31",
        }))
        .unwrap()
    }

    fn errors(input: &PledgeInput) -> Vec<(String, String)> {
        match validate(input, &vocabulary()) {
            Err(Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_good_pledge_is_normalised_with_derived_flags() {
        let valid = validate(&input(), &vocabulary()).unwrap();
        assert_eq!(valid.sdgs, [4, 9]);
        assert_eq!(valid.focus_areas, [FocusArea::Access]);
        assert_eq!(valid.countries, ["GHA", "NPL"]);
        assert!(valid.ldc && valid.lldc && !valid.sids);
        assert_eq!(valid.pledge_type, PledgeType::Financial);
        assert!(valid.search_text().contains("rural schools"));
    }

    #[test]
    fn bad_values_are_reported_by_field() {
        let mut bad = input();
        bad.sdgs = vec![0, 18];
        bad.countries = vec!["XXX".into()];
        bad.tracks = vec!["no-such-track".into()];
        bad.value = Some(Value {
            currency: "EURO".into(),
            amount_minor: -1,
            usd: -5,
        });
        bad.end_date = NaiveDate::from_ymd_opt(2022, 1, 1);
        bad.title = "x".repeat(1_000_000);
        let found = errors(&bad);
        for (field, code) in [
            ("sdgs[0]", "out_of_range"),
            ("sdgs[1]", "out_of_range"),
            ("countries[0]", "unknown_value"),
            ("tracks[0]", "unknown_value"),
            ("value.currency", "unknown_value"),
            ("value.amount_minor", "negative"),
            ("value.usd", "negative"),
            ("end_date", "before_start"),
            ("title", "too_long"),
        ] {
            assert!(
                found.contains(&(field.to_owned(), code.to_owned())),
                "{field} {code} missing: {found:?}"
            );
        }
    }

    #[test]
    fn financial_pledges_need_a_value_and_every_pledge_a_target() {
        let mut bad = input();
        bad.value = None;
        bad.countries.clear();
        bad.sdgs.clear();
        bad.focus_areas.clear();
        let found = errors(&bad);
        for field in ["value", "countries", "sdgs", "focus_areas"] {
            assert!(
                found.contains(&(field.to_owned(), "required".to_owned())),
                "{field}: {found:?}"
            );
        }
        let mut policy = input();
        policy.pledge_type = "policy".into();
        policy.value = None;
        policy.countries.clear();
        policy.global = true;
        assert!(validate(&policy, &vocabulary()).is_ok());
    }

    #[test]
    fn changes_apply_over_the_current_pledge() {
        let changes: PledgeChanges = serde_json::from_value(
            serde_json::json!({"title": "A new title here", "value": null, "type": "policy"}),
        )
        .unwrap();
        let merged = changes.apply_to(input());
        assert_eq!(merged.title, "A new title here");
        assert_eq!(merged.value, None);
        assert_eq!(merged.pledge_type, "policy");
        assert_eq!(merged.sdgs, [9, 4, 9], "untouched fields stay");
    }

    #[test]
    fn mass_assignment_is_rejected_by_the_contract() {
        for field in ["status", "version", "organisation_id", "id"] {
            let mut body = serde_json::json!({"title": "x"});
            body[field] = serde_json::json!("published");
            assert!(
                serde_json::from_value::<PledgeChanges>(body).is_err(),
                "{field} accepted in changes"
            );
        }
    }
}
