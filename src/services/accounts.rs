//! Accounts: registration, email verification, login, token refresh and logout, password reset,
//! staff accounts. Answers never tell whether an address has an account.

use chrono::Duration;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::{password, tokens},
    db::{self, new_id, now, write_tx, DbConnection},
    domain::{
        account::{
            unknown_country, EmailAddress, FieldChecks, LoginRequest, NewStaff, Organisation,
            OrganisationRole, PasswordResetConfirm, PasswordResetRequest, PlatformRole,
            ProfileChangesRequest, RegisterRequest, TokenPurpose, User, UserChanges,
        },
        actor::Actor,
        ids::{OrganisationId, UserId},
        language::Language,
    },
    email::{
        send,
        templates::{AccountExists, PasswordChanged, PasswordReset, VerifyEmail},
        Links,
    },
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
};

pub const VERIFY_EMAIL_HOURS: u32 = 48;
pub const PASSWORD_RESET_MINUTES: u32 = 30;
/// Reset emails one address receives in an hour at most, whoever asks and from wherever; more
/// requests are answered as usual and send nothing.
pub const RESET_MAILS_PER_HOUR: i64 = 3;

/// The caller behind a verified token of session generation `generation`: `None` when the
/// account is gone or disabled, or its sessions ended after the token was issued.
pub fn actor(conn: &mut DbConnection, id: &UserId, generation: i32) -> AppResult<Option<Actor>> {
    db::users::actor(conn, id, generation)
}

// ---------------------------------------------------------------------------------------------
// Registration

/// What registration created (or, for an address that already has an account, what it would
/// have looked like: nothing is stored then, and the address's owner is told instead).
pub struct Registered {
    pub user: User,
    pub organisation: Organisation,
}

pub fn register(
    conn: &mut DbConnection,
    request: RegisterRequest,
    links: &Links,
    answered_in: Language,
) -> AppResult<Registered> {
    let registration = request.parse(password::is_common)?;
    let details = registration.organisation;
    if !db::taxonomy::country_exists(conn, &details.country)? {
        return Err(unknown_country("organisation.country", &details.country).into());
    }

    // Hash whether or not the address is taken: both answers take the same time.
    let password_hash = password::hash(&request.password)?;
    let at = now();
    let organisation = Organisation {
        id: OrganisationId::generate(),
        name: details.name,
        kind: details.kind,
        country: details.country,
        website: details.website,
        verified: false,
        verified_at: None,
        created_at: at,
        updated_at: at,
    };
    let user = User {
        id: UserId::generate(),
        email: registration.email.as_str().to_owned(),
        password_hash,
        display_name: registration.display_name,
        role: PlatformRole::Pledger,
        organisation_id: Some(organisation.id.clone()),
        organisation_role: Some(OrganisationRole::Owner),
        email_verified: false,
        disabled: false,
        created_at: at,
        updated_at: at,
        session_generation: 0,
        language: registration.language.unwrap_or(answered_in),
    };

    let created = write_tx(conn, |conn| -> AppResult<bool> {
        if db::users::email_taken(conn, &user.email)? {
            let notice = AccountExists {
                public_url: links.public_url.clone(),
                reset_url: links.request_reset(),
            };
            send(conn, &notice, &user.email)?;
            return Ok(false);
        }
        db::organisations::insert(conn, &organisation)?;
        db::users::insert(conn, &user)?;
        let token = create_user_token(
            conn,
            &user.id,
            TokenPurpose::VerifyEmail,
            Duration::hours(VERIFY_EMAIL_HOURS.into()),
        )?;
        let message = VerifyEmail {
            public_url: links.public_url.clone(),
            display_name: user.display_name.clone(),
            link: links.verify_email(&token),
            valid_hours: VERIFY_EMAIL_HOURS,
        };
        send(conn, &message, &user.email)?;
        Ok(true)
    });
    match created {
        Ok(_) => Ok(Registered { user, organisation }),
        // Two registrations of one address at once: the loser answers like any taken address.
        Err(AppError::Conflict("email_taken", _)) => Ok(Registered { user, organisation }),
        Err(e) => Err(e),
    }
}

/// Creates a single-use emailed token and returns it (only its hash is stored).
fn create_user_token(
    conn: &mut DbConnection,
    user_id: &UserId,
    purpose: TokenPurpose,
    valid_for: Duration,
) -> AppResult<String> {
    let token = tokens::random_secret();
    db::tokens::insert_user_token(
        conn,
        user_id,
        purpose,
        &tokens::hash_secret(&token),
        now() + valid_for,
    )?;
    Ok(token)
}

/// Uses up an emailed token: its user id, or `InvalidToken` if it is unknown, used, expired or
/// for another purpose.
fn consume_user_token(
    conn: &mut DbConnection,
    token: &str,
    purpose: TokenPurpose,
) -> AppResult<UserId> {
    db::tokens::consume_user_token(conn, &tokens::hash_secret(token), purpose)?
        .ok_or(AppError::InvalidToken)
}

