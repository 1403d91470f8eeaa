//! The reference vocabularies: reading them, and the tracks organisers add.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{schema, write_tx, DbConnection},
    domain::actor::Actor,
    domain::{
        account::{check_text, FieldChecks, PlatformRole},
        taxonomy::{Country, FocusArea, FocusAreaRow, Pillar, Sdg, Track},
    },
    error::{AppError, AppResult, FieldError},
};

pub fn list_sdgs(conn: &mut DbConnection) -> AppResult<Vec<Sdg>> {
    use schema::sdgs::dsl::*;
    Ok(sdgs
        .order(number.asc())
        .select(Sdg::as_select())
        .load(conn)?)
}

pub fn list_focus_areas(conn: &mut DbConnection) -> AppResult<Vec<FocusArea>> {
    let areas = schema::focus_areas::table
        .order(schema::focus_areas::position.asc())
        .select(FocusAreaRow::as_select())
        .load(conn)?;
    let pillars = schema::pillars::table
        .order((
            schema::pillars::focus_area.asc(),
            schema::pillars::position.asc(),
        ))
        .select(Pillar::as_select())
        .load(conn)?;
    Ok(FocusArea::assemble(areas, pillars))
}

/// Filters for the country list; all optional, combined with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
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
}

pub fn list_countries(conn: &mut DbConnection, filter: &CountryFilter) -> AppResult<Vec<Country>> {
    use schema::countries::dsl as c;
    let mut query = c::countries
        .order(c::alpha3.asc())
        .select(Country::as_select())
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(c::region.eq(region.clone()));
    }
    if let Some(flag) = filter.ldc {
        query = query.filter(c::ldc.eq(flag));
    }
    if let Some(flag) = filter.lldc {
        query = query.filter(c::lldc.eq(flag));
    }
    if let Some(flag) = filter.sids {
        query = query.filter(c::sids.eq(flag));
    }
    Ok(query.load(conn)?)
}

pub fn list_tracks(conn: &mut DbConnection) -> AppResult<Vec<Track>> {
    use schema::tracks::dsl::*;
    // Dated events first in chronological order, then open-ended campaigns; slug breaks ties.
    Ok(tracks
        .order((starts_on.is_null().asc(), starts_on.asc(), slug.asc()))
        .select(Track::as_select())
        .load(conn)?)
}

/// A track's display name; `all` names every pledge.
pub fn track_name(conn: &mut DbConnection, slug: &str) -> AppResult<String> {
    if slug == crate::domain::counters::GLOBAL_SCOPE {
        return Ok("All pledges".to_owned());
    }
    use schema::tracks::dsl;
    dsl::tracks
        .find(slug)
        .select(dsl::name)
        .first(conn)
        .optional()?
        .ok_or(crate::error::AppError::NotFound("track"))
}

/// A new pledging track (`POST /tracks`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrack {
    /// Lowercase letters, digits and hyphens, 2 to 64 characters; `all` is reserved.
    #[schema(example = "wtdc-2025")]
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub location: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

/// Changes to a track (`PATCH /tracks/{slug}`); `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::validation::double_option")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::domain::validation::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::domain::validation::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
}

fn check_track(
    checks: &mut FieldChecks,
    name: &str,
    description: &str,
    location: Option<&str>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
) {
    checks.take(check_text("name", name, 2, 200));
    if !description.is_empty() {
        checks.take(check_text("description", description, 1, 5_000));
    }
    if let Some(location) = location {
        checks.take(check_text("location", location, 1, 200));
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
}

fn only_organisers(actor: &Actor) -> AppResult<()> {
    Ok(actor.require_role(&[PlatformRole::Organiser, PlatformRole::Admin])?)
}

fn find_track(conn: &mut DbConnection, slug: &str) -> AppResult<Track> {
    use schema::tracks::dsl;
    dsl::tracks
        .find(slug)
        .select(Track::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound("track"))
}

/// Organisers and admins add the tracks of their events.
pub fn create_track(conn: &mut DbConnection, actor: &Actor, input: &NewTrack) -> AppResult<Track> {
    only_organisers(actor)?;
    let mut checks = FieldChecks::new();
    let slug = input.slug.trim();
    let slug_ok = (2..=64).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !slug_ok {
        checks.push(FieldError::new(
            "slug",
            "invalid_slug",
            "use 2 to 64 lowercase letters, digits and inner hyphens",
        ));
    } else if slug == crate::domain::counters::GLOBAL_SCOPE {
        checks.push(FieldError::new(
            "slug",
            "reserved",
            "`all` names every pledge and cannot be a track",
        ));
    }
    check_track(
        &mut checks,
        &input.name,
        &input.description,
        input.location.as_deref(),
        input.starts_on,
        input.ends_on,
    );
    checks.finish()?;
    write_tx(conn, |conn| {
        use schema::tracks::dsl;
        let at = crate::db::now();
        diesel::insert_into(dsl::tracks)
            .values((
                dsl::slug.eq(slug),
                dsl::name.eq(input.name.trim()),
                dsl::description.eq(input.description.trim()),
                dsl::location.eq(input.location.as_deref().map(str::trim)),
                dsl::starts_on.eq(input.starts_on),
                dsl::ends_on.eq(input.ends_on),
                dsl::created_at.eq(at),
                dsl::updated_at.eq(at),
            ))
            .execute(conn)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ) => AppError::Conflict("track_exists", format!("a track called {slug} exists")),
                other => other.into(),
            })?;
        find_track(conn, slug)
    })
}

/// Organisers and admins edit a track's name, description, place and dates (never its slug:
/// pledges, links and big screens refer to it).
pub fn update_track(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    changes: &TrackChanges,
) -> AppResult<Track> {
    only_organisers(actor)?;
    write_tx(conn, |conn| {
        let current = find_track(conn, slug)?;
        let name = changes.name.clone().unwrap_or(current.name.clone());
        let description = changes
            .description
            .clone()
            .unwrap_or(current.description.clone());
        let location = changes.location.clone().unwrap_or(current.location.clone());
        let starts_on = changes.starts_on.unwrap_or(current.starts_on);
        let ends_on = changes.ends_on.unwrap_or(current.ends_on);
        let mut checks = FieldChecks::new();
        check_track(
            &mut checks,
            &name,
            &description,
            location.as_deref(),
            starts_on,
            ends_on,
        );
        checks.finish()?;
        use schema::tracks::dsl;
        diesel::update(dsl::tracks.find(slug))
            .set((
                dsl::name.eq(name.trim()),
                dsl::description.eq(description.trim()),
                dsl::location.eq(location.as_deref().map(str::trim)),
                dsl::starts_on.eq(starts_on),
                dsl::ends_on.eq(ends_on),
                dsl::updated_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
        find_track(conn, slug)
    })
}
