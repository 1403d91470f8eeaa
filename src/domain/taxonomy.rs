//! The reference vocabularies pledges are tagged with: SDGs, P2C focus areas and pillars,
//! countries with their UN groupings, and pledging tracks; and the rules a new or edited track
//! follows. Pure code: the repository (`db::taxonomy`) reads and writes them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use validator::{Validate, ValidationError};

use super::{
    account::FieldChecks,
    counters::GLOBAL_SCOPE,
    errors::{FieldError, Invalid},
    language::Language,
    validation::text,
};

/// A Sustainable Development Goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Sdg {
    /// Goal number, 1 to 17.
    #[schema(minimum = 1, maximum = 17, example = 9)]
    pub number: i32,
    /// The official short title, e.g. "Industry, Innovation and Infrastructure".
    pub short_title: String,
    /// The goal as adopted in UN General Assembly resolution A/RES/70/1.
    pub title: String,
    /// The goal's colour in the SDG communication guidelines, as `#RRGGBB`.
    pub colour: String,
}

/// A pillar: one line of action inside a focus area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Pillar {
    pub slug: String,
    pub name: String,
}

/// A value of a closed vocabulary with its name in the language asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Term {
    /// The value the API takes and gives, the same in every language.
    #[schema(example = "private_sector")]
    pub code: String,
    #[schema(example = "Secteur privé")]
    pub name: String,
}

/// The names of the closed vocabularies a client shows (`GET /vocabularies`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NamedVocabularies {
    pub organisation_kinds: Vec<Term>,
    pub pledge_types: Vec<Term>,
    pub statuses: Vec<Term>,
    /// The traffic lights of published pledges.
    pub lights: Vec<Term>,
}

/// A Partner2Connect focus area with its pillars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FocusAreaEntry {
    /// `access`, `adoption`, `value_creation` or `accelerate`.
    pub slug: String,
    pub name: String,
    /// P2C's description, e.g. "Connecting people everywhere".
    pub tagline: String,
    pub pillars: Vec<Pillar>,
}

/// A country or territory (ISO 3166-1) with its UN M49 region and UN-OHRLLS groupings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code, the identifier used everywhere in this API.
    #[schema(example = "GHA")]
    pub code: String,
    #[schema(example = "GH")]
    pub alpha2: String,
    /// ISO 3166-1 numeric code (also the UN M49 code), zero-padded.
    #[schema(example = "288")]
    pub numeric_code: String,
    pub name: String,
    /// UN M49 region (Africa, Americas, Asia, Europe, Oceania); none for Antarctica.
    pub region: Option<String>,
    /// UN M49 sub-region, e.g. "Sub-Saharan Africa".
    pub subregion: Option<String>,
    /// On the UN list of least developed countries (December 2024, 44 countries).
    pub ldc: bool,
    /// On the UN list of landlocked developing countries (32 countries).
    pub lldc: bool,
    /// On the UN-OHRLLS list of small island developing States (UN members and associate members).
    pub sids: bool,
}

/// Filters for the country list; all optional, combined with AND.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CountryFilter {
    /// UN M49 region name, e.g. `Africa` (exact, case-sensitive).
    pub region: Option<String>,
    /// Only least developed countries (`true`) or only others (`false`).
    pub ldc: Option<bool>,
    /// Only landlocked developing countries, or only others.
    pub lldc: Option<bool>,
    /// Only small island developing States, or only others.
    pub sids: Option<bool>,
    /// The answer's language (read by the language negotiation, declared here so that the
    /// filter accepts it).
    #[param(value_type = Option<super::language::Language>)]
    pub lang: Option<String>,
}

/// A pledging track: an event or campaign pledges are announced under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Track {
    #[schema(example = "ldc5")]
    pub slug: String,
    pub name: String,
    pub description: String,
    pub location: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The language `name` and `description` are in: a translation its organisers entered, or
    /// English.
    pub language: Language,
    /// The name and description in other languages, as entered, by language.
    #[schema(value_type = BTreeMap<String, TrackText>)]
    pub translations: BTreeMap<Language, TrackText>,
}

/// A track's name and description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackText {
    #[schema(
        min_length = 2,
        max_length = 200,
        example = "Conférence mondiale de développement des télécommunications 2025"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: String,
}

impl Track {
    /// The track as shown in `language`: its translation when its organisers entered one.
    pub fn in_language(mut self, language: Language) -> Self {
        if let Some(text) = self.translations.get(&language) {
            self.name = text.name.clone();
            self.description = text.description.clone();
            self.language = language;
        }
        self
    }
}

