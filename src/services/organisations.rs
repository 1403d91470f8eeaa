//! Organisations: the public directory, editing by owners, invitations, verification by
//! moderators.

use chrono::Duration;

use crate::{
    auth::{password, tokens},
    db::{
        self,
        counters::{counted_change, Affected},
        now, write_tx, DbConnection,
    },
    domain::language::Language,
    domain::{
        account::{
            unknown_country, AcceptInvitation, Invitation, NewInvitation, Organisation,
            OrganisationChanges, OrganisationRole, PlatformRole, User,
        },
        actor::Actor,
        ids::{InvitationId, OrganisationId, UserId},
    },
    email::{send, templates::Invitation as InvitationMail, Links},
    error::{AppError, AppResult},
    pagination::{Page, PageParams},
};

pub use crate::domain::account::INVITATION_DAYS;

/// The organisation if the viewer may see it; `NotFound` otherwise, as if it did not exist.
pub fn get(
    conn: &mut DbConnection,
    id: &OrganisationId,
    viewer: Option<&Actor>,
) -> AppResult<Organisation> {
    db::organisations::find(conn, id)?
        .filter(|org| org.visible_to(viewer))
        .ok_or(AppError::NotFound("organisation"))
}

/// Verified organisations by name (all of them for staff), a page at a time.
pub fn list(
    conn: &mut DbConnection,
    viewer: Option<&Actor>,
    page: &PageParams,
) -> AppResult<Page<Organisation>> {
    let staff = viewer.is_some_and(Actor::is_staff);
    db::organisations::page(conn, staff, page)
}

/// Changes by the owner (or an admin). Changing the name, kind or country of a verified
/// organisation withdraws its verification: a moderator confirms the new identity.
pub fn update(
    conn: &mut DbConnection,
    id: &OrganisationId,
    actor: &Actor,
    changes: &OrganisationChanges,
) -> AppResult<Organisation> {
    let org = get(conn, id, Some(actor))?;
    if !(actor.is_owner_of(&org.id) || actor.role == PlatformRole::Admin) {
        return Err(AppError::Forbidden);
    }
    let edit = changes.parse()?;
    if let Some(country) = &edit.country {
        if !db::taxonomy::country_exists(conn, country)? {
            return Err(unknown_country("country", country).into());
        }
    }
    let withdraw_verification = org.verified && org.identity_changed_by(&edit);
    // The kind feeds the figures of every counted pledge of the organisation.
    counted_change(conn, Affected::Organisation(&org.id), |conn| {
        db::organisations::update(conn, &org.id, &edit, withdraw_verification)?;
        if edit.name.is_some() || edit.kind.is_some() {
            // Its pledges are searched by its name and filtered by its kind.
            db::pledges::reindex_organisation(conn, &org.id)?;
        }
        db::organisations::find(conn, &org.id)?.ok_or(AppError::NotFound("organisation"))
    })
}

/// A moderator (or admin) confirms an organisation; never one's own.
pub fn verify(
    conn: &mut DbConnection,
    id: &OrganisationId,
    actor: &Actor,
) -> AppResult<Organisation> {
    if !actor.role.can_moderate() {
        return Err(AppError::Forbidden);
    }
    let org = get(conn, id, Some(actor))?;
    if actor.belongs_to(&org.id) {
        return Err(AppError::Forbidden);
    }
    write_tx(conn, |conn| {
        db::organisations::mark_verified(conn, &org.id)?;
        db::organisations::find(conn, &org.id)?.ok_or(AppError::NotFound("organisation"))
    })
}

/// The owner (or an admin) invites someone by email to join the organisation.
pub fn invite(
    conn: &mut DbConnection,
    org_id: &OrganisationId,
    actor: &Actor,
    request: &NewInvitation,
    links: &Links,
) -> AppResult<Invitation> {
    let org = get(conn, org_id, Some(actor))?;
    require_owner(actor, &org.id)?;
    let (email, role) = request.parse()?;
    let inviter = db::users::find(conn, &actor.id)?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "A colleague".to_owned());
    write_tx(conn, |conn| {
        let token = tokens::random_secret();
        let invitation = Invitation {
            id: InvitationId::generate(),
            organisation_id: org.id.clone(),
            email: email.as_str().to_owned(),
            role,
            expires_at: now() + Duration::days(INVITATION_DAYS.into()),
        };
        db::tokens::insert_invitation(conn, &invitation, &actor.id, &tokens::hash_secret(&token))?;
        let message = InvitationMail {
            public_url: links.public_url.clone(),
            inviter: inviter.clone(),
            organisation: org.name.clone(),
            role: invitation.role.as_str().to_owned(),
            link: links.accept_invitation(&token),
            valid_days: INVITATION_DAYS,
        };
        send(conn, &message, &invitation.email)?;
        Ok(invitation)
    })
}

