//! The reference vocabularies: reading them, and the tracks organisers add.

use crate::{
    db::{taxonomy as repo, write_tx, DbConnection},
    domain::{
        account::PlatformRole,
        actor::Actor,
        counters::GLOBAL_SCOPE,
        language::Language,
        taxonomy::{
            apply_track_changes, validate_new_track, Country, CountryFilter, FocusAreaEntry,
            NewTrack, Sdg, Track, TrackChanges,
        },
    },
    error::{AppError, AppResult},
};

/// The SDGs, titled in `language`.
pub fn list_sdgs(conn: &mut DbConnection, language: Language) -> AppResult<Vec<Sdg>> {
    Ok(repo::sdgs(conn)?
        .into_iter()
        .map(|sdg| sdg.in_language(language))
        .collect())
}

pub fn list_focus_areas(conn: &mut DbConnection) -> AppResult<Vec<FocusAreaEntry>> {
    repo::focus_areas(conn)
}

/// The countries, named in `language`.
pub fn list_countries(
    conn: &mut DbConnection,
    filter: &CountryFilter,
    language: Language,
) -> AppResult<Vec<Country>> {
    Ok(repo::countries(conn, filter)?
        .into_iter()
        .map(|country| country.in_language(language))
        .collect())
}

pub fn list_tracks(conn: &mut DbConnection) -> AppResult<Vec<Track>> {
    repo::tracks(conn)
}

/// A track's display name; `all` names every pledge.
pub fn track_name(conn: &mut DbConnection, slug: &str) -> AppResult<String> {
    if slug == GLOBAL_SCOPE {
        return Ok("All pledges".to_owned());
    }
    repo::track_name(conn, slug)?.ok_or(AppError::NotFound("track"))
}

fn only_organisers(actor: &Actor) -> AppResult<()> {
    Ok(actor.require_role(&[PlatformRole::Organiser, PlatformRole::Admin])?)
}

/// Organisers and admins add the tracks of their events.
pub fn create_track(conn: &mut DbConnection, actor: &Actor, input: &NewTrack) -> AppResult<Track> {
    only_organisers(actor)?;
    let track = validate_new_track(input)?;
    write_tx(conn, |conn| {
        repo::insert_track(conn, &track)?;
        repo::find_track(conn, &track.slug)?.ok_or(AppError::NotFound("track"))
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
        let current = repo::find_track(conn, slug)?.ok_or(AppError::NotFound("track"))?;
        let fields = apply_track_changes(&current, changes)?;
        repo::update_track(conn, slug, &fields)?;
        repo::find_track(conn, slug)?.ok_or(AppError::NotFound("track"))
    })
}
