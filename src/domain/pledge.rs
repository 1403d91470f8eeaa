//! A pledge as organisations submit it: the input contract, and its validation into a
//! normalised pledge with derived flags. Pure: the reference vocabularies are passed in.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::account::OrganisationKind;
use super::account::{check_text, parse_field, FieldChecks};
use super::actor::Actor;
use super::errors::{FieldError, Invalid};
use super::ids::OrganisationId;
use super::language::Language;
use super::validation::{amount, email_address, items, quantity, text, whole};
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

vocabulary!(
    /// What a deliverable's indicator counts.
    DeliverableUnit {
        People => "people",
        Households => "households",
        Schools => "schools",
        Institutions => "institutions",
        Devices => "devices",
        Sites => "sites",
        KmOfFibre => "km_of_fibre",
        Usd => "usd",
        Percent => "percent",
        Other => "other",
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
pub const DELIVERABLES_MAX: usize = 10;
/// The largest baseline or target a deliverable may state, in its unit.
pub const QUANTITY_MAX: i64 = 1_000_000_000_000_000;
/// The most years a pledge counts in for the `year` filter (a longer span counts its first 50).
pub const YEARS_MAX: i32 = 50;

/// An amount of money, integer throughout: minor units of its currency, and the US dollar
/// equivalent in whole dollars. A pledge's `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// ISO 4217 code.
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// The amount in the currency's minor units (cents for EUR).
    #[serde(deserialize_with = "whole::deserialize")]
    #[validate(custom(function = "amount::<AMOUNT_MINOR_MAX>"))]
    #[schema(
        example = 15500000000i64,
        minimum = 0,
        maximum = 10_000_000_000_000_000i64
    )]
    pub amount_minor: i64,
    /// The US dollar equivalent, in whole dollars.
    #[serde(deserialize_with = "whole::deserialize")]
    #[validate(custom(function = "amount::<USD_MAX>"))]
    #[schema(example = 168000000i64, minimum = 0, maximum = 1_000_000_000_000i64)]
    pub usd: i64,
}

/// Who to contact about a pledge (shown to the organisation and staff only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[validate(custom(function = "text::<1, 200>"))]
    #[schema(min_length = 1, max_length = 200, example = "Ama Mensah")]
    pub name: String,
    #[validate(custom(function = "email_address"))]
    #[schema(format = Email, example = "partnerships@example.org")]
    pub email: String,
}

/// One deliverable as its organisation writes it: what will be done, how it is measured,
/// where it starts and where it will be by when.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverableInput {
    /// What will be done.
    #[serde(default)]
    #[validate(custom(function = "text::<3, 500>"))]
    #[schema(
        required = true,
        min_length = 3,
        max_length = 500,
        example = "Connect rural schools to broadband"
    )]
    pub what: String,
    /// What is measured.
    #[serde(default)]
    #[validate(custom(function = "text::<3, 200>"))]
    #[schema(
        required = true,
        min_length = 3,
        max_length = 200,
        example = "Schools connected"
    )]
    pub indicator: String,
    #[serde(default)]
    #[schema(required = true, value_type = DeliverableUnit)]
    pub unit: String,
    /// The indicator's value when the work starts (0 when left out).
    #[serde(default)]
    #[validate(custom(function = "quantity::<QUANTITY_MAX>"))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000i64, example = 0)]
    pub baseline: f64,
    /// The value the deliverable will reach by its due date.
    #[validate(custom(function = "quantity::<QUANTITY_MAX>"))]
    #[schema(
        required = true,
        minimum = 0,
        maximum = 1_000_000_000_000_000i64,
        example = 500
    )]
    pub target: Option<f64>,
    /// When the target will be reached: not before the pledge's start date, not after its end
    /// date.
    #[schema(required = true, example = "2027-12-31")]
    pub due_date: Option<NaiveDate>,
}

/// One deliverable of a pledge, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Deliverable {
    pub what: String,
    pub indicator: String,
    pub unit: DeliverableUnit,
    pub baseline: f64,
    pub target: f64,
    pub due_date: NaiveDate,
}

