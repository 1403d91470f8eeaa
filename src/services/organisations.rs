//! Organisations: the public directory, editing by owners, invitations, verification by
//! moderators.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::{password, tokens},
    db::{
        counters::{counted_change, Affected},
        now,
        schema::{invitations, organisations},
        write_tx, DbConnection,
    },
    domain::account::{
        check_password, check_text, EmailAddress, FieldChecks, OrganisationRole, PlatformRole,
    },
    domain::actor::Actor,
    domain::ids::{InvitationId, OrganisationId, UserId},
    email::{enqueue, templates::Invitation, Links},
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
    services::accounts::{
        check_organisation_fields, find_user, insert_user, require_country, UserRow,
    },
};

pub const INVITATION_DAYS: u32 = 14;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: OrganisationId,
    pub name: String,
    /// `government`, `private_sector`, `civil_society`, `academia`,
    /// `international_organisation`, `un_entity` or `other`.
    pub kind: String,
    /// ISO 3166-1 alpha-3 code.
    pub country: String,
    pub website: Option<String>,
    /// Set by a moderator once the organisation is confirmed to be who it says it is.
    pub verified: bool,
    pub verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Who may see an unverified organisation: its own people and the staff.
fn may_see(org: &OrganisationRow, viewer: Option<&Actor>) -> bool {
    org.verified || viewer.is_some_and(|v| v.role.is_staff() || v.belongs_to(&org.id))
}

pub fn find(conn: &mut DbConnection, id: &OrganisationId) -> AppResult<Option<OrganisationRow>> {
    Ok(organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?)
}

/// The organisation if the viewer may see it; `NotFound` otherwise, as if it did not exist.
pub fn get(
    conn: &mut DbConnection,
    id: &OrganisationId,
    viewer: Option<&Actor>,
) -> AppResult<OrganisationRow> {
    find(conn, id)?
        .filter(|org| may_see(org, viewer))
        .ok_or(AppError::NotFound("organisation"))
}

/// Verified organisations by name (all of them for staff), a page at a time.
pub fn list(
    conn: &mut DbConnection,
    viewer: Option<&Actor>,
    page: &PageParams,
) -> AppResult<Page<OrganisationRow>> {
    let limit = page.limit()?;
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .into_boxed();
    if !viewer.is_some_and(|v| v.role.is_staff()) {
        query = query.filter(organisations::verified.eq(true));
    }
    if let Some([name, id]) = page.cursor(2)?.as_deref() {
        query = query.filter(
            organisations::name.gt(name.clone()).or(organisations::name
                .eq(name.clone())
                .and(organisations::id.gt(id.clone()))),
        );
    }
    let rows = query
        .order((organisations::name.asc(), organisations::id.asc()))
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_overfetch(rows, limit, |o| {
        vec![o.name.clone(), o.id.to_string()]
    }))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub country: Option<String>,
    /// `null` removes the website.
    #[serde(default, deserialize_with = "crate::domain::validation::double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
}

