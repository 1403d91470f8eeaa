//! The tokens repository: single-use emailed tokens (`user_tokens`), refresh tokens in
//! families (`refresh_tokens`), invitations, and the access-token signing keys. Secrets are
//! handed in and looked up only as their hashes; hashing them is the caller's business.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::{
    db::{
        mapping::parse_stored,
        new_id, now,
        schema::{invitations, refresh_tokens, signing_keys, user_tokens},
        DbConnection,
    },
    domain::{
        account::{Invitation, OrganisationRole, TokenPurpose},
        ids::{InvitationId, OrganisationId, UserId},
    },
    error::AppResult,
};

// ---------------------------------------------------------------------------------------------
// Emailed tokens

/// Stores a single-use emailed token by its hash.
pub fn insert_user_token(
    conn: &mut DbConnection,
    user_id: &UserId,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(user_tokens::table)
        .values((
            user_tokens::id.eq(new_id()),
            user_tokens::user_id.eq(user_id),
            user_tokens::purpose.eq(purpose.as_str()),
            user_tokens::token_hash.eq(token_hash),
            user_tokens::created_at.eq(now()),
            user_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Uses up an emailed token: its user, or `None` if it is unknown, used, expired or for
/// another purpose. The conditional update makes a token good for one use even when
/// presented twice at once.
pub fn consume_user_token(
    conn: &mut DbConnection,
    token_hash: &str,
    purpose: TokenPurpose,
) -> AppResult<Option<UserId>> {
    let at = now();
    let Some((id, user_id)) = user_tokens::table
        .filter(user_tokens::token_hash.eq(token_hash))
        .filter(user_tokens::purpose.eq(purpose.as_str()))
        .filter(user_tokens::used_at.is_null())
        .filter(user_tokens::expires_at.gt(at))
        .select((user_tokens::id, user_tokens::user_id))
        .first::<(String, UserId)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let used = diesel::update(
        user_tokens::table
            .filter(user_tokens::id.eq(&id))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(at))
    .execute(conn)?;
    if used == 0 {
        return Ok(None);
    }
    // Completing it spends every other outstanding token of the same purpose: an older reset
    // link must not work after a newer reset was completed.
    diesel::update(
        user_tokens::table
            .filter(user_tokens::user_id.eq(&user_id))
            .filter(user_tokens::purpose.eq(purpose.as_str()))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(at))
    .execute(conn)?;
    Ok(Some(user_id))
}

/// How many tokens of `purpose` were issued to a user since `since`.
pub fn issued_since(
    conn: &mut DbConnection,
    user_id: &UserId,
    purpose: TokenPurpose,
    since: NaiveDateTime,
) -> AppResult<i64> {
    Ok(user_tokens::table
        .filter(user_tokens::user_id.eq(user_id))
        .filter(user_tokens::purpose.eq(purpose.as_str()))
        .filter(user_tokens::created_at.ge(since))
        .count()
        .get_result(conn)?)
}

// ---------------------------------------------------------------------------------------------
// Refresh tokens

/// A refresh token as stored (without its hash).
#[derive(Debug, Clone, Queryable)]
pub struct RefreshToken {
    pub id: String,
    pub user_id: UserId,
    /// Every token descended from one login shares the family of the first.
    pub family_id: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert_refresh_token(
    conn: &mut DbConnection,
    user_id: &UserId,
    family_id: &str,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(new_id()),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::created_at.eq(now()),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> AppResult<Option<RefreshToken>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::id,
            refresh_tokens::user_id,
            refresh_tokens::family_id,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .first::<RefreshToken>(conn)
        .optional()?)
}

/// Marks an unused refresh token used; `false` when it already was (a replay).
pub fn claim_refresh_token(conn: &mut DbConnection, id: &str) -> AppResult<bool> {
    let claimed = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now()))
    .execute(conn)?;
    Ok(claimed > 0)
}

/// Revokes every token of a family (one login and its refreshes).
pub fn revoke_family(conn: &mut DbConnection, family_id: &str) -> AppResult<()> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family_id)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Revokes every refresh token of a user.
pub fn revoke_user_sessions(conn: &mut DbConnection, user_id: &UserId) -> AppResult<()> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Invitations