// The field rules are `validator`'s; `validate` then parses the vocabularies and the rules
// between fields. Every field may be left out, so that all that is missing is reported at once
// as field errors rather than as the first missing field.
/// A pledge as its organisation writes it (`POST /pledges`): fields left out or invalid are
/// all reported together, each with its own error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = PledgeInput::example)]
pub struct PledgeInput {
    #[serde(default)]
    #[validate(custom(function = "text::<5, TITLE_MAX>"))]
    #[schema(
        required = true,
        min_length = 5,
        max_length = 200,
        example = "Connecting 500 rural schools"
    )]
    pub title: String,
    #[serde(default)]
    #[validate(custom(function = "text::<10, SUMMARY_MAX>"))]
    #[schema(required = true, min_length = 10, max_length = 1000)]
    pub summary: String,
    #[serde(default)]
    #[validate(custom(function = "text::<1, DESCRIPTION_MAX>"))]
    #[schema(required = true, min_length = 1, max_length = 20000)]
    pub description: String,
    #[serde(default, rename = "type")]
    #[schema(required = true, value_type = PledgeType)]
    pub pledge_type: String,
    #[serde(default)]
    #[validate(custom(function = "items::<FOCUS_AREAS_MAX, _>"))]
    #[schema(required = true, value_type = Vec<FocusArea>, min_items = 1, max_items = 4)]
    pub focus_areas: Vec<String>,
    /// Pillar slugs from `GET /focus-areas`.
    #[serde(default)]
    #[validate(custom(function = "items::<PILLARS_MAX, _>"))]
    #[schema(max_items = 30)]
    pub pillars: Vec<String>,
    /// SDG numbers, 1 to 17; at least one.
    #[serde(default, deserialize_with = "whole::vec")]
    #[validate(custom(function = "items::<SDGS_MAX, _>"))]
    #[schema(required = true, min_items = 1, max_items = 17, inline, value_type = Vec<Sdg>)]
    pub sdgs: Vec<i64>,
    /// Track slugs from `GET /tracks`.
    #[serde(default)]
    #[validate(custom(function = "items::<TRACKS_MAX, _>"))]
    #[schema(max_items = 20)]
    pub tracks: Vec<String>,
    /// Target countries, ISO 3166-1 alpha-3.
    #[serde(default)]
    #[validate(custom(function = "items::<COUNTRIES_MAX, _>"))]
    #[schema(max_items = 250, inline, value_type = Vec<CountryCode>)]
    pub countries: Vec<String>,
    /// Target UN M49 regions (`Africa`, `Americas`, `Asia`, `Europe`, `Oceania`).
    #[serde(default)]
    #[validate(custom(function = "items::<REGIONS_MAX, _>"))]
    #[schema(max_items = 10)]
    pub regions: Vec<String>,
    /// The pledge targets the whole world (else name countries or regions).
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    #[validate(custom(function = "items::<BENEFICIARY_GROUPS_MAX, _>"))]
    #[schema(max_items = 20, value_type = Vec<BeneficiaryGroup>)]
    pub beneficiary_groups: Vec<String>,
    /// Required for `financial` pledges.
    #[validate(nested)]
    pub value: Option<Money>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    #[validate(custom(function = "items::<PARTNERS_MAX, _>"))]
    #[schema(max_items = 50)]
    pub partners: Vec<String>,
    #[validate(nested)]
    pub contact: Option<Contact>,
    /// What the pledge will deliver, measurably: one to ten deliverables.
    #[serde(default)]
    #[validate(nested, custom(function = "items::<DELIVERABLES_MAX, _>"))]
    #[schema(required = true, min_items = 1, max_items = 10)]
    pub deliverables: Vec<DeliverableInput>,
    /// The language the pledge is written in (`ar`, `zh`, `en`, `fr`, `ru` or `es`); English
    /// when not given.
    #[serde(default)]
    #[schema(value_type = Option<Language>)]
    pub language: Option<String>,
    /// Its title and summary in other languages, by language; the catalogue serves them to
    /// readers who ask for that language, and search finds the pledge by their words.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, PledgeText>)]
    pub translations: BTreeMap<String, PledgeText>,
}

/// A pledge's title and summary in another language than its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PledgeText {
    #[schema(
        min_length = 5,
        max_length = 200,
        example = "Connecter 500 écoles rurales"
    )]
    pub title: String,
    #[schema(min_length = 10, max_length = 1000)]
    pub summary: String,
}

impl PledgeInput {
    /// A valid pledge, as the contract's example.
    pub fn example() -> serde_json::Value {
        ValidPledge::specimen()
            .to_input()
            .and_then(serde_json::to_value)
            .unwrap_or_default()
    }
}

/// An SDG number.
#[derive(ToSchema)]
#[schema(minimum = 1, maximum = 17, example = 9)]
#[allow(dead_code)]
struct Sdg(i64);

/// An ISO 3166-1 alpha-3 country code.
#[derive(ToSchema)]
#[schema(pattern = "^[A-Za-z]{3}$", example = "NPL")]
#[allow(dead_code)]
struct CountryCode(String);