/// Fails unless `actor` may manage the organisation's members: its owner, or an admin.
fn require_owner(actor: &Actor, org: &OrganisationId) -> AppResult<()> {
    if actor.is_owner_of(org) || actor.role == PlatformRole::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The organisation's members, owners first (its owner, or an admin).
pub fn members(
    conn: &mut DbConnection,
    org_id: &OrganisationId,
    actor: &Actor,
) -> AppResult<Vec<User>> {
    let org = get(conn, org_id, Some(actor))?;
    require_owner(actor, &org.id)?;
    db::users::members(conn, &org.id)
}

/// Takes a member out of the organisation (its owner, or an admin). The pledges they made stay
/// the organisation's. An owner hands ownership on before leaving.
pub fn remove_member(
    conn: &mut DbConnection,
    org_id: &OrganisationId,
    actor: &Actor,
    member: &UserId,
) -> AppResult<()> {
    let org = get(conn, org_id, Some(actor))?;
    require_owner(actor, &org.id)?;
    write_tx(conn, |conn| {
        let user = db::users::find(conn, member)?
            .filter(|u| u.organisation_id.as_ref() == Some(&org.id))
            .ok_or(AppError::NotFound("member"))?;
        if user.organisation_role == Some(OrganisationRole::Owner) {
            return Err(AppError::Conflict(
                "owner_cannot_be_removed",
                "the owner hands ownership to another member first".to_owned(),
            ));
        }
        db::users::set_membership(conn, &user.id, None)
    })
}

/// Makes `new_owner`, a member, the organisation's owner; the owners so far stay on as members
/// (its owner, or an admin). Returns the members as they are then.
pub fn hand_over(
    conn: &mut DbConnection,
    org_id: &OrganisationId,
    actor: &Actor,
    new_owner: &UserId,
) -> AppResult<Vec<User>> {
    let org = get(conn, org_id, Some(actor))?;
    require_owner(actor, &org.id)?;
    write_tx(conn, |conn| {
        let members = db::users::members(conn, &org.id)?;
        let Some(heir) = members.iter().find(|u| &u.id == new_owner) else {
            return Err(AppError::NotFound("member"));
        };
        if heir.disabled {
            return Err(AppError::Conflict(
                "member_disabled",
                "a disabled account cannot own an organisation".to_owned(),
            ));
        }
        for owner in members
            .iter()
            .filter(|u| u.organisation_role == Some(OrganisationRole::Owner))
        {
            db::users::set_membership(conn, &owner.id, Some((&org.id, OrganisationRole::Member)))?;
        }
        db::users::set_membership(conn, &heir.id, Some((&org.id, OrganisationRole::Owner)))?;
        db::users::members(conn, &org.id)
    })
}

/// The organisation's open invitations, newest first (its owner, or an admin).
pub fn invitations(
    conn: &mut DbConnection,
    org_id: &OrganisationId,
    actor: &Actor,
) -> AppResult<Vec<Invitation>> {
    let org = get(conn, org_id, Some(actor))?;
    require_owner(actor, &org.id)?;
    db::tokens::pending_invitations(conn, &org.id)
}

/// Withdraws an open invitation (its owner, or an admin): its emailed link stops working.
pub fn revoke_invitation(
    conn: &mut DbConnection,
    org_id: &OrganisationId,
    actor: &Actor,
    invitation: &InvitationId,
) -> AppResult<()> {
    let org = get(conn, org_id, Some(actor))?;
    require_owner(actor, &org.id)?;
    if write_tx(conn, |conn| {
        db::tokens::revoke_invitation(conn, &org.id, invitation)
    })? {
        Ok(())
    } else {
        Err(AppError::NotFound("invitation"))
    }
}

/// Creates the invited user in the organisation. The invitation arrived by email, so the
/// address counts as verified.
pub fn accept_invitation(
    conn: &mut DbConnection,
    request: &AcceptInvitation,
) -> AppResult<(User, Organisation)> {
    request.check(password::is_common)?;
    let password_hash = password::hash(&request.password)?;
    let hash = tokens::hash_secret(&request.token);
    write_tx(conn, |conn| {
        let invitation =
            db::tokens::accept_invitation(conn, &hash)?.ok_or(AppError::InvalidToken)?;
        let at = now();
        let user = User {
            id: UserId::generate(),
            email: invitation.email,
            password_hash: password_hash.clone(),
            display_name: request.display_name.trim().to_owned(),
            role: PlatformRole::Pledger,
            organisation_id: Some(invitation.organisation_id.clone()),
            organisation_role: Some(invitation.role),
            email_verified: true,
            disabled: false,
            created_at: at,
            updated_at: at,
            session_generation: 0,
            language: Language::En,
        };
        db::users::insert(conn, &user)?;
        if invitation.role == OrganisationRole::Owner {
            // Taking the organisation over confirms what the secretariat entered for it.
            db::pledges::confirm_entered(conn, &invitation.organisation_id, &user.clone().actor())?;
        }
        let org = db::organisations::find(conn, &invitation.organisation_id)?
            .ok_or(AppError::NotFound("organisation"))?;
        Ok((user, org))
    })
}