/// A new pledging track (`POST /tracks`).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrack {
    /// Lowercase letters, digits and inner hyphens, 2 to 64 characters; `all` is reserved.
    #[validate(custom(function = "slug"))]
    #[schema(
        pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$",
        min_length = 2,
        max_length = 64,
        example = "wtdc-2025"
    )]
    pub slug: String,
    #[validate(custom(function = "text::<2, 200>"))]
    #[schema(
        min_length = 2,
        max_length = 200,
        example = "World Telecommunication Development Conference 2025"
    )]
    pub name: String,
    #[serde(default)]
    #[validate(custom(function = "text::<0, 5000>"))]
    #[schema(max_length = 5000)]
    pub description: String,
    #[validate(custom(function = "text::<1, 200>"))]
    #[schema(min_length = 1, max_length = 200, example = "Baku")]
    pub location: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// The name and description in other languages, by language (`ar`, `zh`, `fr`, `ru`,
    /// `es`); the English ones are `name` and `description`.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, TrackText>)]
    pub translations: BTreeMap<String, TrackText>,
}

/// Changes to a track (`PATCH /tracks/{slug}`); `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackChanges {
    #[validate(custom(function = "text::<2, 200>"))]
    #[schema(min_length = 2, max_length = 200)]
    pub name: Option<String>,
    #[validate(custom(function = "text::<0, 5000>"))]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "super::validation::double_option")]
    #[validate(custom(function = "text::<1, 200>"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::validation::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "super::validation::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    /// Replaces every translation of the name and description (`{}` removes them all).
    #[schema(value_type = Option<BTreeMap<String, TrackText>>)]
    pub translations: Option<BTreeMap<String, TrackText>>,
}

/// A track's editable fields, checked and trimmed: what the repository stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackFields {
    pub name: String,
    pub description: String,
    pub location: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub translations: BTreeMap<Language, TrackText>,
}

/// A new track that passed every check: its slug and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTrack {
    pub slug: String,
    pub fields: TrackFields,
}

/// Checks a new track; every problem is reported at once.
pub fn validate_new_track(input: &NewTrack) -> Result<ValidTrack, Invalid> {
    let mut checks = FieldChecks::from_rules(input);
    // Taken as sent: a slug is an address, not text to tidy.
    let slug = input.slug.as_str();
    let fields = check_fields(
        &mut checks,
        &input.name,
        &input.description,
        input.location.as_deref(),
        input.starts_on,
        input.ends_on,
        &input.translations,
    );
    checks.finish()?;
    Ok(ValidTrack {
        slug: slug.to_owned(),
        fields,
    })
}

/// Applies `changes` to `current` and checks the result (never the slug: pledges, links and big
/// screens refer to it).
pub fn apply_track_changes(
    current: &Track,
    changes: &TrackChanges,
) -> Result<TrackFields, Invalid> {
    let name = changes.name.as_deref().unwrap_or(&current.name);
    let description = changes
        .description
        .as_deref()
        .unwrap_or(&current.description);
    let location = match &changes.location {
        Some(location) => location.as_deref(),
        None => current.location.as_deref(),
    };
    let starts_on = changes.starts_on.unwrap_or(current.starts_on);
    let ends_on = changes.ends_on.unwrap_or(current.ends_on);
    let current_translations: BTreeMap<String, TrackText> = current
        .translations
        .iter()
        .map(|(l, t)| (l.as_str().to_owned(), t.clone()))
        .collect();
    let translations = changes
        .translations
        .as_ref()
        .unwrap_or(&current_translations);
    let mut checks = FieldChecks::from_rules(changes);
    let fields = check_fields(
        &mut checks,
        name,
        description,
        location,
        starts_on,
        ends_on,
        translations,
    );
    checks.finish()?;
    Ok(fields)
}

/// Lowercase letters, digits and inner hyphens, 2 to 64 characters; `all` names every pledge.
fn slug(slug: &str) -> Result<(), ValidationError> {
    let well_formed = (2..=64).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !well_formed {
        return Err(ValidationError::new("invalid_slug")
            .with_message("takes 2 to 64 lowercase letters, digits and inner hyphens".into()));
    }
    if slug == GLOBAL_SCOPE {
        return Err(ValidationError::new("reserved")
            .with_message("`all` names every pledge and cannot be a track".into()));
    }
    Ok(())
}

/// Checks the rules between the editable fields (their own rules are the bodies'), and
/// returns them trimmed.
fn check_fields(
    checks: &mut FieldChecks,
    name: &str,
    description: &str,
    location: Option<&str>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    translations: &BTreeMap<String, TrackText>,
) -> TrackFields {
    let mut checked = BTreeMap::new();
    for (tag, text) in translations {
        let field = |name: &str| format!("translations.{tag}.{name}");
        match tag.parse::<Language>() {
            Ok(Language::En) => checks.push(FieldError::new(
                format!("translations.{tag}"),
                "unknown_value",
                "the English name and description are `name` and `description`",
            )),
            Ok(language) => {
                let name = text.name.trim();
                let description = text.description.trim();
                if !(2..=200).contains(&name.chars().count()) {
                    checks.push(FieldError::new(
                        field("name"),
                        "length",
                        "2 to 200 characters",
                    ));
                }
                if description.chars().count() > 5000 {
                    checks.push(FieldError::new(
                        field("description"),
                        "length",
                        "at most 5000 characters",
                    ));
                }
                checked.insert(
                    language,
                    TrackText {
                        name: name.to_owned(),
                        description: description.to_owned(),
                    },
                );
            }
            Err(message) => checks.push(FieldError::new(
                format!("translations.{tag}"),
                "unknown_value",
                message,
            )),
        }
    }
    if let (Some(start), Some(end)) = (starts_on, ends_on) {
        if end < start {
            checks.push(FieldError::new(
                "ends_on",
                "before_start",
                "the end date cannot be before the start date",
            ));
        }
    }
    TrackFields {
        name: name.trim().to_owned(),
        description: description.trim().to_owned(),
        location: location.map(|l| l.trim().to_owned()),
        starts_on,
        ends_on,
        translations: checked,
    }
}