/// Changes to a pledge (`PATCH /pledges/{id}`): the fields of [`PledgeInput`], each optional;
/// the fields present replace the pledge's, `null` clears one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct PledgeChanges(pub serde_json::Map<String, serde_json::Value>);

impl PledgeChanges {
    /// The pledge as it would be with these changes, to validate as a whole; an error names a
    /// field that does not exist or a value of the wrong type.
    pub fn apply_to(&self, base: &PledgeInput) -> Result<PledgeInput, serde_json::Error> {
        let serde_json::Value::Object(mut merged) = serde_json::to_value(base)? else {
            return Err(serde::ser::Error::custom("a pledge is an object"));
        };
        for (field, value) in &self.0 {
            if value.is_null() {
                merged.remove(field);
            } else {
                merged.insert(field.clone(), value.clone());
            }
        }
        serde_json::from_value(serde_json::Value::Object(merged))
    }
}

impl utoipa::PartialSchema for PledgeChanges {
    /// [`PledgeInput`]'s schema with no field required and every field nullable.
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{
            schema::{OneOf, Schema, SchemaType, Type},
            Object, RefOr,
        };
        fn nullable(schema_type: &mut SchemaType) {
            *schema_type = match std::mem::replace(schema_type, SchemaType::AnyValue) {
                SchemaType::Type(one) if one != Type::Null => {
                    SchemaType::Array(vec![one, Type::Null])
                }
                other => other,
            };
        }
        let mut schema = <PledgeInput as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required.clear();
            object.description = Some(
                "Any fields of a pledge: those present replace the pledge's, `null` clears one."
                    .to_owned(),
            );
            for property in object.properties.values_mut() {
                match property {
                    RefOr::T(Schema::Object(field)) => nullable(&mut field.schema_type),
                    RefOr::T(Schema::Array(field)) => nullable(&mut field.schema_type),
                    RefOr::Ref(_) => {
                        let reference = std::mem::replace(property, RefOr::T(Schema::default()));
                        let mut either = OneOf::new();
                        either.items = vec![reference, Object::with_type(Type::Null).into()];
                        *property = RefOr::T(Schema::OneOf(either));
                    }
                    RefOr::T(_) => {}
                }
            }
        }
        schema
    }
}

impl ToSchema for PledgeChanges {}

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
/// This is the one definition of a pledge's fields. Storage keeps it whole as JSON
/// (`db::pledges`), with the facets the catalogue filters on written beside it; the API shows it
/// as it is (flattened into the pledge view); the export's columns are its fields; the counters
/// derive their facts from it; and a `PATCH` is merged over its input form ([`Self::to_input`]).
/// A field added here (and to [`PledgeInput`], with its rule) reaches all of them.
// Not `deny_unknown_fields`: the pledge view flattens this, and a stored pledge written by a
// newer version (during a rolling deploy) still reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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
    #[schema(inline, value_type = Vec<Sdg>)]
    pub sdgs: Vec<i32>,
    /// Track slugs.
    pub tracks: Vec<String>,
    /// Target countries, ISO 3166-1 alpha-3.
    #[schema(inline, value_type = Vec<CountryCode>)]
    pub countries: Vec<String>,
    /// Target UN M49 regions.
    pub regions: Vec<String>,
    /// The pledge targets the whole world.
    pub global: bool,
    pub beneficiary_groups: Vec<BeneficiaryGroup>,
    pub value: Option<Money>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub partners: Vec<String>,
    /// Shown to the pledging organisation and staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// What the pledge will deliver (pledges published before deliverables existed have none).
    #[serde(default)]
    pub deliverables: Vec<Deliverable>,
    /// Derived: at least one target country is a least developed country.
    pub ldc: bool,
    /// Derived: at least one target country is a landlocked developing country.
    pub lldc: bool,
    /// Derived: at least one target country is a small island developing State.
    pub sids: bool,
    /// The language the pledge is written in.
    #[serde(default = "Language::english")]
    pub language: Language,
    /// Its title and summary in other languages, by language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = BTreeMap<String, PledgeText>)]
    pub translations: BTreeMap<Language, PledgeText>,
}

impl ValidPledge {
    /// Its title and summary in `language` when it is written in it or translated into it:
    /// the title, the summary and the language they are in.
    pub fn text_in(&self, language: Language) -> (&str, &str, Language) {
        match self.translations.get(&language) {
            Some(text) if language != self.language => (&text.title, &text.summary, language),
            _ => (&self.title, &self.summary, self.language),
        }
    }
}

