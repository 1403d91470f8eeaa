//! The `users` repository: accounts as stored, read back as [`User`]s, and the tracks a
//! moderator is limited to (`moderator_tracks`).

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::{
    db::{
        mapping::parse_stored,
        now,
        schema::{moderator_tracks, users},
        DbConnection,
    },
    domain::{
        account::{check_moderation_tracks, OrganisationRole, PlatformRole, ProfileChanges, User},
        actor::Actor,
        errors::Corrupt,
        ids::{OrganisationId, UserId},
        language::Language,
    },
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
};

/// A user as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: UserId,
    email: String,
    password_hash: String,
    display_name: String,
    role: String,
    organisation_id: Option<OrganisationId>,
    organisation_role: Option<String>,
    email_verified: bool,
    disabled: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    session_generation: i32,
    language: String,
}

impl UserRow {
    fn into_user(self) -> Result<User, Corrupt> {
        let role = parse_stored("users", &self.id, &self.role)?;
        let language = parse_stored("users", &self.id, &self.language)?;
        let organisation_role = self
            .organisation_role
            .as_deref()
            .map(|r| parse_stored("users", &self.id, r))
            .transpose()?;
        Ok(User {
            id: self.id,
            email: self.email,
            password_hash: self.password_hash,
            display_name: self.display_name,
            role,
            organisation_id: self.organisation_id,
            organisation_role,
            email_verified: self.email_verified,
            disabled: self.disabled,
            created_at: self.created_at,
            updated_at: self.updated_at,
            session_generation: self.session_generation,
            language,
        })
    }
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

pub fn find(conn: &mut DbConnection, id: &UserId) -> AppResult<Option<User>> {
    let row = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(UserRow::into_user).transpose()?)
}

/// Accounts by email address, a page at a time: those whose address or name contains `words`
/// (case aside) and that have `role`, when given.
pub fn page(
    conn: &mut DbConnection,
    words: Option<&str>,
    role: Option<PlatformRole>,
    page: &PageParams,
) -> AppResult<Page<User>> {
    let limit = page.limit()?;
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(words) = words {
        // `%` and `_` in what was typed are matched as themselves.
        let pattern = format!(
            "%{}%",
            words
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query = query.filter(
            super::lower(users::email)
                .like(pattern.clone())
                .escape('\\')
                .or(super::lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    if let Some(role) = role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some([email]) = page.cursor(1)?.as_deref() {
        query = query.filter(users::email.gt(email.clone()));
    }
    let rows = query
        .order(users::email.asc())
        .limit(limit + 1)
        .load::<UserRow>(conn)?
        .into_iter()
        .map(UserRow::into_user)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, limit, |u| vec![u.email.clone()]))
}

/// The members of an organisation: owners first, then by email address.
pub fn members(conn: &mut DbConnection, organisation: &OrganisationId) -> AppResult<Vec<User>> {
    let mut members = users::table
        .filter(users::organisation_id.eq(organisation))
        .select(UserRow::as_select())
        .order(users::email.asc())
        .load::<UserRow>(conn)?
        .into_iter()
        .map(UserRow::into_user)
        .collect::<Result<Vec<_>, _>>()?;
    members.sort_by_key(|u| u.organisation_role != Some(OrganisationRole::Owner));
    Ok(members)
}

/// Puts a user in an organisation with a role, or (with `None`) takes them out of any.
pub fn set_membership(
    conn: &mut DbConnection,
    id: &UserId,
    membership: Option<(&OrganisationId, OrganisationRole)>,
) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::organisation_id.eq(membership.map(|(org, _)| org.clone())),
            users::organisation_role.eq(membership.map(|(_, role)| role.as_str())),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The account of an address, as normalised by `EmailAddress` (trimmed, lowercase).
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> AppResult<Option<User>> {
    let row = users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(UserRow::into_user).transpose()?)
}

pub fn exists(conn: &mut DbConnection, id: &UserId) -> AppResult<bool> {
    let count: i64 = users::table
        .filter(users::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

pub fn email_taken(conn: &mut DbConnection, email: &str) -> AppResult<bool> {
    let count: i64 = users::table
        .filter(users::email.eq(email))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// The caller behind a verified token of session generation `generation`: `None` when the
/// account is gone or disabled, or its sessions were ended after the token was issued.
pub fn actor(conn: &mut DbConnection, id: &UserId, generation: i32) -> AppResult<Option<Actor>> {
    Ok(find(conn, id)?
        .filter(|u| u.accepts_session(generation))
        .map(User::actor))
}

/// Moves the account's session generation on: every access token issued so far stops working
/// on every instance at once. Sessions whose refresh tokens still stand get new access tokens
/// by refreshing.
pub fn expire_access_tokens(conn: &mut DbConnection, id: &UserId) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set(users::session_generation.eq(users::session_generation + 1))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of an account: its access tokens stop working and its refresh tokens are
/// revoked.
pub fn end_sessions(conn: &mut DbConnection, id: &UserId) -> AppResult<()> {
    expire_access_tokens(conn, id)?;
    super::tokens::revoke_user_sessions(conn, id)
}

/// The language of the account with this email address, if there is one.
pub fn language_of(conn: &mut DbConnection, email: &str) -> AppResult<Option<Language>> {
    let stored: Option<String> = users::table
        .filter(users::email.eq(email))
        .select(users::language)
        .first(conn)
        .optional()?;
    Ok(stored
        .map(|l| parse_stored("users", &email, &l))
        .transpose()?)
}

/// Applies a user's changes to their own name or language.
pub fn update_profile(
    conn: &mut DbConnection,
    id: &UserId,
    changes: &ProfileChanges,
) -> AppResult<()> {
    if let Some(name) = &changes.display_name {
        diesel::update(users::table.find(id))
            .set((users::display_name.eq(name), users::updated_at.eq(now())))
            .execute(conn)?;
    }
    if let Some(language) = changes.language {
        diesel::update(users::table.find(id))
            .set((
                users::language.eq(language.as_str()),
                users::updated_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Inserts a user; an address that is already registered is a `Conflict` (`email_taken`).
pub fn insert(conn: &mut DbConnection, user: &User) -> AppResult<()> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&user.id),
            users::email.eq(&user.email),
            users::password_hash.eq(&user.password_hash),
            users::display_name.eq(&user.display_name),
            users::role.eq(user.role.as_str()),
            users::organisation_id.eq(&user.organisation_id),
            users::organisation_role.eq(user.organisation_role.map(|r| r.as_str())),
            users::language.eq(user.language.as_str()),
            users::email_verified.eq(user.email_verified),
            users::disabled.eq(user.disabled),
            users::created_at.eq(user.created_at),
            users::updated_at.eq(user.updated_at),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(
                    "email_taken",
                    "this email address already has an account".to_owned(),
                )
            } else {
                e.into()
            }
        })?;
    Ok(())
}

pub fn set_role(conn: &mut DbConnection, id: &UserId, role: PlatformRole) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set(users::role.eq(role.as_str()))
        .execute(conn)?;
    Ok(())
}

pub fn set_disabled(conn: &mut DbConnection, id: &UserId, disabled: bool) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set(users::disabled.eq(disabled))
        .execute(conn)?;
    Ok(())
}

/// Replaces the stored hash of the same password (a stronger hashing setting); the account
/// itself does not change.
pub fn rehash_password(conn: &mut DbConnection, id: &UserId, password_hash: &str) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)?;
    Ok(())
}