/// Changes by the owner (or an admin). Changing the name, kind or country of a verified
/// organisation withdraws its verification: a moderator confirms the new identity.
pub fn update(
    conn: &mut DbConnection,
    id: &OrganisationId,
    actor: &Actor,
    changes: &OrganisationChanges,
) -> AppResult<OrganisationRow> {
    let org = get(conn, id, Some(actor))?;
    if !(actor.is_owner_of(&org.id) || actor.role == PlatformRole::Admin) {
        return Err(AppError::Forbidden);
    }
    let mut checks = FieldChecks::new();
    let website = changes.website.as_ref().and_then(|w| w.as_deref());
    let (kind, country) = check_organisation_fields(
        &mut checks,
        "",
        changes.name.as_deref(),
        changes.kind.as_deref(),
        changes.country.as_deref(),
        website,
    );
    checks.finish()?;
    if let Some(country) = &country {
        require_country(conn, "country", country)?;
    }
    let name = changes.name.as_ref().map(|n| n.trim().to_owned());
    let identity_changed = name.as_ref().is_some_and(|n| *n != org.name)
        || kind.is_some_and(|k| k.as_str() != org.kind)
        || country.as_ref().is_some_and(|c| *c != org.country);
    // The kind feeds the figures of every counted pledge of the organisation.
    counted_change(conn, Affected::Organisation(&org.id), |conn| {
        let target = organisations::table.find(&org.id);
        if let Some(name) = &name {
            diesel::update(target)
                .set(organisations::name.eq(name))
                .execute(conn)?;
        }
        if let Some(kind) = kind {
            diesel::update(target)
                .set(organisations::kind.eq(kind.as_str()))
                .execute(conn)?;
        }
        if let Some(country) = &country {
            diesel::update(target)
                .set(organisations::country.eq(country))
                .execute(conn)?;
        }
        if let Some(website) = &changes.website {
            let website = website.as_ref().map(|w| w.trim().to_owned());
            diesel::update(target)
                .set(organisations::website.eq(website))
                .execute(conn)?;
        }
        if identity_changed && org.verified {
            diesel::update(target)
                .set((
                    organisations::verified.eq(false),
                    organisations::verified_at.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
        }
        diesel::update(target)
            .set(organisations::updated_at.eq(now()))
            .execute(conn)?;
        find(conn, &org.id)?.ok_or(AppError::NotFound("organisation"))
    })
}

/// A moderator (or admin) confirms an organisation; never one's own.
pub fn verify(
    conn: &mut DbConnection,
    id: &OrganisationId,
    actor: &Actor,
) -> AppResult<OrganisationRow> {
    if !matches!(actor.role, PlatformRole::Moderator | PlatformRole::Admin) {
        return Err(AppError::Forbidden);
    }
    let org = get(conn, id, Some(actor))?;
    if actor.belongs_to(&org.id) {
        return Err(AppError::Forbidden);
    }
    write_tx(conn, |conn| {
        let at = now();
        diesel::update(
            organisations::table
                .find(&org.id)
                .filter(organisations::verified.eq(false)),
        )
        .set((
            organisations::verified.eq(true),
            organisations::verified_at.eq(at),
            organisations::updated_at.eq(at),
        ))
        .execute(conn)?;
        find(conn, &org.id)?.ok_or(AppError::NotFound("organisation"))
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    /// `member` (default) or `owner`.
    pub role: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: InvitationId,
    pub organisation_id: OrganisationId,
    pub email: String,
    pub role: String,
    pub expires_at: NaiveDateTime,
}

/// The owner (or an admin) invites someone by email to join the organisation.
pub fn invite(
    conn: &mut DbConnection,
    org_id: &OrganisationId,
    actor: &Actor,
    request: &NewInvitation,
    links: &Links,
) -> AppResult<InvitationView> {
    let org = get(conn, org_id, Some(actor))?;
    if !(actor.is_owner_of(&org.id) || actor.role == PlatformRole::Admin) {
        return Err(AppError::Forbidden);
    }
    let mut checks = FieldChecks::new();
    let email = checks.take(EmailAddress::parse("email", &request.email));
    let role = match request.role.as_deref() {
        None => Some(OrganisationRole::Member),
        Some(r) => checks.take(crate::domain::account::parse_field::<OrganisationRole>(
            "role", r,
        )),
    };
    checks.finish()?;
    let (email, role) = (email.expect("checked"), role.expect("checked"));
    let inviter = find_user(conn, &actor.id)?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "A colleague".to_owned());
    write_tx(conn, |conn| {
        let token = tokens::random_secret();
        let at = now();
        let invitation = InvitationView {
            id: InvitationId::generate(),
            organisation_id: org.id.clone(),
            email: email.as_str().to_owned(),
            role: role.as_str().to_owned(),
            expires_at: at + Duration::days(INVITATION_DAYS.into()),
        };
        diesel::insert_into(invitations::table)
            .values((
                invitations::id.eq(&invitation.id),
                invitations::organisation_id.eq(&org.id),
                invitations::email.eq(&invitation.email),
                invitations::organisation_role.eq(&invitation.role),
                invitations::invited_by.eq(&actor.id),
                invitations::token_hash.eq(tokens::hash_secret(&token)),
                invitations::created_at.eq(at),
                invitations::expires_at.eq(invitation.expires_at),
            ))
            .execute(conn)?;
        let message = Invitation {
            public_url: links.public_url.clone(),
            inviter: inviter.clone(),
            organisation: org.name.clone(),
            role: invitation.role.clone(),
            link: links.accept_invitation(&token),
            valid_days: INVITATION_DAYS,
        };
        enqueue(conn, &message.render(&invitation.email)?)?;
        Ok(invitation)
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    pub token: String,
    pub display_name: String,
    pub password: String,
}

/// Creates the invited user in the organisation. The invitation arrived by email, so the
/// address counts as verified.
pub fn accept_invitation(
    conn: &mut DbConnection,
    request: &AcceptInvitation,
) -> AppResult<(UserRow, OrganisationRow)> {
    let mut checks = FieldChecks::new();
    checks.take(check_text("display_name", &request.display_name, 1, 100));
    checks.take(check_password(
        "password",
        &request.password,
        password::is_common,
    ));
    checks.finish()?;
    let password_hash = password::hash(&request.password)?;
    let hash = tokens::hash_secret(&request.token);
    write_tx(conn, |conn| {
        let at = now();
        let (id, org_id, email, role): (String, OrganisationId, String, String) =
            invitations::table
                .filter(invitations::token_hash.eq(&hash))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::expires_at.gt(at))
                .select((
                    invitations::id,
                    invitations::organisation_id,
                    invitations::email,
                    invitations::organisation_role,
                ))
                .first(conn)
                .optional()?
                .ok_or(AppError::InvalidToken)?;
        let accepted = diesel::update(
            invitations::table
                .find(&id)
                .filter(invitations::accepted_at.is_null()),
        )
        .set(invitations::accepted_at.eq(at))
        .execute(conn)?;
        if accepted == 0 {
            return Err(AppError::InvalidToken);
        }
        let user = UserRow {
            id: UserId::generate(),
            email,
            password_hash: password_hash.clone(),
            display_name: request.display_name.trim().to_owned(),
            role: PlatformRole::Pledger.as_str().to_owned(),
            organisation_id: Some(org_id.clone()),
            organisation_role: Some(role),
            email_verified: true,
            disabled: false,
            created_at: at,
            updated_at: at,
        };
        insert_user(conn, &user)?;
        let org = find(conn, &org_id)?.ok_or(AppError::NotFound("organisation"))?;
        Ok((user, org))
    })
}
