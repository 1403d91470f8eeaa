//! Reading the reference vocabularies.

use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    db::{schema, DbConnection},
    domain::taxonomy::{Country, FocusArea, FocusAreaRow, Pillar, Sdg, Track},
    error::AppResult,
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