pub fn insert_invitation(
    conn: &mut DbConnection,
    invitation: &Invitation,
    invited_by: &UserId,
    token_hash: &str,
) -> AppResult<()> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(&invitation.id),
            invitations::organisation_id.eq(&invitation.organisation_id),
            invitations::email.eq(&invitation.email),
            invitations::organisation_role.eq(invitation.role.as_str()),
            invitations::invited_by.eq(invited_by),
            invitations::token_hash.eq(token_hash),
            invitations::created_at.eq(now()),
            invitations::expires_at.eq(invitation.expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The organisation's invitations still open (neither accepted nor expired), newest first.
pub fn pending_invitations(
    conn: &mut DbConnection,
    organisation: &OrganisationId,
) -> AppResult<Vec<Invitation>> {
    let rows = invitations::table
        .filter(invitations::organisation_id.eq(organisation))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(now()))
        .order((invitations::created_at.desc(), invitations::id.desc()))
        .select((
            invitations::id,
            invitations::organisation_id,
            invitations::email,
            invitations::organisation_role,
            invitations::expires_at,
        ))
        .load::<(InvitationId, OrganisationId, String, String, NaiveDateTime)>(conn)?;
    rows.into_iter()
        .map(|(id, organisation_id, email, role, expires_at)| {
            let role: OrganisationRole = parse_stored("invitations", &id, &role)?;
            Ok(Invitation {
                id,
                organisation_id,
                email,
                role,
                expires_at,
            })
        })
        .collect()
}

/// Withdraws an open invitation of the organisation: its link stops working. False if there
/// is no such open invitation.
pub fn revoke_invitation(
    conn: &mut DbConnection,
    organisation: &OrganisationId,
    id: &InvitationId,
) -> AppResult<bool> {
    let removed = diesel::delete(
        invitations::table
            .find(id)
            .filter(invitations::organisation_id.eq(organisation))
            .filter(invitations::accepted_at.is_null()),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

/// Accepts an invitation by its token: the invitation, or `None` if it is unknown, already
/// accepted or expired. Good for one acceptance even when presented twice at once.
pub fn accept_invitation(
    conn: &mut DbConnection,
    token_hash: &str,
) -> AppResult<Option<Invitation>> {
    let at = now();
    let Some((id, organisation_id, email, role, expires_at)) = invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(at))
        .select((
            invitations::id,
            invitations::organisation_id,
            invitations::email,
            invitations::organisation_role,
            invitations::expires_at,
        ))
        .first::<(InvitationId, OrganisationId, String, String, NaiveDateTime)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let role: OrganisationRole = parse_stored("invitations", &id, &role)?;
    let accepted = diesel::update(
        invitations::table
            .find(&id)
            .filter(invitations::accepted_at.is_null()),
    )
    .set(invitations::accepted_at.eq(at))
    .execute(conn)?;
    if accepted > 0 {
        // Other pending invitations of the same address to the same organisation are spent
        // with it.
        diesel::update(
            invitations::table
                .filter(invitations::organisation_id.eq(&organisation_id))
                .filter(invitations::email.eq(&email))
                .filter(invitations::accepted_at.is_null()),
        )
        .set(invitations::accepted_at.eq(at))
        .execute(conn)?;
    }
    Ok((accepted > 0).then_some(Invitation {
        id,
        organisation_id,
        email,
        role,
        expires_at,
    }))
}

// ---------------------------------------------------------------------------------------------
// Signing keys

/// The secret kept for a signing-key slot.
pub fn signing_secret(conn: &mut DbConnection, slot: &str) -> AppResult<Option<String>> {
    Ok(signing_keys::table
        .filter(signing_keys::slot.eq(slot))
        .select(signing_keys::secret)
        .first::<String>(conn)
        .optional()?)
}

/// Stores the secret of a slot; `false` when another instance stored one first.
pub fn insert_signing_key(
    conn: &mut DbConnection,
    kid: &str,
    slot: &str,
    secret: &str,
) -> AppResult<bool> {
    let inserted = diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::kid.eq(kid),
            signing_keys::slot.eq(slot),
            signing_keys::secret.eq(secret),
            signing_keys::created_at.eq(now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
