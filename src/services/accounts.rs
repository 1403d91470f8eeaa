//! Accounts: registration, email verification, login, token refresh and logout, password reset,
//! staff accounts. Answers never tell whether an address has an account.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::{password, tokens},
    db::{
        new_id, now,
        schema::{countries, organisations, refresh_tokens, user_tokens, users},
        write_tx, DbConnection,
    },
    domain::account::{
        check_password, check_text, check_website, parse_field, EmailAddress, FieldChecks,
        OrganisationKind, OrganisationRole, PlatformRole,
    },
    domain::actor::Actor,
    domain::ids::{OrganisationId, UserId},
    email::{
        enqueue,
        templates::{AccountExists, PasswordChanged, PasswordReset, VerifyEmail},
        Links,
    },
    error::{AppError, AppResult, FieldError},
    services::organisations::OrganisationRow,
};

pub const VERIFY_EMAIL_HOURS: u32 = 48;
pub const PASSWORD_RESET_MINUTES: u32 = 30;

/// A user as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub organisation_id: Option<OrganisationId>,
    pub organisation_role: Option<String>,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    pub fn platform_role(&self) -> PlatformRole {
        self.role.parse().unwrap_or(PlatformRole::Pledger)
    }

    pub fn organisation_role(&self) -> Option<OrganisationRole> {
        self.organisation_role
            .as_deref()
            .and_then(|r| r.parse().ok())
    }

    pub fn actor(self) -> Actor {
        Actor {
            role: self.platform_role(),
            organisation_role: self.organisation_role(),
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            organisation_id: self.organisation_id,
            email_verified: self.email_verified,
        }
    }
}

/// The caller behind a verified token: `None` when the account is gone or disabled.
pub fn actor(conn: &mut DbConnection, id: &UserId) -> AppResult<Option<Actor>> {
    Ok(find_user(conn, id)?
        .filter(|user| !user.disabled)
        .map(UserRow::actor))
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

// ---------------------------------------------------------------------------------------------
// Registration

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "amina@ict.gov.gh")]
    pub email: String,
    /// 12 to 256 characters, not among the 10,000 most common passwords.
    pub password: String,
    #[schema(example = "Amina")]
    pub display_name: String,
    pub organisation: NewOrganisation,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    #[schema(example = "Ministry of Communications")]
    pub name: String,
    /// `government`, `private_sector`, `civil_society`, `academia`,
    /// `international_organisation`, `un_entity` or `other`.
    #[schema(example = "government")]
    pub kind: String,
    /// ISO 3166-1 alpha-3 code.
    #[schema(example = "GHA")]
    pub country: String,
    pub website: Option<String>,
}

/// What registration created (or, for an address that already has an account, what it would
/// have looked like: nothing is stored then, and the address's owner is told instead).
pub struct Registered {
    pub user: UserRow,
    pub organisation: OrganisationRow,
}

/// Checks the organisation fields shared by registration and editing.
pub fn check_organisation_fields(
    checks: &mut FieldChecks,
    prefix: &str,
    name: Option<&str>,
    kind: Option<&str>,
    country: Option<&str>,
    website: Option<&str>,
) -> (Option<OrganisationKind>, Option<String>) {
    let field = |f: &str| {
        if prefix.is_empty() {
            f.to_owned()
        } else {
            format!("{prefix}.{f}")
        }
    };
    if let Some(name) = name {
        checks.take(check_text(&field("name"), name, 2, 200));
    }
    let kind = kind.and_then(|k| checks.take(parse_field::<OrganisationKind>(&field("kind"), k)));
    let country = country.and_then(|c| {
        let code = c.trim().to_uppercase();
        let ok = code.len() == 3 && code.chars().all(|ch| ch.is_ascii_uppercase());
        checks.take(if ok {
            Ok(code)
        } else {
            Err(FieldError::new(
                field("country"),
                "invalid_country",
                "use an ISO 3166-1 alpha-3 code such as GHA",
            ))
        })
    });
    if let Some(website) = website {
        checks.take(check_website(&field("website"), website));
    }
    (kind, country)
}