impl Sdg {
    /// The goal with its titles in `language` (English as stored).
    pub fn in_language(mut self, language: super::language::Language) -> Self {
        use super::translations::{sdg_goal, sdg_short_title};
        if let Some(short) = sdg_short_title(self.number, language) {
            self.short_title = short.to_owned();
        }
        if let Some(goal) = sdg_goal(self.number, language) {
            self.title = goal.to_owned();
        }
        self
    }
}

impl Country {
    /// The country with its name in `language` (English as stored).
    pub fn in_language(mut self, language: super::language::Language) -> Self {
        if let Some(name) = super::translations::country_name(&self.code, language) {
            self.name = name.to_owned();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_track(slug: &str) -> NewTrack {
        NewTrack {
            slug: slug.into(),
            name: " WTDC-25 ".into(),
            description: String::new(),
            location: Some(" Baku ".into()),
            starts_on: NaiveDate::from_ymd_opt(2025, 11, 17),
            ends_on: NaiveDate::from_ymd_opt(2025, 11, 28),
            translations: BTreeMap::new(),
        }
    }

    fn codes(err: Invalid) -> Vec<String> {
        err.0.into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn a_new_track_is_trimmed_but_its_slug_taken_as_sent() {
        let valid = validate_new_track(&new_track("wtdc-2025")).unwrap();
        assert_eq!(valid.slug, "wtdc-2025");
        assert!(validate_new_track(&new_track(" wtdc-2025 ")).is_err());
        assert_eq!(valid.fields.name, "WTDC-25");
        assert_eq!(valid.fields.location.as_deref(), Some("Baku"));
    }

    #[test]
    fn slugs_are_checked_and_all_is_reserved() {
        for (slug, code) in [
            ("all", "reserved"),
            ("Bad Slug", "invalid_slug"),
            ("-x", "invalid_slug"),
            ("x-", "invalid_slug"),
            ("x", "invalid_slug"),
        ] {
            let err = validate_new_track(&new_track(slug)).unwrap_err();
            assert_eq!(codes(err), [code], "{slug}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut input = new_track("-x");
        input.name = "x".into();
        input.ends_on = NaiveDate::from_ymd_opt(2020, 1, 1);
        let err = validate_new_track(&input).unwrap_err();
        // In the order of their fields: ends_on, name, slug.
        assert_eq!(codes(err), ["before_start", "required", "invalid_slug"]);
    }

    #[test]
    fn changes_keep_what_they_do_not_name_and_null_clears() {
        let at = NaiveDate::from_ymd_opt(2025, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        let current = Track {
            slug: "wtdc-2025".into(),
            name: "WTDC-25".into(),
            description: "World Telecommunication Development Conference".into(),
            location: Some("Baku".into()),
            starts_on: NaiveDate::from_ymd_opt(2025, 11, 17),
            ends_on: NaiveDate::from_ymd_opt(2025, 11, 28),
            created_at: at.and_utc(),
            updated_at: at.and_utc(),
            language: Language::En,
            translations: BTreeMap::from([(
                Language::Fr,
                TrackText {
                    name: "CMDT-25".into(),
                    description: String::new(),
                },
            )]),
        };
        assert_eq!(current.clone().in_language(Language::Fr).name, "CMDT-25");
        assert_eq!(current.clone().in_language(Language::Ru).name, "WTDC-25");
        let fields = apply_track_changes(
            &current,
            &TrackChanges {
                name: Some("WTDC-25 Baku".into()),
                location: Some(None),
                ..TrackChanges::default()
            },
        )
        .unwrap();
        assert_eq!(fields.name, "WTDC-25 Baku");
        assert_eq!(fields.location, None);
        assert_eq!(fields.description, current.description);
        assert_eq!(fields.starts_on, current.starts_on);
        let err = apply_track_changes(
            &current,
            &TrackChanges {
                ends_on: Some(NaiveDate::from_ymd_opt(2020, 1, 1)),
                ..TrackChanges::default()
            },
        )
        .unwrap_err();
        assert_eq!(codes(err), ["before_start"]);
    }
}
