//! Goals and private screen links: what organisers set up for a track's big screen.

use crate::{
    auth::tokens::{hash_secret, random_secret},
    db::{screens as repo, taxonomy, write_tx, DbConnection},
    domain::{
        account::PlatformRole,
        actor::Actor,
        counters::{Scope, GLOBAL_SCOPE},
        goals::{GoalSet, GoalsInput},
        ids::ScreenLinkId,
        screen::{NewScreenLinkInput, ScreenLink},
    },
    error::{AppError, AppResult},
};

fn only_organisers(actor: &Actor) -> AppResult<()> {
    Ok(actor.require_role(&[PlatformRole::Organiser, PlatformRole::Admin])?)
}

/// The scope of a track slug (`all` or none: every pledge); an unknown track is `NotFound`.
fn scope_of(conn: &mut DbConnection, track: Option<&str>) -> AppResult<Scope> {
    match track {
        None | Some("") | Some(GLOBAL_SCOPE) => Ok(Scope::All),
        Some(slug) => {
            taxonomy::track_name(conn, slug)?.ok_or(AppError::NotFound("track"))?;
            Ok(Scope::Track(slug.to_owned()))
        }
    }
}

fn name_of(scope: &Scope) -> String {
    scope.as_str().to_owned()
}

/// A scope's goals as set (none set: an empty list).
pub fn goals(conn: &mut DbConnection, track: Option<&str>) -> AppResult<GoalSet> {
    let scope = scope_of(conn, track)?;
    let goals = repo::goals(conn, &[crate::db::counters::key(&scope)])?
        .into_iter()
        .next()
        .map(|(_, goals)| goals)
        .unwrap_or_default();
    Ok(GoalSet {
        track: name_of(&scope),
        goals,
    })
}

/// Organisers and admins replace a scope's goals (an empty list clears them).
pub fn set_goals(
    conn: &mut DbConnection,
    actor: &Actor,
    track: Option<&str>,
    input: &GoalsInput,
) -> AppResult<GoalSet> {
    only_organisers(actor)?;
    let goals = input.parse()?;
    write_tx(conn, |conn| {
        let scope = scope_of(conn, track)?;
        repo::replace_goals(conn, &scope, &goals, &actor.id)?;
        Ok(GoalSet {
            track: name_of(&scope),
            goals: goals.clone(),
        })
    })
}

/// Organisers and admins create a private screen link: the link, and its secret, which is
/// shown this once and stored only as a hash.
pub fn create_link(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &NewScreenLinkInput,
) -> AppResult<(ScreenLink, String)> {
    only_organisers(actor)?;
    let label = input.parse()?;
    let secret = random_secret();
    let hash = hash_secret(&secret);
    let link = write_tx(conn, |conn| {
        let scope = scope_of(conn, Some(&input.track))?;
        repo::insert_link(
            conn,
            &ScreenLinkId::generate(),
            &scope,
            &label,
            &hash,
            &actor.id,
        )
    })?;
    Ok((link, secret))
}

/// The private screen links of a track (every track when none), for organisers and admins.
pub fn list_links(
    conn: &mut DbConnection,
    actor: &Actor,
    track: Option<&str>,
) -> AppResult<Vec<ScreenLink>> {
    only_organisers(actor)?;
    let scope = match track {
        None => None,
        Some(track) => Some(scope_of(conn, Some(track))?),
    };
    repo::links(conn, scope.as_ref())
}

/// Revokes a private screen link: its address stops working at once.
pub fn revoke_link(conn: &mut DbConnection, actor: &Actor, id: &ScreenLinkId) -> AppResult<()> {
    only_organisers(actor)?;
    if write_tx(conn, |conn| repo::revoke_link(conn, id))? {
        Ok(())
    } else {
        Err(AppError::NotFound("screen_link"))
    }
}

/// The scope a private screen link's secret opens; a wrong or revoked secret is `NotFound`.
pub fn open_link(conn: &mut DbConnection, secret: &str) -> AppResult<Scope> {
    repo::scope_of_secret(conn, &hash_secret(secret))?.ok_or(AppError::NotFound("screen_link"))
}