/// Fails with a field error unless `code` is a known country.
pub fn require_country(conn: &mut DbConnection, field: &str, code: &str) -> AppResult<()> {
    let known: i64 = countries::table
        .filter(countries::alpha3.eq(code))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(AppError::Validation(vec![FieldError::new(
            field,
            "unknown_value",
            format!("unknown country {code}"),
        )]));
    }
    Ok(())
}

pub fn register(
    conn: &mut DbConnection,
    request: RegisterRequest,
    links: &Links,
) -> AppResult<Registered> {
    let mut checks = FieldChecks::new();
    let email = checks.take(EmailAddress::parse("email", &request.email));
    checks.take(check_password(
        "password",
        &request.password,
        password::is_common,
    ));
    checks.take(check_text("display_name", &request.display_name, 1, 100));
    let org = &request.organisation;
    let (kind, country) = check_organisation_fields(
        &mut checks,
        "organisation",
        Some(&org.name),
        Some(&org.kind),
        Some(&org.country),
        org.website.as_deref(),
    );
    checks.finish()?;
    let (email, kind, country) = (
        email.expect("checked"),
        kind.expect("checked"),
        country.expect("checked"),
    );
    require_country(conn, "organisation.country", &country)?;

    // Hash whether or not the address is taken: both answers take the same time.
    let password_hash = password::hash(&request.password)?;
    let at = now();
    let organisation = OrganisationRow {
        id: OrganisationId::generate(),
        name: org.name.trim().to_owned(),
        kind: kind.as_str().to_owned(),
        country,
        website: org.website.as_ref().map(|w| w.trim().to_owned()),
        verified: false,
        verified_at: None,
        created_at: at,
        updated_at: at,
    };
    let user = UserRow {
        id: UserId::generate(),
        email: email.as_str().to_owned(),
        password_hash,
        display_name: request.display_name.trim().to_owned(),
        role: PlatformRole::Pledger.as_str().to_owned(),
        organisation_id: Some(organisation.id.clone()),
        organisation_role: Some(OrganisationRole::Owner.as_str().to_owned()),
        email_verified: false,
        disabled: false,
        created_at: at,
        updated_at: at,
    };

    let created = write_tx(conn, |conn| -> AppResult<bool> {
        let taken: i64 = users::table
            .filter(users::email.eq(&user.email))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            let notice = AccountExists {
                public_url: links.public_url.clone(),
                reset_url: links.request_reset(),
            };
            enqueue(conn, &notice.render(&user.email)?)?;
            return Ok(false);
        }
        insert_organisation(conn, &organisation)?;
        insert_user(conn, &user)?;
        let token = create_user_token(
            conn,
            &user.id,
            "verify_email",
            Duration::hours(VERIFY_EMAIL_HOURS.into()),
        )?;
        let message = VerifyEmail {
            public_url: links.public_url.clone(),
            display_name: user.display_name.clone(),
            link: links.verify_email(&token),
            valid_hours: VERIFY_EMAIL_HOURS,
        };
        enqueue(conn, &message.render(&user.email)?)?;
        Ok(true)
    });
    match created {
        Ok(_) => Ok(Registered { user, organisation }),
        // Two registrations of one address at once: the loser answers like any taken address.
        Err(AppError::Conflict("email_taken", _)) => Ok(Registered { user, organisation }),
        Err(e) => Err(e),
    }
}

