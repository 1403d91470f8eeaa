//! Who hears about a pledge: the active moderators (with the tracks they are limited to) for
//! submissions, the active members of an organisation for decisions and reminders.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{
    schema::{moderator_tracks, users},
    DbConnection,
};
use crate::{
    domain::{
        account::PlatformRole,
        ids::{OrganisationId, UserId},
    },
    error::AppResult,
};

/// An active moderator, as a recipient.
#[derive(Debug, Clone)]
pub struct Moderator {
    pub email: String,
    pub organisation_id: Option<OrganisationId>,
    /// Tracks the moderator is limited to; empty: every track.
    pub scope: Vec<String>,
}

/// Every moderator whose account is not disabled, with their scope.
pub fn active_moderators(conn: &mut DbConnection) -> AppResult<Vec<Moderator>> {
    let moderators: Vec<(UserId, String, Option<OrganisationId>)> = users::table
        .filter(users::role.eq(PlatformRole::Moderator.as_str()))
        .filter(users::disabled.eq(false))
        .select((users::id, users::email, users::organisation_id))
        .load(conn)?;
    let mut scopes: HashMap<UserId, Vec<String>> = HashMap::new();
    for (user, track) in moderator_tracks::table
        .select((moderator_tracks::user_id, moderator_tracks::track))
        .load::<(UserId, String)>(conn)?
    {
        scopes.entry(user).or_default().push(track);
    }
    Ok(moderators
        .into_iter()
        .map(|(id, email, organisation_id)| Moderator {
            scope: scopes.remove(&id).unwrap_or_default(),
            email,
            organisation_id,
        })
        .collect())
}

/// The addresses of an organisation's members whose accounts are not disabled.
pub fn member_emails(
    conn: &mut DbConnection,
    organisation: &OrganisationId,
) -> AppResult<Vec<String>> {
    Ok(users::table
        .filter(users::organisation_id.eq(organisation))
        .filter(users::disabled.eq(false))
        .select(users::email)
        .load(conn)?)
}