/// Sets a new password through an emailed link, which also proves the address.
pub fn reset_password(conn: &mut DbConnection, id: &UserId, password_hash: &str) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::email_verified.eq(true),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn mark_email_verified(conn: &mut DbConnection, id: &UserId) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set((users::email_verified.eq(true), users::updated_at.eq(now())))
        .execute(conn)?;
    Ok(())
}

/// Records that the account changed now.
pub fn touch(conn: &mut DbConnection, id: &UserId) -> AppResult<()> {
    diesel::update(users::table.find(id))
        .set(users::updated_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// The tracks a moderator is limited to (none: every track).
pub fn moderation_scope(conn: &mut DbConnection, id: &UserId) -> AppResult<Vec<String>> {
    Ok(moderator_tracks::table
        .filter(moderator_tracks::user_id.eq(id))
        .select(moderator_tracks::track)
        .load(conn)?)
}

/// The tracks `actor` decides on: a moderator's scope (none: every track); nothing to look up
/// for other roles, whom the rules do not limit to tracks.
pub fn scope_of(conn: &mut DbConnection, actor: &Actor) -> AppResult<Vec<String>> {
    if actor.role == PlatformRole::Moderator {
        moderation_scope(conn, &actor.id)
    } else {
        Ok(Vec::new())
    }
}

/// Limits a moderator to some tracks (none: all tracks); every track must exist.
pub fn set_moderation_scope(
    conn: &mut DbConnection,
    id: &UserId,
    track_slugs: &[String],
) -> AppResult<()> {
    let known: HashSet<String> = super::taxonomy::track_slugs(conn)?.into_iter().collect();
    check_moderation_tracks(track_slugs, &known)?;
    diesel::delete(moderator_tracks::table.filter(moderator_tracks::user_id.eq(id)))
        .execute(conn)?;
    for track in track_slugs.iter().collect::<HashSet<_>>() {
        diesel::insert_into(moderator_tracks::table)
            .values((
                moderator_tracks::user_id.eq(id),
                moderator_tracks::track.eq(track),
            ))
            .execute(conn)?;
    }
    Ok(())
}
