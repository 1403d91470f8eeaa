//! Repository of the reference vocabularies: SDGs, focus areas and their pillars, countries and
//! tracks. Rows stay here; callers get the domain types of `domain::taxonomy`, and the
//! reference data pledges are checked against as a `domain::pledge::Vocabulary`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{
    now,
    schema::{countries, focus_areas, pillars, sdgs, tracks},
    DbConnection,
};
use crate::{
    domain::{
        errors::Corrupt,
        language::Language,
        pledge::Vocabulary,
        taxonomy::{
            Country, CountryFilter, FocusAreaEntry, Pillar, Sdg, Track, TrackFields, ValidTrack,
        },
    },
    error::{AppError, AppResult},
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sdgs)]
struct SdgRow {
    number: i32,
    short_title: String,
    title: String,
    colour: String,
}

impl From<SdgRow> for Sdg {
    fn from(r: SdgRow) -> Self {
        Sdg {
            number: r.number,
            short_title: r.short_title,
            title: r.title,
            colour: r.colour,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = focus_areas)]
struct FocusAreaRow {
    slug: String,
    name: String,
    tagline: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pillars)]
struct PillarRow {
    slug: String,
    focus_area: String,
    name: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = countries)]
struct CountryRow {
    alpha3: String,
    alpha2: String,
    numeric_code: String,
    name: String,
    region: Option<String>,
    subregion: Option<String>,
    ldc: bool,
    lldc: bool,
    sids: bool,
}

impl From<CountryRow> for Country {
    fn from(r: CountryRow) -> Self {
        Country {
            code: r.alpha3,
            alpha2: r.alpha2,
            numeric_code: r.numeric_code,
            name: r.name,
            region: r.region,
            subregion: r.subregion,
            ldc: r.ldc,
            lldc: r.lldc,
            sids: r.sids,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tracks)]
struct TrackRow {
    slug: String,
    name: String,
    description: String,
    location: Option<String>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    translations: String,
}

impl TryFrom<TrackRow> for Track {
    type Error = Corrupt;

    fn try_from(r: TrackRow) -> Result<Self, Corrupt> {
        let translations = serde_json::from_str(&r.translations).map_err(|e| Corrupt {
            table: "tracks",
            id: r.slug.clone(),
            detail: format!("unreadable translations: {e}"),
        })?;
        Ok(Track {
            slug: r.slug,
            name: r.name,
            description: r.description,
            location: r.location,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            language: Language::En,
            translations,
        })
    }
}

/// Translations as stored: a JSON object keyed by language.
fn stored_translations(fields: &TrackFields) -> AppResult<String> {
    serde_json::to_string(&fields.translations).map_err(AppError::internal)
}

/// The 17 goals, by number.
pub fn sdgs(conn: &mut DbConnection) -> AppResult<Vec<Sdg>> {
    Ok(sdgs::table
        .order(sdgs::number.asc())
        .select(SdgRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Sdg::from)
        .collect())
}

/// The focus areas in their order, each with its pillars in theirs.
pub fn focus_areas(conn: &mut DbConnection) -> AppResult<Vec<FocusAreaEntry>> {
    let areas = focus_areas::table
        .order(focus_areas::position.asc())
        .select(FocusAreaRow::as_select())
        .load(conn)?;
    let pillars = pillars::table
        .order((pillars::focus_area.asc(), pillars::position.asc()))
        .select(PillarRow::as_select())
        .load(conn)?;
    Ok(assemble(areas, pillars))
}

/// Groups pillars under their focus areas, keeping the order of both.
fn assemble(areas: Vec<FocusAreaRow>, pillars: Vec<PillarRow>) -> Vec<FocusAreaEntry> {
    areas
        .into_iter()
        .map(|area| FocusAreaEntry {
            pillars: pillars
                .iter()
                .filter(|p| p.focus_area == area.slug)
                .map(|p| Pillar {
                    slug: p.slug.clone(),
                    name: p.name.clone(),
                })
                .collect(),
            slug: area.slug,
            name: area.name,
            tagline: area.tagline,
        })
        .collect()
}

/// Countries matching every filter given, by code.
pub fn countries(conn: &mut DbConnection, filter: &CountryFilter) -> AppResult<Vec<Country>> {
    let mut query = countries::table
        .order(countries::alpha3.asc())
        .select(CountryRow::as_select())
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(countries::region.eq(region.clone()));
    }
    if let Some(flag) = filter.ldc {
        query = query.filter(countries::ldc.eq(flag));
    }
    if let Some(flag) = filter.lldc {
        query = query.filter(countries::lldc.eq(flag));
    }
    if let Some(flag) = filter.sids {
        query = query.filter(countries::sids.eq(flag));
    }
    Ok(query.load(conn)?.into_iter().map(Country::from).collect())
}

/// Whether `code` (ISO alpha-3) is a known country.
pub fn country_exists(conn: &mut DbConnection, code: &str) -> AppResult<bool> {
    let known: i64 = countries::table
        .filter(countries::alpha3.eq(code))
        .count()
        .get_result(conn)?;
    Ok(known > 0)
}

/// Every track: dated events first in chronological order, then open-ended campaigns; the slug
/// breaks ties.
pub fn tracks(conn: &mut DbConnection) -> AppResult<Vec<Track>> {
    tracks::table
        .order((
            tracks::starts_on.is_null().asc(),
            tracks::starts_on.asc(),
            tracks::slug.asc(),
        ))
        .select(TrackRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| Ok(Track::try_from(row)?))
        .collect()
}