/// The fields of [`ValidPledge`] derived from others, never written by a client.
pub const DERIVED_FIELDS: [&str; 3] = ["ldc", "lldc", "sids"];

/// The fields of [`ValidPledge`] shown to the organisation and staff only.
pub const PRIVATE_FIELDS: [&str; 1] = ["contact"];

impl ValidPledge {
    /// The pledge as it would be sent again, to merge a `PATCH` over it.
    pub fn to_input(&self) -> Result<PledgeInput, serde_json::Error> {
        let mut json = serde_json::to_value(self)?;
        if let Some(fields) = json.as_object_mut() {
            for derived in DERIVED_FIELDS {
                fields.remove(derived);
            }
        }
        serde_json::from_value(json)
    }

    /// The years a pledge counts in for the catalogue's `year` filter: every year from its
    /// start date's to its end date's (at most [`YEARS_MAX`] of them), the year of its one date
    /// when it has only one, and with no dates the year it was published (`published_on`), if
    /// it was. So `year=2025` finds the pledges active in 2025.
    pub fn years(&self, published_on: Option<NaiveDate>) -> Vec<i32> {
        let first = self.start_date.or(self.end_date).or(published_on);
        let last = self.end_date.or(self.start_date).or(published_on);
        match (first, last) {
            (Some(first), Some(last)) => {
                let first = first.year();
                (first..=last.year().min(first + YEARS_MAX - 1)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Every value the catalogue can filter this pledge on, apart from its organisation's.
    pub fn facets(&self, published_on: Option<NaiveDate>) -> Vec<(Facet, String)> {
        let mut out = Vec::new();
        out.extend(self.tracks.iter().map(|t| (Facet::Track, t.clone())));
        out.extend(self.sdgs.iter().map(|n| (Facet::Sdg, n.to_string())));
        out.extend(
            self.focus_areas
                .iter()
                .map(|a| (Facet::FocusArea, a.as_str().to_owned())),
        );
        out.extend(self.countries.iter().map(|c| (Facet::Country, c.clone())));
        out.extend(self.regions.iter().map(|r| (Facet::Region, r.clone())));
        out.extend(self.pillars.iter().map(|p| (Facet::Pillar, p.clone())));
        out.extend(
            self.beneficiary_groups
                .iter()
                .map(|g| (Facet::BeneficiaryGroup, g.as_str().to_owned())),
        );
        out.extend(
            self.years(published_on)
                .into_iter()
                .map(|y| (Facet::Year, y.to_string())),
        );
        out.push((Facet::Type, self.pledge_type.as_str().to_owned()));
        out.push((Facet::Ldc, self.ldc.to_string()));
        out.push((Facet::Lldc, self.lldc.to_string()));
        out.push((Facet::Sids, self.sids.to_string()));
        out
    }

    /// A pledge with every field filled in: the contract's example, and the shape from which
    /// the export takes its columns.
    pub fn specimen() -> Self {
        ValidPledge {
            title: "Connecting 500 rural schools".to_owned(),
            summary: "Fibre and solar power for 500 rural schools by 2027.".to_owned(),
            description: "Schools in the northern regions get fibre backhaul, solar power \
                          and teacher training."
                .to_owned(),
            pledge_type: PledgeType::Financial,
            focus_areas: vec![FocusArea::Access],
            pillars: vec!["infrastructure".to_owned()],
            sdgs: vec![4, 9],
            tracks: vec!["ldc5".to_owned()],
            countries: vec!["NPL".to_owned()],
            regions: vec!["Asia".to_owned()],
            global: false,
            beneficiary_groups: vec![BeneficiaryGroup::StudentsAndTeachers],
            value: Some(Money {
                currency: "USD".to_owned(),
                amount_minor: 5_000_000_000,
                usd: 50_000_000,
            }),
            start_date: NaiveDate::from_ymd_opt(2025, 1, 1),
            end_date: NaiveDate::from_ymd_opt(2027, 12, 31),
            partners: vec!["Ministry of Education".to_owned()],
            contact: Some(Contact {
                name: "Ama Mensah".to_owned(),
                email: "partnerships@example.org".to_owned(),
            }),
            deliverables: vec![Deliverable {
                what: "Connect rural schools to broadband".to_owned(),
                indicator: "Schools connected".to_owned(),
                unit: DeliverableUnit::Schools,
                baseline: 0.0,
                target: 500.0,
                due_date: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap_or_default(),
            }],
            ldc: true,
            lldc: true,
            sids: false,
            language: Language::En,
            translations: BTreeMap::new(),
        }
    }
}

vocabulary!(
    /// What the catalogue can be filtered on, as stored beside each pledge: one value per row.
    Facet {
        Track => "track",
        Sdg => "sdg",
        FocusArea => "focus_area",
        Country => "country",
        Region => "region",
        Pillar => "pillar",
        BeneficiaryGroup => "beneficiary_group",
        Year => "year",
        Type => "type",
        Ldc => "ldc",
        Lldc => "lldc",
        Sids => "sids",
        Organisation => "organisation",
        OrganisationKind => "organisation_kind",
        // The traffic light of a published pledge (`progress::Light`), kept fresh by day.
        Light => "light",
    }
);

vocabulary!(
    /// The order of a catalogue listing: `newest` first (the default), or by `relevance` to the
    /// words searched for (best first; needs `q`).
    CatalogueSort {
        Newest => "newest",
        Relevance => "relevance",
    }
);

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
    /// A target region (UN M49 name, e.g. `Africa`).
    pub region: Option<String>,
    /// A pillar slug.
    pub pillar: Option<String>,
    pub beneficiary_group: Option<BeneficiaryGroup>,
    /// Only pledges targeting least developed countries (or only others).
    pub ldc: Option<bool>,
    /// Only pledges targeting landlocked developing countries (or only others).
    pub lldc: Option<bool>,
    /// Only pledges targeting small island developing States (or only others).
    pub sids: Option<bool>,
    /// Only pledges counting in this year ([`ValidPledge::years`]).
    pub year: Option<i32>,
    pub organisation: Option<OrganisationId>,
    pub organisation_kind: Option<OrganisationKind>,
    /// Words to find, whole, in the title, summary, description, organisation name or
    /// partners; case and accents do not matter.
    pub words: Option<String>,
    /// A status; the public only ever sees `published` pledges whatever this says.
    pub status: Option<Status>,
    /// A traffic light (published pledges have one).
    pub light: Option<super::progress::Light>,
    pub sort: CatalogueSort,
}

// `vocabulary!` has no way to mark a default variant.
#[allow(clippy::derivable_impls)]
impl Default for CatalogueSort {
    fn default() -> Self {
        CatalogueSort::Newest
    }
}

impl CatalogueFilter {
    /// The facet values asked for, the likely narrowest first: the first one drives a listing,
    /// the others are checked pledge by pledge.
    pub fn facets(&self) -> Vec<(Facet, String)> {
        let flag = |facet, value: Option<bool>| value.map(|v| (facet, v.to_string()));
        [
            self.organisation
                .as_ref()
                .map(|o| (Facet::Organisation, o.to_string())),
            self.country.clone().map(|c| (Facet::Country, c)),
            self.pillar.clone().map(|p| (Facet::Pillar, p)),
            self.track.clone().map(|t| (Facet::Track, t)),
            self.region.clone().map(|r| (Facet::Region, r)),
            self.beneficiary_group
                .map(|g| (Facet::BeneficiaryGroup, g.as_str().to_owned())),
            self.year.map(|y| (Facet::Year, y.to_string())),
            self.sdg.map(|n| (Facet::Sdg, n.to_string())),
            self.focus_area
                .map(|a| (Facet::FocusArea, a.as_str().to_owned())),
            self.pledge_type
                .map(|t| (Facet::Type, t.as_str().to_owned())),
            self.organisation_kind
                .map(|k| (Facet::OrganisationKind, k.as_str().to_owned())),
            self.light.map(|l| (Facet::Light, l.as_str().to_owned())),
            flag(Facet::Sids, self.sids),
            flag(Facet::Lldc, self.lldc),
            flag(Facet::Ldc, self.ldc),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The words to search for; blank text narrows nothing. (Text with no word in it, such as
    /// `_`, finds nothing.)
    pub fn search_words(&self) -> Option<&str> {
        self.words
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
    }
}

/// Whether `viewer` sees everything about a pledge (contact, full history): its organisation
/// and the staff.
pub fn is_insider(organisation: &OrganisationId, viewer: Option<&Actor>) -> bool {
    viewer.is_some_and(|v| v.is_insider_of(organisation))
}

/// Whether `viewer` may see a pledge at all: published ones (completed and inactive included)
/// are public, and stay so once withdrawn; others belong to their organisation and the staff.
pub fn is_visible(
    status: Status,
    was_published: bool,
    organisation: &OrganisationId,
    viewer: Option<&Actor>,
) -> bool {
    status.is_public()
        || (status == Status::Withdrawn && was_published)
        || is_insider(organisation, viewer)
}

/// Checks each item of a list field against `known`, returning the sorted, deduplicated list.
/// A list over its limit was refused whole by the field rules, so its items are not looked at.
fn check_list(
    checks: &mut FieldChecks,
    field: &str,
    items: &[String],
    max: usize,
    normalise: impl Fn(&str) -> String,
    known: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut out = BTreeSet::new();
    if items.len() > max {
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

/// The items of a list field that parse as `T`, sorted; the others are reported by index.
fn parse_list<T: std::str::FromStr + Ord>(
    checks: &mut FieldChecks,
    field: &str,
    items: &[String],
    max: usize,
) -> Vec<T> {
    check_list(
        checks,
        field,
        items,
        max,
        |s| s.trim().to_owned(),
        |s| s.parse::<T>().is_ok(),
    )
    .iter()
    .filter_map(|s| s.parse().ok())
    .collect()
}

/// The deliverables of `input`, checked against the rules between fields (their own rules ran
/// with the field rules): one to ten, each with a known unit, a target and a due date within
/// the pledge's dates.
fn check_deliverables(checks: &mut FieldChecks, input: &PledgeInput) -> Vec<Deliverable> {
    if input.deliverables.is_empty() {
        checks.push(FieldError::new(
            "deliverables",
            "required",
            "state at least one deliverable: what will be done, measured how, by when",
        ));
    }
    if input.deliverables.len() > DELIVERABLES_MAX {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, d) in input.deliverables.iter().enumerate() {
        let at = |field: &str| format!("deliverables[{i}].{field}");
        let unit = if d.unit.trim().is_empty() {
            checks.push(FieldError::new(at("unit"), "required", "choose a unit"));
            None
        } else {
            checks.take(parse_field::<DeliverableUnit>(&at("unit"), d.unit.trim()))
        };
        if d.target.is_none() {
            checks.push(FieldError::new(
                at("target"),
                "required",
                "state the target",
            ));
        }
        match d.due_date {
            None => checks.push(FieldError::new(
                at("due_date"),
                "required",
                "state when the target will be reached",
            )),
            Some(due) if input.start_date.is_some_and(|start| due < start) => {
                checks.push(FieldError::new(
                    at("due_date"),
                    "before_start",
                    "a deliverable cannot be due before the pledge starts",
                ))
            }
            Some(due) if input.end_date.is_some_and(|end| due > end) => {
                checks.push(FieldError::new(
                    at("due_date"),
                    "after_end",
                    "a deliverable cannot be due after the pledge ends",
                ))
            }
            Some(_) => {}
        }
        if let (Some(unit), Some(target), Some(due_date)) = (unit, d.target, d.due_date) {
            out.push(Deliverable {
                what: d.what.trim().to_owned(),
                indicator: d.indicator.trim().to_owned(),
                unit,
                baseline: d.baseline,
                target,
                due_date,
            });
        }
    }
    out
}

/// Checks a pledge against the field rules, the reference data and the rules between fields,
/// and parses it into its domain form; every problem is reported at once.
pub fn validate(input: &PledgeInput, vocabulary: &Vocabulary) -> Result<ValidPledge, Invalid> {
    let mut checks = FieldChecks::from_rules(input);
    let pledge_type = if input.pledge_type.trim().is_empty() {
        checks.push(FieldError::new("type", "required", "choose a pledge type"));
        None
    } else {
        checks.take(parse_field::<PledgeType>("type", input.pledge_type.trim()))
    };

    let focus_areas: Vec<FocusArea> = parse_list(
        &mut checks,
        "focus_areas",
        &input.focus_areas,
        FOCUS_AREAS_MAX,
    )
    .into_iter()
    .filter(|a: &FocusArea| vocabulary.focus_areas.contains(a.as_str()))
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
    let sdg_items: &[i64] = if input.sdgs.len() > SDGS_MAX {
        &[]
    } else {
        &input.sdgs
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
    let beneficiary_groups: Vec<BeneficiaryGroup> = parse_list(
        &mut checks,
        "beneficiary_groups",
        &input.beneficiary_groups,
        BENEFICIARY_GROUPS_MAX,
    );

    if let Some(value) = &input.value {
        if !CURRENCIES.contains(&value.currency.as_str()) {
            checks.push(FieldError::new(
                "value.currency",
                "unknown_value",
                "use an ISO 4217 currency code such as USD",
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
    if input.partners.len() <= PARTNERS_MAX {
        for (i, partner) in input.partners.iter().enumerate() {
            checks.take(check_text(&format!("partners[{i}]"), partner, 1, 200));
        }
    }
    let deliverables = check_deliverables(&mut checks, input);
    let (language, translations) = check_languages(&mut checks, input);
    let contact = input.contact.as_ref().map(|c| Contact {
        name: c.name.trim().to_owned(),
        email: c.email.trim().to_lowercase(),
    });
    checks.finish()?;
    // A missing or unknown type left its error in `checks`, so finish() returned above.
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
        partners: input.partners.iter().map(|p| p.trim().to_owned()).collect(),
        contact,
        deliverables,
        language,
        translations,
    })
}

/// The pledge's language and its translations, each a language of the service other than the
/// pledge's own, with a title and a summary as long as the pledge's own must be.
fn check_languages(
    checks: &mut FieldChecks,
    input: &PledgeInput,
) -> (Language, BTreeMap<Language, PledgeText>) {
    let language = match input.language.as_deref() {
        None => Language::En,
        Some(tag) => checks
            .take(parse_field::<Language>("language", tag))
            .unwrap_or(Language::En),
    };
    let mut translations = BTreeMap::new();
    for (tag, text) in &input.translations {
        let field = format!("translations.{tag}");
        let Some(other) = checks.take(parse_field::<Language>(&field, tag)) else {
            continue;
        };
        if other == language {
            checks.push(FieldError::new(
                field,
                "own_language",
                "the pledge is written in this language: its title and summary are its own",
            ));
            continue;
        }
        let title = checks
            .take(check_text(
                &format!("{field}.title"),
                &text.title,
                5,
                TITLE_MAX,
            ))
            .is_some();
        let summary = checks
            .take(check_text(
                &format!("{field}.summary"),
                &text.summary,
                10,
                SUMMARY_MAX,
            ))
            .is_some();
        if title && summary {
            translations.insert(
                other,
                PledgeText {
                    title: text.title.trim().to_owned(),
                    summary: text.summary.trim().to_owned(),
                },
            );
        }
    }
    (language, translations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_a_ceiling() {
        let mut rich = input();
        rich.value = Some(Money {
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
        rich.value = Some(Money {
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
                assert_eq!(fields, ["countries", "sdgs"], "{errors:?}");
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
            "deliverables": [{
                "what": " Connect rural schools ", "indicator": "Schools connected",
                "unit": "schools", "baseline": 20, "target": 500, "due_date": "2025-06-30",
            }],
        }))
        .unwrap()
    }

    #[test]
    fn deliverables_are_required_measurable_and_due_within_the_pledge() {
        let valid = validate(&input(), &vocabulary()).unwrap();
        assert_eq!(
            valid.deliverables,
            [Deliverable {
                what: "Connect rural schools".into(),
                indicator: "Schools connected".into(),
                unit: DeliverableUnit::Schools,
                baseline: 20.0,
                target: 500.0,
                due_date: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
            }]
        );
        let mut none = input();
        none.deliverables.clear();
        assert_eq!(
            errors(&none),
            [("deliverables".to_owned(), "required".to_owned())]
        );
        let mut bad = input();
        bad.deliverables = vec![
            serde_json::from_value(serde_json::json!({
                "what": "x", "indicator": "", "unit": "bushels", "baseline": -1,
                "target": 2e18, "due_date": "2022-12-31",
            }))
            .unwrap(),
            serde_json::from_value(serde_json::json!({
                "what": "Train teachers", "indicator": "Teachers trained",
                "due_date": "2026-01-01",
            }))
            .unwrap(),
        ];
        let found = errors(&bad);
        let expected = [
            ("deliverables[0].baseline", "negative"),
            ("deliverables[0].due_date", "before_start"),
            ("deliverables[0].indicator", "required"),
            ("deliverables[0].target", "too_large"),
            ("deliverables[0].unit", "unknown_value"),
            ("deliverables[0].what", "required"),
            ("deliverables[1].due_date", "after_end"),
            ("deliverables[1].target", "required"),
            ("deliverables[1].unit", "required"),
        ];
        for (field, code) in expected {
            assert!(
                found.contains(&(field.to_owned(), code.to_owned())),
                "{field} {code}: {found:?}"
            );
        }
        let mut many = input();
        many.deliverables = vec![input().deliverables[0].clone(); DELIVERABLES_MAX + 1];
        assert_eq!(
            errors(&many),
            [("deliverables".to_owned(), "too_many".to_owned())]
        );
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
    }

    #[test]
    fn bad_values_are_reported_by_field() {
        let mut bad = input();
        bad.sdgs = vec![0, 18];
        bad.countries = vec!["XXX".into()];
        bad.tracks = vec!["no-such-track".into()];
        bad.value = Some(Money {
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
    fn a_pledge_counts_in_the_years_it_runs() {
        let mut valid = validate(&input(), &vocabulary()).unwrap();
        let published = NaiveDate::from_ymd_opt(2024, 5, 6);
        assert_eq!(valid.years(published), [2023, 2024, 2025]);
        valid.end_date = None;
        assert_eq!(valid.years(published), [2023]);
        valid.start_date = None;
        assert_eq!(
            valid.years(published),
            [2024],
            "no dates: the year it was published"
        );
        assert_eq!(valid.years(None), Vec::<i32>::new());
        valid.start_date = NaiveDate::from_ymd_opt(1, 1, 1);
        valid.end_date = NaiveDate::from_ymd_opt(9999, 12, 31);
        assert_eq!(
            valid.years(None).len(),
            YEARS_MAX as usize,
            "a span is bounded"
        );
        let facets = valid.facets(None);
        assert!(facets.contains(&(Facet::Sdg, "9".to_owned())));
        assert!(facets.contains(&(Facet::Lldc, "true".to_owned())));
        assert!(facets.contains(&(Facet::Year, "1".to_owned())));
    }

    #[test]
    fn the_narrowest_filter_comes_first_and_blank_words_narrow_nothing() {
        let filter = CatalogueFilter {
            sdg: Some(9),
            country: Some("NPL".into()),
            sids: Some(false),
            words: Some("  \t ".into()),
            ..Default::default()
        };
        let facets: Vec<Facet> = filter.facets().into_iter().map(|(f, _)| f).collect();
        assert_eq!(facets, [Facet::Country, Facet::Sdg, Facet::Sids]);
        assert_eq!(filter.search_words(), None);
    }

    #[test]
    fn changes_apply_over_the_current_pledge() {
        let changes: PledgeChanges = serde_json::from_value(
            serde_json::json!({"title": "A new title here", "value": null, "type": "policy"}),
        )
        .unwrap();
        let merged = changes.apply_to(&input()).unwrap();
        assert_eq!(merged.title, "A new title here");
        assert_eq!(merged.value, None);
        assert_eq!(merged.pledge_type, "policy");
        assert_eq!(merged.sdgs, [9, 4, 9], "untouched fields stay");
    }

    #[test]
    fn mass_assignment_is_rejected_by_the_contract() {
        for field in ["status", "version", "organisation_id", "id", "ldc"] {
            let mut body = serde_json::json!({"title": "x"});
            body[field] = serde_json::json!("published");
            let changes: PledgeChanges = serde_json::from_value(body).unwrap();
            assert!(
                changes.apply_to(&input()).is_err(),
                "{field} accepted in changes"
            );
        }
    }

    #[test]
    fn clearing_a_required_field_is_a_field_error() {
        let changes: PledgeChanges =
            serde_json::from_value(serde_json::json!({"title": null, "sdgs": null})).unwrap();
        let merged = changes.apply_to(&input()).unwrap();
        let found = errors(&merged);
        assert!(
            found.contains(&("title".to_owned(), "required".to_owned())),
            "{found:?}"
        );
        assert!(
            found.contains(&("sdgs".to_owned(), "required".to_owned())),
            "{found:?}"
        );
    }

    #[test]
    fn an_empty_pledge_hears_everything_it_lacks_at_once() {
        let found = errors(&PledgeInput::default());
        for field in [
            "title",
            "summary",
            "description",
            "type",
            "focus_areas",
            "sdgs",
            "countries",
        ] {
            assert!(
                found
                    .iter()
                    .any(|(f, code)| f == field && code == "required"),
                "{field}: {found:?}"
            );
        }
    }

    #[test]
    fn the_one_definition_survives_every_form_it_takes() {
        let mut vocabulary = vocabulary();
        vocabulary
            .pillars
            .insert("infrastructure".into(), "access".into());
        vocabulary.regions.insert("Asia".into());
        let specimen = ValidPledge::specimen();
        // Its input form validates back to itself, so a PATCH of nothing changes nothing.
        let input = specimen.to_input().unwrap();
        assert_eq!(validate(&input, &vocabulary).unwrap(), specimen);
        let unchanged = PledgeChanges::default().apply_to(&input).unwrap();
        assert_eq!(unchanged, input);
        // Its stored form reads back as itself.
        let stored = serde_json::to_string(&specimen).unwrap();
        assert_eq!(
            serde_json::from_str::<ValidPledge>(&stored).unwrap(),
            specimen
        );
    }
}