pub fn verify_email(conn: &mut DbConnection, token: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let user_id = consume_user_token(conn, token, TokenPurpose::VerifyEmail)?;
        db::users::mark_email_verified(conn, &user_id)
    })
}

// ---------------------------------------------------------------------------------------------
// Sessions

/// What login and refresh answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: each refresh answers with a new one.
    pub refresh_token: String,
}

/// A user with their organisation, for `GET /me`.
/// Changes the user's own name or language; their account as it now stands.
pub fn update_profile(
    conn: &mut DbConnection,
    user_id: &UserId,
    request: &ProfileChangesRequest,
) -> AppResult<(User, Option<Organisation>)> {
    let changes = request.parse()?;
    write_tx(conn, |conn| {
        db::users::update_profile(conn, user_id, &changes)?;
        account(conn, user_id)
    })
}

pub fn account(
    conn: &mut DbConnection,
    user_id: &UserId,
) -> AppResult<(User, Option<Organisation>)> {
    let user = db::users::find(conn, user_id)?.ok_or(AppError::Unauthorized)?;
    let organisation = match &user.organisation_id {
        Some(id) => db::organisations::find(conn, id)?,
        None => None,
    };
    Ok((user, organisation))
}

/// Checks the password and opens a session. Unknown address, wrong password and disabled
/// account all answer `InvalidCredentials`, after the same amount of hashing work.
pub fn login(
    conn: &mut DbConnection,
    request: &LoginRequest,
    keys: &tokens::TokenKeys,
    refresh_ttl: Duration,
) -> AppResult<TokenPair> {
    let email = request.email.trim().to_lowercase();
    let Some(user) = db::users::find_by_email(conn, &email)? else {
        password::verify_dummy(&request.password);
        return Err(AppError::InvalidCredentials);
    };
    if !password::verify(&request.password, &user.password_hash) || user.disabled {
        return Err(AppError::InvalidCredentials);
    }
    write_tx(conn, |conn| {
        if password::needs_rehash(&user.password_hash) {
            db::users::rehash_password(conn, &user.id, &password::hash(&request.password)?)?;
        }
        let refresh_token = issue_refresh_token(conn, &user.id, &new_id(), refresh_ttl)?;
        Ok(TokenPair {
            access_token: keys.issue(&user.id, user.session_generation)?,
            token_type: "Bearer",
            expires_in: keys.ttl_secs(),
            refresh_token,
        })
    })
}

fn issue_refresh_token(
    conn: &mut DbConnection,
    user_id: &UserId,
    family_id: &str,
    ttl: Duration,
) -> AppResult<String> {
    let token = tokens::random_secret();
    db::tokens::insert_refresh_token(
        conn,
        user_id,
        family_id,
        &tokens::hash_secret(&token),
        now() + ttl,
    )?;
    Ok(token)
}