pub fn insert_organisation(conn: &mut DbConnection, org: &OrganisationRow) -> AppResult<()> {
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(&org.id),
            organisations::name.eq(&org.name),
            organisations::kind.eq(&org.kind),
            organisations::country.eq(&org.country),
            organisations::website.eq(&org.website),
            organisations::verified.eq(org.verified),
            organisations::verified_at.eq(org.verified_at),
            organisations::created_at.eq(org.created_at),
            organisations::updated_at.eq(org.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Inserts a user; an address that is already registered is a `Conflict`.
pub fn insert_user(conn: &mut DbConnection, user: &UserRow) -> AppResult<()> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&user.id),
            users::email.eq(&user.email),
            users::password_hash.eq(&user.password_hash),
            users::display_name.eq(&user.display_name),
            users::role.eq(&user.role),
            users::organisation_id.eq(&user.organisation_id),
            users::organisation_role.eq(&user.organisation_role),
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

/// Creates a single-use emailed token and returns it (only its hash is stored).
fn create_user_token(
    conn: &mut DbConnection,
    user_id: &UserId,
    purpose: &str,
    valid_for: Duration,
) -> AppResult<String> {
    let token = tokens::random_secret();
    let at = now();
    diesel::insert_into(user_tokens::table)
        .values((
            user_tokens::id.eq(new_id()),
            user_tokens::user_id.eq(user_id),
            user_tokens::purpose.eq(purpose),
            user_tokens::token_hash.eq(tokens::hash_secret(&token)),
            user_tokens::created_at.eq(at),
            user_tokens::expires_at.eq(at + valid_for),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Uses up an emailed token: returns its user id, or `InvalidToken` if it is unknown, used,
/// expired or for another purpose. The conditional update makes a token good for one use even
/// when presented twice at once.
fn consume_user_token(conn: &mut DbConnection, token: &str, purpose: &str) -> AppResult<UserId> {
    let hash = tokens::hash_secret(token);
    let at = now();
    let (id, user_id): (String, UserId) = user_tokens::table
        .filter(user_tokens::token_hash.eq(&hash))
        .filter(user_tokens::purpose.eq(purpose))
        .filter(user_tokens::used_at.is_null())
        .filter(user_tokens::expires_at.gt(at))
        .select((user_tokens::id, user_tokens::user_id))
        .first(conn)
        .optional()?
        .ok_or(AppError::InvalidToken)?;
    let used = diesel::update(
        user_tokens::table
            .filter(user_tokens::id.eq(&id))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(at))
    .execute(conn)?;
    if used == 0 {
        return Err(AppError::InvalidToken);
    }
    Ok(user_id)
}

pub fn verify_email(conn: &mut DbConnection, token: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let user_id = consume_user_token(conn, token, "verify_email")?;
        diesel::update(users::table.find(&user_id))
            .set((users::email_verified.eq(true), users::updated_at.eq(now())))
            .execute(conn)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Sessions

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

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

pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> AppResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_user(conn: &mut DbConnection, id: &UserId) -> AppResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// A user with their organisation, for `GET /me`.
pub fn account(
    conn: &mut DbConnection,
    user_id: &UserId,
) -> AppResult<(UserRow, Option<OrganisationRow>)> {
    let user = find_user(conn, user_id)?.ok_or(AppError::Unauthorized)?;
    let organisation = match &user.organisation_id {
        Some(id) => crate::services::organisations::find(conn, id)?,
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
    let Some(user) = find_user_by_email(conn, &email)? else {
        password::verify_dummy(&request.password);
        return Err(AppError::InvalidCredentials);
    };
    if !password::verify(&request.password, &user.password_hash) || user.disabled {
        return Err(AppError::InvalidCredentials);
    }
    write_tx(conn, |conn| {
        if password::needs_rehash(&user.password_hash) {
            diesel::update(users::table.find(&user.id))
                .set(users::password_hash.eq(password::hash(&request.password)?))
                .execute(conn)?;
        }
        let refresh_token = issue_refresh_token(conn, &user.id, &new_id(), refresh_ttl)?;
        Ok(TokenPair {
            access_token: keys.issue(&user.id)?,
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
    let at = now();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(new_id()),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(tokens::hash_secret(&token)),
            refresh_tokens::created_at.eq(at),
            refresh_tokens::expires_at.eq(at + ttl),
        ))
        .execute(conn)?;
    Ok(token)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Queryable)]
struct RefreshRow {
    id: String,
    user_id: UserId,
    family_id: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
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
        let Some(row) = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((
                refresh_tokens::id,
                refresh_tokens::user_id,
                refresh_tokens::family_id,
                refresh_tokens::expires_at,
                refresh_tokens::used_at,
                refresh_tokens::revoked_at,
            ))
            .first::<RefreshRow>(conn)
            .optional()?
        else {
            return Ok(Err(AppError::InvalidRefreshToken));
        };
        let at = now();
        if row.revoked_at.is_some() || row.expires_at <= at {
            return Ok(Err(AppError::InvalidRefreshToken));
        }
        let claimed = if row.used_at.is_none() {
            diesel::update(
                refresh_tokens::table
                    .find(&row.id)
                    .filter(refresh_tokens::used_at.is_null()),
            )
            .set(refresh_tokens::used_at.eq(at))
            .execute(conn)?
        } else {
            0
        };
        if claimed == 0 {
            // A replay: revoke the family, and keep that revocation (commit, then refuse).
            revoke_family(conn, &row.family_id)?;
            tracing::warn!(family = %row.family_id, "refresh token replayed; session family revoked");
            return Ok(Err(AppError::InvalidRefreshToken));
        }
        let user = find_user(conn, &row.user_id)?.filter(|u| !u.disabled);
        let Some(user) = user else {
            return Ok(Err(AppError::InvalidRefreshToken));
        };
        let refresh_token = issue_refresh_token(conn, &user.id, &row.family_id, refresh_ttl)?;
        Ok(Ok(TokenPair {
            access_token: keys.issue(&user.id)?,
            token_type: "Bearer",
            expires_in: keys.ttl_secs(),
            refresh_token,
        }))
    })?;
    outcome
}

fn revoke_family(conn: &mut DbConnection, family_id: &str) -> AppResult<()> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family_id)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of a user (password reset, account disabled).
pub fn revoke_all_sessions(conn: &mut DbConnection, user_id: &UserId) -> AppResult<()> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored: logging out
/// twice is not an error.
pub fn logout(conn: &mut DbConnection, presented: &str) -> AppResult<()> {
    let hash = tokens::hash_secret(presented);
    write_tx(conn, |conn| {
        let family: Option<String> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select(refresh_tokens::family_id)
            .first(conn)
            .optional()?;
        if let Some(family) = family {
            revoke_family(conn, &family)?;
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Password reset

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    pub token: String,
    pub password: String,
}

/// Emails a reset link if the address has an (enabled) account; does nothing visible otherwise.
pub fn request_password_reset(
    conn: &mut DbConnection,
    request: &PasswordResetRequest,
    links: &Links,
) -> AppResult<()> {
    let email = request.email.trim().to_lowercase();
    write_tx(conn, |conn| {
        let Some(user) = find_user_by_email(conn, &email)?.filter(|u| !u.disabled) else {
            return Ok(());
        };
        let token = create_user_token(
            conn,
            &user.id,
            "password_reset",
            Duration::minutes(PASSWORD_RESET_MINUTES.into()),
        )?;
        let message = PasswordReset {
            public_url: links.public_url.clone(),
            display_name: user.display_name.clone(),
            link: links.reset_password(&token),
            valid_minutes: PASSWORD_RESET_MINUTES,
        };
        enqueue(conn, &message.render(&user.email)?)?;
        Ok(())
    })
}

/// Sets a new password with an emailed token; signs out every session and tells the owner.
pub fn confirm_password_reset(
    conn: &mut DbConnection,
    request: &PasswordResetConfirm,
    links: &Links,
) -> AppResult<()> {
    let mut checks = FieldChecks::new();
    checks.take(check_password(
        "password",
        &request.password,
        password::is_common,
    ));
    checks.finish()?;
    let new_hash = password::hash(&request.password)?;
    write_tx(conn, |conn| {
        let user_id = consume_user_token(conn, &request.token, "password_reset")?;
        let user = find_user(conn, &user_id)?.ok_or(AppError::InvalidToken)?;
        diesel::update(users::table.find(&user.id))
            .set((
                users::password_hash.eq(&new_hash),
                // Following the emailed link proved the address.
                users::email_verified.eq(true),
                users::updated_at.eq(now()),
            ))
            .execute(conn)?;
        revoke_all_sessions(conn, &user.id)?;
        let notice = PasswordChanged {
            public_url: links.public_url.clone(),
            display_name: user.display_name.clone(),
            reset_url: links.request_reset(),
        };
        enqueue(conn, &notice.render(&user.email)?)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Staff

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    pub email: String,
    pub display_name: String,
    /// `admin`, `moderator` or `organiser`.
    pub role: String,
    pub password: String,
}

/// Creates a coalition staff account; its email counts as verified.
pub fn create_staff(conn: &mut DbConnection, request: &NewStaff) -> AppResult<UserRow> {
    let mut checks = FieldChecks::new();
    let email = checks.take(EmailAddress::parse("email", &request.email));
    checks.take(check_text("display_name", &request.display_name, 1, 100));
    let role = checks.take(parse_field::<PlatformRole>("role", &request.role));
    if role == Some(PlatformRole::Pledger) {
        checks.push(FieldError::new(
            "role",
            "not_staff",
            "staff roles are admin, moderator and organiser",
        ));
    }
    checks.take(check_password(
        "password",
        &request.password,
        password::is_common,
    ));
    checks.finish()?;
    let at = now();
    let user = UserRow {
        id: UserId::generate(),
        email: email.expect("checked").as_str().to_owned(),
        password_hash: password::hash(&request.password)?,
        display_name: request.display_name.trim().to_owned(),
        role: role.expect("checked").as_str().to_owned(),
        organisation_id: None,
        organisation_role: None,
        email_verified: true,
        disabled: false,
        created_at: at,
        updated_at: at,
    };
    write_tx(conn, |conn| insert_user(conn, &user))?;
    Ok(user)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    /// `pledger`, `moderator`, `organiser` or `admin`.
    pub role: Option<String>,
    /// A disabled user's tokens stop working at once.
    pub disabled: Option<bool>,
    /// For moderators: the tracks they moderate (empty: all tracks).
    pub moderation_tracks: Option<Vec<String>>,
}

/// An admin changes a user's platform role or disables/enables the account.
pub fn update_user(
    conn: &mut DbConnection,
    admin_id: &UserId,
    user_id: &UserId,
    changes: &UserChanges,
) -> AppResult<UserRow> {
    let mut checks = FieldChecks::new();
    let role = changes
        .role
        .as_deref()
        .and_then(|r| checks.take(parse_field::<PlatformRole>("role", r)));
    checks.finish()?;
    if admin_id == user_id {
        // The last admin cannot lock everyone out by accident.
        return Err(AppError::Conflict(
            "own_account",
            "admins cannot change their own role or disable themselves".to_owned(),
        ));
    }
    write_tx(conn, |conn| {
        let user = find_user(conn, user_id)?.ok_or(AppError::NotFound("user"))?;
        if let Some(role) = role {
            diesel::update(users::table.find(&user.id))
                .set(users::role.eq(role.as_str()))
                .execute(conn)?;
        }
        if let Some(tracks) = &changes.moderation_tracks {
            crate::services::pledges::set_moderation_scope(conn, &user.id, tracks)?;
        }
        if let Some(disabled) = changes.disabled {
            diesel::update(users::table.find(&user.id))
                .set(users::disabled.eq(disabled))
                .execute(conn)?;
            if disabled {
                revoke_all_sessions(conn, &user.id)?;
            }
        }
        diesel::update(users::table.find(&user.id))
            .set(users::updated_at.eq(now()))
            .execute(conn)?;
        find_user(conn, user_id)?.ok_or(AppError::NotFound("user"))
    })
}