/// The slug of every track.
pub fn track_slugs(conn: &mut DbConnection) -> AppResult<Vec<String>> {
    Ok(tracks::table.select(tracks::slug).load(conn)?)
}

/// The track called `slug`, if any.
pub fn find_track(conn: &mut DbConnection, slug: &str) -> AppResult<Option<Track>> {
    Ok(tracks::table
        .find(slug)
        .select(TrackRow::as_select())
        .first(conn)
        .optional()?
        .map(Track::try_from)
        .transpose()?)
}

/// The display name of the track called `slug`, if any.
pub fn track_name(conn: &mut DbConnection, slug: &str) -> AppResult<Option<String>> {
    Ok(tracks::table
        .find(slug)
        .select(tracks::name)
        .first(conn)
        .optional()?)
}

/// Stores a new track; a taken slug is a conflict.
pub fn insert_track(conn: &mut DbConnection, track: &ValidTrack) -> AppResult<()> {
    let at = now();
    let fields = &track.fields;
    diesel::insert_into(tracks::table)
        .values((
            tracks::slug.eq(&track.slug),
            tracks::name.eq(&fields.name),
            tracks::description.eq(&fields.description),
            tracks::location.eq(fields.location.as_deref()),
            tracks::starts_on.eq(fields.starts_on),
            tracks::ends_on.eq(fields.ends_on),
            tracks::created_at.eq(at),
            tracks::updated_at.eq(at),
            tracks::translations.eq(stored_translations(fields)?),
        ))
        .execute(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => AppError::Conflict(
                "track_exists",
                format!("a track called {} exists", track.slug),
            ),
            other => other.into(),
        })?;
    Ok(())
}

/// Replaces the editable fields of the track called `slug`; false when there is none.
pub fn update_track(conn: &mut DbConnection, slug: &str, fields: &TrackFields) -> AppResult<bool> {
    let changed = diesel::update(tracks::table.find(slug))
        .set((
            tracks::name.eq(&fields.name),
            tracks::description.eq(&fields.description),
            tracks::location.eq(fields.location.as_deref()),
            tracks::starts_on.eq(fields.starts_on),
            tracks::ends_on.eq(fields.ends_on),
            tracks::updated_at.eq(now()),
            tracks::translations.eq(stored_translations(fields)?),
        ))
        .execute(conn)?;
    Ok(changed > 0)
}

/// The reference data pledges are validated against: track, focus-area and pillar slugs, and
/// countries with their regions and groupings.
pub fn vocabulary(conn: &mut DbConnection) -> AppResult<Vocabulary> {
    let countries: Vec<(String, Option<String>, bool, bool, bool)> = countries::table
        .select((
            countries::alpha3,
            countries::region,
            countries::ldc,
            countries::lldc,
            countries::sids,
        ))
        .load(conn)?;
    Ok(Vocabulary {
        tracks: track_slugs(conn)?.into_iter().collect(),
        focus_areas: focus_areas::table
            .select(focus_areas::slug)
            .load::<String>(conn)?
            .into_iter()
            .collect(),
        pillars: pillars::table
            .select((pillars::slug, pillars::focus_area))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect(),
        regions: countries.iter().filter_map(|c| c.1.clone()).collect(),
        countries: countries
            .into_iter()
            .map(|(code, _, ldc, lldc, sids)| (code, (ldc, lldc, sids)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pillars_are_grouped_under_their_focus_area_in_order() {
        let area = |slug: &str| FocusAreaRow {
            slug: slug.into(),
            name: slug.into(),
            tagline: "t".into(),
        };
        let pillar = |slug: &str, area: &str| PillarRow {
            slug: slug.into(),
            focus_area: area.into(),
            name: slug.into(),
        };
        let grouped = assemble(
            vec![area("access"), area("adoption"), area("accelerate")],
            vec![
                pillar("a1", "access"),
                pillar("b1", "adoption"),
                pillar("a2", "access"),
            ],
        );
        let slugs = |i: usize| {
            grouped[i]
                .pillars
                .iter()
                .map(|p| p.slug.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(slugs(0), ["a1", "a2"]);
        assert_eq!(slugs(1), ["b1"]);
        assert!(slugs(2).is_empty());
    }

    #[test]
    fn the_seeded_vocabulary_loads() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.sqlite3").to_string_lossy().into_owned();
        let db = super::super::Database::open(&url, 1).unwrap();
        db.migrate().unwrap();
        let mut conn = db.get().unwrap();
        let vocabulary = vocabulary(&mut conn).unwrap();
        assert_eq!(vocabulary.focus_areas.len(), 4);
        assert_eq!(
            vocabulary.pillars.get("infrastructure").map(String::as_str),
            Some("access")
        );
        assert_eq!(vocabulary.countries.get("NPL"), Some(&(true, true, false)));
        assert!(vocabulary.regions.contains("Africa"));
        assert!(!vocabulary.tracks.is_empty());
        assert!(country_exists(&mut conn, "GHA").unwrap());
        assert!(!country_exists(&mut conn, "XXX").unwrap());
        assert_eq!(focus_areas(&mut conn).unwrap()[0].slug, "access");
    }
}