/// Rotates a refresh token. Presenting one that was already used means it was copied: the
/// whole family (every token descended from that login) is revoked.
pub fn refresh(
    conn: &mut DbConnection,
    presented: &str,
    keys: &tokens::TokenKeys,
    refresh_ttl: Duration,
) -> AppResult<TokenPair> {
    let hash = tokens::hash_secret(presented);
    let outcome = write_tx(conn, |conn| -> AppResult<Result<TokenPair, AppError>> {
        let Some(row) = db::tokens::find_refresh_token(conn, &hash)? else {
            return Ok(Err(AppError::InvalidRefreshToken));
        };
        if row.revoked_at.is_some() || row.expires_at <= now() {
            return Ok(Err(AppError::InvalidRefreshToken));
        }
        let claimed = row.used_at.is_none() && db::tokens::claim_refresh_token(conn, &row.id)?;
        if !claimed {
            // A replay: revoke the family, and keep that revocation (commit, then refuse).
            // A copied token may have been used to mint access tokens: end them all.
            db::tokens::revoke_family(conn, &row.family_id)?;
            db::users::expire_access_tokens(conn, &row.user_id)?;
            tracing::warn!(family = %row.family_id, "refresh token replayed; sessions ended");
            return Ok(Err(AppError::InvalidRefreshToken));
        }
        let user = db::users::find(conn, &row.user_id)?.filter(|u| !u.disabled);
        let Some(user) = user else {
            return Ok(Err(AppError::InvalidRefreshToken));
        };
        let refresh_token = issue_refresh_token(conn, &user.id, &row.family_id, refresh_ttl)?;
        Ok(Ok(TokenPair {
            access_token: keys.issue(&user.id, user.session_generation)?,
            token_type: "Bearer",
            expires_in: keys.ttl_secs(),
            refresh_token,
        }))
    })?;
    outcome
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored: logging out
/// twice is not an error.
pub fn logout(conn: &mut DbConnection, presented: &str) -> AppResult<()> {
    let hash = tokens::hash_secret(presented);
    write_tx(conn, |conn| {
        if let Some(token) = db::tokens::find_refresh_token(conn, &hash)? {
            // Access tokens stop working at once too; other devices get new ones by
            // refreshing their own (still valid) sessions.
            db::tokens::revoke_family(conn, &token.family_id)?;
            db::users::expire_access_tokens(conn, &token.user_id)?;
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Password reset

/// Emails a reset link if the address has an (enabled) account; does nothing visible otherwise.
pub fn request_password_reset(
    conn: &mut DbConnection,
    request: &PasswordResetRequest,
    links: &Links,
) -> AppResult<()> {
    // Only the form of the address is checked: whether it has an account stays unsaid.
    FieldChecks::from_rules(request).finish()?;
    let email = EmailAddress::parse("email", &request.email)?;
    let email = email.as_str();
    write_tx(conn, |conn| {
        let Some(user) = db::users::find_by_email(conn, email)?.filter(|u| !u.disabled) else {
            return Ok(());
        };
        let hour_ago = now() - Duration::hours(1);
        if db::tokens::issued_since(conn, &user.id, TokenPurpose::PasswordReset, hour_ago)?
            >= RESET_MAILS_PER_HOUR
        {
            tracing::info!(user = %user.id, "reset mail not sent: the hourly cap for this address is reached");
            return Ok(());
        }
        let token = create_user_token(
            conn,
            &user.id,
            TokenPurpose::PasswordReset,
            Duration::minutes(PASSWORD_RESET_MINUTES.into()),
        )?;
        let message = PasswordReset {
            public_url: links.public_url.clone(),
            display_name: user.display_name.clone(),
            link: links.reset_password(&token),
            valid_minutes: PASSWORD_RESET_MINUTES,
        };
        send(conn, &message, &user.email)?;
        Ok(())
    })
}

/// Sets a new password with an emailed token; signs out every session and tells the owner.
pub fn confirm_password_reset(
    conn: &mut DbConnection,
    request: &PasswordResetConfirm,
    links: &Links,
) -> AppResult<()> {
    request.check(password::is_common)?;
    let new_hash = password::hash(&request.password)?;
    write_tx(conn, |conn| {
        let user_id = consume_user_token(conn, &request.token, TokenPurpose::PasswordReset)?;
        let user = db::users::find(conn, &user_id)?.ok_or(AppError::InvalidToken)?;
        db::users::reset_password(conn, &user.id, &new_hash)?;
        db::users::end_sessions(conn, &user.id)?;
        let notice = PasswordChanged {
            public_url: links.public_url.clone(),
            display_name: user.display_name.clone(),
            reset_url: links.request_reset(),
        };
        send(conn, &notice, &user.email)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Staff

/// Accounts for an admin to find, by email address: those whose address or name contains
/// `words` (blank finds all) and that have `role`, when given.
pub fn list_users(
    conn: &mut DbConnection,
    words: Option<&str>,
    role: Option<PlatformRole>,
    page: &PageParams,
) -> AppResult<Page<User>> {
    let words = words.map(str::trim).filter(|w| !w.is_empty());
    db::users::page(conn, words, role, page)
}

/// Creates a coalition staff account; its email counts as verified.
pub fn create_staff(conn: &mut DbConnection, request: &NewStaff) -> AppResult<User> {
    let staff = request.parse(password::is_common)?;
    let at = now();
    let user = User {
        id: UserId::generate(),
        email: staff.email.as_str().to_owned(),
        password_hash: password::hash(&request.password)?,
        display_name: staff.display_name,
        role: staff.role,
        organisation_id: None,
        organisation_role: None,
        email_verified: true,
        disabled: false,
        created_at: at,
        updated_at: at,
        session_generation: 0,
        language: Language::En,
    };
    write_tx(conn, |conn| db::users::insert(conn, &user))?;
    Ok(user)
}

/// An admin changes a user's platform role or disables/enables the account.
pub fn update_user(
    conn: &mut DbConnection,
    admin_id: &UserId,
    user_id: &UserId,
    changes: &UserChanges,
) -> AppResult<User> {
    let role = changes.role()?;
    if admin_id == user_id {
        // The last admin cannot lock everyone out by accident.
        return Err(AppError::Conflict(
            "own_account",
            "admins cannot change their own role or disable themselves".to_owned(),
        ));
    }
    write_tx(conn, |conn| {
        let user = db::users::find(conn, user_id)?.ok_or(AppError::NotFound("user"))?;
        if let Some(role) = role {
            db::users::set_role(conn, &user.id, role)?;
            if role != user.role {
                db::users::expire_access_tokens(conn, &user.id)?;
            }
        }
        if let Some(tracks) = &changes.moderation_tracks {
            db::users::set_moderation_scope(conn, &user.id, tracks)?;
        }
        if let Some(disabled) = changes.disabled {
            db::users::set_disabled(conn, &user.id, disabled)?;
            if disabled {
                db::users::end_sessions(conn, &user.id)?;
            }
        }
        db::users::touch(conn, &user.id)?;
        db::users::find(conn, user_id)?.ok_or(AppError::NotFound("user"))
    })
}
